package menucmd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ivrctl/ivrctl/pkg/coverage"
	"github.com/ivrctl/ivrctl/pkg/menu"
)

// Colours of the coverage overlay (GitHub's green and red, readable on a
// light and a dark page).
const (
	colorCovered   = "#1a7f37"
	colorUncovered = "#cf222e"
	colorNext      = "#6e7781"
)

// labelWidth is where long prompts and says are wrapped, labelMax where
// they are cut: the picture shows which prompt, not all of it.
const (
	labelWidth = 36
	labelMax   = 110
)

func menuLabel(g *menu.Graph, n *menu.GraphNode) []string {
	lines := []string{n.Menu}
	if n.Menu == g.Start {
		lines[0] += " (start)"
	}
	if n.Prompt != "" {
		lines = append(lines, wrap(cut(n.Prompt, labelMax), labelWidth)...)
	} else {
		lines = append(lines, "(no prompt: reached after a connect)")
	}
	return lines
}

func stepsLabel(n *menu.GraphNode) []string {
	var lines []string
	for _, s := range n.Steps {
		lines = append(lines, wrap(cut(s, labelMax), labelWidth)...)
	}
	return lines
}

func nodeLines(g *menu.Graph, n *menu.GraphNode) []string {
	if n.Kind == menu.NodeMenu {
		return menuLabel(g, n)
	}
	return stepsLabel(n)
}

// edgeLabel names an edge as people read it, with its hits under --cover.
func edgeLabel(e *menu.GraphEdge, prof *coverage.Profile) string {
	var s string
	switch e.Kind {
	case menu.EdgeOption:
		s = e.Input
	case menu.EdgeOther:
		s = "other"
	case menu.EdgeNoInput:
		s = "no input"
	case menu.EdgeNoAnswer:
		s = "no answer"
	case menu.EdgeNext:
		s = ""
	default:
		s = string(e.Kind)
	}
	if e.Retry && e.Kind != menu.EdgeNext {
		s += " (retry)"
	}
	if p, ok := e.Path(); ok && prof != nil {
		if h := prof.Hits(p); h > 0 {
			s += fmt.Sprintf(" (%d×)", h)
		} else {
			s += " (never)"
		}
	}
	return s
}

// edgeState is how an edge is drawn under --cover.
type edgeState int

const (
	statePlain edgeState = iota
	stateCovered
	stateUncovered
	stateNext
)

func stateOf(e *menu.GraphEdge, prof *coverage.Profile) edgeState {
	p, ok := e.Path()
	switch {
	case prof == nil:
		return statePlain
	case !ok:
		return stateNext
	case prof.Hits(p) > 0:
		return stateCovered
	}
	return stateUncovered
}

func cut(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return strings.TrimSpace(string(r[:n-1])) + "…"
	}
	return s
}

// wrap breaks text into lines of at most width runes, at spaces.
func wrap(s string, width int) []string {
	var lines []string
	var cur []rune
	for w := range strings.FieldsSeq(s) {
		r := []rune(w)
		if len(cur) > 0 && len(cur)+1+len(r) > width {
			lines = append(lines, string(cur))
			cur = nil
		}
		if len(cur) > 0 {
			cur = append(cur, ' ')
		}
		cur = append(cur, r...)
	}
	if len(cur) > 0 || len(lines) == 0 {
		lines = append(lines, string(cur))
	}
	return lines
}

