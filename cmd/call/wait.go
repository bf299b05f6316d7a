package call

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/cmd/webhookopts"
	"github.com/ivrctl/ivrctl/pkg/calls"
	"github.com/ivrctl/ivrctl/pkg/sessions"
	"github.com/ivrctl/ivrctl/pkg/voiceapi"
	"github.com/ivrctl/ivrctl/pkg/webhook"
)

// DefaultWaitTimeout bounds --wait's wait for the session summary.
const DefaultWaitTimeout = 5 * time.Minute

// DefaultListen is serve's default address: loopback, reached by 8x8
// through a tunnel or reverse proxy, never open to the network by default.
var DefaultListen = net.JoinHostPort(webhookopts.DefaultAddr, strconv.Itoa(webhookopts.DefaultPort))

// WaitOptions are the flags of `call --wait`.
type WaitOptions struct {
	Wait   bool
	Listen string
	// Webhook are serve's settings: authentication, allow list, sessions
	// file, recording (the menu, --from and --agent are call's own).
	Webhook webhookopts.Options
}

func addWaitFlags(cmd *cobra.Command, o *WaitOptions) {
	fl := cmd.Flags()
	fl.BoolVar(&o.Wait, "wait", false, "answer the call's webhooks with the menu and wait for its session summary")
	fl.StringVar(&o.Listen, "listen", DefaultListen, "with --wait: `ADDR:PORT` to receive 8x8's webhooks on (127.0.0.1:0: a free port)")
	o.Webhook.AddFlags(cmd)
	cmdutil.CompleteFlagValues(cmd, nil, "listen")
}

// prepareWait checks --wait's options before anything is sent or opened,
// and returns the server's configuration.
func prepareWait(opts *CallOptions, p *plan) (webhook.Config, error) {
	if !p.single {
		// One listener could serve a batch, but not one exit code, one
		// timeout and one spinner per call: a batch waits with `serve`.
		return webhook.Config{}, cmdutil.Usagef("--wait waits for one call: give a single --to (for a batch, run ivrctl serve and read its sessions file)")
	}
	if _, port, err := net.SplitHostPort(opts.Listen); err != nil || port == "" {
		return webhook.Config{}, cmdutil.Usagef("--listen %q: want ADDR:PORT, e.g. 127.0.0.1:8080, or :0 for a free port", opts.Listen)
	}
	cfg, err := opts.Webhook.Config()
	if err != nil {
		return cfg, err
	}
	cfg.Engine = p.engine
	return cfg, nil
}

// outcomeCode is the exit code of a session status.
func outcomeCode(status string) int { return cmdutil.OutcomeCode(status) }

// waiter renders one `call --wait`: the engine (pkg/calls) places the
// call and reports its events; this decides what is shown and the exit
// code.
type waiter struct {
	opts *CallOptions
	plan *plan
	cfg  webhook.Config
	view *waitView
	eng  *calls.Waiter
}

// runWait starts the listener, places the call, and waits for its
// summary. stopCtx ends with the first Ctrl-C, abortCtx with the second.
func runWait(opts *CallOptions, p *plan, cfg webhook.Config, stopCtx, abortCtx context.Context, out, errOut io.Writer) error {
	w := &waiter{opts: opts, plan: p, cfg: cfg, view: newWaitView(opts, out, errOut)}
	eng, err := calls.Listen(cfg, opts.Listen)
	if err != nil {
		var se *calls.StartError
		if errors.As(err, &se) && se.Listening {
			return cmdutil.WithHint(fmt.Errorf("--wait: %w", err), cmdutil.ExitFailed,
				"choose another --listen, or 127.0.0.1:0 for a free port")
		}
		return cmdutil.WithHint(fmt.Errorf("--wait: %w", err), cmdutil.ExitFailed, "check --sessions and --record")
	}
	w.eng = eng
	defer w.shutdown(abortCtx)

	w.view.note("listening on %s", eng.URL())
	if msg := webhookopts.ExposureWarning(eng.Addr(), eng.AuthEnabled()); msg != "" {
		w.view.warn("%s", msg)
	}

	// stopCtx: the signal handler is installed, so a Ctrl-C during a
	// slow lookup must end it.
	if err := checkAccount(stopCtx, opts, p, errOut); err != nil {
		return err
	}

	j := p.jobs[0]
	o, sessionID := eng.Place(stopCtx, abortCtx, p.client, opts.Subaccount, calls.Job{Number: j.number, Body: j.body})
	if o.Err != nil || o.Skipped || sessionID == "" {
		return w.notCreated(o, abortCtx)
	}
	if w.view.json {
		w.view.emit(CallLine{Type: LineCall, Time: stamp(w.now()), Number: j.number, SessionID: sessionID,
			URL: eng.URL(), Response: compactJSON(o.Result.Body)})
	} else {
		w.view.print(sessionID)
	}
	w.view.note("waiting for session %s on %s (VCA %s, VSS %s)", sessionID, eng.URL(), webhook.PathVCA, webhook.PathVSS)
	return w.wait(sessionID, stopCtx, abortCtx)
}

