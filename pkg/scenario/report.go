package scenario

import (
	"fmt"
	"io"
	"strings"

	"github.com/ivrctl/ivrctl/pkg/emulator"
)

// Style colours a report. Nil fields leave text plain.
type Style struct {
	Red, Green, Gray, Bold func(string) string
}

func paint(f func(string) string, s string) string {
	if f == nil {
		return s
	}
	return f(s)
}

// Summary is a failed result in one line: its first failure, and how many
// more there are.
func (r *Result) Summary() string {
	if r.Err != nil {
		return r.Err.Error()
	}
	if len(r.Failures) == 0 {
		return "passed"
	}
	f := r.Failures[0]
	s := fmt.Sprintf("%s: %s", f.Field, f.Message)
	// CI tools often show only this line (an annotation, a test list):
	// what was expected and what happened belong in it.
	got := "got"
	if strings.HasPrefix(f.Field, "expect.heard") || strings.HasPrefix(f.Field, "caller.steps") {
		got = "heard"
	}
	switch {
	case f.Expected != "" && f.Actual != "":
		s += fmt.Sprintf(": expected %q, %s %q", f.Expected, got, f.Actual)
	case f.Expected != "":
		s += fmt.Sprintf(": expected %q", f.Expected)
	case f.Actual != "":
		s += fmt.Sprintf(": %s %q", got, f.Actual)
	}
	if n := len(r.Failures) - 1; n > 0 {
		s += fmt.Sprintf(" (and %d more)", n)
	}
	return s
}

// WriteReport writes why a result failed, each line starting with indent:
// every failure with the scenario line it comes from, expected against
// actual (the heard list as a diff: '-' expected, '+' heard), then what the
// call did. It writes nothing for a passed result.
func (r *Result) WriteReport(w io.Writer, indent string, st Style) {
	if r.Passed() {
		return
	}
	file := r.Scenario.File
	if r.Err != nil {
		fmt.Fprintf(w, "%s%s\n", indent, paint(st.Red, r.Err.Error()))
		return
	}
	diffed := false
	for _, f := range r.Failures {
		diffed = diffed || len(f.Diff) > 0
		fmt.Fprintf(w, "%s%s %s\n", indent, paint(st.Bold, f.Field), paint(st.Gray, fmt.Sprintf("(%s:%d)", file, f.Line)))
		fmt.Fprintf(w, "%s  %s\n", indent, f.Message)
		heard := strings.HasPrefix(f.Field, "caller.") || strings.HasPrefix(f.Field, "expect.heard")
		if f.Expected != "" {
			fmt.Fprintf(w, "%s    %s %s\n", indent, paint(st.Red, "- expected"), f.Expected)
		}
		if f.Actual != "" {
			label, val := "+ got     ", f.Actual
			if heard {
				label, val = "+ heard   ", fmt.Sprintf("%q", f.Actual)
			}
			fmt.Fprintf(w, "%s    %s %s\n", indent, paint(st.Green, label), val)
		}
		if len(f.Diff) > 0 {
			fmt.Fprintf(w, "%s  heard, in order (- expected, not heard; + heard, not expected):\n", indent)
			width := len(fmt.Sprint(len(f.Diff))) + 2
			for _, d := range f.Diff {
				// Numbered as heard (#1 is the first thing heard); a
				// missing item has no number.
				var num, text string
				if d.Op != "-" {
					num = fmt.Sprintf("#%d", d.Index+1)
					text = fmt.Sprintf("%-7s %q", d.Kind, d.Text)
				} else {
					text = fmt.Sprintf("%-7s %s", "", d.Text)
				}
				line := fmt.Sprintf("%s %-*s %s", d.Op, width, num, text)
				switch d.Op {
				case "-":
					line = paint(st.Red, line)
				case "+":
					line = paint(st.Green, line)
				default:
					line = paint(st.Gray, line)
				}
				fmt.Fprintf(w, "%s    %s\n", indent, line)
			}
		}
	}
	r.writeCall(w, indent, st, !diffed)
}

// writeCall is what the call did, for context under the failures.
// The heard lines are left out when the heard diff showed them already.
func (r *Result) writeCall(w io.Writer, indent string, st Style, heard bool) {
	tr := r.Transcript
	fmt.Fprintf(w, "%s%s\n", indent, paint(st.Bold, "the call:"))
	dialled := func(d emulator.Dial) {
		fmt.Fprintf(w, "%s  %-8s %s (%s: %s)\n", indent, "dialled", d.Destination, legName(d.Leg), d.Pickup)
	}
	// In the order things happened: a leg rung before what is heard at
	// the same virtual instant.
	dials := tr.Dialled
	for _, h := range tr.Heard {
		for len(dials) > 0 && dials[0].At <= h.At {
			dialled(dials[0])
			dials = dials[1:]
		}
		if !heard {
			continue
		}
		who := ""
		if h.Leg != 0 {
			who = " (" + legName(h.Leg) + ")"
		}
		fmt.Fprintf(w, "%s  %-8s %q%s\n", indent, h.Kind, h.Text, who)
	}
	for _, d := range dials {
		dialled(d)
	}
	if len(tr.Pressed) > 0 {
		keys := make([]string, len(tr.Pressed))
		for i, k := range tr.Pressed {
			keys[i] = k
			if k == "" {
				keys[i] = "(no input)"
			}
		}
		fmt.Fprintf(w, "%s  %-8s %s\n", indent, "pressed", strings.Join(keys, ", "))
	}
	sum := tr.Summary.Payload
	fmt.Fprintf(w, "%s  %-8s %s, lastAction %s, %s, connected %s\n", indent, "ended", statusOf(tr), sum.LastAction,
		plural(tr.WebhookCalls, "webhook call"), numbers(tr.Connected))
	for _, n := range tr.Notes {
		if tr.SummaryError != "" && n == "session summary not delivered: "+tr.SummaryError {
			continue // a failure of its own, above
		}
		fmt.Fprintf(w, "%s  %-8s %s\n", indent, "note", n)
	}
}

func legName(leg int) string {
	if leg == 0 {
		return "callA, the caller"
	}
	return "callB, the agent"
}
