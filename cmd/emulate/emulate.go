// Package emulate implements `ivrctl emulate`: a local stand-in for 8x8's
// Voice platform. It serves Send Callflow, runs every accepted call on a
// virtual clock against the VCA webhook (usually `ivrctl serve`), posts
// the session summary to the VSS URL, and logs each step on stderr.
package emulate

import (
	"context"
	"fmt"
	stdlog "log"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/cmd/webhookopts"
	"github.com/ivrctl/ivrctl/pkg/connlimit"
	"github.com/ivrctl/ivrctl/pkg/emulator"
	"github.com/ivrctl/ivrctl/pkg/inputfile"
	"github.com/ivrctl/ivrctl/pkg/redact"
	"github.com/ivrctl/ivrctl/pkg/webhook"
)

// Configuration keys of emulate. --port and --addr are serve's keys too
// (IVRCTL_PORT, port: in the config file apply to both).
const (
	KeyVCAURL         = "vca-url"
	KeyVSSURL         = "vss-url"
	KeyVCSURL         = "vcs-url"
	KeyFault          = "fault"
	KeyCallers        = "callers"
	KeyAnswer         = "answer"
	KeyAgentAnswer    = "agent-answer"
	KeyPress          = "press"
	KeyWebhookTimeout = "webhook-timeout"
	keyPort           = "port"
	keyAddr           = "addr"
)

// Defaults.
const (
	DefaultPort = 9090
	DefaultAddr = "127.0.0.1"
	// DrainTimeout bounds the wait, after a signal, for requests and
	// sessions in flight.
	DrainTimeout = 10 * time.Second
)

// EmulateOptions are the flags of `ivrctl emulate`.
type EmulateOptions struct {
	IO *cmdutil.IOStreams

	Addr   string
	Port   int
	VCAURL string
	VSSURL string
	VCSURL string
	// Faults are --fault values (NAME or NAME=VALUE), played by every call.
	Faults []string
	// Callers is --callers: a file mapping a dialled number to its script.
	Callers string
	// Auth is sent with every post to --vca-url and --vss-url, as 8x8
	// sends a registered httpAuthHeader: serve's --auth-secret and
	// --auth-header, so one IVRCTL_AUTH_SECRET configures both.
	Auth webhookopts.Sender
	// APIKey is the Bearer token required, from IVRCTL_API_KEY or the
	// config file (as call reads it); "" accepts any.
	APIKey         string
	Subaccount     string
	Answer         string
	AgentAnswer    string
	Press          string
	WebhookTimeout time.Duration
	// Profiles and Numbers are --profiles and --numbers (account.go).
	Profiles string
	Numbers  string
	ReadFile func(string) ([]byte, error)

	// DrainTimeout bounds the wait for requests and sessions in flight at
	// shutdown (tests shorten it).
	DrainTimeout time.Duration
	// Ready, when set (tests), hears the address once it is listening.
	Ready func(url string)
}

