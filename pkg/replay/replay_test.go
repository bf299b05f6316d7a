package replay

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// What Recorder writes, Gather reads back as one input with its expected
// answer, and Replay with the same menu matches it; a changed answer is a
// diff.
func TestRecordThenReplay(t *testing.T) {
	t.Parallel()
	eng, event, answer := answered(t, "../../testdata/dtmf1.json")
	dir := t.TempDir()
	rc, err := NewRecorder(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := rc.Record(time.Now(), "d62f91ba-9a40", event, answer); err != nil {
		t.Fatal(err)
	}
	inputs := Gather([]string{dir}, Source{})
	if len(inputs) != 1 {
		t.Fatalf("Gather found %d inputs, want the 1 recorded", len(inputs))
	}
	out := ReplayAll(eng, inputs, nil)[0]
	if out.Err != nil || out.Diff != "" || !out.Checked() {
		t.Fatalf("replay of the recording: err %v, diff %q, checked %v", out.Err, out.Diff, out.Checked())
	}
	if !strings.HasSuffix(out.Input.ExpName, ExpectedSuffix) || filepath.Dir(out.Input.ExpName) != dir {
		t.Errorf("expected answer read from %s", out.Input.ExpName)
	}
	// Another digit gets another answer: the recording no longer matches.
	digits := "2"
	if out := Replay(eng, &Input{Name: "x", Data: event, Expected: answer}, &digits); out.Diff == "" {
		t.Error("no diff for an answer that changed")
	}
	// Without expected answers (--dtmf), the pair's answer is not read.
	if in := Gather([]string{dir}, Source{NoExpected: true}); ReplayAll(eng, in, nil)[0].Checked() {
		t.Error("NoExpected read the recorded answer")
	}
}
