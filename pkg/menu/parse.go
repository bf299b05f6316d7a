package menu

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/ivrctl/ivrctl/pkg/internal/yamlfile"
)

// Error is a problem in a menu file, located as precisely as the file
// allows: file:line: field: message.
type Error = yamlfile.Error

// digitsRe is what a caller can key: digits, * and #.
var digitsRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9*#]+$`) })

// Parse reads a menu file (YAML, or JSON, which is YAML too) and checks it:
// every field known, every reference defined, every menu reachable, no
// answer listed twice. It does not build callflows; Compile does, and
// validates them.
func Parse(file string, data []byte) (*Menu, error) {
	p := &parser{Checker: yamlfile.Checker{File: file}}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{File: file, Msg: "empty file: expected a menu (see the README's menu format)"}
		}
		return nil, yamlfile.SyntaxError(file, err)
	}
	m := p.file_(&doc)
	if len(p.Errs) == 0 {
		p.check(m)
	}
	if len(p.Errs) > 0 {
		return nil, errors.Join(p.Errs...)
	}
	return m, nil
}

// parser reads one menu file, collecting every problem.
type parser struct {
	yamlfile.Checker
}

func (p *parser) str(n *yaml.Node, where string) string {
	n = yamlfile.Resolve(n)
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.Fail(n, where, "expected a string, found %s", yamlfile.KindName(n))
		return ""
	}
	return n.Value
}

func (p *parser) params(n *yaml.Node, where string, owned string) map[string]any {
	n = yamlfile.Resolve(n)
	var m map[string]any
	if n.Kind != yaml.MappingNode {
		p.Fail(n, where, "expected a mapping of callflow params, found %s", yamlfile.KindName(n))
		return nil
	}
	before := len(p.Errs)
	for _, kv := range p.Pairs(n, where) { // duplicate keys
		// The menu writes this param itself: a value here would be
		// silently replaced.
		if kv[0].Value == owned {
			p.Fail(kv[0], where, "%s is not set here: it comes from %s", owned, ownedBy[owned])
		}
	}
	if len(p.Errs) > before {
		return nil // already reported; Decode would report them again
	}
	if err := n.Decode(&m); err != nil {
		p.Fail(n, where, "%v", err)
	}
	return m
}

// ownedBy says where the params a menu writes itself come from.
var ownedBy = map[string]string{
	"promptMessage": "each menu's prompt and retryPrompt",
	"text":          "each say step",
}

// origins records where each key of a params mapping is written.
func origins(n *yaml.Node, where string, into map[string]origin) map[string]origin {
	if into == nil {
		into = map[string]origin{}
	}
	n = yamlfile.Resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return into
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		into[k.Value] = origin{where: where + "." + k.Value, line: k.Line}
	}
	return into
}

func (p *parser) file_(doc *yaml.Node) *Menu {
	m := &Menu{File: p.File, byID: map[string]*Node{}}
	root := doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag != "!!null" {
		// Text, not YAML: never quoted, since a scenario's call.menu can
		// name any file (a credentials file, say) and errors reach CI logs.
		p.Fail(root, "", "expected a menu (a mapping with start and menus), found text: is %s a menu file?", p.File)
		return m
	}
	var menus, capture *yaml.Node
	for _, kv := range p.Pairs(root, "", "start", "numbers", "say", "capture", "menus") {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "start":
			m.Start = p.str(v, "start")
			m.startLine = k.Line
		case "numbers":
			for _, nv := range p.Pairs(v, "numbers", "from", "agent") {
				s := p.str(nv[1], "numbers."+nv[0].Value)
				if nv[0].Value == "from" {
					m.Numbers.From = s
				} else {
					m.Numbers.Agent = s
				}
			}
		case "say":
			m.Say = p.params(v, "say", "text")
			m.sayOrigins = origins(v, "say", nil)
		case "capture":
			m.Capture = p.params(v, "capture", "promptMessage")
			capture = v
		case "menus":
			menus = v
		}
	}
	if menus == nil {
		p.Fail(root, "", "no menus: a menu file needs a `menus:` mapping")
		return m
	}
	for _, kv := range p.Pairs(menus, "menus") {
		node := p.node(kv[0], kv[1], m.Capture, capture)
		m.Menus = append(m.Menus, node)
		m.byID[node.ID] = node
	}
	if m.Start == "" && len(m.Menus) > 0 {
		m.Start = m.Menus[0].ID // the first menu listed, unless `start` says otherwise
	}
	return m
}

