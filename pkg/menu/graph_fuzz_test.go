package menu

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzGraph builds the graph of any menu file that compiles: it never
// panics, every edge joins two of its nodes, every path is found by its
// name, the engine routes each option and silence to its own path, and a
// menu diffed with itself has no change.
func FuzzGraph(f *testing.F) {
	files, _ := filepath.Glob(repoPath("testdata", "menus", "*.yaml"))
	bad, _ := filepath.Glob(repoPath("testdata", "menus", "bad", "*.yaml"))
	for _, file := range append(files, bad...) {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse("fuzz.yaml", data)
		if err != nil {
			return
		}
		e, err := Compile(m, Numbers{From: "6512345678", Agent: "6561115777"})
		if err != nil {
			return
		}
		g := NewGraph(e)
		nodes := map[string]bool{}
		for _, n := range g.Nodes {
			if nodes[n.ID] {
				t.Fatalf("node %q twice", n.ID)
			}
			nodes[n.ID] = true
		}
		for _, ed := range g.Edges {
			if !nodes[ed.From] || !nodes[ed.To] {
				t.Fatalf("edge %+v joins an unknown node", *ed)
			}
		}
		for _, p := range g.Paths() {
			if _, ok := g.Edge(p); !ok {
				t.Fatalf("path %s has no edge", p)
			}
			n, _ := g.MenuNode(p.Menu)
			if n.Prompt == "" {
				continue
			}
			var digits string
			switch p.Kind {
			case EdgeOption:
				digits = p.Input
			case EdgeNoInput:
			default:
				continue
			}
			if got, ok := g.Route(p.Menu, digits); !ok || got != p {
				t.Fatalf("Route(%s, %q) = %s, want %s", p.Menu, digits, got, p)
			}
		}
		if d := Diff(e, e); len(d) > 0 {
			t.Fatalf("a menu diffed with itself: %+v", d)
		}
	})
}
