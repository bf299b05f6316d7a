package menu

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"

	"github.com/ivrctl/ivrctl/pkg/callflow"
)

// Reply is one precompiled webhook response. Replies are built and
// validated once, when the engine is made, so answering an event is a
// lookup and the bytes sent are always ones the validator passed.
type Reply struct {
	Response callflow.WebhookResponse
	Body     []byte // Response as JSON, the exact HTTP body
	Next     string // the menu the next event answers ("" : the start menu)
	Steps    []Step
	Ends     bool // the callflow hangs up
	Connects bool // the callflow bridges the caller to another number
}

// Result is the engine's answer to one event.
type Result struct {
	Menu     string // the menu the event answered
	Digits   string // what the caller keyed, "" for no input
	Matched  string // the option taken: its digits, "other", "noInput", "inbound" or "fallback"
	Reply    *Reply
	Fallback bool // the event named an unknown menu
}

// statusAck answers a CALL_STATUS event: there is no callflow to run.
var statusAck = &Reply{Body: []byte("{}")}

// UnknownMenuError says an event carried a clientActionId no menu has:
// a menu file changed under a live call, or an event from another app.
type UnknownMenuError struct{ ID, Start string }

func (e *UnknownMenuError) Error() string {
	return fmt.Sprintf("clientActionId %q names no menu: answered with the start menu %q", e.ID, e.Start)
}

// Engine answers VCA events for one menu and one set of numbers. It is
// immutable and safe for concurrent use.
type Engine struct {
	menu    *Menu
	numbers Numbers
	initial callflow.Action // the start menu's sayAndCapture, for Send Callflow
	states  map[string]*state
	start   *state
}

type state struct {
	node    *Node
	open    *Reply               // ask this menu (clientActionId = its id)
	options [2]map[string]*Reply // by digits; [0]: event without clientActionId, [1]: with
	other   [2]*Reply
	noInput [2]*Reply
	inbound *Reply
}

// Compile builds the engine: every reply of every menu, validated as the
// platform would validate it. numbers override the menu file's defaults.
func Compile(m *Menu, numbers Numbers) (*Engine, error) {
	if numbers.From == "" {
		numbers.From = m.Numbers.From
	}
	if numbers.Agent == "" {
		numbers.Agent = m.Numbers.Agent
	}
	e := &Engine{menu: m, numbers: numbers, states: make(map[string]*state, len(m.Menus))}
	c := &compiler{m: m, numbers: numbers}
	for _, n := range m.Menus {
		st := &state{node: n}
		if n.Prompt != "" {
			st.open = c.reply(n, nil, fmt.Sprintf("menus.%s.prompt", n.ID), []Step{{Kind: StepOpen, Arg: n.ID, Line: n.Line}}, true)
		}
		// Every answer is compiled twice, for events with and without a
		// clientActionId, because a retry echoes what the event had.
		for i, hasID := range []bool{false, true} {
			st.options[i] = make(map[string]*Reply, len(n.Options))
			for _, o := range n.Options {
				st.options[i][o.Digits] = c.reply(n, o, "", o.Steps, hasID)
			}
			st.other[i] = c.reply(n, n.Other, "", n.Other.Steps, hasID)
			st.noInput[i] = st.other[i]
			if n.NoInput != nil {
				st.noInput[i] = c.reply(n, n.NoInput, "", n.NoInput.Steps, hasID)
			}
		}
		e.states[n.ID] = st
	}
	if len(c.errs) > 0 {
		return nil, errors.Join(c.errs...)
	}
	e.start = e.states[m.Start]
	e.start.inbound = e.start.open
	if e.start.open == nil {
		return nil, &Error{File: m.File, Line: e.start.node.Line, Where: "menus." + m.Start, Msg: "the start menu needs a prompt"}
	}
	e.initial = e.start.open.Response.Callflow[0]
	return e, nil
}

// Menu returns the menu the engine answers for.
func (e *Engine) Menu() *Menu { return e.menu }

// Numbers returns the numbers connect steps use.
func (e *Engine) Numbers() Numbers { return e.numbers }

// Initial returns the start menu's sayAndCapture: the action a Send
// Callflow request plays after makeCall.
func (e *Engine) Initial() callflow.Action { return e.initial }

