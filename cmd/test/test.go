// Package testcmd implements `ivrctl test`: scenario files describe whole
// calls (who answers, what the caller presses at each prompt, what must be
// heard and how the session ends), and each is played through the 8x8
// emulator against the menu in-process or against any webhook URL, with a
// pass/fail line per scenario, a summary, and JUnit XML for CI.
package testcmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ivrctl/ivrctl/cmd/account"
	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/cmd/webhookopts"
	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/emulator"
	"github.com/ivrctl/ivrctl/pkg/redact"
	"github.com/ivrctl/ivrctl/pkg/scenario"
	"github.com/ivrctl/ivrctl/pkg/webhook"
)

// TestOptions are the flags and inputs of `ivrctl test`.
type TestOptions struct {
	IO       *cmdutil.IOStreams
	ReadFile func(string) ([]byte, error)
	// WriteFile writes the JUnit report; tests may swap it.
	WriteFile func(name string, data []byte) error

	Paths   []string
	Webhook string
	VSS     string
	// Request is the Send Callflow request file placed for scenarios that
	// name neither call.menu nor call.request.
	Request string
	// AuthSecret is sent as the value of the AuthHeader header with every
	// request to Webhook and VSS: serve's --auth-secret and auth-header
	// keys, so one IVRCTL_AUTH_SECRET configures both.
	AuthSecret string
	AuthHeader string
	JUnit      string
	Output     string
	Parallel   int
	Timeout    time.Duration
	Run        string
	// Profiles is --profiles: the sub-account's speech profiles, as
	// emulate and validate take them. Empty: the cached list, if any.
	Profiles string
	// cached finds the list an earlier command cached (nil: none).
	cached func() (codes map[string]bool, subaccount string, ok bool)

	// Menu answers every scenario naming neither call.menu, call.webhook
	// nor call.request, as Request does for a backend of one's own.
	Menu string
	// Cover counts the menu paths the calls played; CoverProfile writes
	// them; CoverMin fails the run below that percentage.
	Cover        bool
	CoverProfile string
	CoverMin     float64
	coverMinSet  bool
	Watch        bool
}

