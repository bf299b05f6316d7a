// Package webhookopts holds the webhook server settings that `serve` and
// `call --wait` share: their configuration keys and flags, the checks on
// them, and their translation into a webhook.Config. Both commands read
// the same IVRCTL_* variables and config file keys through it, so a call
// waited for is answered with the authentication, allow list, sessions
// file and recording that `serve` would use.
package webhookopts

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/sessions"
	"github.com/ivrctl/ivrctl/pkg/webhook"
)

// Configuration keys (flag names, IVRCTL_* variables, config file keys).
const (
	KeyAuthSecret = "auth-secret"
	KeyAuthHeader = "auth-header"
	KeyToken      = "token"
	KeyBasicAuth  = "basic-auth"
	KeyAllowIP    = "allow-ip"
	KeyTrustProxy = "trust-proxy"
	KeySessions   = "sessions"
	KeyRecord     = "record"
)

// Where a webhook server listens unless told otherwise.
const (
	// DefaultAddr is loopback: a tunnel or reverse proxy on the same host
	// reaches it and nothing else can. Listening on every interface is a
	// deliberate choice (serve --addr 0.0.0.0, call --listen :8080).
	DefaultAddr = "127.0.0.1"
	DefaultPort = 8080
)

// maxSecrets is how many --auth-secret values are accepted: the new and
// the old one while rotating.
const maxSecrets = 2

// Options are the webhook server's settings as flags fill them.
type Options struct {
	RecordPath string
	Sessions   string

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

// AddFlags defines the flags on cmd.
func (o *Options) AddFlags(cmd *cobra.Command) {
	if o.DrainTimeout == 0 {
		o.DrainTimeout = webhook.DefaultDrainTimeout
	}
	fl := cmd.Flags()
	fl.StringVar(&o.RecordPath, KeyRecord, "", "record every VCA event and its answer in `PATH`: a directory (X.json, X.expected.json) or, on a busy server, one archive file ending in .jsonl")
	fl.StringVar(&o.Sessions, KeySessions, "", "session store: a JSON Lines `FILE` (default $XDG_STATE_HOME/ivrctl/sessions.jsonl) or a postgres:// URL")
	// Secrets are string flags, whose Set never fails: a flag parse
	// error would quote the value.
	fl.StringVar(&o.AuthSecret, KeyAuthSecret, "", "shared `SECRET` expected in --auth-header; two, comma-separated, while rotating")
	fl.StringVar(&o.AuthHeader, KeyAuthHeader, webhook.DefaultAuthHeader, "header carrying the shared secret")
	fl.StringVar(&o.Token, KeyToken, "", "secret expected in the ?token= query parameter")
	fl.StringVar(&o.BasicAuth, KeyBasicAuth, "", "HTTP basic credentials `user:pass`")
	fl.StringSliceVar(&o.AllowIPs, KeyAllowIP, nil, "only accept clients from these `CIDRs` (or IPs), comma-separated")
	fl.BoolVar(&o.TrustProxy, KeyTrustProxy, false, "behind a reverse proxy: the client is the right-most X-Forwarded-For entry")
	_ = cmd.MarkFlagFilename(KeySessions, "jsonl")
	_ = cmd.MarkFlagDirname(KeyRecord)
	cmdutil.CompleteFlagValues(cmd, nil, KeyAuthSecret, KeyAuthHeader, KeyToken, KeyBasicAuth, KeyAllowIP)
}

// Config checks the options and turns them into a server configuration
// without its Engine, which the caller loads. Errors are usage errors
// (exit 2) and never quote a secret.
func (o *Options) Config() (webhook.Config, error) {
	var cfg webhook.Config
	auth := webhook.Auth{Header: strings.TrimSpace(o.AuthHeader), Token: o.Token}
	// Split here, not by pflag: a YAML list in the config file arrives
	// joined with commas too (auth-secret: [new, old]).
	for s := range strings.SplitSeq(o.AuthSecret, ",") {
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
	// A secret or a header name no HTTP request can carry would refuse
	// every webhook with 401, silently.
	for _, s := range auth.Secrets {
		if strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }) {
			return cfg, cmdutil.Usagef("--auth-secret: no control characters: it travels in an HTTP header")
		}
	}
	if len(auth.Secrets) > 0 && !isToken(auth.Header) {
		return cfg, cmdutil.Usagef("--auth-header %q: not a header name (letters, digits and !#$%%&'*+-.^_`|~)", auth.Header)
	}
	if o.BasicAuth != "" {
		user, pass, ok := strings.Cut(o.BasicAuth, ":")
		if !ok || user == "" || pass == "" {
			// Never echo the value: it is a credential.
			return cfg, cmdutil.Usagef("--basic-auth: expected user:pass with both parts non-empty")
		}
		auth.BasicUser, auth.BasicPass = user, pass
	}
	allow, err := webhook.ParsePrefixes(o.AllowIPs)
	if err != nil {
		return cfg, cmdutil.Usagef("--%w", err)
	}
	store := o.Sessions
	if store == "" {
		if store, err = sessions.DefaultPath(); err != nil {
			return cfg, cmdutil.Usagef("%w: set --sessions", err)
		}
	}
	return webhook.Config{
		SessionsPath: store,
		RecordPath:   o.RecordPath,
		Auth:         auth,
		AllowIPs:     allow,
		TrustProxy:   o.TrustProxy,
		DrainTimeout: o.DrainTimeout,
	}, nil
}

// ExposureWarning is the start-up warning for a server without
// authentication on an address other machines can reach ("" : none).
func ExposureWarning(a net.Addr, auth bool) string {
	if auth || isLoopback(a) {
		return ""
	}
	return fmt.Sprintf("no authentication on %s: anyone who can reach it can drive your menu and fill your sessions file; set --auth-secret, --token or --basic-auth (and --allow-ip)", a)
}

func isLoopback(a net.Addr) bool {
	ap, err := netip.ParseAddrPort(a.String())
	return err == nil && ap.Addr().Unmap().IsLoopback()
}
