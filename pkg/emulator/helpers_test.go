package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/golden"
	"github.com/ivrctl/ivrctl/pkg/menu"
	"github.com/ivrctl/ivrctl/pkg/webhook/webhooktest"
)

// testClient is the tests' HTTP client: every request has a deadline, so
// a server that never answers fails the test instead of stalling it.
var testClient = &http.Client{Timeout: 30 * time.Second}

// epoch is the virtual clock's origin in tests.
var epoch = time.Date(2026, 1, 13, 8, 26, 58, 0, time.UTC)

// counter returns a NewID giving id-0001, id-0002, ...: transcripts are
// stable and the same whichever webhook answers.
func counter() func() string {
	var mu sync.Mutex
	n := 0
	return func() string {
		mu.Lock()
		defer mu.Unlock()
		n++
		return fmt.Sprintf("id-%04d", n)
	}
}

// testConfig is a Config with a fixed clock and counter ids.
func testConfig(w Webhook) Config {
	return Config{Webhook: w, Start: func() time.Time { return epoch }, NewID: counter(), SubAccount: "ivrctl-test"}
}

func simpleEngine(t testing.TB) *menu.Engine {
	t.Helper()
	e, err := menu.Compile(menu.Default(), menu.Numbers{})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func loadEngine(t testing.TB, file string) *menu.Engine {
	t.Helper()
	return webhooktest.Engine(t, filepath.Join("../../testdata/menus", file))
}

// request is the Send Callflow body `ivrctl call` sends for an engine:
// makeCall, then the start menu's sayAndCapture.
func request(t testing.TB, eng *menu.Engine, crid string) []byte {
	t.Helper()
	req := callflow.Request{
		Callflow: []callflow.Action{
			{Action: callflow.ActionMakeCall, Params: &callflow.Params{
				Source: callflow.Some("6561115777"), Destination: callflow.Some("6512345678")}},
			eng.Initial(),
		},
		ClientRequestID: crid,
	}
	body, err := json.Marshal(&req)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// serveHTTP runs serve's webhook server for eng on loopback.
func serveHTTP(t testing.TB, eng *menu.Engine) string {
	t.Helper()
	return webhooktest.Start(t, eng)
}

// goldenView compares the transcript, as golden files show it, with
// testdata/name.
func goldenView(t *testing.T, name string, tr *Transcript) {
	t.Helper()
	data, err := json.Marshal(viewOf(tr))
	if err != nil {
		t.Fatal(err)
	}
	golden.JSON(t, filepath.Join("testdata", name), data)
}

// view is a transcript as golden files show it: times as 1m4.2s.
type view struct {
	SessionID    string            `json:"sessionId"`
	Heard        []string          `json:"heard"`
	Pressed      []string          `json:"pressed"`
	Dialled      []Dial            `json:"dialled"`
	Connected    []string          `json:"connected"`
	WebhookCalls int               `json:"webhookCalls"`
	Notes        []string          `json:"notes,omitempty"`
	Limited      bool              `json:"limited,omitempty"`
	Summary      callflow.VSSEvent `json:"summary"`
}

func viewOf(tr *Transcript) view {
	v := view{SessionID: tr.SessionID, Pressed: tr.Pressed, Dialled: tr.Dialled, Connected: tr.Connected,
		WebhookCalls: tr.WebhookCalls, Notes: tr.Notes, Limited: tr.Limited, Summary: tr.Summary}
	for _, h := range tr.Heard {
		v.Heard = append(v.Heard, fmt.Sprintf("%s leg%d %s: %s", h.At, h.Leg, h.Kind, h.Text))
	}
	return v
}

// run runs one session and fails the test on a refusal.
func run(t testing.TB, e *Emulator, req []byte, c Caller) *Transcript {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tr, err := e.Run(ctx, req, c)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return tr
}