// NewCmdEmulate builds the command; runF replaces the run function in tests.
func NewCmdEmulate(f *cmdutil.Factory, runF func(context.Context, *EmulateOptions) error) *cobra.Command {
	opts := &EmulateOptions{IO: f.IO, DrainTimeout: DrainTimeout, ReadFile: f.ReadFile}
	cmd := &cobra.Command{
		Use:   "emulate [--vca-url URL] [--vss-url URL] [flags]",
		Short: "Emulate 8x8's Voice platform locally, for end-to-end tests",
		Long: `Emulate 8x8's Voice platform: serve Send Callflow
(POST /api/v1/subaccounts/{id}/callflows, Bearer API key required), answer it
as 8x8 does (CREATED, or NOT_CREATED with 8x8's status code), and play each
call on a virtual clock, with no real waiting: the callee picks up (--answer),
presses keys at each prompt (--press), VCA events go to --vca-url and its
callflows are played next, and the session summary (VSS) is posted to
--vss-url. Point ivrctl call at it with --base-url http://127.0.0.1:PORT.

It also answers 8x8's account endpoints, so call's checks and ivrctl
webhooks work against it: GET .../speech-profiles (--profiles: the built-in
list, codes en-US-Jenny,da-DK-Naja, a .json file as ivrctl profiles -o json
prints, or any), GET .../numbers[/{number}] (--numbers, default 6561115777,
or any), and the Webhooks API (GET/POST .../webhooks, DELETE
.../webhooks/{type}), kept in memory per sub-account. A request whose
voiceProfile is not a listed profile is refused -1002, one whose makeCall
source is not a listed number -1014. A sub-account's registered VCA and VSS
webhooks take precedence over --vca-url and --vss-url, and their
httpAuthHeader is sent in the Authorization header (what ivrctl serve's
--auth-secret checks). Posts to --vca-url and --vss-url carry --auth-secret
in --auth-header: serve's settings, so one IVRCTL_AUTH_SECRET serves both.

The API key required is call's: IVRCTL_API_KEY or api-key: in the config
file; without one any Bearer token is accepted. With --subaccount (or
IVRCTL_SUBACCOUNT) only that sub-account exists, and others get 8x8's 404.

--press lists the keys for successive prompts, retries included: "2,1"
presses 2 at the first prompt and 1 at the second; an empty item ("2,,1") is
silence until the prompt times out. When the list runs out the caller hangs
up at the next prompt. --callers FILE gives numbers scripts of their own (a
YAML mapping: "+6512345678": {pickup: answer, agent: busy, press: "2,1",
faults: [barge-in]}); numbers not in it play --answer, --agent-answer and
--press.

Inbound calls: 'ivrctl emulate ring --to VIRTUAL_NUMBER --from CALLER' (or
POST /emulator/v1/subaccounts/{id}/inbound-calls {"to": ..., "from": ...},
Bearer key as for Send Callflow; 202 {"sessionId": ...}) rings a virtual
number: 8x8's CALL_RECEIVED event (INBOUND) goes to the VCA webhook, and the
callflow it answers is played (a makeCall bridges, as number masking does).

--vcs-url (or a VCS webhook registered with the Webhooks API) receives
CALL_STATUS events (CALL_INITIATED, CALL_RECEIVED, CALL_CONNECTED,
DTMF_RECEIVED, CALL_DISCONNECTED): best effort and unordered, as 8x8 says;
they never hold up a call (a queue of 1024, 4 posts at once; a full queue
drops).

--fault NAME[=VALUE] (repeatable) plays, on every call, something 8x8's
platform may do that a backend must survive: duplicate-vca (every VCA event
twice, same eventId; the second answer is played), duplicate-vss, retry-vss
(a summary answered non-2xx is posted again, up to 3 times in all; without
it none is retried), delay-vss (a summary arrives after the next call's),
hangup-in-prompt[=N] and hangup-in-capture[=N] (the caller hangs up during
prompt N; no VCA event follows), barge-in (keys come 1s into the prompt,
which stops) and slow-network[=DURATION] (each webhook request waits that
long first, default 1s, within the --webhook-timeout). 8x8 documents none
of retries, timeouts or barge-in: these are the emulator's choices, listed
in docs/emulator.md ("Choices").

The first line on stdout is the address bound ("listening on http://...");
with --port 0 the port is a free one. One line per session step goes to
stderr. SIGINT or SIGTERM stops accepting, lets calls in flight finish (up
to 10s) and exits 0.

Exit codes: 0 stopped by a signal after a clean drain, 1 could not listen or
calls were still in flight after 10s, 2 bad usage.`,
		Example: `  $ export IVRCTL_API_KEY=test-key IVRCTL_SUBACCOUNT=acme-01   # any key: emulate requires the one call sends
  $ ivrctl serve --port 8080 &
  $ ivrctl emulate --vca-url http://127.0.0.1:8080/webhooks/vca --vss-url http://127.0.0.1:8080/webhooks/vss --press 2 &
  $ ivrctl call --base-url http://127.0.0.1:9090 --from 6561115777 --to 6512345678

  # or register the webhooks with emulate, as with 8x8, and serve with their secret
  $ ivrctl emulate --press 1 &
  $ ivrctl webhooks set --base-url http://127.0.0.1:9090 --insecure --vca http://127.0.0.1:8080/webhooks/vca --vss http://127.0.0.1:8080/webhooks/vss --auth-secret generate > ivr.env
  $ . ./ivr.env && ivrctl serve --port 8080 &
  $ ivrctl call --base-url http://127.0.0.1:9090 --from 6561115777 --to 6512345678`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			// As for call: IVRCTL_API_KEY or the config file only, never
			// a flag other users could read in the process list.
			opts.APIKey, _ = f.Config.Get(cmdutil.KeyAPIKey)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runEmulate(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Addr, keyAddr, DefaultAddr, "address to listen on")
	fl.IntVar(&opts.Port, keyPort, DefaultPort, "port to listen on (0: a free one, printed on start-up)")
	fl.StringVar(&opts.VCAURL, KeyVCAURL, "", "VCA webhook `URL` of sub-accounts that registered none (without either, a callflow with sayAndCapture is refused -1004, as 8x8 does)")
	fl.StringVar(&opts.VSSURL, KeyVSSURL, "", "VSS webhook `URL` of sub-accounts that registered none (default: not posted)")
	fl.StringVar(&opts.VCSURL, KeyVCSURL, "", "VCS webhook `URL` for CALL_STATUS events of sub-accounts that registered none (default: not posted)")
	fl.StringArrayVar(&opts.Faults, KeyFault, nil, "play `FAULT`[=VALUE] on every call (repeatable): "+strings.Join(emulator.FaultNames, ", "))
	fl.StringVar(&opts.Callers, KeyCallers, "", "YAML `FILE` mapping a dialled number to its caller (pickup, agent, press, faults); others play --press")
	fl.StringVar(&opts.Auth.Secret, webhookopts.KeyAuthSecret, "", "shared `SECRET` sent in --auth-header to --vca-url and --vss-url (as 8x8 sends httpAuthHeader; serve's setting)")
	fl.StringVar(&opts.Auth.Header, webhookopts.KeyAuthHeader, webhook.DefaultAuthHeader, "`NAME` of the header carrying --auth-secret")
	fl.StringVar(&opts.Subaccount, cmdutil.KeySubaccount, "", "the only sub-account id accepted (default: any)")
	fl.StringVar(&opts.Answer, KeyAnswer, string(emulator.PickupAnswer), "how the called number picks up: answer, busy, no-answer or fail")
	fl.StringVar(&opts.AgentAnswer, KeyAgentAnswer, string(emulator.PickupAnswer), "how a bridged (agent) number picks up: answer, busy, no-answer or fail")
	fl.StringVar(&opts.Press, KeyPress, "", "`KEYS` pressed at successive prompts, comma-separated (2,1); an empty item is silence")
	fl.DurationVar(&opts.WebhookTimeout, KeyWebhookTimeout, emulator.DefaultWebhookTimeout, "time limit of one webhook request")
	fl.StringVar(&opts.Profiles, FlagProfiles, "", "speech profiles the sub-account has: `CODES` comma-separated, a .json file, or any (default: a built-in list of 8x8's documented voices)")
	fl.StringVar(&opts.Numbers, FlagNumbers, DefaultNumbers, "virtual `NUMBERS` (caller IDs) the sub-account owns, comma-separated, or any")
	pickups := cobra.FixedCompletions([]string{"answer", "busy", "no-answer", "fail"}, cobra.ShellCompDirectiveNoFileComp)
	_ = cmd.RegisterFlagCompletionFunc(KeyAnswer, pickups)
	_ = cmd.RegisterFlagCompletionFunc(KeyAgentAnswer, pickups)
	cmd.AddCommand(newCmdRing(f))
	cmdutil.CompleteNoArgs(cmd)
	_ = cmd.MarkFlagFilename(KeyCallers, "yaml", "yml")
	cmdutil.CompleteFlagValues(cmd, emulator.FaultNames, KeyFault)
	cmdutil.CompleteFlagValues(cmd, nil, KeyVCSURL, keyAddr, KeyVCAURL, KeyVSSURL, KeyPress, webhookopts.KeyAuthSecret, webhookopts.KeyAuthHeader)
	cmdutil.CompleteFlagValues(cmd, []string{"any"}, FlagNumbers)
	// A .json file is the value worth completing; "any" is short to type.
	_ = cmd.MarkFlagFilename(FlagProfiles, "json")
	return cmd
}

// config checks the options and builds the emulator's configuration.
func (opts *EmulateOptions) config() (emulator.Config, emulator.Script, error) {
	cfg, script, err := opts.baseConfig()
	if err != nil {
		return cfg, script, err
	}
	if cfg.Faults, err = emulator.ParseFaults(opts.Faults); err != nil {
		return cfg, script, cmdutil.Usagef("--%s: %w", KeyFault, err)
	}
	if opts.VCSURL != "" {
		if p, err := url.Parse(opts.VCSURL); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return cfg, script, cmdutil.Usagef("--%s: not an http(s) URL with a host", KeyVCSURL)
		}
		cfg.VCS = (&emulator.VSSWebhook{URL: opts.VCSURL, Timeout: opts.WebhookTimeout, Header: opts.Auth.HTTPHeader()}).Deliver
	}
	return cfg, script, nil
}

