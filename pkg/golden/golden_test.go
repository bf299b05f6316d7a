package golden

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recorder is a testing.TB that keeps what the helper reported instead
// of failing the test.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, format)
}

// write makes a golden file holding content, for a test that compares
// (not one that rewrites, even under -update).
func write(t *testing.T, content string) string {
	t.Helper()
	setUpdate(t, false)
	path := filepath.Join(t.TempDir(), "x.golden")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestTextMatchesAndDiffers(t *testing.T) {
	path := write(t, "one\ntwo\n")
	r := &recorder{TB: t}
	Text(r, path, "one\ntwo\n")
	if len(r.errors) != 0 {
		t.Fatalf("same text reported: %v", r.errors)
	}
	Text(r, path, "one\nthree\n")
	if len(r.errors) != 1 || !strings.Contains(r.errors[0], "-golden +got") {
		t.Fatalf("different text: %v", r.errors)
	}
}

// JSON compares values, not layout; a different value is reported.
func TestJSONComparesValues(t *testing.T) {
	path := write(t, "{\n  \"a\": 1,\n  \"b\": [true]\n}\n")
	r := &recorder{TB: t}
	JSON(r, path, []byte(`{"b":[true],"a":1}`))
	if len(r.errors) != 0 {
		t.Fatalf("same JSON reported: %v", r.errors)
	}
	JSON(r, path, []byte(`{"b":[true],"a":1.0}`))
	if len(r.errors) != 1 {
		t.Fatalf("1.0 is not written as 1: %v", r.errors)
	}
}

// Under -update the file is written (its directory made), then matches.
func TestUpdateWrites(t *testing.T) {
	setUpdate(t, true)
	path := filepath.Join(t.TempDir(), "new", "x.json")
	JSON(t, path, []byte(`{"a":[1,2]}`))
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := "{\n  \"a\": [\n    1,\n    2\n  ]\n}\n"; string(got) != want {
		t.Errorf("written %q, want %q", got, want)
	}
}

// setUpdate sets -update for the test, as it was after.
func setUpdate(t *testing.T, v bool) {
	was := *update
	*update = v
	t.Cleanup(func() { *update = was })
}
