package scenario

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
)

// wellFormed parses an XML document as a strict XML 1.0 parser (CI's
// JUnit readers) does: control characters other than tab, newline and
// carriage return are not allowed anywhere, CDATA included.
func wellFormed(t *testing.T, doc []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(doc))
	for {
		_, err := dec.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("JUnit XML is not well-formed: %v\n%q", err, doc)
		}
	}
}

// Text from a scenario file or a failed call ends up in the JUnit
// report's CDATA bodies; a control character there made the whole report
// unreadable (encoding/xml writes CDATA as given). It is shown escaped.
func TestJUnitControlCharacters(t *testing.T) {
	var buf bytes.Buffer
	err := errors.Join(&Error{File: "a.yaml", Line: 4, Where: "caller.steps[0].expect", Msg: "bad \x01 and \x1b[31m"})
	if err := WriteJUnitLoadError(&buf, err); err != nil {
		t.Fatal(err)
	}
	wellFormed(t, buf.Bytes())
	if !strings.Contains(buf.String(), `bad \x01 and \x1b[31m`) {
		t.Errorf("the control characters are not shown escaped:\n%s", buf.String())
	}

	buf.Reset()
	res := []*Result{{Scenario: &Scenario{File: "b.yaml", Line: 1, Name: "n"}, Err: errors.New("refused: \x02\x7f\ufffe")}}
	if err := WriteJUnit(&buf, res, 0); err != nil {
		t.Fatal(err)
	}
	wellFormed(t, buf.Bytes())
	if !strings.Contains(buf.String(), `refused: \x02`) {
		t.Errorf("the control characters are not shown escaped:\n%s", buf.String())
	}
}

// A scenario's name is printed on the terminal, in JSON and in JUnit: a
// control character (an escape sequence, a newline forging a PASS line)
// is a file error. A regular expression's error quotes it visibly.
func TestParseControlCharacters(t *testing.T) {
	for _, tt := range []struct{ doc, want string }{
		{"name: \"bell \\x1b[31m\"\nexpect: {status: COMPLETED}\n",
			`f.yaml:1: name: "bell \x1b[31m" holds a control character: names are printed in reports`},
		{"name: \"two\\nlines\"\nexpect: {status: COMPLETED}\n",
			`f.yaml:1: name: "two\nlines" holds a control character: names are printed in reports`},
		{"name: n\ncaller:\n  steps:\n    - {expect: \"/a\\x01(/\", press: \"1\"}\nexpect: {status: COMPLETED}\n",
			`f.yaml:4: caller.steps[0].expect: invalid regular expression: missing closing ): "a\x01("`},
	} {
		_, err := Parse("f.yaml", []byte(tt.doc))
		if err == nil || err.Error() != tt.want {
			t.Errorf("Parse(%q):\n got %v\nwant %s", tt.doc, err, tt.want)
		}
	}
	// Tabs and non-ASCII letters are fine.
	if _, err := Parse("f.yaml", []byte("name: \"caf\u00e9\\tok\"\nexpect: {status: COMPLETED}\n")); err != nil {
		t.Errorf("a name with a tab and an accent: %v", err)
	}
}