// callers reads --callers (nil without it); numbers not in the file play
// script.
func (opts *EmulateOptions) callers(script emulator.Script) (*emulator.Callers, error) {
	c := &emulator.Callers{Default: script}
	if opts.Callers == "" {
		return c, nil
	}
	readFile := opts.ReadFile
	if readFile == nil {
		readFile = inputfile.Reader(inputfile.MaxInput)
	}
	data, err := readFile(opts.Callers)
	if err != nil {
		return nil, cmdutil.Usagef("--%s: %w", KeyCallers, err)
	}
	if c.ByDigit, err = emulator.ParseCallers(opts.Callers, data); err != nil {
		return nil, &cmdutil.ExitError{Code: cmdutil.ExitUsage, Err: err}
	}
	return c, nil
}

func (opts *EmulateOptions) baseConfig() (emulator.Config, emulator.Script, error) {
	var cfg emulator.Config
	var script emulator.Script
	if opts.Port < 0 || opts.Port > 65535 {
		return cfg, script, cmdutil.Usagef("--port %d: use 0 to 65535", opts.Port)
	}
	var err error
	if script.Answer, err = emulator.ParsePickup(opts.Answer); err != nil {
		return cfg, script, cmdutil.Usagef("--%s: %w", KeyAnswer, err)
	}
	if script.Agent, err = emulator.ParsePickup(opts.AgentAnswer); err != nil {
		return cfg, script, cmdutil.Usagef("--%s: %w", KeyAgentAnswer, err)
	}
	script.Press = emulator.ParsePress(opts.Press)
	if opts.WebhookTimeout <= 0 {
		return cfg, script, cmdutil.Usagef("--%s %s: must be positive", KeyWebhookTimeout, opts.WebhookTimeout)
	}
	for _, u := range []struct{ flag, val string }{{KeyVCAURL, opts.VCAURL}, {KeyVSSURL, opts.VSSURL}} {
		if u.val == "" {
			continue
		}
		if p, err := url.Parse(u.val); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			// Not echoed: a webhook URL may carry a ?token= secret.
			return cfg, script, cmdutil.Usagef("--%s: not an http(s) URL with a host", u.flag)
		}
	}
	if err := opts.Auth.Check(map[string]string{KeyVCAURL: opts.VCAURL, KeyVSSURL: opts.VSSURL}); err != nil {
		return cfg, script, err
	}
	cfg = emulator.Config{SubAccount: opts.Subaccount, WebhookTimeout: opts.WebhookTimeout}
	if cfg.Numbers, err = parseNumbers(opts.Numbers); err != nil {
		return cfg, script, err
	}
	readFile := opts.ReadFile
	if readFile == nil {
		readFile = inputfile.Reader(inputfile.MaxInput)
	}
	if cfg.Profiles, err = parseProfiles(opts.Profiles, readFile); err != nil {
		return cfg, script, err
	}
	// Registered webhooks carry their own httpAuthHeader (account.go).
	header := opts.Auth.HTTPHeader()
	if opts.VCAURL != "" {
		cfg.Webhook = &emulator.HTTPWebhook{URL: opts.VCAURL, Timeout: opts.WebhookTimeout, Header: header}
	}
	if opts.VSSURL != "" {
		cfg.VSS = (&emulator.VSSWebhook{URL: opts.VSSURL, Timeout: opts.WebhookTimeout, Header: header}).Deliver
	}
	return cfg, script, nil
}

