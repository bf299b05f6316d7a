// Package cmdtest holds what the command tests share: a process
// environment that no IVRCTL_* variable or user config file leaks into,
// and a buffer safe to read while a command writes it.
package cmdtest

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
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

// Main runs a command package's tests Isolated, for its TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(cmdtest.Main(m)) }
func Main(m *testing.M) int {
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
