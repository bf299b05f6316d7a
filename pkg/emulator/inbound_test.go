package emulator

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ivrctl/ivrctl/pkg/callflow"
)

func ring(t testing.TB, e *Emulator, call Inbound, c Caller) *Transcript {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tr, err := e.Ring(ctx, call, c)
	if err != nil {
		t.Fatalf("Ring: %v", err)
	}
	return tr
}

// An inbound call to the simple IVR: CALL_RECEIVED shaped exactly as
// 8x8's recorded event (same fields, same JSON types, no dtmf), the start
// menu answers it, a 2 bridges the agent, and the summary has callA
// INBOUND and callB OUTBOUND.
func TestInboundSimpleIVR(t *testing.T) {
	t.Parallel()
	eng := simpleEngine(t)
	rec := &recorder{next: EngineWebhook{Engine: eng}}
	cfg := testConfig(rec)
	var vss []callflow.VSSEvent
	cfg.VSS = func(_ context.Context, body []byte) error {
		var ev callflow.VSSEvent
		if err := json.Unmarshal(body, &ev); err != nil {
			return err
		}
		vss = append(vss, ev)
		return nil
	}
	e := New(cfg)
	tr := ring(t, e, Inbound{To: "+6561115777", From: "+6512345678"}, Script{Press: []string{"2"}}.Caller())

	if len(rec.events) != 2 {
		t.Fatalf("%d VCA events, want 2 (CALL_RECEIVED, then the digit)", len(rec.events))
	}
	data, _ := json.Marshal(rec.events[0])
	recorded, err := os.ReadFile(filepath.Join("..", "..", "testdata", "inbound-call-received.json"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(shape(t, recorded), shape(t, data)); diff != "" {
		t.Errorf("CALL_RECEIVED is not shaped like 8x8's recorded inbound event (-recorded +emulator):\n%s", diff)
	}
	p := rec.events[0]["payload"].(map[string]any)
	if p["callStatus"] != "CALL_RECEIVED" || p["callDirection"] != "INBOUND" || p["source"] != "+6512345678" || p["destination"] != "+6561115777" {
		t.Errorf("CALL_RECEIVED payload = %v", p)
	}
	second := rec.events[1]["payload"].(map[string]any)
	if second["callDirection"] != "INBOUND" || second["clientActionId"] != "main" {
		t.Errorf("the digit's event: direction %v, clientActionId %v; want INBOUND, main", second["callDirection"], second["clientActionId"])
	}
	if got := tr.Connected; !slices.Equal(got, []string{"+6561115777"}) {
		t.Errorf("connected %v, want the agent", got)
	}
	if len(vss) != 1 {
		t.Fatalf("%d summaries, want 1", len(vss))
	}
	sum := vss[0].Payload
	if sum.SessionStatus != "COMPLETED" || sum.CallCount != 2 || sum.Details["callA"].CallDirection != "INBOUND" ||
		sum.Details["callB"].CallDirection != "OUTBOUND" || sum.Details["callA"].Source != "+6512345678" {
		t.Errorf("summary = %+v, callA %+v, callB %+v", sum, sum.Details["callA"], sum.Details["callB"])
	}
	if tr.Direction != "INBOUND" || tr.CallFlowRequestID != "" {
		t.Errorf("transcript direction %q, callFlowRequestId %q", tr.Direction, tr.CallFlowRequestID)
	}
}

// A number-masking backend bridges the caller to a hidden number on
// CALL_RECEIVED, with the virtual number as caller ID, and says nothing:
// the session has two legs, both COMPLETED, and the backend saw no
// Send Callflow request at all.
func TestInboundNumberMasking(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var events []callflow.VCAEvent
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ev, err := callflow.DecodeVCA(body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		events = append(events, *ev)
		mu.Unlock()
		if ev.Payload.CallStatus != callflow.CallStatusCallReceived {
			w.Write([]byte(`{"callflow":[{"action":"hangup"}]}`))
			return
		}
		// The masked party's real number, called from the virtual number.
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"callflow":[{"action":"makeCall","params":{"source":"` + ev.Payload.Destination +
			`","destination":"+6598765432"}}]}`))
	}))
	defer backend.Close()
	cfg := testConfig(&HTTPWebhook{URL: backend.URL})
	cfg.Numbers = []string{"6561115777"}
	e := New(cfg)
	tr := ring(t, e, Inbound{To: "6561115777", From: "+6512345678"}, Script{}.Caller())
	if len(events) != 1 {
		t.Fatalf("%d events, want only CALL_RECEIVED (the bridged call's callflow has no clientActionId)", len(events))
	}
	if !slices.Equal(tr.Connected, []string{"+6598765432"}) || tr.Status() != "COMPLETED" {
		t.Fatalf("connected %v, status %s; notes %v", tr.Connected, tr.Status(), tr.Notes)
	}
	b := tr.Summary.Payload.Details["callB"]
	if b.Source != "+6561115777" || b.CallStatus != "COMPLETED" || tr.Summary.Payload.LastAction != "MAKE_CALL" {
		t.Errorf("callB %+v, lastAction %s", b, tr.Summary.Payload.LastAction)
	}

	// A number the sub-account does not own never rings.
	if _, err := e.Ring(context.Background(), Inbound{To: "+6500000000", From: "+6512345678"}, Script{}.Caller()); err == nil ||
		!strings.Contains(err.Error(), "not a virtual number") {
		t.Errorf("ringing a number not owned: %v", err)
	}
}

// The ring endpoint: 202 with the sessionId, the call played in the
// background against the webhook; bad bodies are 400s naming the fix.
func TestRingEndpoint(t *testing.T) {
	t.Parallel()
	eng := simpleEngine(t)
	rec := &recorder{next: EngineWebhook{Engine: eng}}
	cfg := testConfig(rec)
	var mu sync.Mutex
	summaries := 0
	cfg.VSS = func(context.Context, []byte) error { mu.Lock(); summaries++; mu.Unlock(); return nil }
	e := New(cfg)
	srv := httptest.NewServer(e.Handler("key", func(to string) Caller { return Script{Press: []string{"1"}}.Caller() }))
	defer srv.Close()
	post := func(body string) (int, map[string]any) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/emulator/v1/subaccounts/ivrctl-test/inbound-calls", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer key")
		resp, err := testClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	status, m := post(`{"to":"+6561115777","from":"+6512345678"}`)
	if status != http.StatusAccepted || m["sessionId"] == "" || m["status"] != "RINGING" {
		t.Fatalf("ring: %d %v", status, m)
	}
	if status, m := post(`{"to":"x","from":"+6512345678"}`); status != http.StatusBadRequest || !strings.Contains(m["statusMessage"].(string), "not a phone number") {
		t.Errorf("bad number: %d %v", status, m)
	}
	if status, _ := post(`{"to":`); status != http.StatusBadRequest {
		t.Errorf("bad JSON: %d", status)
	}
	if err := e.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(rec.events) != 2 || summaries != 1 {
		t.Errorf("%d events, %d summaries; want 2 and 1", len(rec.events), summaries)
	}
}

