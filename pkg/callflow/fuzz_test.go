package callflow

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// corpus adds every JSON file under testdata (events, seed documents) to a
// fuzz target's seed corpus.
func corpus(f *testing.F) {
	f.Helper()
	root := filepath.Join("..", "..", "testdata")
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".json" {
			return err
		}
		data, err := os.ReadFile(path)
		if err == nil {
			f.Add(data)
		}
		return err
	})
	if err != nil {
		f.Fatal(err)
	}
}

// FuzzDecodeVCA: DecodeVCA never panics, and an event it accepts encodes
// and decodes again to the same event (the Opt fields keep absent, null
// and a value apart).
func FuzzDecodeVCA(f *testing.F) {
	corpus(f)
	for _, s := range []string{
		`{"payload":{"dtmf":"1","dtmf":null}}`,
		`{"payload":{"eventData":{"dtmf":"1"},"eventData":null}}`,
		`{"PAYLOAD":{"DTMF":"1"}}`,
		`{"payload":{"sipCode":"200"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ev, err := DecodeVCA(data)
		if err != nil {
			return
		}
		again, err := json.Marshal(ev)
		if err != nil {
			t.Fatalf("accepted event does not encode (%v): %q", err, data)
		}
		ev2, err := DecodeVCA(again)
		if err != nil {
			t.Fatalf("re-encoded event refused (%v): %q", err, again)
		}
		if diff := cmp.Diff(ev, ev2); diff != "" {
			t.Fatalf("round trip of %q changed the event (-first +again):\n%s", data, diff)
		}
	})
}

// FuzzValidate: the validator never panics, always answers, and a document
// it passes is one encoding/json can read as the wire types.
func FuzzValidate(f *testing.F) {
	corpus(f)
	for _, s := range []string{`{"callflow":[{"action":"hangup"}]}`, `{"callflow":[{"action":"sayAndCapture","params":{"maxDigits":1e999}}]}`, `[]`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, kind := range []Kind{KindRequest, KindWebhookResponse} {
			probs := ValidateJSON(data, kind)
			for _, p := range probs {
				if p.Code == 0 || p.Path == "" || p.Message == "" || StatusMessage(p.Code) == "" {
					t.Fatalf("incomplete problem %+v for %q", p, data)
				}
			}
			if len(probs) > 0 {
				continue
			}
			if kind == KindWebhookResponse {
				var r WebhookResponse
				if err := json.Unmarshal(data, &r); err != nil {
					t.Fatalf("valid webhook response does not decode (%v): %q", err, data)
				}
			} else {
				var r Request
				if err := json.Unmarshal(data, &r); err != nil {
					t.Fatalf("valid request does not decode (%v): %q", err, data)
				}
			}
		}
	})
}
