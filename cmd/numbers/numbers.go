// Package numbers implements `ivrctl numbers` and `ivrctl numbers check`:
// the sub-account's virtual numbers, the caller IDs a call may use.
package numbers

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/spf13/cobra"

	"github.com/ivrctl/ivrctl/cmd/account"
	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/accountcache"
	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/voiceapi"
)

// NumbersOptions are the inputs of `ivrctl numbers` and its check.
type NumbersOptions struct {
	IO      *cmdutil.IOStreams
	Account *account.Options
	Output  string
	Number  string // check only
}

// NewCmdNumbers builds `numbers` (which lists) and `numbers check`.
func NewCmdNumbers(f *cmdutil.Factory) *cobra.Command {
	opts := &NumbersOptions{IO: f.IO, Account: account.NewOptions(f)}
	cmd := &cobra.Command{
		Use:   "numbers [flags]",
		Short: "List the sub-account's virtual numbers",
		Long: `List the virtual numbers of the sub-account: the caller IDs (--from) a call
may use. The list is also cached (a day, under the user's cache directory) for
call's --from check.

Exit codes: 0 listed, 2 bad usage or a missing setting (nothing sent), 3 the
API key was refused, 4 8x8 could not be reached or failed.`,
		Example: `  $ ivrctl numbers
  $ ivrctl numbers -o json
  $ ivrctl numbers check +6561115777`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Account.FromConfig(f)
			return runList(cmd, opts)
		},
	}
	account.AddFlags(cmd.Flags(), opts.Account)
	cmdutil.AddOutputFlag(cmd, &opts.Output)
	cmd.AddCommand(newCmdCheck(f))
	return cmd
}

func newCmdCheck(f *cmdutil.Factory) *cobra.Command {
	opts := &NumbersOptions{IO: f.IO, Account: account.NewOptions(f)}
	cmd := &cobra.Command{
		Use:   "check [flags] NUMBER",
		Short: "Check that a number is one of the sub-account's virtual numbers",
		Long: `Check that NUMBER is a virtual number of the sub-account, and show its
reference id (what VCA and VSS events report as sourceRefId/destinationRefId).
'+' and separators are ignored: +65 6111 5777 is 6561115777.

Exit codes: 0 it is, 1 it is not (8x8 answered 404), 2 not a phone number,
3 the API key was refused, 4 other failures.`,
		Example:           `  $ ivrctl numbers check +6561115777`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Account.FromConfig(f)
			opts.Number = args[0]
			return runCheck(cmd, opts)
		},
	}
	account.AddFlags(cmd.Flags(), opts.Account)
	cmdutil.AddOutputFlag(cmd, &opts.Output)
	return cmd
}

func prepare(opts *NumbersOptions) (*accountcache.Lister, error) {
	if err := cmdutil.CheckOutput(opts.Output); err != nil {
		return nil, err
	}
	if err := opts.Account.Check(); err != nil {
		return nil, err
	}
	return opts.Account.Lister()
}

func runList(cmd *cobra.Command, opts *NumbersOptions) error {
	l, err := prepare(opts)
	if err != nil {
		return err
	}
	ns, err := l.Numbers(cmd.Context(), false)
	if err != nil {
		return account.Error("list numbers", err, opts.Account.APIKey)
	}
	slices.SortStableFunc(ns, func(a, b callflow.VirtualNumber) int {
		return cmp.Compare(callflow.Digits(a.MSISDN), callflow.Digits(b.MSISDN))
	})
	if opts.Output == "json" {
		return account.JSON(opts.IO.Out, ns)
	}
	if len(ns) == 0 {
		fmt.Fprintf(opts.IO.ErrOut, "sub-account %s has no virtual numbers: rent one on the Connect portal to call from\n", opts.Account.Subaccount)
		return nil
	}
	rows := make([][]string, len(ns))
	for i, n := range ns {
		rows[i] = []string{n.MSISDN, n.CountryCode, n.OperationalStatus, n.NumberType, n.ReferenceID, health(n)}
	}
	return account.Table(opts.IO.Out, []string{"NUMBER", "COUNTRY", "STATUS", "TYPE", "REFERENCE", "HEALTH"}, rows)
}

