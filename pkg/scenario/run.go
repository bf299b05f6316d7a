package scenario

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/emulator"
	"github.com/ivrctl/ivrctl/pkg/menu"
	"github.com/ivrctl/ivrctl/pkg/redact"
)

// Result is one scenario's call and verdict.
type Result struct {
	Scenario   *Scenario
	Webhook    string               // the URL the events went to, its query hidden (a token); "" in-process
	Transcript *emulator.Transcript // nil when the call could not be placed
	Failures   []Failure
	Err        error // the call could not be placed (the emulator refused the request)
	Duration   time.Duration
}

// Passed reports whether the call went as the scenario says.
func (r *Result) Passed() bool { return r.Err == nil && len(r.Failures) == 0 }

// Runner places scenario calls on the emulator.
type Runner struct {
	// Webhook, when set, receives every scenario's VCA events (a running
	// `ivrctl serve`, or a team's own backend), overriding call.webhook
	// and the in-process menu.
	Webhook string
	// VSS, when set, receives the session summary of every call whose
	// events went to a URL, as 8x8 posts it after the call; a summary not
	// taken (transport error, non-2xx) fails the scenario. In-process
	// calls post none: there is no backend to record them.
	VSS string
	// Header is added to every request to Webhook and VSS: the
	// credential the backend checks (8x8's httpAuthHeader, which `ivrctl
	// serve --auth-secret` expects in Authorization). A scenario's own
	// call.webhook never gets it: a file should not be able to send the
	// secret elsewhere.
	Header  http.Header
	Client  *http.Client  // for HTTP webhooks (default: a client kept per Runner)
	Timeout time.Duration // bounds each webhook round trip (0: the emulator's default)
	// Parallel is the number of calls in flight (0: one per CPU, or four
	// per CPU when a call goes over HTTP, see workers).
	Parallel int
	// Profiles, when not nil, are the sub-account's speech profiles (test
	// --profiles): a request naming another voice is refused -1002, a
	// webhook's callflow naming one ends the call ERROR -2005, as 8x8
	// would. Nil: voices are not checked.
	Profiles []callflow.SpeechProfile
}

// Run places every scenario's call, Parallel at a time (once ctx is done,
// the calls not yet placed are reported not run), and calls each
// (when not nil) with the results in input order, as soon as each and all
// before it are done. It returns the results in input order.
func (r *Runner) Run(ctx context.Context, scenarios []*Scenario, each func(*Result)) []*Result {
	p := r.Player(scenarios)
	defer p.Close()
	results := make([]*Result, len(scenarios))
	done := make([]chan struct{}, len(scenarios))
	for i := range done {
		done[i] = make(chan struct{})
	}
	workers := min(r.workers(scenarios), len(scenarios))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(scenarios) {
					return
				}
				s := scenarios[i]
				t := r.target(s)
				if err := ctx.Err(); err != nil {
					// Interrupted: the calls not yet placed are not run
					// (each would only end ERROR), and say so.
					results[i] = &Result{Scenario: s, Webhook: redact.URL(t.url), Err: fmt.Errorf("not run: %w", err)}
				} else {
					results[i] = p.Play(ctx, s)
				}
				close(done[i])
			}
		})
	}
	for i := range scenarios {
		<-done[i]
		if each != nil {
			each(results[i])
		}
	}
	wg.Wait()
	// Summaries held back by the delay-vss fault go out once the calls
	// are over, bounded as a summary is.
	for _, emu := range p.emus {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.flushTimeout())
		emu.Flush(fctx)
		cancel()
	}
	return results
}

// Player places one scenario call at a time, for callers that decide
// themselves when and how many (`ivrctl load` paces them at a rate): Run
// is a Player driven by a pool of workers. It is safe for concurrent use.
type Player struct {
	r     *Runner
	emus  map[target]*emulator.Emulator
	close func()
}

// Player prepares the emulators for scenarios (Play takes only those);
// Close it once the calls are over.
func (r *Runner) Player(scenarios []*Scenario) *Player {
	emus, done := r.emulators(scenarios)
	return &Player{r: r, emus: emus, close: done}
}

// Play places s's call and judges it. A context carrying an
// emulator.Trace hears the call's webhook round trips.
func (p *Player) Play(ctx context.Context, s *Scenario) *Result {
	t := p.r.target(s)
	return runOne(ctx, p.emus[t], s, t.url)
}

// Close closes the idle connections of the client the Player made.
func (p *Player) Close() { p.close() }

