package dial

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/emulator"
	"github.com/ivrctl/ivrctl/pkg/phone"
)

// The words both faces (the phone and the lines) use for a call's steps.

// sent is a round trip's event: "CALL_ACTION dtmf 2 · main", or
// "CALL_ACTION CALL_RECEIVED" for an inbound call's first.
func sent(rt phone.RoundTrip) string {
	s := rt.EventType
	if s == "" {
		s = "event"
	}
	switch {
	case rt.CallStatus == callflow.CallStatusCallReceived:
		s += " CALL_RECEIVED" // an inbound call: no keys yet
	case rt.NoInput:
		s += " no input"
	default:
		s += " dtmf " + rt.DTMF
	}
	if rt.ClientActionID != "" {
		s += " · " + rt.ClientActionID
	}
	return s
}

// answered is what came back: "200 say, makeCall → main".
func answered(rt phone.RoundTrip) string {
	var s string
	switch {
	case rt.Status == 0:
		s = "no answer"
	default:
		s = fmt.Sprintf("%d", rt.Status)
	}
	if len(rt.Actions) > 0 {
		s += " " + strings.Join(rt.Actions, ", ")
	}
	if rt.AnswerID != "" {
		s += " → " + rt.AnswerID
	}
	if rt.Err != "" {
		s += ": " + rt.Err
	}
	return s
}

// latency is a round trip's time, short: "0.4 ms", "120 ms", "1.2 s".
func latency(d time.Duration) string {
	switch {
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// summary is the VSS in a line: "COMPLETED · lastAction HANGUP · 2 legs".
func summary(tr *emulator.Transcript) string {
	p := tr.Summary.Payload
	s := fmt.Sprintf("%s · lastAction %s · %s · %s", p.SessionStatus, p.LastAction,
		plural(p.CallCount, "leg"), plural(tr.WebhookCalls, "webhook call"))
	if d := p.ErrorDetails; d != nil {
		s += fmt.Sprintf(" · error %d %s", int(d.ErrorCode), d.ErrorMsg)
	}
	return s
}

// legs are the summary's call legs, one line each, callA first.
func legs(tr *emulator.Transcript) []string {
	names := make([]string, 0, len(tr.Summary.Payload.Details))
	for n := range tr.Summary.Payload.Details {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []string
	for _, n := range names {
		l := tr.Summary.Payload.Details[n]
		out = append(out, fmt.Sprintf("%s %s %s %ds", n, l.Destination, l.CallStatus, l.CallDuration))
	}
	return out
}

// why is the reason a session ended in ERROR (its last note), or "".
func why(tr *emulator.Transcript) string {
	if tr.Summary.Payload.ErrorDetails == nil || len(tr.Notes) == 0 {
		return ""
	}
	return tr.Notes[len(tr.Notes)-1]
}

// pressed is what the person did at a prompt: "pressed 2", "silence".
func pressed(st phone.Step) string {
	switch st.Action {
	case phone.ActionPress:
		s := "pressed " + st.Keys
		if st.Why == phone.EndDigitTimeout || st.Why == phone.EndOverallTimeout {
			s += " (" + string(st.Why) + ")"
		}
		return s
	case phone.ActionSilence:
		if st.Why == phone.EndOverallTimeout {
			return "silence (overallTimeout)"
		}
		return "silence"
	}
	return "hung up"
}

// rules are a prompt's capture rules: "1 digit · tries 1/2".
func rules(p emulator.Prompt) string {
	digits := plural(p.MaxDigits, "digit")
	if p.MinDigits != p.MaxDigits {
		digits = fmt.Sprintf("%d-%d digits", p.MinDigits, p.MaxDigits)
	}
	if p.CompleteOnHash {
		digits += ", # ends"
	}
	return fmt.Sprintf("%s · try %d/%d", digits, p.Try, p.Tries)
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// legName is who a leg rings.
func legName(leg int) string {
	if leg == 0 {
		return "you"
	}
	return "connect"
}

// menuName is the menu a prompt belongs to: its callflow's clientActionId,
// or, for a callflow without one (the Send Callflow request's, and the
// answers of a menu to events without one), the start menu.
func menuName(p emulator.Prompt, start string) string {
	if p.Menu != "" {
		return p.Menu
	}
	return start
}