func (w *waiter) now() time.Time {
	if w.opts.Now != nil {
		return w.opts.Now()
	}
	return time.Now()
}

// wait shows the session's events until its summary, the timeout, a
// Ctrl-C or a broken listener.
func (w *waiter) wait(sessionID string, stopCtx, abortCtx context.Context) error {
	var tick time.Duration
	if w.view.spin.on {
		tick = 100 * time.Millisecond
	}
	end := w.eng.Wait(stopCtx, sessionID, w.opts.waitTimeout(), tick, func(ev calls.Event) {
		switch ev.Kind {
		case calls.EventWebhook:
			w.view.event(ev.Webhook)
		case calls.EventTick:
			events := "events"
			if w.view.shown == 1 {
				events = "event"
			}
			w.view.spin.draw(fmt.Sprintf("waiting for session %s: %d %s, %s", sessionID, w.view.shown, events,
				ev.Elapsed.Round(time.Second)))
		}
	})
	switch end.Reason {
	case calls.EndSummary:
		return w.finish(end.Summary, abortCtx)
	case calls.EndTimeout:
		return w.end(OutcomeTimeout, abortCtx, &cmdutil.ExitError{Code: cmdutil.ExitTransport,
			Err:  fmt.Errorf("no session summary for session %s within %s: the call may still be running", sessionID, w.opts.waitTimeout()),
			Hint: "8x8 sends the summary when the call ends; raise --timeout, or keep ivrctl serve running on the VSS webhook to record it"})
	case calls.EndStopped:
		return w.end(OutcomeInterrupted, abortCtx, &cmdutil.ExitError{Code: cmdutil.ExitInterrupted,
			Err:  fmt.Errorf("stopped waiting for session %s: the call may still be running", sessionID),
			Hint: "its summary goes to the VSS webhook: keep ivrctl serve running there to record it"})
	default:
		return w.end(OutcomeListener, abortCtx, fmt.Errorf("--wait: the listener for session %s failed, the call may still be running: %w", sessionID, end.Err))
	}
}

// end reports a wait that ended without a summary.
func (w *waiter) end(outcome string, abortCtx context.Context, err error) error {
	w.shutdown(abortCtx)
	if w.view.json {
		others, _ := w.eng.Counts()
		line := w.outcomeLine(outcome, cmdutil.ExitCode(err), others)
		line.Error = err.Error()
		var ee *cmdutil.ExitError
		if errors.As(err, &ee) {
			line.Hint = ee.Hint
		}
		w.view.emit(line)
	}
	w.otherEvents()
	return err
}

// finish reports the session summary and returns its exit status.
func (w *waiter) finish(e webhook.Event, abortCtx context.Context) error {
	w.shutdown(abortCtx)
	code := outcomeCode(e.Outcome)
	others, _ := w.eng.Counts()
	if e.Status != 200 {
		// The summary arrived but could not be written: the outcome is
		// still known, the sessions file lacks it.
		w.view.warn("%s", cmdutil.TerminalSafe(e.Message, false))
	}
	if w.view.json {
		line := w.outcomeLine(e.Outcome, code, others)
		line.Time, line.SessionStatus, line.ErrorCode, line.ErrorMsg = stamp(e.Time), e.Outcome, e.ErrorCode, e.ErrorMsg
		line.Summary = w.readSummary(e.Session)
		w.view.emit(line)
	} else {
		w.view.summaryLine(e)
	}
	if e.Status == 200 {
		w.view.note("session summary recorded in %s", sessions.Redact(w.cfg.SessionsPath))
	}
	w.otherEvents()
	number := w.plan.jobs[0].number
	safe := cmdutil.TerminalSafe(e.Outcome, false)
	switch code {
	case cmdutil.ExitOK:
		return nil
	case cmdutil.ExitCallFailed:
		return &cmdutil.ExitError{Code: code, Err: fmt.Errorf("the call to %s ended %s (session %s)", number, safe, e.Session)}
	}
	msg := fmt.Sprintf("the call to %s ended in %s (session %s)", number, safe, e.Session)
	if e.ErrorCode != 0 || e.ErrorMsg != "" {
		msg += fmt.Sprintf(": errorCode %d, errorMsg %s", e.ErrorCode, cmdutil.TerminalSafe(e.ErrorMsg, false))
	}
	return &cmdutil.ExitError{Code: code, Err: errors.New(msg)}
}

