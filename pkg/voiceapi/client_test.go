package voiceapi

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ivrctl/ivrctl/pkg/callflow"
)

const testKey = "sk-test-0123456789abcdef-WXYZ"

var created = `{"sessionId":"d9874358-89ac-4c50-bbab-1eb634482a94","sessionStatus":"CREATED","callFlowRequestId":"89b545a5-0676-11ee-8100-d500c0d203fc","statusCode":1,"statusMessage":"Created"}`

func testRequest() *callflow.Request {
	return &callflow.Request{Callflow: []callflow.Action{{Action: callflow.ActionMakeCall,
		Params: &callflow.Params{Source: callflow.Some("6561115777"), Destination: callflow.Some("6512345678")}}},
		ClientRequestID: "crid-1"}
}

// newClient returns a client of srv whose sleeps are recorded, not slept.
func newClient(t *testing.T, srv *httptest.Server) (*Client, *[]time.Duration) {
	t.Helper()
	c, err := New(srv.URL, testKey, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var waits []time.Duration
	c.Sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		waits = append(waits, d)
		mu.Unlock()
		return ctx.Err()
	}
	return c, &waits
}

func TestSendCallflowRequest(t *testing.T) {
	t.Parallel()
	var got struct {
		method, path, auth, ctype, body string
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got.method, got.path, got.auth, got.ctype, got.body = r.Method, r.URL.EscapedPath(), r.Header.Get("Authorization"), r.Header.Get("Content-Type"), string(b)
		io.WriteString(w, created)
	}))
	defer srv.Close()
	c, _ := newClient(t, srv)
	res, err := c.SendCallflow(context.Background(), "acme_voice&co", testRequest())
	if err != nil {
		t.Fatal(err)
	}
	want := struct{ method, path, auth, ctype, body string }{
		http.MethodPost, "/api/v1/subaccounts/acme_voice&co/callflows", "Bearer " + testKey, "application/json",
		`{"callflow":[{"action":"makeCall","params":{"source":"6561115777","destination":"6512345678"}}],"clientRequestId":"crid-1"}`,
	}
	if d := cmp.Diff(want, struct{ method, path, auth, ctype, body string }(got), cmp.AllowUnexported(want)); d != "" {
		t.Errorf("request (-want +got):\n%s", d)
	}
	if res.Attempts != 1 || res.Response.SessionID != "d9874358-89ac-4c50-bbab-1eb634482a94" {
		t.Errorf("result = %+v", res)
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		status   int
		body     string
		kind     Kind
		code     int
		maybe    bool
		attempts int
	}{
		{"created", 200, created, 0, 0, false, 1},
		{"not created under 200", 200, `{"sessionStatus":"NOT_CREATED","statusCode":-1014,"statusMessage":"Source or caller ID is not allowed"}`, KindNotCreated, -1014, false, 1},
		{"-1007 under 400", 400, `{"sessionStatus":"NOT_CREATED","statusCode":-1007,"statusMessage":"$.callflow[0].action should be one of: say"}`, KindNotCreated, -1007, false, 1},
		{"-1013 under 422", 422, `{"statusCode":-1013,"statusMessage":"Invalid Callflow : First action should be a MakeCall action"}`, KindNotCreated, -1013, false, 1},
		{"401", 401, `{"statusCode":401,"statusMessage":"Authentication header not found or token invalid"}`, KindAuth, 401, false, 1},
		{"401 NOT_CREATED", 401, `{"sessionStatus":"NOT_CREATED","statusCode":401,"statusMessage":"Authentication header not found or token invalid"}`, KindAuth, 401, false, 1},
		{"403 no body", 403, ``, KindAuth, 0, false, 1},
		// 8x8's spec: an unknown sub-account is a 404 that says NOT_CREATED.
		{"404 sub-account", 404, `{"sessionStatus":"NOT_CREATED","statusCode":404,"statusMessage":"SubAccount not found by Id : x"}`, KindHTTP, 404, false, 1},
		{"404 code under 200", 200, `{"sessionStatus":"NOT_CREATED","statusCode":404,"statusMessage":"SubAccount not found by Id : x"}`, KindHTTP, 404, false, 1},
		{"NOT_CREATED without code", 200, `{"sessionStatus":"NOT_CREATED"}`, KindNotCreated, 0, false, 1},
		{"500", 500, `{"statusCode":500,"statusMessage":"Internal server error"}`, KindServer, 500, true, 1},
		{"502 html", 502, `<html>bad gateway</html>`, KindServer, 0, true, 1},
		{"200 not json", 200, `<html>ok?</html>`, KindUnexpected, 0, true, 1},
		{"string statusCode", 422, `{"statusCode":"1001","statusMessage":"Invalid JSON request body"}`, KindHTTP, 1001, false, 1},
		{"429 exhausted", 429, `{"statusCode":429,"statusMessage":"Too Many Requests"}`, KindRateLimited, 429, false, DefaultRetries + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			c, _ := newClient(t, srv)
			res, err := c.SendCallflow(context.Background(), "acme", testRequest())
			if tt.kind == 0 {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %T %v, want *APIError", err, err)
			}
			if apiErr.Kind != tt.kind || apiErr.StatusCode != tt.code || MaybeAccepted(err) != tt.maybe {
				t.Errorf("got kind %v code %d maybe %v, want %v %d %v", apiErr.Kind, apiErr.StatusCode, MaybeAccepted(err), tt.kind, tt.code, tt.maybe)
			}
			if res.Attempts != tt.attempts || int(hits.Load()) != tt.attempts {
				t.Errorf("attempts %d, hits %d, want %d", res.Attempts, hits.Load(), tt.attempts)
			}
			if strings.Contains(err.Error(), testKey) {
				t.Errorf("error leaks the key: %v", err)
			}
		})
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	answers := []struct {
		retryAfter string
		wantWait   time.Duration
	}{
		{"1", time.Second},
		{now.Add(7 * time.Second).Format(http.TimeFormat), 7 * time.Second},
		{"30", DefaultMaxRetryAfter}, // the longest waited for
	}
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(hits.Add(1)) - 1
		if n < len(answers) {
			w.Header().Set("Retry-After", answers[n].retryAfter)
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		io.WriteString(w, created)
	}))
	defer srv.Close()
	c, waits := newClient(t, srv)
	c.Now = func() time.Time { return now }
	var heard []int
	c.OnRetry = func(r Retry) { heard = append(heard, r.Attempt) }
	res, err := c.SendCallflow(context.Background(), "acme", testRequest())
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{answers[0].wantWait, answers[1].wantWait, answers[2].wantWait}
	if d := cmp.Diff(want, *waits); d != "" {
		t.Errorf("waits (-want +got):\n%s", d)
	}
	if res.Attempts != 4 || hits.Load() != 4 || !cmp.Equal(heard, []int{1, 2, 3}) {
		t.Errorf("attempts %d hits %d heard %v", res.Attempts, hits.Load(), heard)
	}
}

