package emulator

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/pkg/callflow"
)

// Handler bounds the sessions it plays in the background: past
// Config.MaxSessions a Send Callflow gets 429 with Retry-After, as 8x8's
// rate limit answers, and nothing is created; once sessions end, new ones
// are taken again. Without the bound a client posting fast against a slow
// webhook grew goroutines and outgoing connections without limit.
func TestHandlerBoundsSessionsInFlight(t *testing.T) {
	t.Parallel()
	eng := simpleEngine(t)
	entered := make(chan struct{}, 8)
	release := make(chan struct{})
	slow := webhookFunc(func(ctx context.Context, _ []byte) (int, []byte, error) {
		entered <- struct{}{}
		select {
		case <-release:
		case <-ctx.Done():
			return 0, nil, ctx.Err()
		}
		return 200, []byte(`{"callflow":[{"action":"hangup"}]}`), nil
	})
	ended := make(chan struct{}, 8)
	cfg := testConfig(slow)
	cfg.MaxSessions = 2
	cfg.WebhookTimeout = time.Minute
	cfg.VSS = func(context.Context, []byte) error { ended <- struct{}{}; return nil }
	var created int
	e := New(cfg)
	ts := httptest.NewServer(e.Handler(testKey, func(string) Caller { return Script{Press: []string{"1"}}.Caller() }))
	defer ts.Close()
	url := ts.URL + "/api/v1/subaccounts/ivrctl-test/callflows"
	for range 2 {
		if status, _, m := send(t, http.MethodPost, url, testKey, request(t, eng, "")); status != 200 {
			t.Fatalf("HTTP %d %v", status, m)
		}
		created++
		select {
		case <-entered:
		case <-time.After(10 * time.Second):
			t.Fatal("the session never called its webhook")
		}
	}
	status, h, m := send(t, http.MethodPost, url, testKey, request(t, eng, ""))
	if status != http.StatusTooManyRequests || h.Get("Retry-After") != "1" {
		t.Fatalf("third call in flight: HTTP %d, Retry-After %q; want 429, 1", status, h.Get("Retry-After"))
	}
	if m["sessionStatus"] != callflow.SessionNotCreated || m["statusCode"] != float64(http.StatusTooManyRequests) {
		t.Errorf("429 body %v", m)
	}
	close(release)
	for range created {
		select {
		case <-ended:
		case <-time.After(10 * time.Second):
			t.Fatal("a released session never sent its summary")
		}
	}
	// The slots are free again once the sessions have ended.
	deadline := time.Now().Add(5 * time.Second)
	for {
		status, _, m = send(t, http.MethodPost, url, testKey, request(t, eng, ""))
		if status == 200 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if status != 200 {
		t.Fatalf("after the sessions ended: HTTP %d %v", status, m)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := e.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
}
