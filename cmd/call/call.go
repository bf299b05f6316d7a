// Package call implements `ivrctl call`: place outbound IVR calls with 8x8's
// Send Callflow API, one number or a batch, with a retry policy that never
// rings anyone twice (see pkg/voiceapi).
package call

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/calls"
	"github.com/ivrctl/ivrctl/pkg/menu"
	"github.com/ivrctl/ivrctl/pkg/redact"
	"github.com/ivrctl/ivrctl/pkg/voiceapi"
	"github.com/ivrctl/ivrctl/pkg/webhook"
)

// Defaults of the load flags.
const (
	DefaultRate        = 5.0
	DefaultConcurrency = 4
	DefaultTimeout     = 30 * time.Second
)

// call's settings that are worth a config file key or a variable, listed
// by `config view` (every other flag binds too, unlisted). timeout is also
// `ivrctl test`'s: one key, so config view says what both will read.
// CallOptions are the flags and inputs of `ivrctl call`.
type CallOptions struct {
	IO         *cmdutil.IOStreams
	HTTPClient func() *http.Client
	ReadFile   func(string) ([]byte, error)
	LoadEngine func(path string, numbers menu.Numbers) (*menu.Engine, error)
	Version    string

	// Settings are the account, caller ID, menu and retries that
	// `campaign` shares (settings.go).
	Settings

	To              []string
	ToFile          string
	ClientRequestID string
	ValidUntil      string
	DryRun          bool
	Output          string
	Rate            float64
	Concurrency     int
	Timeout         time.Duration
	CacheDir        func() (string, error)

	// --wait and its listener's settings (wait.go).
	WaitOptions

	// Test seams: the clock and the wait between retries (nil: a real
	// timer).
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// NewCmdCall builds the command; runF replaces the run function in tests.
func NewCmdCall(f *cmdutil.Factory, runF func(context.Context, *CallOptions) error) *cobra.Command {
	opts := &CallOptions{
		IO: f.IO, HTTPClient: f.HTTPClient, ReadFile: f.ReadFile, LoadEngine: f.LoadEngine,
		Version: f.Version, Now: time.Now, CacheDir: f.CacheDir,
	}
	cmd := &cobra.Command{
		Use:   "call [flags] --to NUMBER [--to NUMBER...] [--to-file FILE]",
		Short: "Place IVR calls with 8x8's Send Callflow API",
		Long: `Place outbound IVR calls: each number is called from your virtual number
(--from) and hears the start menu's prompt; the menu's answers then come from
` + "`ivrctl serve`" + ` through 8x8's VCA webhook.

The request is validated before it is sent. The API key is read from
IVRCTL_API_KEY or api-key: in the config file (there is no flag, so it stays
out of ps and the shell history); it is only ever shown masked.

Retries never ring anyone twice: a 429 is retried after its Retry-After and a
connection that failed before sending is retried, up to --retries. A timeout,
a connection lost after sending, or a 5xx may hide a call 8x8 accepted: they
are not retried, and the message says what to look for in the session summary
(VSS) before calling again: the clientRequestId, with --client-request-id ID or
auto, or else the number and time.

Several --to, or --to-file (one number a line, or a CSV's first column; blank
lines and # comments skipped) place a batch at --rate calls per second with
--concurrency requests in flight. Ctrl-C stops placing calls, waits for those
in flight and prints the summary (Ctrl-C again abandons them).

Before sending, voiceProfile is checked against the sub-account's speech
profiles (cached for a day; --no-profile-check skips it): an unknown one is
refused as 8x8 would (-1002), nothing sent. --from not among the sub-account's
virtual numbers gets a warning. If the lists cannot be fetched, the call goes
ahead with a warning. --dry-run sends nothing, so checks nothing.

With --wait (one number), ivrctl also answers the call's webhooks: it listens
on --listen (default 127.0.0.1:8080, as serve) before sending, answers the
call's VCA events with the same menu, --from and --agent, and serve's settings
(--auth-secret, --token, --basic-auth, --allow-ip, --trust-proxy, --sessions,
--record), prints each event as it comes, and exits when the session summary
(VSS) arrives, recording it in the sessions file. 8x8 must reach the listener:
register the webhooks (a tunnel's public URL) with /webhooks/vca and
/webhooks/vss. Other sessions' events are answered too, but neither shown nor
counted. --timeout then bounds the wait after the call is created (default
5m; the request itself keeps its 30s). -o json writes one JSON object a
line: "call", then "vca", "vcs" or "rejected" events, then always an
"outcome". With --dry-run it only checks.

Exit codes: 0 all created (with --wait: COMPLETED), 1 --wait could not
listen, 2 bad usage or configuration (nothing sent), 3 refused by 8x8
(NOT_CREATED, 401/403), 4 transport or other HTTP failure (with --wait: or no
session summary in time), 5 --wait: BUSY, NO_ANSWER, FAILED or CANCELED,
6 --wait: ERROR, 130 interrupted before every number was placed (with
--wait: stopped waiting). A batch exits with its worst failure.`,
		Example: `  $ export IVRCTL_API_KEY=... IVRCTL_SUBACCOUNT=acme_voice IVRCTL_FROM=6561115777
  $ ivrctl call --to 6512345678 --dry-run
  $ ivrctl call --to 6512345678
  $ ivrctl call --to-file customers.csv --rate 2 -o json > results.jsonl
  $ IVRCTL_AUTH_SECRET=... ivrctl call --to 6512345678 --wait --listen 127.0.0.1:8080`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.LoadAPIKey(f.Config)
			// cmdutil.Bind fills every flag from env and file: a stale
			// IVRCTL_TO or a `to:` in the config file must not ring anyone.
			for _, name := range []string{"to", "to-file"} {
				switch _, src := f.Config.Get(name); src {
				case cmdutil.SourceEnv:
					return cmdutil.Usagef("--%s was set from the environment (%s): give the numbers to call on the command line", name, cmdutil.EnvName(name))
				case cmdutil.SourceFile:
					return cmdutil.Usagef("--%s was set from the config file (%s: in %s): give the numbers to call on the command line", name, name, f.Config.File)
				}
			}
			// The command's context ends the run: no new call starts.
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return RunCall(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVar(&opts.To, "to", nil, "number to call, E.164 (repeat or comma-separate for a batch)")
	fl.StringVar(&opts.ToFile, "to-file", "", "file of numbers to call: one a line or a CSV's first column (- for stdin)")
	opts.Settings.AddFlags(cmd)
	fl.StringVar(&opts.ClientRequestID, "client-request-id", "", "clientRequestId to tag the call with, echoed in its session summary; auto: a random UUID (a batch appends -1, -2, ...)")
	fl.StringVar(&opts.ValidUntil, "valid-until", "", "drop the call if not started by then: RFC3339 time or a duration like 5m")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "print the requests (API key masked) and send nothing")
	cmdutil.AddOutputFlag(cmd, &opts.Output)
	fl.Float64Var(&opts.Rate, "rate", DefaultRate, "calls started per second in a batch (0: no limit)")
	fl.IntVar(&opts.Concurrency, "concurrency", DefaultConcurrency, "requests in flight at once")
	// One flag, two waits: "how long ivrctl waits for 8x8's answer", which
	// is the request's reply (30s) or, with --wait, the call's outcome (5m),
	// as the issue that added --wait names it. Zero picks the mode's default.
	fl.DurationVar(&opts.Timeout, "timeout", 0, "how long to wait for 8x8: each request's answer (default 30s), or with --wait the call's session summary (default 5m)")
	_ = cmd.MarkFlagFilename("to-file", "txt", "csv")
	cmdutil.CompleteNoArgs(cmd)
	cmdutil.CompleteFlagValues(cmd, nil, "to", "valid-until")
	cmdutil.CompleteFlagValues(cmd, []string{"auto"}, "client-request-id")
	addWaitFlags(cmd, &opts.WaitOptions)
	return cmd
}

// RunCall places the calls.
func RunCall(ctx context.Context, opts *CallOptions) error {
	err := runCall(ctx, opts)
	if err == nil {
		return nil
	}
	// Whatever went wrong, the key leaves only masked.
	return cmdutil.RedactError(err, opts.APIKey)
}

func runCall(ctx context.Context, opts *CallOptions) error {
	plan, err := prepare(opts)
	if err != nil {
		return err
	}
	out := redact.Writer(opts.IO.Out, opts.APIKey)
	errOut := redact.Writer(opts.IO.ErrOut, opts.APIKey)
	for _, w := range plan.warnings {
		fmt.Fprintf(errOut, "%s %s\n", opts.IO.ErrPalette().Yellow("warning:"), w)
	}
	var waitCfg webhook.Config
	if opts.Wait {
		if waitCfg, err = prepareWait(opts, plan); err != nil {
			return err
		}
	}
	if opts.DryRun {
		if err := dryRun(opts, plan, out, errOut); err != nil || !opts.Wait {
			return err
		}
		fmt.Fprintf(errOut, "--wait: nothing sent, so nothing to wait for; the webhooks would be received on http://%s\n", opts.Listen)
		return nil
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if !opts.Wait { // --wait checks once it listens: a busy port is found first
		if err := checkAccount(ctx, opts, plan, errOut); err != nil {
			return err
		}
	}

	// The first Ctrl-C stops placing calls, the second abandons those
	// in flight.
	stopCtx, stop, abortCtx, release := cmdutil.StopContexts(ctx)
	defer release()

	plan.client.Sleep = StoppableSleep(stopCtx, opts.Sleep)
	if plan.single {
		// A Retry-After can be up to 30 s of silence: say why. (A batch
		// has its progress bar and would print one line per retry.)
		plan.client.OnRetry = func(r voiceapi.Retry) {
			fmt.Fprintf(errOut, "%v: retrying in %s (attempt %d of %d)\n", r.Err, r.Wait, r.Attempt+1, opts.Retries+1)
		}
	}
	if opts.Wait {
		return runWait(opts, plan, waitCfg, stopCtx, abortCtx, out, errOut)
	}
	r := &calls.Runner{Client: plan.client, Subaccount: opts.Subaccount, Rate: opts.Rate, Concurrency: opts.Concurrency}
	jobs := make([]calls.Job, len(plan.jobs))
	for i, j := range plan.jobs {
		jobs[i] = calls.Job{Number: j.number, Body: j.body}
	}
	outcomes := r.Start(stopCtx, abortCtx, jobs)
	if plan.single {
		return renderSingle(opts, plan, <-outcomes, out)
	}
	return renderBatch(opts, plan, outcomes, stopCtx, stop, out, errOut)
}

// StoppableSleep waits d, or less when calls are being stopped: a call
// waiting to be retried was not placed, so it can be dropped. The returned
// function is called by every worker at once: it shares nothing mutable.
func StoppableSleep(stopCtx context.Context, inner func(context.Context, time.Duration) error) func(context.Context, time.Duration) error {
	if inner == nil {
		inner = voiceapi.Sleep
	}
	return func(ctx context.Context, d time.Duration) error {
		ctx, cancel := context.WithCancelCause(ctx)
		defer cancel(nil)
		// No goroutine per wait: the cancel runs only if stopCtx ends.
		unhook := context.AfterFunc(stopCtx, func() { cancel(context.Cause(stopCtx)) })
		defer unhook()
		if err := ctx.Err(); err != nil {
			return err
		}
		return inner(ctx, d)
	}
}

// job is one number to call, with its request encoded once.
type job struct {
	number string
	where  string // where the number came from: "--to" or "file:line"
	crid   string // clientRequestId
	body   []byte
}

// plan is everything decided before the first request.
type plan struct {
	client   *voiceapi.Client
	engine   *menu.Engine // the menu the call starts, and --wait answers
	jobs     []job
	single   bool // one --to and no --to-file: output is the one call's
	warnings []string
	baseCRID string
}

// prepare checks the configuration and input and builds every request. All
// errors here are ExitUsage: nothing has been sent.
func prepare(opts *CallOptions) (*plan, error) {
	if err := cmdutil.CheckOutput(opts.Output); err != nil {
		return nil, err
	}
	if err := opts.Settings.Check(); err != nil {
		return nil, err
	}
	switch {
	case math.IsNaN(opts.Rate) || opts.Rate < 0:
		return nil, cmdutil.Usagef("--rate %v: must be 0 (no limit) or more", opts.Rate)
	case opts.Concurrency < 1:
		return nil, cmdutil.Usagef("--concurrency %d: must be 1 or more", opts.Concurrency)
	case opts.Timeout < 0:
		return nil, cmdutil.Usagef("--timeout %s: must be more than 0", opts.Timeout)
	}

	targets, warnings, err := collectNumbers(opts)
	if err != nil {
		return nil, err
	}
	p := &plan{warnings: warnings, single: len(opts.To) == 1 && opts.ToFile == ""}

	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	validUntil := ""
	if opts.ValidUntil != "" {
		if validUntil, err = parseValidUntil(opts.ValidUntil, now()); err != nil {
			return nil, err
		}
	}
	// clientRequestId is opt-in: 8x8's spec does not list it (only the
	// IVR session-summary page does), and the seed's request, the contract
	// of the default body, has none. With it, a call whose answer was lost
	// can be found in the session summaries; without it, by its number.
	p.baseCRID = opts.ClientRequestID
	switch p.baseCRID {
	case "":
	case "auto":
		p.baseCRID = voiceapi.NewRequestID()
	default:
		if err := checkRequestID(p.baseCRID); err != nil {
			return nil, err
		}
	}

	engine, err := opts.Settings.LoadEngine(opts.LoadEngine)
	if err != nil {
		return nil, err
	}
	initial := engine.Initial()
	p.engine = engine

	client, err := opts.Settings.NewClient(opts.HTTPClient(), opts.Version, opts.Concurrency, opts.requestTimeout())
	if err != nil {
		return nil, err
	}
	if opts.Now != nil {
		client.Now = opts.Now
	}
	p.client = client

	p.jobs = make([]job, len(targets))
	for i, t := range targets {
		crid := p.baseCRID
		if !p.single && crid != "" {
			crid = p.baseCRID + "-" + strconv.Itoa(i+1)
		}
		body, err := opts.Settings.Request(t.number, initial, validUntil, crid)
		if err != nil {
			return nil, err
		}
		p.jobs[i] = job{number: t.number, where: t.where, crid: crid, body: body}
	}
	return p, nil
}

// parseValidUntil reads an RFC3339 time or a duration from now, and renders
// it as 8x8 wants it: UTC with milliseconds.
func parseValidUntil(s string, now time.Time) (string, error) {
	var t time.Time
	if d, err := time.ParseDuration(s); err == nil {
		t = now.Add(d)
	} else if t, err = time.Parse(time.RFC3339Nano, s); err != nil {
		return "", cmdutil.Usagef("--valid-until %q: want an RFC3339 time (2026-07-03T05:59:32Z) or a duration (5m)", s)
	}
	if !t.After(now) {
		return "", cmdutil.Usagef("--valid-until %s is in the past: 8x8 would refuse the call (-1015)", s)
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z"), nil
}

// checkRequestID keeps clientRequestId to printable ASCII without spaces,
// so it can be searched for in logs and VSS payloads as is.
func checkRequestID(id string) error {
	if len(id) > 100 {
		return cmdutil.Usagef("--client-request-id: at most 100 characters")
	}
	for _, r := range id {
		if r <= ' ' || r > '~' {
			return cmdutil.Usagef("--client-request-id %q: use printable ASCII without spaces", id)
		}
	}
	return nil
}

// requestTimeout bounds one Send Callflow attempt: --timeout, unless
// --timeout is the wait for the call's outcome.
func (o *CallOptions) requestTimeout() time.Duration {
	if o.Timeout > 0 && !o.Wait {
		return o.Timeout
	}
	return DefaultTimeout
}
