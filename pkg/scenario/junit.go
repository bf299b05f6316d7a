package scenario

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
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
	Line      int           `xml:"line,attr"`
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
			p := &junitProblem{Message: r.Summary(), Body: body.String()}
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
