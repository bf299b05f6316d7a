package simulate

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/menu"
	"github.com/ivrctl/ivrctl/pkg/replay"
)

// renderer prints outcomes: for people (text, coloured on a terminal) or
// for machines (json: one object per input, its file, verdict and the
// exact response body, one document per line).
// Errors and diffs go to stderr so that stdout stays parseable.
type renderer struct {
	out, errOut io.Writer
	json        bool
	p, ep       cmdutil.Palette
}

func newRenderer(opts *SimulateOptions) *renderer {
	return &renderer{
		out: opts.IO.Out, errOut: opts.IO.ErrOut,
		json: opts.Output == cmdutil.OutputJSON,
		p:    opts.IO.OutPalette(), ep: opts.IO.ErrPalette(),
	}
}

// jsonOutcome is one input's answer and verdict, -o json's line.
type jsonOutcome struct {
	File     string          `json:"file"`
	Verdict  string          `json:"verdict"` // answered, matches, differs or error
	Menu     string          `json:"menu,omitempty"`
	Digits   string          `json:"digits,omitempty"`
	Matched  string          `json:"matched,omitempty"`
	Answer   json.RawMessage `json:"answer,omitempty"` // the exact body serve answers
	Expected string          `json:"expected,omitempty"`
	Diff     string          `json:"diff,omitempty"`
	Warning  string          `json:"warning,omitempty"`
	Error    string          `json:"error,omitempty"`
}

func (r *renderer) jsonOutcome(o *replay.Outcome) {
	j := jsonOutcome{File: o.Input.Name, Expected: o.Input.ExpName, Warning: o.Warning, Diff: o.Diff}
	switch {
	case o.Err != nil:
		j.Verdict, j.Error = "error", o.Err.Error()
	case o.Diff != "":
		j.Verdict = "differs"
	case o.Checked():
		j.Verdict = "matches"
	default:
		j.Verdict = "answered"
	}
	if o.Err == nil {
		j.Menu, j.Digits, j.Matched, j.Answer = o.Result.Menu, o.Result.Digits, o.Result.Matched, o.Result.Reply.Body
	}
	data, _ := json.Marshal(j) // plain data; Answer is the engine's valid JSON
	fmt.Fprintf(r.out, "%s\n", data)
}

func (r *renderer) outcome(o *replay.Outcome) {
	if r.json {
		r.jsonOutcome(o)
	}
	if o.Err != nil {
		fmt.Fprintf(r.errOut, "%s %s: %v\n", r.ep.Red("error"), o.Input.Name, o.Err)
		return
	}
	if o.Warning != "" {
		fmt.Fprintf(r.errOut, "%s %s: %s\n", r.ep.Yellow("warning"), o.Input.Name, o.Warning)
	}
	if !r.json {
		r.describe(o)
	}
	switch {
	case o.Diff != "":
		fmt.Fprintf(r.errOut, "%s %s: the answer differs from %s (-expected +got):\n%s\n", r.ep.Red("FAIL"), o.Input.Name, o.Input.ExpName, strings.TrimRight(o.Diff, "\n"))
	case o.Checked() && !r.json:
		fmt.Fprintf(r.out, "  %s matches %s\n", r.p.Green("ok"), o.Input.ExpName)
	}
}

// describe prints what the caller hears, the action taken and the menu
// that opens next.
func (r *renderer) describe(o *replay.Outcome) {
	res := o.Result
	input := "no input"
	if res.Digits != "" {
		input = "pressed " + res.Digits
	}
	switch res.Matched {
	case "inbound":
		input = "inbound call"
	case "fallback":
		input += ", an unknown menu: answered with the start menu"
	case "status":
		fmt.Fprintf(r.out, "%s  status update (CALL_STATUS %s): acknowledged with {}, nothing to answer\n",
			r.p.Bold(o.Input.Name), o.Event.Payload.CallStatus)
		return
	}
	fmt.Fprintf(r.out, "%s  menu %s, %s\n", r.p.Bold(o.Input.Name), r.p.Cyan(res.Menu), input)
	r.reply(res.Reply, "  ")
}

// reply prints a reply's actions and where the call goes next.
func (r *renderer) reply(rep *menu.Reply, indent string) {
	for _, a := range rep.Response.Callflow {
		verb, what := describeAction(a)
		fmt.Fprintln(r.out, strings.TrimRight(indent+r.p.Yellow(fmt.Sprintf("%-9s", verb))+" "+what, " "))
	}
	switch {
	case rep.Ends:
	case rep.Next != "":
		fmt.Fprintf(r.out, "%s%s %s\n", indent, r.p.Yellow(fmt.Sprintf("%-9s", "next")), "menu "+r.p.Cyan(rep.Next)+" (clientActionId)")
	case rep.Connects:
		fmt.Fprintf(r.out, "%s%s %s\n", indent, r.p.Yellow(fmt.Sprintf("%-9s", "next")), "the bridged call; a later event answers the start menu")
	default:
		fmt.Fprintf(r.out, "%s%s %s\n", indent, r.p.Yellow(fmt.Sprintf("%-9s", "next")), "the start menu (no clientActionId)")
	}
}

func describeAction(a callflow.Action) (verb, what string) {
	p := a.Params
	if p == nil {
		p = &callflow.Params{}
	}
	switch a.Action {
	case callflow.ActionSayAndCapture:
		digits := "digits"
		if p.MaxDigits.Valid() && p.MaxDigits.Value == 1 {
			digits = "digit"
		}
		n := ""
		if p.MaxDigits.Valid() {
			n = fmt.Sprintf("%d ", p.MaxDigits.Value)
		}
		return "asks", fmt.Sprintf("%q (waits for %s%s)", p.PromptMessage.Value, n, digits)
	case callflow.ActionSay:
		return "says", fmt.Sprintf("%q", p.Text.Value)
	case callflow.ActionPlayFile:
		return "plays", p.FileURL.Value
	case callflow.ActionMakeCall:
		return "connects", fmt.Sprintf("%s → %s", p.Source.Value, p.Destination.Value)
	case callflow.ActionHangup:
		return "hangs up", ""
	}
	return a.Action, ""
}

func (r *renderer) summary(passed, failed int) {
	w, p := r.out, r.p
	if r.json {
		w, p = r.errOut, r.ep
	}
	line := fmt.Sprintf("%d passed, %d failed", passed, failed)
	if failed > 0 {
		line = p.Red(line)
	} else {
		line = p.Green(line)
	}
	fmt.Fprintln(w, strings.TrimSpace(line))
}
