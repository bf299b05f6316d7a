package scenario

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/emulator"
)

// Failure is one way a call differed from its scenario.
type Failure struct {
	Field    string `json:"field"`              // the scenario field that failed: caller.steps[1].expect, expect.status, ...
	Line     int    `json:"line"`               // where that field is written
	Message  string `json:"message"`            // one line: what went wrong
	Expected string `json:"expected,omitempty"` // as written in the scenario
	Actual   string `json:"actual,omitempty"`   // what the call did
	// Diff is the heard list, expected against actual, for expect.heard.
	Diff []DiffLine `json:"diff,omitempty"`
}

// DiffLine is one line of the heard diff: Op ' ' (matched), '-' (expected,
// not heard) or '+' (heard, not expected).
type DiffLine struct {
	Op    string `json:"op"`
	Index int    `json:"index"`
	Kind  string `json:"kind,omitempty"` // what was heard: prompt, say, ... ("" for a '-' line)
	Text  string `json:"text"`           // the text heard, or the pattern expected
}

// script is the emulator.Caller a scenario plays: it answers each prompt
// with the next step, and notes the prompts that were not the ones
// expected. On the first surprise the caller hangs up: past a wrong prompt
// the rest of the script no longer means anything.
type script struct {
	s        *Scenario
	next     int // the next step
	asked    int // prompts asked
	failures []Failure
	done     bool // hung up on a surprise
}

func newScript(s *Scenario) *script { return &script{s: s} }

// Faults makes the script an emulator.FaultCaller: the scenario's faults.
func (c *script) Faults() emulator.Faults { return c.s.Faults }

// Dial answers makeCall: leg 0 is the caller, any other leg the agent.
func (c *script) Dial(leg int, destination string) emulator.Pickup {
	if leg == 0 {
		return emulator.Pickup(c.s.Caller.Pickup)
	}
	return emulator.Pickup(c.s.Agent.Pickup)
}

// Capture answers a prompt with the next step.
func (c *script) Capture(prompt string, try int) (string, bool) {
	c.asked++
	if c.done {
		return "", true
	}
	steps := c.s.Caller.Steps
	if c.next >= len(steps) {
		line := c.s.Caller.StepsLine
		if line == 0 {
			line = c.s.Line
		}
		c.failures = append(c.failures, Failure{
			Field: "caller.steps", Line: line,
			Message: fmt.Sprintf("the call asked a prompt the scenario has no step for (prompt #%d; %s): add a step, e.g. hangup: true to end the call there",
				c.asked, plural(len(steps), "step")),
			Actual: prompt,
		})
		c.done = true
		return "", true
	}
	i := c.next
	st := steps[i]
	c.next++
	if st.Expect != nil && !st.Expect.Match(prompt) {
		c.failures = append(c.failures, Failure{
			Field: fmt.Sprintf("caller.steps[%d].expect", i), Line: st.Expect.Line,
			Message:  fmt.Sprintf("prompt #%d (try %d) is not the one expected; the caller hung up there", c.asked, try),
			Expected: st.Expect.String(), Actual: prompt,
		})
		c.done = true
		return "", true
	}
	switch st.Action {
	case ActionPress:
		return st.Keys, false
	case ActionHangup:
		return "", true
	}
	return "", false // silence
}

