// Package load plays scenario calls through the 8x8 emulator at an
// open-loop arrival rate, as 8x8 would send them under real call volume,
// and measures how the webhook backend answers: calls started, completed
// and failed by 8x8's error class, and the latency of every webhook round
// trip in HDR histograms, overall and per menu step.
//
// Open loop means the calls are scheduled at fixed instants (start + i/rate)
// whatever the backend does: a slow backend does not slow the arrivals, and
// a round trip's latency is counted from the instant its call was meant to
// start, not from when the driver got round to it. A closed-loop tool (each
// worker waiting for its last answer) sends fewer requests exactly when the
// backend is slow and so hides its worst latencies ("coordinated omission").
//
// The package places no calls itself: pkg/scenario's Player runs each one
// on pkg/emulator, exactly as `ivrctl test` does, and an emulator.Trace in
// the call's context reports its round trips. Commands render the Progress
// and Report values this package emits.
package load

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/emulator"
	"github.com/ivrctl/ivrctl/pkg/scenario"
)

// Defaults of Config's zero values.
const (
	// DefaultConcurrency bounds the calls in flight. Choice: as many as
	// the emulator plays at once behind its own Handler
	// (emulator.DefaultMaxSessions): enough for 1,800 calls/s (8x8's
	// per-sub-account limit) whose round trips take up to half a second.
	DefaultConcurrency = emulator.DefaultMaxSessions
	// DefaultDrain is how long the calls in flight at the end of
	// --duration may take to finish before they are cut short.
	DefaultDrain = 10 * time.Second
	// DefaultProgressEvery is how often Config.OnProgress is called.
	DefaultProgressEvery = 250 * time.Millisecond
	// MaxSteps bounds the per-step histograms: a backend that makes up a
	// new clientActionId for every answer would otherwise grow memory
	// without bound. Steps past it are counted under OtherStep.
	MaxSteps = 100
)

// Step names that are no clientActionId.
const (
	// StartStep is the first prompt, the one the Send Callflow request
	// carries: its VCA event has no clientActionId.
	StartStep = "(start)"
	// OtherStep gathers the steps past MaxSteps.
	OtherStep = "(other)"
)

// Config is one load run.
type Config struct {
	// Player places the calls (pkg/scenario's, as `ivrctl test` does).
	Player *scenario.Player
	// Scenarios are played round robin: call i plays Scenarios[i%n].
	Scenarios []*scenario.Scenario
	// Rate is the arrival rate, in calls per second (> 0).
	Rate float64
	// Duration is how long calls are started for (> 0).
	Duration time.Duration
	// Concurrency bounds the calls in flight (default
	// DefaultConcurrency). A call whose instant comes while that many are
	// in flight is not started: it is counted in Report.NotStarted, since
	// 8x8 would have sent it.
	Concurrency int
	// Timeout8x8 is the webhook timeout 8x8 is taken to have (default
	// emulator.DefaultWebhookTimeout): a round trip slower than this,
	// counted from its intended instant, is a call that would have ended
	// ERROR -2002 in production.
	Timeout8x8 time.Duration
	// Drain bounds the wait for the calls in flight once Duration is over
	// (default DefaultDrain); those still running then are cut short and
	// counted as interrupted, not failed.
	Drain time.Duration
	// OnProgress, when set, is called every ProgressEvery (default
	// DefaultProgressEvery) from one goroutine, and once at the end.
	OnProgress    func(Progress)
	ProgressEvery time.Duration
}

// Progress is a snapshot of a running load test, for a status line.
type Progress struct {
	Elapsed     time.Duration
	Scheduled   int64 // calls whose instant has come
	Started     int64
	InFlight    int64
	Completed   int64
	Failed      int64
	NotStarted  int64
	Interrupted int64
}

// Class is the kind of a failed call, by 8x8's session error codes.
type Class string

