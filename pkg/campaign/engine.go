package campaign

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync/atomic"
	"time"
)

// errHalted is the error of a call not sent because another met a
// failure every call would share.
var errHalted = errors.New("not sent: the campaign is stopping (another call failed in a way every call would)")

// Defaults of Config's zero values.
const (
	DefaultConcurrency    = 10
	DefaultOutcomeTimeout = 15 * time.Minute
	DefaultDrain          = 30 * time.Second
	// MaxOrphans bounds the webhook events kept for sessions not known
	// yet: 8x8 may post a call's first VCA before the Send Callflow
	// answer reaches ivrctl. Older ones are dropped first.
	MaxOrphans = 10000
)

// Config configures a campaign run.
type Config struct {
	Journal *Journal
	State   *State // Replay of Journal's records
	Placer  Placer
	// Attempts is how many times a number is called at most (>= 1);
	// RetryAfter the wait after an outcome in RetryOn before the next.
	Attempts   int
	RetryAfter time.Duration
	RetryOn    map[Status]bool
	Window     Window
	// Rate bounds calls started per second (0: no limit); Concurrency
	// the calls in progress at once: from the attempt's record until its
	// outcome, or until it is given up as unknown.
	Rate        float64
	Concurrency int
	// OutcomeTimeout is how long a created call's summary is waited for
	// before the attempt is recorded lost (unknown).
	OutcomeTimeout time.Duration
	// Drain bounds the wait for calls in flight once placing stops.
	Drain time.Duration
	// RecallUnknown places numbers whose outcome is unknown once more.
	RecallUnknown bool
	Clock         Clock
	// OnEvent hears every event, from Run's goroutine: render quickly.
	OnEvent func(Event)
}

// Update is what an outcome source tells the engine about a session: a
// step of its menu, or its summary. Stored updates (read back from a
// sessions file or store) are applied when they match an attempt and
// dropped otherwise; live ones for a session not known yet are kept a
// while (see MaxOrphans).
type Update struct {
	Session         string
	ClientRequestID string
	Step            *Step
	Outcome         *Outcome
	Stored          bool
	Time            time.Time
}

// Outcome is a session summary.
type Outcome struct {
	SessionStatus string
	ErrorCode     int
	ErrorMsg      string
}

// Engine runs one campaign. Make it with New, feed it outcome sources'
// updates with Deliver (from any goroutine), and Run it once.
type Engine struct {
	cfg     Config
	st      *State
	updates chan Update
	results chan placed
	writes  chan []Record
	written chan error
	done    chan struct{} // closed when Run ends

	ready    []*Number // to place, in list order
	retries  retryHeap
	inflight map[*Attempt]time.Time // created or being placed -> give up at
	placing  int
	sending  map[*Attempt]bool // the attempts being placed
	// halted is set by the worker that met a Halt or NotSent failure,
	// so that no other worker sends another call bound to fail alike.
	halted   atomic.Bool
	orphans  map[string][]Update
	orphanQ  []string
	next     time.Time // rate limit: the earliest next start
	stopping bool
	halt     error
	stats    Stats
	waiting  time.Time // the window opening being waited for
	abort    context.Context
}

// idler is a test clock that moves only when the engine is idle
// (FakeClock).
type idler interface {
	Idle(busy bool, waits ...<-chan time.Time)
}

// placed is a worker's result.
type placed struct {
	n       *Number
	a       *Attempt
	session string
	err     error
	rec     Record // the journal record of the request's result
	journal error  // a record could not be written
}

// New checks cfg and returns an engine.
func New(cfg Config) (*Engine, error) {
	if cfg.Journal == nil || cfg.State == nil || cfg.Placer == nil {
		return nil, fmt.Errorf("campaign: Journal, State and Placer are required")
	}
	if cfg.Attempts < 1 {
		cfg.Attempts = 1
	}
	if cfg.Concurrency < 1 {
		cfg.Concurrency = DefaultConcurrency
	}
	if cfg.OutcomeTimeout <= 0 {
		cfg.OutcomeTimeout = DefaultOutcomeTimeout
	}
	if cfg.Drain < 0 {
		cfg.Drain = 0
	}
	if cfg.Clock == nil {
		cfg.Clock = RealClock{}
	}
	if cfg.OnEvent == nil {
		cfg.OnEvent = func(Event) {}
	}
	if math.IsNaN(cfg.Rate) || cfg.Rate < 0 {
		return nil, fmt.Errorf("campaign: rate %v: want 0 (no limit) or more", cfg.Rate)
	}
	e := &Engine{cfg: cfg, st: cfg.State,
		updates:  make(chan Update, 4*cfg.Concurrency+64),
		results:  make(chan placed, cfg.Concurrency),
		writes:   make(chan []Record, 256),
		written:  make(chan error, 1),
		done:     make(chan struct{}),
		inflight: map[*Attempt]time.Time{}, orphans: map[string][]Update{}, sending: map[*Attempt]bool{}}
	go e.writer()
	e.load(cfg.Clock.Now())
	return e, nil
}