// finish reports the steps the call never reached.
func (c *script) finish() []Failure {
	if !c.done && c.next < len(c.s.Caller.Steps) {
		st := c.s.Caller.Steps[c.next]
		c.failures = append(c.failures, Failure{
			Field: fmt.Sprintf("caller.steps[%d]", c.next), Line: st.Line,
			Message: fmt.Sprintf("never reached: the call ended after %s", plural(c.asked, "prompt")),
		})
	}
	return c.failures
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

// Check compares a call's transcript with the scenario's expectations
// (the caller's steps are checked as the call runs, by the script).
func Check(s *Scenario, tr *emulator.Transcript) []Failure {
	var out []Failure
	e := &s.Expect
	if e.HeardSet {
		if f, ok := checkHeard(e, heardBy(tr, 0)); !ok {
			out = append(out, f)
		}
	}
	if e.ConnectedSet && !sameNumbers(e.Connected, tr.Connected) {
		out = append(out, Failure{
			Field: "expect.connected", Line: e.ConnectedLine,
			Message:  "another number was connected",
			Expected: numbers(e.Connected), Actual: numbers(tr.Connected),
		})
	}
	if e.Status != "" && e.Status != tr.Status() {
		out = append(out, Failure{
			Field: "expect.status", Line: e.StatusLine,
			Message:  "the session ended with another status",
			Expected: e.Status, Actual: statusOf(tr),
		})
	}
	if e.LastAction != "" && e.LastAction != tr.Summary.Payload.LastAction {
		out = append(out, Failure{
			Field: "expect.lastAction", Line: e.LastActionLine,
			Message:  "the session ended on another action (a callflow without hangup ends on its last action)",
			Expected: e.LastAction, Actual: tr.Summary.Payload.LastAction,
		})
	}
	if e.WebhookCalls >= 0 && e.WebhookCalls != tr.WebhookCalls {
		out = append(out, Failure{
			Field: "expect.webhookCalls", Line: e.WebhookLine,
			Message:  "another number of webhook calls (VCA events) was made",
			Expected: strconv.Itoa(e.WebhookCalls), Actual: strconv.Itoa(tr.WebhookCalls),
		})
	}
	if tr.Limited {
		out = append(out, Failure{
			Field: "call", Line: s.Line,
			Message: "the session hit the emulator's limit of actions per call and was cut off (does the menu loop?)",
		})
	}
	return out
}

func heardBy(tr *emulator.Transcript, leg int) []emulator.Heard {
	var out []emulator.Heard
	for _, h := range tr.Heard {
		if h.Leg == leg {
			out = append(out, h)
		}
	}
	return out
}

// checkHeard matches the expected list against what was heard and, on a
// difference, returns both as a diff: the longest run of expected items
// matched in order, then what was missing ('-') and what was extra ('+'),
// so one prompt too many does not turn every line after it red.
func checkHeard(e *Expect, heard []emulator.Heard) (Failure, bool) {
	ex := e.Heard
	// lcs[i][j]: items matched in order between ex[i:] and heard[j:].
	lcs := make([][]int, len(ex)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(heard)+1)
	}
	for i := len(ex) - 1; i >= 0; i-- {
		for j := len(heard) - 1; j >= 0; j-- {
			if ex[i].Match(heard[j].Text) {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	if lcs[0][0] == len(ex) && len(ex) == len(heard) {
		return Failure{}, true
	}
	var diff []DiffLine
	var exAt []int // the expected item of each diff line, -1 for '+'
	i, j := 0, 0
	for i < len(ex) || j < len(heard) {
		switch {
		case i < len(ex) && j < len(heard) && ex[i].Match(heard[j].Text) && lcs[i][j] == lcs[i+1][j+1]+1:
			diff = append(diff, DiffLine{Op: " ", Index: j, Kind: heard[j].Kind, Text: heard[j].Text})
			exAt = append(exAt, i)
			i, j = i+1, j+1
		case i < len(ex) && (j == len(heard) || lcs[i+1][j] >= lcs[i][j+1]):
			diff = append(diff, DiffLine{Op: "-", Index: i, Text: ex[i].String()})
			exAt = append(exAt, i)
			i++
		default:
			diff = append(diff, DiffLine{Op: "+", Index: j, Kind: heard[j].Kind, Text: heard[j].Text})
			exAt = append(exAt, -1)
			j++
		}
	}
	f := Failure{Field: "expect.heard", Line: e.HeardLine, Diff: diff}
	counts := fmt.Sprintf(" (%s heard, %d expected)", plural(len(heard), "thing"), len(ex))
	// Name the first difference: where to look in the scenario.
	for k, d := range diff {
		if d.Op == " " {
			continue
		}
		if d.Op == "-" {
			f.Field = fmt.Sprintf("expect.heard[%d]", d.Index)
			f.Line = ex[d.Index].Line
			f.Expected = d.Text
			if k+1 < len(diff) && diff[k+1].Op == "+" {
				f.Message = "the caller heard something else" + counts
				f.Actual = diff[k+1].Text
			} else {
				f.Message = "not heard" + counts
			}
		} else {
			f.Message = "the caller heard something not expected" + counts
			f.Actual = d.Text
			// the expected item the extra one came before, if any
			for _, idx := range exAt[k+1:] {
				if idx >= 0 {
					f.Field = fmt.Sprintf("expect.heard[%d]", idx)
					f.Line = ex[idx].Line
					break
				}
			}
		}
		break
	}
	return f, false
}

func sameNumbers(want, got []string) bool {
	if len(want) != len(got) {
		return false
	}
	for i := range want {
		if !callflow.SameNumber(want[i], got[i]) {
			return false
		}
	}
	return true
}

func numbers(ns []string) string {
	if len(ns) == 0 {
		return "nobody"
	}
	return strings.Join(ns, ", ")
}

// statusOf is the session's status, with the error the summary gives.
func statusOf(tr *emulator.Transcript) string {
	st := tr.Status()
	if d := tr.Summary.Payload.ErrorDetails; d != nil {
		st += fmt.Sprintf(" (%d: %s)", int(d.ErrorCode), d.ErrorMsg)
	}
	return st
}