// The classes of failed calls.
const (
	// ClassWebhook: the webhook timed out, refused the connection or
	// answered other than 200; 8x8 ends such a session ERROR -2002.
	ClassWebhook Class = "webhook"
	// ClassCallflow: the webhook answered a body that is not a callflow
	// 8x8 accepts; ERROR -2003.
	ClassCallflow Class = "callflow"
	// ClassWrong: the call ended without an 8x8 error but not as the
	// scenario says (another prompt, status or number connected).
	ClassWrong Class = "wrong"
	// ClassRefused: the Send Callflow request itself was refused.
	ClassRefused Class = "refused"
	// ClassOther: any other session error (-2001, -2005, ...).
	ClassOther Class = "other"
)

// Classes lists the classes in the order reports show them.
var Classes = []Class{ClassWebhook, ClassCallflow, ClassWrong, ClassRefused, ClassOther}

// Code is 8x8's session error code of a class (0 for those without one).
func (c Class) Code() int {
	switch c {
	case ClassWebhook:
		return callflow.SessionErrorConnectivity
	case ClassCallflow:
		return callflow.SessionErrorCallflow
	}
	return 0
}

// Failure is one failed call, kept as an example for the report.
type Failure struct {
	Class    Class  `json:"class"`
	Scenario string `json:"scenario"` // its name and file:line
	Message  string `json:"message"`
}

// maxExamples is how many failures of each class a Report keeps.
const maxExamples = 3

// Report is the outcome of a load run.
type Report struct {
	AskedRate   float64
	Elapsed     time.Duration // from the first instant to the last call's end
	SendWindow  time.Duration // from the first instant to the last one scheduled
	Scheduled   int64         // calls whose instant came
	Started     int64
	Completed   int64 // calls that went as their scenario says
	Failed      map[Class]int64
	NotStarted  int64 // no free slot under Concurrency at their instant
	Interrupted int64 // cut short by a signal or the end of Drain
	Concurrency int
	Timeout8x8  time.Duration
	// OverTimeout counts the calls that did not fail here but had a round
	// trip slower than Timeout8x8 (from its intended instant): 8x8 would
	// have ended them ERROR -2002.
	OverTimeout int64
	// WebhookTimeouts, WebhookRefused and WebhookStatus split ClassWebhook.
	WebhookTimeouts, WebhookRefused, WebhookStatus int64
	Examples                                       []Failure

	Overall *Latency
	Steps   []*StepLatency // in the order first seen
}

// FailedTotal is the number of failed calls, every class.
func (r *Report) FailedTotal() int64 {
	var n int64
	for _, v := range r.Failed {
		n += v
	}
	return n
}

// AchievedRate is the calls started per second of the send window.
func (r *Report) AchievedRate() float64 {
	if r.SendWindow <= 0 {
		return 0
	}
	return float64(r.Started) / r.SendWindow.Seconds()
}

// Run plays the load test until cfg.Duration is over (then waits for the
// calls in flight, at most cfg.Drain) or ctx is done (then cuts them
// short), and reports. The error is for a Config that cannot run.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	d := newDriver(cfg)
	return d.run(ctx), nil
}

func (c *Config) check() error {
	switch {
	case c.Player == nil:
		return errors.New("load: no Player")
	case len(c.Scenarios) == 0:
		return errors.New("load: no scenarios")
	case !(c.Rate > 0) || math.IsInf(c.Rate, 0):
		return fmt.Errorf("load: rate %v: must be above 0", c.Rate)
	case c.Duration <= 0:
		return fmt.Errorf("load: duration %s: must be above 0", c.Duration)
	case c.Concurrency < 0:
		return fmt.Errorf("load: concurrency %d: must not be negative", c.Concurrency)
	}
	if c.Concurrency == 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.Timeout8x8 <= 0 {
		c.Timeout8x8 = emulator.DefaultWebhookTimeout
	}
	if c.Drain <= 0 {
		c.Drain = DefaultDrain
	}
	if c.ProgressEvery <= 0 {
		c.ProgressEvery = DefaultProgressEvery
	}
	return nil
}

// driver is one run's state.
type driver struct {
	cfg   Config
	slots chan struct{} // a token per call in flight

	scheduled, started, inFlight, completed, failed, notStarted, interrupted atomic.Int64

	mu          sync.Mutex // guards what follows
	classes     map[Class]int64
	examples    map[Class]int
	report      []Failure
	overTimeout int64
	timeouts    int64
	refusedConn int64
	badStatus   int64
	lat         *latencies
}

