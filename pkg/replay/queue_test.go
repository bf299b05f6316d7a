package replay

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)

// A writer held up (a slow disk): Add never waits; what does not fit is
// dropped and counted; once the writer goes on, Close writes every pair
// taken, in the order added.
func TestQueueDropsWhenFullAndDrainsOnClose(t *testing.T) {
	dir := t.TempDir()
	rc, err := NewRecorder(dir)
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	started := make(chan struct{}, 1)
	q := rc.queue(3, 1<<20, nil, func() {
		select {
		case started <- struct{}{}:
		default:
		}
		<-release
	})
	event := []byte(`{"eventId":"0"}`)
	took := 0
	for i := range 10 {
		event[len(event)-3] = byte('0' + i)
		if q.Add(t0, "s1", event, []byte(`{"callflow":[]}`)) {
			took++
		}
		if i == 0 {
			<-started // the writer holds the first pair; 3 more fit
		}
	}
	if took != 4 || q.Dropped() != 6 {
		t.Errorf("took %d, dropped %d; want 4 taken (1 being written, 3 queued), 6 dropped", took, q.Dropped())
	}
	close(release)
	q.Close()
	names, _ := filepath.Glob(filepath.Join(dir, "*[0-9a-z].json"))
	var got []string
	for _, n := range names {
		if strings.HasSuffix(n, ExpectedSuffix) {
			continue
		}
		b, _ := os.ReadFile(n)
		got = append(got, string(b))
	}
	want := []string{`{"eventId":"0"}`, `{"eventId":"1"}`, `{"eventId":"2"}`, `{"eventId":"3"}`}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("recorded %q, want %q (the event copied at Add, in order)", got, want)
	}
	if q.Add(t0, "s1", event, nil) {
		t.Error("a closed queue took a pair")
	}
}

// The bytes bound holds however few pairs wait.
func TestQueueBytesBound(t *testing.T) {
	rc, err := NewRecorder(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	q := rc.queue(100, 1000, nil, func() { <-release })
	big := bytes.Repeat([]byte("x"), 400)
	var took []bool
	for range 4 {
		took = append(took, q.Add(t0, "s", big, nil))
	}
	if fmt.Sprint(took) != "[true true false false]" {
		t.Errorf("took %v: want two 400-byte pairs under a 1000-byte bound", took)
	}
	close(release)
	q.Close()
}

// A pair that cannot be written is reported, and the writer goes on.
func TestQueueReportsWriteErrors(t *testing.T) {
	dir := t.TempDir()
	rc, err := NewRecorder(dir)
	if err != nil {
		t.Fatal(err)
	}
	var errs []error
	q := rc.queue(0, 0, func(err error) { errs = append(errs, err) }, nil)
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	q.Add(t0, "s", []byte("{}"), []byte("{}"))
	q.Close()
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "recording") {
		t.Errorf("errors %v, want one naming the recording", errs)
	}
}
