package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// The values TestScripts stamps into a real build, as GoReleaser does;
// testdata/script/version.txtar expects exactly these.
const (
	stampVersion = "9.9.9-test"
	stampCommit  = "0123abc"
	stampDate    = "2026-01-02T03:04:05Z"
)

// TestMain lets testscript run ivrctl's real main() as the `ivrctl`
// command: each `exec ivrctl` in a script is a fresh process with real
// exit codes and real (non-terminal) stdout and stderr.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"ivrctl": main})
}

// TestScripts runs testdata/script/*.txtar. Besides `ivrctl` (the test
// binary running main), the scripts get `ivrctl-stamped`, a real `go build`
// with the -X flags .goreleaser.yaml uses, so a renamed version variable
// fails here and not first at release. $REPO is the repository root, for
// comparing with committed files.
func TestScripts(t *testing.T) {
	bin := t.TempDir()
	stamped := filepath.Join(bin, "ivrctl-stamped")
	if runtime.GOOS == "windows" {
		stamped += ".exe"
	}
	ldflags := "-X main.version=" + stampVersion + " -X main.commit=" + stampCommit + " -X main.date=" + stampDate
	build := exec.Command("go", "build", "-trimpath", "-ldflags", ldflags, "-o", stamped, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build -ldflags %q: %v\n%s", ldflags, err, out)
	}
	repo, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("PATH", bin+string(os.PathListSeparator)+env.Getenv("PATH"))
			env.Setenv("REPO", repo)
			// No user config file leaks in: the default file is looked up here.
			env.Setenv("XDG_CONFIG_HOME", filepath.Join(env.WorkDir, ".config"))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits": cmdExits,
		},
	})
}

// cmdExits is `exits CODE PROG [ARGS...]`: run PROG like exec and require
// exit status CODE (exec itself only tells zero from non-zero). stdout and
// stderr are then checked as after exec.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("usage: exits CODE PROG [ARGS...] (no '!': the code says what is expected)")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: exits CODE PROG [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: bad code %q", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exits: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with %d, want %d", args[1], got, want)
	}
}
