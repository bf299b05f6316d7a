package webhook

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ivrctl/ivrctl/pkg/golden"
)

// The simple IVR answers 8x8's seed events, on both route names, with the
// seed's callflows (testdata/serve/simple-*.golden, checked against
// seed/simple-ivr.txt by eye when written).
func TestVCASimpleMenu(t *testing.T) {
	t.Parallel()
	ts := start(t, Config{}, nil)
	cases := []struct {
		event, golden string
		menu, digits  string
		matched       string
		action, next  string
	}{
		{"testdata/dtmf1.json", "simple-dtmf1.golden", "main", "1", "1", "hangup", ""},
		{"testdata/dtmf2.json", "simple-dtmf2.golden", "main", "2", "2", "makeCall", ""},
		{"testdata/dtmf3.json", "simple-dtmf3.golden", "main", "3", "other", "sayAndCapture", ""},
		{"testdata/eventdata-dtmf1.json", "simple-dtmf1.golden", "main", "1", "1", "hangup", ""},
		{"testdata/eventdata-dtmf2.json", "simple-dtmf2.golden", "main", "2", "2", "makeCall", ""},
		{"testdata/dtmf-null.json", "simple-dtmf3.golden", "main", "", "noInput", "sayAndCapture", ""},
		{"testdata/inbound-call-received.json", "simple-inbound.golden", "main", "", "inbound", "sayAndCapture", "main"},
	}
	for _, route := range []string{PathVCA, PathVCAAlias} {
		for _, c := range cases {
			r := post(t, ts.URL+route, readFile(t, c.event))
			if r.Status != http.StatusOK {
				t.Fatalf("%s %s: status %d: %s", route, c.event, r.Status, r.Body)
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("%s: Content-Type %q", c.event, ct)
			}
			golden.Text(t, filepath.Join(repo, "testdata", "serve", c.golden), string(r.Body))
			ev := ts.next(t)
			want := Event{Level: LevelInfo, Kind: KindVCA, Route: route, Status: 200,
				Session: "d62f91ba-9a40-11ee-945e-5f476b4334a1", Menu: c.menu, Digits: c.digits,
				Matched: c.matched, Action: c.action, Next: c.next}
			if diff := cmp.Diff(want, ev, cmpopts.IgnoreFields(Event{}, "Time", "Remote", "Latency")); diff != "" {
				t.Errorf("%s %s event (-want +got):\n%s", route, c.event, diff)
			}
			if ev.Latency <= 0 || ev.Time.IsZero() || !strings.HasPrefix(ev.Remote, "127.0.0.1:") {
				t.Errorf("event time %v, latency %v, remote %q", ev.Time, ev.Latency, ev.Remote)
			}
		}
	}
}

// The advanced IVR keeps its state in clientActionId: a caller walks from
// the main menu to reservations to booking a table, and each answer names
// the menu the next event answers.
func TestVCAAdvancedMenu(t *testing.T) {
	t.Parallel()
	ts := start(t, Config{Engine: engine(t, "testdata/menus/advanced-ivr.yaml")}, nil)
	steps := []struct {
		id, digit, golden, next, action string
	}{
		{"", "1", "advanced-main-1.golden", "reservations", "sayAndCapture"},
		{"reservations", "1", "advanced-reservations-1.golden", "book_table", "sayAndCapture"},
		{"book_table", "2", "advanced-book-2.golden", "", "say+hangup"},
		{"connect_call", "1", "advanced-connect-1.golden", "post_call", "makeCall"},
		{"main_menu", "9", "advanced-main-9.golden", "", "say+hangup"},
	}
	for _, s := range steps {
		r := post(t, ts.URL+PathVCA, vcaEvent(t, s.id, s.digit))
		if r.Status != http.StatusOK {
			t.Fatalf("%s/%s: status %d: %s", s.id, s.digit, r.Status, r.Body)
		}
		golden.Text(t, filepath.Join(repo, "testdata", "serve", s.golden), string(r.Body))
		var resp struct {
			ClientActionID string `json:"clientActionId"`
		}
		if err := json.Unmarshal(r.Body, &resp); err != nil {
			t.Fatal(err)
		}
		if resp.ClientActionID != s.next {
			t.Errorf("%s/%s: clientActionId %q, want %q", s.id, s.digit, resp.ClientActionID, s.next)
		}
		ev := ts.next(t)
		if ev.Next != s.next || ev.Action != s.action || ev.Digits != s.digit {
			t.Errorf("%s/%s: event next %q action %q digits %q", s.id, s.digit, ev.Next, ev.Action, ev.Digits)
		}
	}
}