// Mermaid writes the graph as a Mermaid flowchart (GitHub renders it in a
// ```mermaid block).
func Mermaid(g *menu.Graph, prof *coverage.Profile) []byte {
	var b bytes.Buffer
	b.WriteString("flowchart TD\n")
	ids := map[string]string{}
	for i, n := range g.Nodes {
		id := fmt.Sprintf("n%d", i)
		ids[n.ID] = id
		label := mermaidText(strings.Join(nodeLines(g, n), "\n"))
		switch {
		case n.Kind == menu.NodeMenu && n.Menu == g.Start:
			fmt.Fprintf(&b, "  %s([\"%s\"])\n", id, label)
		case n.Kind == menu.NodeMenu:
			fmt.Fprintf(&b, "  %s(\"%s\")\n", id, label)
		case n.Kind == menu.NodeConnect:
			fmt.Fprintf(&b, "  %s{{\"%s\"}}\n", id, label)
		default:
			fmt.Fprintf(&b, "  %s[\"%s\"]\n", id, label)
		}
	}
	var covered, uncovered, next []string
	for i, e := range g.Edges {
		arrow := "-->"
		if e.Implicit || e.Kind == menu.EdgeNext {
			arrow = "-.->"
		}
		if l := edgeLabel(e, prof); l != "" {
			fmt.Fprintf(&b, "  %s %s|\"%s\"| %s\n", ids[e.From], arrow, mermaidText(l), ids[e.To])
		} else {
			fmt.Fprintf(&b, "  %s %s %s\n", ids[e.From], arrow, ids[e.To])
		}
		switch stateOf(e, prof) {
		case stateCovered:
			covered = append(covered, fmt.Sprint(i))
		case stateUncovered:
			uncovered = append(uncovered, fmt.Sprint(i))
		case stateNext:
			next = append(next, fmt.Sprint(i))
		}
	}
	b.WriteString("  classDef menu fill:#ddf4ff,stroke:#0969da\n")
	b.WriteString("  classDef steps fill:#f6f8fa,stroke:#6e7781\n")
	b.WriteString("  classDef connect fill:#fff8c5,stroke:#9a6700\n")
	for _, kind := range []menu.GraphNodeKind{menu.NodeMenu, menu.NodeSteps, menu.NodeConnect} {
		var of []string
		for _, n := range g.Nodes {
			if n.Kind == kind {
				of = append(of, ids[n.ID])
			}
		}
		if len(of) > 0 {
			fmt.Fprintf(&b, "  class %s %s\n", strings.Join(of, ","), kind)
		}
	}
	if prof != nil {
		if len(covered) > 0 {
			fmt.Fprintf(&b, "  linkStyle %s stroke:%s,stroke-width:2px\n", strings.Join(covered, ","), colorCovered)
		}
		if len(uncovered) > 0 {
			fmt.Fprintf(&b, "  linkStyle %s stroke:%s,stroke-width:2px,stroke-dasharray:6 4\n", strings.Join(uncovered, ","), colorUncovered)
		}
		if len(next) > 0 {
			fmt.Fprintf(&b, "  linkStyle %s stroke:%s\n", strings.Join(next, ","), colorNext)
		}
		b.WriteString("  subgraph legend [\"" + mermaidText(prof.Summary()) + "\"]\n")
		b.WriteString("    direction LR\n")
		b.WriteString("    legendCovered[\"played (N×: calls)\"]\n")
		b.WriteString("    legendUncovered[\"never played\"]\n")
		b.WriteString("  end\n")
		fmt.Fprintf(&b, "  style legendCovered fill:#dafbe1,stroke:%s,stroke-width:2px\n", colorCovered)
		fmt.Fprintf(&b, "  style legendUncovered fill:#ffebe9,stroke:%s,stroke-width:2px,stroke-dasharray:6 4\n", colorUncovered)
	}
	return b.Bytes()
}

