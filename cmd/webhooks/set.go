package webhooks

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ivrctl/ivrctl/cmd/account"
	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/cmd/webhookopts"
	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/redact"
)

// generate asks --auth-secret for a fresh random secret.
const generate = "generate"

// setOptions are the inputs of `webhooks set`.
type setOptions struct {
	IO         *cmdutil.IOStreams
	Account    *account.Options
	VCA, VSS   string
	AuthSecret string
	SecretFrom cmdutil.Source // where AuthSecret came from, for the message
	Insecure   bool
	Output     string
}

// setResult is `webhooks set -o json`: 8x8's list after the last
// registration, and the generated secret (only when one was generated).
type setResult struct {
	Webhooks   []callflow.Webhook `json:"webhooks"`
	AuthSecret string             `json:"authSecret,omitempty"`
}

func newCmdSet(f *cmdutil.Factory) *cobra.Command {
	opts := &setOptions{IO: f.IO, Account: account.NewOptions(f)}
	cmd := &cobra.Command{
		Use:   "set [flags] [--vca URL] [--vss URL]",
		Short: "Register the VCA and VSS webhook URLs",
		Long: `Register the sub-account's VCA and/or VSS webhook URL (8x8 keeps one URL per
type). URLs must be https: 8x8's deliveries carry your callers' numbers and
the auth secret; --insecure allows http (a test rig).

--auth-secret registers a secret 8x8 sends with every delivery (its
httpAuthHeader) and ` + "`ivrctl serve`" + ` checks (its --auth-secret,
IVRCTL_AUTH_SECRET). Like serve's, it is read from IVRCTL_AUTH_SECRET or
auth-secret: in the config file, so one setting serves both; prefer those to
the flag, which ps shows.
--auth-secret generate makes a random one and prints it once, as the line
` + "`export IVRCTL_AUTH_SECRET=...`" + ` on stdout: 8x8 never shows it again. Everything
else goes to stderr, so the secret can go straight to a file:

  (umask 077; ivrctl webhooks set ... --auth-secret generate > ivr.env)
  . ./ivr.env; ivrctl serve

Without a secret, anyone who learns the URLs can drive your menu: a warning
says so.

Exit codes: 0 registered, 2 bad usage, a bad URL or a missing setting (nothing
sent), 3 the API key was refused, 4 8x8 could not be reached or failed. If
the VCA registration succeeds and the VSS one fails, the generated secret is
still printed and the exit code is the failure's.`,
		Example: `  $ ivrctl webhooks set --vca https://ivr.example.com/webhooks/vca --vss https://ivr.example.com/webhooks/vss --auth-secret generate > ivr.env
  $ IVRCTL_AUTH_SECRET=... ivrctl webhooks set --vca https://ivr.example.com/webhooks/vca`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Account.FromConfig(f)
			_, opts.SecretFrom = f.Config.Get(webhookopts.KeyAuthSecret)
			return runSet(cmd, opts)
		},
	}
	account.AddFlags(cmd.Flags(), opts.Account)
	fl := cmd.Flags()
	fl.StringVar(&opts.VCA, "vca", "", "`URL` of the VCA webhook (serve's /webhooks/vca)")
	fl.StringVar(&opts.VSS, "vss", "", "`URL` of the VSS webhook (serve's /webhooks/vss)")
	fl.StringVar(&opts.AuthSecret, webhookopts.KeyAuthSecret, "", "`SECRET` 8x8 sends with every delivery, or generate (a random one, printed once)")
	fl.BoolVar(&opts.Insecure, "insecure", false, "allow http:// URLs")
	cmdutil.AddOutputFlag(cmd, &opts.Output)
	cmdutil.CompleteNoArgs(cmd)
	cmdutil.CompleteFlagValues(cmd, nil, "vca", "vss")
	cmdutil.CompleteFlagValues(cmd, []string{"generate"}, webhookopts.KeyAuthSecret)
	return cmd
}