// CALL_STATUS events go to the VCS webhook, in 8x8's envelope, and a VCS
// webhook that never answers does not hold up the call.
func TestCallStatusEvents(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var mu sync.Mutex
	var got []callflow.VCAEvent
	vcs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var ev callflow.VCAEvent
		json.Unmarshal(body, &ev)
		<-release // a stuck backend
		mu.Lock()
		got = append(got, ev)
		mu.Unlock()
	}))
	defer vcs.Close()
	eng := simpleEngine(t)
	cfg := testConfig(EngineWebhook{Engine: eng})
	cfg.VCS = HTTPVSS(vcs.URL, nil, 5*time.Second)
	e := New(cfg)
	tr := run(t, e, request(t, eng, "c"), Script{Press: []string{"2"}}.Caller())
	// The call is over while every status post is still stuck.
	want := []string{"CALL_INITIATED", "CALL_CONNECTED", "DTMF_RECEIVED", "CALL_INITIATED", "CALL_CONNECTED", "CALL_DISCONNECTED", "CALL_DISCONNECTED"}
	if diff := cmp.Diff(want, tr.StatusEvents); diff != "" {
		t.Errorf("status events queued (-want +got):\n%s", diff)
	}
	close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d status events delivered, want %d", len(got), len(want))
	}
	for _, ev := range got {
		if ev.EventType != "CALL_STATUS" || ev.Description != "Status update of a call" || ev.Payload.SessionID != tr.SessionID || ev.Payload.EventID == "" {
			t.Errorf("status event %+v", ev)
		}
	}
}

// A VCS webhook registered with the Webhooks API receives the events.
func TestCallStatusRegistered(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	n := 0
	vcs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { mu.Lock(); n++; mu.Unlock() }))
	defer vcs.Close()
	eng := simpleEngine(t)
	e := New(testConfig(EngineWebhook{Engine: eng}))
	srv := httptest.NewServer(e.Handler("", nil))
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/subaccounts/ivrctl-test/webhooks", strings.NewReader(`{"type":"VCS","url":"`+vcs.URL+`"}`))
	req.Header.Set("Authorization", "Bearer k")
	resp, err := testClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("register VCS: %v %v", err, resp)
	}
	resp.Body.Close()
	ctx := context.Background()
	tr, err := e.Ring(ctx, Inbound{To: "+6561115777", From: "+6512345678"}, Script{Press: []string{"1"}}.Caller())
	if err != nil {
		t.Fatal(err)
	}
	e.Flush(ctx)
	mu.Lock()
	defer mu.Unlock()
	if n != len(tr.StatusEvents) || n == 0 || tr.StatusEvents[0] != "CALL_RECEIVED" {
		t.Errorf("%d delivered, queued %v", n, tr.StatusEvents)
	}
}