// mermaidText escapes a label for a quoted Mermaid string: quotes and the
// characters Mermaid reads as markup become entity codes, lines <br/>.
func mermaidText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString("#quot;")
		case '#':
			b.WriteString("#35;")
		case '<':
			b.WriteString("#lt;")
		case '>':
			b.WriteString("#gt;")
		case '&':
			b.WriteString("#amp;")
		case '`':
			b.WriteString("#96;")
		case '\n':
			b.WriteString("<br/>")
		default:
			if r < 0x20 || r == 0x7f {
				b.WriteRune(' ')
			} else {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// DOT writes the graph as Graphviz source. Every edge has an id naming
// its path (and a class, covered or uncovered, under --cover), which dot
// keeps in SVG.
func DOT(g *menu.Graph, prof *coverage.Profile) []byte {
	var b bytes.Buffer
	name := g.Menu.File
	fmt.Fprintf(&b, "digraph %s {\n", dotString(name))
	b.WriteString("  graph [rankdir=TB, fontname=\"Helvetica\", fontsize=11, nodesep=0.3, ranksep=0.5];\n")
	b.WriteString("  node [fontname=\"Helvetica\", fontsize=10, style=filled, penwidth=1.2];\n")
	b.WriteString("  edge [fontname=\"Helvetica\", fontsize=9, arrowsize=0.7];\n")
	ids := map[string]string{}
	for i, n := range g.Nodes {
		id := fmt.Sprintf("n%d", i)
		ids[n.ID] = id
		label := dotString(strings.Join(nodeLines(g, n), "\n"))
		var attrs string
		switch n.Kind {
		case menu.NodeMenu:
			attrs = `shape=box, style="rounded,filled", fillcolor="#ddf4ff", color="#0969da"`
			if n.Menu == g.Start {
				attrs += ", peripheries=2"
			}
		case menu.NodeConnect:
			attrs = `shape=hexagon, fillcolor="#fff8c5", color="#9a6700"`
		default:
			attrs = `shape=note, fillcolor="#f6f8fa", color="#6e7781"`
		}
		fmt.Fprintf(&b, "  %s [id=%s, label=%s, %s];\n", id, dotString("node:"+n.ID), label, attrs)
	}
	for i, e := range g.Edges {
		id := fmt.Sprintf("next:%d", i)
		if p, ok := e.Path(); ok {
			id = "path:" + p.Menu + ":" + p.Input + ":" + string(p.Kind)
		}
		attrs := []string{"id=" + dotString(id)}
		if l := edgeLabel(e, prof); l != "" {
			attrs = append(attrs, "label="+dotString(l))
		}
		switch stateOf(e, prof) {
		case stateCovered:
			attrs = append(attrs, `class="covered"`, `color="`+colorCovered+`"`, `fontcolor="`+colorCovered+`"`, "penwidth=2")
		case stateUncovered:
			attrs = append(attrs, `class="uncovered"`, `color="`+colorUncovered+`"`, `fontcolor="`+colorUncovered+`"`, "penwidth=2", "style=dashed")
		case stateNext:
			attrs = append(attrs, `color="`+colorNext+`"`, "style=dotted")
		default:
			if e.Implicit || e.Kind == menu.EdgeNext {
				attrs = append(attrs, "style=dotted")
			}
		}
		fmt.Fprintf(&b, "  %s -> %s [%s];\n", ids[e.From], ids[e.To], strings.Join(attrs, ", "))
	}
	if prof != nil {
		fmt.Fprintf(&b, "  subgraph cluster_legend {\n    label=%s; fontsize=10; style=rounded; color=\"#d0d7de\";\n", dotString(prof.Summary()))
		b.WriteString("    node [shape=point, width=0.05, style=invis, label=\"\"];\n")
		b.WriteString("    legend_a; legend_b; legend_c; legend_d;\n")
		fmt.Fprintf(&b, "    legend_a -> legend_b [id=\"legend:covered\", label=\"played (N×: calls)\", color=%q, fontcolor=%q, penwidth=2];\n", colorCovered, colorCovered)
		fmt.Fprintf(&b, "    legend_c -> legend_d [id=\"legend:uncovered\", label=\"never played\", color=%q, fontcolor=%q, penwidth=2, style=dashed];\n", colorUncovered, colorUncovered)
		b.WriteString("  }\n")
	}
	b.WriteString("}\n")
	return b.Bytes()
}

// dotString quotes s as a DOT string: backslashes and quotes escaped,
// line breaks as DOT's centred \n, other control characters dropped.
func dotString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r < 0x20 || r == 0x7f:
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// graphJSON is `menu graph --format json`.
type graphJSON struct {
	File     string            `json:"file"`
	Start    string            `json:"start"`
	Nodes    []*menu.GraphNode `json:"nodes"`
	Edges    []edgeJSON        `json:"edges"`
	Coverage *coverageJSON     `json:"coverage,omitempty"`
}

type coverageJSON struct {
	Covered int `json:"covered"`
	Total   int `json:"total"`
}

type edgeJSON struct {
	*menu.GraphEdge
	Hits *int `json:"hits,omitempty"`
}

// GraphJSON writes nodes and edges (with their hits under --cover).
func GraphJSON(g *menu.Graph, prof *coverage.Profile) []byte {
	out := graphJSON{File: g.Menu.File, Start: g.Start, Nodes: g.Nodes}
	for _, e := range g.Edges {
		j := edgeJSON{GraphEdge: e}
		if p, ok := e.Path(); ok && prof != nil {
			h := prof.Hits(p)
			j.Hits = &h
		}
		out.Edges = append(out.Edges, j)
	}
	if prof != nil {
		out.Coverage = &coverageJSON{Covered: prof.Covered, Total: prof.Total}
	}
	data, _ := json.MarshalIndent(out, "", "  ") // plain data: cannot fail
	return append(data, '\n')
}
