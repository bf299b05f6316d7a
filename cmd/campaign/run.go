package campaign

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/ivrctl/ivrctl/cmd/call"
	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/cmd/webhookopts"
	"github.com/ivrctl/ivrctl/pkg/calls"
	"github.com/ivrctl/ivrctl/pkg/campaign"
	"github.com/ivrctl/ivrctl/pkg/inputfile"
	"github.com/ivrctl/ivrctl/pkg/menu"
	"github.com/ivrctl/ivrctl/pkg/sessions"
	"github.com/ivrctl/ivrctl/pkg/voiceapi"
	"github.com/ivrctl/ivrctl/pkg/webhook"
)

// maxWarnings bounds the list's warnings printed; the rest are counted.
const maxWarnings = 20

// Defaults of run's flags.
const (
	DefaultRate       = call.DefaultRate
	DefaultRetryAfter = 30 * time.Minute
	DefaultRetryOn    = "busy,no-answer"
	DefaultPoll       = time.Second
)

// RunOptions are the flags and inputs of `ivrctl campaign run`.
type RunOptions struct {
	IO         *cmdutil.IOStreams
	HTTPClient func() *http.Client
	ReadFile   func(string) ([]byte, error)
	LoadEngine func(path string, numbers menu.Numbers) (*menu.Engine, error)
	CacheDir   func() (string, error)
	Version    string

	// call's settings: account, --from, --agent, --menu, --retries.
	call.Settings

	Numbers        string
	Journal        string
	Attempts       int
	RetryAfter     time.Duration
	RetryOn        string
	Window         string
	TZ             string
	Rate           float64
	Concurrency    int
	Timeout        time.Duration
	OutcomeTimeout time.Duration
	Drain          time.Duration
	RecallUnknown  bool
	Output         string
	Poll           time.Duration

	// Listen is where the calls' webhooks are answered; "" reads the
	// outcomes from --sessions instead (serve replicas receive them).
	Listen  string
	Webhook webhookopts.Options

	sessionsSet bool
}

