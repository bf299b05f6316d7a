package scenario

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/coverage"
	"github.com/ivrctl/ivrctl/pkg/emulator"
	"github.com/ivrctl/ivrctl/pkg/menu"
)

// Generated is one scenario written from a menu's graph: the shortest call
// that plays one path, as the emulator played it.
type Generated struct {
	Path  menu.Path   // the path it is written for (and named after)
	Route []menu.Path // every path the call takes to get there, the path last
	Steps []GenStep   // the caller's answer to each prompt heard
	Agent emulator.Pickup
	// Transcript is the call as played in-process: its heard list,
	// status, connected numbers and webhook calls are the expectations.
	Transcript *emulator.Transcript
}

// GenStep is one prompt heard and the caller's answer.
type GenStep struct {
	Prompt string
	Action Action
	Keys   string
}

// Skipped is a path no call can play, and why.
type Skipped struct {
	Path   menu.Path
	Reason string
}

// move is one answer taken on the way: its path, and how the number rung
// picks up when the answer connects.
type move struct {
	p      menu.Path
	pickup emulator.Pickup
}

type genState struct {
	menu      string
	connected bool // a call has been bridged already: a second connect is a third leg
}

// Generate writes one scenario per path of the engine's menu: the shortest
// call from the start menu that ends with that path (breadth first over
// the menus, each menu entered at most once on the way, so loops are
// bounded), played in-process and checked to cover it. Paths that no call
// can play (option digits the capture settings cannot take, a second
// connect) are returned as skipped.
func Generate(eng *menu.Engine) ([]*Generated, []Skipped, error) {
	g := menu.NewGraph(eng)
	gen := &generator{g: g, eng: eng, routes: map[genState][]move{}}
	if err := gen.request(); err != nil {
		return nil, nil, err
	}
	gen.search()
	var out []*Generated
	var skipped []Skipped
	for _, p := range g.Paths() {
		plan, why := gen.plan(p)
		if why != "" {
			skipped = append(skipped, Skipped{Path: p, Reason: why})
			continue
		}
		s, err := gen.play(p, plan)
		if err != nil {
			skipped = append(skipped, Skipped{Path: p, Reason: err.Error()})
			continue
		}
		out = append(out, s)
	}
	return out, skipped, nil
}

type generator struct {
	g      *menu.Graph
	eng    *menu.Engine
	req    []byte
	routes map[genState][]move // the shortest way to each menu
	order  []genState
}

// request is the Send Callflow request every generated call places.
func (gen *generator) request() error {
	from := gen.eng.Numbers().From
	if from == "" {
		from = genFrom
	}
	body, err := json.Marshal(callflow.Request{Callflow: []callflow.Action{
		{Action: callflow.ActionMakeCall, Params: &callflow.Params{Source: callflow.Some(from), Destination: callflow.Some(DefaultTo)}},
		gen.eng.Initial(),
	}})
	gen.req = body
	return err
}

// genFrom is the caller ID written when the menu sets no numbers.from.
const genFrom = "+6500000000"

// search finds the shortest route to every menu reachable from the start.
func (gen *generator) search() {
	start := genState{menu: gen.g.Start}
	gen.routes[start] = nil
	gen.order = []genState{start}
	for i := 0; i < len(gen.order); i++ {
		st := gen.order[i]
		route := gen.routes[st]
		node, _ := gen.g.MenuNode(st.menu)
		for _, e := range gen.g.Edges {
			if e.From != node.ID || e.Kind == menu.EdgeNext {
				continue
			}
			p, _ := e.Path()
			if gen.keys(p) == "" && p.Kind != menu.EdgeNoInput && gen.captures(p.Menu) {
				continue // cannot be keyed
			}
			for _, land := range gen.lands(e.To, st.connected) {
				next := genState{menu: land.menu, connected: land.connected}
				if _, seen := gen.routes[next]; seen {
					continue
				}
				gen.routes[next] = append(append([]move(nil), route...), move{p: p, pickup: land.pickup})
				gen.order = append(gen.order, next)
			}
		}
	}
}

type landing struct {
	menu      string
	connected bool
	pickup    emulator.Pickup // "" when no connect was made
}

