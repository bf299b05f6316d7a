package testcmd

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/cmd/cmdutil/cmdtest"
	"github.com/ivrctl/ivrctl/pkg/menu"
)

const watchScenario = `name: press 1
call: {menu: ../menu.yaml}
caller:
  steps:
    - {expect: Dear customer, press: "1"}
expect:
  status: COMPLETED
`

// --watch plays the suite, then again when a scenario changes and when
// the menu a scenario names changes (it is outside the directory given);
// Ctrl-C (here: the context) stops it with the last run's exit code.
func TestWatchRerunsOnChange(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scen := filepath.Join(dir, "scenarios")
	if err := os.Mkdir(scen, 0o755); err != nil {
		t.Fatal(err)
	}
	menuFile := filepath.Join(dir, "menu.yaml")
	save(t, menuFile, string(menu.DefaultYAML()))
	file := filepath.Join(scen, "press-1.yaml")
	save(t, file, watchScenario)

	io, _, _, _ := cmdutil.Test()
	out, errOut := &cmdtest.SyncBuffer{}, &cmdtest.SyncBuffer{}
	io.Out, io.ErrOut = out, errOut
	opts := &TestOptions{IO: io, ReadFile: os.ReadFile, WriteFile: writeFile, Paths: []string{scen}, Output: cmdutil.OutputText, Timeout: 5 * time.Second}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- watchRun(ctx, opts) }()

	cmdtest.WaitFor(t, out, "1 passed, 0 failed", 1)
	cmdtest.WaitFor(t, errOut, "watching for changes", 1)
	// The scenario now expects another status: the rerun fails.
	save(t, file, strings.Replace(watchScenario, "COMPLETED", "BUSY", 1))
	cmdtest.WaitFor(t, out, "0 passed, 1 failed", 1)
	if !strings.Contains(errOut.String(), "press-1.yaml changed: running again") {
		t.Errorf("the rerun does not say why:\n%s", errOut.String())
	}
	save(t, file, watchScenario)
	cmdtest.WaitFor(t, out, "1 passed, 0 failed", 2)
	// The menu's prompt changes: the step's expect no longer matches.
	save(t, menuFile, strings.Replace(string(menu.DefaultYAML()), "Dear customer", "Hello caller", 1))
	cmdtest.WaitFor(t, out, "0 passed, 1 failed", 2)

	cancel()
	select {
	case err := <-done:
		if code := cmdutil.ExitCode(err); code != cmdutil.ExitFailed {
			t.Errorf("stopped: exit %d (%v), want 1 (the last run failed)", code, err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("--watch did not stop")
	}
}

func save(t *testing.T, name, data string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
