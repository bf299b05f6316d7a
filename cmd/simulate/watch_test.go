package simulate

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/cmd/cmdutil/cmdtest"
)

// --watch replays the payload, then again when its expected answer (the
// sibling X.expected.json) changes; Ctrl-C (here: the context) stops it
// with the last run's exit code. Standard input cannot be watched.
func TestWatchRerunsOnChange(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"dtmf1.json", "dtmf1.expected.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", f) /* TestMain runs from the repository root */)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	io, _, _, _ := cmdutil.Test()
	out, errOut := &cmdtest.SyncBuffer{}, &cmdtest.SyncBuffer{}
	io.Out, io.ErrOut = out, errOut
	f := cmdutil.NewFactory(io, "test")
	opts := &SimulateOptions{IO: io, ReadFile: os.ReadFile, LoadEng: f.LoadEngine, Output: cmdutil.OutputText,
		Paths: []string{filepath.Join(dir, "dtmf1.json")}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- watchRun(ctx, opts) }()

	cmdtest.WaitFor(t, out, "1 passed, 0 failed", 1)
	cmdtest.WaitFor(t, errOut, "watching for changes", 1)
	if err := os.WriteFile(filepath.Join(dir, "dtmf1.expected.json"), []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmdtest.WaitFor(t, out, "0 passed, 1 failed", 1)
	cancel()
	select {
	case err := <-done:
		if code := cmdutil.ExitCode(err); code != cmdutil.ExitFailed {
			t.Errorf("stopped: exit %d (%v), want 1", code, err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("--watch did not stop")
	}

	opts.Paths = []string{"-"}
	if code := cmdutil.ExitCode(watchRun(context.Background(), opts)); code != cmdutil.ExitUsage {
		t.Errorf("--watch -: exit %d, want 2", code)
	}
}
