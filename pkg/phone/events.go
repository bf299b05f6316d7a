package phone

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/emulator"
)

// Event is one step of a call as the person lives it. The concrete types
// are Ringing, Answered, Prompting, Speaking, Word, Spoken, Listening, Key,
// Entered, RoundTrip and Ended; At is the real time it happened.
type Event interface{ event() }

// Ringing: a leg rings (leg 0 is you, leg 1 an agent the menu connects).
type Ringing struct {
	Leg         int
	Destination string
	For         time.Duration // how long, on the emulator's clock
	At          time.Time
}

// Answered: the leg picked up. Inbound is leg 0 of an inbound call: you
// dialled Destination (the virtual number) and the platform took the call.
type Answered struct {
	Leg         int
	Destination string
	Inbound     bool
	At          time.Time
}

// Prompting: a sayAndCapture begins; its prompt is heard next.
type Prompting struct{ Prompt emulator.Prompt }

// Speaking: something is being said (or a file played); its words come
// one by one as Word events over Duration (scaled by Pace).
type Speaking struct {
	Heard    emulator.Heard
	Words    []string
	Duration time.Duration // on the emulator's clock
	At       time.Time
}

// Word: the word Index (from 0) of the Speaking text has been said.
type Word struct {
	Index int
	At    time.Time
}

// Spoken: the text is over; Cut when a hangup stopped it.
type Spoken struct {
	Heard emulator.Heard
	Cut   bool
}

// Listening: the prompt has been heard and keys are awaited. OverallEnds
// is when overallTimeout runs out (zero without Options.Timeouts).
type Listening struct {
	Prompt      emulator.Prompt
	OverallEnds time.Time
	At          time.Time
}

// Key: a key was taken into the entry; Keys is the entry so far, and
// DigitEnds when digitTimeout ends it unless another key comes (zero
// without Options.Timeouts).
type Key struct {
	Keys      string
	DigitEnds time.Time
	At        time.Time
}

// Entered: the entry of a prompt has ended.
type Entered struct {
	Step Step
	At   time.Time
}

// Ended: the call is over. Result.Transcript holds the session summary
// (VSS); Err is set when the request was refused (no session).
type Ended struct {
	Result *Result
	Err    error
	At     time.Time
}

func (Ringing) event()   {}
func (Answered) event()  {}
func (Prompting) event() {}
func (Speaking) event()  {}
func (Word) event()      {}
func (Spoken) event()    {}
func (Listening) event() {}
func (Key) event()       {}
func (Entered) event()   {}
func (RoundTrip) event() {}
func (Ended) event()     {}

// Action is what the person did at a prompt (pkg/scenario's step actions).
type Action string

// The person's actions at a prompt.
const (
	ActionPress   Action = "press"
	ActionSilence Action = "silence"
	ActionHangup  Action = "hangup"
)

// End says how an entry ended.
type End string

// How entries end.
const (
	EndComplete       End = "complete"       // maxDigits reached, or # with completeOnHash
	EndDigitTimeout   End = "digitTimeout"   // no key within digitTimeout after the last
	EndOverallTimeout End = "overallTimeout" // overallTimeout ran out
	EndSilence        End = "silence key"    // the person ended it at once
	EndEntry          End = "entry"          // a whole entry was given (a line)
	EndHangup         End = "hangup"
)

// Step is what the person did at one prompt.
type Step struct {
	Prompt string
	Try    int
	Menu   string // the asking callflow's clientActionId
	Action Action
	Keys   string // the keys pressed, as pressed (ActionPress)
	Why    End
}

// RoundTrip is one VCA webhook call: the event sent, what came back, and
// how long it took (real time).
type RoundTrip struct {
	N              int    // 1 for the first
	EventType      string // CALL_ACTION, ...
	CallStatus     string
	DTMF           string // the digits sent
	NoInput        bool   // dtmf null: no input
	ClientActionID string
	Status         int      // HTTP status (0: no answer)
	Actions        []string // the callflow answered: its actions in order
	AnswerID       string   // its clientActionId
	Err            string   // transport error or the answer's problem
	Latency        time.Duration
	At             time.Time
}

// watched times and reports each round trip to the webhook it wraps.
type watched struct {
	inner emulator.Webhook
	p     *Phone
}

func (w *watched) CallAction(ctx context.Context, event []byte) (int, []byte, error) {
	start := w.p.clock.Now()
	status, body, err := w.inner.CallAction(ctx, event)
	rt := RoundTrip{Status: status, Latency: w.p.clock.Now().Sub(start), At: start}
	if ev, derr := callflow.DecodeVCA(event); derr == nil {
		rt.EventType, rt.CallStatus, rt.ClientActionID = ev.EventType, ev.Payload.CallStatus, ev.Payload.ClientActionID
		rt.DTMF, rt.NoInput = ev.Digits()
		rt.NoInput = !rt.NoInput
	}
	switch {
	case err != nil:
		rt.Err = err.Error()
	case status == 200:
		var resp callflow.WebhookResponse
		if jerr := json.Unmarshal(body, &resp); jerr != nil {
			rt.Err = "not a callflow: " + firstLine(jerr.Error())
		} else {
			rt.AnswerID = resp.ClientActionID
			for _, a := range resp.Callflow {
				rt.Actions = append(rt.Actions, a.Action)
			}
		}
	}
	w.p.mu.Lock()
	if !w.p.closed {
		rt.N = len(w.p.trips) + 1
		w.p.trips = append(w.p.trips, rt)
	}
	w.p.mu.Unlock()
	w.p.emit(rt)
	return status, body, err
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
