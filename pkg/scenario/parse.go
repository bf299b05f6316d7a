package scenario

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/ivrctl/ivrctl/pkg/internal/yamlfile"
	"github.com/ivrctl/ivrctl/pkg/redact"

	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/emulator"
)

// DefaultTo is the number called when a scenario names none. Any number
// will do: the emulator rings nobody.
const DefaultTo = "+6590000000"

// Error is a problem in a scenario file: file:line: field: message.
type Error = yamlfile.Error

// keysRe is what a caller can key.
var keysRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9*#]+$`) })

// Parse reads the scenarios of one file: YAML documents separated by
// `---`, one scenario each (empty documents are skipped). Every problem is
// reported, each as an *Error, joined.
func Parse(file string, data []byte) ([]*Scenario, error) {
	p := &parser{Checker: yamlfile.Checker{File: file}}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var out []*Scenario
	names := map[string]int{}
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			p.Errs = append(p.Errs, yamlfile.SyntaxError(file, err))
			break
		}
		root := &doc
		if root.Kind == yaml.DocumentNode {
			if len(root.Content) == 0 {
				continue
			}
			root = root.Content[0]
		}
		if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
			continue // an empty document, e.g. after a trailing ---
		}
		if root.Kind == yaml.SequenceNode {
			p.Fail(root, "", "expected a scenario (a mapping with name, call, caller, expect), found a list: write several scenarios as YAML documents separated by ---")
			continue
		}
		before := len(p.Errs)
		s := p.scenario(root)
		if len(p.Errs) > before {
			continue
		}
		if first, dup := names[s.Name]; dup {
			p.Fail(root, "name", "%q is used twice in this file (first at line %d): names tell scenarios apart in reports", s.Name, first)
			continue
		}
		names[s.Name] = s.Line
		out = append(out, s)
	}
	if len(p.Errs) > 0 {
		return nil, errors.Join(p.Errs...)
	}
	if len(out) == 0 {
		return nil, &Error{File: file, Msg: "no scenarios: expected YAML documents with name, caller and expect (see the README)"}
	}
	return out, nil
}

// parser reads one file's scenarios, collecting every problem.
type parser struct {
	yamlfile.Checker
}

// scalar returns a scalar's text (a YAML number is its digits as written).
func (p *parser) scalar(n *yaml.Node, where, want string) (string, bool) {
	n = yamlfile.Resolve(n)
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.Fail(n, where, "expected %s, found %s", want, yamlfile.KindName(n))
		return "", false
	}
	return n.Value, true
}

func (p *parser) str(n *yaml.Node, where string) (string, bool) {
	s, ok := p.scalar(n, where, "a string")
	if ok && s == "" {
		p.Fail(n, where, "empty: write a value or leave the field out")
		return "", false
	}
	return s, ok
}

func (p *parser) pattern(n *yaml.Node, where string) *Pattern {
	s, ok := p.scalar(n, where, "a text to expect (a substring, or /regex/)")
	if !ok {
		return nil
	}
	pat, err := ParsePattern(s)
	if err != nil {
		p.Fail(n, where, "%v", err)
		return nil
	}
	pat.Line = yamlfile.Resolve(n).Line
	return pat
}

func (p *parser) number(n *yaml.Node, where string) string {
	s, ok := p.scalar(n, where, "a phone number")
	if !ok {
		return ""
	}
	if !callflow.IsPhoneNumber(s) {
		p.Fail(n, where, "%q is not a phone number: 7 to 15 digits, optional +, e.g. \"+6512345678\"", s)
		return ""
	}
	return s
}

func (p *parser) enum(n *yaml.Node, where string, values []string) string {
	s, ok := p.scalar(n, where, "one of "+strings.Join(values, ", "))
	if !ok {
		return ""
	}
	if !slices.Contains(values, s) {
		p.Fail(n, where, "%q: must be one of %s", s, strings.Join(values, ", "))
		return ""
	}
	return s
}

func (p *parser) isTrue(n *yaml.Node, where string) bool {
	n = yamlfile.Resolve(n)
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Value != "true" {
		p.Fail(n, where, "must be true (or leave the field out), found %s", yamlfile.KindName(n))
		return false
	}
	return true
}

