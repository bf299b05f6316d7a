package campaign

import (
	"errors"
	"fmt"
	"time"
)

// placed applies a worker's result.
func (e *Engine) placed(r placed) {
	e.placing--
	delete(e.sending, r.a)
	now := e.cfg.Clock.Now()
	if r.journal != nil {
		if e.halt == nil {
			e.halt = fmt.Errorf("campaign: %w", r.journal)
		}
		if r.rec.T == "" {
			// The attempt record was not written, so nothing was sent.
			r.a.Status = StatusPending
			return
		}
	}
	e.st.apply(r.rec)
	ev := Event{Time: now, Number: r.n.Number, Attempt: r.a.N, ClientRequestID: r.a.ClientRequestID,
		Session: r.session, Error: r.rec.Error}
	switch r.rec.T {
	case RecCreated:
		if r.a.Status == StatusInFlight { // its summary may have come first
			e.inflight[r.a] = now.Add(e.cfg.OutcomeTimeout)
		}
		ev.Kind = EventCreated
		e.emit(ev)
		e.adopt(r.session)
	case RecNotPlaced:
		if r.rec.Status == NotPlacedUnsent {
			// Nothing placed: the number goes back to the queue of a
			// resumed run; this one stops placing.
			ev.Kind = EventNotSent
			e.emit(ev)
			if e.halt == nil && !errors.Is(r.err, errHalted) {
				e.halt = &HaltError{Number: r.n.Number, Err: r.err}
			}
			return
		}
		ev.Kind, ev.Status = EventNotCreated, StatusNotCreated
		e.emit(ev)
	default: // uncertain
		// Its summary may still come, named by the clientRequestId (or
		// already has: then its outcome stands).
		if r.a.Status == StatusUnknown {
			ev.Kind, ev.Status = EventUnknown, StatusUnknown
			e.emit(ev)
		}
	}
}

// update applies an outcome source's update.
func (e *Engine) update(u Update) {
	n, a := e.st.BySession(u.Session)
	if a == nil && u.ClientRequestID != "" {
		n, a = e.st.ByCRID(u.ClientRequestID)
	}
	if a == nil {
		if !u.Stored && u.Session != "" {
			e.keepOrphan(u)
		}
		return
	}
	now := e.cfg.Clock.Now()
	at := u.Time
	if at.IsZero() {
		at = now
	}
	if u.Step != nil {
		rec := Record{T: RecStep, At: at, Number: n.Number, Attempt: a.N, Session: u.Session,
			Menu: u.Step.Menu, Digits: u.Step.Digits, Matched: u.Step.Matched}
		e.st.apply(rec)
		e.write(rec)
		e.emit(Event{Kind: EventStep, Time: now, Number: n.Number, Attempt: a.N, Session: u.Session, Step: u.Step})
	}
	if u.Outcome == nil {
		return
	}
	if !a.Ended.IsZero() && a.Status != StatusUnknown {
		return // a summary delivered twice
	}
	o := u.Outcome
	rec := Record{T: RecOutcome, At: at, Number: n.Number, Attempt: a.N, Session: u.Session,
		Status: o.SessionStatus, ErrorCode: o.ErrorCode, Error: o.ErrorMsg}
	e.st.apply(rec)
	e.write(rec)
	delete(e.inflight, a)
	e.emit(Event{Kind: EventOutcome, Time: now, Number: n.Number, Attempt: a.N, Session: a.SessionID,
		ClientRequestID: a.ClientRequestID, Status: a.Status, Error: o.ErrorMsg})
	if n.Last() == a && e.maybeRetry(n, a) {
		e.emit(Event{Kind: EventRetry, Time: now, Number: n.Number, Attempt: a.N + 1, Next: e.retryDue(n)})
	}
}

func (e *Engine) retryDue(n *Number) time.Time {
	for _, r := range e.retries {
		if r.n == n {
			return r.due
		}
	}
	return time.Time{}
}

// keepOrphan keeps a live update for a session not known yet.
func (e *Engine) keepOrphan(u Update) {
	if _, ok := e.orphans[u.Session]; !ok {
		if len(e.orphanQ) >= MaxOrphans {
			delete(e.orphans, e.orphanQ[0])
			e.orphanQ = e.orphanQ[1:]
		}
		e.orphanQ = append(e.orphanQ, u.Session)
	}
	e.orphans[u.Session] = append(e.orphans[u.Session], u)
}

// adopt applies the updates that came before their session was created.
func (e *Engine) adopt(session string) {
	us, ok := e.orphans[session]
	if !ok {
		return
	}
	delete(e.orphans, session)
	for _, u := range us {
		e.update(u)
	}
}

// expire gives up on calls whose summary is overdue: unknown, not retried.
func (e *Engine) expire(now time.Time) {
	for a, deadline := range e.inflight {
		if now.Before(deadline) {
			continue
		}
		delete(e.inflight, a)
		n := e.st.owner[a]
		msg := fmt.Sprintf("no session summary within %s", e.cfg.OutcomeTimeout)
		rec := Record{T: RecLost, At: now, Number: n.Number, Attempt: a.N, Session: a.SessionID, Error: msg}
		e.st.apply(rec)
		e.write(rec)
		e.emit(Event{Kind: EventUnknown, Time: now, Number: n.Number, Attempt: a.N, Session: a.SessionID,
			ClientRequestID: a.ClientRequestID, Status: StatusUnknown, Error: msg})
	}
}

