package emulator

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/pkg/callflow"
)

// A webhook that fails in any way ends the session ERROR with 8x8's code,
// promptly: never a hang.
func TestWebhookFailures(t *testing.T) {
	t.Parallel()
	eng := simpleEngine(t)
	req := request(t, eng, "")
	answer := func(status int, body string) string {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(status)
			w.Write([]byte(body))
		}))
		t.Cleanup(ts.Close)
		return ts.URL
	}
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release); slow.Close() })
	// A port nothing listens on: bind one, then close it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + ln.Addr().String() + "/webhooks/vca"
	ln.Close()

	for _, tc := range []struct {
		name string
		url  string
		code int
		note string
	}{
		{"invalid JSON", answer(200, `{"callflow": [`), ErrorCallflow, "-1001"},
		{"empty body", answer(200, ``), ErrorCallflow, "-1001"},
		{"HTML", answer(200, `<html>oops</html>`), ErrorCallflow, "-1001"},
		{"empty object", answer(200, `{}`), ErrorCallflow, "$.callflow: is missing but it is required (-1009)"},
		{"invalid callflow", answer(200, `{"callflow":[{"action":"say","params":{"voiceProfile":"en-US-BenjaminRUS"}}]}`), ErrorCallflow, "$.callflow[0].params.text: is missing"},
		{"unknown action", answer(200, `{"callflow":[{"action":"transfer"}]}`), ErrorCallflow, "(-1007)"},
		{"500", answer(500, `{"error":"boom"}`), ErrorConnectivity, "HTTP 500"},
		{"401", answer(401, `{"error":"unauthorized"}`), ErrorConnectivity, "HTTP 401"},
		{"204", answer(204, ``), ErrorConnectivity, "HTTP 204"},
		{"slow", slow.URL, ErrorConnectivity, "no answer within 200ms"},
		{"down", down, ErrorConnectivity, "connection refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(&HTTPWebhook{URL: tc.url})
			cfg.WebhookTimeout = 200 * time.Millisecond
			tr := run(t, New(cfg), req, Script{Press: []string{"1"}}.Caller())
			p := tr.Summary.Payload
			if p.SessionStatus != callflow.SessionError || p.ErrorDetails == nil || int(p.ErrorDetails.ErrorCode) != tc.code ||
				p.ErrorDetails.ErrorMsg != ErrorMessage(tc.code) {
				t.Fatalf("summary %+v errorDetails %+v; want ERROR %d", p, p.ErrorDetails, tc.code)
			}
			if p.LastAction != "SAY_AND_CAPTURE" || p.Details["callA"].CallStatus != callflow.SessionError {
				t.Errorf("lastAction %s, callA %s; want SAY_AND_CAPTURE, ERROR", p.LastAction, p.Details["callA"].CallStatus)
			}
			if len(tr.Notes) != 1 || !strings.Contains(tr.Notes[0], tc.note) {
				t.Errorf("notes %q, want one containing %q", tr.Notes, tc.note)
			}
			// The status of a non-200 answer is kept, for runners to
			// explain (a 401 wants credentials).
			var status int
			fmt.Sscanf(tc.name, "%d", &status)
			if tr.WebhookStatus != status {
				t.Errorf("WebhookStatus %d, want %d", tr.WebhookStatus, status)
			}
			if tr.WebhookCalls != 1 {
				t.Errorf("%d webhook calls, want 1", tr.WebhookCalls)
			}
			// No answer at all is classified, for runners to explain
			// (a backend not started; one too slow).
			want := map[string]string{"slow": WebhookTimedOut, "down": WebhookRefused}[tc.name]
			if tr.WebhookFailure != want {
				t.Errorf("WebhookFailure %q, want %q", tr.WebhookFailure, want)
			}
		})
	}
}

