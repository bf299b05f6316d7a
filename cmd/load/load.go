// Package loadcmd implements `ivrctl load`: scenario calls played through
// the 8x8 emulator at an open-loop arrival rate against a webhook backend,
// with latency percentiles overall and per menu step, failures by 8x8
// error class, and a p99 gate for CI. The engine is pkg/load; this package
// parses flags and renders.
package loadcmd

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/cmd/webhookopts"
	"github.com/ivrctl/ivrctl/pkg/emulator"
	"github.com/ivrctl/ivrctl/pkg/load"
	"github.com/ivrctl/ivrctl/pkg/menu"
	"github.com/ivrctl/ivrctl/pkg/scenario"
	"github.com/ivrctl/ivrctl/pkg/webhook"
)

// Output formats.
const (
	OutputText = "text"
	OutputJSON = "json"
)

// maxRate bounds --rate: far above 8x8's 1,800 calls/s per sub-account,
// and below what would make the schedule's interval round to nothing.
const maxRate = 100_000

// LoadOptions are the flags and inputs of `ivrctl load`.
type LoadOptions struct {
	IO       *cmdutil.IOStreams
	ReadFile func(string) ([]byte, error)
	// LoadEngine compiles --menu (the factory's, which reports file:line).
	LoadEngine func(path string) (*menu.Engine, error)

	Paths       []string
	Webhook     string
	VSS         string
	Menu        string
	Rate        float64
	Duration    time.Duration
	Concurrency int
	MaxP99      time.Duration
	Timeout     time.Duration
	Output      string
	AuthSecret  string
	AuthHeader  string

	// ProgressEvery is how often the status line is redrawn (tests
	// shorten it).
	ProgressEvery time.Duration
}

// NewCmdLoad builds the command; runF replaces the run function in tests.
func NewCmdLoad(f *cmdutil.Factory, runF func(*LoadOptions) error) *cobra.Command {
	opts := &LoadOptions{
		IO: f.IO, ReadFile: f.ReadFile,
		LoadEngine: func(path string) (*menu.Engine, error) { return f.LoadEngine(path, menu.Numbers{}) },
	}
	cmd := &cobra.Command{
		Use:   "load [--webhook URL | --menu FILE] --rate N --duration D [flags] SCENARIO...",
		Short: "Load-test a webhook backend as 8x8 would call it, at a fixed call rate",
		Long: `Play scenario calls through ivrctl's 8x8 platform emulator at a fixed
arrival rate (--rate calls per second for --duration), round robin over the
scenarios, and measure how the backend answers 8x8's webhooks.

The rate is open loop, as 8x8's traffic is: calls start at their scheduled
instant whether or not the backend has answered the earlier ones, and a
webhook round trip's latency is counted from the instant its call was meant
to start (no coordinated omission). At most --concurrency calls are in
flight; a call whose instant comes with every slot taken is not started and
is counted.

--webhook URL posts the VCA events to a running backend ('ivrctl serve' or
your own); --menu FILE starts serve's webhook server for that menu in this
process, on loopback, and loads it over HTTP, session summaries included.
--vss URL (with --webhook) posts each call's session summary there after
the call, as 8x8 does; a summary not taken fails the call. With neither, each scenario's
call.webhook, else its menu in-process, answers (as 'ivrctl test').

Reports calls scheduled, started, completed and failed, the failures by 8x8
error class (-2002: the webhook timed out, refused or answered other than
200; -2003: an answer that is no valid callflow; wrong: not what the
scenario expects), the achieved rate, webhook latency p50/p90/p99/max
overall and per menu step (the event's clientActionId; "(start)" for the
first prompt), and a latency histogram. 8x8 documents no webhook timeout:
5s is assumed, and calls with a slower round trip are flagged as calls that
would have failed on 8x8. A status line is drawn on stderr when it is a
terminal. -o json prints one JSON object at the end.

Exit codes:
  0  every call completed as its scenario says, within --max-p99
  1  a call failed, could not start, or would have failed on 8x8; or a p99
     (overall or of a step, named) is over --max-p99
  2  bad usage, or a scenario file that cannot be read or is invalid`,
		Example: `  $ ivrctl load --menu menu.yaml --rate 20 --duration 2s scenarios/
  $ ivrctl load --menu menu.yaml --rate 20 --duration 2s --max-p99 1m -o json scenarios/
  # a running backend, gated for CI (scripts/load-serve.sh runs this against serve):
  ivrctl load --webhook http://127.0.0.1:8080/webhooks/vca --vss http://127.0.0.1:8080/webhooks/vss \
      --rate 200 --duration 10s --max-p99 250ms scenarios/`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			// As for test: the vss key is also the public URL `webhooks
			// set --vss` registers, never to be loaded by accident.
			if f.Config != nil {
				if _, src := f.Config.Get("vss"); src != cmdutil.SourceFlag {
					opts.VSS = ""
				}
			}
			if err := opts.pickTarget(f); err != nil {
				return err
			}
			if err := opts.check(cmd); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Webhook, "webhook", "", "post every VCA event to `URL` (a running serve or your backend)")
	fl.StringVar(&opts.VSS, "vss", "", "with --webhook: post each call's session summary to `URL` (command line only), as 8x8 does after the call")
	fl.StringVar(&opts.Menu, "menu", "", "serve this menu `FILE` in process (serve's webhook server, over loopback HTTP) and load it")
	fl.Float64Var(&opts.Rate, "rate", 0, "calls started per second, `N` (required)")
	fl.DurationVar(&opts.Duration, "duration", 0, "how long calls are started for, e.g. 30s (required)")
	fl.IntVar(&opts.Concurrency, "concurrency", load.DefaultConcurrency, "at most `C` calls in flight; calls past it are counted as not started")
	fl.DurationVar(&opts.MaxP99, "max-p99", 0, "exit 1 when the webhook latency p99, overall or of a step, is over this (e.g. 250ms)")
	fl.DurationVar(&opts.Timeout, "timeout", emulator.DefaultWebhookTimeout, "time limit of each webhook round trip (8x8's is taken to be 5s)")
	fl.StringVarP(&opts.Output, cmdutil.FlagOutput, "o", OutputText, "output format: text or json")
	fl.StringVar(&opts.AuthSecret, webhookopts.KeyAuthSecret, "", "shared `SECRET` sent in --auth-header to --webhook (as 8x8 sends httpAuthHeader)")
	fl.StringVar(&opts.AuthHeader, webhookopts.KeyAuthHeader, webhook.DefaultAuthHeader, "`NAME` of the header carrying --auth-secret")
	cmdutil.CompleteMenuFlag(cmd)
	cmdutil.CompleteOutputFlag(cmd)
	cmdutil.CompleteFileArgs(cmd, "yaml", "yml")
	cmdutil.CompleteFlagValues(cmd, nil, "webhook", "rate", "duration", "concurrency", "max-p99", "timeout", webhookopts.KeyAuthSecret, webhookopts.KeyAuthHeader)
	return cmd
}

