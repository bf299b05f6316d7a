package campaign

import (
	"strings"
	"time"
)

// Status is what became of an attempt, or of a number (its last attempt).
type Status string

// Statuses. The first six are 8x8's sessionStatus values, lower-cased
// with "-" (NO_ANSWER is no-answer); the rest are ivrctl's.
const (
	StatusCompleted Status = "completed"
	StatusBusy      Status = "busy"
	StatusNoAnswer  Status = "no-answer"
	StatusFailed    Status = "failed"
	StatusCanceled  Status = "canceled"
	StatusError     Status = "error"

	StatusPending    Status = "pending"     // not placed yet (or its attempt never left ivrctl)
	StatusInFlight   Status = "in-flight"   // placed, no summary yet
	StatusRetry      Status = "retry"       // a retry is due (after --retry-after)
	StatusNotCreated Status = "not-created" // 8x8 refused the request: nothing placed, not retried
	// StatusUnknown: the request may have been accepted but no outcome
	// came. Never placed again automatically (--recall-unknown does).
	StatusUnknown Status = "unknown"
	StatusBad     Status = "bad" // a list line that is no phone number
)

// SessionStatus maps 8x8's sessionStatus to a Status. 8x8's pages also
// spell CANCELLED and NO ANSWER; an undocumented status is an error.
func SessionStatus(s string) Status {
	switch strings.ReplaceAll(strings.ToUpper(strings.TrimSpace(s)), " ", "_") {
	case "COMPLETED":
		return StatusCompleted
	case "BUSY":
		return StatusBusy
	case "NO_ANSWER":
		return StatusNoAnswer
	case "FAILED":
		return StatusFailed
	case "CANCELED", "CANCELLED":
		return StatusCanceled
	}
	return StatusError
}

// ParseRetryOn reads --retry-on: a comma-separated list of outcomes.
func ParseRetryOn(s string) (map[Status]bool, error) {
	out := map[Status]bool{}
	for f := range strings.SplitSeq(s, ",") {
		f = strings.ToLower(strings.TrimSpace(f))
		switch f {
		case "":
		case "busy", "no-answer", "failed", "canceled", "error":
			out[Status(f)] = true
		case "noanswer", "no_answer":
			out[StatusNoAnswer] = true
		case "cancelled":
			out[StatusCanceled] = true
		default:
			return nil, &RetryOnError{Value: f}
		}
	}
	return out, nil
}

// RetryOnError is a --retry-on outcome that cannot be retried.
type RetryOnError struct{ Value string }

func (e *RetryOnError) Error() string {
	return "--retry-on " + e.Value + ": want busy, no-answer, failed, canceled or error (a completed call is never retried, an unknown one only with --recall-unknown)"
}

// Step is one menu the caller answered: the VCA event's menu, the digits
// keyed, and the option taken ("1", "other", "noInput").
type Step struct {
	Menu    string `json:"menu"`
	Digits  string `json:"digits"`
	Matched string `json:"matched,omitempty"`
}

// String is "main:1", "main:none" for no input.
func (s Step) String() string {
	d := s.Digits
	if d == "" {
		d = "none"
	}
	return s.Menu + ":" + d
}

// Attempt is one call of a number, as the journal tells it.
type Attempt struct {
	N               int       `json:"attempt"`
	ClientRequestID string    `json:"clientRequestId"`
	SessionID       string    `json:"sessionId,omitempty"`
	Status          Status    `json:"status"`
	SessionStatus   string    `json:"sessionStatus,omitempty"` // as 8x8 sent it
	ErrorCode       int       `json:"errorCode,omitempty"`
	Error           string    `json:"error,omitempty"`
	Steps           []Step    `json:"steps,omitempty"`
	Recall          bool      `json:"recall,omitempty"`
	Started         time.Time `json:"started"`
	Ended           time.Time `json:"ended,omitzero"`

	sent bool // a created, uncertain or outcome record follows: it left ivrctl
}

// Number is one list entry and its attempts.
type Number struct {
	Entry
	Index    int // in the list, from 0
	Attempts []*Attempt
}

// Last returns the last attempt, nil when there is none.
func (n *Number) Last() *Attempt {
	if len(n.Attempts) == 0 {
		return nil
	}
	return n.Attempts[len(n.Attempts)-1]
}

// Status is the number's status: its last attempt's (pending without one).
func (n *Number) Status() Status {
	if a := n.Last(); a != nil {
		return a.Status
	}
	return StatusPending
}

// Placed counts the attempts that may have reached 8x8.
func (n *Number) Placed() int {
	c := 0
	for _, a := range n.Attempts {
		if a.Status != StatusPending {
			c++
		}
	}
	return c
}

// State is a campaign as its journal tells it.
type State struct {
	Header  Header
	Numbers []*Number
	Bad     []BadLine
	// Skipped counts journal lines that were not records (a torn last
	// line after a crash).
	Skipped int

	// counts are the numbers by status and the attempts placed, kept
	// as records are applied (a campaign of 10,000 numbers must not
	// recount them for every event).
	counts map[Status]int
	placed int

	byNumber  map[string]*Number
	bySession map[string]*Attempt
	byCRID    map[string]*Attempt
	owner     map[*Attempt]*Number
}

