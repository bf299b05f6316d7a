package scenario

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// Every scenario of the repository's suites (tests run from the repository root), written and read back, is
// the same scenario: Write cannot drift from Parse.
func TestWriteParsesBack(t *testing.T) {
	files, err := filepath.Glob("testdata/scenarios/*/*.yaml")
	more, _ := filepath.Glob("testdata/own-backend/*.yaml")
	files = append(files, more...)
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenario files: %v", err)
	}
	same := cmp.Options{
		cmpopts.IgnoreUnexported(Scenario{}),
		cmpopts.IgnoreFields(Scenario{}, "File", "Line", "FaultsLine"),
		cmpopts.IgnoreFields(Call{}, "ToLine", "MenuLine", "WebhookLine", "RequestLine"),
		cmpopts.IgnoreFields(Party{}, "Line"),
		cmpopts.IgnoreFields(Caller{}, "StepsLine"),
		cmpopts.IgnoreFields(Step{}, "Line"),
		cmpopts.IgnoreFields(Expect{}, "HeardLine", "ConnectedLine", "StatusLine", "WebhookLine", "LastActionLine"),
		cmp.Comparer(func(a, b *Pattern) bool {
			return a == nil && b == nil || a != nil && b != nil && a.Source == b.Source && (a.Re == nil) == (b.Re == nil)
		}),
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want, err := Parse(f, data)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := Write(&buf, want); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		got, err := Parse(f, buf.Bytes())
		if err != nil {
			t.Fatalf("%s: written, it does not parse: %v\n%s", f, err, buf.Bytes())
		}
		if diff := cmp.Diff(want, got, same); diff != "" {
			t.Errorf("%s: read back (-want +got):\n%s\n%s", f, diff, buf.Bytes())
		}
	}
}

// A name is required: reports need one.
func TestWriteNeedsAName(t *testing.T) {
	if err := Write(&bytes.Buffer{}, []*Scenario{{}}); err == nil {
		t.Error("a scenario without a name was written")
	}
}
