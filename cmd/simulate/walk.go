package simulate

import (
	"fmt"
	"strings"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/menu"
	"github.com/ivrctl/ivrctl/pkg/replay"
)

// walk plays a whole call: the start menu's prompt (what Send Callflow
// plays after makeCall), then one VCA event per digit, carrying
// clientActionId from each answer into the next event exactly as the
// platform echoes it.
func walk(opts *SimulateOptions, eng *menu.Engine, expected []byte) error {
	r := newRenderer(opts)
	m := eng.Menu()
	if !r.json {
		open, _ := eng.Open(m.Start)
		fmt.Fprintf(r.out, "%s  menu %s\n", r.p.Bold("call placed"), r.p.Cyan(m.Start))
		verb, what := describeAction(open.Response.Callflow[0])
		fmt.Fprintln(r.out, "  "+r.p.Yellow(fmt.Sprintf("%-9s", verb))+" "+what)
	}
	var actionID string // none: the first menu, sent with Send Callflow
	var last *menu.Reply
	counter := opts.newCounter(eng)
	turns := walkDigits(opts.Walk)
	for i, d := range turns {
		ev := &callflow.VCAEvent{EventType: callflow.EventCallAction}
		ev.Payload.CallStatus = callflow.CallStatusActionCompleted
		ev.Payload.ClientActionID = actionID
		if d != "" {
			ev.Payload.EventData = &callflow.VCAEventData{DTMF: callflow.Some(d)}
		}
		res, err := eng.Answer(ev)
		if err != nil {
			return &cmdutil.ExitError{Code: cmdutil.ExitUsage, Err: fmt.Errorf("turn %d: %w", i+1, err)}
		}
		last = res.Reply
		count(counter, ev, res)
		if r.json {
			fmt.Fprintf(r.out, "%s\n", res.Reply.Body)
		} else {
			input := "gives no input"
			if d != "" {
				input = "presses " + d
			}
			fmt.Fprintf(r.out, "%s  in menu %s\n", r.p.Bold("caller "+input), r.p.Cyan(res.Menu))
			r.reply(res.Reply, "  ")
		}
		if res.Reply.Ends || res.Reply.Connects {
			if !r.json {
				end := "call ended"
				if res.Reply.Connects {
					end = "call bridged"
					if res.Reply.Next != "" {
						end += "; the event after it answers menu " + res.Reply.Next
					}
				}
				if rest := len(turns) - i - 1; rest > 0 {
					end += fmt.Sprintf(" (%d digit(s) left unused)", rest)
				}
				fmt.Fprintln(r.out, r.p.Gray(end))
			}
			break
		}
		actionID = res.Reply.Next
	}
	if err := opts.writeProfile(counter); err != nil {
		return err
	}
	if expected != nil {
		diff, err := replay.DiffJSON(expected, last.Body)
		if err != nil {
			return &cmdutil.ExitError{Code: cmdutil.ExitUsage, Err: fmt.Errorf("--expect %s: %w", opts.Expect, err)}
		}
		if diff != "" {
			fmt.Fprintf(opts.IO.ErrOut, "%s the last answer differs from %s (-expected +got):\n%s\n", r.ep.Red("FAIL"), opts.Expect, strings.TrimRight(diff, "\n"))
			return &cmdutil.SilentError{Code: cmdutil.ExitFailed}
		}
	}
	return nil
}