// Replay builds the state from a journal's records. Records are applied in
// order; one naming a number or attempt the journal does not know is
// ignored (a hand-edited or damaged file), as a torn line is.
func Replay(h Header, recs []Record, skipped int) *State {
	st := &State{Header: h, Skipped: skipped, byNumber: map[string]*Number{},
		bySession: map[string]*Attempt{}, byCRID: map[string]*Attempt{}, owner: map[*Attempt]*Number{},
		counts: map[Status]int{}}
	for _, r := range recs {
		st.apply(r)
	}
	return st
}

func (st *State) attempt(r Record) *Attempt {
	n := st.byNumber[r.Number]
	if n == nil || r.Attempt < 1 {
		return nil
	}
	for i := len(n.Attempts) - 1; i >= 0; i-- {
		if n.Attempts[i].N == r.Attempt {
			return n.Attempts[i]
		}
	}
	return nil
}

// apply folds one record into the state, keeping the counts.
func (st *State) apply(r Record) {
	n := st.byNumber[r.Number]
	if n != nil {
		st.counts[n.Status()]--
		st.placed -= n.Placed()
	}
	st.fold(r)
	if n == nil {
		n = st.byNumber[r.Number] // a new number
	}
	if n != nil {
		st.counts[n.Status()]++
		st.placed += n.Placed()
	}
}

// Count returns how many numbers have status s.
func (st *State) Count(s Status) int { return st.counts[s] }

// PlacedAttempts counts the attempts that may have reached 8x8.
func (st *State) PlacedAttempts() int { return st.placed }

func (st *State) fold(r Record) {
	switch r.T {
	case RecNumber:
		if _, dup := st.byNumber[r.Number]; dup || r.Number == "" {
			return
		}
		n := &Number{Entry: Entry{Number: r.Number, Line: r.Line, Fields: r.Fields}, Index: len(st.Numbers)}
		st.Numbers = append(st.Numbers, n)
		st.byNumber[r.Number] = n
	case RecBad:
		st.Bad = append(st.Bad, BadLine{Line: r.Line, Text: r.Text, Error: r.Error})
	case RecAttempt:
		n := st.byNumber[r.Number]
		if n == nil || r.Attempt < 1 {
			return
		}
		if last := n.Last(); last != nil && last.N == r.Attempt {
			// The same attempt again: the first never left ivrctl.
			delete(st.byCRID, last.ClientRequestID)
			n.Attempts = n.Attempts[:len(n.Attempts)-1]
		}
		// Written before sending: until more is known, the request may
		// have been accepted.
		a := &Attempt{N: r.Attempt, ClientRequestID: r.CRID, Status: StatusUnknown, Recall: r.Recall, Started: r.At}
		n.Attempts = append(n.Attempts, a)
		st.owner[a] = n
		if r.CRID != "" {
			st.byCRID[r.CRID] = a
		}
	case RecCreated:
		if a := st.attempt(r); a != nil {
			a.sent, a.SessionID = true, r.Session
			if a.Status == StatusUnknown {
				a.Status = StatusInFlight
			}
			st.bySession[r.Session] = a
		}
	case RecNotPlaced:
		if a := st.attempt(r); a != nil && !a.sent {
			a.Error, a.ErrorCode, a.Ended = r.Error, r.ErrorCode, r.At
			a.Status = StatusNotCreated
			if r.Status == NotPlacedUnsent {
				a.Status = StatusPending
			}
		}
	case RecUncertain:
		if a := st.attempt(r); a != nil {
			a.sent, a.Error = true, r.Error
			if a.Status == StatusUnknown || a.Status == StatusInFlight {
				a.Status = StatusUnknown
			}
		}
	case RecStep:
		if a := st.attempt(r); a != nil {
			a.Steps = append(a.Steps, Step{Menu: r.Menu, Digits: r.Digits, Matched: r.Matched})
		}
	case RecOutcome:
		if a := st.attempt(r); a != nil {
			a.sent = true
			a.SessionStatus, a.Status = r.Status, SessionStatus(r.Status)
			a.ErrorCode, a.Error, a.Ended = r.ErrorCode, r.Error, r.At
			if r.Session != "" && a.SessionID == "" {
				a.SessionID = r.Session
				st.bySession[r.Session] = a
			}
		}
	case RecLost:
		if a := st.attempt(r); a != nil && (a.Status == StatusInFlight || a.Status == StatusUnknown) {
			a.sent, a.Status, a.Error, a.Ended = true, StatusUnknown, r.Error, r.At
		}
	}
}

// Lookup returns the number's state.
func (st *State) Lookup(number string) *Number { return st.byNumber[number] }

// BySession finds the attempt of a sessionId and its number.
func (st *State) BySession(id string) (*Number, *Attempt) {
	a := st.bySession[id]
	return st.owner[a], a
}

// ByCRID finds the attempt of a clientRequestId and its number.
func (st *State) ByCRID(crid string) (*Number, *Attempt) {
	a := st.byCRID[crid]
	return st.owner[a], a
}

// Unknown returns the numbers whose last attempt's outcome is unknown, in
// list order.
func (st *State) Unknown() []*Number {
	var out []*Number
	for _, n := range st.Numbers {
		if n.Status() == StatusUnknown {
			out = append(out, n)
		}
	}
	return out
}
