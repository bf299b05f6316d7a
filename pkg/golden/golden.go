// Package golden is the one golden-file helper of ivrctl's tests, in
// cmd/ and pkg/ alike (as net/http/httptest is for servers): a test's
// output is compared with a committed file using go-cmp, and
//
//	go test ./pkg/x -update
//
// rewrites the files with what the tests produce instead. It registers
// the -update flag of every test binary that imports it, so a test
// package must not define its own; code that regenerates committed
// files some other way (completions, the reference) reads Update().
package golden

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files with what the tests produce")

// Update reports whether the tests run with -update, rewriting their
// golden files.
func Update() bool { return *update }

// Text compares got with the file at path (relative to the test's
// working directory), byte for byte. Under -update it writes got to the
// file first, making its directory.
func Text(t testing.TB, path, got string) {
	t.Helper()
	Compare(t, path, []byte(got), func(_ testing.TB, b []byte) any { return string(b) })
}

// JSON compares got with the JSON document in the file at path as parsed
// values (numbers kept as written), so layout does not matter. Under
// -update it writes got indented by two spaces.
func JSON(t testing.TB, path string, got []byte) {
	t.Helper()
	var b bytes.Buffer
	if err := json.Indent(&b, got, "", "  "); err != nil {
		t.Fatalf("%s: the output is not JSON: %v\n%s", path, err, got)
	}
	b.WriteByte('\n')
	Compare(t, path, b.Bytes(), parseJSON)
}

// Compare is the general form: the file's content and got are both
// turned into values by as (which may normalise them) and compared with
// cmp.Diff. Under -update got is written to the file first, as it is.
func Compare(t testing.TB, path string, got []byte, as func(testing.TB, []byte) any) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file: %v (run the test with -update to write it)", err)
	}
	if d := cmp.Diff(as(t, want), as(t, got)); d != "" {
		t.Errorf("%s (-golden +got):\n%s", path, d)
	}
}

func parseJSON(t testing.TB, data []byte) any {
	t.Helper()
	var v any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("parse %s: %v", data, err)
	}
	return v
}
