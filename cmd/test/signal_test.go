package testcmd

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
)

// TestSignalWhileLoading: SIGINT stops `ivrctl test` while it is still
// loading the scenarios, here stuck reading a file on a hung file system
// (a ReadFile that never returns): exit 130, nothing run. Before, the
// signal was caught and ignored until loading ended, that is never.
func TestSignalWhileLoading(t *testing.T) {
	dir := t.TempDir()
	save(t, filepath.Join(dir, "a.yaml"), watchScenario)
	reading := make(chan struct{})
	hung := make(chan struct{})
	defer close(hung)
	io, _, _, _ := cmdutil.Test()
	opts := &TestOptions{IO: io, WriteFile: writeFile, Paths: []string{dir}, Output: cmdutil.OutputText, Timeout: 5 * time.Second,
		ReadFile: func(string) ([]byte, error) { close(reading); <-hung; return nil, errors.New("unreachable") }}
	done := make(chan error, 1)
	go func() { done <- run(context.Background(), opts) }()
	<-reading
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		var ee *cmdutil.ExitError
		if !errors.As(err, &ee) || ee.Code != cmdutil.ExitInterrupted {
			t.Fatalf("got %v, want exit %d", err, cmdutil.ExitInterrupted)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("SIGINT did not stop loading")
	}
}
