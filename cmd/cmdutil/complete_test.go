package cmdutil

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"
)

// complete asks cobra's hidden __complete command, which every shell script
// calls, for the candidates at the end of args.
func complete(t *testing.T, root *cobra.Command, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&bytes.Buffer{})
	root.SetArgs(append([]string{cobra.ShellCompNoDescRequestCmd}, args...))
	if err := root.Execute(); err != nil {
		t.Fatalf("__complete %v: %v", args, err)
	}
	return out.String()
}

func newTree() *cobra.Command {
	root := &cobra.Command{Use: "ivrctl"}
	root.PersistentFlags().String("menu", "", "inherited menu flag")
	run := func(*cobra.Command, []string) error { return nil }
	sim := &cobra.Command{Use: "simulate", RunE: run}
	sim.Flags().StringP(FlagOutput, "o", "text", "output format")
	call := &cobra.Command{Use: "call", RunE: run}
	call.Flags().String("menu", "", "menu file")
	call.Flags().String("to", "", "number to call")
	own := &cobra.Command{Use: "own", RunE: run}
	own.Flags().StringP(FlagOutput, "o", "", "output format")
	_ = own.RegisterFlagCompletionFunc(FlagOutput, cobra.FixedCompletions([]string{"yaml"}, cobra.ShellCompDirectiveNoFileComp))
	root.AddCommand(sim, call, own)
	CompletePayloadArgs(sim)
	return root
}

func TestRegisterCompletions(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		// :8 is ShellCompDirectiveFilterFileExt: the shell lists files
		// with these extensions (and directories).
		{"menu flag", []string{"call", "--menu", ""}, "yaml\nyml\njson\n:8\n"},
		{"menu flag inherited from root", []string{"simulate", "--menu", ""}, "yaml\nyml\njson\n:8\n"},
		{"output long", []string{"simulate", "--output", ""}, "text\njson\n:4\n"},
		{"output short", []string{"simulate", "-o", ""}, "text\njson\n:4\n"},
		{"command's own completion wins", []string{"own", "-o", ""}, "yaml\n:4\n"},
		{"payload args", []string{"simulate", ""}, "json\n:8\n"},
		// Untouched flags keep cobra's default: files of any kind (:0).
		{"other flag", []string{"call", "--to", ""}, ":0\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := newTree()
			RegisterCompletions(root)
			RegisterCompletions(root) // idempotent: no "already registered" surprises
			if diff := cmp.Diff(tt.want, complete(t, root, tt.args...)); diff != "" {
				t.Errorf("__complete %q (-want +got):\n%s", tt.args, diff)
			}
		})
	}
}

func TestCompleteFileArgsKeepsOwnFunction(t *testing.T) {
	root := &cobra.Command{Use: "ivrctl"}
	sim := &cobra.Command{
		Use:  "simulate",
		RunE: func(*cobra.Command, []string) error { return nil },
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return []string{"dtmf1.json"}, cobra.ShellCompDirectiveNoFileComp
		},
	}
	root.AddCommand(sim)
	CompletePayloadArgs(sim)
	if diff := cmp.Diff("dtmf1.json\n:4\n", complete(t, root, "simulate", "")); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