// NewCmdRun builds `ivrctl campaign run`.
func NewCmdRun(f *cmdutil.Factory, runF func(context.Context, *RunOptions) error) *cobra.Command {
	opts := &RunOptions{IO: f.IO, HTTPClient: f.HTTPClient, ReadFile: f.ReadFile, LoadEngine: f.LoadEngine,
		CacheDir: f.CacheDir, Version: f.Version}
	cmd := &cobra.Command{
		Use:   "run NUMBERS --journal FILE [flags]",
		Short: "Call every number of a list and follow each call to its outcome",
		Long: `Call every number of NUMBERS (one a line, or a CSV whose first column is the
number; the other columns are kept for the report; - reads stdin) with the
menu, at --rate calls a second with at most --concurrency calls in progress,
and record every attempt in the journal: its clientRequestId, sessionId, the
menu path the caller took (menu and digits) and the session summary's status.

Outcomes come from the calls' webhooks: with --listen ADDR:PORT, ivrctl
answers them itself, as call --wait does (the same menu, and serve's
--auth-secret, --token, --basic-auth, --allow-ip, --trust-proxy, --record;
summaries are also stored in --sessions). Without --listen, --sessions names
the store ` + "`ivrctl serve`" + ` replicas record to, a FILE or a postgres:// URL, which is
read every --poll (the menu path is then not known: only serve sees the VCA
events).

Outcomes listed in --retry-on (busy, no-answer, failed, canceled, error) are
called again --retry-after later, up to --attempts calls per number.
--window HH:MM-HH:MM places calls only inside that daily window, in --tz
(default: the machine's local time), waiting otherwise.

The journal is the truth: each attempt is written and synced before its
request is sent. Run the same command again to resume: the journal must
have been made for the same list and menu. A call whose request may have
reached 8x8 but whose outcome never came is not placed again: it is
reported unknown with its clientRequestId (and sessionId, when known) to
look for in 8x8's session summaries; --recall-unknown calls those numbers
once more.

Ctrl-C stops placing calls and waits up to --drain for the outcomes of the
calls in progress (Ctrl-C again: at once); the journal resumes. A refused
API key or an unknown sub-account stops the campaign at once.

Exit codes: 0 every number has its outcome (busy and unknown included),
2 bad usage or input, 3 8x8 refused the key or the sub-account, 4 8x8
could not be reached, 1 the journal or the listener failed, 130 stopped
before the end (resume with the same command).`,
		Example: `  $ ivrctl campaign run customers.csv --journal callback.journal --listen 127.0.0.1:8080
  $ ivrctl campaign run customers.csv --journal callback.journal --listen 127.0.0.1:8080 --attempts 3 --retry-after 30m --window 09:00-18:00 --tz Europe/Paris   # not run: waits for the window
  $ ivrctl campaign run customers.csv --journal callback.journal --sessions /var/lib/ivrctl/sessions.jsonl   # not run: serve replicas on your hosts
  $ ivrctl campaign run customers.csv --journal callback.journal --sessions postgres://ivrctl@db.internal/ivrctl   # not run: serve replicas on PostgreSQL
  $ ivrctl campaign report --journal callback.journal`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Numbers = args[0]
			opts.LoadAPIKey(f.Config)
			opts.sessionsSet = cmd.Flags().Changed(webhookopts.KeySessions)
			if _, src := f.Config.Get(webhookopts.KeySessions); src == cmdutil.SourceEnv || src == cmdutil.SourceFile {
				opts.sessionsSet = true
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	opts.Settings.AddFlags(cmd)
	fl.StringVar(&opts.Journal, "journal", "", "the campaign's journal `FILE`: made on the first run, resumed by the next")
	fl.IntVar(&opts.Attempts, "attempts", 1, "calls per number at most, retries included")
	fl.DurationVar(&opts.RetryAfter, "retry-after", DefaultRetryAfter, "wait after an outcome in --retry-on before calling again")
	fl.StringVar(&opts.RetryOn, "retry-on", DefaultRetryOn, "outcomes called again: busy, no-answer, failed, canceled, error (comma-separated)")
	fl.StringVar(&opts.Window, "window", "", "place calls only from HH:MM to HH:MM each day (in --tz), e.g. 09:00-18:00")
	fl.StringVar(&opts.TZ, "tz", "", "time zone of --window, e.g. Europe/Paris (default: the machine's local time)")
	fl.Float64Var(&opts.Rate, "rate", DefaultRate, "calls started per second at most (0: no limit; 8x8 allows 1800/s per sub-account)")
	fl.IntVar(&opts.Concurrency, "concurrency", campaign.DefaultConcurrency, "calls in progress at once, from their request to their outcome")
	fl.DurationVar(&opts.Timeout, "timeout", call.DefaultTimeout, "each Send Callflow request's wait for 8x8's answer")
	fl.DurationVar(&opts.OutcomeTimeout, "outcome-timeout", campaign.DefaultOutcomeTimeout, "wait for a created call's session summary before calling its outcome unknown")
	fl.DurationVar(&opts.Drain, "drain", campaign.DefaultDrain, "after Ctrl-C, wait this long for the outcomes of calls in progress")
	fl.BoolVar(&opts.RecallUnknown, "recall-unknown", false, "call the numbers whose outcome is unknown once more (check 8x8's session summaries first)")
	cmdutil.AddOutputFlag(cmd, &opts.Output)
	fl.StringVar(&opts.Listen, "listen", "", "answer the calls' webhooks on `ADDR:PORT` (127.0.0.1:0: a free port)")
	fl.DurationVar(&opts.Poll, "poll", DefaultPoll, "without --listen: how often --sessions is read")
	opts.Webhook.AddFlags(cmd)
	_ = cmd.MarkFlagRequired("journal")
	_ = cmd.MarkFlagFilename("journal", "journal", "jsonl")
	cmdutil.CompleteFlagValues(cmd, []string{"busy", "no-answer", "failed", "canceled", "error"}, "retry-on")
	cmdutil.CompleteFlagValues(cmd, nil, "listen", "window", "tz")
	return cmd
}

// Run runs the campaign; ctx's end is Ctrl-C's.
func Run(ctx context.Context, opts *RunOptions) error {
	err := run(ctx, opts)
	// Whatever went wrong, the key leaves only masked.
	return cmdutil.RedactError(err, opts.APIKey)
}

// setup is everything decided before the first request.
type setup struct {
	list     *campaign.List
	engine   *menu.Engine
	menuHash string
	retryOn  map[campaign.Status]bool
	window   campaign.Window
	client   *voiceapi.Client
	body     []byte // one request, for the account check
	webhook  webhook.Config
}

func prepare(opts *RunOptions) (*setup, error) {
	if err := cmdutil.CheckOutput(opts.Output); err != nil {
		return nil, err
	}
	if err := opts.Settings.Check(); err != nil {
		return nil, err
	}
	switch {
	case opts.Journal == "":
		return nil, cmdutil.Usagef("--journal FILE is required: the campaign's record, resumed by the next run")
	case opts.Attempts < 1:
		return nil, cmdutil.Usagef("--attempts %d: must be 1 or more", opts.Attempts)
	case opts.RetryAfter < 0:
		return nil, cmdutil.Usagef("--retry-after %s: must be 0 or more", opts.RetryAfter)
	case math.IsNaN(opts.Rate) || opts.Rate < 0:
		return nil, cmdutil.Usagef("--rate %v: must be 0 (no limit) or more", opts.Rate)
	case opts.Concurrency < 1:
		return nil, cmdutil.Usagef("--concurrency %d: must be 1 or more", opts.Concurrency)
	case opts.Timeout <= 0:
		return nil, cmdutil.Usagef("--timeout %s: must be more than 0", opts.Timeout)
	case opts.OutcomeTimeout <= 0:
		return nil, cmdutil.Usagef("--outcome-timeout %s: must be more than 0", opts.OutcomeTimeout)
	case opts.Drain < 0:
		return nil, cmdutil.Usagef("--drain %s: must be 0 or more", opts.Drain)
	case opts.Poll <= 0:
		return nil, cmdutil.Usagef("--poll %s: must be more than 0", opts.Poll)
	}
	s := &setup{}
	var err error
	if s.retryOn, err = campaign.ParseRetryOn(opts.RetryOn); err != nil {
		return nil, cmdutil.Usagef("%w", err)
	}
	loc := time.Local
	if opts.TZ != "" {
		if loc, err = time.LoadLocation(opts.TZ); err != nil {
			return nil, cmdutil.Usagef("--tz %q: not a time zone name (e.g. Europe/Paris, America/New_York, UTC)", opts.TZ)
		}
	}
	if s.window, err = campaign.ParseWindow(opts.Window, loc); err != nil {
		return nil, cmdutil.Usagef("%w", err)
	}

	// Where outcomes come from.
	if opts.Listen != "" {
		if _, port, err := net.SplitHostPort(opts.Listen); err != nil || port == "" {
			return nil, cmdutil.Usagef("--listen %q: want ADDR:PORT, e.g. 127.0.0.1:8080, or :0 for a free port", opts.Listen)
		}
	} else if !opts.sessionsSet {
		return nil, &cmdutil.ExitError{Code: cmdutil.ExitUsage,
			Err:  errors.New("no way to hear the calls' outcomes: give --listen ADDR:PORT to answer their webhooks, or --sessions FILE|URL where ivrctl serve records them"),
			Hint: "8x8 posts the webhooks to the URLs registered with: ivrctl webhooks set"}
	}
	if s.webhook, err = opts.Webhook.Config(); err != nil {
		return nil, err
	}

	data, name, err := readInput(opts)
	if err != nil {
		return nil, err
	}
	if s.list, err = campaign.ParseList(name, bytes.NewReader(data)); err != nil {
		return nil, cmdutil.Usagef("%w", err)
	}
	if len(s.list.Entries) == 0 {
		return nil, cmdutil.Usagef("%s: no phone number in it", name)
	}

	menuData := menu.DefaultYAML()
	if opts.Menu != "" {
		if menuData, err = opts.ReadFile(opts.Menu); err != nil {
			return nil, cmdutil.Usagef("menu: %w", err)
		}
	}
	s.menuHash = campaign.HashBytes(menuData)
	if s.engine, err = opts.Settings.LoadEngine(opts.LoadEngine); err != nil {
		return nil, err
	}
	s.webhook.Engine = s.engine
	// Every request is checked as 8x8 would before the first is sent:
	// they differ only in the number and the clientRequestId.
	if s.body, err = opts.Settings.Request(s.list.Entries[0].Number, s.engine.Initial(), "", campaign.CRID("c00000000", len(s.list.Entries), 99)); err != nil {
		return nil, err
	}
	if s.client, err = opts.Settings.NewClient(opts.HTTPClient(), opts.Version, opts.Concurrency, opts.Timeout); err != nil {
		return nil, err
	}
	return s, nil
}

func readInput(opts *RunOptions) ([]byte, string, error) {
	if opts.Numbers == "-" {
		data, err := inputfile.ReadAll(opts.IO.In, "stdin", inputfile.MaxList)
		if err != nil {
			return nil, "stdin", cmdutil.Usagef("NUMBERS -: %w", err)
		}
		return data, "stdin", nil
	}
	data, err := inputfile.Read(opts.Numbers, inputfile.MaxList)
	if err != nil {
		return nil, opts.Numbers, cmdutil.Usagef("NUMBERS: %w", err)
	}
	return data, opts.Numbers, nil
}

func run(ctx context.Context, opts *RunOptions) error {
	s, err := prepare(opts)
	if err != nil {
		return err
	}
	v := newView(opts)
	defer v.close()
	// A list of mistakes is not worth a screen of warnings: the report
	// lists every bad line.
	shown := 0
	for _, b := range s.list.Bad {
		if shown++; shown <= maxWarnings {
			v.warn("%s:%d: %q %s: skipped", s.list.Name, b.Line, cmdutil.TerminalSafe(b.Text, false), b.Error)
		}
	}
	for _, d := range s.list.Duplicates {
		if shown++; shown <= maxWarnings {
			v.warn("%s:%d: %s %s", s.list.Name, d.Line, cmdutil.TerminalSafe(d.Text, false), d.Error)
		}
	}
	if shown > maxWarnings {
		v.warn("... and %d more lines skipped or listed twice (campaign report lists the bad ones)", shown-maxWarnings)
	}

	clock := campaign.RealClock{}
	h := campaign.Header{List: s.list.Name, Menu: menuName(opts.Menu), MenuHash: s.menuHash,
		Outcomes: campaign.OutcomeLabels(s.engine.Menu())}
	j, st, created, err := campaign.OpenOrCreate(opts.Journal, s.list, h, clock.Now())
	if err != nil {
		var mm *campaign.MismatchError
		var fe *campaign.ForeignError
		if errors.As(err, &mm) || errors.As(err, &fe) {
			return cmdutil.Usagef("%w", err)
		}
		return cmdutil.WithHint(err, cmdutil.ExitFailed, "check --journal")
	}
	defer j.Close()
	if created {
		v.note("journal %s made: campaign %s, %d numbers", opts.Journal, j.Header().Campaign, len(st.Numbers))
	} else {
		v.note("journal %s resumed: campaign %s", opts.Journal, j.Header().Campaign)
		if st.Skipped > 0 {
			v.warn("journal %s: %d line(s) that are no record skipped (a torn last line after a crash)", opts.Journal, st.Skipped)
		}
	}

	// Ctrl-C stops placing; a second one abandons the wait.
	stopCtx, _, abortCtx, release := cmdutil.StopContexts(ctx)
	defer release()

	s.client.Sleep = call.StoppableSleep(stopCtx, nil)
	placer := &campaign.VoicePlacer{Client: s.client, Subaccount: opts.Subaccount,
		Body: func(number, crid string) ([]byte, error) {
			return opts.Settings.Request(number, s.engine.Initial(), "", crid)
		}}
	eng, err := campaign.New(campaign.Config{Journal: j, State: st, Placer: placer,
		Attempts: opts.Attempts, RetryAfter: opts.RetryAfter, RetryOn: s.retryOn, Window: s.window,
		Rate: opts.Rate, Concurrency: opts.Concurrency, OutcomeTimeout: opts.OutcomeTimeout, Drain: opts.Drain,
		RecallUnknown: opts.RecallUnknown, Clock: clock, OnEvent: v.event})
	if err != nil {
		return err
	}

	// Outcomes: the listener first (8x8 may post a call's first VCA
	// before its Send Callflow answer arrives), then the summaries that
	// came while no campaign ran.
	var stored []campaign.Update
	var stopSource func()
	if opts.Listen != "" {
		if stored, err = readStored(s.webhook.SessionsPath); err != nil {
			eng.Close()
			return cmdutil.WithHint(err, cmdutil.ExitFailed, "check --sessions")
		}
		stopSource, err = listen(opts, s, eng, v)
	} else {
		stored, stopSource, err = follow(opts, eng, v)
	}
	if err != nil {
		eng.Close()
		return err
	}
	eng.Preload(stored)

	if err := call.CheckAccount(stopCtx, &call.CallOptions{IO: opts.IO, HTTPClient: opts.HTTPClient,
		Version: opts.Version, CacheDir: opts.CacheDir, Settings: opts.Settings, Timeout: opts.Timeout},
		s.body, s.engine, v.errOut); err != nil {
		eng.Close()
		stopSource()
		return err
	}

	stats, runErr := eng.Run(stopCtx, abortCtx)
	stopSource()
	v.summary(stats)
	return exitError(runErr, stats, stopCtx.Err() != nil, opts.Journal)
}

func menuName(path string) string {
	if path == "" {
		return menu.DefaultFile
	}
	return path
}

// readStored reads the summaries already in the listener's session store
// (a file or PostgreSQL), without locking it.
func readStored(location string) ([]campaign.Update, error) {
	if !sessions.IsURL(location) {
		if _, err := os.Stat(location); errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
	}
	r, err := sessions.OpenReader(context.Background(), location)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return (&campaign.StoreSource{Store: r}).Read()
}

// listen starts the webhook server, answering with the menu and feeding
// the engine; the returned function stops it and waits for it.
func listen(opts *RunOptions, s *setup, eng *campaign.Engine, v *view) (func(), error) {
	cfg := s.webhook
	cfg.OnEvent = func(ev webhook.Event) {
		if u, ok := campaign.WebhookUpdate(ev); ok {
			eng.Deliver(u)
		}
		if ev.Level != webhook.LevelInfo && ev.Message != "" {
			v.warn("webhook: %s", cmdutil.TerminalSafe(ev.Message, false))
		}
	}
	srv, err := webhook.New(cfg)
	if err != nil {
		return nil, cmdutil.WithHint(fmt.Errorf("--listen: %w", err), cmdutil.ExitFailed, "check --sessions and --record")
	}
	ln, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		srv.Close()
		return nil, cmdutil.WithHint(fmt.Errorf("--listen: listen on %s: %w", opts.Listen, err), cmdutil.ExitFailed,
			"choose another --listen, or 127.0.0.1:0 for a free port")
	}
	v.note("listening on http://%s (VCA %s, VSS %s); summaries also go to %s", ln.Addr(), webhook.PathVCA, webhook.PathVSS, cfg.SessionsPath)
	if msg := webhookopts.ExposureWarning(ln.Addr(), srv.AuthEnabled()); msg != "" {
		v.warn("%s", msg)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx, ln) }()
	return func() {
		cancel()
		if err := <-done; err != nil {
			v.warn("%v", err)
		}
	}, nil
}

