package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
)

// StatusError is a webhook answer other than 2xx to a summary or status
// post. Its message never shows the URL's query or user info.
type StatusError struct {
	URL    string // redacted
	Status int
}

func (e *StatusError) Error() string { return fmt.Sprintf("POST %s: HTTP %d", e.URL, e.Status) }

// applyFaults decides the session's faults (Config's and its Caller's)
// and wraps its webhooks for the slow-network fault.
func (s *session) applyFaults() {
	s.faults = s.e.faultsOf(s.caller)
	s.tr.Faults = s.faults.Names()
	if d := s.faults.SlowNetwork; d > 0 {
		if s.webhook != nil {
			s.webhook = slowWebhook{w: s.webhook, d: d}
		}
		s.vss = slowPost(s.vss, d)
		s.vcsPost = slowPost(s.vcsPost, d)
	}
}

// fault notes a fault played, in the transcript (reports show it) and
// the log.
func (s *session) fault(name, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	s.note("fault " + name + ": " + msg)
	s.logf(EventFault, false, "%s: %s", name, msg)
}

// delivered counts one post of a webhook kind.
func (s *session) delivered(kind string) {
	if s.tr.Deliveries == nil {
		s.tr.Deliveries = map[string]int{}
	}
	s.tr.Deliveries[kind]++
}

// deliver posts the summary, playing the VSS faults. A session cut short
// by Shutdown still tries, within a short deadline of its own.
func (s *session) deliver(ctx context.Context) {
	post := s.vss
	if post == nil {
		return
	}
	body, err := json.Marshal(&s.tr.Summary)
	if err != nil {
		s.summaryFailed(err)
		return
	}
	sum := &heldSummary{session: s.tr.SessionID, body: body, post: post, faults: s.faults}
	if s.faults.DelayVSS {
		// Choice (choices.go): delivered after the next session's.
		s.e.delayed.release(ctx, s.e)
		s.e.delayed.hold(sum)
		s.fault(FaultDelayVSS, "session summary held back: it is delivered after the next call's (or at the end of the run)")
		return
	}
	err = sum.send(ctx, s.e, s.delivered, s.fault)
	s.e.delayed.release(ctx, s.e)
	if err != nil {
		s.summaryFailed(err)
		return
	}
	s.logf(EventVSS, false, "delivered: %s", s.tr.Summary.Payload.SessionStatus)
}

func (s *session) summaryFailed(err error) {
	s.tr.SummaryError = err.Error()
	s.note("session summary not delivered: " + err.Error())
	s.logf(EventVSS, true, "not delivered: %v", err)
}

// heldSummary is one summary to post, now or later (delay-vss).
type heldSummary struct {
	session string
	body    []byte
	post    func(ctx context.Context, body []byte) error
	faults  Faults
}

// send posts the summary: again after a non-2xx answer with retry-vss
// (up to VSSAttempts in all), and twice with duplicate-vss. count and
// note hear every post and every fault played (nil: ignored).
func (h *heldSummary) send(ctx context.Context, e *Emulator, count func(string), note func(name, format string, args ...any)) error {
	if count == nil {
		count = func(string) {}
	}
	if note == nil {
		note = func(name, format string, args ...any) {
			e.emit(Event{Session: h.session, Kind: EventFault, Message: name + ": " + fmt.Sprintf(format, args...)})
		}
	}
	attempts := 1
	if h.faults.RetryVSS {
		attempts = VSSAttempts
	}
	var err error
	for i := 1; i <= attempts; i++ {
		count("VSS")
		err = e.postOnce(ctx, h.post, h.body)
		var se *StatusError
		if err == nil || !errors.As(err, &se) || i == attempts {
			break
		}
		note(FaultRetryVSS, "summary answered HTTP %d: delivered again (attempt %d of %d)", se.Status, i+1, attempts)
	}
	if err == nil && h.faults.DuplicateVSS {
		count("VSS")
		err = e.postOnce(ctx, h.post, h.body)
		note(FaultDuplicateVSS, "session summary delivered twice (same sessionId and body)")
	}
	return err
}

// postOnce posts a body within the webhook timeout, even after ctx was
// cancelled (a summary of a session cut short is still sent).
func (e *Emulator) postOnce(ctx context.Context, post func(context.Context, []byte) error, body []byte) error {
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), e.cfg.WebhookTimeout)
	defer cancel()
	return post(dctx, body)
}

// delayedSummaries holds the summaries delay-vss keeps back.
type delayedSummaries struct {
	mu   sync.Mutex
	held []*heldSummary
}

func (d *delayedSummaries) hold(h *heldSummary) {
	d.mu.Lock()
	d.held = append(d.held, h)
	d.mu.Unlock()
}

// release delivers what was held, logging each result.
func (d *delayedSummaries) release(ctx context.Context, e *Emulator) {
	d.mu.Lock()
	held := d.held
	d.held = nil
	d.mu.Unlock()
	for _, h := range held {
		if err := h.send(ctx, e, nil, nil); err != nil {
			e.emit(Event{Session: h.session, Kind: EventVSS, Error: true, Message: "held-back summary not delivered: " + err.Error()})
			continue
		}
		e.emit(Event{Session: h.session, Kind: EventVSS, Message: "held-back summary delivered (fault " + FaultDelayVSS + ")"})
	}
}

func (d *delayedSummaries) flush(ctx context.Context, e *Emulator) { d.release(ctx, e) }