// lands returns the menus a call reaches from a node without the caller
// doing anything: a menu node itself, a say that opens one, or, for a
// connect, the menu each outcome leads to (one landing per outcome).
func (gen *generator) lands(id string, connected bool) []landing {
	node, _ := gen.g.Node(id)
	switch node.Kind {
	case menu.NodeMenu:
		return []landing{{menu: node.Menu, connected: connected}}
	case menu.NodeConnect:
		if connected {
			return nil // a third leg: the platform ends the call ERROR
		}
		var out []landing
		for _, e := range gen.g.Edges {
			if e.From != id {
				continue
			}
			for _, l := range gen.lands(e.To, true) {
				l.pickup = pickupOf(e.Kind)
				out = append(out, l)
			}
		}
		return out
	}
	var out []landing
	for _, e := range gen.g.Edges {
		if e.From == id && e.Kind == menu.EdgeNext {
			out = append(out, gen.lands(e.To, connected)...)
		}
	}
	return out
}

func pickupOf(k menu.EdgeKind) emulator.Pickup {
	switch k {
	case menu.EdgeBusy:
		return emulator.PickupBusy
	case menu.EdgeNoAnswer:
		return emulator.PickupNoAnswer
	case menu.EdgeFailed:
		return emulator.PickupFail
	}
	return emulator.PickupAnswer
}

// plan is the moves of the call that ends with path p, or why none can.
func (gen *generator) plan(p menu.Path) ([]move, string) {
	answer, pickup := p, emulator.PickupAnswer
	isOutcome := false
	for _, k := range menu.Outcomes {
		if p.Kind == k {
			isOutcome, pickup = true, pickupOf(k)
			answer = gen.answerOf(p)
		}
	}
	if gen.captures(answer.Menu) && answer.Kind != menu.EdgeNoInput && gen.keys(answer) == "" {
		return nil, gen.unkeyable(answer)
	}
	e, _ := gen.g.Edge(answer)
	connects := false
	if n, ok := gen.g.Node(e.To); ok && n.Kind == menu.NodeConnect {
		connects = true
	}
	for _, connected := range []bool{false, true} {
		if connected && (connects || isOutcome) {
			break
		}
		route, ok := gen.routes[genState{menu: answer.Menu, connected: connected}]
		if !ok {
			continue
		}
		last := move{p: answer}
		if connects {
			last.pickup = pickup
		}
		return append(append([]move(nil), route...), last), ""
	}
	if connects || isOutcome {
		return nil, fmt.Sprintf("menu %s is only reached after a connect: a second connect would be a third leg, which 8x8 ends ERROR", answer.Menu)
	}
	return nil, fmt.Sprintf("menu %s cannot be reached from the start menu %s", answer.Menu, gen.g.Start)
}

// answerOf is the menu answer whose connect an outcome path follows.
func (gen *generator) answerOf(p menu.Path) menu.Path {
	for _, k := range []menu.EdgeKind{menu.EdgeOption, menu.EdgeOther, menu.EdgeNoInput} {
		a := menu.Path{Menu: p.Menu, Input: p.Input, Kind: k}
		if _, ok := gen.g.Edge(a); ok {
			return a
		}
	}
	return p
}

func (gen *generator) captures(id string) bool {
	n, _ := gen.g.MenuNode(id)
	return n != nil && n.Prompt != ""
}

// capture returns the sayAndCapture settings of a menu's prompt, with the
// platform's defaults for those unset.
func (gen *generator) capture(id string) (minD, maxD int, onHash bool) {
	minD, maxD, onHash = 1, 1, true
	open, ok := gen.eng.Open(id)
	if !ok {
		return
	}
	p := open.Response.Callflow[0].Params
	if p.MinDigits.Valid() {
		minD = p.MinDigits.Value
	}
	if p.MaxDigits.Valid() {
		maxD = p.MaxDigits.Value
	}
	if p.CompleteOnHash.Valid() {
		onHash = p.CompleteOnHash.Value
	}
	return
}

// keyable says whether the platform reports keys as entered.
func keyable(keys string, minD, maxD int, onHash bool) bool {
	n := len(keys)
	return n >= minD && n <= maxD && !(onHash && strings.Contains(keys, "#"))
}

