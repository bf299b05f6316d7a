// Package webhooks implements `ivrctl webhooks list|set|delete`: the
// sub-account's voice webhook URLs (VCA and VSS), registered with 8x8's
// Webhooks API, where `ivrctl serve` answers them.
package webhooks

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ivrctl/ivrctl/cmd/account"
	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/redact"
)

// NewCmdWebhooks builds the command group.
func NewCmdWebhooks(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "webhooks",
		Short: "List, register and delete the sub-account's voice webhooks",
		Long: `List, register and delete the sub-account's voice webhooks with 8x8's
Webhooks API: VCA (Voice Call Action, where the menu's next callflow comes
from) and VSS (Voice Session Summary). Point them at ` + "`ivrctl serve`" + `'s
/webhooks/vca and /webhooks/vss.

Exit codes: 0 done, 2 bad usage or a missing setting (nothing sent), 3 the
API key was refused, 4 8x8 could not be reached or failed.`,
		Example: `  $ ivrctl webhooks list
  $ ivrctl webhooks set --vca https://ivr.example.com/webhooks/vca --vss https://ivr.example.com/webhooks/vss --auth-secret generate
  $ ivrctl webhooks delete vca vss`,
	}
	cmd.AddCommand(newCmdList(f), newCmdSet(f), newCmdDelete(f))
	return cmd
}

// listOptions are the inputs of `webhooks list`.
type listOptions struct {
	Account *account.Options
	Output  string
}

func newCmdList(f *cmdutil.Factory) *cobra.Command {
	opts := &listOptions{Account: account.NewOptions(f)}
	cmd := &cobra.Command{
		Use:   "list [flags]",
		Short: "List the sub-account's voice webhooks",
		Long: `List the sub-account's voice webhooks: type, URL, whether enabled, and
whether an auth header is set (8x8 never shows its value).

Exit codes: 0 listed, 2 bad usage or a missing setting (nothing sent), 3 the
API key was refused, 4 8x8 could not be reached or failed.`,
		Example: `  $ ivrctl webhooks list
  $ ivrctl webhooks list -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Account.FromConfig(f)
			if err := cmdutil.CheckOutput(opts.Output); err != nil {
				return err
			}
			if err := opts.Account.Check(); err != nil {
				return err
			}
			c, err := opts.Account.Client()
			if err != nil {
				return err
			}
			list, err := c.ListWebhooks(cmd.Context(), opts.Account.Subaccount)
			if err != nil {
				return account.Error("list webhooks", err, opts.Account.APIKey)
			}
			hooks := redactHooks(list.Webhooks)
			if opts.Output == "json" {
				return account.JSON(f.IO.Out, hooks)
			}
			if len(hooks) == 0 {
				fmt.Fprintf(f.IO.ErrOut, "no webhooks registered for sub-account %s: ivrctl webhooks set --vca URL --vss URL\n", opts.Account.Subaccount)
				return nil
			}
			rows := make([][]string, len(hooks))
			for i, w := range hooks {
				rows[i] = []string{w.Type, w.URL, yesNo(w.Enabled), authState(w.HTTPAuthHeaderAvailable)}
			}
			return account.Table(f.IO.Out, []string{"TYPE", "URL", "ENABLED", "AUTH"}, rows)
		},
	}
	account.AddFlags(cmd.Flags(), opts.Account)
	cmdutil.CompleteNoArgs(cmd)
	cmdutil.AddOutputFlag(cmd, &opts.Output)
	return cmd
}

// redactHooks returns the webhooks with the credentials their URLs may
// carry (serve's ?token=, user:pass@) masked: they are printed.
func redactHooks(hooks []callflow.Webhook) []callflow.Webhook {
	out := make([]callflow.Webhook, len(hooks))
	for i, w := range hooks {
		w.URL = redact.URLMasked(w.URL)
		out[i] = w
	}
	return out
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func authState(set bool) string {
	if set {
		return "header set"
	}
	return "none"
}
