package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ivrctl/ivrctl/pkg/callflow"
)

// recorder is a webhook that keeps every event and answers with an engine.
type recorder struct {
	next   Webhook
	mu     sync.Mutex
	events []map[string]any
}

func (r *recorder) CallAction(ctx context.Context, event []byte) (int, []byte, error) {
	var m map[string]any
	if err := json.Unmarshal(event, &m); err != nil {
		return 0, nil, err
	}
	r.mu.Lock()
	r.events = append(r.events, m)
	r.mu.Unlock()
	return r.next.CallAction(ctx, event)
}

var uuidRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// The VCA events carry what 8x8's do: the digit in both places, the last
// clientActionId, UUIDs, '+' numbers, ACTION_COMPLETED.
func TestVCAEvents(t *testing.T) {
	t.Parallel()
	eng := loadEngine(t, "advanced-ivr.yaml")
	rec := &recorder{next: EngineWebhook{Engine: eng}}
	e := New(Config{Webhook: rec, Start: func() time.Time { return epoch }}) // real UUIDs
	tr := run(t, e, request(t, eng, ""), Script{Press: []string{"2", "", "", "1"}}.Caller())
	if tr.Status() != callflow.SessionCompleted {
		t.Fatalf("status %s, notes %q", tr.Status(), tr.Notes)
	}
	// 2 at the main menu; silence twice at connect_call (noOfTries 2): no
	// input; the "invalid" answer hangs up.
	wantDTMF := []any{"2", nil}
	wantCID := []any{nil, "connect_call"}
	if len(rec.events) != len(wantDTMF) {
		t.Fatalf("%d events, want %d", len(rec.events), len(wantDTMF))
	}
	ids := map[string]bool{}
	for i, ev := range rec.events {
		p := ev["payload"].(map[string]any)
		if ev["eventType"] != "CALL_ACTION" || ev["namespace"] != "VOICE" || p["callStatus"] != "ACTION_COMPLETED" {
			t.Errorf("event %d envelope %v %v %v", i, ev["namespace"], ev["eventType"], p["callStatus"])
		}
		if p["dtmf"] != wantDTMF[i] || p["eventData"].(map[string]any)["dtmf"] != wantDTMF[i] {
			t.Errorf("event %d dtmf %v / eventData.dtmf %v, want %v in both", i, p["dtmf"], p["eventData"], wantDTMF[i])
		}
		if _, has := p["dtmf"]; !has {
			t.Errorf("event %d: no dtmf key (null must be sent, not left out)", i)
		}
		if p["clientActionId"] != wantCID[i] {
			t.Errorf("event %d clientActionId %v, want %v", i, p["clientActionId"], wantCID[i])
		}
		if p["source"] != "+6561115777" || p["destination"] != "+6512345678" || p["sourceCountryCode"] != "SG" {
			t.Errorf("event %d numbers %v -> %v (%v)", i, p["source"], p["destination"], p["sourceCountryCode"])
		}
		for _, k := range []string{"eventId", "callId", "sessionId"} {
			if s, _ := p[k].(string); !uuidRe.MatchString(s) {
				t.Errorf("event %d %s %q is not a v4 UUID", i, k, s)
			}
		}
		ids[p["eventId"].(string)] = true
		if p["sessionId"] != tr.SessionID || p["callId"] != tr.Summary.Payload.Details["callA"].CallID {
			t.Errorf("event %d sessionId/callId do not match the session", i)
		}
		if ts, _ := p["timestamp"].(string); !regexp.MustCompile(`^2026-01-13T08:\d\d:\d\d\.\d{3}Z$`).MatchString(ts) {
			t.Errorf("event %d timestamp %q", i, ts)
		}
	}
	if len(ids) != len(rec.events) {
		t.Error("eventIds repeat")
	}
	// Every event decodes with the core decoder, and the menu engine reads
	// the same digits from it.
	for i, ev := range rec.events {
		data, _ := json.Marshal(ev)
		dec, err := callflow.DecodeVCA(data)
		if err != nil {
			t.Fatal(err)
		}
		d, ok := dec.Digits()
		if want, _ := wantDTMF[i].(string); d != want || ok != (want != "") {
			t.Errorf("event %d Digits() = %q, %v", i, d, ok)
		}
	}
}

