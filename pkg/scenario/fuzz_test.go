package scenario

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse reads any bytes as a scenario file: Parse never panics and
// either returns scenarios, each named and with a line, or only *Error
// values that name the file.
func FuzzParse(f *testing.F) {
	for _, glob := range []string{"../../testdata/scenarios/*/*.yaml", "../../testdata/test/*/*.yaml"} {
		files, _ := filepath.Glob(glob)
		for _, file := range files {
			data, _ := os.ReadFile(file)
			f.Add(data)
		}
	}
	f.Add([]byte("a: &a [x, x]\nb: &b [*a, *a]\nname: n\nexpect: {heard: *b}\n"))
	f.Add([]byte("name: n\ncaller: {steps: [{expect: /a(/, press: '1'}]}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Parse("f.yaml", data)
		if err != nil {
			if got != nil {
				t.Fatalf("scenarios and an error: %v", err)
			}
			var list interface{ Unwrap() []error }
			errs := []error{err}
			if errors.As(err, &list) {
				errs = list.Unwrap()
			}
			for _, e := range errs {
				var fe *Error
				if !errors.As(e, &fe) || !strings.HasPrefix(e.Error(), "f.yaml") {
					t.Fatalf("error %T %q does not name the file", e, e)
				}
			}
			return
		}
		for _, s := range got {
			if s.Name == "" || s.Line < 1 {
				t.Fatalf("scenario %+v has no name or line", s)
			}
		}
	})
}
