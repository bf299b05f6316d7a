package testcmd_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ivrctl/ivrctl/pkg/webhook/webhooktest"
)

// TestCoverWebhookEqualsInProcess: `test --webhook URL --menu FILE
// --coverprofile` against serve's webhook server over HTTP writes the same
// profile, byte for byte, as the run in-process, and prints the same
// coverage lines.
func TestCoverWebhookEqualsInProcess(t *testing.T) {
	t.Parallel()
	const menuFile = "testdata/menus/advanced-ivr.yaml"
	dir := t.TempDir()
	in, over := filepath.Join(dir, "in.json"), filepath.Join(dir, "over.json")
	suite := []string{"testdata/scenarios/advanced-ivr/main-menu.yaml", "testdata/scenarios/advanced-ivr/connect-call.yaml"}
	ri := ivrctl(t, append([]string{"test", "--menu", menuFile, "--coverprofile", in}, suite...)...)
	url := webhooktest.Start(t, webhooktest.Engine(t, menuFile))
	ro := ivrctl(t, append([]string{"test", "--webhook", url, "--menu", menuFile, "--coverprofile", over}, suite...)...)
	if ri.code != 0 || ro.code != 0 {
		t.Fatalf("exit %d / %d:\n%s\n%s", ri.code, ro.code, ri.stderr, ro.stderr)
	}
	a, _ := os.ReadFile(in)
	b, _ := os.ReadFile(over)
	if len(a) == 0 || string(a) != string(b) {
		t.Errorf("profiles differ (-in-process +webhook):\n%s", cmp.Diff(string(a), string(b)))
	}
	tail := func(s string) string { return s[strings.Index(s, "passed, 0 failed"):] }
	if d := cmp.Diff(tail(ri.stdout), tail(ro.stdout)); d != "" {
		t.Errorf("coverage lines differ (-in-process +webhook):\n%s", d)
	}
	if !strings.HasSuffix(ro.stdout, "coverage: 15 of 27 menu paths (55.6%)\n") {
		t.Errorf("stdout ends:\n%s", ro.stdout[max(0, len(ro.stdout)-300):])
	}
}

// TestCoverAgainstAnotherMenu: a backend serving another menu than --menu
// says coverage cannot be computed, and exits 2.
func TestCoverAgainstAnotherMenu(t *testing.T) {
	t.Parallel()
	url := webhooktest.Start(t, webhooktest.Engine(t, "testdata/menus/advanced-ivr.yaml"))
	r := ivrctl(t, "test", "--webhook", url, "--cover", "testdata/scenarios/simple-ivr/options.yaml")
	if r.code != 2 || !strings.Contains(r.stderr, "coverage cannot be computed: to menu main: input 1 (option) the backend answered") ||
		!strings.Contains(r.stderr, "is the backend serving this menu file?") {
		t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
}
