package scenario

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// JUnit XML, as CI systems read it (GitHub Actions reporters, GitLab,
// Jenkins): one testsuite per scenario file, one testcase per scenario.
// A scenario whose expectations failed is a <failure>; one whose call could
// not be placed is an <error>.
type junitSuites struct {
	XMLName  xml.Name      `xml:"testsuites"`
	Name     string        `xml:"name,attr"`
	Tests    int           `xml:"tests,attr"`
	Failures int           `xml:"failures,attr"`
	Errors   int           `xml:"errors,attr"`
	Time     string        `xml:"time,attr"`
	Suites   []*junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
	dur      time.Duration
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr"`
	Line      int           `xml:"line,attr,omitempty"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",cdata"`
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// WriteJUnit writes results as JUnit XML. total is the run's wall time
// (scenarios run in parallel, so it is less than the sum of theirs).
func WriteJUnit(w io.Writer, results []*Result, total time.Duration) error {
	root := &junitSuites{Name: "ivrctl test", Time: seconds(total)}
	byFile := map[string]*junitSuite{}
	for _, r := range results {
		s := r.Scenario
		suite := byFile[s.File]
		if suite == nil {
			suite = &junitSuite{Name: s.File}
			byFile[s.File] = suite
			root.Suites = append(root.Suites, suite)
		}
		c := junitCase{Name: s.Name, Classname: s.File, File: s.File, Line: s.Line, Time: seconds(r.Duration)}
		if !r.Passed() {
			var body strings.Builder
			r.WriteReport(&body, "", Style{})
			p := &junitProblem{Message: r.Summary(), Body: xmlText(body.String())}
			if r.Err != nil {
				p.Type = "CallNotPlaced"
				c.Error = p
				suite.Errors++
				root.Errors++
			} else {
				p.Type = "ScenarioFailed"
				c.Failure = p
				suite.Failures++
				root.Failures++
			}
		}
		suite.Tests++
		root.Tests++
		suite.dur += r.Duration
		suite.Cases = append(suite.Cases, c)
	}
	for _, s := range root.Suites {
		s.Time = seconds(s.dur)
	}
	return encodeJUnit(w, root)
}

// WriteJUnitLoadError writes, for a suite that could not be loaded (Load's
// error), a JUnit report with one errored testcase per bad file, so CI
// shows why nothing ran instead of a missing report.
func WriteJUnitLoadError(w io.Writer, err error) error {
	errs := flatten(err)
	root := &junitSuites{Name: "ivrctl test", Time: seconds(0)}
	byFile := map[string]*junitSuite{}
	for _, e := range errs {
		file, line := "scenarios", 0
		if se, ok := e.(*Error); ok {
			file, line = se.File, se.Line
		}
		suite := byFile[file]
		if suite == nil {
			suite = &junitSuite{Name: file, Tests: 1, Errors: 1, Time: seconds(0),
				Cases: []junitCase{{Name: "scenario file", Classname: file, File: file, Line: line, Time: seconds(0),
					Error: &junitProblem{Message: "invalid scenario file: " + e.Error(), Type: "InvalidScenarioFile"}}}}
			byFile[file] = suite
			root.Suites = append(root.Suites, suite)
			root.Tests++
			root.Errors++
		}
		suite.Cases[0].Error.Body += xmlText(e.Error()) + "\n"
	}
	return encodeJUnit(w, root)
}

// flatten lists the errors errors.Join joined, at any depth.
func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

func encodeJUnit(w io.Writer, root *junitSuites) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(root); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// xmlText escapes, Go-style (\x01), the characters XML 1.0 cannot hold
// at all, and bytes that are not UTF-8: encoding/xml writes CDATA as
// given, and one control character would make the whole report
// unreadable. Attributes need none of this: encoding/xml replaces those
// characters there itself.
func xmlText(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, "\\x%02x", s[i])
		case r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000:
			b.WriteString(s[i : i+n])
		case r < 0x100:
			fmt.Fprintf(&b, "\\x%02x", r)
		default:
			fmt.Fprintf(&b, "\\u%04x", r)
		}
		i += n
	}
	return b.String()
}
