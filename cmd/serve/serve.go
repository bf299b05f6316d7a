// Package serve implements `ivrctl serve`: it wires flags, environment and
// config file into a pkg/webhook server, runs it until SIGINT/SIGTERM, and
// renders the server's events as log lines on stderr.
package serve

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/cmd/webhookopts"
	"github.com/ivrctl/ivrctl/pkg/connlimit"
	"github.com/ivrctl/ivrctl/pkg/menu"
	"github.com/ivrctl/ivrctl/pkg/replay"
	"github.com/ivrctl/ivrctl/pkg/webhook"
)

// Configuration keys of serve's own (flag names, IVRCTL_* variables,
// config file keys); the rest, shared with `call --wait`, are
// webhookopts'.
const (
	KeyPort      = "port"
	KeyAddr      = "addr"
	KeyLogFormat = "log-format"
	KeyMetrics   = "metrics"
	KeyWatch     = "watch"
	// KeyRecordQueue sizes --record's queue (replay.DefaultQueuePairs).
	KeyRecordQueue = "record-queue"
	KeyMaxConns    = "max-conns"
)

// Defaults: webhookopts', which `call --wait` listens on too.
const (
	DefaultPort = webhookopts.DefaultPort
	DefaultAddr = webhookopts.DefaultAddr
)

// ServeOptions are the flags and inputs of `ivrctl serve`.
type ServeOptions struct {
	IO         *cmdutil.IOStreams
	LoadEngine func(path string, numbers menu.Numbers) (*menu.Engine, error)

	Addr      string
	Port      int
	MenuFile  string
	From      string
	Agent     string
	LogFormat string
	Metrics   bool
	Watch     bool
	MaxConns  int

	RecordQueue int // pairs waiting for the disk before --record drops

	// The settings shared with `call --wait`: authentication, allow
	// list, sessions file, recording.
	webhookopts.Options
}

