package call

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/webhook"
)

// Line types of `call --wait -o json`: one JSON object a line, each with
// "type" and "time"; the last line is always the outcome.
const (
	LineCall     = "call"     // 8x8's answer to Send Callflow
	LineVCA      = "vca"      // a call action answered with the menu
	LineVCS      = "vcs"      // a call status update, acknowledged
	LineRejected = "rejected" // a webhook request of this session refused (4xx/5xx)
	LineOutcome  = "outcome"  // how the wait ended: the session status, or why not
)

// Outcomes that are not a session status.
const (
	OutcomeNotCreated  = "NOT_CREATED" // 8x8 refused the call (exit 3)
	OutcomeNotPlaced   = "NOT_PLACED"  // no usable answer to Send Callflow (exit 4)
	OutcomeTimeout     = "TIMEOUT"     // no session summary within --timeout (exit 4)
	OutcomeInterrupted = "INTERRUPTED" // Ctrl-C/SIGTERM (exit 130)
	OutcomeListener    = "LISTENER_FAILED"
)

// CallLine is the first line of `call --wait -o json`.
type CallLine struct {
	Type      string          `json:"type"`
	Time      string          `json:"time"`
	Number    string          `json:"number"`
	SessionID string          `json:"sessionId,omitempty"`
	URL       string          `json:"url"` // where the webhooks are received
	Response  json.RawMessage `json:"response,omitempty"`
}

// EventLine is a webhook event of the call's session.
type EventLine struct {
	Type       string  `json:"type"`
	Time       string  `json:"time"`
	SessionID  string  `json:"sessionId"`
	Status     int     `json:"status"` // the HTTP status answered
	Menu       string  `json:"menu,omitempty"`
	Digits     *string `json:"digits,omitempty"` // "" (no input) is kept for a VCA
	Matched    string  `json:"matched,omitempty"`
	Action     string  `json:"action,omitempty"`
	Next       string  `json:"next,omitempty"`
	CallStatus string  `json:"callStatus,omitempty"`
	Message    string  `json:"message,omitempty"`
}

// OutcomeLine is the last line of `call --wait -o json`.
type OutcomeLine struct {
	Type          string `json:"type"`
	Time          string `json:"time"`
	Number        string `json:"number"`
	SessionID     string `json:"sessionId,omitempty"`
	Outcome       string `json:"outcome"` // the sessionStatus, or one of the Outcome* values
	ExitCode      int    `json:"exitCode"`
	SessionStatus string `json:"sessionStatus,omitempty"`
	ErrorCode     int    `json:"errorCode,omitempty"`
	ErrorMsg      string `json:"errorMsg,omitempty"`
	// OtherSessionEvents counts the webhooks of other sessions the
	// listener answered meanwhile (not shown, not counted otherwise).
	OtherSessionEvents int `json:"otherSessionEvents"`
	// Summary is the session summary (VSS) as 8x8 sent it, read back
	// from the sessions file.
	Summary       json.RawMessage `json:"summary,omitempty"`
	Error         string          `json:"error,omitempty"`
	Hint          string          `json:"hint,omitempty"`
	MaybeAccepted bool            `json:"maybeAccepted,omitempty"`
}

// waitView renders a wait: events as they come (text or JSON lines on
// stdout), notes and warnings on stderr, and a spinner on a terminal's
// stderr while nothing happens.
type waitView struct {
	json   bool
	out    io.Writer
	errOut io.Writer
	pal    cmdutil.Palette // stdout's
	errPal cmdutil.Palette
	enc    *json.Encoder
	spin   *spinner
	shown  int // events shown
	warned int // refusals and server warnings shown
}

// maxRefusals bounds the refusals shown (a scanner on a public tunnel
// would otherwise fill the screen); the count goes on.
const maxRefusals = 20

