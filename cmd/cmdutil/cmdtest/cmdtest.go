// Package cmdtest holds what the command tests share: a process
// environment that no IVRCTL_* variable or user config file leaks into
// (Isolate, Main), a buffer safe to read while a command writes it, a
// serving command started and stopped with deadlines (StartServing,
// Stop), and a deadline for anything else that could hang (Within).
package cmdtest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/paralleltest"
)

// Isolate unsets every IVRCTL_* variable and points XDG_CONFIG_HOME and
// XDG_CACHE_HOME at a fresh empty directory, so the default config file is
// never the user's and the account lists are never read from, nor written
// to, the user's cache.
// Call it from TestMain before m.Run; the returned func removes the
// directory.
func Isolate() (cleanup func()) {
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, cmdutil.EnvPrefix+"_") {
			os.Unsetenv(k)
		}
	}
	dir, err := os.MkdirTemp("", "ivrctl-test")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	os.Setenv("XDG_CACHE_HOME", filepath.Join(dir, "cache"))
	return func() { os.RemoveAll(dir) }
}

// Main runs a command package's tests Isolated, and more of them at once
// (paralleltest.Raise: command tests mostly wait on servers and clocks),
// for its TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(cmdtest.Main(m)) }
func Main(m *testing.M) int {
	paralleltest.Raise()
	cleanup := Isolate()
	defer cleanup()
	return m.Run()
}

// Within returns f's result, or fails the test when f takes longer than
// d, naming what: a command that should refuse its flags but starts a
// server instead fails its test rather than hanging the run (f is left
// running; the test binary ends soon after).
func Within[T any](t testing.TB, d time.Duration, what string, f func() T) T {
	t.Helper()
	done := make(chan T, 1)
	go func() { done <- f() }()
	select {
	case v := <-done:
		return v
	case <-time.After(d):
		t.Fatalf("%s did not return within %s", what, d)
		panic("unreachable")
	}
}

// SyncBuffer is a buffer a running command writes while the test reads
// it (a server's log, the address it prints).
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// WaitFor waits until text shows at least n times in what b holds (a
// command running in the background writes it), failing the test after
// 20 s with what it held.
func WaitFor(t testing.TB, b *SyncBuffer, text string, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Count(b.String(), text) >= n {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%q never showed %d time(s):\n%s", text, n, b.String())
}

// StartServing runs execute (a command tree's ExecuteContext: serve,
// emulate) in the background and waits up to 10 s for the first line of
// stdout to be "listening on URL". It returns the URL, the channel its
// error arrives on (whoever reads it puts it back, for the others) and
// the cancel of its context (what SIGINT does). When the test ends the
// command is cancelled and must return within 10 s, or the test fails.
func StartServing(t testing.TB, name string, stdout, stderr fmt.Stringer,
	execute func(context.Context) error) (url string, done chan error, cancel context.CancelFunc) {
	t.Helper()
	done = make(chan error, 1)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { done <- execute(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Errorf("%s did not return within 10s of its context's end", name)
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		out := stdout.String()
		line, _, _ := strings.Cut(out, "\n")
		if u, ok := strings.CutPrefix(line, "listening on "); ok && strings.HasSuffix(out, "\n") {
			return u, done, cancel
		}
		select {
		case err := <-done:
			done <- err // for the cleanup
			t.Fatalf("%s exited: %v\nstderr:\n%s", name, err, stderr)
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("%s printed no address; stdout %q stderr %q", name, stdout, stderr)
	return "", nil, nil
}

// Stop cancels a command started by StartServing and returns its error,
// failing the test when it takes more than 15 s.
func Stop(t testing.TB, name string, done chan error, cancel context.CancelFunc) error {
	t.Helper()
	cancel()
	select {
	case err := <-done:
		done <- err // for the cleanup
		return err
	case <-time.After(15 * time.Second):
		t.Fatalf("%s did not stop", name)
		return nil
	}
}
