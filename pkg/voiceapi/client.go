// Package voiceapi is ivrctl's client for 8x8's outbound Voice API: Send
// Callflow (POST /api/v1/subaccounts/{id}/callflows), which starts a call,
// and the sub-account's webhooks, speech profiles and virtual numbers
// (account.go), which can all be sent again without harm.
//
// Send Callflow's retry policy is built around one rule: never ring anyone twice. A
// request is only sent again when 8x8 certainly did not act on it: a 429
// (rate limited, so rejected) and a connection that failed before anything
// was written. A timeout, a connection reset after the request went out, a
// 5xx or a 2xx that cannot be read may all hide a call the platform accepted,
// so they are reported as such (MaybeAccepted) and never retried: the caller
// checks the clientRequestId in the session summary (VSS) instead.
package voiceapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/redact"
)

// Defaults of the retry policy.
const (
	DefaultRetries       = 3
	DefaultMaxRetryAfter = 30 * time.Second // longest Retry-After honoured
	defaultRateWait      = time.Second      // a 429 without a usable Retry-After
	dialBackoff          = 250 * time.Millisecond
	maxBodyBytes         = 1 << 20 // Send Callflow answers are a few hundred bytes
	// maxAccountBodyBytes bounds an account endpoint's answer: a
	// sub-account's number list runs to about 500 bytes a number.
	maxAccountBodyBytes = 16 << 20
)

// Client sends callflows to one 8x8 base URL with one API key. Make one
// with New, which sets every exported field to its default; change them
// before the first request. A nil Sleep or Now means the real timer and
// clock. A Client is safe for concurrent use.
type Client struct {
	base   *url.URL
	apiKey string
	hc     *http.Client

	// UserAgent is sent as User-Agent.
	UserAgent string
	// Retries bounds the requests sent again after a 429 or a connection
	// that failed before sending: at most Retries+1 attempts. Negative
	// means none; zero is taken as DefaultRetries only by New.
	Retries int
	// Timeout bounds one attempt, from dialling to the end of the body.
	// Zero means no limit beyond the context's.
	Timeout time.Duration
	// MaxRetryAfter is the longest wait a 429's Retry-After may ask for:
	// a longer one is not waited for, and not cut short either (sending
	// early would only be refused again), so the 429 is returned.
	MaxRetryAfter time.Duration
	// Sleep waits between attempts; tests replace it to run fast. It must
	// return the context's error when the context ends first.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock Retry-After dates are read against.
	Now func() time.Time
	// OnRetry, when set, hears about every retry before its wait.
	OnRetry func(Retry)
}

// Retry describes one upcoming retry.
type Retry struct {
	Attempt int           // the attempt that failed, from 1
	Wait    time.Duration // the wait before the next one
	Err     error         // why: an *APIError (429) or a *TransportError
}

// New returns a client for baseURL (scheme and host, optionally a path
// prefix) authenticating with apiKey. hc is the HTTP client to use; it is
// copied, and the copy refuses redirects: a POST is never replayed
// elsewhere and the key never follows a redirect.
func New(baseURL, apiKey string, hc *http.Client) (*Client, error) {
	u, err := ParseBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	if hc == nil {
		hc = &http.Client{}
	}
	cp := *hc
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Client{
		base: u, apiKey: apiKey, hc: &cp,
		Retries:       DefaultRetries,
		MaxRetryAfter: DefaultMaxRetryAfter,
		Sleep:         Sleep,
		Now:           time.Now,
	}, nil
}

// ParseBaseURL checks a base URL. Plain http is refused except to a
// loopback host (a local fake of the API), because the API key travels in
// a header.
func ParseBaseURL(s string) (*url.URL, error) {
	shown := redact.URL(s) // a credential in the URL is never quoted
	u, err := url.Parse(strings.TrimRight(s, "/"))
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error quotes the URL whole
		}
		return nil, fmt.Errorf("base URL %q: %w", shown, err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("base URL %q: scheme must be https", shown)
	case u.Host == "":
		return nil, fmt.Errorf("base URL %q: no host", shown)
	case u.User != nil:
		return nil, fmt.Errorf("base URL: must not carry credentials: the API key is sent as a Bearer token")
	case u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("base URL %q: must not have a query or fragment", shown)
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		return nil, fmt.Errorf("base URL %q: plain http would send the API key unencrypted: use https (http is allowed to loopback only)", shown)
	}
	return u, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// BaseURL is the base URL the client sends to, as parsed (no trailing
// slash): the same API however the user spelled it.
func (c *Client) BaseURL() string { return c.base.String() }

// CallflowsURL is Send Callflow's URL for a sub-account.
func (c *Client) CallflowsURL(subaccount string) string {
	return c.base.JoinPath("api", "v1", "subaccounts", subaccount, "callflows").String()
}