func newWaitView(opts *CallOptions, out, errOut io.Writer) *waitView {
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	return &waitView{
		json: opts.Output == "json", out: out, errOut: errOut,
		pal: opts.IO.OutPalette(), errPal: opts.IO.ErrPalette(), enc: enc,
		spin: &spinner{w: errOut, on: opts.IO.ErrTTY, pal: opts.IO.ErrPalette()},
	}
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// note writes a line for people on stderr.
func (v *waitView) note(format string, args ...any) {
	v.spin.clear()
	fmt.Fprintf(v.errOut, format+"\n", args...)
}

func (v *waitView) warn(format string, args ...any) {
	v.spin.clear()
	fmt.Fprintf(v.errOut, "%s %s\n", v.errPal.Yellow("warning:"), fmt.Sprintf(format, args...))
}

func (v *waitView) emit(line any) {
	v.spin.clear()
	_ = v.enc.Encode(line)
}

func (v *waitView) print(s string) {
	v.spin.clear()
	fmt.Fprintln(v.out, s)
}

// event shows one event the inbox let through (not the outcome).
func (v *waitView) event(e webhook.Event) {
	safe := func(s string) string { return cmdutil.TerminalSafe(s, false) }
	clock := v.pal.Gray(e.Time.Local().Format("15:04:05"))
	switch {
	case e.Session == "" || e.Kind == webhook.KindServer:
		// Refused before its session could be read, or the server's own
		// trouble: maybe this call's, so said, but on stderr.
		v.warned++
		switch {
		case v.warned <= maxRefusals:
			what := safe(e.Message)
			if e.Kind == webhook.KindReject {
				what = fmt.Sprintf("refused %s from %s: %d %s", safe(e.Route), safe(e.Remote), e.Status, what)
			}
			v.warn("%s", what)
		case v.warned == maxRefusals+1:
			v.warn("more refused requests: not shown")
		}
		return
	}
	v.shown++
	line := EventLine{Time: stamp(e.Time), SessionID: e.Session, Status: e.Status, Message: e.Message}
	var text string
	switch {
	case e.Kind == webhook.KindVCA && e.Menu != "":
		line.Type, line.Menu, line.Matched, line.Action, line.Next = LineVCA, e.Menu, e.Matched, e.Action, e.Next
		d := e.Digits
		line.Digits = &d
		digit := "no digit"
		if e.Digits != "" {
			digit = "digit " + safe(e.Digits)
		}
		text = fmt.Sprintf("VCA %s %s -> %s: %s", v.pal.Bold(safe(e.Menu)), digit, safe(e.Matched), v.pal.Bold(safe(e.Action)))
		if e.Next != "" {
			text += " next=" + safe(e.Next)
		}
	case e.Kind == webhook.KindVCS:
		line.Type, line.CallStatus = LineVCS, e.CallStatus
		text = "VCS " + safe(e.CallStatus)
	default:
		// A request of this session that was refused or failed (422, 500).
		line.Type = LineRejected
		text = fmt.Sprintf("%s %s %s", e.Kind, v.pal.Red(strconv.Itoa(e.Status)), safe(e.Route))
	}
	if e.Message != "" {
		msg := safe(e.Message)
		if e.Level != webhook.LevelInfo {
			msg = v.pal.Yellow(msg)
		}
		text += ": " + msg
	}
	if v.json {
		v.emit(line)
		return
	}
	v.print(clock + " " + text)
}

// summaryLine is the text line of the session summary.
func (v *waitView) summaryLine(e webhook.Event) {
	safe := func(s string) string { return cmdutil.TerminalSafe(s, false) }
	status := safe(e.Outcome)
	switch outcomeCode(e.Outcome) {
	case cmdutil.ExitOK:
		status = v.pal.Green(status)
	case cmdutil.ExitCallFailed:
		status = v.pal.Yellow(status)
	default:
		status = v.pal.Red(status)
	}
	parts := []string{v.pal.Gray(e.Time.Local().Format("15:04:05")), "VSS", status}
	if e.ErrorCode != 0 {
		parts = append(parts, strconv.Itoa(e.ErrorCode))
	}
	if e.ErrorMsg != "" {
		parts = append(parts, safe(e.ErrorMsg))
	}
	v.print(strings.Join(parts, " "))
}

// spinner is a one-line "still waiting" on a terminal's stderr, redrawn
// with \r and cleared before any other line is written; elsewhere it
// draws nothing.
type spinner struct {
	w     io.Writer
	on    bool
	pal   cmdutil.Palette
	frame int
	drawn bool
}

var spinFrames = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

func (s *spinner) draw(text string) {
	if !s.on {
		return
	}
	fmt.Fprintf(s.w, "\r\x1b[K%s %s", s.pal.Cyan(spinFrames[s.frame%len(spinFrames)]), text)
	s.frame++
	s.drawn = true
}

func (s *spinner) clear() {
	if s.on && s.drawn {
		fmt.Fprint(s.w, "\r\x1b[K")
		s.drawn = false
	}
}
