package webhook

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ivrctl/ivrctl/pkg/sessions"
)

// An acknowledged summary is in the file when the 200 arrives: read back
// by a separate open, not through the server.
func TestVSSAcknowledgedIsInFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "deep", "dir", "sessions.jsonl")
	ts := start(t, Config{SessionsPath: path}, nil)
	files := []string{"testdata/vss/completed.json", "testdata/vss/busy.json", "testdata/vss/no-answer.json", "testdata/vss/error.json"}
	for i, f := range files {
		body := readFile(t, f)
		route := PathVSS
		if i%2 == 1 {
			route = PathVSSAlias
		}
		r := post(t, ts.URL+route, body)
		if r.Status != 200 || string(r.Body) != "{}" {
			t.Fatalf("%s: status %d body %s", f, r.Status, r.Body)
		}
		recs, skipped, err := sessions.ReadFile(path, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != i+1 || skipped != 0 {
			t.Fatalf("after %s: %d records, %d skipped", f, len(recs), skipped)
		}
		last := recs[i]
		var want, got any
		json.Unmarshal(body, &want)
		json.Unmarshal(last.Event, &got)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s stored differently (-sent +stored):\n%s", f, diff)
		}
		if last.ReceivedAt.IsZero() || last.SessionID == "" || last.SessionStatus == "" {
			t.Errorf("%s: record %+v", f, last)
		}
	}
	// The ERROR outcome is reported with its message.
	var errEv Event
	for range files {
		if e := ts.next(t); e.Outcome == "ERROR" {
			errEv = e
		}
	}
	if errEv.ErrorCode != -2005 || errEv.ErrorMsg != "Unable to synthesize text to speech" {
		t.Errorf("ERROR event %+v", errEv)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("sessions file mode %v, want 0600", info.Mode().Perm())
	}
}

// A summary delivered twice, concurrently or across a restart, is recorded
// once and acknowledged each time.
func TestVSSDuplicateRecordedOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sessions.jsonl")
	body := readFile(t, "testdata/vss/completed.json")
	ts := start(t, Config{SessionsPath: path}, nil)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if st, err := postStatus(ts.URL+PathVSS, body); err != nil || st != 200 {
				t.Errorf("status %d, %v", st, err)
			}
		})
	}
	wg.Wait()
	dups := 0
	for range 8 {
		if ts.next(t).Duplicate {
			dups++
		}
	}
	if dups != 7 {
		t.Errorf("%d duplicates reported, want 7", dups)
	}
	ts.cancel()
	if err := <-ts.done; err != nil {
		t.Fatal(err)
	}
	ts.done <- nil // for the cleanup

	// A restart reads the file: the redelivery is still a duplicate.
	ts2 := start(t, Config{SessionsPath: path}, nil)
	if r := post(t, ts2.URL+PathVSS, body); r.Status != 200 {
		t.Fatalf("status %d", r.Status)
	}
	if !ts2.next(t).Duplicate {
		t.Error("redelivery after restart not seen as duplicate")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(data, []byte("\n")); n != 1 {
		t.Errorf("%d lines in the file, want 1:\n%s", n, data)
	}
}

// A crash mid-append leaves a torn last line. On start-up it is skipped;
// the next append isolates it on its own line; what came before is intact,
// byte for byte.
func TestVSSTornLastLine(t *testing.T) {
	good := `{"receivedAt":"2026-01-13T08:27:00Z","sessionId":"a-1","sessionStatus":"COMPLETED","event":{"payload":{"sessionId":"a-1"}}}` + "\n"
	cases := map[string]string{
		"fragment":                 `{"receivedAt":"2026-01-13T08:28:00Z","sessionId":"9a8b7c6d-5f2e-11ee-8c99-0242ac120002","sess`,
		"whole record, no newline": `{"receivedAt":"2026-01-13T08:28:00Z","sessionId":"9a8b7c6d-5f2e-11ee-8c99-0242ac120002","event":{}}`,
	}
	for name, torn := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "sessions.jsonl")
			before := good + torn
			if err := os.WriteFile(path, []byte(before), 0o600); err != nil {
				t.Fatal(err)
			}
			ts := start(t, Config{SessionsPath: path}, nil)
			if n, sk := ts.Sessions().(*sessions.File).Len(), ts.Sessions().(*sessions.File).Skipped(); n != 1 || sk != 1 {
				t.Errorf("opened with %d sessions, %d skipped; want 1, 1", n, sk)
			}
			// The torn session (never acknowledged) is not a duplicate.
			r := post(t, ts.URL+PathVSS, readFile(t, "testdata/vss/error.json"))
			if r.Status != 200 {
				t.Fatalf("status %d", r.Status)
			}
			if ts.next(t).Duplicate {
				t.Error("the torn session counted as recorded")
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(data), before+"\n") {
				t.Fatalf("earlier bytes changed or torn line not closed:\n%s", data)
			}
			recs, skipped, err := sessions.ReadFile(path, false)
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != 2 || recs[0].SessionID != "a-1" || recs[1].SessionStatus != "ERROR" || (name == "fragment") != (skipped == 1) {
				t.Errorf("read back %d records (%+v), %d skipped", len(recs), recs, skipped)
			}
		})
	}
}
