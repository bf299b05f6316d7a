package cmdutil

import (
	"os"
	"path/filepath"
	"strings"
)

// Hints that lead a new user somewhere: what to run when there is no 8x8
// account yet, and where the sample files the docs name live.

// EmulateHint is said when a command that talks to 8x8 has no API key:
// with no account yet, emulate runs everything on this machine. The two
// lines are a whole call, answered by --wait's own listener on 8080 where
// emulate posts (testdata/script/docs-ports.txtar runs them).
const EmulateHint = `no 8x8 account yet? ivrctl emulate stands in for 8x8 on this machine, so everything runs locally (any API key works). Try:
  ivrctl emulate --vca-url http://127.0.0.1:8080/webhooks/vca --vss-url http://127.0.0.1:8080/webhooks/vss --press 1 &
  IVRCTL_API_KEY=test-key ivrctl call --base-url http://127.0.0.1:9090 --subaccount acme-01 --from 6561115777 --to 6512345678 --wait`

// SampleHint explains a path under testdata/ that cannot be read when the
// current directory has no testdata/ at all: the docs' examples name the
// sample files of ivrctl's repository, which only a clone has. Otherwise
// (a path of the user's own, or a clone with a file missing) it is "".
func SampleHint(path string) string {
	p := filepath.ToSlash(filepath.Clean(path))
	if p != "testdata" && !strings.HasPrefix(p, "testdata/") {
		return ""
	}
	if _, err := os.Stat("testdata"); err == nil {
		return ""
	}
	return "testdata/ holds the sample files of ivrctl's repository, and there is none here: " +
		"run this in a clone of the repository (cd into it), or give files of your own"
}