// Close ends an engine that will not Run (the command failed before the
// first call): what Preload wrote is flushed. Never call it with Run.
func (e *Engine) Close() error {
	close(e.done)
	close(e.writes)
	return <-e.written
}

// Preload applies stored updates (a sessions file read back) before Run:
// a summary that reached the previous run's listener, but not its
// journal, resolves its attempt instead of leaving it in doubt. Call Run
// after it, always: it flushes what Preload wrote.
func (e *Engine) Preload(us []Update) {
	for _, u := range us {
		u.Stored = true
		e.update(u)
	}
}

// Deliver hands the engine an update; it blocks while the engine's
// buffer is full (a source must not outrun the journal), and drops the
// update once Run has ended.
func (e *Engine) Deliver(u Update) {
	select {
	case e.updates <- u:
	case <-e.done:
	}
}

// Run places the campaign's calls until every number has its final
// status, ctx ends (stop placing: calls in flight are waited for up to
// Drain, or until abort ends), or a Halt failure. The journal is left
// resumable in every case. It returns the final stats, and a *HaltError
// when it halted.
func (e *Engine) Run(ctx, abort context.Context) (Stats, error) {
	e.abort = abort
	now := e.cfg.Clock.Now()
	e.emit(Event{Kind: EventStart, Time: now})
	if ctx.Err() != nil {
		e.stop("interrupted", now) // before anything is placed
	}

	var drainUntil <-chan time.Time
	stopped := ctx.Done()
	for {
		now = e.cfg.Clock.Now()
		e.expire(now)
		wake := e.schedule(now)
		if e.finished() {
			break
		}
		if e.stopping && e.placing == 0 && len(e.inflight) == 0 {
			break
		}
		var timer <-chan time.Time
		if !wake.IsZero() {
			timer = e.cfg.Clock.After(max(wake.Sub(now), 0))
		}
		if ic, ok := e.cfg.Clock.(idler); ok {
			ic.Idle(e.placing > 0 || len(e.updates) > 0 || len(e.results) > 0, timer, drainUntil)
		}
		select {
		case <-stopped:
			stopped = nil
			e.stop("interrupted", now)
			drainUntil = e.cfg.Clock.After(e.cfg.Drain)
		case <-drainUntil:
			e.emit(Event{Kind: EventDrained, Time: e.cfg.Clock.Now()})
			return e.end(abort)
		case <-abort.Done():
			return e.end(abort)
		case r := <-e.results:
			e.placed(r)
		case u := <-e.updates:
			e.update(u)
		case err := <-e.written:
			e.halt = fmt.Errorf("campaign: %w", err)
			e.stop("the journal could not be written", now)
			return e.end(abort)
		case <-timer:
		}
		if e.halt != nil && !e.stopping {
			e.stop("halted", now)
			drainUntil = e.cfg.Clock.After(e.cfg.Drain)
		}
	}
	return e.end(abort)
}

