package scenario

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/ivrctl/ivrctl/pkg/callflow"
)

// naive is a backend as many are written: it moves a per-call step on
// every VCA event and counts every summary, trusting each arrives once
// and in order. Over real HTTP.
type naive struct {
	mu        sync.Mutex
	steps     map[string]int
	summaries []string
	fail      int // answer the first N summaries 500 (after counting them)
	srv       *httptest.Server
}

func newNaiveBackend(t *testing.T) *naive {
	b := &naive{steps: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/vca", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ev, err := callflow.DecodeVCA(body)
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		b.mu.Lock()
		b.steps[ev.Payload.CallID]++
		n := b.steps[ev.Payload.CallID]
		b.mu.Unlock()
		text := "Thank you, goodbye"
		if n > 1 {
			text = "Your booking is confirmed" // the step after
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"callflow":[{"action":"say","params":{"text":"` + text + `","voiceProfile":"en-US-Jenny"}},{"action":"hangup"}]}`))
	})
	mux.HandleFunc("/vss", func(w http.ResponseWriter, r *http.Request) {
		var ev callflow.VSSEvent
		json.NewDecoder(r.Body).Decode(&ev)
		b.mu.Lock()
		defer b.mu.Unlock()
		b.summaries = append(b.summaries, ev.Payload.SessionID)
		if b.fail > 0 {
			b.fail--
			w.WriteHeader(500)
		}
	})
	b.srv = httptest.NewServer(mux)
	t.Cleanup(b.srv.Close)
	return b
}

// faultScenario is an inbound call the backend answers with one say: its
// first step.
const faultScenario = `name: fault FAULT
call: {direction: inbound, to: "+6561115777", from: "+6512345678"}
faults: [FAULT]
expect:
  heard: ["Thank you, goodbye"]
`

// Against a naive backend each fault shows what goes wrong, and the
// scenario's report (its notes) names the fault played.
func TestFaultsAgainstNaiveBackend(t *testing.T) {
	for _, tc := range []struct {
		fault     string
		fail      int
		passes    bool
		summaries int // what the naive backend counted for one call
	}{
		// The redelivered event moves the backend a step too far.
		{fault: "duplicate-vca", passes: false, summaries: 1},
		{fault: "duplicate-vss", passes: true, summaries: 2},
		{fault: "retry-vss", fail: 1, passes: true, summaries: 2},
		// The summary is not there when the call ends.
		{fault: "delay-vss", passes: true, summaries: 0},
	} {
		t.Run(tc.fault, func(t *testing.T) {
			b := newNaiveBackend(t)
			b.fail = tc.fail
			ss, err := Parse("f.yaml", []byte(strings.ReplaceAll(faultScenario, "FAULT", tc.fault)))
			if err != nil {
				t.Fatal(err)
			}
			l := &loader{readFile: nil, engines: map[string]*loaded{}, requests: map[string]*loaded{}}
			if err := l.prepare(ss[0]); err != nil {
				t.Fatal(err)
			}
			r := &Runner{Webhook: b.srv.URL + "/vca", VSS: b.srv.URL + "/vss"}
			var during int
			res := r.Run(context.Background(), ss, func(*Result) {
				b.mu.Lock()
				during = len(b.summaries)
				b.mu.Unlock()
			})[0]
			if res.Passed() != tc.passes {
				t.Errorf("passed %t, want %t: %s", res.Passed(), tc.passes, res.Summary())
			}
			if during != tc.summaries {
				t.Errorf("the naive backend counted %d summaries when the call ended, want %d", during, tc.summaries)
			}
			notes := strings.Join(res.Transcript.Notes, "\n")
			if !strings.Contains(notes, "fault "+tc.fault+":") {
				t.Errorf("the notes do not name the fault:\n%s", notes)
			}
			if !res.Passed() {
				var buf bytes.Buffer
				res.WriteReport(&buf, "", Style{})
				if !strings.Contains(buf.String(), "note     fault "+tc.fault) {
					t.Errorf("the report does not name the fault:\n%s", buf.String())
				}
			}
			if tc.fault == "delay-vss" && len(b.summaries) != 1 {
				t.Errorf("the held summary was not delivered at the end of the run: %v", b.summaries)
			}
		})
	}
}