func TestRetriesZeroMeansOneAttempt(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	c, _ := newClient(t, srv)
	c.Retries = 0
	_, err := c.SendCallflow(context.Background(), "acme", testRequest())
	if hits.Load() != 1 || err == nil {
		t.Fatalf("hits %d err %v", hits.Load(), err)
	}
}

// A dial that fails is retried; the request reaches the server once.
func TestDialFailureRetried(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.WriteString(w, created)
	}))
	defer srv.Close()
	var dials atomic.Int32
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if dials.Add(1) <= 2 {
			return nil, &net.OpError{Op: "dial", Net: network, Err: syscall.ECONNREFUSED}
		}
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
	c, err := New(srv.URL, testKey, &http.Client{Transport: tr})
	if err != nil {
		t.Fatal(err)
	}
	c.Sleep = func(ctx context.Context, d time.Duration) error { return nil }
	res, err := c.SendCallflow(context.Background(), "acme", testRequest())
	if err != nil {
		t.Fatal(err)
	}
	if res.Attempts != 3 || hits.Load() != 1 {
		t.Errorf("attempts %d hits %d, want 3 and 1", res.Attempts, hits.Load())
	}
}

func TestConnectionRefusedGivesUp(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c, err := New("http://"+addr, testKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.Sleep = func(context.Context, time.Duration) error { return nil }
	res, err := c.SendCallflow(context.Background(), "acme", testRequest())
	var te *TransportError
	if !errors.As(err, &te) || te.Sent || MaybeAccepted(err) {
		t.Fatalf("err = %#v", err)
	}
	if res.Attempts != DefaultRetries+1 {
		t.Errorf("attempts = %d", res.Attempts)
	}
}

// A timeout, and a connection reset after the request was written, may
// hide an accepted call: no retry.
func TestNoRetryAfterSending(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.ReadAll(r.Body)
		if strings.Contains(r.URL.Path, "reset") {
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.(*net.TCPConn).SetLinger(0)
			conn.Close()
			return
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)

	for _, sub := range []string{"timeout", "reset"} {
		hits.Store(0)
		c, _ := newClient(t, srv)
		// Only the timeout case waits for the limit; the reset must not
		// race it on a loaded machine (it did: a timeout before the
		// request was written reads as not sent).
		c.Timeout = 5 * time.Second
		if sub == "timeout" {
			c.Timeout = 200 * time.Millisecond
		}
		res, err := c.SendCallflow(context.Background(), sub, testRequest())
		var te *TransportError
		if !errors.As(err, &te) || !te.Sent || !MaybeAccepted(err) {
			t.Fatalf("%s: err = %#v", sub, err)
		}
		if sub == "timeout" && !te.Timeout {
			t.Errorf("timeout not reported: %v", err)
		}
		if res.Attempts != 1 || hits.Load() != 1 {
			t.Errorf("%s: attempts %d hits %d, want 1", sub, res.Attempts, hits.Load())
		}
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	t.Parallel()
	var other atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { other.Add(1) }))
	defer target.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer srv.Close()
	c, _ := newClient(t, srv)
	_, err := c.SendCallflow(context.Background(), "acme", testRequest())
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Kind != KindHTTP || other.Load() != 0 {
		t.Fatalf("err %v, redirected hits %d", err, other.Load())
	}
}

