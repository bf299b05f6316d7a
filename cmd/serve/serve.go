// Package serve implements `ivrctl serve`: it wires flags, environment and
// config file into a pkg/webhook server, runs it until SIGINT/SIGTERM, and
// renders the server's events as log lines on stderr.
package serve

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/menu"
	"github.com/ivrctl/ivrctl/pkg/webhook"
)

// Configuration keys of serve (flag names, IVRCTL_* variables, config
// file keys).
const (
	KeyAuthSecret = "auth-secret"
	KeyAuthHeader = "auth-header"
	KeyToken      = "token"
	KeyBasicAuth  = "basic-auth"
	KeyAllowIP    = "allow-ip"
	KeyTrustProxy = "trust-proxy"
	KeySessions   = "sessions"
	KeyRecord     = "record"
	KeyPort       = "port"
	KeyAddr       = "addr"
	KeyLogFormat  = "log-format"
)

// Defaults.
const (
	DefaultPort = 8080
	// DefaultAddr is loopback: a tunnel or reverse proxy on the same host
	// reaches it and nothing else can. Listening on every interface is a
	// deliberate --addr 0.0.0.0.
	DefaultAddr = "127.0.0.1"
)

func init() {
	for _, k := range []cmdutil.Key{
		{Name: KeyAuthSecret, Secret: true, Help: "serve: shared secret 8x8 sends in the auth header (two, comma-separated, while rotating)"},
		{Name: KeyAuthHeader, Default: webhook.DefaultAuthHeader, Help: "serve: header carrying the shared secret"},
		{Name: KeyToken, Secret: true, Help: "serve: secret expected in the ?token= query parameter"},
		{Name: KeyBasicAuth, Secret: true, Help: "serve: HTTP basic credentials, user:pass"},
		{Name: KeyAllowIP, Help: "serve: client addresses allowed (CIDR or IP, comma-separated)"},
		{Name: KeyTrustProxy, Help: "serve: take the client address from X-Forwarded-For"},
		{Name: KeySessions, Help: "serve: session summaries file (JSON Lines)"},
		{Name: KeyRecord, Help: "serve: directory to record VCA events and answers in"},
		{Name: KeyPort, Default: strconv.Itoa(DefaultPort), Help: "serve: port to listen on (0: a free one)"},
		{Name: KeyAddr, Default: DefaultAddr, Help: "serve: address to listen on"},
		{Name: KeyLogFormat, Default: LogText, Help: "serve: log format, text or json"},
	} {
		cmdutil.RegisterKey(k)
	}
}

// maxSecrets is how many --auth-secret values are accepted: the new and
// the old one while rotating.
const maxSecrets = 2

// ServeOptions are the flags and inputs of `ivrctl serve`.
type ServeOptions struct {
	IO         *cmdutil.IOStreams
	LoadEngine func(path string, numbers menu.Numbers) (*menu.Engine, error)
	// Context is the command's context; run adds SIGINT/SIGTERM to it.
	Context context.Context

	Addr      string
	Port      int
	MenuFile  string
	From      string
	Agent     string
	RecordDir string
	Sessions  string
	LogFormat string

	// AuthSecret is one secret, or two comma-separated while rotating.
	// A plain string, not a slice flag: pflag's CSV parsing of a slice
	// fails on a '"' and echoes the whole value (the secret) in its error.
	AuthSecret string
	AuthHeader string
	Token      string
	BasicAuth  string // user:pass
	AllowIPs   []string
	TrustProxy bool

	// DrainTimeout bounds the wait for in-flight requests at shutdown.
	DrainTimeout time.Duration
}

