package menu

import (
	"fmt"
	"strings"

	"github.com/ivrctl/ivrctl/pkg/callflow"
)

// Graph is a menu as a directed graph: menus and the terminal steps they
// lead to are its nodes, every way out of a menu is an edge. It is the one
// model that `menu graph` draws, coverage counts, scenario generation
// walks and diff compares; it is built from a compiled Engine so that it
// says exactly what the engine answers.
type Graph struct {
	Menu  *Menu
	Start string // the start menu's id
	Nodes []*GraphNode
	Edges []*GraphEdge

	byMenu map[string]*GraphNode
	byPath map[Path]*GraphEdge
	rules  map[string]*menuRules
	engine *Engine
}

// GraphNodeKind sorts graph nodes.
type GraphNodeKind string

// The kinds of graph node.
const (
	NodeMenu    GraphNodeKind = "menu"    // a menu: a prompt and its answers
	NodeSteps   GraphNodeKind = "steps"   // say, play and hangup steps that end the call or lead on
	NodeConnect GraphNodeKind = "connect" // steps ending in a connect: the caller is bridged to a number
)

// GraphNode is a menu or a sequence of steps.
type GraphNode struct {
	ID     string        `json:"id"`
	Kind   GraphNodeKind `json:"kind"`
	Menu   string        `json:"menu,omitempty"`   // the menu id, for menu nodes
	Prompt string        `json:"prompt,omitempty"` // the menu's prompt ("" for a menu only reached by then)
	Steps  []string      `json:"steps,omitempty"`  // for step nodes: each step as people read it
	Number string        `json:"number,omitempty"` // for connect nodes: the number rung
	Line   int           `json:"line"`             // where it is written in the menu file
}

// EdgeKind says which answer an edge is.
type EdgeKind string

// The kinds of edge. The first three are a menu's answers to what the
// caller keyed; the four outcomes follow a connect when the menu says what
// comes after it (then, or steps after the connect); next is the
// unconditional step from a say to the menu it opens.
const (
	EdgeOption   EdgeKind = "option"   // the caller keyed an option's digits
	EdgeOther    EdgeKind = "other"    // any other digits
	EdgeNoInput  EdgeKind = "noInput"  // nothing keyed (dtmf null, after noOfTries)
	EdgeAnswered EdgeKind = "answered" // the connected number answered
	EdgeBusy     EdgeKind = "busy"     // its line was busy
	EdgeNoAnswer EdgeKind = "noAnswer" // nobody answered
	EdgeFailed   EdgeKind = "failed"   // it could not be reached
	EdgeNext     EdgeKind = "next"     // always taken: not a path of its own
)

// Outcomes are the connect outcome edge kinds, in the order drawn.
var Outcomes = []EdgeKind{EdgeAnswered, EdgeBusy, EdgeNoAnswer, EdgeFailed}

// GraphEdge is one way out of a node.
type GraphEdge struct {
	From  string   `json:"from"`
	Input string   `json:"input"` // the digits, "other" or "noInput"; for outcomes the input that connected
	To    string   `json:"to"`
	Kind  EdgeKind `json:"kind"`
	Menu  string   `json:"menu"`            // the menu whose answer this is
	Retry bool     `json:"retry,omitempty"` // the menu asks itself again (its retry prompt)
	// Implicit says the menu file does not write this answer: a menu
	// without noInput answers silence with its other.
	Implicit bool `json:"implicit,omitempty"`
	Line     int  `json:"line"` // where the answer is written
}

// Path is what coverage counts: one edge, named by the menu it leaves,
// the input and the kind. Edges of kind next are not paths.
type Path struct {
	Menu  string   `json:"menu"`
	Input string   `json:"input"`
	Kind  EdgeKind `json:"kind"`
}

func (p Path) String() string {
	return fmt.Sprintf("menu %s: input %s (%s)", p.Menu, p.Input, p.Kind)
}

// Path returns the edge's path; ok is false for next edges.
func (e *GraphEdge) Path() (Path, bool) {
	if e.Kind == EdgeNext {
		return Path{}, false
	}
	return Path{Menu: e.Menu, Input: e.Input, Kind: e.Kind}, true
}

// menuRules is how a menu's events become paths: whether it captures at
// all, and if not, its one answer.
type menuRules struct {
	captures bool
	only     EdgeKind // for a menu that asks nothing: the one answer every event gets
}

