// Package yamlfile holds what ivrctl's YAML file readers (menu files,
// scenario files) share: reading a file as yaml.Node trees so that every
// problem is reported where it is written, as file:line: field: message,
// all of them at once rather than the first only.
package yamlfile

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// Error is a problem in a file, located as precisely as the file allows.
type Error struct {
	File  string
	Line  int    // 0 when unknown
	Where string // the field, e.g. `menus.reservations.options["4"]` or caller.steps[1].press
	Msg   string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Where != "" {
		b.WriteString(e.Where)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// syntaxLineRe finds the line in yaml's syntax errors ("yaml: line 3: ...").
var syntaxLineRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`) })

// SyntaxError turns a YAML syntax error into file:line: message.
func SyntaxError(file string, err error) *Error {
	if m := syntaxLineRe().FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{File: file, Line: line, Msg: "invalid YAML: " + m[2]}
	}
	return &Error{File: file, Msg: "invalid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}
}

// Checker collects the problems of one file; a reader embeds it.
type Checker struct {
	File string
	Errs []error // *Error each
}

// Fail records a problem at n (nil: no line known).
func (c *Checker) Fail(n *yaml.Node, where, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	c.Errs = append(c.Errs, &Error{File: c.File, Line: line, Where: where, Msg: fmt.Sprintf(format, args...)})
}

// Pairs returns a mapping's key/value nodes, reporting keys listed twice
// and, when allowed is given, keys outside it.
func (c *Checker) Pairs(n *yaml.Node, where string, allowed ...string) [][2]*yaml.Node {
	n = Resolve(n)
	if n.Kind != yaml.MappingNode {
		c.Fail(n, where, "expected a mapping, found %s", KindName(n))
		return nil
	}
	seen := map[string]int{}
	var out [][2]*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if first, dup := seen[k.Value]; dup {
			c.Fail(k, where, "%q is listed twice (first at line %d)", k.Value, first)
			continue
		}
		seen[k.Value] = k.Line
		if allowed != nil && !slices.Contains(allowed, k.Value) {
			c.Fail(k, where, "unknown field %q (known: %s)", k.Value, strings.Join(allowed, ", "))
			continue
		}
		out = append(out, [2]*yaml.Node{k, v})
	}
	return out
}

// Resolve follows YAML aliases (*name) to the node they name, so anchors
// can share a value.
func Resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// KindName says what a node is, for "expected X, found Y" messages.
func KindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "null"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "nothing"
}