// NewRequest builds the Send Callflow HTTP request for a JSON body. It is
// what SendCallflow sends, and what a dry run shows.
func (c *Client) NewRequest(ctx context.Context, subaccount string, body []byte) (*http.Request, error) {
	if !callflow.ValidSubaccount(subaccount) {
		return nil, fmt.Errorf("sub-account %q: must be 3 to 50 of A-Z a-z 0-9 - . _ &", subaccount)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.CallflowsURL(subaccount), bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("send callflow: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.apiKey)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if c.UserAgent != "" {
		req.Header.Set("User-Agent", c.UserAgent)
	}
	return req, nil
}

// Result is what became of one Send Callflow request.
type Result struct {
	// Response is 8x8's answer, nil when there was none or it was not
	// Send Callflow's JSON.
	Response   *callflow.Response
	HTTPStatus int    // 0 when no answer arrived
	Body       []byte // the raw answer, at most 1 MiB (16 MiB for the account endpoints)
	Attempts   int    // requests sent or tried, including retries
	// Truncated says the answer was longer than that: Body is its start.
	Truncated bool
}

// SendCallflow posts a callflow request. The result is never nil and says
// how many attempts were made; the error is nil only when 8x8 answered
// CREATED. Errors are *APIError (8x8 answered) or *TransportError (it did
// not), both telling whether the call may nevertheless have been accepted,
// or *StoppedError (ErrStopped: ctx ended before the request went out, or
// while waiting to retry; nothing was placed).
func (c *Client) SendCallflow(ctx context.Context, subaccount string, req *callflow.Request) (*Result, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return &Result{}, fmt.Errorf("encode callflow: %w", err)
	}
	return c.Send(ctx, subaccount, body)
}

// Send posts an already encoded callflow request; see SendCallflow.
func (c *Client) Send(ctx context.Context, subaccount string, body []byte) (*Result, error) {
	return c.retry(ctx, func(ctx context.Context, res *Result) error {
		return c.attempt(ctx, subaccount, body, res)
	}, c.retryable)
}

// retry runs attempt until it succeeds, retryable says no, or the retries
// are spent. Each attempt's answer replaces the last in the result.
func (c *Client) retry(ctx context.Context, attempt func(context.Context, *Result) error, retryable func(error, int) (time.Duration, bool)) (*Result, error) {
	res := &Result{}
	for n := 1; ; n++ {
		// Each attempt's answer replaces the last: a 429 followed by a
		// timeout must not report the 429's status and body.
		if err := ctx.Err(); err != nil {
			res.Attempts = n - 1
			return res, &StoppedError{Cause: context.Cause(ctx)}
		}
		*res = Result{Attempts: n}
		err := attempt(ctx, res)
		if err == nil {
			return res, nil
		}
		wait, ok := retryable(err, n)
		if !ok || n > c.Retries {
			return res, err
		}
		if c.OnRetry != nil {
			c.OnRetry(Retry{Attempt: n, Wait: wait, Err: err})
		}
		sleep := c.Sleep
		if sleep == nil {
			sleep = Sleep
		}
		if serr := sleep(ctx, wait); serr != nil {
			// Stopped while waiting: only a request 8x8 did not act on
			// (or, for the account endpoints, one that is safe to repeat)
			// waits to be retried.
			return res, &StoppedError{Cause: serr, Last: err}
		}
	}
}

// retryable says whether err is safe to send again, and after how long.
func (c *Client) retryable(err error, attempt int) (time.Duration, bool) {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		if apiErr.Kind != KindRateLimited {
			return 0, false
		}
		wait := apiErr.RetryAfter
		if wait < 0 {
			return min(defaultRateWait<<min(attempt-1, 5), c.MaxRetryAfter), true
		}
		if wait > c.MaxRetryAfter {
			return 0, false
		}
		return wait, true
	}
	var tErr *TransportError
	if errors.As(err, &tErr) && tErr.safeToRetry() {
		return dialBackoff << min(attempt-1, 3), true
	}
	return 0, false
}

// attempt sends the request once and fills res.
func (c *Client) attempt(ctx context.Context, subaccount string, body []byte, res *Result) error {
	build := func(ctx context.Context) (*http.Request, error) { return c.NewRequest(ctx, subaccount, body) }
	return c.exchange(ctx, build, maxBodyBytes, res, func(resp *http.Response, res *Result) error {
		res.Response = decodeResponse(res.Body)
		return c.classify(resp, res)
	})
}

