package callflow

import (
	"bytes"
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

// FuzzDecodeVCA holds the fast decoder to encoding/json: whenever it
// accepts an input, encoding/json must accept it too and decode the same
// event. DecodeVCA must never panic.
func FuzzDecodeVCA(f *testing.F) {
	corpus(f)
	for _, s := range []string{
		`{"payload":{"dtmf":"1","dtmf":null}}`,
		`{"payload":{"eventData":{"dtmf":"1"},"eventData":{}}}`,
		`{"payload":{"eventData":{"dtmf":"1"},"eventData":null}}`,
		`{"PAYLOAD":{"DTMF":"1"}}`,
		`{"payload":{"sipCode":-0,"callDuration":1.5e3,"x":[{"y":"\u00e9\n"},true,false,null]}}`,
		`{"payload":{"source":"caf\u00e9","destination":"café"}} `,
		`{"payload":{"sipCode":"200"}}`,
		`{"payload":{"callDuration":"7"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		DecodeVCA(data) // never panics
		trimmed := bytes.TrimSpace(data)
		var fast VCAEvent
		if !decodeVCAFast(trimmed, &fast) {
			return
		}
		var ref VCAEvent
		if err := json.Unmarshal(trimmed, &ref); err != nil {
			t.Fatalf("fast path accepted what encoding/json refuses (%v): %q", err, data)
		}
		if diff := cmp.Diff(ref, fast); diff != "" {
			t.Fatalf("fast path decoded %q differently (-encoding/json +fast):\n%s", data, diff)
		}
	})
}

// TestFastPathTaken: 8x8's events take the fast path, so a change that
// silently sends them to encoding/json shows up here and not only in the
// benchmark.
func TestFastPathTaken(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"dtmf1.json", "dtmf-null.json", "eventdata-dtmf1.json", "eventdata-dtmf-null.json",
		"inbound-call-received.json", "golden/seed/vca-dtmf3.json"} {
		var ev VCAEvent
		if !decodeVCAFast(bytes.TrimSpace(testdata(t, name)), &ev) {
			t.Errorf("%s: fast path not taken", name)
		}
	}
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