// NewCmdTest builds the command; runF replaces the run function in tests.
func NewCmdTest(f *cmdutil.Factory, runF func(*TestOptions) error) *cobra.Command {
	opts := &TestOptions{IO: f.IO, ReadFile: f.ReadFile, WriteFile: writeFile,
		cached: func() (map[string]bool, string, bool) { return account.CachedProfilesFromConfig(f) }}
	cmd := &cobra.Command{
		Use:   "test [flags] SCENARIO...",
		Short: "Play scenario calls through the 8x8 emulator and check them",
		Long: `Play the calls written in scenario files through ivrctl's 8x8 platform
emulator and check each against its expectations: the prompts heard, in order,
the number connected, the session's final status and last action, and the
number of webhook calls.

SCENARIO is a scenario file (YAML; several scenarios per file as documents
separated by ---) or a directory: every *.yaml and *.yml under it, recursively.
See the README's "Test your IVR in CI" for the format.

Without --webhook, each scenario's menu (call.menu, default the embedded
simple IVR) answers in-process, and scenarios run in parallel, one per CPU.
With --webhook URL, every VCA event is posted to that URL instead: a running
'ivrctl serve', or your own backend. The menu still gives the first prompt,
which 8x8 plays from the Send Callflow request: for a backend of your own,
give the request your application sends as call.request, or once for every
scenario naming neither call.menu nor call.request with --request FILE.
--vss URL (with --webhook) also posts each call's session summary there, as
8x8 does after the call; a summary the backend does not take (no answer, or
not 2xx) fails the scenario.

--menu FILE is the menu of every scenario naming neither call.menu,
call.webhook nor call.request. --cover counts the menu paths the calls played
(every option, other, noInput and connect outcome of every menu), lists those
never played and ends with 'coverage: C of T menu paths (P%)'; --coverprofile
FILE writes them as JSON (ivrctl menu cover merge adds profiles up, ivrctl
menu graph --cover draws them); --cover-min PCT exits 1 below PCT percent.
Coverage is counted from the events the emulator sent, so it works against
--webhook too, given the menu the backend serves (--menu, or call.menu).

A backend that checks 8x8's httpAuthHeader gets --auth-secret as the value of
--auth-header (default Authorization, what 'ivrctl serve --auth-secret'
checks), read like serve's from IVRCTL_AUTH_SECRET or auth-secret: in the
config file; the first of two comma-separated secrets is sent. It goes to
--webhook and --vss only, never to a scenario file's call.webhook. Basic auth:
http://user:pass@host/... in the URLs; serve's token: ?token=... . No output
shows a secret.

Voices: with --profiles (codes, a file as 'ivrctl profiles -o json' prints,
or any; emulate's and validate's value) a voiceProfile the sub-account lacks
is refused as 8x8 refuses it: -1002 for the Send Callflow request, ERROR
-2005 for a webhook's callflow. Without it, the list an earlier 'ivrctl
profiles' cached for IVRCTL_SUBACCOUNT is used; with neither, test says once
that voices were not checked.

A scenario's call may be inbound (call: {direction: inbound, to:
VIRTUAL_NUMBER, from: CALLER}: 8x8's CALL_RECEIVED event, no Send Callflow
request) and may play faults (faults: [duplicate-vca, delay-vss, barge-in,
...], as 'ivrctl emulate --fault' lists them); a passing call prints the
faults it survived under its line.

Prints one line per scenario, in input order, with what was expected and
what was heard for each failure, then 'N passed, N failed'. --junit writes a
JUnit XML report for CI; -o json prints one JSON object per scenario.

Exit codes:
  0  every scenario passed
  1  a scenario failed, or coverage is below --cover-min
  2  bad usage, or a scenario or menu file that cannot be read or is invalid
     (file:line: field: message; nothing is run), or coverage that cannot
     be computed (no menu file, or a backend answering otherwise)`,
		Example: `  $ ivrctl test testdata/scenarios
  $ ivrctl test --junit report.xml testdata/scenarios
  $ ivrctl test --cover-min 100 testdata/scenarios/advanced-ivr
  $ ivrctl serve --port 8080 --menu menu.yaml &
  $ ivrctl test --webhook http://127.0.0.1:8080/webhooks/vca scenarios/
  $ IVRCTL_AUTH_SECRET=... ivrctl test --webhook http://127.0.0.1:8080/webhooks/vca \
      --vss http://127.0.0.1:8080/webhooks/vss scenarios/`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				// cobra's own "requires at least 1 arg(s)" says nothing of what to give.
				return errors.New("no scenarios given: name scenario files or directories of them, " +
					"e.g. ivrctl test scenarios/ or ivrctl test book-table.yaml " +
					"(in a clone of ivrctl's repository: ivrctl test testdata/scenarios)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			// The vss key is shared with `webhooks set --vss`, where it is
			// the public URL registered with 8x8: a test run must never post
			// its summaries there, nor fail because it is set. So --vss
			// counts only when given on the command line.
			if _, src := f.Config.Get("vss"); src != cmdutil.SourceFlag {
				opts.VSS = ""
			}
			if err := cmdutil.CheckOutput(opts.Output); err != nil {
				return err
			}
			if opts.Webhook != "" {
				if err := scenario.CheckWebhookURL(opts.Webhook); err != nil {
					return cmdutil.Usagef("--webhook %w", err)
				}
			}
			if opts.VSS != "" {
				if opts.Webhook == "" {
					return cmdutil.Usagef("--vss needs --webhook: in-process calls have no backend to take their summaries")
				}
				if err := scenario.CheckWebhookURL(opts.VSS); err != nil {
					return cmdutil.Usagef("--vss %w", err)
				}
			}
			if err := opts.checkAuth(); err != nil {
				return err
			}
			if opts.Parallel < 0 {
				return cmdutil.Usagef("--parallel %d: use 1 or more (0: one per CPU)", opts.Parallel)
			}
			if opts.Timeout < 0 {
				return cmdutil.Usagef("--timeout %s: must not be negative", opts.Timeout)
			}
			opts.coverMinSet = cmd.Flags().Changed("cover-min")
			if err := opts.checkCover(); err != nil {
				return err
			}
			if opts.Run != "" {
				if _, err := regexp.Compile(opts.Run); err != nil {
					return cmdutil.Usagef("--run %q: %w", opts.Run, err)
				}
			}
			if runF != nil {
				return runF(opts)
			}
			if opts.Watch {
				return watchRun(cmd.Context(), opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Webhook, "webhook", "", "post every VCA event to `URL` (a running serve or your backend) instead of answering with the menu in-process")
	fl.StringVar(&opts.Request, "request", "", "Send Callflow request `FILE` placed for every scenario naming neither call.menu nor call.request (a backend of your own)")
	fl.StringVar(&opts.VSS, "vss", "", "with --webhook: post each call's session summary to `URL` (command line only); one not taken fails the scenario")
	// A string flag, whose Set never fails: a parse error would quote the
	// secret.
	fl.StringVar(&opts.AuthSecret, webhookopts.KeyAuthSecret, "", "shared `SECRET` sent in --auth-header to --webhook and --vss (as 8x8 sends httpAuthHeader)")
	fl.StringVar(&opts.AuthHeader, webhookopts.KeyAuthHeader, webhook.DefaultAuthHeader, "`NAME` of the header carrying --auth-secret")
	fl.StringVar(&opts.JUnit, "junit", "", "write a JUnit XML report to `FILE`")
	cmdutil.AddOutputFlag(cmd, &opts.Output)
	fl.IntVar(&opts.Parallel, "parallel", 0, "`N` calls in flight at once (default: one per CPU; four per CPU with webhooks)")
	fl.DurationVar(&opts.Timeout, "timeout", 5*time.Second, "time limit of each webhook round trip")
	fl.StringVar(&opts.Run, "run", "", "only the scenarios whose name matches `REGEX`")
	fl.StringVar(&opts.Profiles, account.FlagProfiles, "", account.ProfilesHelp+" (default: the cached list)")
	_ = cmd.MarkFlagFilename(account.FlagProfiles, "json")
	fl.StringVar(&opts.Menu, cmdutil.KeyMenu, "", "menu `FILE` answering every scenario naming neither call.menu, call.webhook nor call.request")
	fl.BoolVar(&opts.Cover, "cover", false, "count the menu paths the calls played and list those never played")
	fl.StringVar(&opts.CoverProfile, "coverprofile", "", "write the coverage profile (JSON) to `FILE` (implies --cover)")
	fl.Float64Var(&opts.CoverMin, "cover-min", 0, "fail (exit 1) when coverage is below `PCT` percent, naming what is missing (implies --cover)")
	_ = cmd.MarkFlagFilename("coverprofile", "json")
	fl.BoolVar(&opts.Watch, "watch", false, "run again each time a scenario, menu or request file changes, until Ctrl-C")
	_ = cmd.MarkFlagFilename("junit", "xml")
	_ = cmd.MarkFlagFilename("request", "json")
	cmdutil.CompleteFileArgs(cmd, "yaml", "yml")
	// URLs, patterns and secrets: nothing to offer, and never the files.
	cmdutil.CompleteFlagValues(cmd, nil, "webhook", "vss", "run", webhookopts.KeyAuthSecret, webhookopts.KeyAuthHeader)
	return cmd
}

func writeFile(name string, data []byte) error { return os.WriteFile(name, data, 0o644) }

// checkAuth checks --auth-secret and --auth-header. Its errors never quote
// the secret.
func (o *TestOptions) checkAuth() error {
	if o.Webhook == "" {
		// In-process calls send nothing: an IVRCTL_AUTH_SECRET meant
		// for serve must not stop them.
		return nil
	}
	return o.sender().Check(map[string]string{"webhook": o.Webhook, "vss": o.VSS})
}

// sender is the credential sent with every request to --webhook and --vss.
func (o *TestOptions) sender() webhookopts.Sender {
	return webhookopts.Sender{Secret: o.AuthSecret, Header: o.AuthHeader}
}

// header is what goes with every request to --webhook and --vss.
func (o *TestOptions) header() http.Header { return o.sender().HTTPHeader() }

func run(ctx context.Context, opts *TestOptions) error {
	// Ctrl-C ends the calls in flight (their webhooks are cut off) and
	// still reports what ran; a second one kills.
	ctx, stop := cmdutil.SignalContext(ctx)
	defer stop()

	// Loading stops at a signal too, even stuck on a hung read.
	scenarios, err := scenario.LoadWith(opts.Paths, scenario.LoadOptions{Context: ctx, ReadFile: opts.ReadFile, Request: opts.Request, Menu: opts.Menu})
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return &cmdutil.ExitError{Code: cmdutil.ExitInterrupted, Err: errors.New("interrupted while loading the scenarios: nothing ran")}
	}
	if err != nil {
		if opts.JUnit != "" {
			// CI reads the report even when nothing ran: say why there.
			var buf bytes.Buffer
			if jerr := scenario.WriteJUnitLoadError(&buf, err); jerr == nil {
				if werr := opts.WriteFile(opts.JUnit, buf.Bytes()); werr != nil {
					err = errors.Join(err, fmt.Errorf("--junit: %w", werr))
				}
			}
		}
		hint := "" // a docs example run outside a clone: say where the samples are
		for _, p := range opts.Paths {
			if hint == "" {
				hint = cmdutil.SampleHint(p)
			}
		}
		return &cmdutil.ExitError{Code: cmdutil.ExitUsage, Err: err, Hint: hint}
	}
	if opts.Run != "" {
		re := regexp.MustCompile(opts.Run) // checked in RunE
		kept := scenarios[:0]
		for _, s := range scenarios {
			if re.MatchString(s.Name) {
				kept = append(kept, s)
			}
		}
		if len(kept) == 0 {
			return cmdutil.Usagef("--run %q matches no scenario name", opts.Run)
		}
		scenarios = kept
	}
	profiles, note, err := opts.voices()
	if err != nil {
		return err
	}
	r := newRenderer(opts)
	runner := &scenario.Runner{
		Webhook: opts.Webhook, VSS: opts.VSS, Header: opts.header(),
		Timeout: opts.Timeout, Parallel: opts.Parallel, Profiles: profiles,
	}
	if note != "" {
		defer fmt.Fprintf(opts.IO.ErrOut, "%s %s\n", opts.IO.ErrPalette().Yellow("note"), note)
	}
	start := time.Now()
	results := runner.Run(ctx, scenarios, r.result)
	total := time.Since(start)
	passed, failed := 0, 0
	for _, res := range results {
		if res.Passed() {
			passed++
		} else {
			failed++
		}
	}
	r.summary(passed, failed)
	if opts.JUnit != "" {
		if err := writeJUnit(opts, results, total); err != nil {
			return err
		}
	}
	coverErr := reportCoverage(opts, results)
	if failed > 0 {
		if err := refused(opts, results); err != nil {
			return err
		}
		if err := unanswered(opts, results); err != nil {
			return err
		}
		if err := defaultStart(opts, results); err != nil {
			return err
		}
		if coverErr != nil {
			return coverErr
		}
		return &cmdutil.SilentError{Code: cmdutil.ExitFailed}
	}
	return coverErr
}

// voices is the speech profiles the emulator checks voiceProfiles
// against: --profiles, else the cached list, else none (and a note to say
// so once).
func (o *TestOptions) voices() ([]callflow.SpeechProfile, string, error) {
	if o.Profiles != "" {
		ps, err := account.ParseProfiles(o.Profiles, o.ReadFile)
		return ps, "", err
	}
	if o.cached != nil {
		if codes, _, ok := o.cached(); ok {
			list := make([]string, 0, len(codes))
			for c := range codes {
				list = append(list, c)
			}
			slices.Sort(list)
			return emulator.ProfilesFromCodes(list), "", nil
		}
	}
	return nil, account.VoicesNotChecked, nil
}

// refused is the error, with a hint, when the webhook turned calls away
// for want of credentials (HTTP 401 or 403): the reports say it per
// scenario; this says what to do once. Nil otherwise.
func refused(opts *TestOptions, results []*scenario.Result) error {
	n, status := 0, 0
	for _, res := range results {
		if tr := res.Transcript; tr != nil && (tr.WebhookStatus == http.StatusUnauthorized || tr.WebhookStatus == http.StatusForbidden) {
			n, status = n+1, tr.WebhookStatus
		}
	}
	if n == 0 {
		return nil
	}
	hint := "give the secret it checks: --auth-secret (or IVRCTL_AUTH_SECRET), in the header --auth-header names (default Authorization); or user:pass@ or ?token= in the --webhook URL"
	if opts.header() != nil {
		hint = fmt.Sprintf("--auth-secret was sent in the %s header: is it the secret the backend checks, and the header it reads (--auth-header)?", http.CanonicalHeaderKey(strings.TrimSpace(opts.AuthHeader)))
	}
	return &cmdutil.ExitError{
		Code: cmdutil.ExitFailed,
		Err:  fmt.Errorf("the webhook answered HTTP %d to %d of %d calls: it wants credentials", status, n, len(results)),
		Hint: hint,
	}
}

// unanswered is the error, with a hint, when --webhook gave calls no
// answer at all: nothing listening (a backend not started yet, the wrong
// port), or no answer within --timeout (a backend that serves one request
// at a time, under --parallel calls). Nil otherwise.
func unanswered(opts *TestOptions, results []*scenario.Result) error {
	if opts.Webhook == "" {
		// Each scenario's call.webhook: the reports name the URL.
		return nil
	}
	refused, timedOut := 0, 0
	for _, res := range results {
		if tr := res.Transcript; tr != nil {
			switch tr.WebhookFailure {
			case emulator.WebhookRefused:
				refused++
			case emulator.WebhookTimedOut:
				timedOut++
			}
		}
	}
	switch {
	case refused > 0:
		return &cmdutil.ExitError{
			Code: cmdutil.ExitFailed,
			Err:  fmt.Errorf("the webhook refused the connection on %d of %d calls: nothing listens at %s", refused, len(results), redact.URL(opts.Webhook)),
			Hint: "is the backend running? Start it before ivrctl test and wait until it listens (see the README's GitHub Actions example)",
		}
	case timedOut > 0:
		parallel := "--parallel (default: four per CPU with --webhook)"
		if opts.Parallel > 0 {
			parallel = fmt.Sprintf("--parallel %d", opts.Parallel)
		}
		return &cmdutil.ExitError{
			Code: cmdutil.ExitFailed,
			Err:  fmt.Errorf("the webhook gave no answer within --timeout %s on %d of %d calls", opts.Timeout, timedOut, len(results)),
			Hint: "a backend that serves one request at a time may not keep up with " + parallel + ": try --parallel 1, or a longer --timeout",
		}
	}
	return nil
}

// defaultStart is the error, with a hint, when scenarios naming neither
// call.menu nor call.request failed on their first prompt against
// --webhook: that prompt was the embedded simple IVR's, which a backend
// of one's own does not know. Nil otherwise.
func defaultStart(opts *TestOptions, results []*scenario.Result) error {
	if opts.Webhook == "" {
		return nil
	}
	n := 0
	for _, res := range results {
		c := res.Scenario.Call
		if c.Menu != "" || c.Request != "" {
			continue
		}
		if slices.ContainsFunc(res.Failures, func(f scenario.Failure) bool { return f.Field == "caller.steps[0].expect" }) {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	return &cmdutil.ExitError{
		Code: cmdutil.ExitFailed,
		Err:  fmt.Errorf("%d of %d scenarios failed on the first prompt, which came from the embedded simple IVR: they name no call.menu or call.request", n, len(results)),
		Hint: `8x8 plays the first prompt from the Send Callflow request, before any webhook: give the request your application sends as call.request (see the README's "A backend of your own")`,
	}
}

func writeJUnit(opts *TestOptions, results []*scenario.Result, total time.Duration) error {
	var buf bytes.Buffer
	if err := scenario.WriteJUnit(&buf, results, total); err != nil {
		return fmt.Errorf("--junit: %w", err)
	}
	if err := opts.WriteFile(opts.JUnit, buf.Bytes()); err != nil {
		// The results were printed; the report is what CI would read.
		return &cmdutil.ExitError{Code: cmdutil.ExitUsage, Err: fmt.Errorf("--junit: %w", err)}
	}
	return nil
}
