package cmd

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/golden"
)

// TestReferenceUpToDate regenerates docs/reference/ through the real root
// command (the hidden gen-docs command scripts/gen-docs.sh runs) and
// compares it with the committed pages: a command, flag or help text
// changed without regenerating, a page left over from a removed command,
// or an exit code explained differently in cmd/cmdutil/exit.go fails here.
func TestReferenceUpToDate(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // no user config file
	committed := filepath.Join("..", "docs", "reference")
	out := t.TempDir()
	if golden.Update() {
		out = committed
	}
	io, _, _, errOut := cmdutil.Test()
	if code := Execute(BuildInfo{Version: "dev"}, []string{"gen-docs", "--dir", out}, io); code != cmdutil.ExitOK {
		t.Fatalf("ivrctl gen-docs: exit %d: %s", code, errOut)
	}
	const regen = "regenerate with: scripts/gen-docs.sh (or: go test ./cmd -run TestReferenceUpToDate -update)"
	got, want := readMarkdown(t, out), readMarkdown(t, committed)
	for name, page := range got {
		old, ok := want[name]
		if !ok {
			t.Errorf("docs/reference/%s is missing\n%s", name, regen)
			continue
		}
		if diff := cmp.Diff(old, page); diff != "" {
			t.Errorf("docs/reference/%s is stale (-committed +generated):\n%s\n%s", name, diff, regen)
		}
	}
	for name := range want {
		if _, ok := got[name]; !ok {
			t.Errorf("docs/reference/%s is no longer generated (a removed or hidden command?)\n%s", name, regen)
		}
	}
	// The pages are cobra/doc's: one per visible command, and the table.
	for _, name := range []string{"ivrctl.md", "ivrctl_call.md", "ivrctl_webhooks_set.md", "exit-codes.md"} {
		if _, ok := got[name]; !ok {
			t.Errorf("gen-docs wrote no %s", name)
		}
	}
	for _, hidden := range []string{"ivrctl_man.md", "ivrctl_gen-docs.md"} {
		if _, ok := got[hidden]; ok {
			t.Errorf("gen-docs wrote %s, a hidden command's page", hidden)
		}
	}
}

// TestExitCodesMarkdown: the generated table has one row per code of
// cmdutil.ExitCodes, in order, and --help shows the same codes.
func TestExitCodesMarkdown(t *testing.T) {
	md := string(ExitCodesMarkdown())
	var rows []string
	for line := range strings.SplitSeq(md, "\n") {
		if code, _, ok := strings.Cut(strings.TrimPrefix(line, "| "), " |"); ok && strings.HasPrefix(line, "| ") && code != "code" {
			rows = append(rows, code)
		}
	}
	var want []string
	for _, c := range cmdutil.ExitCodes {
		want = append(want, strconv.Itoa(c.Code))
		if !strings.Contains(cmdutil.ExitCodeHelp, strconv.Itoa(c.Code)+"  "+strings.Fields(c.Help)[0]) {
			t.Errorf("--help's table lacks code %d: %q", c.Code, cmdutil.ExitCodeHelp)
		}
	}
	if !slices.Equal(rows, want) {
		t.Errorf("exit-codes.md rows %v, want %v", rows, want)
	}
}

func readMarkdown(t *testing.T, dir string) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	pages := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		pages[filepath.Base(f)] = string(b)
	}
	return pages
}