func (p *parser) node(k, v *yaml.Node, capture map[string]any, captureNode *yaml.Node) *Node {
	n := &Node{ID: k.Value, Line: k.Line}
	where := "menus." + n.ID
	n.origins = origins(captureNode, "capture", nil)
	for _, kv := range p.Pairs(v, where, "prompt", "retryPrompt", "capture", "options", "other", "noInput") {
		fk, fv := kv[0], kv[1]
		w := where + "." + fk.Value
		switch fk.Value {
		case "prompt":
			n.Prompt = p.str(fv, w)
			n.origins["prompt"] = origin{where: w, line: fk.Line}
		case "retryPrompt":
			n.RetryPrompt = p.str(fv, w)
			n.origins["retryPrompt"] = origin{where: w, line: fk.Line}
		case "capture":
			n.Capture = p.params(fv, w, "promptMessage")
			origins(fv, w, n.origins) // this menu's params override the file's
		case "options":
			for _, ov := range p.Pairs(fv, w) {
				digits := ov[0].Value
				ow := fmt.Sprintf("%s[%q]", w, digits)
				if !digitsRe().MatchString(digits) {
					p.Fail(ov[0], ow, "%q is not something a caller can key (digits, * and #)", digits)
					continue
				}
				n.Options = append(n.Options, &Option{Digits: digits, Line: ov[0].Line, Steps: p.steps(ov[1], ow)})
			}
		case "other":
			n.Other = &Option{Digits: "other", Line: fk.Line, Steps: p.steps(fv, w)}
		case "noInput":
			n.NoInput = &Option{Digits: "noInput", Line: fk.Line, Steps: p.steps(fv, w)}
		}
	}
	// A menu's capture params are the file's, with its own on top.
	merged := make(map[string]any, len(capture)+len(n.Capture))
	maps.Copy(merged, capture)
	maps.Copy(merged, n.Capture)
	n.Capture = merged
	if n.Other == nil {
		// Unlisted answers repeat the menu, as 8x8's simple IVR does.
		n.Other = &Option{Digits: "other", Line: n.Line, Steps: []Step{{Kind: StepRetry, Line: n.Line}}}
		if n.Prompt == "" && n.RetryPrompt == "" {
			// Nothing to repeat: say so here rather than blame a retry
			// the author never wrote.
			p.Fail(k, where, "a menu without a prompt needs an `other:` saying what any event reaching it does")
			n.Other.Steps = nil
		}
	}
	return n
}

// steps reads an option: one step or a list of them. A step is `hangup`,
// `retry`, or a mapping with one of open, say, play, connect (+ then).
func (p *parser) steps(n *yaml.Node, where string) []Step {
	n = yamlfile.Resolve(n)
	if n.Kind == yaml.SequenceNode {
		out := make([]Step, 0, len(n.Content))
		for i, c := range n.Content {
			if s, ok := p.step(c, fmt.Sprintf("%s[%d]", where, i)); ok {
				out = append(out, s)
			}
		}
		if len(out) == 0 && len(n.Content) == 0 {
			p.Fail(n, where, "no steps: say what this answer does")
		}
		return out
	}
	if s, ok := p.step(n, where); ok {
		return []Step{s}
	}
	return nil
}

