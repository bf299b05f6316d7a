package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ivrctl/ivrctl/pkg/callflow"
)

// invalidRequests are the fixtures the validator refuses: the emulator's
// own, one per code the validator emits, and the repository's.
func invalidRequests(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, glob := range []string{"testdata/requests/*.json", "../../testdata/validate/*.json"} {
		files, err := filepath.Glob(glob)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			out[f] = data
		}
	}
	if len(out) < 15 {
		t.Fatalf("only %d fixtures found", len(out))
	}
	return out
}

// answer is the part of a NOT_CREATED answer that must agree with the
// validator.
type answer struct {
	HTTPStatus    int
	SessionStatus string
	StatusCode    int
	StatusMessage string
}

func wantAnswer(t *testing.T, body []byte) answer {
	t.Helper()
	probs := callflow.ValidateJSON(body, callflow.KindRequest)
	if len(probs) == 0 {
		t.Fatal("the validator accepts this fixture")
	}
	status := http.StatusBadRequest
	if probs[0].Code == callflow.StatusFirstNotMakeCall {
		status = http.StatusUnprocessableEntity
	}
	return answer{status, callflow.SessionNotCreated, probs[0].Code, probs[0].StatusMessage()}
}

func TestRunRefusesWhatTheValidatorRefuses(t *testing.T) {
	t.Parallel()
	e := New(testConfig(EngineWebhook{Engine: simpleEngine(t)}))
	for name, body := range invalidRequests(t) {
		t.Run(filepath.Base(name), func(t *testing.T) {
			tr, err := e.Run(context.Background(), body, Script{}.Caller())
			var rej *RejectedError
			if !errors.As(err, &rej) {
				t.Fatalf("Run = %v, %v; want a *RejectedError", tr, err)
			}
			if tr != nil {
				t.Error("a transcript for a refused request")
			}
			got := answer{rej.HTTPStatus, rej.Response.SessionStatus, rej.Response.StatusCode, rej.Response.StatusMessage}
			if diff := cmp.Diff(wantAnswer(t, body), got); diff != "" {
				t.Errorf("(-validator +emulator):\n%s", diff)
			}
			if rej.Response.CallFlowRequestID == "" || rej.Response.SessionID != "" {
				t.Errorf("callFlowRequestId %q, sessionId %q: want an id and no session", rej.Response.CallFlowRequestID, rej.Response.SessionID)
			}
		})
	}
}

// emulatorServer runs Handler on an httptest server.
func emulatorServer(t *testing.T, cfg Config, key string, callerFor func(string) Caller) (*Emulator, string) {
	t.Helper()
	e := New(cfg)
	ts := httptest.NewServer(e.Handler(key, callerFor))
	t.Cleanup(func() {
		ts.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := e.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return e, ts.URL
}

func send(t *testing.T, method, url, key string, body []byte) (int, http.Header, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("answer %q is not a JSON object: %v", data, err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	return resp.StatusCode, resp.Header, m
}

const testKey = "test-key-1234567890"

func TestHandlerRefusesWhatTheValidatorRefuses(t *testing.T) {
	t.Parallel()
	_, base := emulatorServer(t, testConfig(EngineWebhook{Engine: simpleEngine(t)}), testKey, nil)
	url := base + "/api/v1/subaccounts/ivrctl-test/callflows"
	for name, body := range invalidRequests(t) {
		t.Run(filepath.Base(name), func(t *testing.T) {
			status, _, m := send(t, http.MethodPost, url, testKey, body)
			got := answer{status, m["sessionStatus"].(string), int(m["statusCode"].(float64)), m["statusMessage"].(string)}
			if diff := cmp.Diff(wantAnswer(t, body), got); diff != "" {
				t.Errorf("(-validator +emulator):\n%s", diff)
			}
			if _, ok := m["callFlowRequestId"].(string); !ok {
				t.Errorf("no callFlowRequestId in %v", m)
			}
			if _, ok := m["sessionId"]; ok {
				t.Errorf("a sessionId in a refusal: %v", m)
			}
		})
	}
}

// vssSink is a test VSS endpoint collecting summaries.
type vssSink struct {
	got chan callflow.VSSEvent
	url string
}

func newVSSSink(t *testing.T) *vssSink {
	t.Helper()
	s := &vssSink{got: make(chan callflow.VSSEvent, 16)}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ev, err := callflow.DecodeVSS(mustRead(r.Body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "content type", http.StatusUnsupportedMediaType)
			return
		}
		s.got <- *ev
		w.Write([]byte("{}"))
	}))
	t.Cleanup(ts.Close)
	s.url = ts.URL
	return s
}

func (s *vssSink) next(t *testing.T) callflow.VSSEvent {
	t.Helper()
	select {
	case ev := <-s.got:
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no session summary within 10s")
	}
	return callflow.VSSEvent{}
}

func mustRead(r io.Reader) []byte {
	b, _ := io.ReadAll(r)
	return b
}

