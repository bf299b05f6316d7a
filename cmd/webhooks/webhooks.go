// Package webhooks implements `ivrctl webhooks list|set|delete`: the
// sub-account's voice webhook URLs (VCA and VSS), registered with 8x8's
// Webhooks API, where `ivrctl serve` answers them.
package webhooks

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ivrctl/ivrctl/cmd/account"
	"github.com/ivrctl/ivrctl/cmd/cmdutil"
)

// NewCmdWebhooks builds the command group.
func NewCmdWebhooks(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "webhooks <command>",
		Short: "List, register and delete the sub-account's voice webhooks",
		Long: `List, register and delete the sub-account's voice webhooks with 8x8's
Webhooks API: VCA (Voice Call Action, where the menu's next callflow comes
from) and VSS (Voice Session Summary). Point them at ` + "`ivrctl serve`" + `'s
/webhooks/vca and /webhooks/vss.`,
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
whether an auth header is set (8x8 never shows its value).`,
		Example: `  $ ivrctl webhooks list
  $ ivrctl webhooks list -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Account.FromConfig(f)
			if err := account.CheckOutput(opts.Output); err != nil {
				return cmdutil.Usagef("%w", err)
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
			if opts.Output == "json" {
				return account.JSON(f.IO.Out, list.Webhooks)
			}
			if len(list.Webhooks) == 0 {
				fmt.Fprintf(f.IO.ErrOut, "no webhooks registered for sub-account %s: ivrctl webhooks set --vca URL --vss URL\n", opts.Account.Subaccount)
				return nil
			}
			rows := make([][]string, len(list.Webhooks))
			for i, w := range list.Webhooks {
				rows[i] = []string{w.Type, w.URL, yesNo(w.Enabled), authState(w.HTTPAuthHeaderAvailable)}
			}
			return account.Table(f.IO.Out, []string{"TYPE", "URL", "ENABLED", "AUTH"}, rows)
		},
	}
	account.AddFlags(cmd.Flags(), opts.Account)
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "text", "output format: text or json")
	return cmd
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