func newDriver(cfg Config) *driver {
	return &driver{
		cfg:      cfg,
		slots:    make(chan struct{}, cfg.Concurrency),
		classes:  map[Class]int64{},
		examples: map[Class]int{},
		lat:      newLatencies(),
	}
}

func (d *driver) progress(start time.Time) Progress {
	return Progress{
		Elapsed:     time.Since(start),
		Scheduled:   d.scheduled.Load(),
		Started:     d.started.Load(),
		InFlight:    d.inFlight.Load(),
		Completed:   d.completed.Load(),
		Failed:      d.failed.Load(),
		NotStarted:  d.notStarted.Load(),
		Interrupted: d.interrupted.Load(),
	}
}

func (d *driver) run(ctx context.Context) *Report {
	// Calls run under callCtx: a signal (ctx) cuts them short at once, the
	// end of Drain too.
	callCtx, cancelCalls := context.WithCancel(ctx)
	defer cancelCalls()

	start := time.Now()
	stopProgress := d.startProgress(start)

	var wg sync.WaitGroup
	end := start.Add(d.cfg.Duration)
	timer := time.NewTimer(0)
	defer timer.Stop()
	<-timer.C
	var last time.Time
schedule:
	for i := int64(0); ; i++ {
		// Computed from i, not by adding intervals: no drift over a long run.
		at := start.Add(time.Duration(float64(i) * float64(time.Second) / d.cfg.Rate))
		if !at.Before(end) {
			break
		}
		if wait := time.Until(at); wait > 0 {
			timer.Reset(wait)
			select {
			case <-ctx.Done():
				break schedule
			case <-timer.C:
			}
		} else if ctx.Err() != nil {
			break
		}
		// Behind schedule (a sleep overslept, the machine is busy): the
		// call starts now, and its latency still counts from at.
		last = at
		d.scheduled.Add(1)
		select {
		case d.slots <- struct{}{}:
		default:
			d.notStarted.Add(1)
			continue
		}
		d.started.Add(1)
		d.inFlight.Add(1)
		s := d.cfg.Scenarios[int(i%int64(len(d.cfg.Scenarios)))]
		wg.Go(func() {
			defer func() { <-d.slots; d.inFlight.Add(-1) }()
			d.play(callCtx, s, at)
		})
	}
	sendWindow := time.Duration(0)
	if !last.IsZero() {
		// The window covers the last call's own interval too: n calls at
		// rate r take n/r seconds.
		sendWindow = last.Sub(start) + time.Duration(float64(time.Second)/d.cfg.Rate)
	}

	// Drain: wait for the calls in flight, at most Drain.
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	drain := time.NewTimer(d.cfg.Drain)
	select {
	case <-done:
	case <-drain.C:
		cancelCalls()
		<-done
	case <-ctx.Done():
		<-done
	}
	drain.Stop()
	elapsed := time.Since(start)
	stopProgress()
	return d.build(elapsed, sendWindow)
}

// startProgress calls OnProgress every ProgressEvery until the returned
// func is called, which also sends the last snapshot.
func (d *driver) startProgress(start time.Time) func() {
	if d.cfg.OnProgress == nil {
		return func() {}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(d.cfg.ProgressEvery)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				d.cfg.OnProgress(d.progress(start))
			}
		}
	})
	return func() {
		close(stop)
		wg.Wait()
		d.cfg.OnProgress(d.progress(start))
	}
}