// successMessage and failureMessage are heard; completeOnHash takes the
// digits before '#'; too few digits are a failed try.
func TestCaptureMessages(t *testing.T) {
	t.Parallel()
	body := []byte(`{"callflow":[
		{"action":"makeCall","params":{"source":"6561115777","destination":"6512345678"}},
		{"action":"sayAndCapture","params":{"promptMessage":"Enter your PIN and hash","voiceProfile":"en-US-BenjaminRUS",
		 "minDigits":4,"maxDigits":6,"completeOnHash":true,"noOfTries":3,"digitTimeout":3000,"overallTimeout":9000,
		 "successMessage":"Thank you","failureMessage":"That is not a PIN"}}]}`)
	rec := &recorder{next: webhookFunc(func(context.Context, []byte) (int, []byte, error) {
		return 200, []byte(`{"callflow":[{"action":"say","params":{"text":"Goodbye","voiceProfile":"en-US-BenjaminRUS"}},{"action":"hangup"}]}`), nil
	})}
	tr := run(t, New(testConfig(rec)), body, Script{Press: []string{"12#", "", "1234#"}}.Caller())
	got := viewOf(tr).Heard
	want := []string{
		"4s leg0 prompt: Enter your PIN and hash",  // rings 4s; 5 words: 2s
		"9s leg0 failure: That is not a PIN",       // 3 keys, the entry ends on '#': 12 is too short
		"11s leg0 prompt: Enter your PIN and hash", // the failure message took 2s
		"22s leg0 failure: That is not a PIN",      // silence: overallTimeout 9s
		"24s leg0 prompt: Enter your PIN and hash",
		"31s leg0 success: Thank you", // 5 keys
		"31.8s leg0 say: Goodbye",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("heard (-want +got):\n%s", diff)
	}
	if !cmp.Equal(tr.Pressed, []string{"1234"}) || tr.Summary.Payload.LastAction != "HANGUP" {
		t.Errorf("pressed %q, lastAction %s", tr.Pressed, tr.Summary.Payload.LastAction)
	}
}

// HTTPWebhook keeps its connection alive, sends JSON and its headers.
func TestHTTPWebhookKeepAlive(t *testing.T) {
	t.Parallel()
	var conns atomic.Int32
	var bad atomic.Value
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Content-Type") != "application/json" || r.Header.Get("X-Auth") != "shh" || r.Method != http.MethodPost {
			bad.Store(r.Method + " " + r.Header.Get("Content-Type"))
		}
		io.Copy(io.Discard, r.Body)
		w.Write([]byte(`{"callflow":[{"action":"hangup"}]}`))
	}))
	ts.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	ts.Start()
	defer ts.Close()
	eng := simpleEngine(t)
	e := New(Config{Webhook: &HTTPWebhook{URL: ts.URL, Header: http.Header{"X-Auth": {"shh"}}}})
	req := request(t, eng, "")
	for range 50 {
		if tr := run(t, e, req, Script{Press: []string{"1"}}.Caller()); tr.Status() != callflow.SessionCompleted {
			t.Fatalf("status %s %q", tr.Status(), tr.Notes)
		}
	}
	if v := bad.Load(); v != nil {
		t.Errorf("a request was %v", v)
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections for 50 sequential calls, want 1 (keep-alive)", n)
	}
}