// NewCmdServe builds the command; runF replaces the run function in tests.
func NewCmdServe(f *cmdutil.Factory, runF func(context.Context, *ServeOptions) error) *cobra.Command {
	opts := &ServeOptions{IO: f.IO, LoadEngine: f.LoadEngine}
	cmd := &cobra.Command{
		Use:   "serve [flags]",
		Short: "Answer 8x8's voice webhooks with a menu",
		Long: `Serve 8x8's voice webhooks: answer every VCA (Voice Call Action) event with the
menu's next callflow, and record every VSS (Voice Session Summary) in the
session store before it is acknowledged: --sessions FILE, a JSON Lines file
synced to disk (locked: one serve per file), or --sessions postgres://...,
PostgreSQL, committed (any number of replicas on one database; 503 while it
cannot be reached, so 8x8 retries).

Routes:
  POST /webhooks/vca   (alias /vca_webhook, as 8x8's sample backend)
  POST /webhooks/vss   (alias /vss_webhook)
  GET  /healthz
  GET  /metrics        (Prometheus text format; --metrics=false turns it off)

The first line on stdout is the address bound ("listening on http://...");
with --port 0 the port is a free one. One line per event goes to stderr,
coloured on a terminal, or JSON with --log-format json.

Authentication (any configured method admits a request): --auth-secret, the
httpAuthHeader value registered with 8x8's Webhooks API, expected in
--auth-header (default Authorization; two comma-separated secrets while
rotating); --token, expected as ?token= in the webhook URL; --basic-auth
user:pass. Prefer IVRCTL_AUTH_SECRET, IVRCTL_TOKEN, IVRCTL_BASIC_AUTH or the
config file to flags, which other users can see in the process list.

Every setting is also IVRCTL_<NAME> (IVRCTL_ALLOW_IP, ...) or <name>: in the
config file.

SIGHUP (and, with --watch, a change to the --menu file) loads and checks the
menu again: a good one answers the next event and calls in progress carry on
(a menu id the new version removed falls back to its start menu); a broken
one is refused with validate's errors, logged, and the old menu keeps
answering.

At most --max-conns connections (default 4096) are held open: at the cap the
connection idle the longest is closed to admit a new one, so a flood of idle
keep-alive connections cannot lock real requests out.

SIGINT or SIGTERM stops accepting, lets requests in flight finish, closes the sessions file and exits 0; requests still in flight
after 10s are cut off and serve exits 1. A second signal kills at once.

Exit codes: 0 stopped by a signal after a clean drain, 1 could not listen or
requests were still in flight after 10s, 2 bad usage (a bad flag, menu or
setting; nothing served).`,
		Example: `  $ ivrctl serve --port 8080
  $ IVRCTL_AUTH_SECRET=mdp1234 ivrctl serve --addr 0.0.0.0 --allow-ip 18.140.80.2,52.220.253.234,54.255.116.8,52.74.232.241
  $ ivrctl serve --menu testdata/menus/advanced-ivr.yaml --record calls/
  $ ivrctl serve --port 0 --log-format json 2>events.jsonl`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			// The command's context, not the options': runServe adds
			// SIGINT/SIGTERM to it.
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runServe(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Addr, KeyAddr, DefaultAddr, "address to listen on (0.0.0.0: every interface)")
	fl.IntVar(&opts.Port, KeyPort, DefaultPort, "port to listen on (0: a free one, printed on start-up)")
	fl.StringVar(&opts.MenuFile, cmdutil.KeyMenu, "", "menu file (default: the embedded simple IVR)")
	fl.StringVar(&opts.From, cmdutil.KeyFrom, "", "virtual number connect calls come from (overrides the menu's)")
	fl.StringVar(&opts.Agent, cmdutil.KeyAgent, "", "number a connect option rings (overrides the menu's)")
	fl.StringVar(&opts.LogFormat, KeyLogFormat, LogText, "log format on stderr: text or json")
	fl.BoolVar(&opts.Watch, KeyWatch, false, "reload the menu when --menu's file changes (SIGHUP always reloads it)")
	fl.BoolVar(&opts.Metrics, KeyMetrics, true, "answer GET /metrics in Prometheus text format (no authentication; nothing secret in it)")
	fl.IntVar(&opts.RecordQueue, KeyRecordQueue, replay.DefaultQueuePairs, "with --record: at most `N` recordings waiting for the disk; more are dropped (counted, logged), never a call")
	fl.IntVar(&opts.MaxConns, KeyMaxConns, connlimit.DefaultMax, "connections held open at most; at the cap the longest idle one is closed to admit a new one")
	opts.Options.AddFlags(cmd)
	_ = cmd.MarkFlagFilename(cmdutil.KeyMenu, "yaml", "yml", "json")
	_ = cmd.RegisterFlagCompletionFunc(KeyLogFormat, cobra.FixedCompletions([]string{LogText, LogJSON}, cobra.ShellCompDirectiveNoFileComp))
	cmdutil.CompleteNoArgs(cmd)
	cmdutil.CompleteFlagValues(cmd, nil, KeyAddr)
	return cmd
}

// config turns the options into the server's configuration, checking them.
func (opts *ServeOptions) config() (webhook.Config, error) {
	if opts.LogFormat != LogText && opts.LogFormat != LogJSON {
		return webhook.Config{}, cmdutil.Usagef("--log-format %q: use text or json", opts.LogFormat)
	}
	if opts.Port < 0 || opts.Port > 65535 {
		return webhook.Config{}, cmdutil.Usagef("--port %d: use 0 to 65535", opts.Port)
	}
	cfg, err := opts.Options.Config()
	if err != nil {
		return cfg, err
	}
	cfg.Metrics = opts.Metrics
	if opts.RecordQueue < 1 {
		return cfg, cmdutil.Usagef("--%s %d: use 1 or more", KeyRecordQueue, opts.RecordQueue)
	}
	cfg.RecordQueue = opts.RecordQueue
	if opts.MaxConns < 1 {
		return cfg, cmdutil.Usagef("--%s %d: must be at least 1", KeyMaxConns, opts.MaxConns)
	}
	cfg.MaxConns = opts.MaxConns
	if opts.Watch && opts.MenuFile == "" {
		return cfg, cmdutil.Usagef("--watch needs --menu FILE: the embedded menu never changes")
	}
	if cfg.Engine, err = opts.LoadEngine(opts.MenuFile, menu.Numbers{From: opts.From, Agent: opts.Agent}); err != nil {
		return cfg, err
	}
	return cfg, nil
}

func runServe(ctx context.Context, opts *ServeOptions) error {
	cfg, err := opts.config()
	if err != nil {
		return err
	}
	log := newLogger(opts.IO, opts.LogFormat)
	defer log.Close()
	cfg.OnEvent = log.Log

	// Catch SIGINT/SIGTERM before anything can see the address: a signal
	// from then on drains and exits 0 instead of killing the process (143).
	// Once the first signal (or the command's context) ends the run, the
	// default behaviour returns, so a second Ctrl-C during a slow drain
	// kills at once.
	ctx, stop := cmdutil.SignalContext(ctx)
	defer stop()

	// SIGHUP reloads the menu; caught from here on, before the address
	// is printed, so that it never kills serve.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	srv, err := webhook.New(cfg)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	addr := net.JoinHostPort(opts.Addr, strconv.Itoa(opts.Port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		srv.Close()
		return cmdutil.WithHint(fmt.Errorf("listen on %s: %w", addr, err), cmdutil.ExitFailed,
			"choose another --port, or --port 0 for a free one")
	}
	// A script reads the address and may signal at once: SIGINT/SIGTERM
	// are caught before it is printed (see above).
	url := "http://" + ln.Addr().String()
	fmt.Fprintf(opts.IO.Out, "listening on %s\n", url)

	log.startup(url, cfg, srv, opts.MenuFile)
	if msg := webhookopts.ExposureWarning(ln.Addr(), srv.AuthEnabled()); msg != "" {
		log.warn(msg)
	}
	go reloadLoop(ctx, hup, srv, opts.MenuFile, opts.Watch, func() (*menu.Engine, error) {
		return opts.LoadEngine(opts.MenuFile, menu.Numbers{From: opts.From, Agent: opts.Agent})
	}, log.warn)
	if err := srv.Run(ctx, ln); err != nil {
		return err
	}
	log.info("stopped; sessions file closed")
	return nil
}