// The session's context bounds a webhook that ignores its own timeout.
func TestWebhookContextCancelled(t *testing.T) {
	t.Parallel()
	eng := simpleEngine(t)
	blocked := webhookFunc(func(ctx context.Context, _ []byte) (int, []byte, error) {
		<-ctx.Done()
		return 0, nil, ctx.Err()
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a deadline: a hang fails, not stalls
	time.AfterFunc(50*time.Millisecond, cancel)
	tr, err := New(testConfig(blocked)).Run(ctx, request(t, eng, ""), Script{Press: []string{"1"}}.Caller())
	if err != nil {
		t.Fatal(err)
	}
	if tr.Status() != callflow.SessionError || int(tr.Summary.Payload.ErrorDetails.ErrorCode) != ErrorConnectivity {
		t.Errorf("status %s %+v", tr.Status(), tr.Summary.Payload.ErrorDetails)
	}
}

// A session whose context is done before its first VCA ends ERROR without
// calling the webhook, and the transcript does not count a call that was
// never made.
func TestWebhookNotCalledAfterCancel(t *testing.T) {
	t.Parallel()
	eng := simpleEngine(t)
	var calls atomic.Int32
	counted := webhookFunc(func(ctx context.Context, _ []byte) (int, []byte, error) {
		calls.Add(1)
		return 200, []byte(`{"callflow":[{"action":"hangup"}]}`), nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a deadline: a hang fails, not stalls
	cancel()
	tr, err := New(testConfig(counted)).Run(ctx, request(t, eng, ""), Script{Press: []string{"1"}}.Caller())
	if err != nil {
		t.Fatal(err)
	}
	if tr.Status() != callflow.SessionError || calls.Load() != 0 {
		t.Fatalf("status %s, %d calls; want ERROR, 0", tr.Status(), calls.Load())
	}
	if tr.WebhookCalls != 0 || len(tr.Pressed) != 0 {
		t.Errorf("transcript counts %d webhook call(s), pressed %q; want 0 and none: no VCA was sent", tr.WebhookCalls, tr.Pressed)
	}
}

type webhookFunc func(ctx context.Context, event []byte) (int, []byte, error)

func (f webhookFunc) CallAction(ctx context.Context, event []byte) (int, []byte, error) {
	return f(ctx, event)
}

// A menu that asks forever is stopped by MaxActions: the caller hangs up.
func TestMaxActions(t *testing.T) {
	t.Parallel()
	eng := simpleEngine(t)
	var calls atomic.Int32
	loop := webhookFunc(func(ctx context.Context, _ []byte) (int, []byte, error) {
		calls.Add(1)
		return 200, []byte(`{"callflow":[{"action":"say","params":{"text":"again","voiceProfile":"en-US-BenjaminRUS"}},` +
			`{"action":"sayAndCapture","params":{"promptMessage":"Press 1","voiceProfile":"en-US-BenjaminRUS"}}]}`), nil
	})
	cfg := testConfig(loop)
	cfg.MaxActions = 25
	tr := run(t, New(cfg), request(t, eng, ""), &always{keys: "5"})
	if !tr.Limited || tr.Status() != callflow.SessionCompleted || len(tr.Notes) != 1 {
		t.Errorf("limited %v, status %s, notes %q", tr.Limited, tr.Status(), tr.Notes)
	}
	if got := calls.Load(); got != 12 {
		t.Errorf("%d webhook calls, want 12 (2 + 2*11 + 1 actions)", got)
	}
}

// always presses the same keys at every prompt.
type always struct{ keys string }

func (a *always) Dial(int, string) Pickup            { return PickupAnswer }
func (a *always) Capture(string, int) (string, bool) { return a.keys, false }

// A session has two legs at most: a third makeCall is an invalid callflow.
func TestThirdLeg(t *testing.T) {
	t.Parallel()
	eng := simpleEngine(t)
	connect := webhookFunc(func(ctx context.Context, _ []byte) (int, []byte, error) {
		return 200, []byte(`{"clientActionId":"again","callflow":[{"action":"makeCall","params":{"source":"6512345678","destination":"6561115777"}}]}`), nil
	})
	tr := run(t, New(testConfig(connect)), request(t, eng, ""), Script{Press: []string{"2"}}.Caller())
	p := tr.Summary.Payload
	if p.SessionStatus != callflow.SessionError || int(p.ErrorDetails.ErrorCode) != ErrorCallflow || p.CallCount != 2 {
		t.Errorf("summary %+v %+v", p, p.ErrorDetails)
	}
	if len(tr.Connected) != 1 || tr.WebhookCalls != 2 {
		t.Errorf("connected %q, %d webhook calls", tr.Connected, tr.WebhookCalls)
	}
}

// Capture rules: digits are cut at maxDigits, '#' ends the entry, too few
// digits are a failed try.
func TestEntry(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		keys     string
		max      int
		onHash   bool
		digits   string
		complete bool
	}{
		{"1", 1, false, "1", true},
		{"12", 1, false, "1", true},
		{"12#", 4, true, "12", true},
		{"12", 4, true, "12", false},
		{"#", 4, true, "", true},
		{"12345", 4, true, "1234", true},
		{"1#2", 4, false, "1#2", false},
	} {
		digits, complete := entry(tc.keys, tc.max, tc.onHash)
		if digits != tc.digits || complete != tc.complete {
			t.Errorf("entry(%q, %d, %v) = %q, %v; want %q, %v", tc.keys, tc.max, tc.onHash, digits, complete, tc.digits, tc.complete)
		}
	}
}

func TestCountWords(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "  ", "one", " two  words ", "tab\tand\nnewline", "Dear customer, Thank you.", "naïve café\u00a0ok"} {
		if got, want := countWords(s), len(strings.Fields(s)); got != want {
			t.Errorf("countWords(%q) = %d, strings.Fields gives %d", s, got, want)
		}
	}
}

// A VSSWebhook sends its Header with every summary; a summary the server
// does not take (non-2xx) is the transcript's SummaryError and a note, in
// words that never show the URL's token.
func TestVSSWebhookHeaderAndFailure(t *testing.T) {
	t.Parallel()
	eng := simpleEngine(t)
	var got atomic.Value
	status := atomic.Int32{}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Header.Get("X-Ivr-Auth"))
		w.WriteHeader(int(status.Load()))
	}))
	defer ts.Close()
	cfg := testConfig(EngineWebhook{Engine: eng})
	cfg.VSS = (&VSSWebhook{URL: ts.URL + "/vss?token=s3cret", Header: http.Header{"X-Ivr-Auth": {"k3y"}}}).Deliver
	e := New(cfg)
	for _, c := range []struct {
		status int
		err    string
	}{
		{200, ""},
		{204, ""},
		{500, "POST " + ts.URL + "/vss?...: HTTP 500"},
		{401, "POST " + ts.URL + "/vss?...: HTTP 401"},
	} {
		status.Store(int32(c.status))
		got.Store("")
		tr, err := e.Run(context.Background(), request(t, eng, ""), Script{Press: []string{"1"}}.Caller())
		if err != nil {
			t.Fatal(err)
		}
		if h := got.Load(); h != "k3y" {
			t.Errorf("HTTP %d: header X-Ivr-Auth %q, want k3y", c.status, h)
		}
		if tr.SummaryError != c.err {
			t.Errorf("HTTP %d: SummaryError %q, want %q", c.status, tr.SummaryError, c.err)
		}
		notes := strings.Join(tr.Notes, "\n")
		if c.err != "" && !strings.Contains(notes, "session summary not delivered: "+c.err) {
			t.Errorf("HTTP %d: notes %q", c.status, notes)
		}
		if strings.Contains(notes+tr.SummaryError, "s3cret") {
			t.Errorf("HTTP %d: the token is shown: %q", c.status, notes)
		}
	}
}