// Shutdown waits for Handler's sessions; past its deadline it cuts them
// short (ERROR -2002), and their summaries are still delivered.
func TestShutdownCutsSessions(t *testing.T) {
	t.Parallel()
	eng := simpleEngine(t)
	entered := make(chan struct{}, 1)
	stuck := webhookFunc(func(ctx context.Context, _ []byte) (int, []byte, error) {
		entered <- struct{}{}
		<-ctx.Done()
		return 0, nil, ctx.Err()
	})
	sink := newVSSSink(t)
	cfg := testConfig(stuck)
	cfg.VSS = HTTPVSS(sink.url, nil, 0)
	cfg.WebhookTimeout = time.Minute
	var notes atomic.Value
	cfg.OnEvent = func(ev Event) {
		if ev.Kind == EventEnd {
			notes.Store(ev.Message)
		}
	}
	e := New(cfg)
	ts := httptest.NewServer(e.Handler(testKey, func(string) Caller { return Script{Press: []string{"1"}}.Caller() }))
	defer ts.Close()
	if status, _, m := send(t, http.MethodPost, ts.URL+"/api/v1/subaccounts/ivrctl-test/callflows", testKey, request(t, eng, "")); status != 200 {
		t.Fatalf("HTTP %d %v", status, m)
	}
	select {
	case <-entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the session never called its webhook")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := e.Shutdown(ctx); err != context.DeadlineExceeded {
		t.Errorf("Shutdown = %v, want DeadlineExceeded", err)
	}
	ev := sink.next(t)
	if ev.Payload.SessionStatus != callflow.SessionError || int(ev.Payload.ErrorDetails.ErrorCode) != ErrorConnectivity {
		t.Errorf("summary %+v", ev.Payload)
	}
	if n := notes.Load(); n == nil || !strings.Contains(n.(string), "emulator stopped") {
		t.Errorf("notes %v, want the cause: emulator stopped", n)
	}
	// After Shutdown no session starts.
	if status, _, _ := send(t, http.MethodPost, ts.URL+"/api/v1/subaccounts/ivrctl-test/callflows", testKey, request(t, eng, "")); status != http.StatusServiceUnavailable {
		t.Errorf("after Shutdown: HTTP %d, want 503", status)
	}
}

// shape maps every field path of a JSON document to its JSON type, so the
// emulator's events can be compared with 8x8's recorded ones field by field.
func shape(t *testing.T, data []byte) map[string]string {
	t.Helper()
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			out[path] = "object"
			for k, e := range x {
				walk(path+"."+k, e)
			}
		case string:
			out[path] = "string"
		case float64:
			out[path] = "number"
		case bool:
			out[path] = "bool"
		case nil:
			out[path] = "null"
		default:
			out[path] = fmt.Sprintf("%T", v)
		}
	}
	walk("$", v)
	return out
}

// sameShape reports the fields of want that got lacks or types otherwise,
// and the fields of got that none of the recorded events has (extra may
// list allowed ones).
func sameShape(t *testing.T, what string, got map[string]string, wants []map[string]string, skip func(string) bool, extra ...string) {
	t.Helper()
	known := map[string]bool{}
	for _, e := range extra {
		known[e] = true
	}
	for _, want := range wants {
		for path, typ := range want {
			known[path] = true
			if skip(path) {
				continue
			}
			if g, ok := got[path]; !ok {
				t.Errorf("%s: %s (%s in 8x8's event) is missing", what, path, typ)
			} else if g != typ && !(g == "null" || typ == "null") {
				t.Errorf("%s: %s is a %s, 8x8 sends a %s", what, path, g, typ)
			}
		}
	}
	for path := range got {
		if !known[path] {
			t.Errorf("%s: %s is not in any recorded 8x8 event", what, path)
		}
	}
}

// The emulator's VCA and VSS events have the fields, and the JSON types,
// of 8x8's recorded ones (testdata/ at the repository's root), so a backend
// tested against the emulator reads real events the same way.
func TestEventsShapedLikeRecorded(t *testing.T) {
	t.Parallel()
	recorded := func(name string) map[string]string {
		data, err := os.ReadFile(filepath.Join("..", "..", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return shape(t, data)
	}
	none := func(string) bool { return false }

	eng := simpleEngine(t)
	rec := &recorder{next: EngineWebhook{Engine: eng}}
	cfg := testConfig(rec)
	var vss [][]byte
	cfg.VSS = func(_ context.Context, body []byte) error { vss = append(vss, body); return nil }
	e := New(cfg)
	run(t, e, request(t, eng, "crid-1"), Script{Press: []string{"2"}, Agent: PickupBusy}.Caller())
	if len(rec.events) != 1 || len(vss) != 1 {
		t.Fatalf("%d VCA events and %d summaries, want 1 and 1", len(rec.events), len(vss))
	}
	data, _ := json.Marshal(rec.events[0])
	sameShape(t, "VCA", shape(t, data),
		[]map[string]string{recorded("dtmf1.json"), recorded("eventdata-dtmf1.json")}, none,
		"$.payload.clientActionId")
	// callQuality is measured on real calls; errorDetails only for ERROR.
	noQuality := func(p string) bool { return strings.Contains(p, ".callQuality") }
	sameShape(t, "VSS (agent busy)", shape(t, vss[0]), []map[string]string{recorded("vss/busy.json")}, noQuality,
		"$.payload.errorDetails")
}