// keys are what the caller presses to take path p ("" : no such keys).
func (gen *generator) keys(p menu.Path) string {
	minD, maxD, onHash := gen.capture(p.Menu)
	switch p.Kind {
	case menu.EdgeOption:
		if keyable(p.Input, minD, maxD, onHash) {
			return p.Input
		}
	case menu.EdgeOther:
		// The first keys, shortest first, that are no option.
		for n := max(minD, 1); n <= maxD && n <= 3; n++ {
			for _, k := range candidates(n) {
				if keyable(k, minD, maxD, onHash) {
					if r, _ := gen.g.Route(p.Menu, k); r.Kind == menu.EdgeOther {
						return k
					}
				}
			}
		}
	}
	return ""
}

// candidates are the keys of length n a caller could press, 9 first (an
// unlikely option), then 0, *, #, and the other digits.
func candidates(n int) []string {
	const order = "90*#12345678"
	if n == 1 {
		out := make([]string, len(order))
		for i := range order {
			out[i] = order[i : i+1]
		}
		return out
	}
	var out []string
	for _, p := range candidates(n - 1) {
		out = append(out, p+"9", p+"0")
	}
	return out
}

func (gen *generator) unkeyable(p menu.Path) string {
	minD, maxD, onHash := gen.capture(p.Menu)
	if p.Kind == menu.EdgeOther {
		return fmt.Sprintf("menu %s: every key a caller can enter (%d to %d digits) is an option", p.Menu, minD, maxD)
	}
	hash := ""
	if onHash {
		hash = ", # ending the entry (completeOnHash)"
	}
	return fmt.Sprintf("menu %s: %q cannot be entered: the prompt takes %d to %d digits%s", p.Menu, p.Input, minD, maxD, hash)
}

// play places the planned call in-process and checks it played path p.
func (gen *generator) play(p menu.Path, plan []move) (*Generated, error) {
	c := &genCaller{agent: emulator.PickupAnswer, at: -1}
	for _, m := range plan {
		if m.pickup != "" {
			c.agent = m.pickup
		}
		if !gen.captures(m.p.Menu) {
			continue // the event comes by itself, after a connect
		}
		switch m.p.Kind {
		case menu.EdgeNoInput:
			c.actions = append(c.actions, GenStep{Action: ActionSilence})
		default:
			c.actions = append(c.actions, GenStep{Action: ActionPress, Keys: gen.keys(m.p)})
		}
	}
	n := 0
	emu := emulator.New(emulator.Config{
		Webhook: &emulator.EngineWebhook{Engine: gen.eng},
		NewID:   func() string { n++; return fmt.Sprintf("gen-%d", n) },
	})
	tr, err := emu.Run(context.Background(), gen.req, c)
	if err != nil {
		return nil, fmt.Errorf("the call could not be placed: %w", err)
	}
	counter := coverage.NewCounter(gen.g)
	if err := counter.Transcript(tr); err != nil {
		return nil, err
	}
	if counter.Profile().Hits(p) == 0 {
		// A defect of the generator, not of the menu: say it plainly.
		return nil, fmt.Errorf("the generated call did not play it (ivrctl defect: please report)")
	}
	route := make([]menu.Path, len(plan))
	for i, m := range plan {
		route[i] = m.p
	}
	if route[len(route)-1] != p {
		route = append(route, p)
	}
	return &Generated{Path: p, Route: route, Steps: c.steps, Agent: c.agent, Transcript: tr}, nil
}

// genCaller answers each capture (a prompt and its retries) with the next
// planned action, and hangs up at the first prompt past the plan.
type genCaller struct {
	actions []GenStep
	at      int // the capture being answered
	steps   []GenStep
	agent   emulator.Pickup
}

func (c *genCaller) Dial(leg int, _ string) emulator.Pickup {
	if leg == 0 {
		return emulator.PickupAnswer
	}
	return c.agent
}

func (c *genCaller) Capture(prompt string, try int) (string, bool) {
	if try == 1 {
		c.at++
	}
	if c.at >= len(c.actions) {
		c.steps = append(c.steps, GenStep{Prompt: prompt, Action: ActionHangup})
		return "", true
	}
	a := c.actions[c.at]
	a.Prompt = prompt
	c.steps = append(c.steps, a)
	return a.Keys, false
}

// Name is the scenario's name: the path it plays.
func (s *Generated) Name() string { return s.Path.String() }

