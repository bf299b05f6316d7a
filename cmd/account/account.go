// Package account is what the commands that read or change the 8x8
// sub-account share (webhooks, profiles, numbers, and the checks call and
// validate --online make): the settings and client, the on-disk cache of
// the speech profiles and numbers, and the mapping of the API's errors to
// exit codes.
package account

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/accountcache"
	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/redact"
	"github.com/ivrctl/ivrctl/pkg/voiceapi"
)

// DefaultTimeout bounds one request to an account endpoint.
const DefaultTimeout = 30 * time.Second

// Options are the settings every account command takes.
type Options struct {
	// APIKey comes from IVRCTL_API_KEY or the config file only, as for call.
	APIKey     string
	Subaccount string
	BaseURL    string
	Version    string
	HTTPClient func() *http.Client
	CacheDir   func() (string, error)

	// Retries and Timeout of each request; zero means the defaults.
	Retries int
	Timeout time.Duration
	// Sleep replaces the wait between retries (tests); nil is a real timer.
	Sleep func(context.Context, time.Duration) error
	// Now is the cache's clock (tests); nil is the real one.
	Now func() time.Time
}

// NewOptions takes the shared settings from the factory. The API key is
// read in FromConfig, once flags, environment and file are bound.
func NewOptions(f *cmdutil.Factory) *Options {
	return &Options{Version: f.Version, HTTPClient: f.HTTPClient, CacheDir: f.CacheDir, Sleep: f.RetrySleep}
}

// AddFlags adds --subaccount and --base-url.
func AddFlags(fl *pflag.FlagSet, o *Options) {
	fl.StringVar(&o.Subaccount, cmdutil.KeySubaccount, "", "8x8 sub-account id")
	fl.StringVar(&o.BaseURL, cmdutil.KeyBaseURL, cmdutil.DefaultBaseURL, "8x8 voice API base URL")
}

// FromConfig reads the API key from the bound configuration.
func (o *Options) FromConfig(f *cmdutil.Factory) {
	o.APIKey, _ = f.Config.Get(cmdutil.KeyAPIKey)
}

// Check reports every missing or malformed setting as a usage error.
func (o *Options) Check() error {
	var errs []error
	if o.APIKey == "" {
		errs = append(errs, MissingAPIKey())
	}
	if o.Subaccount == "" {
		errs = append(errs, cmdutil.MissingSetting(cmdutil.KeySubaccount))
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if !callflow.ValidSubaccount(o.Subaccount) {
		return cmdutil.Usagef("--subaccount %q: 8x8 sub-account ids are 3 to 50 of A-Z a-z 0-9 - . _ &", o.Subaccount)
	}
	return nil
}

// MissingAPIKey is the error for an unset API key: it has no flag.
func MissingAPIKey() error {
	return cmdutil.Usagef("no %s set: use %s, or %s: in the config file (%s); there is no flag, to keep the key out of ps",
		cmdutil.KeyAPIKey, cmdutil.EnvName(cmdutil.KeyAPIKey), cmdutil.KeyAPIKey, cmdutil.DefaultConfigFile())
}

// Client builds the API client. A bad base URL is a usage error.
func (o *Options) Client() (*voiceapi.Client, error) {
	var hc *http.Client
	if o.HTTPClient != nil {
		hc = o.HTTPClient()
	}
	c, err := voiceapi.New(o.BaseURL, o.APIKey, hc)
	if err != nil {
		return nil, cmdutil.Usagef("--%s: %s", cmdutil.KeyBaseURL,
			strings.TrimPrefix(strings.TrimPrefix(err.Error(), "base URL: "), "base URL "))
	}
	c.UserAgent = "ivrctl/" + o.Version
	c.Timeout = DefaultTimeout
	if o.Timeout > 0 {
		c.Timeout = o.Timeout
	}
	if o.Retries != 0 {
		c.Retries = max(o.Retries, 0)
	}
	if o.Sleep != nil {
		c.Sleep = o.Sleep
	}
	return c, nil
}

// Cache returns the cache in the configured directory; a directory that
// cannot be found gives a disabled cache (every lookup asks 8x8).
func (o *Options) Cache() *accountcache.Cache {
	c := &accountcache.Cache{Now: o.Now}
	if o.CacheDir != nil {
		if dir, err := o.CacheDir(); err == nil {
			c.Dir = dir
		}
	}
	return c
}

// Lister builds the client and the cache for the lookups.
func (o *Options) Lister() (*accountcache.Lister, error) {
	c, err := o.Client()
	if err != nil {
		return nil, err
	}
	return &accountcache.Lister{Client: c, Cache: o.Cache(), Subaccount: o.Subaccount}, nil
}

// Error turns an error of the account API into one line naming what was
// asked, with the exit code the README lists: 3 when 8x8 refused the key
// (401/403), 4 for any other HTTP error or a network failure. The API key
// is masked wherever it might appear.
func Error(what string, err error, apiKey string) error {
	if err == nil {
		return nil
	}
	var (
		apiErr  *voiceapi.APIError
		tErr    *voiceapi.TransportError
		exitErr *cmdutil.ExitError
		out     *cmdutil.ExitError
	)
	switch {
	case errors.As(err, &exitErr):
		out = exitErr
	case errors.Is(err, voiceapi.ErrStopped):
		out = &cmdutil.ExitError{Code: cmdutil.ExitInterrupted, Err: fmt.Errorf("%s: %w", what, err)}
	case errors.As(err, &apiErr):
		out = &cmdutil.ExitError{Code: cmdutil.ExitTransport, Err: fmt.Errorf("%s: %s", what, Describe(apiErr))}
		switch {
		case apiErr.Kind == voiceapi.KindAuth:
			out.Code = cmdutil.ExitRejected
			out.Err = fmt.Errorf("%s: 8x8 refused the API key %s: %s", what, redact.Mask(apiKey), Describe(apiErr))
			out.Hint = "check the API key (IVRCTL_API_KEY); keys are on the Connect portal's API Keys page"
		case apiErr.Kind == voiceapi.KindRateLimited:
			out.Hint = "8x8's rate limit: try again later"
		case apiErr.HTTPStatus == http.StatusNotFound:
			out.Hint = "check the sub-account id (IVRCTL_SUBACCOUNT)"
		}
	case errors.As(err, &tErr):
		out = &cmdutil.ExitError{Code: cmdutil.ExitTransport, Err: fmt.Errorf("%s: %w", what, err),
			Hint: "check --base-url and the network"}
	default:
		out = &cmdutil.ExitError{Code: cmdutil.ExitTransport, Err: fmt.Errorf("%s: %w", what, err)}
	}
	// The client masks the answers it reads; this covers any other path.
	return cmdutil.RedactError(out, apiKey)
}

// Describe renders 8x8's answer as its HTTP status, the body's own status
// code when it says something more, and the message.
func Describe(e *voiceapi.APIError) string {
	s := fmt.Sprintf("HTTP %d", e.HTTPStatus)
	if e.StatusCode != 0 && e.StatusCode != e.HTTPStatus {
		s += fmt.Sprintf(" (statusCode %d)", e.StatusCode)
	}
	msg := e.StatusMessage
	if msg == "" {
		msg = http.StatusText(e.HTTPStatus)
	}
	return s + ": " + msg
}
