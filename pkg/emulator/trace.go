package emulator

import (
	"context"
	"time"
)

// RoundTrip is one VCA webhook round trip as the emulator saw it: which
// menu step it answered and how long the webhook took, in real time.
type RoundTrip struct {
	// ClientActionID is the event's clientActionId: the step of the menu
	// whose prompt was answered ("" for the prompt of the Send Callflow
	// request itself, the menu's start).
	ClientActionID string
	Sent, Done     time.Time
	Status         int   // the HTTP status answered, 0 on a transport error
	Err            error // a transport error: refused, timed out
}

// Trace hears what a session does, for callers that measure it (a load
// test). Like net/http/httptrace, it travels in the context given to
// Run, so one emulator serves many calls, each with its own trace.
type Trace struct {
	// WebhookDone, when set, is called after each VCA round trip, from
	// the session's goroutine.
	WebhookDone func(RoundTrip)
}

type traceKey struct{}

// WithTrace returns ctx carrying t: the sessions Run plays with it call t.
func WithTrace(ctx context.Context, t *Trace) context.Context {
	return context.WithValue(ctx, traceKey{}, t)
}

func traceOf(ctx context.Context) *Trace {
	t, _ := ctx.Value(traceKey{}).(*Trace)
	return t
}
