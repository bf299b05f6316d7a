package cmd

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/golden"
)

// completionFiles are the committed scripts, by shell.
var completionFiles = []struct{ shell, file string }{
	{"bash", "ivrctl.bash"},
	{"zsh", "ivrctl.zsh"},
	{"fish", "ivrctl.fish"},
	{"powershell", "ivrctl.ps1"},
}

// TestCompletionsUpToDate regenerates every shell's completion script
// through the real root command and compares it with completions/, which
// the archives and packages ship: a command or flag added without
// regenerating fails here.
func TestCompletionsUpToDate(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // no user config file
	for _, c := range completionFiles {
		t.Run(c.shell, func(t *testing.T) {
			io, _, out, errOut := cmdutil.Test()
			if code := Execute(BuildInfo{Version: "dev"}, []string{"completion", c.shell}, io); code != cmdutil.ExitOK {
				t.Fatalf("ivrctl completion %s: exit %d: %s", c.shell, code, errOut)
			}
			path := filepath.Join("..", "completions", c.file)
			if golden.Update() {
				if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v\nregenerate with: scripts/gen-completions.sh", err)
			}
			if diff := cmp.Diff(string(want), out.String()); diff != "" {
				t.Errorf("completions/%s is stale (-committed +generated):\n%s\n"+
					"regenerate with: scripts/gen-completions.sh\n"+
					"  (or: go run . completion %s > completions/%s, or: go test ./cmd -run TestCompletionsUpToDate -update)",
					c.file, diff, c.shell, c.file)
			}
		})
	}
}
