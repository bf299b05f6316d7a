// Package profiles implements `ivrctl profiles`: the speech profiles
// (voices) of the sub-account, the values voiceProfile may take.
package profiles

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ivrctl/ivrctl/cmd/account"
	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/callflow"
)

// ProfilesOptions are the inputs of `ivrctl profiles`.
type ProfilesOptions struct {
	IO       *cmdutil.IOStreams
	Account  *account.Options
	Language string
	Output   string
}

// NewCmdProfiles builds the command; runF replaces the run function in tests.
func NewCmdProfiles(f *cmdutil.Factory, runF func(*cobra.Command, *ProfilesOptions) error) *cobra.Command {
	opts := &ProfilesOptions{IO: f.IO, Account: account.NewOptions(f)}
	cmd := &cobra.Command{
		Use:   "profiles [flags]",
		Short: "List the sub-account's speech profiles (voices)",
		Long: `List the speech profiles of the sub-account: the values a say or
sayAndCapture may give as voiceProfile. 8x8 refuses any other with -1002.

--language en-US keeps one locale; --language en keeps every English one.
The list is also cached (a day, under the user's cache directory) for the
voiceProfile checks of call and validate --online.

Exit codes: 0 listed (also when nothing matches), 2 bad usage or a missing
setting (nothing sent), 3 the API key was refused, 4 8x8 could not be reached
or failed.`,
		Example: `  $ ivrctl profiles
  $ ivrctl profiles --language en-US
  $ ivrctl profiles -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Account.FromConfig(f)
			if runF != nil {
				return runF(cmd, opts)
			}
			return runProfiles(cmd, opts)
		},
	}
	account.AddFlags(cmd.Flags(), opts.Account)
	cmd.Flags().StringVar(&opts.Language, "language", "", "only this locale (en-US), or language (en)")
	cmdutil.AddOutputFlag(cmd, &opts.Output)
	cmdutil.CompleteNoArgs(cmd)
	cmdutil.CompleteFlagValues(cmd, nil, "language")
	return cmd
}

func runProfiles(cmd *cobra.Command, opts *ProfilesOptions) error {
	if err := cmdutil.CheckOutput(opts.Output); err != nil {
		return err
	}
	if err := opts.Account.Check(); err != nil {
		return err
	}
	l, err := opts.Account.Lister()
	if err != nil {
		return err
	}
	// The command shows what 8x8 says now (and refreshes the cache): only
	// the checks before a call trust a cached list.
	ps, err := l.Profiles(cmd.Context(), false)
	if err != nil {
		return account.Error("list speech profiles", err, opts.Account.APIKey)
	}
	ps = filter(ps, opts.Language)
	slices.SortStableFunc(ps, func(a, b callflow.SpeechProfile) int {
		return cmp.Or(cmp.Compare(a.Locale, b.Locale), cmp.Compare(a.Code, b.Code))
	})
	if opts.Output == "json" {
		if ps == nil {
			ps = []callflow.SpeechProfile{}
		}
		return account.JSON(opts.IO.Out, ps)
	}
	if len(ps) == 0 {
		fmt.Fprintf(opts.IO.ErrOut, "no speech profile of sub-account %s matches --language %s: ivrctl profiles lists them all\n", opts.Account.Subaccount, opts.Language)
		return nil
	}
	rows := make([][]string, len(ps))
	for i, p := range ps {
		rows[i] = []string{p.Code, p.Locale, p.LocaleDescription, p.Gender}
	}
	return account.Table(opts.IO.Out, []string{"PROFILE", "LOCALE", "LANGUAGE", "GENDER"}, rows)
}

// filter keeps the profiles of a locale (en-US) or of a language (en),
// ignoring case.
func filter(ps []callflow.SpeechProfile, lang string) []callflow.SpeechProfile {
	if lang == "" {
		return ps
	}
	var out []callflow.SpeechProfile
	for _, p := range ps {
		loc := strings.ToLower(p.Locale)
		want := strings.ToLower(lang)
		if loc == want || strings.HasPrefix(loc, want+"-") {
			out = append(out, p)
		}
	}
	return out
}