// An unknown clientActionId is answered with the start menu (the caller
// hears something) and logged as a warning.
func TestVCAUnknownMenuFallsBack(t *testing.T) {
	t.Parallel()
	e := engine(t, "testdata/menus/advanced-ivr.yaml")
	ts := start(t, Config{Engine: e}, nil)
	r := post(t, ts.URL+PathVCA, vcaEvent(t, "no_such_menu", "1"))
	open, _ := e.Open("main_menu")
	if r.Status != http.StatusOK || !bytes.Equal(r.Body, open.Body) {
		t.Fatalf("status %d body %s, want 200 and the start menu %s", r.Status, r.Body, open.Body)
	}
	ev := ts.next(t)
	if ev.Level != LevelWarn || ev.Matched != "fallback" || !strings.Contains(ev.Message, "no_such_menu") {
		t.Errorf("event %+v: want a warning naming the unknown menu", ev)
	}
	// The digit pressed is still what the log shows (it said "no digit").
	if ev.Digits != "1" {
		t.Errorf("event digits %q, want the 1 pressed", ev.Digits)
	}
}

// A CALL_STATUS (VCS) event is acknowledged with 200 {} on either route,
// as 8x8's sample does, and logged.
func TestCallStatusAcknowledged(t *testing.T) {
	t.Parallel()
	ts := start(t, Config{}, nil)
	vcs := bytes.Replace(readFile(t, "testdata/dtmf1.json"), []byte(`"CALL_ACTION"`), []byte(`"CALL_STATUS"`), 1)
	for _, route := range []string{PathVCA, PathVSS} {
		r := post(t, ts.URL+route, vcs)
		if r.Status != http.StatusOK || string(r.Body) != "{}" {
			t.Errorf("%s: status %d body %s, want 200 {}", route, r.Status, r.Body)
		}
		ev := ts.next(t)
		if ev.Kind != KindVCS || ev.CallStatus != "DTMF_RECEIVED" || ev.Status != 200 {
			t.Errorf("%s: event %+v", route, ev)
		}
	}
}

