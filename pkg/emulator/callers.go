package emulator

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/internal/yamlfile"
)

// Callers maps a dialled number (its digits) to the script of the people
// on that call, so one emulator drives many paths: `ivrctl emulate
// --callers FILE`. Numbers not in it play Default.
type Callers struct {
	Default Script
	ByDigit map[string]Script
}

// CallerFor returns a fresh Caller for a call to number: its script, or
// Default's.
func (c *Callers) CallerFor(number string) Caller {
	if s, ok := c.ByDigit[callflow.Digits(number)]; ok {
		return s.Caller()
	}
	return c.Default.Caller()
}

// maxCallersFile bounds a callers file; a few thousand numbers fit.
const maxCallersFile = 1 << 20

// ParseCallers reads a callers file: a YAML mapping from the number
// dialled (an outbound call's destination, an inbound call's virtual
// number) to its script:
//
//	"+6512345678": {pickup: answer, agent: busy, press: "2,,1", faults: [barge-in]}
//	"+6598765432": {pickup: no-answer}
//
// pickup and agent are answer, busy, no-answer or fail (default answer);
// press lists the keys at successive prompts as --press does (a YAML list
// works too); when it runs out the caller hangs up. Every problem is
// reported as file:line: where: message, joined.
func ParseCallers(file string, data []byte) (map[string]Script, error) {
	if len(data) > maxCallersFile {
		return nil, &yamlfile.Error{File: file, Msg: fmt.Sprintf("larger than %d bytes", maxCallersFile)}
	}
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &yamlfile.Error{File: file, Msg: `no callers: write one line per number dialled, e.g. "+6512345678": {press: "2"}`}
		}
		return nil, yamlfile.SyntaxError(file, err)
	}
	c := &yamlfile.Checker{File: file}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	out := map[string]Script{}
	first := map[string]int{}
	for _, kv := range c.Pairs(root, "") {
		k, v := kv[0], kv[1]
		where := strings.TrimSpace(k.Value)
		num := strings.NewReplacer(" ", "", "-", "").Replace(where)
		if !callflow.IsPhoneNumber(num) {
			c.Fail(k, where, "not a phone number: each key is a number dialled, e.g. \"+6512345678\"")
			continue
		}
		if line, dup := first[callflow.Digits(num)]; dup {
			c.Fail(k, where, "the same number as line %d", line)
			continue
		}
		first[callflow.Digits(num)] = k.Line
		if s, ok := parseScript(c, v, where); ok {
			out[callflow.Digits(num)] = s
		}
	}
	if len(c.Errs) > 0 {
		return nil, errors.Join(c.Errs...)
	}
	if len(out) == 0 {
		return nil, &yamlfile.Error{File: file, Line: root.Line, Msg: `names no callers: write one line per number dialled, e.g. "+6512345678": {press: "2"}`}
	}
	return out, nil
}

func parseScript(c *yamlfile.Checker, n *yaml.Node, where string) (Script, bool) {
	var s Script
	before := len(c.Errs)
	for _, kv := range c.Pairs(n, where, "pickup", "agent", "press", "faults") {
		k, v := kv[0], kv[1]
		w := where + "." + k.Value
		v = yamlfile.Resolve(v)
		switch k.Value {
		case "pickup", "agent":
			p, err := ParsePickup(v.Value)
			if err != nil || v.Kind != yaml.ScalarNode {
				c.Fail(v, w, "must be answer, busy, no-answer or fail")
				continue
			}
			if k.Value == "pickup" {
				s.Answer = p
			} else {
				s.Agent = p
			}
		case "press":
			switch v.Kind {
			case yaml.ScalarNode:
				s.Press = ParsePress(v.Value)
			case yaml.SequenceNode:
				s.Press = []string{}
				for _, item := range v.Content {
					s.Press = append(s.Press, yamlfile.Resolve(item).Value)
				}
			default:
				c.Fail(v, w, "expected keys like \"2,,1\" or a list [\"2\", \"\", \"1\"], found %s", yamlfile.KindName(v))
				continue
			}
			for i, keys := range s.Press {
				if strings.Trim(keys, "0123456789*#") != "" {
					c.Fail(v, fmt.Sprintf("%s[%d]", w, i), "%q: keys are 0-9, * and #", keys)
				}
			}
		case "faults":
			if v.Kind != yaml.SequenceNode {
				c.Fail(v, w, "expected a list of faults, found %s", yamlfile.KindName(v))
				continue
			}
			for i, item := range v.Content {
				if err := s.Faults.ParseFault(yamlfile.Resolve(item).Value); err != nil {
					c.Fail(item, fmt.Sprintf("%s[%d]", w, i), "%v", err)
				}
			}
		}
	}
	return s, len(c.Errs) == before
}