// pickTarget settles --webhook against --menu. Both on the command line
// is a usage error; a menu: (or IVRCTL_MENU) meant for serve gives way to
// a --webhook given here, and the other way round.
func (o *LoadOptions) pickTarget(f *cmdutil.Factory) error {
	if o.Webhook == "" || o.Menu == "" || f.Config == nil {
		return nil
	}
	_, wsrc := f.Config.Get("webhook")
	_, msrc := f.Config.Get(cmdutil.KeyMenu)
	switch {
	case wsrc == cmdutil.SourceFlag && msrc == cmdutil.SourceFlag:
		return cmdutil.Usagef("--webhook and --menu: give one (a backend to load, or a menu to serve and load)")
	case wsrc == cmdutil.SourceFlag:
		o.Menu = ""
	case msrc == cmdutil.SourceFlag:
		o.Webhook = ""
	default:
		return cmdutil.Usagef("webhook and menu are both set (%s, %s): give --webhook or --menu", wsrc, msrc)
	}
	return nil
}

func (o *LoadOptions) check(cmd *cobra.Command) error {
	switch {
	case o.Rate == 0:
		return cmdutil.Usagef("--rate is required: the calls started per second")
	case o.Duration == 0:
		return cmdutil.Usagef("--duration is required: how long calls are started for, e.g. 30s")
	case o.Output != OutputText && o.Output != OutputJSON:
		return cmdutil.Usagef("--output %q: use text or json", o.Output)
	case !(o.Rate > 0) || o.Rate > maxRate || math.IsInf(o.Rate, 0):
		return cmdutil.Usagef("--rate %v: calls per second, above 0 and at most %d", o.Rate, maxRate)
	case o.Duration <= 0:
		return cmdutil.Usagef("--duration %s: must be above 0", o.Duration)
	case o.Concurrency < 1:
		return cmdutil.Usagef("--concurrency %d: use 1 or more", o.Concurrency)
	case o.MaxP99 < 0:
		return cmdutil.Usagef("--max-p99 %s: must not be negative", o.MaxP99)
	case o.Timeout <= 0:
		return cmdutil.Usagef("--timeout %s: must be above 0", o.Timeout)
	}
	if cmd.Flags().Changed("max-p99") && o.MaxP99 == 0 {
		return cmdutil.Usagef("--max-p99 0: give a latency, e.g. 250ms")
	}
	if o.VSS != "" {
		if o.Webhook == "" {
			return cmdutil.Usagef("--vss needs --webhook: the backend that takes the summaries")
		}
		if err := scenario.CheckWebhookURL(o.VSS); err != nil {
			return cmdutil.Usagef("--vss %w", err)
		}
	}
	if o.Webhook != "" {
		if err := scenario.CheckWebhookURL(o.Webhook); err != nil {
			return cmdutil.Usagef("--webhook %w", err)
		}
		return o.sender().Check(map[string]string{"webhook": o.Webhook, "vss": o.VSS})
	}
	return nil
}