// exchange sends the request build makes (with the attempt's context),
// reads the answer (at most limit bytes) into res with the API key
// masked, and lets classify judge it.
func (c *Client) exchange(ctx context.Context, build func(context.Context) (*http.Request, error), limit int, res *Result, classify func(*http.Response, *Result) error) error {
	actx, cancel := ctx, context.CancelFunc(func() {})
	if c.Timeout > 0 {
		actx, cancel = context.WithTimeout(ctx, c.Timeout)
	}
	defer cancel()

	// Once a connection is handed out the request may be on the wire.
	// Before it, nothing was sent, whatever failed.
	var gotConn atomic.Bool
	trace := &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) { gotConn.Store(true) }}
	req, err := build(httptrace.WithClientTrace(actx, trace))
	if err != nil {
		return err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return c.transportError(ctx, actx, err, gotConn.Load())
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, int64(limit)+1))
	if len(data) > limit {
		data, res.Truncated = data[:limit], true
	}
	// 8x8 or a proxy may echo the Authorization header back: the key must
	// not reach the result, the error, or anything printed from them.
	data = redact.Bytes(data, c.apiKey)
	res.HTTPStatus, res.Body = resp.StatusCode, data
	if err != nil {
		// The status line arrived, so 8x8 processed the request.
		return c.transportError(ctx, actx, fmt.Errorf("reading the answer: %w", err), true)
	}
	return classify(resp, res)
}

func (c *Client) transportError(parent, actx context.Context, err error, sent bool) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err // its URL is ours; its Op says nothing new
	}
	if parent.Err() != nil && !sent {
		return &StoppedError{Cause: err}
	}
	te := &TransportError{Err: err, Sent: sent, Host: c.base.Host}
	switch {
	case parent.Err() != nil:
		te.Canceled = true
	case actx.Err() != nil:
		te.Timeout, te.After = true, c.Timeout
	default:
		var ne net.Error
		te.Timeout = errors.As(err, &ne) && ne.Timeout()
	}
	return te
}

// decodeResponse reads 8x8's answer, or returns nil when it is not Send
// Callflow's JSON (an HTML error page from a proxy, an empty body).
func decodeResponse(data []byte) *callflow.Response {
	var probe map[string]json.RawMessage
	if json.Unmarshal(data, &probe) != nil {
		return nil
	}
	_, hasStatus := probe["statusCode"]
	_, hasSession := probe["sessionStatus"]
	if !hasStatus && !hasSession {
		return nil
	}
	var r callflow.Response
	if err := json.Unmarshal(data, &r); err != nil {
		// statusCode as a string ("1001"), as the webhooks API sends it.
		var loose struct {
			SessionStatus     string          `json:"sessionStatus"`
			CallFlowRequestID string          `json:"callFlowRequestId"`
			StatusCode        json.RawMessage `json:"statusCode"`
			StatusMessage     string          `json:"statusMessage"`
		}
		if json.Unmarshal(data, &loose) != nil {
			return nil
		}
		code, _ := strconv.Atoi(strings.Trim(string(loose.StatusCode), `"`))
		r = callflow.Response{SessionStatus: loose.SessionStatus, CallFlowRequestID: loose.CallFlowRequestID,
			StatusCode: code, StatusMessage: loose.StatusMessage}
	}
	return &r
}

// classify turns an answer into nil (CREATED) or an *APIError. 8x8 puts
// the same kind of refusal under different HTTP codes (-1007 under 400,
// -1013 under 422), so the body's statusCode decides before the HTTP code.
// A refusal proper has a negative statusCode: 8x8 also answers a refused
// key (401) and an unknown sub-account (404) with sessionStatus NOT_CREATED
// and the HTTP code mirrored in statusCode, and those are sorted by that
// code, so the caller can tell "this call was refused" from "every call
// will be".
func (c *Client) classify(resp *http.Response, res *Result) error {
	e := &APIError{HTTPStatus: resp.StatusCode, RetryAfter: -1, Body: res.Body}
	if r := res.Response; r != nil {
		e.StatusCode, e.StatusMessage, e.SessionStatus = r.StatusCode, r.StatusMessage, r.SessionStatus
		e.CallFlowRequestID = r.CallFlowRequestID
	}
	ok2xx := resp.StatusCode >= 200 && resp.StatusCode < 300
	switch {
	case ok2xx && res.Response != nil && res.Response.Created():
		return nil
	case isAuth(resp.StatusCode) || (e.StatusCode != 0 && isAuth(e.StatusCode)):
		e.Kind = KindAuth
	case resp.StatusCode == http.StatusTooManyRequests:
		e.Kind = KindRateLimited
		e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), c.now())
	case resp.StatusCode == http.StatusNotFound || e.StatusCode == http.StatusNotFound:
		e.Kind = KindHTTP
	case e.StatusCode < 0 || e.SessionStatus == callflow.SessionNotCreated && e.StatusCode == 0 && resp.StatusCode < 500:
		e.Kind = KindNotCreated
	case resp.StatusCode >= 500:
		e.Kind = KindServer
	case ok2xx:
		e.Kind = KindUnexpected
	default:
		e.Kind = KindHTTP
	}
	return e
}

// now is the client's clock.
func (c *Client) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

func isAuth(code int) bool { return code == http.StatusUnauthorized || code == http.StatusForbidden }

// parseRetryAfter reads Retry-After as seconds or an HTTP date; -1 when
// absent or unreadable.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return -1
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return -1
		}
		return time.Duration(min(secs, 24*3600)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return -1
}

// Sleep waits d or until ctx is done, whichever comes first.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