func TestHandlerCreatesAndRunsTheSession(t *testing.T) {
	t.Parallel()
	eng := simpleEngine(t)
	sink := newVSSSink(t)
	cfg := testConfig(EngineWebhook{Engine: eng})
	cfg.VSS = HTTPVSS(sink.url, nil, 0)
	var to string
	_, base := emulatorServer(t, cfg, testKey, func(dest string) Caller {
		to = dest
		return Script{Press: []string{"1"}}.Caller()
	})
	status, _, m := send(t, http.MethodPost, base+"/api/v1/subaccounts/ivrctl-test/callflows", testKey, request(t, eng, "crid-42"))
	want := map[string]any{"sessionId": "id-0002", "sessionStatus": "CREATED", "callFlowRequestId": "id-0001",
		"statusCode": float64(1), "statusMessage": "Created"}
	if status != http.StatusOK || !cmp.Equal(m, want) {
		t.Fatalf("HTTP %d %v\nwant 200 %v", status, m, want)
	}
	ev := sink.next(t)
	p := ev.Payload
	if p.SessionID != "id-0002" || p.SessionStatus != callflow.SessionCompleted || p.LastAction != "HANGUP" ||
		p.ClientRequestID != "crid-42" || p.SubAccountID != "ivrctl-test" || p.CallCount != 1 {
		t.Errorf("summary %+v", p)
	}
	if to != "+6512345678" {
		t.Errorf("callerFor(%q), want +6512345678", to)
	}
}

func TestHandlerRefusals(t *testing.T) {
	t.Parallel()
	eng := simpleEngine(t)
	req := request(t, eng, "")
	_, base := emulatorServer(t, testConfig(EngineWebhook{Engine: eng}), testKey, nil)
	_, noWebhook := emulatorServer(t, testConfig(nil), testKey, nil)
	expired := bytes.Replace(req, []byte(`"callflow"`), []byte(`"validUntil":"2020-01-01T00:00:00.000Z","callflow"`), 1)
	badUntil := bytes.Replace(req, []byte(`"callflow"`), []byte(`"validUntil":"tomorrow","callflow"`), 1)
	path := "/api/v1/subaccounts/ivrctl-test/callflows"
	for _, tc := range []struct {
		name, method, url, key string
		body                   []byte
		status                 int
		code                   float64
		message                string
	}{
		{"no key", http.MethodPost, base + path, "", req, 401, 401, "Authentication header not found or token invalid"},
		{"wrong key", http.MethodPost, base + path, "wrong-key", req, 401, 401, "Authentication header not found or token invalid"},
		{"unknown sub-account", http.MethodPost, base + "/api/v1/subaccounts/someone-else/callflows", testKey, req, 404, 404, "SubAccount not found by Id : someone-else"},
		{"bad sub-account", http.MethodPost, base + "/api/v1/subaccounts/x/callflows", testKey, req, 404, 404, "SubAccount not found by Id : x"},
		{"GET", http.MethodGet, base + path, testKey, nil, 405, 405, "Method GET not allowed: use POST"},
		{"other path", http.MethodPost, base + "/api/v1/other", testKey, req, 404, 404, "Resource not found"},
		{"no webhook", http.MethodPost, noWebhook + path, testKey, req, 400, -1004, "DTMF callback url not provided"},
		{"expired", http.MethodPost, base + path, testKey, expired, 400, -1015, "The validity period of the call flow request has expired"},
		{"bad validUntil", http.MethodPost, base + path, testKey, badUntil, 400, -1009, `Invalid call flow entry provided. $.validUntil: "tomorrow" is not a date-time like 2024-07-03T05:59:32.226Z (YYYY-MM-DDTHH:MM:SS.SSSZ, UTC)`},
		{"too large", http.MethodPost, base + path, testKey, []byte(`{"callflow":"` + strings.Repeat("x", 1<<20) + `"}`), 413, 413, "Request body too large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, m := send(t, tc.method, tc.url, tc.key, tc.body)
			if status != tc.status || m["statusCode"] != tc.code || m["statusMessage"] != tc.message {
				t.Errorf("HTTP %d %v; want %d statusCode %v %q", status, m, tc.status, tc.code, tc.message)
			}
			if strings.Contains(m["statusMessage"].(string), testKey) {
				t.Error("the key is echoed")
			}
		})
	}
}

// An empty API key accepts any Bearer token, but still needs one.
func TestHandlerAnyKey(t *testing.T) {
	t.Parallel()
	eng := simpleEngine(t)
	_, base := emulatorServer(t, testConfig(EngineWebhook{Engine: eng}), "", nil)
	url := base + "/api/v1/subaccounts/ivrctl-test/callflows"
	if status, _, m := send(t, http.MethodPost, url, "anything", request(t, eng, "")); status != 200 {
		t.Errorf("any key: HTTP %d %v", status, m)
	}
	if status, _, _ := send(t, http.MethodPost, url, "", request(t, eng, "")); status != 401 {
		t.Errorf("no key: HTTP %d, want 401", status)
	}
}
