package campaign

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ivrctl/ivrctl/pkg/sessions"
)

// A replica whose clock runs behind commits a summary stamped before one
// already read: the next read still returns it, and nothing twice.
func TestStoreSourceReadsLateCommitsOnce(t *testing.T) {
	store, err := sessions.OpenFile(filepath.Join(t.TempDir(), "s.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	add := func(id, status string, at time.Time) {
		t.Helper()
		body := fmt.Appendf(nil, `{"eventType":"SESSION_SUMMARY","payload":{"sessionId":%q,"sessionStatus":%q}}`, id, status)
		rec, err := sessions.NewRecord(at, body)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.Append(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
	}
	src := &StoreSource{Store: store, Overlap: time.Minute}
	read := func() []string {
		t.Helper()
		us, err := src.Read()
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, u := range us {
			got = append(got, u.Session+" "+u.Outcome.SessionStatus)
		}
		slices.Sort(got)
		return got
	}
	add("a", "COMPLETED", t0)
	add("b", "BUSY", t0.Add(10*time.Minute))
	if d := cmp.Diff([]string{"a COMPLETED", "b BUSY"}, read()); d != "" {
		t.Errorf("first read (-want +got):\n%s", d)
	}
	add("c", "COMPLETED", t0.Add(9*time.Minute+30*time.Second)) // 30 s behind b: inside the overlap
	add("d", "COMPLETED", t0.Add(5*time.Minute))                // far behind: before the overlap
	add("b", "COMPLETED", t0.Add(11*time.Minute))               // a later revision of b
	if d := cmp.Diff([]string{"b COMPLETED", "c COMPLETED"}, read()); d != "" {
		t.Errorf("second read (-want +got):\n%s", d)
	}
	if got := read(); len(got) != 0 {
		t.Errorf("third read returned again: %q", got)
	}
}
