package menu

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ivrctl/ivrctl/pkg/callflow"
)

// FuzzAnswer feeds arbitrary bytes to both menus' engines as serve does:
// the engine must never panic, must answer every event it decodes, and
// every body it answers with must be one the platform accepts.
func FuzzAnswer(f *testing.F) {
	files, err := filepath.Glob(repoPath("testdata", "*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("seed corpus: %v %v", files, err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		`{"payload":{"clientActionId":"post_call","dtmf":"1"}}`,
		`{"payload":{"clientActionId":"reservations","eventData":{"dtmf":"3"}}}`,
		`{"payload":{"clientActionId":"main","dtmf":null}}`,
		`{"payload":{"clientActionId":"nope","callStatus":"CALL_RECEIVED"}}`,
	} {
		f.Add([]byte(s))
	}
	engines := []*Engine{mustEngine(f, "simple-ivr.yaml"), mustEngine(f, "advanced-ivr.yaml")}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, e := range engines {
			ev, r, err := e.AnswerJSON(data)
			var unknown *UnknownMenuError
			switch {
			case err == nil, errors.As(err, &unknown):
				if r.Reply == nil || ev == nil {
					t.Fatalf("decoded %q but no reply (err %v)", data, err)
				}
			default:
				if r.Reply != nil {
					t.Fatalf("reply despite decode error %v", err)
				}
				continue
			}
			if r.Matched == "status" {
				if string(r.Reply.Body) != "{}" {
					t.Fatalf("a status update answered with %s, want {}", r.Reply.Body)
				}
				continue
			}
			if probs := callflow.ValidateJSON(r.Reply.Body, callflow.KindWebhookResponse); len(probs) > 0 {
				t.Fatalf("event %q answered with a refused callflow %s: %v", data, r.Reply.Body, probs)
			}
		}
	})
}
