package simulate

import (
	"fmt"
	"io"
	"strings"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/menu"
	"github.com/ivrctl/ivrctl/pkg/replay"
)

// renderer prints outcomes: for people (text, coloured on a terminal) or
// for machines (json: the exact response body, one document per line).
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

func (r *renderer) outcome(o *replay.Outcome) {
	if o.Err != nil {
		fmt.Fprintf(r.errOut, "%s %s: %v\n", r.ep.Red("error"), o.Input.Name, o.Err)
		return
	}
	if r.json {
		fmt.Fprintf(r.out, "%s\n", o.Result.Reply.Body)
	} else {
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
