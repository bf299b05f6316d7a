package campaign

import (
	"context"
	"errors"
	"fmt"
)

// Call is one attempt to place: what the Placer sends.
type Call struct {
	Number          string
	Attempt         int
	ClientRequestID string
	Fields          []string // the list's other columns
}

// Placer sends one Send Callflow request and returns the sessionId 8x8
// answered with. Its errors say, through a *PlaceError, whether the call
// may have been placed; any other error counts as Uncertain, the only
// safe guess.
type Placer interface {
	Place(ctx context.Context, c Call) (sessionID string, err error)
}

// PlacerFunc adapts a function to Placer.
type PlacerFunc func(ctx context.Context, c Call) (string, error)

// Place calls f.
func (f PlacerFunc) Place(ctx context.Context, c Call) (string, error) { return f(ctx, c) }

// Verdict says what a failed Place means for the call.
type Verdict int

const (
	// Uncertain: the request may have been accepted (a timeout, a 5xx,
	// a connection lost after sending). The outcome is unknown; the
	// number is never placed again automatically.
	Uncertain Verdict = iota
	// Refused: 8x8 answered NOT_CREATED; nothing was placed and the same
	// request would be refused again, so it is not retried.
	Refused
	// NotSent: the request never reached 8x8 (stopped first, the
	// connection failed before sending, still rate limited after
	// retries): nothing was placed; the campaign stops placing, and a
	// resumed one places the same attempt again.
	NotSent
	// Halt: a failure every later call would share (a refused API key,
	// an unknown sub-account): nothing was placed, the campaign stops at
	// once.
	Halt
)

// PlaceError is a Place failure with its verdict.
type PlaceError struct {
	Verdict Verdict
	Code    int // 8x8's statusCode (or HTTP status), when known
	Err     error
}

func (e *PlaceError) Error() string { return e.Err.Error() }
func (e *PlaceError) Unwrap() error { return e.Err }

// verdict classifies a Place error.
func verdict(err error) (Verdict, int) {
	var pe *PlaceError
	if errors.As(err, &pe) {
		return pe.Verdict, pe.Code
	}
	// Anything else (a cancelled context mid-request too): only a
	// PlaceError can say the request never left.
	return Uncertain, 0
}

// HaltError is why a campaign stopped before its end: a placing failure
// every later call would share.
type HaltError struct {
	Number string
	Err    error
}

func (e *HaltError) Error() string {
	return fmt.Sprintf("campaign stopped: the call to %s failed in a way every call would: %v", e.Number, e.Err)
}

func (e *HaltError) Unwrap() error { return e.Err }
