// Package dial implements `ivrctl dial`: ring your IVR yourself, in the
// terminal. The call is pkg/emulator's session (the one `ivrctl test`
// plays) with pkg/phone's person at the keys, on a real clock; this
// package parses the flags and renders: a full-screen phone (bubbletea)
// on a terminal, plain lines read from stdin otherwise. --save writes the
// call just played as a scenario `ivrctl test` passes.
package dial

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/cmd/webhookopts"
	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/emulator"
	"github.com/ivrctl/ivrctl/pkg/menu"
	"github.com/ivrctl/ivrctl/pkg/phone"
	"github.com/ivrctl/ivrctl/pkg/redact"
	"github.com/ivrctl/ivrctl/pkg/scenario"
	"github.com/ivrctl/ivrctl/pkg/webhook"
)

// Options are the flags and inputs of `ivrctl dial`.
type Options struct {
	IO      *cmdutil.IOStreams
	LoadEng func(path string, numbers menu.Numbers) (*menu.Engine, error)

	Menu       string
	Webhook    string
	AuthSecret string
	AuthHeader string
	Timeout    time.Duration
	To         string
	From       string
	Inbound    bool
	Save       string
	Speak      bool
	Pace       float64

	// Terminal says stdin and stdout are a terminal (the full-screen
	// phone); otherwise the line mode. Set by the command.
	Terminal bool
}

