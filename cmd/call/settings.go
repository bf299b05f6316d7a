package call

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ivrctl/ivrctl/cmd/account"
	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/menu"
	"github.com/ivrctl/ivrctl/pkg/voiceapi"
)

// Settings are what every command placing calls shares with `call`: the
// account, the caller ID, the menu and how requests are sent. `campaign`
// embeds them too, so both read the same flags, IVRCTL_* variables and
// config file keys, with the same checks.
type Settings struct {
	// APIKey comes from IVRCTL_API_KEY or the config file only: a flag
	// would put it in `ps` and the shell history.
	APIKey     string
	From       string
	Agent      string
	Subaccount string
	BaseURL    string
	Menu       string
	Retries    int
	// NoProfileCheck skips checking voiceProfile against the sub-account's
	// speech profiles (see account.go).
	NoProfileCheck bool
}

// AddFlags defines the settings' flags on cmd.
func (s *Settings) AddFlags(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&s.From, cmdutil.KeyFrom, "", "virtual number the call comes from (caller ID)")
	fl.StringVar(&s.Agent, cmdutil.KeyAgent, "", "number the menu's connect option rings")
	fl.StringVar(&s.Subaccount, cmdutil.KeySubaccount, "", "8x8 sub-account id")
	fl.StringVar(&s.BaseURL, cmdutil.KeyBaseURL, cmdutil.DefaultBaseURL, "8x8 voice API base URL")
	fl.StringVar(&s.Menu, cmdutil.KeyMenu, "", "menu file whose start prompt the call plays (default: the embedded simple IVR)")
	fl.IntVar(&s.Retries, "retries", voiceapi.DefaultRetries, "retries after a 429 or a failed connection (never after sending)")
	fl.BoolVar(&s.NoProfileCheck, "no-profile-check", false, "do not check voiceProfile against the sub-account's speech profiles before sending")
}

// LoadAPIKey reads the API key from the environment or the config file.
func (s *Settings) LoadAPIKey(c *cmdutil.Config) { s.APIKey, _ = c.Get(cmdutil.KeyAPIKey) }

// Check checks the settings; errors are usage errors (nothing sent).
func (s *Settings) Check() error {
	var missing []error
	if s.APIKey == "" {
		missing = append(missing, account.MissingAPIKey())
	}
	if s.Subaccount == "" {
		missing = append(missing, cmdutil.MissingSetting(cmdutil.KeySubaccount))
	}
	if s.From == "" {
		missing = append(missing, cmdutil.MissingSetting(cmdutil.KeyFrom))
	}
	if len(missing) > 0 {
		err := errors.Join(missing...)
		if s.APIKey == "" {
			// No key is most often no account yet: say how to try it all locally.
			return &cmdutil.ExitError{Code: cmdutil.ExitUsage, Err: err, Hint: cmdutil.EmulateHint}
		}
		return err
	}
	if !callflow.ValidSubaccount(s.Subaccount) {
		return cmdutil.Usagef("--subaccount %q: 8x8 sub-account ids are 3 to 50 of A-Z a-z 0-9 - . _ &", s.Subaccount)
	}
	if !callflow.IsPhoneNumber(s.From) {
		return cmdutil.Usagef("--from %q is not a phone number: use the virtual number in E.164, e.g. +6561115777", s.From)
	}
	if s.Agent != "" && !callflow.IsPhoneNumber(s.Agent) {
		return cmdutil.Usagef("--agent %q is not a phone number: use E.164, e.g. +6512345678", s.Agent)
	}
	if s.Retries < 0 {
		return cmdutil.Usagef("--retries %d: must be 0 or more", s.Retries)
	}
	return nil
}

// LoadEngine loads the menu with the settings' numbers.
func (s *Settings) LoadEngine(load func(path string, numbers menu.Numbers) (*menu.Engine, error)) (*menu.Engine, error) {
	return load(s.Menu, menu.Numbers{From: s.From, Agent: s.Agent})
}

// NewClient makes the Send Callflow client: conns idle connections kept
// per host (one per worker), each request bounded by timeout.
func (s *Settings) NewClient(hc *http.Client, version string, conns int, timeout time.Duration) (*voiceapi.Client, error) {
	if hc.Transport == nil {
		// The default transport keeps 2 idle connections per host: a batch
		// would open and close one per call. Keep one per worker.
		cp := *hc
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = conns
		cp.Transport = t
		hc = &cp
	}
	client, err := voiceapi.New(s.BaseURL, s.APIKey, hc)
	if err != nil {
		return nil, cmdutil.Usagef("--%s: %w", cmdutil.KeyBaseURL, unprefix(err))
	}
	client.UserAgent = "ivrctl/" + version
	client.Retries = s.Retries
	client.Timeout = timeout
	return client, nil
}

// Request encodes the Send Callflow request that calls number from
// --from and plays initial (the menu's start prompt), and checks it as
// 8x8 would: an error is a usage error, nothing sent.
func (s *Settings) Request(number string, initial callflow.Action, validUntil, crid string) ([]byte, error) {
	req := callflow.Request{
		Callflow: []callflow.Action{
			{Action: callflow.ActionMakeCall, Params: &callflow.Params{
				Source: callflow.Some(s.From), Destination: callflow.Some(number)}},
			initial,
		},
		ValidUntil:      validUntil,
		ClientRequestID: crid,
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("encode the request for %s: %w", number, err)
	}
	if problems := callflow.ValidateJSON(body, callflow.KindRequest); len(problems) > 0 {
		return nil, &cmdutil.ExitError{Code: cmdutil.ExitUsage,
			Err:  fmt.Errorf("the request for %s would be refused, nothing sent:\n%w", number, problems),
			Hint: "check the menu's start prompt with: ivrctl validate MENU"}
	}
	return body, nil
}

// unprefix drops voiceapi's "base URL" prefix, the flag name says it.
func unprefix(err error) error {
	return errors.New(strings.TrimPrefix(strings.TrimPrefix(err.Error(), "base URL: "), "base URL "))
}
