package emulator

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// With no Config.SubAccount any sub-account id is taken, and each one's
// webhooks are kept in memory: the registry holds at most
// maxRegisteredSubaccounts of them, so a client inventing ids cannot grow
// the emulator without bound. A sub-account already registered can still
// replace its webhooks.
func TestRegistryBounded(t *testing.T) {
	t.Parallel()
	cfg := testConfig(nil)
	cfg.SubAccount = ""
	h := New(cfg).Handler(acctKey, nil)
	post := func(sub string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "/api/v1/subaccounts/"+sub+"/webhooks",
			strings.NewReader(`{"type":"VCA","url":"http://127.0.0.1:1/`+strings.Repeat("x", 1000)+`"}`))
		r.Header.Set("Authorization", "Bearer "+acctKey)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	for i := range maxRegisteredSubaccounts {
		if w := post(fmt.Sprintf("sub-%05d", i)); w.Code != http.StatusOK {
			t.Fatalf("sub-account %d: HTTP %d %s", i, w.Code, w.Body)
		}
	}
	w := post("sub-one-too-many")
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "at most 1000 sub-accounts") {
		t.Errorf("one sub-account too many: HTTP %d %s; want 422 naming the limit", w.Code, w.Body)
	}
	if w := post("sub-00007"); w.Code != http.StatusOK {
		t.Errorf("a registered sub-account replacing its webhook: HTTP %d %s", w.Code, w.Body)
	}
}