func TestParseBaseURL(t *testing.T) {
	t.Parallel()
	for in, ok := range map[string]bool{
		"https://voice.8x8.com":     true,
		"https://voice.8x8.com/":    true,
		"http://127.0.0.1:8080/x":   true,
		"http://localhost:1":        true,
		"http://voice.8x8.com":      false,
		"ftp://voice.8x8.com":       false,
		"https://u:p@voice.8x8.com": false,
		"https://voice.8x8.com/?a":  false,
		"voice.8x8.com":             false,
	} {
		if _, err := ParseBaseURL(in); (err == nil) != ok {
			t.Errorf("ParseBaseURL(%q) err = %v, want ok %v", in, err, ok)
		}
	}
}

// A refused base URL is named without the credentials it carries.
func TestParseBaseURLHidesCredentials(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"ftp://u:hunter2pw@voice.8x8.com/x":       `base URL "ftp://REDACTED@voice.8x8.com/x": scheme must be https`,
		"https://voice.8x8.com/x?token=hunter2pw": `base URL "https://voice.8x8.com/x?...": must not have a query or fragment`,
		"http://u:hunter2pw@example.com/x":        "base URL: must not carry credentials: the API key is sent as a Bearer token",
		"https://u:hunter2pw@voice 8x8.com/x":     `base URL "(a URL that does not parse)": invalid character " " in host name`,
	} {
		_, err := ParseBaseURL(in)
		if err == nil || err.Error() != want {
			t.Errorf("ParseBaseURL(%q) = %v, want %s", in, err, want)
		}
	}
}

func TestNewRequestID(t *testing.T) {
	t.Parallel()
	a, b := NewRequestID(), NewRequestID()
	if a == b || len(a) != 36 || a[14] != '4' || !strings.ContainsRune("89ab", rune(a[19])) {
		t.Errorf("ids %q %q", a, b)
	}
}

// 8x8 or a proxy echoing the Authorization header in a non-JSON body: the
// key is masked in the result and the error, even where the error's
// snippet cuts the body in the middle of the key.
func TestEchoedKeyMasked(t *testing.T) {
	t.Parallel()
	const prefix = "Authorization: Bearer "
	// The key starts 10 bytes before the snippet's 120-byte cut.
	body := strings.Repeat("x", 120-10-len(prefix)-1) + " " + prefix + testKey + " was refused"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
		io.WriteString(w, body)
	}))
	defer srv.Close()
	c, _ := newClient(t, srv)
	res, err := c.SendCallflow(context.Background(), "acme", testRequest())
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v", err)
	}
	masked := strings.ReplaceAll(body, testKey, "********WXYZ")
	if string(res.Body) != masked || string(apiErr.Body) != masked {
		t.Errorf("bodies not masked:\nresult %q\nerror  %q", res.Body, apiErr.Body)
	}
	for _, part := range []string{testKey, testKey[:10], testKey[5:15]} {
		if strings.Contains(err.Error(), part) {
			t.Errorf("error leaks %q: %v", part, err)
		}
	}
}

func TestSnippetCutsAtCharacter(t *testing.T) {
	t.Parallel()
	got := snippet([]byte(strings.Repeat("a", 119) + "é and more"))
	if got != strings.Repeat("a", 119)+"…" {
		t.Errorf("snippet = %q", got)
	}
}