// Open returns the reply that asks menu id's prompt.
func (e *Engine) Open(id string) (*Reply, bool) {
	st, ok := e.states[id]
	if !ok || st.open == nil {
		return nil, false
	}
	return st.open, true
}

// Answer returns the reply to a VCA event. It never fails to answer: an
// unknown clientActionId gets the start menu's prompt (Result.Fallback, and
// an *UnknownMenuError to log) so a caller is never left in silence.
func (e *Engine) Answer(ev *callflow.VCAEvent) (Result, error) {
	if ev.EventType == callflow.EventCallStatus {
		// A status update (VCS) asks for nothing: acknowledge it with {},
		// as 8x8's sample backend does, whatever menu it names.
		return Result{Menu: ev.Payload.ClientActionID, Matched: "status", Reply: statusAck}, nil
	}
	id := ev.Payload.ClientActionID
	st := e.start
	if id != "" {
		var ok bool
		if st, ok = e.states[id]; !ok {
			// The digits still say what the caller pressed (logs show
			// them), though no menu can take them.
			digits, _ := ev.Digits()
			return Result{Menu: id, Digits: digits, Matched: "fallback", Reply: e.start.open, Fallback: true},
				&UnknownMenuError{ID: id, Start: e.menu.Start}
		}
	} else if ev.Payload.CallStatus == callflow.CallStatusCallReceived {
		// An inbound call reached the number: greet it with the start menu.
		return Result{Menu: e.menu.Start, Matched: "inbound", Reply: st.inbound}, nil
	}
	hasID := 0
	if id != "" {
		hasID = 1
	}
	digits, ok := ev.Digits()
	r := Result{Menu: st.node.ID, Digits: digits}
	switch {
	case !ok:
		r.Matched, r.Reply = "noInput", st.noInput[hasID]
	default:
		if reply, found := st.options[hasID][digits]; found {
			r.Matched, r.Reply = digits, reply
		} else {
			r.Matched, r.Reply = "other", st.other[hasID]
		}
	}
	return r, nil
}

// AnswerJSON decodes a VCA event and answers it.
func (e *Engine) AnswerJSON(data []byte) (*callflow.VCAEvent, Result, error) {
	ev, err := callflow.DecodeVCA(data)
	if err != nil {
		return ev, Result{}, err
	}
	r, err := e.Answer(ev)
	return ev, r, err
}

type compiler struct {
	m       *Menu
	numbers Numbers
	errs    []error
	seen    map[string]bool // errors reported, by menu, line and message
}

// fail records a compile error once per menu: a bad capture param breaks
// the menu's prompt and both of its retries the same way.
func (c *compiler) fail(n *Node, line int, where, msg string) {
	c.failOnce(n.ID+"\x00"+strconv.Itoa(line)+"\x00"+msg, line, where, msg)
}

func (c *compiler) failOnce(key string, line int, where, msg string) {
	if c.seen[key] {
		return
	}
	if c.seen == nil {
		c.seen = map[string]bool{}
	}
	c.seen[key] = true
	c.errs = append(c.errs, &Error{File: c.m.File, Line: line, Where: where, Msg: msg})
}

// refused reports a validator problem at the menu-file line it comes from
// when the problem names a param whose origin is known.
func (c *compiler) refused(n *Node, line int, where string, p callflow.Problem, srcs []map[string]origin) {
	msg := "the callflow would be refused: " + p.String()
	if i, name, ok := paramPath(p.Path); ok && i < len(srcs) {
		if o, ok := srcs[i][name]; ok {
			// One line to fix, one error, however many answers it breaks.
			if o.where != where {
				msg = o.where + ": " + msg
			}
			c.failOnce(strconv.Itoa(o.line)+"\x00"+msg, o.line, where, msg)
			return
		}
	}
	c.fail(n, line, where, msg)
}

// paramPath splits "$.callflow[i].params.name" into i and name.
func paramPath(path string) (int, string, bool) {
	rest, ok := strings.CutPrefix(path, "$.callflow[")
	if !ok {
		return 0, "", false
	}
	idx, rest, ok := strings.Cut(rest, "]")
	if !ok {
		return 0, "", false
	}
	name, ok := strings.CutPrefix(rest, ".params.")
	if !ok {
		return 0, "", false
	}
	i, err := strconv.Atoi(idx)
	return i, name, err == nil
}

