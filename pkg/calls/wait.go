package calls

import (
	"context"
	"encoding/json"
	"net"
	"time"

	"github.com/ivrctl/ivrctl/pkg/sessions"
	"github.com/ivrctl/ivrctl/pkg/voiceapi"
	"github.com/ivrctl/ivrctl/pkg/webhook"
)

// Waiter is one call placed and waited for: the webhook server of `ivrctl
// serve` answering on a listener, and an Inbox matching its events to the
// call's session. Make one with Listen, then Place, Wait and Shutdown, in
// that order, from one goroutine.
type Waiter struct {
	cfg  webhook.Config
	in   *Inbox
	url  string
	addr net.Addr
	auth bool

	stopServer context.CancelFunc
	served     chan error // Run's result; read once, by Shutdown or Wait
	stopped    bool
}

// StartError is why Listen could not start: the server's configuration
// (the sessions or recording file, say) or, when Listening, the listener.
type StartError struct {
	Addr      string
	Listening bool
	Err       error
}

func (e *StartError) Error() string {
	if e.Listening {
		return "listen on " + e.Addr + ": " + e.Err.Error()
	}
	return e.Err.Error()
}

func (e *StartError) Unwrap() error { return e.Err }

// Listen starts cfg's webhook server on addr (host:port; port 0 is a free
// one). cfg.OnEvent is the Waiter's. Listening comes before the call is
// placed: 8x8 may post its first VCA before its answer to Send Callflow.
func Listen(cfg webhook.Config, addr string) (*Waiter, error) {
	w := &Waiter{cfg: cfg, in: NewInbox()}
	w.cfg.OnEvent = w.in.Add
	srv, err := webhook.New(w.cfg)
	if err != nil {
		return nil, &StartError{Addr: addr, Err: err}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		srv.Close()
		return nil, &StartError{Addr: addr, Listening: true, Err: err}
	}
	w.addr, w.auth = ln.Addr(), srv.AuthEnabled()
	w.url = "http://" + ln.Addr().String()
	serverCtx, stopServer := context.WithCancel(context.Background())
	w.stopServer, w.served = stopServer, make(chan error, 1)
	go func() { w.served <- srv.Run(serverCtx, ln) }()
	return w, nil
}

// URL is the server's base URL (http://host:port).
func (w *Waiter) URL() string { return w.url }

// Addr is the address listened on.
func (w *Waiter) Addr() net.Addr { return w.addr }

// AuthEnabled reports whether the server checks webhook credentials.
func (w *Waiter) AuthEnabled() bool { return w.auth }

// Place sends job once and, when 8x8 created the call and named its
// session, waits for that session's events from then on. The sessionId is
// "" when the call was not created (see the Outcome) or 8x8's answer
// named no session.
func (w *Waiter) Place(stopCtx, abortCtx context.Context, client *voiceapi.Client, subaccount string, job Job) (Outcome, string) {
	r := &Runner{Client: client, Subaccount: subaccount, Concurrency: 1}
	o := <-r.Start(stopCtx, abortCtx, []Job{job})
	sessionID := ""
	if o.Err == nil && o.Result != nil && o.Result.Response != nil {
		sessionID = o.Result.Response.SessionID
	}
	if o.Err == nil && !o.Skipped && sessionID != "" {
		w.in.SetSession(sessionID)
	}
	return o, sessionID
}

// EventKind says what an Event reports.
type EventKind int

const (
	// EventWebhook is a webhook event of the session (not its summary):
	// a VCA answered with the menu, a VCS, a refused request.
	EventWebhook EventKind = iota
	// EventTick is the time passing, every tick given to Wait: a
	// progress display's cue.
	EventTick
)

// Event is what Wait reports while it waits.
type Event struct {
	Kind    EventKind
	Webhook webhook.Event // EventWebhook
	Elapsed time.Duration // EventTick: since Wait began
}

// EndReason is why Wait returned.
type EndReason int

const (
	EndSummary  EndReason = iota // the session summary arrived: End.Summary
	EndTimeout                   // no summary within the timeout
	EndStopped                   // stopCtx ended
	EndListener                  // the server failed: End.Err
)

// End is how a wait ended.
type End struct {
	Reason  EndReason
	Summary webhook.Event // EndSummary: the VSS event, with its Outcome
	Err     error         // EndListener: why the server stopped
}

// Wait reports the session's events through emit until its summary, the
// timeout (counted from now), stopCtx's end, or the server's failure.
// tick > 0 also emits an EventTick that often.
func (w *Waiter) Wait(stopCtx context.Context, sessionID string, timeout, tick time.Duration, emit func(Event)) End {
	start := time.Now()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var ticks <-chan time.Time
	if tick > 0 {
		t := time.NewTicker(tick)
		defer t.Stop()
		ticks = t.C
	}
	for {
		for _, e := range w.in.Take() {
			if e.Kind == webhook.KindVSS && e.Outcome != "" && e.Session == sessionID {
				return End{Reason: EndSummary, Summary: e}
			}
			emit(Event{Kind: EventWebhook, Webhook: e})
		}
		select {
		case <-w.in.Ready():
		case <-ticks:
			emit(Event{Kind: EventTick, Elapsed: time.Since(start)})
		case <-timer.C:
			return End{Reason: EndTimeout}
		case <-stopCtx.Done():
			return End{Reason: EndStopped}
		case err := <-w.served:
			w.stopped = true
			return End{Reason: EndListener, Err: err}
		}
	}
}

// Counts returns how many webhook events of other sessions the server
// answered (not reported) and how many held events were dropped because
// too many arrived before the call was created.
func (w *Waiter) Counts() (others, dropped int) { return w.in.Counts() }

// SessionID is the session waited for ("" before Place named it).
func (w *Waiter) SessionID() string { return w.in.SessionID() }

// Shutdown stops the server and waits for it to finish the requests in
// flight and close the sessions file, or for abortCtx to end (every
// summary was synced as it was written: nothing is lost). It returns the
// server's error, once; later calls return nil.
func (w *Waiter) Shutdown(abortCtx context.Context) error {
	if w.stopped {
		return nil
	}
	w.stopped = true
	w.stopServer()
	select {
	case err := <-w.served:
		return err
	case <-abortCtx.Done():
		return nil
	}
}

// Summary reads the session's summary back from the session store, as
// recorded (its latest revision); nil when it is not there.
func (w *Waiter) Summary(sessionID string) (json.RawMessage, error) {
	rd, err := sessions.OpenReader(context.Background(), w.cfg.SessionsPath)
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	recs, err := rd.Query(context.Background(), sessions.Query{SessionID: sessionID})
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	return recs[len(recs)-1].Event, nil
}
