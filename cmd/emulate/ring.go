package emulate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/emulator"
	"github.com/ivrctl/ivrctl/pkg/redact"
)

// RingOptions are the flags of `ivrctl emulate ring`.
type RingOptions struct {
	IO         *cmdutil.IOStreams
	Context    context.Context
	Emulator   string
	To, From   string
	Subaccount string
	APIKey     string
	Client     *http.Client
}

// DefaultEmulatorURL is where `ivrctl emulate` listens by default.
var DefaultEmulatorURL = "http://" + DefaultAddr + ":" + strconv.Itoa(DefaultPort)

// ringTimeout bounds the ring request: the emulator answers before it
// plays the call.
const ringTimeout = 10 * time.Second

func newCmdRing(f *cmdutil.Factory) *cobra.Command {
	opts := &RingOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "ring --to VIRTUAL_NUMBER --from CALLER [--emulator URL]",
		Short: "Ring an inbound call on a running emulator",
		Long: `Ring an inbound call on a running 'ivrctl emulate': a caller (--from) dials one
of the sub-account's virtual numbers (--to). The emulator posts 8x8's
CALL_RECEIVED event (callDirection INBOUND) to the VCA webhook and plays the
callflow it answers, with the caller script of the number dialled (--callers,
else emulate's --press); the summary goes to the VSS webhook as for any call.

It posts {"to": ..., "from": ...} to the emulator's own endpoint
POST /emulator/v1/subaccounts/{id}/inbound-calls, with the Bearer API key call
uses (IVRCTL_API_KEY, any when the emulator requires none), and prints the
sessionId once the call rings.

Exit codes: 0 the call rings, 1 the emulator refused it or could not be
reached, 2 bad usage.`,
		Example: `  $ ivrctl serve --port 8080 &
  $ ivrctl emulate --port 9090 --vca-url http://127.0.0.1:8080/webhooks/vca --press 2 &
  $ ivrctl emulate ring --emulator http://127.0.0.1:9090 --to 6561115777 --from 6512345678`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Context = cmd.Context()
			opts.APIKey, _ = f.Config.Get(cmdutil.KeyAPIKey)
			if opts.Subaccount == "" {
				opts.Subaccount, _ = f.Config.Get(cmdutil.KeySubaccount)
			}
			if opts.Subaccount == "" {
				opts.Subaccount = emulator.DefaultSubAccount
			}
			return runRing(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Emulator, "emulator", DefaultEmulatorURL, "`URL` of the running emulator")
	fl.StringVar(&opts.To, "to", "", "the virtual `NUMBER` dialled (one of emulate's --numbers)")
	fl.StringVar(&opts.From, "from", "", "the caller's `NUMBER`")
	fl.StringVar(&opts.Subaccount, cmdutil.KeySubaccount, "", "sub-account `ID` (default IVRCTL_SUBACCOUNT, else "+emulator.DefaultSubAccount+")")
	cmdutil.CompleteNoArgs(cmd)
	cmdutil.CompleteFlagValues(cmd, nil, "emulator", "to", "from", cmdutil.KeySubaccount)
	return cmd
}

func runRing(opts *RingOptions) error {
	for _, n := range []struct{ flag, val string }{{"to", opts.To}, {"from", opts.From}} {
		if n.val == "" {
			return cmdutil.Usagef("--%s is required", n.flag)
		}
		if !callflow.IsPhoneNumber(n.val) {
			return cmdutil.Usagef("--%s %q is not a phone number: 7 to 15 digits, optional +", n.flag, n.val)
		}
	}
	base, err := url.Parse(opts.Emulator)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return cmdutil.Usagef("--emulator: not an http(s) URL with a host")
	}
	body, _ := json.Marshal(emulator.Inbound{To: opts.To, From: opts.From})
	endpoint := strings.TrimSuffix(opts.Emulator, "/") + strings.Replace(emulator.PathRing, "{id}", url.PathEscape(opts.Subaccount), 1)
	ctx := opts.Context
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, ringTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return cmdutil.Usagef("--emulator: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	key := opts.APIKey
	if key == "" {
		key = "emulator" // an emulator without a key takes any Bearer token
	}
	req.Header.Set("Authorization", "Bearer "+key)
	client := opts.Client
	if client == nil {
		client = emulator.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // its URL may carry credentials
		}
		return cmdutil.WithHint(fmt.Errorf("ring %s: %w", redact.URL(opts.Emulator), err), cmdutil.ExitFailed,
			"is ivrctl emulate running there? It prints its address on start-up")
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var answer struct {
		SessionID     string `json:"sessionId"`
		StatusMessage string `json:"statusMessage"`
	}
	_ = json.Unmarshal(data, &answer)
	if resp.StatusCode != http.StatusAccepted {
		msg := answer.StatusMessage
		if msg == "" {
			msg = http.StatusText(resp.StatusCode)
		}
		return &cmdutil.ExitError{Code: cmdutil.ExitFailed,
			Err: fmt.Errorf("the emulator refused the call: HTTP %d: %s", resp.StatusCode, cmdutil.TerminalSafe(msg, false))}
	}
	fmt.Fprintf(opts.IO.Out, "ringing %s from %s: session %s\n", opts.To, opts.From, cmdutil.TerminalSafe(answer.SessionID, false))
	return nil
}

// faultStartup says what callers, faults and status events the emulator
// plays, at start-up.
func (l *logger) faultStartup(base string, opts *EmulateOptions, cfg emulator.Config, c *emulator.Callers) {
	l.info("inbound calls: ivrctl emulate ring, or POST " + base + strings.Replace(emulator.PathRing, "{id}", "{subaccount}", 1))
	vcs := "not posted (unless registered with the Webhooks API)"
	if opts.VCSURL != "" {
		vcs = redact.URL(opts.VCSURL)
	}
	l.info("VCS (CALL_STATUS) webhook " + vcs)
	if len(c.ByDigit) > 0 {
		l.info(fmt.Sprintf("callers: %d number(s) from %s; others play the flags' script", len(c.ByDigit), opts.Callers))
	}
	if names := cfg.Faults.Names(); len(names) > 0 {
		l.info("faults played on every call: " + strings.Join(names, ", "))
	}
}