// NewCmdDial builds the command; runF replaces the run function in tests.
func NewCmdDial(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IO, LoadEng: f.LoadEngine}
	cmd := &cobra.Command{
		Use:   "dial [--menu FILE | --webhook URL] [flags]",
		Short: "Ring your IVR yourself in the terminal, and save the call as a test",
		Long: `Ring your IVR and answer it yourself: a phone in the terminal, on a real
clock. The call is played by ivrctl's 8x8 emulator, the very session 'ivrctl
test' plays: it rings you, says each text word by word at the pace 8x8's
speech takes (150 words a minute at speed 1), and waits for your keys at each
prompt under its digitTimeout and overallTimeout, with the tries left shown.

Keys: 0-9 * # are DTMF; space lets the timeout run out at once (silence, or
the keys so far); h hangs up; q (or Ctrl-C) quits. The side pane shows each
webhook round trip (the event sent, the callflow answered, its latency), and
the session summary (VSS) when the call ends.

--inbound turns the call around: you are the caller, dialling one of the
sub-account's virtual numbers (--to, default the menu's numbers.from) from
your number (--from, default +6590000000), as 'ivrctl emulate ring' rings one.
8x8 sends no Send Callflow request then: it posts CALL_RECEIVED (callDirection
INBOUND) to the webhook, and the callflow answered is the call; the screen
says INBOUND, and --save writes call: {direction: inbound, to, from}.

Without --webhook the menu answers in-process (--menu FILE, default the
embedded simple IVR): no setup. With --webhook URL every VCA event goes to
that URL (a running 'ivrctl serve', or your own backend), with --auth-secret
in --auth-header as 'ivrctl test --webhook' sends it; the menu still gives the
first prompt, as the Send Callflow request plays it.

When stdin or stdout is not a terminal, dial reads one line per prompt from
stdin instead: keys to press (1, 42#), an empty line for silence, h to hang
up, q to quit; the end of input hangs up. It prints what is heard, pressed and
sent, one line each, without waiting: a script at the keys.

--save FILE writes the call as a scenario (the prompts heard, the keys
pressed, the outcome) that 'ivrctl test FILE' passes as written; after
--webhook, run it with 'ivrctl test --webhook URL FILE' (the URL, which may
hold a secret, is not written). --speak says the texts aloud with espeak-ng
when it is installed (apt-get install espeak-ng); the call never waits for it.

Exit codes (those of 'call --wait'):
    0  the call completed (the file of --save is written)
    2  bad usage, or a menu that cannot be read
    3  the Send Callflow request was refused (NOT_CREATED), or the inbound
       call could not ring
    5  the call ended BUSY, NO_ANSWER, FAILED or CANCELED
    6  the session ended in ERROR (a webhook that failed)
  130  you quit (q, Ctrl-C) before the call ended; nothing is saved`,
		Example: `  $ ivrctl dial
  $ ivrctl dial --menu testdata/menus/advanced-ivr.yaml --save booking.yaml
  $ ivrctl dial --webhook http://127.0.0.1:8080/webhooks/vca
  $ printf '2\n' | ivrctl dial
  $ printf '1\n' | ivrctl dial --inbound --to 6512345678 --from 6590000001`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.check(); err != nil {
				return err
			}
			opts.Terminal = isTerminal(f.IO.In) && isTerminal(f.IO.Out)
			if runF != nil {
				return runF(opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Menu, cmdutil.KeyMenu, "", "menu file (default: the embedded simple IVR)")
	fl.StringVar(&opts.Webhook, "webhook", "", "post every VCA event to `URL` (a running serve or your backend) instead of answering with the menu in-process")
	fl.StringVar(&opts.AuthSecret, webhookopts.KeyAuthSecret, "", "shared `SECRET` sent in --auth-header to --webhook (as 8x8 sends httpAuthHeader)")
	fl.StringVar(&opts.AuthHeader, webhookopts.KeyAuthHeader, webhook.DefaultAuthHeader, "`NAME` of the header carrying --auth-secret")
	fl.DurationVar(&opts.Timeout, "timeout", 5*time.Second, "time limit of each webhook round trip")
	fl.StringVar(&opts.To, "to", "", "the number called: yours (default "+scenario.DefaultTo+"); with --inbound the virtual number you dial (default: the menu's numbers.from)")
	fl.StringVar(&opts.From, cmdutil.KeyFrom, "", "the number calling: the virtual number (default: the menu's numbers.from); with --inbound yours (default "+scenario.DefaultTo+")")
	fl.BoolVar(&opts.Inbound, "inbound", false, "an inbound call: you dial the virtual number --to from --from, the webhook gets CALL_RECEIVED")
	fl.StringVar(&opts.Save, "save", "", "write the call as a scenario `FILE` that ivrctl test passes")
	fl.BoolVar(&opts.Speak, "speak", false, "say the texts aloud with espeak-ng, when installed")
	fl.Float64Var(&opts.Pace, "pace", 1, "time `FACTOR`: 2 plays speech, rings and timeouts twice as fast")
	_ = cmd.MarkFlagFilename(cmdutil.KeyMenu, "yaml", "yml", "json")
	_ = cmd.MarkFlagFilename("save", "yaml", "yml")
	cmdutil.CompleteFlagValues(cmd, nil, "webhook", "to", webhookopts.KeyAuthSecret, webhookopts.KeyAuthHeader, "timeout", "pace")
	return cmd
}

func (o *Options) check() error {
	if o.Webhook != "" {
		if err := scenario.CheckWebhookURL(o.Webhook); err != nil {
			return cmdutil.Usagef("--webhook %w", err)
		}
		if err := o.sender().Check(map[string]string{"webhook": o.Webhook}); err != nil {
			return err
		}
	}
	if o.To != "" && !callflow.IsPhoneNumber(o.To) {
		return cmdutil.Usagef("--to %q is not a phone number: 7 to 15 digits, optional +", o.To)
	}
	if o.From != "" && !callflow.IsPhoneNumber(o.From) {
		return cmdutil.Usagef("--from %q is not a phone number: 7 to 15 digits, optional +", o.From)
	}
	if o.Timeout <= 0 {
		return cmdutil.Usagef("--timeout %s: must be more than 0", o.Timeout)
	}
	if o.Pace <= 0 || o.Pace > 1000 {
		return cmdutil.Usagef("--pace %g: use more than 0 and at most 1000 (1: real time)", o.Pace)
	}
	if o.Save != "" {
		if st, err := os.Stat(filepath.Dir(o.Save)); err != nil || !st.IsDir() {
			return cmdutil.Usagef("--save %s: its directory does not exist", o.Save)
		}
	}
	return nil
}

func (o *Options) sender() webhookopts.Sender {
	return webhookopts.Sender{Secret: o.AuthSecret, Header: o.AuthHeader}
}

func isTerminal(v any) bool {
	f, ok := v.(interface{ Fd() uintptr })
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// call is everything a face needs to play one call.
type call struct {
	opts  *Options
	eng   *menu.Engine
	title string
	start string // the menu the Send Callflow request's prompt opens
	c     phone.Call
	// to and from are the call's numbers, defaults filled in; inbound
	// says you dial to (a virtual number) rather than being rung.
	to, from string
	inbound  bool
}

func prepare(o *Options) (*call, error) {
	eng, err := o.LoadEng(o.Menu, menu.Numbers{})
	if err != nil {
		return nil, err
	}
	c := &call{opts: o, eng: eng, start: eng.Menu().Start, c: phone.Call{WebhookTimeout: o.Timeout}, inbound: o.Inbound}
	if o.Inbound {
		// Choice: the virtual number dialled is the menu's own
		// (numbers.from, the caller ID its connects use), and you call
		// from the number an outbound dial rings, which is also what an
		// inbound scenario without from: calls from.
		c.to, c.from = cmp.Or(o.To, eng.Numbers().From), cmp.Or(o.From, scenario.DefaultTo)
		if c.to == "" {
			return nil, cmdutil.Usagef("--to: the menu sets no numbers.from, so give the virtual number you dial")
		}
		c.c.Inbound = &emulator.Inbound{To: c.to, From: c.from}
	} else {
		c.to, c.from = cmp.Or(o.To, scenario.DefaultTo), cmp.Or(o.From, eng.Numbers().From)
		if c.from == "" {
			return nil, cmdutil.Usagef("--from: the menu sets no numbers.from, so give the number the call comes from")
		}
		req, err := scenario.MenuRequest(eng, c.from, c.to)
		if err != nil {
			return nil, fmt.Errorf("building the Send Callflow request: %w", err)
		}
		c.c.Request = req
	}
	answers := eng.Menu().File
	if o.Webhook != "" {
		c.c.Webhook = &emulator.HTTPWebhook{URL: o.Webhook, Timeout: o.Timeout, Header: o.sender().HTTPHeader()}
		answers = redact.URL(o.Webhook)
	} else {
		c.c.Webhook = emulator.EngineWebhook{Engine: eng}
	}
	c.title = fmt.Sprintf("%s → %s · %s", c.from, c.to, answers)
	if c.inbound {
		c.title = "inbound · " + c.title
	}
	return c, nil
}

func run(ctx context.Context, o *Options) error {
	c, err := prepare(o)
	if err != nil {
		return err
	}
	// Ctrl-C outside the phone's raw terminal (the line mode, a kill)
	// hangs up; a second one kills.
	ctx, stop := cmdutil.SignalContext(ctx)
	defer stop()
	var sp *speaker
	if o.Speak {
		if sp = newSpeaker(ctx, o.Pace); sp == nil {
			fmt.Fprintf(o.IO.ErrOut, "ivrctl: --speak: espeak-ng is not installed (apt-get install espeak-ng); the call goes on in silence\n")
		} else {
			defer sp.stop()
		}
	}
	var out outcome
	if o.Terminal {
		out, err = playTUI(ctx, c, sp)
	} else {
		out, err = playLines(ctx, c, sp)
	}
	if err != nil {
		return err
	}
	return out.finish(c)
}

// outcome is how a call ended for the person.
type outcome struct {
	res  *phone.Result
	err  error // the request was refused
	quit bool  // q, Ctrl-C, a signal: the call was left before its end
}

func (out outcome) finish(c *call) error {
	var rej *emulator.RejectedError
	var ring *emulator.RingError
	switch {
	case out.quit:
		return &cmdutil.SilentError{Code: cmdutil.ExitInterrupted}
	case errors.As(out.err, &rej):
		return &cmdutil.ExitError{Code: cmdutil.ExitRejected, Err: fmt.Errorf("the Send Callflow request was refused: %w", out.err)}
	case errors.As(out.err, &ring):
		return &cmdutil.ExitError{Code: cmdutil.ExitRejected, Err: fmt.Errorf("the inbound call could not ring: %w", out.err)}
	case out.err != nil:
		return out.err
	}
	if c.opts.Save != "" {
		if err := save(c, out.res); err != nil {
			return err
		}
	}
	if code := cmdutil.OutcomeCode(out.res.Transcript.Status()); code != cmdutil.ExitOK {
		return &cmdutil.SilentError{Code: code}
	}
	return nil
}

// save writes the call as a scenario file.
func save(c *call, res *phone.Result) error {
	o := c.opts
	sc := scenario.Call{To: o.To, From: o.From}
	if c.inbound {
		// An inbound scenario names the number dialled (required) and,
		// to be read without knowing the default, the caller.
		sc.Inbound, sc.To, sc.From = true, c.to, c.from
	}
	if o.Menu != "" {
		rel, err := relTo(o.Save, o.Menu)
		if err != nil {
			return fmt.Errorf("--save: %w", err)
		}
		sc.Menu = rel
	}
	s, err := res.Scenario(scenarioName(res.Steps), sc)
	if err != nil {
		return fmt.Errorf("--save: %w", err)
	}
	s.Description = "Saved by ivrctl dial."
	if o.Webhook != "" {
		// Choice: the URL is not written (it may hold ?token= or
		// user:pass); the scenario is run with --webhook again.
		s.Description = "Saved by ivrctl dial against a webhook: play it with ivrctl test --webhook URL."
	}
	var buf bytes.Buffer
	if err := scenario.Write(&buf, []*scenario.Scenario{s}); err != nil {
		return fmt.Errorf("--save: %w", err)
	}
	if err := os.WriteFile(o.Save, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("--save: %w", err)
	}
	return nil
}

// relTo is target as written in a scenario file at file: relative to
// that file's directory, as scenario files resolve call.menu.
func relTo(file, target string) (string, error) {
	dir, err := filepath.Abs(filepath.Dir(file))
	if err != nil {
		return "", err
	}
	abs, err := filepath.Abs(target)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(dir, abs)
	if err != nil {
		return abs, nil
	}
	return filepath.ToSlash(rel), nil
}

// scenarioName says what was done: "dialled: silence, 2, hang up".
func scenarioName(steps []phone.Step) string {
	if len(steps) == 0 {
		return "dialled: no prompt"
	}
	parts := make([]string, len(steps))
	for i, st := range steps {
		switch st.Action {
		case phone.ActionPress:
			parts[i] = st.Keys
		case phone.ActionSilence:
			parts[i] = "silence"
		default:
			parts[i] = "hang up"
		}
	}
	return "dialled: " + strings.Join(parts, ", ")
}
