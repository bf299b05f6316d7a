package replay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/menu"
)

// answered returns the default menu's engine, an event of file (as it is
// on disk, on several lines) and the engine's answer to it.
func answered(t *testing.T, file string) (*menu.Engine, []byte, []byte) {
	t.Helper()
	eng, err := menu.Compile(menu.Default(), menu.Numbers{})
	if err != nil {
		t.Fatal(err)
	}
	event, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := callflow.DecodeVCA(event)
	if err != nil {
		t.Fatal(err)
	}
	res, err := eng.Answer(ev)
	if err != nil {
		t.Fatal(err)
	}
	return eng, event, res.Reply.Body
}

// Pairs queued to an archive are one line each, in the order added, and
// read back by Gather as inputs named FILE:LINE that replay with no diff,
// exactly as the same pairs in a directory do.
func TestArchiveRecordThenReplay(t *testing.T) {
	t.Parallel()
	eng, event1, answer1 := answered(t, "../../testdata/dtmf1.json")
	_, event2, answer2 := answered(t, "../../testdata/dtmf2.json")
	path := filepath.Join(t.TempDir(), "calls.jsonl")
	rc, err := NewRecorder(path)
	if err != nil {
		t.Fatal(err)
	}
	q := rc.Queue(0, 0, func(err error) { t.Error(err) })
	const n = 50
	for i := range n {
		ev, ans := event1, answer1
		if i%2 == 1 {
			ev, ans = event2, answer2
		}
		if !q.Add(t0, "d62f91ba-9a40", ev, ans) {
			t.Fatal("queue refused a pair")
		}
	}
	q.Close()

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	if len(lines) != n {
		t.Fatalf("%d lines, want %d", len(lines), n)
	}
	var first archiveLine
	if err := json.Unmarshal(lines[0], &first); err != nil {
		t.Fatal(err)
	}
	if want := "20261203T100000.000000Z-000000001-d62f91ba"; first.Name != want {
		t.Errorf("name %q, want %q (the directory's NAME)", first.Name, want)
	}
	var compact bytes.Buffer
	json.Compact(&compact, event1)
	if !bytes.Equal(first.Event, compact.Bytes()) || !bytes.Equal(first.Answer, answer1) {
		t.Errorf("line 1 holds\n%s\n%s\nwant the event compacted and the answer as sent", first.Event, first.Answer)
	}

	inputs := Gather([]string{path}, Source{})
	if len(inputs) != n {
		t.Fatalf("Gather found %d inputs, want %d", len(inputs), n)
	}
	got := 0
	Stream(eng, inputs, nil, func(o *Outcome) {
		got++
		if want := fmt.Sprintf("%s:%d", path, got); o.Input.Name != want || o.Input.ExpName != want {
			t.Errorf("outcome %d named %s (expected answer %s), want %s", got, o.Input.Name, o.Input.ExpName, want)
		}
		if o.Err != nil || o.Diff != "" || !o.Checked() {
			t.Errorf("%s: err %v, diff %q, checked %v", o.Input.Name, o.Err, o.Diff, o.Checked())
		}
	})
	if got != n {
		t.Errorf("%d outcomes, want %d", got, n)
	}
	if in := Gather([]string{path}, Source{NoExpected: true}); ReplayAll(eng, in, nil)[0].Checked() {
		t.Error("NoExpected read the recorded answer")
	}
}

// A crash mid-write leaves a torn last line: the reader leaves it out (a
// pair still being written looks the same), and the next recorder cuts
// it off, so its first pair is on a line of its own.
func TestArchiveTornTail(t *testing.T) {
	t.Parallel()
	eng, event, answer := answered(t, "../../testdata/dtmf1.json")
	path := filepath.Join(t.TempDir(), "calls.jsonl")
	line, err := appendLine(nil, "a", event, answer)
	if err != nil {
		t.Fatal(err)
	}
	torn := append(append([]byte(nil), line...), line[:len(line)/2]...)
	if err := os.WriteFile(path, torn, 0o600); err != nil {
		t.Fatal(err)
	}
	if in := Gather([]string{path}, Source{}); len(in) != 1 {
		t.Fatalf("%d inputs from one pair and a torn line, want 1", len(in))
	}
	rc, err := NewRecorder(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := rc.Record(t0, "s", event, answer); err != nil {
		t.Fatal(err)
	}
	if err := rc.Close(); err != nil {
		t.Fatal(err)
	}
	inputs := Gather([]string{path}, Source{})
	if len(inputs) != 2 {
		t.Fatalf("%d inputs after the torn line was cut and a pair added, want 2", len(inputs))
	}
	for _, o := range ReplayAll(eng, inputs, nil) {
		if o.Err != nil || o.Diff != "" {
			t.Errorf("%s: err %v, diff %q", o.Input.Name, o.Err, o.Diff)
		}
	}
}

// One process records to an archive: a second recorder on the same file
// is refused, saying why.
func TestArchiveLocked(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "calls.jsonl")
	rc, err := NewRecorder(path)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if _, err := NewRecorder(path); err == nil || !strings.Contains(err.Error(), "in use by another process") {
		t.Errorf("second recorder: %v, want in use by another process", err)
	}
}

// What is not an archive says so once, for the file; a broken line in an
// archive fails that pair alone, named FILE:LINE.
func TestArchiveBadInput(t *testing.T) {
	t.Parallel()
	eng, event, answer := answered(t, "../../testdata/dtmf1.json")
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	sessions := write("sessions.jsonl", []byte(`{"sessionId":"a","sessionStatus":"COMPLETED"}`+"\n"+`{"sessionId":"b"}`+"\n"))
	empty := write("empty.jsonl", nil)
	line, _ := appendLine(nil, "a", event, answer)
	broken := write("broken.jsonl", append(append(append([]byte(nil), line...), "{\"name\":\"b\",\"event\":{\n"...), line...))
	for path, want := range map[string]string{
		sessions: "line 1: not a recorded pair",
		empty:    "no recorded pairs in this archive",
	} {
		in := Gather([]string{path}, Source{})
		if len(in) != 1 || in[0].Err == nil || !strings.Contains(in[0].Err.Error(), want) || in[0].Name != path {
			t.Errorf("%s: %d inputs, first %+v; want one error for the file: %s", path, len(in), in[0], want)
		}
	}
	outs := ReplayAll(eng, Gather([]string{broken}, Source{}), nil)
	if len(outs) != 3 {
		t.Fatalf("%d outcomes from 3 lines", len(outs))
	}
	for i, o := range outs {
		if bad := i == 1; bad != (o.Err != nil) || o.Input.Name != fmt.Sprintf("%s:%d", broken, i+1) {
			t.Errorf("%s: err %v", o.Input.Name, o.Err)
		}
	}
}