// follow reads serve's sessions file as it grows.
func follow(opts *RunOptions, eng *campaign.Engine, v *view) ([]campaign.Update, func(), error) {
	location := opts.Webhook.Sessions
	var sf campaign.Source = &campaign.SessionsFile{Path: location}
	closeStore := func() {}
	if sessions.IsURL(location) {
		r, err := sessions.OpenReader(context.Background(), location)
		if err != nil {
			return nil, nil, cmdutil.WithHint(err, cmdutil.ExitFailed, "check --sessions")
		}
		sf, location, closeStore = &campaign.StoreSource{Store: r}, r.Location(), func() { r.Close() }
	}
	stored, err := sf.Read()
	if err != nil {
		closeStore()
		return nil, nil, cmdutil.WithHint(err, cmdutil.ExitFailed, "check --sessions")
	}
	v.note("reading session summaries from %s every %s (menu paths are not known without --listen)", location, opts.Poll)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(opts.Poll)
		defer t.Stop()
		failed := false
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			us, err := sf.Read()
			if err != nil && !failed {
				v.warn("%v", err) // once: it is read again at every tick
			}
			failed = err != nil
			for _, u := range us {
				eng.Deliver(u)
			}
		}
	}()
	return stored, func() { cancel(); <-done; closeStore() }, nil
}

// exitError maps the run's end to an exit code.
func exitError(err error, stats campaign.Stats, interrupted bool, journal string) error {
	if err != nil {
		var pe *campaign.PlaceError
		code := cmdutil.ExitFailed
		hint := "fix it and run the same command again: the journal resumes"
		if errors.As(err, &pe) {
			code = cmdutil.ExitTransport
			if calls.ConfigFailure(pe.Err) {
				code = cmdutil.ExitRejected
			}
		}
		return cmdutil.WithHint(err, code, hint)
	}
	left := stats.Pending + stats.InFlight + stats.RetriesPending
	if interrupted && left > 0 {
		return &cmdutil.ExitError{Code: cmdutil.ExitInterrupted,
			Err:  fmt.Errorf("stopped: %d number(s) not finished (%d in flight, %d retries pending, %d not placed)", left, stats.InFlight, stats.RetriesPending, stats.Pending),
			Hint: "run the same command again to resume from " + journal}
	}
	return nil
}