func runEmulate(ctx context.Context, opts *EmulateOptions) error {
	cfg, script, err := opts.config()
	if err != nil {
		return err
	}
	callers, err := opts.callers(script)
	if err != nil {
		return err
	}
	log := &logger{out: cmdutil.NewLineWriter(opts.IO.ErrOut), p: opts.IO.ErrPalette()}
	defer log.out.Close()
	cfg.OnEvent = log.event

	// Signals are caught before the address is printed, as serve does: a
	// script that reads it and signals at once gets a clean drain.
	ctx, stop := cmdutil.SignalContext(ctx)
	defer stop()

	em := emulator.New(cfg)
	addr := net.JoinHostPort(opts.Addr, strconv.Itoa(opts.Port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return cmdutil.WithHint(fmt.Errorf("listen on %s: %w", addr, err), cmdutil.ExitFailed,
			"choose another --port, or --port 0 for a free one")
	}
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(opts.IO.Out, "listening on %s\n", base)
	log.startup(base, opts, script)
	log.faultStartup(base, opts, cfg, callers)
	log.accountStartup(base, cfg)
	if opts.Ready != nil {
		opts.Ready(base)
	}

	// Capped as serve's listener is (connlimit.DefaultMax): idle
	// keep-alive connections are shed first.
	limited := connlimit.New(ln, 0)
	srv := &http.Server{
		Handler:   em.Handler(opts.APIKey, callers.CallerFor),
		ConnState: limited.ConnState,
		// Send Callflow is answered before the call is played, so these
		// are short, like 8x8's answers.
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          stdlog.New(serverLog{log}, "", 0),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(limited) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serving on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	log.info(fmt.Sprintf("shutting down: no new calls, finishing calls in flight (up to %s)", opts.DrainTimeout))
	dctx, cancel := context.WithTimeout(context.Background(), opts.DrainTimeout)
	defer cancel()
	err = srv.Shutdown(dctx)
	<-errc
	if serr := em.Shutdown(dctx); err == nil {
		err = serr
	}
	if err != nil {
		srv.Close()
		return cmdutil.WithHint(fmt.Errorf("shutdown: calls still in flight after %s: %w", opts.DrainTimeout, err), cmdutil.ExitFailed, "")
	}
	log.info("stopped")
	return nil
}

// logger writes one line per event on stderr, like serve's text log:
// "15:04:05.000 KIND session message". Session steps are logged from
// concurrent sessions through a cmdutil.LineWriter, as serve logs: lines
// stay whole, and a stderr that stops draining drops lines (and says how
// many) instead of stalling every call and the shutdown.
type logger struct {
	out *cmdutil.LineWriter
	p   cmdutil.Palette
}

func (l *logger) event(e emulator.Event) {
	kind := fmt.Sprintf("%-7s", e.Kind)
	if e.Error {
		kind = l.p.Red(kind)
	} else {
		kind = l.p.Cyan(kind)
	}
	line := l.p.Gray(e.Time.Format("15:04:05.000")) + " " + kind
	if e.Session != "" {
		line += " " + clean(e.Session)
	}
	line += " " + clean(e.Message) + "\n"
	l.out.WriteLine([]byte(line))
}

func (l *logger) info(msg string) {
	l.event(emulator.Event{Time: time.Now(), Kind: "SERVER", Message: msg})
}

// serverLog turns net/http's own complaints (bad requests, accept errors)
// into log lines of the same shape instead of a second, unformatted stream.
type serverLog struct{ l *logger }

func (s serverLog) Write(p []byte) (int, error) {
	s.l.event(emulator.Event{Time: time.Now(), Kind: "SERVER", Error: true, Message: strings.TrimSpace(string(p))})
	return len(p), nil
}

// startup says what the emulator runs with, naming no secret.
func (l *logger) startup(base string, opts *EmulateOptions, s emulator.Script) {
	l.info("Send Callflow: POST " + base + strings.Replace(emulator.PathCallflows, "{id}", "{subaccount}", 1))
	vca := "none (unless registered with the Webhooks API): callflows with sayAndCapture are refused -1004"
	if opts.VCAURL != "" {
		vca = redact.URL(opts.VCAURL)
	}
	vss := "not posted"
	if opts.VSSURL != "" {
		vss = redact.URL(opts.VSSURL)
	}
	l.info("VCA webhook " + vca + "; VSS " + vss)
	key := "any Bearer token (no IVRCTL_API_KEY)"
	if opts.APIKey != "" {
		key = "the configured one, as Bearer token" // never shown, not even masked
	}
	sub := "any"
	if opts.Subaccount != "" {
		sub = opts.Subaccount
	}
	l.info("API key: " + key + "; sub-account: " + sub)
	press := "none (hangs up at the first prompt)"
	if len(s.Press) > 0 {
		press = strconv.Quote(strings.Join(s.Press, ","))
	}
	l.info(fmt.Sprintf("callers: callee %s, agent %s, keys %s", s.Answer, s.Agent, press))
}

// clean makes a value from a request (a sessionId, a webhook's error)
// safe for a terminal, as serve's log does: it cannot forge log lines.
func clean(s string) string { return cmdutil.TerminalSafe(s, false) }