// A 429 then a timeout: the result is the timeout's, with no trace of the
// 429's status or body.
func TestResultIsTheLastAttempts(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"statusCode":429,"statusMessage":"Too Many Requests"}`)
			return
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c, _ := newClient(t, srv)
	c.Timeout = 50 * time.Millisecond
	res, err := c.SendCallflow(context.Background(), "acme", testRequest())
	var te *TransportError
	if !errors.As(err, &te) || !te.Timeout {
		t.Fatalf("err = %v, want a timeout", err)
	}
	if d := cmp.Diff(Result{Attempts: 2}, *res); d != "" {
		t.Errorf("result (-want +got):\n%s", d)
	}
}

// Stopped while waiting out a 429's Retry-After: ErrStopped, nothing sent
// again, not "maybe accepted".
func TestStoppedDuringRetryWait(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Retry-After", "5")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	c, err := New(srv.URL, testKey, srv.Client()) // the real Sleep
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a deadline: a hang fails, not stalls
	defer cancel()
	c.OnRetry = func(r Retry) {
		if r.Wait != 5*time.Second {
			t.Errorf("wait %s, want 5s", r.Wait)
		}
		cancel() // Ctrl-C during the wait
	}
	res, err := c.SendCallflow(ctx, "acme", testRequest())
	var se *StoppedError
	if !errors.Is(err, ErrStopped) || !errors.Is(err, context.Canceled) || !errors.As(err, &se) || MaybeAccepted(err) {
		t.Fatalf("err = %#v", err)
	}
	var last *APIError
	if !errors.As(se.Last, &last) || last.Kind != KindRateLimited {
		t.Errorf("last = %v, want the 429", se.Last)
	}
	if hits.Load() != 1 || res.Attempts != 1 {
		t.Errorf("hits %d attempts %d, want 1", hits.Load(), res.Attempts)
	}
}

// Cancelled before anything was sent: ErrStopped, no request.
func TestStoppedBeforeSending(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	c, _ := newClient(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a deadline: a hang fails, not stalls
	cancel()
	res, err := c.SendCallflow(ctx, "acme", testRequest())
	if !errors.Is(err, ErrStopped) || MaybeAccepted(err) || hits.Load() != 0 || res.Attempts != 0 {
		t.Fatalf("err %v, hits %d, attempts %d", err, hits.Load(), res.Attempts)
	}
}

// A dial stopped by the caller was not sent: ErrStopped, not a
// TransportError that might be retried or reported as a failure.
func TestStoppedDuringDial(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a deadline: a hang fails, not stalls
	defer cancel()
	tr := &http.Transport{DialContext: func(dctx context.Context, _, _ string) (net.Conn, error) {
		cancel()
		<-dctx.Done()
		return nil, dctx.Err()
	}}
	c, err := New("http://127.0.0.1:9", testKey, &http.Client{Transport: tr}) // never dialled
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.SendCallflow(ctx, "acme", testRequest())
	var te *TransportError
	if !errors.Is(err, ErrStopped) || errors.As(err, &te) {
		t.Fatalf("err = %#v", err)
	}
}

// A Retry-After longer than MaxRetryAfter is not cut short (an early retry
// would be refused again): the 429 is returned at once.
func TestRetryAfterAboveCapGivesUp(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	c, waits := newClient(t, srv)
	res, err := c.SendCallflow(context.Background(), "acme", testRequest())
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Kind != KindRateLimited || apiErr.RetryAfter != time.Hour {
		t.Fatalf("err = %#v", err)
	}
	if hits.Load() != 1 || res.Attempts != 1 || len(*waits) != 0 {
		t.Errorf("hits %d attempts %d waits %v, want 1, 1, none", hits.Load(), res.Attempts, *waits)
	}
}

// A DNS answer that the host does not exist is final; a DNS failure that
// may pass (a server timing out) is retried.
func TestDNSRetry(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		err      *net.DNSError
		attempts int
	}{
		{"no such host", &net.DNSError{Err: "no such host", Name: "voice.example", IsNotFound: true}, 1},
		{"server misbehaving", &net.DNSError{Err: "server misbehaving", Name: "voice.example", IsTemporary: true}, DefaultRetries + 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr := &http.Transport{DialContext: func(context.Context, string, string) (net.Conn, error) {
				return nil, &net.OpError{Op: "dial", Net: "tcp", Err: tt.err}
			}}
			c, err := New("http://127.0.0.1:9", testKey, &http.Client{Transport: tr}) // never dialled
			if err != nil {
				t.Fatal(err)
			}
			c.Sleep = func(context.Context, time.Duration) error { return nil }
			res, err := c.SendCallflow(context.Background(), "acme", testRequest())
			var te *TransportError
			if !errors.As(err, &te) || te.Sent || res.Attempts != tt.attempts {
				t.Errorf("err %v, attempts %d, want %d", err, res.Attempts, tt.attempts)
			}
		})
	}
}

// A nil Sleep and Now fall back to the real ones instead of panicking.
func TestNilSleepAndNow(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		io.WriteString(w, created)
	}))
	defer srv.Close()
	c, err := New(srv.URL, testKey, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	c.Sleep, c.Now = nil, nil
	if res, err := c.SendCallflow(context.Background(), "acme", testRequest()); err != nil || res.Attempts != 2 {
		t.Fatalf("err %v, result %+v", err, res)
	}
}
