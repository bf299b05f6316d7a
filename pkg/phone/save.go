package phone

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/ivrctl/ivrctl/pkg/scenario"
)

// Scenario writes the call down as a test: what the person did at each
// prompt (with the prompt expected there), everything heard, who was
// connected, the final status, last action and webhook calls. Played by
// `ivrctl test` with the same call settings, it passes: the session is
// the emulator's in both, and the steps are the keys it was given.
func (r *Result) Scenario(name string, call scenario.Call) (*scenario.Scenario, error) {
	tr := r.Transcript
	if tr == nil {
		return nil, fmt.Errorf("no call was placed: nothing to save")
	}
	s := &scenario.Scenario{
		Name:   name,
		Call:   call,
		Caller: scenario.Caller{Party: scenario.Party{Pickup: scenario.PickupAnswer}},
		Agent:  scenario.Party{Pickup: scenario.PickupAnswer},
	}
	for _, st := range r.Steps {
		pat, err := literal(st.Prompt)
		if err != nil {
			return nil, err
		}
		s.Caller.Steps = append(s.Caller.Steps, scenario.Step{Expect: pat, Action: scenario.Action(st.Action), Keys: st.Keys})
	}
	e := &s.Expect
	e.HeardSet = true
	for _, h := range tr.Heard {
		if h.Leg != 0 {
			continue
		}
		pat, err := literal(h.Text)
		if err != nil {
			return nil, err
		}
		e.Heard = append(e.Heard, pat)
	}
	e.ConnectedSet = true
	e.Connected = append([]string{}, tr.Connected...)
	e.Status = tr.Status()
	e.LastAction = tr.Summary.Payload.LastAction
	e.WebhookCalls = tr.WebhookCalls
	return s, nil
}

// literal is a pattern matching text as said. Choice: the whole text as a
// substring, as people write scenarios; a text a scenario would read as a
// /regex/ (or an empty one) is written as an anchored, quoted expression.
func literal(text string) (*scenario.Pattern, error) {
	src := text
	if text == "" || len(text) >= 2 && strings.HasPrefix(text, "/") && strings.HasSuffix(text, "/") {
		src = "/^" + regexp.QuoteMeta(text) + "$/"
	}
	p, err := scenario.ParsePattern(src)
	if err != nil {
		return nil, fmt.Errorf("the text %q: %w", text, err)
	}
	return p, nil
}
