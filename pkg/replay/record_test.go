package replay

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRecordName(t *testing.T) {
	rc := &Recorder{}
	now := mustTime(t, "2026-07-23T10:11:12.345678901Z")
	got := []string{rc.name(now, "d62f91ba-9a40-11ee"), rc.name(now, "../../etc/passwd"), rc.name(now, "")}
	want := []string{
		"20260723T101112.345678Z-000000001-d62f91ba",
		"20260723T101112.345678Z-000000002-etcpassw",
		"20260723T101112.345678Z-000000003-nosession",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	// In one microsecond, names sort by arrival whatever the session and
	// however many digits the counter has.
	rc.n.Store(8)
	a, b := rc.name(now, "ffffffff"), rc.name(now, "00000000") // counters 9 and 10
	if !(a < b) {
		t.Errorf("%s sorts after %s, which arrived later", a, b)
	}
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}
