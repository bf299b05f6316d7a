package voiceapi

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ivrctl/ivrctl/pkg/callflow"
)

// Kind sorts 8x8's answers that are not CREATED.
type Kind int

const (
	// KindNotCreated: 8x8 refused the callflow (sessionStatus NOT_CREATED,
	// a negative statusCode). Nothing was placed.
	KindNotCreated Kind = iota + 1
	// KindAuth: HTTP 401/403, the API key was refused. Nothing was placed.
	KindAuth
	// KindRateLimited: HTTP 429, still after every retry. Nothing was placed.
	KindRateLimited
	// KindServer: HTTP 5xx. The platform may have accepted the call.
	KindServer
	// KindUnexpected: a 2xx that is not CREATED or cannot be read. The
	// platform may have accepted the call.
	KindUnexpected
	// KindHTTP: any other HTTP status (404 unknown sub-account, 410, 426,
	// a redirect). Nothing was placed.
	KindHTTP
)

func (k Kind) String() string {
	switch k {
	case KindNotCreated:
		return "not created"
	case KindAuth:
		return "authentication failed"
	case KindRateLimited:
		return "rate limited"
	case KindServer:
		return "server error"
	case KindUnexpected:
		return "unexpected answer"
	case KindHTTP:
		return "HTTP error"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// APIError is an answer from 8x8 that is not CREATED.
type APIError struct {
	Kind              Kind
	HTTPStatus        int
	StatusCode        int // the body's statusCode, 0 when absent
	StatusMessage     string
	SessionStatus     string
	CallFlowRequestID string
	RetryAfter        time.Duration // a 429's Retry-After, -1 when absent
	Body              []byte
}

func (e *APIError) Error() string {
	msg := e.StatusMessage
	if msg == "" {
		msg = callflow.StatusMessage(e.StatusCode)
	}
	switch {
	case e.Kind == KindNotCreated:
		return fmt.Sprintf("not created: %d %s", e.StatusCode, msg)
	case msg != "":
		return fmt.Sprintf("HTTP %d: %s", e.HTTPStatus, msg)
	case len(e.Body) > 0 && e.Kind != KindUnexpected:
		return fmt.Sprintf("HTTP %d: %s", e.HTTPStatus, snippet(e.Body))
	case e.Kind == KindUnexpected:
		return fmt.Sprintf("HTTP %d without sessionStatus CREATED", e.HTTPStatus)
	}
	return fmt.Sprintf("HTTP %d", e.HTTPStatus)
}

// MaybeAccepted reports whether 8x8 may have placed the call anyway.
func (e *APIError) MaybeAccepted() bool { return e.Kind == KindServer || e.Kind == KindUnexpected }

// snippet is the start of a non-JSON body (an HTML error page), on one
// line, cut at a character boundary. The client has already masked the
// API key in the body.
func snippet(b []byte) string {
	const limit = 120
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// ErrStopped matches (errors.Is) a *StoppedError: the caller stopped the
// request before it was sent, or while it waited to be sent again.
var ErrStopped = errors.New("stopped before sending")

// StoppedError is a request the caller stopped before it went out: its
// context ended before an attempt, during a dial, or during the wait
// before a retry. Only requests 8x8 certainly did not act on are retried,
// so nothing was placed.
type StoppedError struct {
	Cause error // the context's error, or the wait's
	Last  error // the last attempt's error (a 429, a failed dial), nil if none
}

func (e *StoppedError) Error() string {
	if e.Last != nil {
		return fmt.Sprintf("stopped while waiting to retry (%v): not sent again", e.Last)
	}
	return fmt.Sprintf("stopped before sending: %v", e.Cause)
}

func (e *StoppedError) Is(target error) bool { return target == ErrStopped }
func (e *StoppedError) Unwrap() error        { return e.Cause }

// TransportError is a request that got no answer from 8x8.
type TransportError struct {
	Err      error
	Host     string
	Sent     bool          // a connection was made: the request may have reached 8x8
	Timeout  bool          // the attempt ran out of time
	After    time.Duration // the attempt's time limit, when Timeout
	Canceled bool          // the caller's context ended after the request was sent
}

func (e *TransportError) Error() string {
	switch {
	case e.Timeout && e.After > 0:
		return fmt.Sprintf("no answer from %s within %s", e.Host, e.After)
	case e.Timeout:
		return fmt.Sprintf("no answer from %s: %v", e.Host, e.Err)
	case e.Canceled:
		return fmt.Sprintf("request to %s abandoned: %v", e.Host, e.Err)
	case !e.Sent:
		return fmt.Sprintf("could not connect to %s: %v", e.Host, e.Err)
	}
	return fmt.Sprintf("connection to %s failed after sending: %v", e.Host, e.Err)
}

func (e *TransportError) Unwrap() error { return e.Err }

// MaybeAccepted reports whether 8x8 may have placed the call anyway.
func (e *TransportError) MaybeAccepted() bool { return e.Sent }

// safeToRetry: only a failure to connect (dial or DNS) before anything was
// sent. A timeout or cancellation is never retried, even before sending:
// the time budget is spent. Neither is a host that does not exist: asking
// again cannot help, it only delays the message.
func (e *TransportError) safeToRetry() bool {
	if e.Sent || e.Timeout || e.Canceled {
		return false
	}
	var dnsErr *net.DNSError
	if errors.As(e.Err, &dnsErr) {
		return !dnsErr.IsNotFound
	}
	var opErr *net.OpError
	return errors.As(e.Err, &opErr) && opErr.Op == "dial"
}

// MaybeAccepted reports whether err leaves open that 8x8 placed the call:
// the caller must check the clientRequestId before trying again.
func MaybeAccepted(err error) bool {
	var a *APIError
	if errors.As(err, &a) {
		return a.MaybeAccepted()
	}
	var t *TransportError
	if errors.As(err, &t) {
		return t.MaybeAccepted()
	}
	return false
}

// NewRequestID returns a random UUID (version 4) for clientRequestId.
func NewRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