// NewGraph builds the graph of an engine's menu, with the numbers the
// engine connects.
func NewGraph(e *Engine) *Graph {
	m := e.menu
	g := &Graph{Menu: m, Start: m.Start, byMenu: map[string]*GraphNode{}, byPath: map[Path]*GraphEdge{}, rules: map[string]*menuRules{}, engine: e}
	for _, n := range m.Menus {
		node := &GraphNode{ID: g.uniqueID(n.ID), Kind: NodeMenu, Menu: n.ID, Prompt: n.Prompt, Line: n.Line}
		g.Nodes = append(g.Nodes, node)
		g.byMenu[n.ID] = node
	}
	b := &graphBuilder{g: g, e: e, steps: map[string]*GraphNode{}}
	for _, n := range m.Menus {
		r := &menuRules{captures: n.Prompt != ""}
		g.rules[n.ID] = r
		if !r.captures {
			// Choice: a menu without a prompt is reached only by a
			// connect's then, whose event carries no digits: its one way
			// out is noInput when written, else other. Its options could
			// never be keyed, so they are not paths.
			o, kind := n.Other, EdgeOther
			if n.NoInput != nil {
				o, kind = n.NoInput, EdgeNoInput
			}
			r.only = kind
			b.answer(n, o, string(kind), kind, false)
			continue
		}
		for _, o := range n.Options {
			b.answer(n, o, o.Digits, EdgeOption, false)
		}
		b.answer(n, n.Other, "other", EdgeOther, false)
		if n.NoInput != nil {
			b.answer(n, n.NoInput, "noInput", EdgeNoInput, false)
		} else {
			// Silence is its own way out even when the file does not
			// write it: the engine answers it with other, and a suite
			// that never stays silent has not played it.
			b.answer(n, n.Other, "noInput", EdgeNoInput, true)
		}
	}
	return g
}

// uniqueID returns id, or id with a suffix when a node has it already
// (a menu could be called "steps 1").
func (g *Graph) uniqueID(id string) string {
	for _, n := range g.Nodes {
		if n.ID == id {
			return g.uniqueID(id + "'")
		}
	}
	return id
}

type graphBuilder struct {
	g     *Graph
	e     *Engine
	steps map[string]*GraphNode // terminal step nodes, by what they do
	n     int
}

// answer adds the edges of one answer of menu n.
func (b *graphBuilder) answer(n *Node, o *Option, input string, kind EdgeKind, implicit bool) {
	if o == nil || len(o.Steps) == 0 {
		return
	}
	from := b.g.byMenu[n.ID].ID
	edge := &GraphEdge{From: from, Input: input, Kind: kind, Menu: n.ID, Implicit: implicit, Line: o.Line}
	b.g.Edges = append(b.g.Edges, edge)
	if p, ok := edge.Path(); ok {
		b.g.byPath[p] = edge
	}
	steps := o.Steps
	// What the engine answers with a clientActionId: where the next event
	// goes (a retry names its own menu then).
	reply := b.e.states[n.ID].options[1][o.Digits]
	switch o.Digits {
	case "other":
		reply = b.e.states[n.ID].other[1]
	case "noInput":
		reply = b.e.states[n.ID].noInput[1]
	}
	last := steps[len(steps)-1]
	// An answer that only opens or retries goes straight to that menu.
	if len(steps) == 1 && (last.Kind == StepOpen || last.Kind == StepRetry) {
		edge.To, edge.Retry = b.target(n, last), last.Kind == StepRetry
		return
	}
	ci := -1
	for i, s := range steps {
		if s.Kind == StepConnect {
			ci = i
			break
		}
	}
	if ci < 0 {
		body := steps
		if last.Kind == StepOpen || last.Kind == StepRetry {
			body = steps[:len(steps)-1]
		}
		node := b.stepNode(n, body, o.Line)
		edge.To = node.ID
		if len(body) < len(steps) {
			b.next(node.ID, b.target(n, last), n.ID, last.Kind == StepRetry, last.Line)
		}
		return
	}
	// A connect: its own node (with the steps before it), and its outcomes
	// when the menu says what follows: then, or more steps.
	node := b.connectNode(n, steps[:ci+1], o.Line)
	edge.To = node.ID
	rest := steps[ci+1:]
	var to string
	retry := false
	switch {
	case reply != nil && reply.Next != "":
		// The callflow names a next menu: once the bridged call ends the
		// platform asks it (noInput), whatever steps were left.
		to = b.g.byMenu[reply.Next].ID
	case len(rest) > 0:
		after := b.stepNode(n, rest, rest[0].Line)
		to = after.ID
	default:
		return // the call ends with the bridged call: nothing follows
	}
	for _, k := range Outcomes {
		e := &GraphEdge{From: node.ID, Input: input, To: to, Kind: k, Menu: n.ID, Retry: retry, Line: steps[ci].Line}
		b.g.Edges = append(b.g.Edges, e)
		p, _ := e.Path()
		b.g.byPath[p] = e
	}
}

func (b *graphBuilder) next(from, to, menuID string, retry bool, line int) {
	b.g.Edges = append(b.g.Edges, &GraphEdge{From: from, Input: "", To: to, Kind: EdgeNext, Menu: menuID, Retry: retry, Line: line})
}

// target is the menu node an open or retry step leads to.
func (b *graphBuilder) target(n *Node, s Step) string {
	if s.Kind == StepOpen {
		return b.g.byMenu[s.Arg].ID
	}
	return b.g.byMenu[n.ID].ID
}