// An event of the wrong kind on a route is a misconfigured webhook URL: 422
// with a JSON error, logged as a warning.
func TestWrongEventType(t *testing.T) {
	t.Parallel()
	ts := start(t, Config{}, nil)
	cases := []struct{ route, file, want string }{
		{PathVCA, "testdata/vss/completed.json", "SESSION_SUMMARY"},
		{PathVSS, "testdata/dtmf1.json", "CALL_ACTION"},
		{PathVCA, "testdata/serve/no-payload.json", "payload"},
		{PathVSS, "testdata/serve/vss-no-session.json", "sessionId"},
	}
	for _, c := range cases {
		r := post(t, ts.URL+c.route, readFile(t, c.file))
		e := errorJSON(t, r, http.StatusUnprocessableEntity)
		if !strings.Contains(e.Error, c.want) {
			t.Errorf("%s %s: error %q does not mention %s", c.route, c.file, e.Error, c.want)
		}
		if ev := ts.next(t); ev.Level != LevelWarn || ev.Status != 422 {
			t.Errorf("%s %s: event %+v", c.route, c.file, ev)
		}
	}
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	ts := start(t, Config{}, nil)
	big := bytes.Repeat([]byte(" "), 1<<20+1)
	cases := []struct {
		name   string
		req    func() *http.Request
		status int
		allow  string
	}{
		{"body over 1 MiB with Content-Length", func() *http.Request {
			return newReq(t, "POST", ts.URL+PathVCA, big)
		}, 413, ""},
		{"body over 1 MiB chunked", func() *http.Request {
			r := newReq(t, "POST", ts.URL+PathVSS, nil)
			r.Body = io.NopCloser(bytes.NewReader(big)) // no length: chunked
			return r
		}, 413, ""},
		{"malformed JSON", func() *http.Request {
			return newReq(t, "POST", ts.URL+PathVCA, []byte(`{"payload": {`))
		}, 400, ""},
		{"malformed JSON on vss", func() *http.Request {
			return newReq(t, "POST", ts.URL+PathVSSAlias, []byte(`not json`))
		}, 400, ""},
		{"JSON array", func() *http.Request {
			return newReq(t, "POST", ts.URL+PathVCA, []byte(`[1,2]`))
		}, 400, ""},
		{"empty body", func() *http.Request {
			return newReq(t, "POST", ts.URL+PathVCA, []byte{})
		}, 400, ""},
		{"GET on vca", func() *http.Request { return newReq(t, "GET", ts.URL+PathVCA, nil) }, 405, "POST"},
		{"PUT on vss alias", func() *http.Request { return newReq(t, "PUT", ts.URL+PathVSSAlias, []byte("{}")) }, 405, "POST"},
		{"POST on healthz", func() *http.Request { return newReq(t, "POST", ts.URL+PathHealth, []byte("{}")) }, 405, "GET, HEAD"},
		{"unknown path", func() *http.Request { return newReq(t, "POST", ts.URL+"/webhooks/vcs", []byte("{}")) }, 404, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := do(t, c.req())
			errorJSON(t, r, c.status)
			if got := r.Header.Get("Allow"); got != c.allow {
				t.Errorf("Allow %q, want %q", got, c.allow)
			}
			if ev := ts.next(t); ev.Status != c.status || ev.Level != LevelWarn || ev.Message == "" {
				t.Errorf("event %+v", ev)
			}
		})
	}
	// And the server still answers.
	if r := post(t, ts.URL+PathVCA, readFile(t, "testdata/dtmf1.json")); r.Status != 200 {
		t.Errorf("after bad input: status %d", r.Status)
	}
}

func TestHealthz(t *testing.T) {
	t.Parallel()
	ts := start(t, Config{Auth: Auth{Token: "t0ken"}, AllowIPs: mustPrefixes(t, "18.140.80.2")}, nil)
	for _, m := range []string{"GET", "HEAD"} {
		r := do(t, newReq(t, m, ts.URL+PathHealth, nil))
		if r.Status != 200 {
			t.Errorf("%s /healthz: %d", m, r.Status)
		}
		if m == "GET" && string(r.Body) != `{"status":"ok"}` {
			t.Errorf("GET /healthz body %s", r.Body)
		}
	}
	select {
	case ev := <-ts.events:
		t.Errorf("healthz was logged: %+v", ev)
	default:
	}
}

// A panic in a handler becomes a 500 with a JSON body, is logged with its
// stack, and the server goes on serving.
func TestPanicRecovered(t *testing.T) {
	t.Parallel()
	hook := func(r *http.Request) {
		if r.Header.Get("X-Test-Panic") != "" {
			panic("boom")
		}
	}
	ts := start(t, Config{}, hook)
	req := newReq(t, "POST", ts.URL+PathVCA, readFile(t, "testdata/dtmf1.json"))
	req.Header.Set("X-Test-Panic", "1")
	errorJSON(t, do(t, req), 500)
	ev := ts.next(t)
	if ev.Level != LevelError || ev.Status != 500 || ev.Message != "panic: boom" || !strings.Contains(ev.Stack, "TestPanicRecovered") {
		t.Errorf("event %+v", ev)
	}
	for range 3 {
		if r := post(t, ts.URL+PathVCA, readFile(t, "testdata/dtmf1.json")); r.Status != 200 {
			t.Fatalf("after the panic: status %d", r.Status)
		}
	}
}
