package sessions

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/ivrctl/ivrctl/pkg/pgtest"
)

// invalidIDs are summaries whose sessionIds differ only in bytes that are
// not UTF-8: shown alike (id-\uFFFD), they are three sessions.
var invalidIDs = [][]byte{
	[]byte("{\"payload\":{\"sessionId\":\"id-\xff\",\"sessionStatus\":\"COMPLETED\",\"lastAction\":\"say \xfe\"}}"),
	[]byte("{\"payload\":{\"sessionId\":\"id-\xfe\",\"sessionStatus\":\"COMPLETED\"}}"),
	[]byte("{\"payload\":{\"sessionId\":\"id-\xc3\",\"sessionStatus\":\"BUSY\"}}"),
}

// checkInvalidUTF8 appends invalidIDs through open's store, reopens it (a
// restart: the file's index or the table is all that is left) and checks
// that every redelivery is a duplicate of its own session, never of
// another, that each summary reads back byte for byte, and that what a
// reader shows (sessionId, Event) is valid JSON.
func checkInvalidUTF8(t *testing.T, open func() Store) {
	ctx := context.Background()
	s := open()
	for _, body := range invalidIDs {
		if got, err := s.Append(ctx, mustRecord(t, body)); err != nil || got != Stored {
			t.Fatalf("%q: %v, %v; want stored (a distinct session)", body, got, err)
		}
	}
	s.Close()
	s = open()
	defer s.Close()
	for _, body := range invalidIDs {
		if got, err := s.Append(ctx, mustRecord(t, body)); err != nil || got != Duplicate {
			t.Errorf("redelivery of %q after a restart: %v, %v; want duplicate", body, got, err)
		}
	}
	r, ok := s.(Reader)
	if !ok {
		t.Fatalf("%T is no Reader", s)
	}
	recs, err := r.Query(ctx, Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(invalidIDs) {
		t.Fatalf("%d records, want %d: %+v", len(recs), len(invalidIDs), recs)
	}
	for i, rec := range recs {
		if !bytes.Equal(rec.Body(), invalidIDs[i]) {
			t.Errorf("record %d: body %q, want %q", i, rec.Body(), invalidIDs[i])
		}
		if !json.Valid(rec.Event) {
			t.Errorf("record %d: Event not valid JSON: %q", i, rec.Event)
		}
		if out, err := json.Marshal(rec); err != nil || !json.Valid(out) {
			t.Errorf("record %d as JSON: %s, %v", i, out, err)
		}
	}
}

func TestFileInvalidUTF8Restart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sessions.jsonl")
	checkInvalidUTF8(t, func() Store {
		f, err := OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return f
	})
}

func TestPostgresInvalidUTF8Restart(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DB(t)
	checkInvalidUTF8(t, func() Store {
		p, err := OpenPostgres(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		return p
	})
}
