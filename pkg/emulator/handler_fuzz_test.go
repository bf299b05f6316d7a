package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzHandler sends any method, path, content type and body to the HTTP
// API, with the right key or not: the handler never panics, answers every
// request with a status below 500 (or 503 while stopping) and a JSON
// body, never echoes the API key, and every session it starts ends.
func FuzzHandler(f *testing.F) {
	const key = "sk-fuzz-SECRET-key-1234"
	files, _ := filepath.Glob("testdata/requests/*.json")
	for _, file := range files {
		data, _ := os.ReadFile(file)
		f.Add("POST", "/api/v1/subaccounts/ivrctl-test/callflows", "application/json", data, true)
	}
	req := request(f, simpleEngine(f), "")
	f.Add("POST", "/api/v1/subaccounts/ivrctl-test/callflows", "text/plain", req, true)
	f.Add("POST", "/api/v1/subaccounts/ivrctl-test/callflows", "application/json", req, false)
	f.Add("POST", "/api/v1/subaccounts/..%2f..%2fetc/callflows", "", req, true)
	f.Add("DELETE", "/api/v1/subaccounts/ivrctl-test/callflows", "", []byte(nil), true)
	f.Add("POST", "/api/v1/subaccounts/ivrctl-test/webhooks", "application/json",
		[]byte(`{"type":"VCA","url":"http://127.0.0.1:1/x?token=t","httpAuthHeader":"hdr-secret"}`), true)
	f.Add("GET", "/api/v1/subaccounts/ivrctl-test/webhooks", "", []byte(nil), true)
	f.Add("DELETE", "/api/v1/subaccounts/ivrctl-test/webhooks/VCA", "", []byte(nil), true)
	f.Add("GET", "/api/v1/subaccounts/ivrctl-test/numbers/6561115777", "", []byte(nil), true)
	f.Add("GET", "/api/v1/subaccounts/ivrctl-test/speech-profiles", "", []byte(nil), true)
	f.Add("PATCH", "/", "", []byte("{"), true)
	f.Fuzz(func(t *testing.T, method, path, ctype string, body []byte, withKey bool) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \r\n\t#?") || !validMethod(method) {
			return // not a request line a client can send
		}
		if _, err := url.ParseRequestURI(path); err != nil {
			return // net/http answers 400 itself
		}
		w := webhookFunc(func(context.Context, []byte) (int, []byte, error) {
			return 200, []byte(`{"callflow":[{"action":"hangup"}]}`), nil
		})
		cfg := testConfig(w)
		cfg.MaxActions = 20
		em := New(cfg)
		h := em.Handler(key, nil)
		r := httptest.NewRequest(method, "http://emulator"+path, bytes.NewReader(body))
		if ctype != "" {
			r.Header.Set("Content-Type", ctype)
		}
		if withKey {
			r.Header.Set("Authorization", "Bearer "+key)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := em.Shutdown(ctx); err != nil {
			t.Fatalf("sessions did not end: %v", err)
		}
		if rec.Code >= 500 && rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("%s %s: HTTP %d: %s", method, path, rec.Code, rec.Body)
		}
		if rec.Code/100 == 3 && rec.Body.Len() == 0 {
			return // ServeMux redirects an unclean path (//, ..) to its clean form
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %s: HTTP %d, not JSON: %q", method, path, rec.Code, rec.Body)
		}
		if bytes.Contains(rec.Body.Bytes(), []byte(key)) {
			t.Fatalf("the API key is in the answer: %s", rec.Body)
		}
	})
}

func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for _, c := range m {
		if c <= ' ' || c >= 0x7f || strings.ContainsRune(`()<>@,;:\"/[]?={}`, c) {
			return false
		}
	}
	return true
}
