package sessions

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// The file store's tests are not parallel, nor are pkg/webhook's that
// reopen a sessions file: a test that closes a locked file and opens it
// again can find it still locked while a parallel test is starting a
// subprocess (the child holds a copy of the descriptor, and the flock
// with it, between fork and exec). Parallel tests start only after these.

func TestReadSessionsSkipsDamage(t *testing.T) {
	data := "" +
		`{"sessionId":"a","event":{}}` + "\n" +
		"\n" +
		`garbage` + "\n" +
		`{"sessionId":"a","event":{"again":true}}` + "\n" + // the same revision again: the last copy wins
		`{"event":{}}` + "\n" + // no sessionId
		`{"sessionId":"b","event":{}}` + "\n" +
		`{"sessionId":"c"`
	recs, skipped, torn, err := readRecords(strings.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].SessionID != "a" || string(recs[0].Event) != `{"again":true}` || recs[1].SessionID != "b" || skipped != 3 || !torn {
		t.Errorf("got %+v, skipped %d, torn %v", recs, skipped, torn)
	}
}

func TestSessionsClosed(t *testing.T) {
	s, err := OpenFile(filepath.Join(t.TempDir(), "s.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := s.Append(context.Background(), Record{SessionID: "x", Event: []byte("{}")}); !errors.Is(err, ErrClosed) {
		t.Errorf("Append after Close: %v", err)
	}
}

func TestDefaultSessionsPath(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/state")
	if p, _ := DefaultPath(); p != "/state/ivrctl/sessions.jsonl" {
		t.Errorf("got %s", p)
	}
	t.Setenv("XDG_STATE_HOME", "")
	t.Setenv("HOME", "/home/u")
	if p, _ := DefaultPath(); p != "/home/u/.local/state/ivrctl/sessions.jsonl" {
		t.Errorf("got %s", p)
	}
}

// SyncDir syncs a directory (the new sessions file's entry) and reports a
// directory it cannot open.
func TestSyncDir(t *testing.T) {
	if err := SyncDir(t.TempDir()); err != nil {
		t.Errorf("SyncDir: %v", err)
	}
	if err := SyncDir(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("SyncDir of a missing directory: no error")
	}
}