// WriteOptions say how generated scenarios are written.
type WriteOptions struct {
	Source string // the menu file, for the header comment
	// Menu, when set, is written as every scenario's call.menu (relative
	// to where the file is saved); empty, the scenarios name no menu and
	// `ivrctl test --menu FILE` plays them.
	Menu string
	// From is written as call.from when the menu sets no numbers.from.
	From bool
}

// WriteYAML writes scenarios as one YAML file, a document each.
func WriteYAML(w io.Writer, gens []*Generated, skipped []Skipped, o WriteOptions) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Generated by `ivrctl menu scenarios` from %s: one scenario per menu path,\n", oneLineText(o.Source))
	b.WriteString("# each the shortest call that plays it. Review them, then commit them.\n")
	if o.Menu == "" {
		b.WriteString("# They name no menu: play them with `ivrctl test --menu MENU FILE --cover`.\n")
	}
	for _, s := range skipped {
		fmt.Fprintf(&b, "# not generated: %s: %s\n", s.Path, oneLineText(s.Reason))
	}
	for i, s := range gens {
		if i > 0 {
			b.WriteString("---\n")
		}
		fmt.Fprintf(&b, "name: %s\n", yamlString(s.Name()))
		desc := make([]string, len(s.Route))
		for j, p := range s.Route {
			desc[j] = describePath(p)
		}
		fmt.Fprintf(&b, "description: %s\n", yamlString(strings.Join(desc, ", then ")))
		if o.Menu != "" || o.From {
			b.WriteString("call:\n")
			if o.Menu != "" {
				fmt.Fprintf(&b, "  menu: %s\n", yamlString(o.Menu))
			}
			if o.From {
				fmt.Fprintf(&b, "  from: %s\n", yamlString(genFrom))
			}
		}
		b.WriteString("caller:\n  steps:\n")
		for _, st := range s.Steps {
			fmt.Fprintf(&b, "    - {expect: %s, ", yamlString(patternFor(st.Prompt)))
			switch st.Action {
			case ActionPress:
				fmt.Fprintf(&b, "press: %s}\n", yamlString(st.Keys))
			case ActionSilence:
				b.WriteString("silence: true}\n")
			default:
				b.WriteString("hangup: true}\n")
			}
		}
		if s.Agent != emulator.PickupAnswer {
			fmt.Fprintf(&b, "agent:\n  pickup: %s\n", s.Agent)
		}
		tr := s.Transcript
		b.WriteString("expect:\n  heard:\n")
		for _, h := range heardBy(tr, 0) {
			fmt.Fprintf(&b, "    - %s\n", yamlString(patternFor(h.Text)))
		}
		if len(heardBy(tr, 0)) == 0 {
			b.WriteString("    []\n")
		}
		conn := make([]string, len(tr.Connected))
		for j, c := range tr.Connected {
			conn[j] = yamlString(c)
		}
		fmt.Fprintf(&b, "  connected: [%s]\n", strings.Join(conn, ", "))
		fmt.Fprintf(&b, "  status: %s\n", tr.Status())
		fmt.Fprintf(&b, "  webhookCalls: %d\n", tr.WebhookCalls)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// describePath says what the caller does for a path, for descriptions.
func describePath(p menu.Path) string {
	switch p.Kind {
	case menu.EdgeOption:
		return fmt.Sprintf("%s %s", p.Menu, p.Input)
	case menu.EdgeOther:
		return p.Menu + " another key"
	case menu.EdgeNoInput:
		return p.Menu + " no input"
	}
	return fmt.Sprintf("%s %s (%s)", p.Menu, p.Input, p.Kind)
}

// patternFor is an expect pattern matching text exactly as a substring: a
// text that looks like /a regex/ is written as an escaped regex instead.
func patternFor(text string) string {
	if text == "" {
		return "/^$/"
	}
	if len(text) >= 2 && strings.HasPrefix(text, "/") && strings.HasSuffix(text, "/") {
		return "/" + regexp.QuoteMeta(text) + "/"
	}
	return text
}

// yamlString writes s as a YAML double-quoted scalar (JSON's escapes are
// YAML's), so no text can change the document's structure.
func yamlString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string: cannot fail
	return strings.TrimSuffix(b.String(), "\n")
}

// oneLineText keeps a comment on one line.
func oneLineText(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r < 0x20 {
			return ' '
		}
		return r
	}, s)
}