// reply turns steps into a validated webhook response. hasID says whether
// the event being answered carried a clientActionId, which decides what a
// retry echoes: the menu is asked again exactly as it was reached, so 8x8's
// simple IVR (which never sets one) answers exactly as in the seed.
func (c *compiler) reply(n *Node, o *Option, where string, steps []Step, hasID bool) *Reply {
	if where == "" {
		where = "menus." + n.ID + "." + o.where()
	}
	r := &Reply{Steps: steps}
	line := n.Line
	if o != nil {
		line = o.Line
	}
	var actions []map[string]any
	var srcs []map[string]origin // per action: where its params are written
	for _, s := range steps {
		step := origin{where: string(s.Kind), line: s.Line}
		switch s.Kind {
		case StepOpen, StepRetry:
			target := n
			prompt := n.RetryPrompt
			if s.Kind == StepOpen {
				target, _ = c.m.Lookup(s.Arg)
				prompt = target.Prompt
				r.Next = target.ID
			} else if hasID {
				r.Next = n.ID
			}
			src := target.origins["prompt"]
			if s.Kind == StepRetry && n.RetryPrompt != "" {
				src = target.origins["retryPrompt"]
			}
			if prompt == "" {
				prompt = target.Prompt
			}
			actions = append(actions, action(callflow.ActionSayAndCapture, target.Capture, "promptMessage", prompt))
			srcs = append(srcs, with(target.origins, "promptMessage", src))
		case StepSay:
			actions = append(actions, action(callflow.ActionSay, c.m.Say, "text", s.Arg))
			srcs = append(srcs, with(c.m.sayOrigins, "text", step))
		case StepPlay:
			actions = append(actions, map[string]any{"action": callflow.ActionPlayFile, "params": map[string]any{"fileUrl": s.Arg}})
			srcs = append(srcs, map[string]origin{"fileUrl": step})
		case StepConnect:
			dest := s.Arg
			if dest == "agent" {
				dest = c.numbers.Agent
			}
			if c.numbers.From == "" || dest == "" {
				missing, article := "from", "a"
				if dest == "" {
					missing, article = "agent", "an"
				}
				c.fail(n, s.Line, where, fmt.Sprintf("connect needs %s %s number: set --%s, IVRCTL_%s, %s: in the config file, or numbers.%s in the menu",
					article, missing, missing, strings.ToUpper(missing), missing, missing))
				return r
			}
			actions = append(actions, map[string]any{"action": callflow.ActionMakeCall,
				"params": map[string]any{"source": c.numbers.From, "destination": dest}})
			srcs = append(srcs, map[string]origin{"source": step, "destination": step})
			r.Connects = true
			r.Next = s.Then
		case StepHangup:
			actions = append(actions, map[string]any{"action": callflow.ActionHangup})
			srcs = append(srcs, nil)
			r.Ends = true
		}
	}
	doc := map[string]any{"callflow": actions}
	if r.Next != "" {
		doc["clientActionId"] = r.Next
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		c.fail(n, line, where, err.Error())
		return r
	}
	if probs := callflow.ValidateJSON(raw, callflow.KindWebhookResponse); len(probs) > 0 {
		for _, p := range probs {
			c.refused(n, line, where, p, srcs)
		}
		return r
	}
	if err := json.Unmarshal(raw, &r.Response); err != nil {
		c.fail(n, line, where, err.Error())
		return r
	}
	// Re-encode from the typed form: keys come out in 8x8's order.
	if r.Body, err = json.Marshal(&r.Response); err != nil {
		c.fail(n, line, where, err.Error())
	}
	return r
}

// with returns a copy of base plus one origin.
func with(base map[string]origin, key string, o origin) map[string]origin {
	out := make(map[string]origin, len(base)+1)
	maps.Copy(out, base)
	out[key] = o
	return out
}

// action builds an action whose params are base plus one text param.
func action(name string, base map[string]any, key, text string) map[string]any {
	params := make(map[string]any, len(base)+1)
	maps.Copy(params, base)
	params[key] = text
	return map[string]any{"action": name, "params": params}
}
