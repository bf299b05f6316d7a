package scenario

import (
	"bytes"
	"fmt"
	"io"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Write writes scenarios as a scenario file Parse reads back to the same
// scenarios (documents separated by ---): `ivrctl dial --save` writes the
// call just played with it. Fields at their defaults are left out (caller
// and agent answering, call.to DefaultTo); File and the Line fields are
// Parse's and not written.
func Write(w io.Writer, scenarios []*Scenario) error {
	var buf bytes.Buffer
	for i, s := range scenarios {
		if s.Name == "" {
			return fmt.Errorf("scenario %d: no name", i+1)
		}
		if i > 0 {
			buf.WriteString("---\n")
		}
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		if err := enc.Encode(node(s)); err != nil {
			return fmt.Errorf("scenario %q: %w", s.Name, err)
		}
		if err := enc.Close(); err != nil {
			return fmt.Errorf("scenario %q: %w", s.Name, err)
		}
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// mapping builds YAML mappings in the order keys are added.
type mapping struct{ n *yaml.Node }

func newMapping(flow bool) mapping {
	n := &yaml.Node{Kind: yaml.MappingNode}
	if flow {
		n.Style = yaml.FlowStyle
	}
	return mapping{n}
}

func (m mapping) add(key string, v *yaml.Node) {
	m.n.Content = append(m.n.Content, str(key), v)
}

func (m mapping) empty() bool { return len(m.n.Content) == 0 }

// str is a string scalar, quoted when YAML would read it as anything else
// (a number, true, null, a comment).
func str(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

func boolTrue() *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"} }

func seq(flow bool, items ...*yaml.Node) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Content: items}
	if flow {
		n.Style = yaml.FlowStyle
	}
	return n
}

func node(s *Scenario) *yaml.Node {
	root := newMapping(false)
	root.add("name", str(s.Name))
	if s.Description != "" {
		root.add("description", str(s.Description))
	}
	call := newMapping(false)
	c := s.Call
	if c.Inbound {
		call.add("direction", str("inbound"))
	}
	if c.To != "" && (c.To != DefaultTo || c.Inbound) {
		call.add("to", str(c.To))
	}
	for _, kv := range [][2]string{{"from", c.From}, {"menu", c.Menu}, {"webhook", c.Webhook}, {"request", c.Request}} {
		if kv[1] != "" {
			call.add(kv[0], str(kv[1]))
		}
	}
	if !call.empty() {
		root.add("call", call.n)
	}
	if s.Faults.Any() {
		var names []*yaml.Node
		for _, f := range s.Faults.Names() {
			names = append(names, str(f))
		}
		root.add("faults", seq(true, names...))
	}
	caller := newMapping(false)
	if p := s.Caller.Pickup; p != "" && p != PickupAnswer {
		caller.add("pickup", str(string(p)))
	}
	if len(s.Caller.Steps) > 0 {
		var steps []*yaml.Node
		for _, st := range s.Caller.Steps {
			m := newMapping(true)
			if st.Expect != nil {
				m.add("expect", str(st.Expect.Source))
			}
			switch st.Action {
			case ActionPress:
				m.add("press", str(st.Keys))
			default:
				m.add(string(st.Action), boolTrue())
			}
			steps = append(steps, m.n)
		}
		caller.add("steps", seq(false, steps...))
	}
	if !caller.empty() {
		root.add("caller", caller.n)
	}
	if p := s.Agent.Pickup; p != "" && p != PickupAnswer {
		agent := newMapping(false)
		agent.add("pickup", str(string(p)))
		root.add("agent", agent.n)
	}
	e := s.Expect
	expect := newMapping(false)
	if e.HeardSet {
		var heard []*yaml.Node
		for _, p := range e.Heard {
			heard = append(heard, str(p.Source))
		}
		expect.add("heard", seq(false, heard...))
	}
	if e.ConnectedSet {
		var nums []*yaml.Node
		for _, n := range e.Connected {
			nums = append(nums, str(n))
		}
		expect.add("connected", seq(true, nums...))
	}
	if e.Status != "" {
		expect.add("status", str(e.Status))
	}
	if e.LastAction != "" {
		expect.add("lastAction", str(e.LastAction))
	}
	if e.WebhookCalls >= 0 {
		expect.add("webhookCalls", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(e.WebhookCalls)})
	}
	if !expect.empty() {
		root.add("expect", expect.n)
	}
	return root.n
}
