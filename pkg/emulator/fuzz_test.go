package emulator

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ivrctl/ivrctl/pkg/callflow"
)

// FuzzRun feeds any request and any webhook answer: Run never panics,
// never hangs (MaxActions bounds a looping answer), refuses exactly what
// the validator refuses, and a session always ends with a status and a
// summary whose every leg has one.
func FuzzRun(f *testing.F) {
	files, _ := filepath.Glob("testdata/requests/*.json")
	for _, file := range files {
		data, _ := os.ReadFile(file)
		f.Add(data, []byte(`{"callflow":[{"action":"hangup"}]}`), "1")
	}
	eng := simpleEngine(f)
	req := request(f, eng, "")
	f.Add(req, []byte(`{"clientActionId":"x","callflow":[{"action":"makeCall","params":{"source":"6512345678","destination":"6561115777"}}]}`), "2")
	f.Add(req, []byte(`{"callflow":[{"action":"sayAndCapture","params":{"promptMessage":"p","voiceProfile":"en-US-BenjaminRUS","completeOnHash":true,"maxDigits":3}}]}`), "12#")
	f.Add(req, []byte(`not json`), "")
	f.Fuzz(func(t *testing.T, body, answer []byte, keys string) {
		w := webhookFunc(func(context.Context, []byte) (int, []byte, error) { return 200, answer, nil })
		cfg := testConfig(w)
		cfg.MaxActions = 50
		tr, err := New(cfg).Run(context.Background(), body, &always{keys: keys})
		probs := callflow.ValidateJSON(body, callflow.KindRequest)
		var rej *RejectedError
		switch {
		case errors.As(err, &rej):
			if len(probs) > 0 && rej.Response.StatusCode != probs[0].Code {
				t.Fatalf("refused %d, the validator says %v", rej.Response.StatusCode, probs[0])
			}
			return
		case err != nil:
			t.Fatalf("Run: %v", err)
		case len(probs) > 0:
			t.Fatalf("ran a request the validator refuses: %v", probs)
		}
		p := tr.Summary.Payload
		if p.SessionStatus == "" || p.LastAction == "" || p.CallCount != len(p.Details) || p.CallCount < 1 || p.CallCount > 2 {
			t.Fatalf("summary %+v", p)
		}
		for name, l := range p.Details {
			if l.CallStatus == "" || l.DisconnectedTimestamp == "" {
				t.Fatalf("%s: %+v", name, l)
			}
		}
	})
}