// NewCmdServe builds the command; runF replaces the run function in tests.
func NewCmdServe(f *cmdutil.Factory, runF func(*ServeOptions) error) *cobra.Command {
	opts := &ServeOptions{IO: f.IO, LoadEngine: f.LoadEngine, DrainTimeout: webhook.DefaultDrainTimeout}
	cmd := &cobra.Command{
		Use:   "serve [flags]",
		Short: "Answer 8x8's voice webhooks with a menu",
		Long: `Serve 8x8's voice webhooks: answer every VCA (Voice Call Action) event with the
menu's next callflow, and append every VSS (Voice Session Summary) to a JSON
Lines file, synced to disk before it is acknowledged.

Routes:
  POST /webhooks/vca   (alias /vca_webhook, as 8x8's sample backend)
  POST /webhooks/vss   (alias /vss_webhook)
  GET  /healthz

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
config file. SIGINT or SIGTERM stops accepting, lets requests in flight
finish, closes the sessions file and exits 0; requests still in flight
after 10s are cut off and serve exits 1. A second signal kills at once.`,
		Example: `  $ ivrctl serve --port 8080
  $ IVRCTL_AUTH_SECRET=mdp1234 ivrctl serve --addr 0.0.0.0 --allow-ip 18.140.80.2,52.220.253.234,54.255.116.8,52.74.232.241
  $ ivrctl serve --menu testdata/menus/advanced-ivr.yaml --record calls/
  $ ivrctl serve --port 0 --log-format json 2>events.jsonl`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Context = cmd.Context()
			if runF != nil {
				return runF(opts)
			}
			return runServe(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Addr, KeyAddr, DefaultAddr, "address to listen on (0.0.0.0: every interface)")
	fl.IntVar(&opts.Port, KeyPort, DefaultPort, "port to listen on (0: a free one, printed on start-up)")
	fl.StringVar(&opts.MenuFile, cmdutil.KeyMenu, "", "menu file (default: the embedded simple IVR)")
	fl.StringVar(&opts.From, cmdutil.KeyFrom, "", "virtual number connect calls come from (overrides the menu's)")
	fl.StringVar(&opts.Agent, cmdutil.KeyAgent, "", "number a connect option rings (overrides the menu's)")
	fl.StringVar(&opts.RecordDir, KeyRecord, "", "record every VCA event and its answer in `DIR` (X.json, X.expected.json)")
	fl.StringVar(&opts.Sessions, KeySessions, "", "session summaries `FILE` (default $XDG_STATE_HOME/ivrctl/sessions.jsonl)")
	fl.StringVar(&opts.LogFormat, KeyLogFormat, LogText, "log format on stderr: text or json")
	// Secrets are string flags, whose Set never fails: a flag parse
	// error would quote the value.
	fl.StringVar(&opts.AuthSecret, KeyAuthSecret, "", "shared `SECRET` expected in --auth-header; two, comma-separated, while rotating")
	fl.StringVar(&opts.AuthHeader, KeyAuthHeader, webhook.DefaultAuthHeader, "header carrying the shared secret")
	fl.StringVar(&opts.Token, KeyToken, "", "secret expected in the ?token= query parameter")
	fl.StringVar(&opts.BasicAuth, KeyBasicAuth, "", "HTTP basic credentials `user:pass`")
	fl.StringSliceVar(&opts.AllowIPs, KeyAllowIP, nil, "only accept clients from these `CIDRs` (or IPs), comma-separated")
	fl.BoolVar(&opts.TrustProxy, KeyTrustProxy, false, "behind a reverse proxy: the client is the right-most X-Forwarded-For entry")
	_ = cmd.MarkFlagFilename(cmdutil.KeyMenu, "yaml", "yml", "json")
	_ = cmd.MarkFlagFilename(KeySessions, "jsonl")
	_ = cmd.MarkFlagDirname(KeyRecord)
	_ = cmd.RegisterFlagCompletionFunc(KeyLogFormat, cobra.FixedCompletions([]string{LogText, LogJSON}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// config turns the options into the server's configuration, checking them.
func (opts *ServeOptions) config() (webhook.Config, error) {
	var cfg webhook.Config
	if opts.LogFormat != LogText && opts.LogFormat != LogJSON {
		return cfg, cmdutil.Usagef("--log-format %q: use text or json", opts.LogFormat)
	}
	if opts.Port < 0 || opts.Port > 65535 {
		return cfg, cmdutil.Usagef("--port %d: use 0 to 65535", opts.Port)
	}
	auth := webhook.Auth{Header: strings.TrimSpace(opts.AuthHeader), Token: opts.Token}
	// Split here, not by pflag: a YAML list in the config file arrives
	// joined with commas too (auth-secret: [new, old]).
	for _, s := range strings.Split(opts.AuthSecret, ",") {
		if s = strings.TrimSpace(s); s != "" {
			auth.Secrets = append(auth.Secrets, s)
		}
	}
	if len(auth.Secrets) > maxSecrets {
		// Never echo the values: they are credentials.
		return cfg, cmdutil.Usagef("--auth-secret: %d comma-separated values, at most %d (new,old while rotating); a secret cannot contain a comma",
			len(auth.Secrets), maxSecrets)
	}
	if len(auth.Secrets) > 0 && auth.Header == "" {
		return cfg, cmdutil.Usagef("--auth-header is empty: name the header the secret comes in")
	}
	if opts.BasicAuth != "" {
		user, pass, ok := strings.Cut(opts.BasicAuth, ":")
		if !ok || user == "" || pass == "" {
			// Never echo the value: it is a credential.
			return cfg, cmdutil.Usagef("--basic-auth: expected user:pass with both parts non-empty")
		}
		auth.BasicUser, auth.BasicPass = user, pass
	}
	allow, err := webhook.ParsePrefixes(opts.AllowIPs)
	if err != nil {
		return cfg, cmdutil.Usagef("--%w", err)
	}
	sessions := opts.Sessions
	if sessions == "" {
		if sessions, err = webhook.DefaultSessionsPath(); err != nil {
			return cfg, cmdutil.Usagef("%w: set --sessions", err)
		}
	}
	eng, err := opts.LoadEngine(opts.MenuFile, menu.Numbers{From: opts.From, Agent: opts.Agent})
	if err != nil {
		return cfg, err
	}
	return webhook.Config{
		Engine:       eng,
		SessionsPath: sessions,
		RecordDir:    opts.RecordDir,
		Auth:         auth,
		AllowIPs:     allow,
		TrustProxy:   opts.TrustProxy,
		DrainTimeout: opts.DrainTimeout,
	}, nil
}

func runServe(opts *ServeOptions) error {
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
	ctx := opts.Context
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(ctx, stop)

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
	if msg := exposureWarning(ln.Addr(), srv.AuthEnabled()); msg != "" {
		log.warn(msg)
	}
	if err := srv.Run(ctx, ln); err != nil {
		return err
	}
	log.info("stopped; sessions file closed")
	return nil
}

// exposureWarning is the start-up warning for a server without
// authentication on an address other machines can reach ("" : none).
func exposureWarning(a net.Addr, auth bool) string {
	if auth || isLoopback(a) {
		return ""
	}
	return fmt.Sprintf("no authentication on %s: anyone who can reach it can drive your menu and fill your sessions file; set --auth-secret, --token or --basic-auth (and --allow-ip)", a)
}

func isLoopback(a net.Addr) bool {
	ap, err := netip.ParseAddrPort(a.String())
	return err == nil && ap.Addr().Unmap().IsLoopback()
}