func (p *parser) step(n *yaml.Node, where string) (Step, bool) {
	n = yamlfile.Resolve(n)
	s := Step{Line: n.Line}
	if n.Kind == yaml.ScalarNode {
		switch StepKind(n.Value) {
		case StepHangup, StepRetry:
			s.Kind = StepKind(n.Value)
			return s, true
		}
		p.Fail(n, where, "unknown step %q: use hangup, retry, or a mapping with open, say, play or connect", n.Value)
		return s, false
	}
	kvs := p.Pairs(n, where, "open", "say", "play", "connect", "then")
	for _, kv := range kvs {
		k, v := kv[0], kv[1]
		if k.Value == "then" {
			s.Then = p.str(v, where+".then")
			continue
		}
		if s.Kind != "" {
			p.Fail(k, where, "one step per item: %s and %s are two steps, write them as a list", s.Kind, k.Value)
			return s, false
		}
		s.Kind = StepKind(k.Value)
		s.Arg = p.str(v, where+"."+k.Value)
		s.Line = k.Line
	}
	switch {
	case s.Kind == "":
		p.Fail(n, where, "a step needs one of open, say, play, connect")
		return s, false
	case s.Then != "" && s.Kind != StepConnect:
		p.Fail(n, where, "then is for connect steps: it names the menu that answers once the call is bridged")
		return s, false
	}
	return s, true
}

// check applies the rules across menus: references defined, menus
// reachable, steps in an order the platform accepts.
func (p *parser) check(m *Menu) {
	if _, ok := m.byID[m.Start]; !ok {
		p.Errs = append(p.Errs, &Error{File: m.File, Line: m.startLine, Where: "start", Msg: fmt.Sprintf("no menu %q", m.Start)})
		return
	}
	for _, n := range m.Menus {
		for _, o := range n.allOptions() {
			p.checkOption(m, n, o)
		}
	}
	// Reachability: from the start menu, through open and then.
	seen := map[string]bool{m.Start: true}
	queue := []string{m.Start}
	for len(queue) > 0 {
		n := m.byID[queue[0]]
		queue = queue[1:]
		for _, o := range n.allOptions() {
			for _, s := range o.Steps {
				for _, id := range []string{s.target(), s.Then} {
					if id != "" && !seen[id] && m.byID[id] != nil {
						seen[id] = true
						queue = append(queue, id)
					}
				}
			}
		}
	}
	for _, n := range m.Menus {
		if !seen[n.ID] {
			p.Errs = append(p.Errs, &Error{File: m.File, Line: n.Line, Where: "menus." + n.ID,
				Msg: fmt.Sprintf("unreachable: no open or then leads here from the start menu %q", m.Start)})
		}
	}
}

func (p *parser) checkOption(m *Menu, n *Node, o *Option) {
	where := "menus." + n.ID + "." + o.where()
	fail := func(line int, format string, args ...any) {
		p.Errs = append(p.Errs, &Error{File: m.File, Line: line, Where: where, Msg: fmt.Sprintf(format, args...)})
	}
	for i, s := range o.Steps {
		last := i == len(o.Steps)-1
		switch s.Kind {
		case StepOpen:
			t, ok := m.byID[s.Arg]
			switch {
			case !ok:
				fail(s.Line, "open: no menu %q", s.Arg)
			case t.Prompt == "":
				fail(s.Line, "open: menu %q has no prompt to ask", s.Arg)
			}
		case StepRetry:
			if n.Prompt == "" && n.RetryPrompt == "" {
				fail(s.Line, "retry: menu %q has no prompt to repeat", n.ID)
			}
		case StepConnect:
			if s.Then != "" && m.byID[s.Then] == nil {
				fail(s.Line, "connect: then: no menu %q", s.Then)
			}
		}
		// sayAndCapture waits for the caller and hangup ends the call:
		// a step after either would never run as the author meant.
		if !last && (s.Kind == StepOpen || s.Kind == StepRetry || s.Kind == StepHangup) {
			fail(s.Line, "%s must be the last step", s.Kind)
		}
	}
}

// allOptions returns the options, then other, then noInput.
func (n *Node) allOptions() []*Option {
	out := append([]*Option(nil), n.Options...)
	if n.Other != nil {
		out = append(out, n.Other)
	}
	if n.NoInput != nil {
		out = append(out, n.NoInput)
	}
	return out
}

func (o *Option) where() string {
	if o.Digits == "other" || o.Digits == "noInput" {
		return o.Digits
	}
	return fmt.Sprintf("options[%q]", o.Digits)
}

// target is the menu a step opens, or "".
func (s Step) target() string {
	if s.Kind == StepOpen {
		return s.Arg
	}
	return ""
}