// health is the last health check's verdict; "-" when 8x8 checks nothing.
func health(n callflow.VirtualNumber) string {
	switch h := n.NumberHealth; {
	case h == nil:
		return ""
	case h.IsHealthy:
		return "healthy"
	case h.Status != "":
		return "unhealthy: " + h.Status
	}
	return "unhealthy"
}

// runCheck asks the single-number endpoint, which takes 7 to 10 digits;
// a longer number is looked for in the list instead. 404 means "not one
// of yours": exit 1, as a failed check, not 4.
func runCheck(cmd *cobra.Command, opts *NumbersOptions) error {
	if !callflow.IsPhoneNumber(opts.Number) && !callflow.IsPhoneNumber(callflow.Digits(opts.Number)) {
		return cmdutil.Usagef("%q is not a phone number: use E.164, e.g. +6561115777", opts.Number)
	}
	l, err := prepare(opts)
	if err != nil {
		return err
	}
	digits := callflow.Digits(opts.Number)
	var info *callflow.NumberInfo
	if callflow.NumberLookupable(digits) {
		info, err = l.Client.Number(cmd.Context(), opts.Account.Subaccount, digits)
	} else {
		info, err = findInList(cmd, l, digits)
	}
	var apiErr *voiceapi.APIError
	if errors.As(err, &apiErr) && apiErr.HTTPStatus == http.StatusNotFound {
		err = nil
	}
	if err != nil {
		return account.Error("check number "+digits, err, opts.Account.APIKey)
	}
	if opts.Output == "json" {
		// Both answers, so a script reads .owned rather than parsing
		// stderr or an empty stdout; the exit code says the same.
		res := checkResult{Number: opts.Number, Owned: info != nil}
		if info != nil {
			res.MSISDN, res.CountryCode, res.ReferenceID = info.MSISDN, info.CountryCode, info.ReferenceID
		}
		if err := account.JSON(opts.IO.Out, res); err != nil {
			return err
		}
	}
	if info == nil {
		return &cmdutil.ExitError{Code: cmdutil.ExitFailed,
			Err:  fmt.Errorf("%s is not one of sub-account %s's virtual numbers", opts.Number, opts.Account.Subaccount),
			Hint: "list them with: ivrctl numbers (8x8 answers an unknown sub-account the same way)"}
	}
	if opts.Output == "json" {
		return nil
	}
	fmt.Fprintf(opts.IO.Out, "%s is a virtual number of %s (country %s, reference %s)\n",
		account.Clean(info.MSISDN), opts.Account.Subaccount, account.Clean(info.CountryCode), account.Clean(info.ReferenceID))
	return nil
}

// findInList looks a number up in the full list; nil when absent.
func findInList(cmd *cobra.Command, l *accountcache.Lister, digits string) (*callflow.NumberInfo, error) {
	ns, err := l.Numbers(cmd.Context(), false)
	if err != nil {
		return nil, err
	}
	for _, n := range ns {
		if callflow.Digits(n.MSISDN) == digits {
			return &callflow.NumberInfo{ReferenceID: n.ReferenceID, MSISDN: n.MSISDN, CountryCode: n.CountryCode}, nil
		}
	}
	return nil, nil
}

// checkResult is `numbers check -o json`: the number as given, whether it
// is one of the sub-account's, and 8x8's record of it when it is.
type checkResult struct {
	Number      string `json:"number"`
	Owned       bool   `json:"owned"`
	MSISDN      string `json:"msisdn,omitempty"`
	CountryCode string `json:"countryCode,omitempty"`
	ReferenceID string `json:"referenceId,omitempty"`
}