// stop ends placing: numbers not placed stay pending in the journal.
func (e *Engine) stop(reason string, now time.Time) {
	if e.stopping {
		return
	}
	e.stopping = true
	ev := Event{Kind: EventStopping, Time: now, Error: reason}
	if e.halt != nil {
		ev.Error = e.halt.Error()
	}
	e.emit(ev)
}

// emit sends an event with the current stats.
func (e *Engine) emit(ev Event) {
	e.recount()
	ev.Stats = e.stats
	e.cfg.OnEvent(ev)
}

// recount refreshes the stats from the state.
func (e *Engine) recount() {
	s := Stats{Numbers: len(e.st.Numbers), Bad: len(e.st.Bad), InFlight: len(e.inflight) + e.placing,
		RetriesPending: e.retries.Len(), NextWindow: e.waiting}
	if !e.waiting.IsZero() && !e.waiting.After(e.cfg.Clock.Now()) {
		s.NextWindow = time.Time{}
	}
	if e.retries.Len() > 0 {
		s.NextRetry = e.retries[0].due
	}
	c := e.st.Count
	s.Placed = e.st.PlacedAttempts()
	s.Completed, s.Busy, s.NoAnswer = c(StatusCompleted), c(StatusBusy), c(StatusNoAnswer)
	s.Failed = c(StatusFailed) + c(StatusCanceled) + c(StatusError)
	s.NotCreated, s.Unknown, s.Pending = c(StatusNotCreated), c(StatusUnknown), c(StatusPending)
	// An attempt being placed is journaled as in doubt (it is, should
	// the process die now); live, it is in flight.
	for a := range e.sending {
		if a.Status == StatusUnknown {
			s.Unknown--
		}
	}
	e.stats = s
}

// Stats are the campaign's counts, in every Event.
type Stats struct {
	Numbers        int       `json:"numbers"`
	Bad            int       `json:"bad"`
	Placed         int       `json:"placed"` // attempts that may have reached 8x8
	InFlight       int       `json:"inFlight"`
	Completed      int       `json:"completed"`
	Busy           int       `json:"busy"`
	NoAnswer       int       `json:"noAnswer"`
	Failed         int       `json:"failed"` // failed, canceled or error
	NotCreated     int       `json:"notCreated"`
	Unknown        int       `json:"unknown"`
	Pending        int       `json:"pending"`
	RetriesPending int       `json:"retriesPending"`
	NextRetry      time.Time `json:"nextRetry,omitzero"`
	NextWindow     time.Time `json:"nextWindow,omitzero"` // when waiting for the window to open
}

// EventKind sorts Events.
type EventKind string

// Event kinds.
const (
	EventStart      EventKind = "start"
	EventPlacing    EventKind = "placing"     // the attempt is journaled; its request goes next
	EventCreated    EventKind = "created"     // 8x8 answered CREATED
	EventNotCreated EventKind = "not-created" // 8x8 refused it: final
	EventNotSent    EventKind = "not-sent"    // never reached 8x8: placing stops
	EventUnknown    EventKind = "unknown"     // may have been placed, no outcome: look for the ids
	EventStep       EventKind = "step"        // a menu answered
	EventOutcome    EventKind = "outcome"     // the session summary
	EventRetry      EventKind = "retry"       // a next attempt is scheduled
	EventWindowWait EventKind = "window"      // waiting for the window to open
	EventStopping   EventKind = "stopping"    // placing stopped: Ctrl-C or a halt
	EventDrained    EventKind = "drained"     // --drain ran out with calls in flight
	EventDone       EventKind = "done"
)

// Event is one thing the campaign did, with the stats after it.
type Event struct {
	Kind            EventKind `json:"type"`
	Time            time.Time `json:"time"`
	Number          string    `json:"number,omitempty"`
	Attempt         int       `json:"attempt,omitempty"`
	ClientRequestID string    `json:"clientRequestId,omitempty"`
	Session         string    `json:"sessionId,omitempty"`
	Status          Status    `json:"status,omitempty"`
	Step            *Step     `json:"step,omitempty"`
	Recall          bool      `json:"recall,omitempty"`
	Next            time.Time `json:"next,omitzero"` // retry: when; window: when it opens
	Error           string    `json:"error,omitempty"`
	Stats           Stats     `json:"stats"`
}

// retry is a number waiting for its next attempt.
type retry struct {
	n   *Number
	due time.Time
}

type retryHeap []retry

func (h retryHeap) Len() int { return len(h) }
func (h retryHeap) Less(i, j int) bool {
	if h[i].due.Equal(h[j].due) {
		return h[i].n.Index < h[j].n.Index
	}
	return h[i].due.Before(h[j].due)
}
func (h retryHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *retryHeap) Push(x any)   { *h = append(*h, x.(retry)) }
func (h *retryHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
