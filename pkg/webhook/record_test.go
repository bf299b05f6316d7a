package webhook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/ivrctl/ivrctl/pkg/callflow"
)

// Every answered event is recorded as NAME.json (the body received) and
// NAME.expected.json (the body sent), byte for byte.
func TestRecord(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "rec")
	ts := start(t, Config{RecordDir: dir}, nil)
	var sent [][2][]byte
	for _, f := range []string{"testdata/dtmf1.json", "testdata/dtmf2.json", "testdata/eventdata-dtmf3.json"} {
		body := readFile(t, f)
		r := post(t, ts.URL+PathVCA, body)
		if r.Status != 200 {
			t.Fatalf("%s: %d", f, r.Status)
		}
		sent = append(sent, [2][]byte{body, r.Body})
		ts.next(t)
	}
	// An unknown clientActionId is answered (the start menu) but not
	// recorded: simulate would fail the pair. The log line says so.
	unknown := bytes.Replace(readFile(t, "testdata/dtmf2.json"), []byte(`"dtmf": "2",`), []byte(`"dtmf": "2", "clientActionId": "no_such_menu",`), 1)
	if r := post(t, ts.URL+PathVCA, unknown); r.Status != 200 {
		t.Fatalf("unknown clientActionId: %d", r.Status)
	}
	if e := ts.next(t); e.Level != LevelWarn || !strings.Contains(e.Message, "not recorded") {
		t.Errorf("fallback event: level %s, message %q; want a warning saying it was not recorded", e.Level, e.Message)
	}
	// Refused requests are not recorded.
	post(t, ts.URL+PathVCA, []byte("{"))
	post(t, ts.URL+PathVCA, readFile(t, "testdata/vss/completed.json"))

	pairs := recordedPairs(t, dir)
	if len(pairs) != len(sent) {
		t.Fatalf("%d pairs recorded, want %d", len(pairs), len(sent))
	}
	for i, p := range pairs { // names sort by arrival
		if !bytes.Equal(p[0], sent[i][0]) {
			t.Errorf("pair %d: event differs from the body sent", i)
		}
		if !bytes.Equal(p[1], sent[i][1]) {
			t.Errorf("pair %d: expected %s, answer was %s", i, p[1], sent[i][1])
		}
		if _, err := callflow.DecodeVCA(p[0]); err != nil {
			t.Errorf("pair %d: event does not decode: %v", i, err)
		}
		if probs := callflow.ValidateJSON(p[1], callflow.KindWebhookResponse); len(probs) > 0 {
			t.Errorf("pair %d: expected answer invalid: %v", i, probs)
		}
	}
}

// Concurrent requests, even for one session in the same microsecond,
// get distinct names: no pair is overwritten or mixed with another.
func TestRecordConcurrentNamesDistinct(t *testing.T) {
	dir := t.TempDir()
	ts := start(t, Config{RecordDir: dir}, nil)
	const n = 64
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for i := range n {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			// Each event distinct (eventId) so a mixed-up pair shows.
			body := bytes.Replace(readFile(t, "testdata/dtmf3.json"), []byte("ddc1e44a"), fmt.Appendf(nil, "%08d", i), 1)
			if st, err := postStatus(ts.URL+PathVCA, body); err != nil || st != 200 {
				errs <- fmt.Sprintf("request %d: %d %v", i, st, err)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	pairs := recordedPairs(t, dir)
	if len(pairs) != n {
		t.Fatalf("%d pairs, want %d", len(pairs), n)
	}
	ids := map[string]bool{}
	for _, p := range pairs {
		var ev callflow.VCAEvent
		if err := json.Unmarshal(p[0], &ev); err != nil {
			t.Fatal(err)
		}
		ids[ev.Payload.EventID] = true
	}
	if len(ids) != n {
		t.Errorf("%d distinct events recorded, want %d", len(ids), n)
	}
}

// recordedPairs reads dir's NAME.json / NAME.expected.json pairs in name
// order, failing on a lone file or a leftover temporary file.
func recordedPairs(t *testing.T, dir string) [][2][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	files := map[string]bool{}
	for _, e := range entries {
		files[e.Name()] = true
		switch {
		case strings.HasSuffix(e.Name(), ".expected.json"):
		case strings.HasSuffix(e.Name(), ".json"):
			names = append(names, strings.TrimSuffix(e.Name(), ".json"))
		default:
			t.Errorf("unexpected file %s", e.Name())
		}
	}
	if len(files) != 2*len(names) {
		t.Errorf("%d files for %d events: %v", len(files), len(names), files)
	}
	sort.Strings(names)
	var out [][2][]byte
	for _, n := range names {
		ev, err := os.ReadFile(filepath.Join(dir, n+".json"))
		if err != nil {
			t.Fatal(err)
		}
		exp, err := os.ReadFile(filepath.Join(dir, n+".expected.json"))
		if err != nil {
			t.Fatalf("%s.json has no expected answer: %v", n, err)
		}
		out = append(out, [2][]byte{ev, exp})
	}
	return out
}