// stepNode returns the node of a sequence of say, play and hangup steps:
// one per distinct sequence, so every `other` saying the same goodbye
// points at one node.
func (b *graphBuilder) stepNode(n *Node, steps []Step, line int) *GraphNode {
	labels := b.labels(steps)
	key := strings.Join(labels, "\x00")
	if node, ok := b.steps[key]; ok {
		return node
	}
	node := b.newNode(NodeSteps, labels, line)
	b.steps[key] = node
	return node
}

// connectNode is never shared: its outcomes belong to one menu's answer.
func (b *graphBuilder) connectNode(n *Node, steps []Step, line int) *GraphNode {
	node := b.newNode(NodeConnect, b.labels(steps), line)
	node.Number = b.number(steps[len(steps)-1].Arg)
	return node
}

func (b *graphBuilder) newNode(kind GraphNodeKind, labels []string, line int) *GraphNode {
	b.n++
	node := &GraphNode{ID: b.g.uniqueID(fmt.Sprintf("step %d", b.n)), Kind: kind, Steps: labels, Line: line}
	b.g.Nodes = append(b.g.Nodes, node)
	return node
}

func (b *graphBuilder) number(arg string) string {
	if arg == "agent" {
		return b.e.numbers.Agent
	}
	return arg
}

// labels describes steps as people read them.
func (b *graphBuilder) labels(steps []Step) []string {
	out := make([]string, 0, len(steps))
	for _, s := range steps {
		switch s.Kind {
		case StepSay:
			out = append(out, "say: "+s.Arg)
		case StepPlay:
			out = append(out, "play: "+s.Arg)
		case StepConnect:
			out = append(out, "connect: "+b.number(s.Arg))
		case StepHangup:
			out = append(out, "hangup")
		default:
			out = append(out, string(s.Kind)+": "+s.Arg)
		}
	}
	return out
}

// MenuNode returns the node of a menu.
func (g *Graph) MenuNode(id string) (*GraphNode, bool) {
	n, ok := g.byMenu[id]
	return n, ok
}

// Node returns a node by its id.
func (g *Graph) Node(id string) (*GraphNode, bool) {
	for _, n := range g.Nodes {
		if n.ID == id {
			return n, true
		}
	}
	return nil, false
}

// Paths returns every path (every edge but next ones), in graph order:
// menus in file order, each menu's options, other, noInput, and each
// answer's connect outcomes after it.
func (g *Graph) Paths() []Path {
	out := make([]Path, 0, len(g.Edges))
	for _, e := range g.Edges {
		if p, ok := e.Path(); ok {
			out = append(out, p)
		}
	}
	return out
}

// Edge returns the edge of a path.
func (g *Graph) Edge(p Path) (*GraphEdge, bool) {
	e, ok := g.byPath[p]
	return e, ok
}

// Route returns the path a VCA event takes: the menu clientActionID names
// ("" for the start menu) answering digits ("" for no input), as the
// engine answers it. ok is false for a clientActionId naming no menu (the
// engine falls back to the start menu's prompt: no path of this graph).
func (g *Graph) Route(clientActionID, digits string) (Path, bool) {
	res := g.engine.AnswerDigits(clientActionID, digits)
	if res.Fallback {
		return Path{}, false
	}
	r := g.rules[res.Menu]
	switch {
	case !r.captures:
		return Path{Menu: res.Menu, Input: string(r.only), Kind: r.only}, true
	case res.Matched == "noInput":
		return Path{Menu: res.Menu, Input: "noInput", Kind: EdgeNoInput}, true
	case res.Matched == "other":
		return Path{Menu: res.Menu, Input: "other", Kind: EdgeOther}, true
	}
	return Path{Menu: res.Menu, Input: res.Matched, Kind: EdgeOption}, true
}

// Outcome returns the path a connect outcome takes after the answer p
// connected; ok is false when p does not connect or nothing follows its
// connect.
func (g *Graph) Outcome(p Path, k EdgeKind) (Path, bool) {
	o := Path{Menu: p.Menu, Input: p.Input, Kind: k}
	_, ok := g.byPath[o]
	return o, ok
}

// Engine returns the engine the graph was built from.
func (g *Graph) Engine() *Engine { return g.engine }

// AnswerDigits answers the VCA event the platform sends when a prompt of
// menu clientActionID ("" : the start menu) got digits ("" : no input).
func (e *Engine) AnswerDigits(clientActionID, digits string) Result {
	ev := &callflow.VCAEvent{EventType: callflow.EventCallAction}
	ev.Payload.CallStatus = callflow.CallStatusActionCompleted
	ev.Payload.ClientActionID = clientActionID
	d := callflow.Null[string]()
	if digits != "" {
		d = callflow.Some(digits)
	}
	ev.Payload.EventData = &callflow.VCAEventData{DTMF: d}
	r, _ := e.Answer(ev) // an unknown menu is Result.Fallback
	return r
}