func (p *parser) scenario(root *yaml.Node) *Scenario {
	s := &Scenario{File: p.File, Line: root.Line, Agent: Party{Pickup: PickupAnswer}, Expect: Expect{WebhookCalls: -1}}
	s.Caller.Pickup = PickupAnswer
	s.Call.To = DefaultTo
	before := len(p.Errs)
	var nameSeen, callerNode *yaml.Node
	for _, kv := range p.Pairs(root, "", "name", "description", "call", "caller", "agent", "expect", "faults") {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "name":
			s.Name, _ = p.str(v, "name")
			if strings.ContainsFunc(s.Name, func(r rune) bool { return r != '\t' && !strconv.IsPrint(r) }) {
				// A newline would forge a report line, an escape sequence
				// drive the reader's terminal, and JUnit cannot hold them.
				p.Fail(v, "name", "%q holds a control character: names are printed in reports", s.Name)
			}
			nameSeen = k
		case "description":
			s.Description, _ = p.scalar(v, "description", "a string")
		case "call":
			p.call(v, &s.Call)
		case "caller":
			p.caller(v, &s.Caller)
			callerNode = k
		case "agent":
			for _, kv := range p.Pairs(v, "agent", "pickup") {
				s.Agent.Pickup = Pickup(p.enum(kv[1], "agent.pickup", pickups))
				s.Agent.Line = kv[0].Line
			}
		case "expect":
			p.expect(v, &s.Expect)
		case "faults":
			s.FaultsLine = k.Line
			p.faults(v, &s.Faults)
		}
	}
	if len(p.Errs) > before {
		return s
	}
	if nameSeen == nil {
		p.Fail(root, "name", "missing: every scenario needs a name, shown in reports")
	}
	if s.Call.Inbound && s.Caller.Line != 0 {
		p.Fail(callerNode, "caller.pickup", "the caller places an inbound call, so there is no pickup: drop it")
	}
	if s.Caller.Pickup != PickupAnswer && len(s.Caller.Steps) > 0 {
		p.Fail(callerNode, "caller.steps", "the caller does not answer (pickup: %s), so no prompt is played: drop the steps", s.Caller.Pickup)
	}
	e := &s.Expect
	none := !e.HeardSet && !e.ConnectedSet && e.Status == "" && e.WebhookCalls < 0 && e.LastAction == ""
	if none && !slices.ContainsFunc(s.Caller.Steps, func(st Step) bool { return st.Expect != nil }) {
		p.Fail(root, "expect", "nothing to check: give expect (heard, connected, status, webhookCalls, lastAction) or an expect on a caller step")
	}
	return s
}

func (p *parser) call(n *yaml.Node, c *Call) {
	var numbers []*yaml.Node // to and from: the request file has its own
	var direction, request *yaml.Node
	for _, kv := range p.Pairs(n, "call", "to", "from", "menu", "webhook", "request", "direction") {
		k, v := kv[0], kv[1]
		w := "call." + k.Value
		switch k.Value {
		case "direction":
			direction = k
			c.Inbound = p.enum(v, w, []string{"outbound", "inbound"}) == "inbound"
		case "to":
			c.To, c.ToLine = p.number(v, w), k.Line
			numbers = append(numbers, k)
		case "from":
			c.From = p.number(v, w)
			numbers = append(numbers, k)
		case "menu":
			c.Menu, _ = p.str(v, w)
			c.MenuLine = k.Line
		case "request":
			c.Request, _ = p.str(v, w)
			c.RequestLine = k.Line
			request = k
		case "webhook":
			s, ok := p.str(v, w)
			if !ok {
				continue
			}
			if err := CheckWebhookURL(s); err != nil {
				p.Fail(v, w, "%v", err)
				continue
			}
			c.Webhook, c.WebhookLine = s, k.Line
		}
	}
	if c.Inbound {
		// 8x8 sends no Send Callflow request for an inbound call: the
		// webhook's answer to CALL_RECEIVED is the whole callflow.
		if c.ToLine == 0 {
			p.Fail(direction, "call.to", "missing: an inbound call needs the virtual number dialled, e.g. to: \"+6561115777\"")
		}
		if request != nil {
			p.Fail(request, "call.request", "not used with direction: inbound: no Send Callflow request is sent, the webhook answers CALL_RECEIVED")
		}
		return
	}
	if c.Request != "" {
		// The request is placed as it is: its makeCall names both
		// numbers, and these would be silently ignored.
		for _, k := range numbers {
			p.Fail(k, "call."+k.Value, "not used with call.request: the request's makeCall gives the numbers (source, destination); drop it")
		}
	}
}

// CheckWebhookURL accepts an absolute http or https URL. Its errors show
// the URL without its query or user info, where credentials go.
func CheckWebhookURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		// Not quoted: a URL that does not parse cannot be redacted.
		return fmt.Errorf("not a URL: %w", errors.Unwrap(err))
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q: must be an http:// or https:// URL with a host, e.g. http://127.0.0.1:8080/webhooks/vca", redact.URL(s))
	}
	return nil
}

// faults reads `faults: [duplicate-vca, slow-network=300ms, ...]`.
func (p *parser) faults(n *yaml.Node, f *emulator.Faults) {
	n = yamlfile.Resolve(n)
	if n.Kind != yaml.SequenceNode {
		p.Fail(n, "faults", "expected a list of faults (%s), found %s", strings.Join(emulator.FaultNames, ", "), yamlfile.KindName(n))
		return
	}
	for i, item := range n.Content {
		w := fmt.Sprintf("faults[%d]", i)
		s, ok := p.scalar(item, w, "a fault name")
		if !ok {
			continue
		}
		if err := f.ParseFault(s); err != nil {
			p.Fail(item, w, "%v", err)
		}
	}
}

