package webhooks

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ivrctl/ivrctl/cmd/account"
	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/redact"
	"github.com/ivrctl/ivrctl/pkg/voiceapi"
)

// deletable are the types 8x8's delete accepts (its enum lacks VNU).
var deletable = []string{callflow.WebhookVCA, callflow.WebhookVSS, callflow.WebhookVCS, callflow.WebhookVRU}

// deleteOptions are the inputs of `webhooks delete`.
type deleteOptions struct {
	Account *account.Options
	Types   []string
	Output  string
}

func newCmdDelete(f *cmdutil.Factory) *cobra.Command {
	opts := &deleteOptions{Account: account.NewOptions(f)}
	cmd := &cobra.Command{
		Use:   "delete [flags] vca|vss|vcs|vru...",
		Short: "Delete the sub-account's webhook of a type",
		Long: `Delete the sub-account's webhook of each type given (8x8 keeps one URL per
type). 8x8's guides delete a type before registering a new URL for it.

Exit codes: 0 deleted, 2 bad usage or a missing setting (nothing sent), 3 the
API key was refused, 4 8x8 could not be reached or failed (404: nothing was
registered for the type).`,
		Example: `  $ ivrctl webhooks delete vca
  $ ivrctl webhooks delete vca vss`,
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: completeTypes,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Account.FromConfig(f)
			if err := cmdutil.CheckOutput(opts.Output); err != nil {
				return err
			}
			opts.Types = nil
			for _, a := range args {
				t := strings.ToUpper(a)
				if !slices.Contains(deletable, t) {
					return cmdutil.Usagef("webhook type %q: want vca, vss, vcs or vru", a)
				}
				if !slices.Contains(opts.Types, t) {
					opts.Types = append(opts.Types, t)
				}
			}
			if err := opts.Account.Check(); err != nil {
				return err
			}
			c, err := opts.Account.Client()
			if err != nil {
				return err
			}
			var deleted []*callflow.DeletedWebhook
			for _, t := range opts.Types {
				d, err := c.DeleteWebhook(cmd.Context(), opts.Account.Subaccount, t)
				if err != nil {
					if len(deleted) > 0 && opts.Output == "json" {
						_ = account.JSON(f.IO.Out, deleted) // what was done before the failure
					}
					return deleteError(t, account.Error("delete the "+t+" webhook", err, opts.Account.APIKey), err)
				}
				d.URL = redact.URLMasked(d.URL)
				deleted = append(deleted, d)
				if opts.Output == "text" {
					fmt.Fprintf(f.IO.ErrOut, "deleted %s %s\n", t, account.Clean(d.URL))
				}
			}
			if opts.Output == "json" {
				return account.JSON(f.IO.Out, deleted)
			}
			return nil
		},
	}
	account.AddFlags(cmd.Flags(), opts.Account)
	cmdutil.AddOutputFlag(cmd, &opts.Output)
	return cmd
}

// deleteError adds the likelier reason for a 404 to delete's error: no
// webhook of that type is registered (8x8 answers an unknown sub-account
// with 404 too).
func deleteError(typ string, out, err error) error {
	var apiErr *voiceapi.APIError
	var ee *cmdutil.ExitError
	if errors.As(err, &apiErr) && apiErr.HTTPStatus == http.StatusNotFound && errors.As(out, &ee) {
		ee.Hint = "no " + typ + " webhook registered? ivrctl webhooks list shows them; else check the sub-account id (" +
			cmdutil.EnvName(cmdutil.KeySubaccount) + ")"
	}
	return out
}

// completeTypes offers the webhook types delete takes that the command line
// does not name yet (`delete vca <TAB>` offers vss, vcs, vru), never files.
func completeTypes(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
	var out []cobra.Completion
	for _, t := range deletable {
		lower := strings.ToLower(t)
		if !slices.ContainsFunc(args, func(a string) bool { return strings.EqualFold(a, t) }) {
			out = append(out, lower)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