func runSet(cmd *cobra.Command, opts *setOptions) error {
	if err := cmdutil.CheckOutput(opts.Output); err != nil {
		return err
	}
	var regs []callflow.NewWebhook
	for _, w := range []struct{ typ, flag, url string }{{callflow.WebhookVCA, "vca", opts.VCA}, {callflow.WebhookVSS, "vss", opts.VSS}} {
		if w.url == "" {
			continue
		}
		if err := checkURL(w.flag, w.url, opts.Insecure); err != nil {
			return err
		}
		regs = append(regs, callflow.NewWebhook{Type: w.typ, URL: w.url, Enabled: true})
	}
	if len(regs) == 0 {
		return cmdutil.Usagef("nothing to register: give --vca URL, --vss URL, or both")
	}
	secret, generated, err := resolveSecret(opts.AuthSecret)
	if err != nil {
		return err
	}
	if err := opts.Account.Check(); err != nil {
		return err
	}
	c, err := opts.Account.Client()
	if err != nil {
		return err
	}

	errOut := opts.IO.ErrOut
	if secret == "" && !slices.ContainsFunc(regs, func(r callflow.NewWebhook) bool { return redact.URLHasCredential(r.URL) }) {
		fmt.Fprintf(errOut, "%s no --auth-secret: 8x8 will send no secret, so anyone who learns these URLs can drive your menu; use --auth-secret generate (serve then checks it), or serve's --token in the URLs\n",
			opts.IO.ErrPalette().Yellow("warning:"))
	}
	var last *callflow.WebhookList
	var failed error
	for _, r := range regs {
		r.HTTPAuthHeader = secret
		shown := account.Clean(redact.URLMasked(r.URL))
		list, err := c.SetWebhook(cmd.Context(), opts.Account.Subaccount, r)
		if err != nil {
			failed = account.Error(fmt.Sprintf("register the %s webhook %s", r.Type, shown), err, opts.Account.APIKey)
			break
		}
		last = list
		fmt.Fprintf(errOut, "registered %s %s (%s)\n", r.Type, shown, secretNote(secret, generated, opts.SecretFrom, r.URL))
	}
	// The secret never reaches an error: 8x8 could echo the request.
	failed = cmdutil.RedactError(failed, secret)
	if last == nil && failed != nil {
		return failed
	}
	// From here a registration went through: a generated secret must be
	// printed even if a later one failed, or the registered one is lost.
	if err := printResult(opts, last, secret, generated); err != nil {
		return errors.Join(failed, err)
	}
	return failed
}

func printResult(opts *setOptions, last *callflow.WebhookList, secret string, generated bool) error {
	out := opts.IO.Out
	if opts.Output == "json" {
		res := setResult{Webhooks: redactHooks(last.Webhooks)}
		if generated {
			res.AuthSecret = secret
		}
		return account.JSON(out, res)
	}
	if !generated {
		return nil
	}
	// The one place a secret is printed: once, to stdout, as a line a
	// shell can source. It is never logged nor part of an error.
	_, err := fmt.Fprintf(out, "export %s=%s\n", cmdutil.EnvName(webhookopts.KeyAuthSecret), secret)
	fmt.Fprintf(opts.IO.ErrOut, "the generated secret is the export line on stdout, shown only this once: give it to `ivrctl serve` (IVRCTL_AUTH_SECRET, or auth-secret: in the config file)\n")
	return err
}

// checkURL accepts an absolute https URL (http with --insecure).
func checkURL(flag, raw string, insecure bool) error {
	u, err := url.Parse(raw)
	var uerr *url.Error
	if errors.As(err, &uerr) {
		// url.Error quotes the whole URL, credentials and all.
		return cmdutil.Usagef("--%s: not a URL: %v", flag, uerr.Err)
	}
	shown := redact.URLMasked(raw)
	switch {
	case err != nil:
		return cmdutil.Usagef("--%s %q: %v", flag, shown, err)
	case u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return cmdutil.Usagef("--%s %q: want an absolute https:// URL", flag, shown)
	case u.Scheme == "http" && !insecure:
		return &cmdutil.ExitError{Code: cmdutil.ExitUsage,
			Err:  fmt.Errorf("--%s %q: plain http would carry your callers' numbers and the auth secret unencrypted", flag, shown),
			Hint: "use https (a reverse proxy or tunnel in front of ivrctl serve), or --insecure for a test rig"}
	}
	return nil
}

// resolveSecret turns --auth-secret into the value to register.
func resolveSecret(s string) (secret string, generated bool, err error) {
	switch {
	case s == "":
		return "", false, nil
	case s == generate:
		var b [24]byte
		_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
		// Hex: no character a shell, a YAML file or a header would mangle,
		// and no comma (serve splits its secrets on commas).
		return hex.EncodeToString(b[:]), true, nil
	case strings.Contains(s, ","):
		// serve takes "new,old" while rotating; 8x8 stores one.
		return "", false, cmdutil.Usagef("--auth-secret holds two comma-separated secrets (serve's new,old while rotating?): 8x8 stores one: give the new one with --auth-secret")
	case strings.TrimSpace(s) != s || strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }):
		return "", false, cmdutil.Usagef("--auth-secret: no spaces around it and no control characters: it travels in an HTTP header")
	}
	return s, false, nil
}

// secretNote says which secret a registration carries, never the value.
func secretNote(secret string, generated bool, from cmdutil.Source, rawURL string) string {
	switch {
	case secret == "" && redact.URLHasCredential(rawURL):
		return "no auth header; a credential in the URL"
	case secret == "":
		return "no auth header"
	case generated:
		return "auth header: the generated secret"
	case from == cmdutil.SourceEnv:
		return "auth header: the secret in " + cmdutil.EnvName(webhookopts.KeyAuthSecret)
	case from == cmdutil.SourceFile:
		return "auth header: the config file's auth-secret"
	}
	return "auth header: the --auth-secret given"
}