// target is who answers a scenario's webhooks: a URL or an engine.
type target struct {
	url    string
	engine *menu.Engine
}

func (r *Runner) target(s *Scenario) target {
	switch {
	case r.Webhook != "":
		return target{url: r.Webhook}
	case s.Call.Webhook != "":
		return target{url: s.Call.Webhook}
	}
	return target{engine: s.engine}
}

// emulators makes one emulator per target, before any call runs: an
// emulator is safe for concurrent use, its Config is not per call. done
// closes the connections of the client it made, once the calls are over.
func (r *Runner) emulators(scenarios []*Scenario) (emus map[target]*emulator.Emulator, done func()) {
	client, done := r.Client, func() {}
	if client == nil {
		// The emulator's own client settings (`ivrctl emulate` posts with
		// them): no redirect followed, as 8x8 documents none, and no proxy
		// from the environment. One connection per worker stays open
		// between calls: a suite against a loopback server is otherwise
		// bound by TCP setup.
		tr := emulator.DefaultClient.Transport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = r.workers(scenarios)
		client = &http.Client{Transport: tr, CheckRedirect: emulator.DefaultClient.CheckRedirect}
		done = tr.CloseIdleConnections
	}
	emus = map[target]*emulator.Emulator{}
	var vss func(context.Context, []byte) error
	for _, s := range scenarios {
		t := r.target(s)
		if emus[t] != nil {
			continue
		}
		cfg := emulator.Config{WebhookTimeout: r.Timeout, Profiles: r.Profiles}
		if t.url != "" {
			var hdr http.Header
			if t.url == r.Webhook {
				hdr = r.Header
			}
			cfg.Webhook = &emulator.HTTPWebhook{URL: t.url, Client: client, Timeout: r.Timeout, Header: hdr}
			if vss == nil && r.VSS != "" {
				vss = (&emulator.VSSWebhook{URL: r.VSS, Client: client, Timeout: r.Timeout, Header: r.Header}).Deliver
			}
			cfg.VSS = vss
		} else {
			cfg.Webhook = &emulator.EngineWebhook{Engine: t.engine}
		}
		emus[t] = emulator.New(cfg)
	}
	return emus, done
}

// runOne places one call and judges it.
func runOne(ctx context.Context, emu *emulator.Emulator, s *Scenario, webhook string) *Result {
	start := time.Now()
	res := &Result{Scenario: s, Webhook: redact.URL(webhook)}
	c := newScript(s)
	var tr *emulator.Transcript
	var err error
	if s.Call.Inbound {
		tr, err = emu.Ring(ctx, emulator.Inbound{To: s.Call.To, From: s.Call.From}, c)
	} else {
		tr, err = emu.Run(ctx, s.request, c)
	}
	res.Duration = time.Since(start)
	if err != nil {
		var rej *emulator.RejectedError
		var ring *emulator.RingError
		switch {
		case errors.As(err, &rej):
			err = fmt.Errorf("the Send Callflow request was refused: %w", err)
		case errors.As(err, &ring):
			err = fmt.Errorf("the inbound call could not ring: %w", err)
		}
		res.Err = err
		return res
	}
	res.Transcript = tr
	res.Failures = append(c.finish(), Check(s, tr)...)
	if tr.SummaryError != "" {
		// The backend did not take the summary: its VSS handler is
		// broken, whatever the call did.
		res.Failures = append(res.Failures, Failure{Field: "session summary", Line: s.Line, Message: tr.SummaryError})
	}
	return res
}

// flushTimeout bounds the delivery of held-back summaries at the end.
func (r *Runner) flushTimeout() time.Duration {
	if r.Timeout > 0 {
		return 2 * r.Timeout
	}
	return 2 * emulator.DefaultWebhookTimeout
}

// httpCallsPerCPU is the default number of calls in flight per CPU when
// some go to a webhook over HTTP: a worker then mostly waits on the
// backend's answer, so one per CPU left the machine idle (measured: 8 in
// flight on 2 CPUs ran the advanced suite against serve 1.6x faster).
const httpCallsPerCPU = 4

// workers is the number of calls in flight: Parallel, or the default.
func (r *Runner) workers(scenarios []*Scenario) int {
	if r.Parallel > 0 {
		return r.Parallel
	}
	n := runtime.GOMAXPROCS(0)
	for _, s := range scenarios {
		if r.target(s).url != "" {
			return n * httpCallsPerCPU
		}
	}
	return n
}