// end waits for the workers (their results are journaled), flushes the
// journal, and reports.
func (e *Engine) end(abort context.Context) (Stats, error) {
	close(e.done)
	for e.placing > 0 {
		select {
		case r := <-e.results:
			e.placed(r)
		case <-abort.Done():
			// The attempt records are on disk: those calls are unknown on
			// resume, never placed twice.
			e.placing, e.sending = 0, map[*Attempt]bool{}
		}
	}
	close(e.writes)
	if err := <-e.written; err != nil && e.halt == nil {
		e.halt = fmt.Errorf("campaign: %w", err)
	}
	e.recount()
	e.emit(Event{Kind: EventDone, Time: e.cfg.Clock.Now(), Error: errText(e.halt)})
	return e.stats, e.halt
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// writer appends the loop's records in order, as many per fsync as have
// queued up.
func (e *Engine) writer() {
	var failed error
	for recs := range e.writes {
		if failed != nil {
			continue
		}
	more:
		for {
			select {
			case r, ok := <-e.writes:
				if !ok {
					break more
				}
				recs = append(recs, r...)
			default:
				break more
			}
		}
		if err := e.cfg.Journal.Append(recs...); err != nil {
			failed = err
			select {
			case e.written <- err:
			default:
			}
		}
	}
	e.written <- failed
}

func (e *Engine) write(recs ...Record) { e.writes <- recs }

// load sorts the journal's numbers into ready, retries, in flight and done.
func (e *Engine) load(now time.Time) {
	for _, n := range e.st.Numbers {
		a := n.Last()
		switch {
		case a == nil || a.Status == StatusPending:
			e.ready = append(e.ready, n)
		case a.Status == StatusInFlight:
			e.inflight[a] = a.Started.Add(e.cfg.OutcomeTimeout)
		case a.Status == StatusUnknown && e.cfg.RecallUnknown:
			e.ready = append(e.ready, n)
		default:
			e.maybeRetry(n, a)
		}
	}
}

// maybeRetry schedules n's next attempt when its last outcome asks for one.
func (e *Engine) maybeRetry(n *Number, a *Attempt) bool {
	if !e.cfg.RetryOn[a.Status] || n.Placed() >= e.cfg.Attempts {
		return false
	}
	end := a.Ended
	if end.IsZero() {
		end = a.Started
	}
	heap.Push(&e.retries, retry{n: n, due: end.Add(e.cfg.RetryAfter)})
	return true
}

// finished: nothing left to place or wait for.
func (e *Engine) finished() bool {
	return len(e.ready) == 0 && e.retries.Len() == 0 && e.placing == 0 && len(e.inflight) == 0
}

// schedule starts every call it may now and returns when to look again
// (zero: only an event can change anything).
func (e *Engine) schedule(now time.Time) time.Time {
	var wake time.Time
	soon := func(t time.Time) {
		if wake.IsZero() || t.Before(wake) {
			wake = t
		}
	}
	for _, d := range e.inflight {
		soon(d)
	}
	for e.retries.Len() > 0 && !e.retries[0].due.After(now) {
		r := heap.Pop(&e.retries).(retry)
		e.ready = append(e.ready, r.n)
	}
	if e.retries.Len() > 0 {
		soon(e.retries[0].due)
	}
	if e.stopping || e.halted.Load() || len(e.ready) == 0 {
		return wake
	}
	if open := e.cfg.Window.Next(now); open.After(now) {
		if !e.waiting.Equal(open) {
			e.waiting = open
			e.emit(Event{Kind: EventWindowWait, Time: now, Next: open})
		}
		soon(open)
		return wake
	}
	for len(e.ready) > 0 && e.placing+len(e.inflight) < e.cfg.Concurrency {
		if e.cfg.Rate > 0 && now.Before(e.next) {
			soon(e.next)
			break
		}
		n := e.ready[0]
		e.ready = e.ready[1:]
		e.start(n, now)
		if e.cfg.Rate > 0 {
			// Burst 1: calls are spread evenly, never fired in a clump.
			e.next = maxTime(e.next, now).Add(time.Duration(float64(time.Second) / e.cfg.Rate))
		}
	}
	return wake
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// CRID is the clientRequestId of a number's attempt: the campaign's id,
// the number's place in the list and the attempt, so a session summary
// names its attempt even when the Send Callflow answer was lost.
func CRID(campaign string, index, attempt int) string {
	return campaign + "-" + strconv.Itoa(index+1) + "-" + strconv.Itoa(attempt)
}

// start places n's next attempt from a worker goroutine: the attempt is
// journaled and synced first, then sent.
func (e *Engine) start(n *Number, now time.Time) {
	num := n.Placed() + 1
	recall := false
	if last := n.Last(); last != nil && last.Status == StatusUnknown {
		recall = true
	}
	crid := CRID(e.st.Header.Campaign, n.Index, num)
	rec := Record{T: RecAttempt, At: now, Number: n.Number, Attempt: num, CRID: crid, Recall: recall}
	e.st.apply(rec)
	a := n.Last()
	e.placing++
	e.sending[a] = true
	e.emit(Event{Kind: EventPlacing, Time: now, Number: n.Number, Attempt: num, ClientRequestID: crid, Recall: recall})
	call := Call{Number: n.Number, Attempt: num, ClientRequestID: crid, Fields: n.Fields}
	go func() {
		if err := e.cfg.Journal.Append(rec); err != nil {
			e.results <- placed{n: n, a: a, journal: err}
			return
		}
		// The request runs under abort, not the stop context: a first
		// Ctrl-C must not cut a request on the wire, leaving its call in
		// doubt.
		var sid string
		var err error
		if e.halted.Load() {
			// Another worker met a failure this call would share: it
			// is not sent (the loop may not have heard of it yet).
			err = &PlaceError{Verdict: NotSent, Err: errHalted}
		} else if sid, err = e.cfg.Placer.Place(e.abort, call); err != nil {
			if v, _ := verdict(err); v == Halt || v == NotSent {
				e.halted.Store(true)
			}
		}
		r := placed{n: n, a: a, session: sid, err: err}
		// The request's result is journaled by the worker, before the
		// loop hears of it: the loop's later records follow it.
		var rec Record
		switch v, code := verdict(err); {
		case err == nil && sid != "":
			rec = Record{T: RecCreated, Number: n.Number, Attempt: num, Session: sid}
		case err == nil:
			rec = Record{T: RecUncertain, Number: n.Number, Attempt: num, Error: "8x8 answered CREATED without a sessionId"}
		case v == Refused:
			rec = Record{T: RecNotPlaced, Number: n.Number, Attempt: num, Status: NotPlacedRefused, ErrorCode: code, Error: err.Error()}
		case v == NotSent || v == Halt:
			rec = Record{T: RecNotPlaced, Number: n.Number, Attempt: num, Status: NotPlacedUnsent, ErrorCode: code, Error: err.Error()}
		default:
			rec = Record{T: RecUncertain, Number: n.Number, Attempt: num, Error: err.Error()}
		}
		rec.At = e.cfg.Clock.Now()
		if jerr := e.cfg.Journal.Append(rec); jerr != nil {
			r.journal = jerr
		}
		r.rec = rec
		e.results <- r
	}()
}