// play places one call meant to start at `at` and records it.
func (d *driver) play(ctx context.Context, s *scenario.Scenario, at time.Time) {
	var trips []emulator.RoundTrip
	tr := &emulator.Trace{WebhookDone: func(rt emulator.RoundTrip) { trips = append(trips, rt) }}
	res := d.cfg.Player.Play(emulator.WithTrace(ctx, tr), s)
	cut := ctx.Err() != nil

	d.mu.Lock()
	defer d.mu.Unlock()
	slowest := time.Duration(0)
	for i, rt := range trips {
		if rt.Err != nil && !errors.Is(rt.Err, context.DeadlineExceeded) {
			continue // refused, or cut short: no latency to speak of
		}
		from := rt.Sent
		if i == 0 {
			// The first round trip of a call counts from the call's
			// intended instant: any lag of the driver is the backend's
			// latency as 8x8 would see it (no coordinated omission).
			// Later ones follow their predecessor's answer, as on 8x8.
			from = at
		}
		lat := rt.Done.Sub(from)
		slowest = max(slowest, lat)
		d.lat.record(stepName(rt.ClientActionID), lat)
	}
	if res.Passed() {
		d.completed.Add(1)
		if slowest > d.cfg.Timeout8x8 {
			d.overTimeout++
		}
		return
	}
	if cut {
		// Cut short by a signal or the end of Drain, not by the backend.
		d.interrupted.Add(1)
		return
	}
	class, msg := classify(res)
	switch {
	case class == ClassWebhook && res.Transcript.WebhookFailure == emulator.WebhookTimedOut:
		d.timeouts++
	case class == ClassWebhook && res.Transcript.WebhookFailure == emulator.WebhookRefused:
		d.refusedConn++
	case class == ClassWebhook && res.Transcript.WebhookStatus != 0:
		d.badStatus++
	}
	d.failed.Add(1)
	d.classes[class]++
	if d.examples[class] < maxExamples {
		d.examples[class]++
		d.report = append(d.report, Failure{Class: class, Scenario: fmt.Sprintf("%s (%s)", s.Name, s.ID()), Message: msg})
	}
}

// classify sorts a failed call by 8x8's error class, with one line saying
// why.
func classify(res *scenario.Result) (Class, string) {
	if res.Err != nil {
		return ClassRefused, res.Err.Error()
	}
	tr := res.Transcript
	if ed := tr.Summary.Payload.ErrorDetails; ed != nil {
		why := ed.ErrorMsg
		if len(tr.Notes) > 0 {
			why = tr.Notes[len(tr.Notes)-1]
		}
		switch int(ed.ErrorCode) {
		case callflow.SessionErrorConnectivity:
			return ClassWebhook, fmt.Sprintf("ERROR %d: %s", int(ed.ErrorCode), why)
		case callflow.SessionErrorCallflow:
			return ClassCallflow, fmt.Sprintf("ERROR %d: %s", int(ed.ErrorCode), why)
		}
		if len(res.Failures) > 0 {
			return ClassOther, fmt.Sprintf("ERROR %d: %s", int(ed.ErrorCode), why)
		}
	}
	if len(res.Failures) > 0 {
		f := res.Failures[0]
		msg := fmt.Sprintf("%s (line %d): %s", f.Field, f.Line, f.Message)
		if f.Expected != "" || f.Actual != "" {
			msg += fmt.Sprintf(": expected %s, got %s", f.Expected, f.Actual)
		}
		return ClassWrong, msg
	}
	return ClassOther, "failed"
}

func stepName(cid string) string {
	if cid == "" {
		return StartStep
	}
	return cid
}

func (d *driver) build(elapsed, sendWindow time.Duration) *Report {
	d.mu.Lock()
	defer d.mu.Unlock()
	r := &Report{
		AskedRate:       d.cfg.Rate,
		Elapsed:         elapsed,
		SendWindow:      sendWindow,
		Scheduled:       d.scheduled.Load(),
		Started:         d.started.Load(),
		Completed:       d.completed.Load(),
		Failed:          map[Class]int64{},
		NotStarted:      d.notStarted.Load(),
		Interrupted:     d.interrupted.Load(),
		Concurrency:     d.cfg.Concurrency,
		Timeout8x8:      d.cfg.Timeout8x8,
		OverTimeout:     d.overTimeout,
		WebhookTimeouts: d.timeouts,
		WebhookRefused:  d.refusedConn,
		WebhookStatus:   d.badStatus,
		Examples:        d.report,
		Overall:         d.lat.overall.summary(),
	}
	maps.Copy(r.Failed, d.classes)
	for _, name := range d.lat.order {
		r.Steps = append(r.Steps, &StepLatency{Step: name, Latency: d.lat.steps[name].summary()})
	}
	return r
}
