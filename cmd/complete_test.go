package cmd

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"
)

// TestCompletions asks the real tree what the shells would offer, as the
// generated scripts do through the hidden __complete command. ":4" is
// ShellCompDirectiveNoFileComp (nothing but the words listed), ":8"
// FilterFileExt (files with these extensions, and directories); cobra's
// default ":0" offers every file, which is wrong for a number, a URL or a
// command that takes no arguments.
func TestCompletions(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"webhooks", "delete", ""}, "vca\nvss\nvcs\nvru\n:4\n"},
		{[]string{"webhooks", "delete", "vca", "VSS", ""}, "vcs\nvru\n:4\n"},
		{[]string{"webhooks", "set", "--vca", ""}, ":4\n"},
		{[]string{"webhooks", "set", "--auth-secret", ""}, "generate\n:4\n"},
		{[]string{"webhooks", "set", ""}, ":4\n"},
		{[]string{"webhooks", "list", ""}, ":4\n"},
		{[]string{"webhooks", "list", "--subaccount", ""}, ":4\n"},
		{[]string{"profiles", ""}, ":4\n"},
		{[]string{"profiles", "--language", ""}, ":4\n"},
		{[]string{"numbers", "check", ""}, ":4\n"},
		{[]string{"emulate", ""}, "ring\n:4\n"}, // its subcommand; no files
		{[]string{"emulate", "ring", ""}, ":4\n"},
		{[]string{"emulate", "--fault", ""}, "duplicate-vca\nduplicate-vss\nretry-vss\ndelay-vss\nhangup-in-prompt\nhangup-in-capture\nbarge-in\nslow-network\n:4\n"},
		{[]string{"emulate", "--answer", ""}, "answer\nbusy\nno-answer\nfail\n:4\n"},
		{[]string{"emulate", "--numbers", ""}, "any\n:4\n"},
		{[]string{"emulate", "--profiles", ""}, "json\n:8\n"},
		{[]string{"emulate", "--port", ""}, ":4\n"},
		{[]string{"emulate", "--vca-url", ""}, ":4\n"},
		{[]string{"call", ""}, ":4\n"},
		{[]string{"call", "--to", ""}, ":4\n"},
		{[]string{"call", "--to-file", ""}, "txt\ncsv\n:8\n"},
		{[]string{"call", "--client-request-id", ""}, "auto\n:4\n"},
		{[]string{"call", "--listen", ""}, ":4\n"},
		{[]string{"call", "--timeout", ""}, ":4\n"},
		{[]string{"call", "--auth-secret", ""}, ":4\n"},
		{[]string{"serve", ""}, ":4\n"},
		{[]string{"serve", "--port", ""}, ":4\n"},
		{[]string{"serve", "--sessions", ""}, "jsonl\n:8\n"},
		{[]string{"validate", "--kind", ""}, "auto\nrequest\nresponse\n:4\n"},
		{[]string{"validate", ""}, "json\nyaml\nyml\n:8\n"},
		{[]string{"config", "view", ""}, ":4\n"},
		{[]string{"test", ""}, "yaml\nyml\n:8\n"},
		{[]string{"test", "--parallel", ""}, ":4\n"},
		{[]string{"test", "--webhook", ""}, ":4\n"},
		{[]string{"test", "--vss", ""}, ":4\n"},
		{[]string{"test", "--run", ""}, ":4\n"},
		{[]string{"test", "--auth-secret", ""}, ":4\n"},
		{[]string{"test", "--junit", ""}, "xml\n:8\n"},
	}
	for _, tt := range tests {
		args := append([]string{cobra.ShellCompNoDescRequestCmd}, tt.args...)
		code, out, _ := run(t, nil, args...)
		if code != 0 {
			t.Errorf("__complete %q: exit %d", tt.args, code)
		}
		if diff := cmp.Diff(tt.want, out); diff != "" {
			t.Errorf("__complete %q (-want +got):\n%s", tt.args, diff)
		}
	}
}