func (w *waiter) outcomeLine(outcome string, code, others int) OutcomeLine {
	return OutcomeLine{Type: LineOutcome, Time: stamp(w.now()), Number: w.plan.jobs[0].number,
		SessionID: w.eng.SessionID(), Outcome: outcome, ExitCode: code, OtherSessionEvents: others}
}

// otherEvents says how many webhooks of other sessions were answered.
func (w *waiter) otherEvents() {
	others, dropped := w.eng.Counts()
	if others > 0 {
		w.view.note("%d webhook event(s) of other sessions were answered with the menu (not shown)", others)
	}
	if dropped > 0 {
		w.view.warn("%d event(s) received before the call was created were dropped: too many", dropped)
	}
}

// notCreated reports a call that was not created, as `call` does, after
// closing the listener.
func (w *waiter) notCreated(o calls.Outcome, abortCtx context.Context) error {
	w.shutdown(abortCtx)
	j := w.plan.jobs[0]
	if o.Err == nil && !o.Skipped {
		// CREATED without a sessionId: nothing to match events with.
		o.Err = errors.New("8x8 answered CREATED without a sessionId: there is no session to wait for")
	}
	if !w.view.json {
		return renderSingle(w.opts, w.plan, o, w.view.out)
	}
	if o.Skipped || errors.Is(o.Err, voiceapi.ErrStopped) {
		err := renderSingle(w.opts, w.plan, o, io.Discard)
		line := w.outcomeLine(OutcomeInterrupted, cmdutil.ExitCode(err), 0)
		line.Error = err.Error()
		w.view.emit(line)
		return err
	}
	r, code := explain(o, j, w.opts.APIKey)
	if code == cmdutil.ExitOK {
		code = cmdutil.ExitTransport // CREATED without a sessionId
	}
	if o.Result != nil && len(o.Result.Body) > 0 {
		w.view.emit(CallLine{Type: LineCall, Time: stamp(w.now()), Number: j.number, URL: w.eng.URL(), Response: compactJSON(o.Result.Body)})
	}
	outcome := OutcomeNotPlaced
	if r.Status == StatusRejected {
		outcome = OutcomeNotCreated
	}
	line := w.outcomeLine(outcome, code, 0)
	line.Error, line.Hint, line.MaybeAccepted = r.Error, r.Hint, r.MaybeAccepted
	w.view.emit(line)
	return &cmdutil.ExitError{Code: code, Err: errors.New(r.Error), Hint: r.Hint}
}

// shutdown stops the listener (see calls.Waiter.Shutdown) and clears the
// spinner.
func (w *waiter) shutdown(abortCtx context.Context) {
	if err := w.eng.Shutdown(abortCtx); err != nil {
		w.view.warn("%v", err)
	}
	w.view.spin.clear()
}

// readSummary reads the session's summary back from the session store,
// as recorded; nil when it is not there.
func (w *waiter) readSummary(sessionID string) json.RawMessage {
	sum, err := w.eng.Summary(sessionID)
	if err != nil {
		w.view.warn("reading the session summary back: %v", err)
	}
	return sum
}

// compactJSON returns body compacted, or nil when it is not JSON.
func compactJSON(body []byte) json.RawMessage {
	var buf bytes.Buffer
	if json.Compact(&buf, body) != nil {
		return nil
	}
	return buf.Bytes()
}

// waitTimeout bounds --wait's wait for the session summary, counted from
// the call's creation: --timeout, or DefaultWaitTimeout.
func (o *CallOptions) waitTimeout() time.Duration {
	if o.Timeout > 0 {
		return o.Timeout
	}
	return DefaultWaitTimeout
}