func (o *LoadOptions) sender() webhookopts.Sender {
	return webhookopts.Sender{Secret: o.AuthSecret, Header: o.AuthHeader}
}

func run(ctx context.Context, opts *LoadOptions) error {
	// SIGINT/SIGTERM stop the schedule and cut the calls in flight short;
	// what ran is still reported.
	ctx, stop := cmdutil.SignalContext(ctx)
	defer stop()

	scenarios, err := scenario.LoadWith(opts.Paths, scenario.LoadOptions{Context: ctx, ReadFile: opts.ReadFile})
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return &cmdutil.ExitError{Code: cmdutil.ExitInterrupted, Err: errors.New("interrupted while loading the scenarios: nothing ran")}
	}
	if err != nil {
		return &cmdutil.ExitError{Code: cmdutil.ExitUsage, Err: err}
	}
	target, header := opts.Webhook, opts.sender().HTTPHeader()
	if opts.Menu != "" {
		url, shutdown, err := serveMenu(opts)
		if err != nil {
			return err
		}
		defer shutdown()
		target, header = url, nil
		opts.VSS = strings.TrimSuffix(url, webhook.PathVCA) + webhook.PathVSS
	}
	runner := &scenario.Runner{Webhook: target, VSS: opts.VSS, Header: header, Timeout: opts.Timeout, Parallel: opts.Concurrency}
	player := runner.Player(scenarios)
	defer player.Close()

	r := newRenderer(opts, target, len(scenarios))
	rep, err := load.Run(ctx, load.Config{
		Player: player, Scenarios: scenarios,
		Rate: opts.Rate, Duration: opts.Duration, Concurrency: opts.Concurrency,
		OnProgress: r.progress, ProgressEvery: opts.ProgressEvery,
	})
	if err != nil {
		return err
	}
	var gate *load.GateError
	if opts.MaxP99 > 0 {
		gate = rep.Gate(opts.MaxP99)
	}
	if err := r.report(rep, gate); err != nil {
		return err
	}
	return verdict(rep, gate, opts)
}

// verdict is the run's exit: the first reason it failed, nil when none.
func verdict(rep *load.Report, gate *load.GateError, opts *LoadOptions) error {
	switch {
	case rep.FailedTotal() > 0:
		return &cmdutil.ExitError{Code: cmdutil.ExitFailed,
			Err: fmt.Errorf("%d of %d calls failed", rep.FailedTotal(), rep.Started)}
	case rep.NotStarted > 0:
		return &cmdutil.ExitError{Code: cmdutil.ExitFailed,
			Err:  fmt.Errorf("%d of %d calls could not start: %d were in flight", rep.NotStarted, rep.Scheduled, rep.Concurrency),
			Hint: "the backend answers too slowly for --rate, or --concurrency is too low for it"}
	case rep.OverTimeout > 0:
		return &cmdutil.ExitError{Code: cmdutil.ExitFailed,
			Err: fmt.Errorf("%d calls had a webhook round trip over %s, 8x8's webhook timeout as assumed: they would have failed on 8x8", rep.OverTimeout, rep.Timeout8x8)}
	case gate != nil:
		return &cmdutil.ExitError{Code: cmdutil.ExitFailed, Err: gate}
	}
	return nil
}

// serveMenu runs serve's webhook server for --menu on loopback, its
// session summaries in a temporary file, and returns its VCA URL.
func serveMenu(opts *LoadOptions) (string, func(), error) {
	eng, err := opts.LoadEngine(opts.Menu)
	if err != nil {
		return "", nil, err
	}
	dir, err := os.MkdirTemp("", "ivrctl-load-")
	if err != nil {
		return "", nil, err
	}
	srv, err := webhook.New(webhook.Config{Engine: eng, SessionsPath: filepath.Join(dir, "sessions.jsonl")})
	if err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("--menu: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("--menu: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx, ln) }()
	shutdown := func() {
		cancel()
		<-done
		os.RemoveAll(dir)
	}
	return "http://" + ln.Addr().String() + webhook.PathVCA, shutdown, nil
}