func (p *parser) caller(n *yaml.Node, c *Caller) {
	for _, kv := range p.Pairs(n, "caller", "pickup", "steps") {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "pickup":
			c.Pickup = Pickup(p.enum(v, "caller.pickup", pickups))
			c.Line = k.Line
		case "steps":
			c.StepsLine = k.Line
			v = yamlfile.Resolve(v)
			if v.Kind != yaml.SequenceNode {
				p.Fail(v, "caller.steps", "expected a list of steps (one per prompt), found %s", yamlfile.KindName(v))
				continue
			}
			hungUp := -1
			for i, sn := range v.Content {
				where := fmt.Sprintf("caller.steps[%d]", i)
				if hungUp >= 0 {
					p.Fail(sn, where, "after the hangup of caller.steps[%d]: the call has ended, so this step is never reached", hungUp)
					break
				}
				if st, ok := p.step(sn, where); ok {
					c.Steps = append(c.Steps, st)
					if st.Action == ActionHangup {
						hungUp = i
					}
				}
			}
		}
	}
}

// step reads `{expect: TEXT, press: KEYS}`, `{expect: TEXT, silence: true}`
// or `{expect: TEXT, hangup: true}`.
func (p *parser) step(n *yaml.Node, where string) (Step, bool) {
	n = yamlfile.Resolve(n)
	st := Step{Line: n.Line}
	before := len(p.Errs)
	var action *yaml.Node
	for _, kv := range p.Pairs(n, where, "expect", "press", "silence", "hangup") {
		k, v := kv[0], kv[1]
		w := where + "." + k.Value
		if k.Value == "expect" {
			st.Expect = p.pattern(v, w)
			continue
		}
		if action != nil {
			p.Fail(k, where, "%s and %s: one action per step (press, silence or hangup); a prompt asked again needs a step of its own", action.Value, k.Value)
			continue
		}
		action = k
		st.Action = Action(k.Value)
		switch k.Value {
		case "press":
			if rv := yamlfile.Resolve(v); rv.Kind == yaml.ScalarNode && rv.Tag == "!!null" {
				p.Fail(v, w, "no keys: quote # and *, or YAML reads a comment or an alias: press: \"#\"")
				continue
			}
			keys, ok := p.scalar(v, w, "keys to press")
			if !ok {
				continue
			}
			if !keysRe().MatchString(keys) {
				p.Fail(v, w, "must be digits 0-9, * or #, found %q", keys)
				continue
			}
			st.Keys = keys
		case "silence", "hangup":
			p.isTrue(v, w)
		}
	}
	if len(p.Errs) > before {
		return st, false
	}
	if action == nil {
		p.Fail(n, where, "no action: give press: KEYS, silence: true or hangup: true")
		return st, false
	}
	return st, true
}

func (p *parser) expect(n *yaml.Node, e *Expect) {
	for _, kv := range p.Pairs(n, "expect", "heard", "connected", "status", "webhookCalls", "lastAction") {
		k, v := kv[0], kv[1]
		w := "expect." + k.Value
		switch k.Value {
		case "heard":
			e.HeardSet, e.HeardLine = true, k.Line
			v = yamlfile.Resolve(v)
			if v.Kind != yaml.SequenceNode {
				p.Fail(v, w, "expected a list of texts, one per thing heard, found %s", yamlfile.KindName(v))
				continue
			}
			for i, hn := range v.Content {
				if pat := p.pattern(hn, fmt.Sprintf("%s[%d]", w, i)); pat != nil {
					e.Heard = append(e.Heard, pat)
				}
			}
		case "connected":
			e.ConnectedSet, e.ConnectedLine = true, k.Line
			e.Connected = []string{}
			v = yamlfile.Resolve(v)
			if v.Kind == yaml.SequenceNode {
				for i, cn := range v.Content {
					if num := p.number(cn, fmt.Sprintf("%s[%d]", w, i)); num != "" {
						e.Connected = append(e.Connected, num)
					}
				}
				continue
			}
			if num := p.number(v, w); num != "" {
				e.Connected = append(e.Connected, num)
			}
		case "status":
			e.Status, e.StatusLine = p.enum(v, w, statuses), k.Line
		case "lastAction":
			e.LastAction, e.LastActionLine = p.enum(v, w, lastActions), k.Line
		case "webhookCalls":
			e.WebhookLine = k.Line
			s, ok := p.scalar(v, w, "a count")
			if !ok {
				continue
			}
			c, err := strconv.Atoi(s)
			if err != nil || c < 0 || yamlfile.Resolve(v).Tag != "!!int" {
				p.Fail(v, w, "must be a whole number, 0 or more, found %q", s)
				continue
			}
			e.WebhookCalls = c
		}
	}
}
