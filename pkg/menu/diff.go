package menu

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// ChangeKind names one kind of difference between two versions of a menu.
type ChangeKind string

// The kinds of change Diff reports.
const (
	ChangeStart         ChangeKind = "start-changed"
	ChangeMenuAdded     ChangeKind = "menu-added"
	ChangeMenuRemoved   ChangeKind = "menu-removed"
	ChangeMenuRenamed   ChangeKind = "menu-renamed"
	ChangePrompt        ChangeKind = "prompt-changed"
	ChangeRetryPrompt   ChangeKind = "retry-prompt-changed"
	ChangeOptionAdded   ChangeKind = "option-added"
	ChangeOptionRemoved ChangeKind = "option-removed"
	ChangeAnswer        ChangeKind = "answer-changed" // an option, other or noInput does something else
	ChangeNumber        ChangeKind = "number-changed" // a connect rings another number
	ChangeFrom          ChangeKind = "from-changed"   // numbers.from: the caller ID of connects
	ChangeCapture       ChangeKind = "capture-changed"
	ChangeSay           ChangeKind = "say-changed"
)

// Change is one difference between an old and a new menu file.
type Change struct {
	Menu     string     `json:"menu,omitempty"` // the menu (its new id when renamed); "" for the file's settings
	Kind     ChangeKind `json:"kind"`
	Input    string     `json:"input,omitempty"` // the option's digits, other or noInput; the param for capture and say
	Old      string     `json:"old,omitempty"`
	New      string     `json:"new,omitempty"`
	Breaking bool       `json:"breaking"`
	Why      string     `json:"why,omitempty"` // what a breaking change breaks
}

// Why a change breaks calls in progress.
const (
	whyMenuGone   = "callers mid-call hold this id in clientActionId: their next event falls back to the start menu"
	whyOptionGone = "callers hearing a prompt that offers it get the other answer instead"
	whyNumber     = "callers choosing it are connected to another number"
	whyStart      = "events without a clientActionId (every event of a menu that sets none) are answered by another menu"
)

// Diff lists what changed from old to new, menus in the new file's order
// (removed menus last), each menu's changes in order: the menu itself,
// its prompts, its answers, its capture settings. A menu removed and one
// added with the same prompt is a rename. Changes that break calls in
// progress are marked Breaking: a menu id that disappears (renamed or
// removed), an option removed, a connect number changed, the start menu
// changed.
func Diff(old, new *Engine) []Change {
	og, ng := NewGraph(old), NewGraph(new)
	om, nm := old.menu, new.menu
	renamed := renames(om, nm)   // old id -> new id
	oldOf := map[string]string{} // new id -> old id
	for o, n := range renamed {
		oldOf[n] = o
	}
	var out []Change
	if om.Start != nm.Start && renamed[om.Start] != nm.Start {
		out = append(out, Change{Kind: ChangeStart, Old: om.Start, New: nm.Start, Breaking: true, Why: whyStart})
	}
	if old.numbers.From != new.numbers.From {
		out = append(out, Change{Kind: ChangeFrom, Old: old.numbers.From, New: new.numbers.From})
	}
	fileCapture := paramChanges(om.Capture, nm.Capture)
	for _, k := range sortedKeys(fileCapture) {
		c := fileCapture[k]
		out = append(out, Change{Kind: ChangeCapture, Input: k, Old: c[0], New: c[1]})
	}
	says := paramChanges(om.Say, nm.Say)
	for _, k := range sortedKeys(says) {
		out = append(out, Change{Kind: ChangeSay, Input: k, Old: says[k][0], New: says[k][1]})
	}
	for _, n := range nm.Menus {
		oid, ok := oldOf[n.ID]
		if !ok {
			oid = n.ID
		}
		o, existed := om.Lookup(oid)
		switch {
		case !existed:
			out = append(out, Change{Menu: n.ID, Kind: ChangeMenuAdded, New: short(n.Prompt)})
			continue
		case oid != n.ID:
			out = append(out, Change{Menu: n.ID, Kind: ChangeMenuRenamed, Old: oid, New: n.ID, Breaking: true, Why: whyMenuGone})
		}
		if o.Prompt != n.Prompt {
			out = append(out, Change{Menu: n.ID, Kind: ChangePrompt, Old: o.Prompt, New: n.Prompt})
		}
		if o.RetryPrompt != n.RetryPrompt {
			out = append(out, Change{Menu: n.ID, Kind: ChangeRetryPrompt, Old: o.RetryPrompt, New: n.RetryPrompt})
		}
		out = append(out, answerChanges(og, ng, o, n, renamed)...)
		for _, k := range sortedKeys(paramChanges(o.Capture, n.Capture)) {
			c := paramChanges(o.Capture, n.Capture)[k]
			if fc, ok := fileCapture[k]; ok && fc == c {
				continue // the file's setting changed: reported once above
			}
			out = append(out, Change{Menu: n.ID, Kind: ChangeCapture, Input: k, Old: c[0], New: c[1]})
		}
	}
	for _, o := range om.Menus {
		if _, ok := nm.Lookup(o.ID); ok || renamed[o.ID] != "" {
			continue
		}
		out = append(out, Change{Menu: o.ID, Kind: ChangeMenuRemoved, Old: short(o.Prompt), Breaking: true, Why: whyMenuGone})
	}
	return out
}

// Breaking reports whether any change breaks calls in progress.
func Breaking(changes []Change) bool {
	return slices.ContainsFunc(changes, func(c Change) bool { return c.Breaking })
}

// renames pairs menus removed from old with menus added in new that ask
// the same (non-empty) prompt, or answer alike when they ask none.
func renames(om, nm *Menu) map[string]string {
	out := map[string]string{}
	taken := map[string]bool{}
	for _, o := range om.Menus {
		if _, ok := nm.Lookup(o.ID); ok {
			continue
		}
		for _, n := range nm.Menus {
			if _, ok := om.Lookup(n.ID); ok || taken[n.ID] {
				continue
			}
			if o.Prompt != "" && o.Prompt == n.Prompt || o.Prompt == "" && n.Prompt == "" && sameSteps(o, n) {
				out[o.ID], taken[n.ID] = n.ID, true
				break
			}
		}
	}
	return out
}

func sameSteps(a, b *Node) bool {
	sa, sb := a.allOptions(), b.allOptions()
	if len(sa) != len(sb) {
		return false
	}
	for i := range sa {
		if sa[i].Digits != sb[i].Digits || len(sa[i].Steps) != len(sb[i].Steps) {
			return false
		}
		for j := range sa[i].Steps {
			x, y := sa[i].Steps[j], sb[i].Steps[j]
			if x.Kind != y.Kind || x.Arg != y.Arg || x.Then != y.Then {
				return false
			}
		}
	}
	return true
}

// answerChanges compares the answers of one menu: options added and
// removed, answers that do something else, connects to another number.
func answerChanges(og, ng *Graph, o, n *Node, renamed map[string]string) []Change {
	var out []Change
	oldAns, newAns := answers(og, o.ID), answers(ng, n.ID)
	for _, in := range newAns.order {
		ne := newAns.by[in]
		oe, ok := oldAns.by[in]
		if !ok {
			if ne.Kind == EdgeOption {
				out = append(out, Change{Menu: n.ID, Kind: ChangeOptionAdded, Input: in, New: describeAnswer(ng, ne, nil)})
			} else if !ne.Implicit {
				out = append(out, Change{Menu: n.ID, Kind: ChangeAnswer, Input: in, Old: "as other", New: describeAnswer(ng, ne, nil)})
			}
			continue
		}
		if oe.Implicit && ne.Implicit {
			continue // both follow other, compared there
		}
		od, nd := describeAnswer(og, oe, renamed), describeAnswer(ng, ne, nil)
		if od != nd {
			out = append(out, Change{Menu: n.ID, Kind: ChangeAnswer, Input: in, Old: od, New: nd})
		}
		if on, nn := connectNumber(og, oe), connectNumber(ng, ne); on != "" && nn != "" && on != nn {
			out = append(out, Change{Menu: n.ID, Kind: ChangeNumber, Input: in, Old: on, New: nn, Breaking: true, Why: whyNumber})
		}
	}
	for _, in := range oldAns.order {
		if _, ok := newAns.by[in]; ok {
			continue
		}
		oe := oldAns.by[in]
		if oe.Kind == EdgeOption {
			out = append(out, Change{Menu: n.ID, Kind: ChangeOptionRemoved, Input: in, Old: describeAnswer(og, oe, renamed), Breaking: true, Why: whyOptionGone})
		}
	}
	return out
}

type answerSet struct {
	order []string
	by    map[string]*GraphEdge
}

// answers are a menu's answer edges by input.
func answers(g *Graph, id string) answerSet {
	s := answerSet{by: map[string]*GraphEdge{}}
	node := g.byMenu[id]
	for _, e := range g.Edges {
		if e.From == node.ID && e.Kind != EdgeNext && e.Menu == id {
			if _, dup := s.by[e.Input]; !dup {
				s.order = append(s.order, e.Input)
				s.by[e.Input] = e
			}
		}
	}
	return s
}

// describeAnswer says what an answer does: the steps and menus it leads
// to, menu ids renamed to the new ones.
func describeAnswer(g *Graph, e *GraphEdge, renamed map[string]string) string {
	var parts []string
	seen := map[string]bool{}
	id := e.To
	for id != "" && !seen[id] {
		seen[id] = true
		node, _ := g.Node(id)
		if node.Kind == NodeMenu {
			m := node.Menu
			if r := renamed[m]; r != "" {
				m = r
			}
			if e.Retry && node.Menu == e.Menu {
				parts = append(parts, "retry")
			} else {
				parts = append(parts, "open "+m)
			}
			break
		}
		steps := node.Steps
		if node.Kind == NodeConnect {
			// The number is compared on its own (number-changed).
			steps = append(slices.Clone(steps[:len(steps)-1]), "connect")
		}
		parts = append(parts, steps...)
		next := ""
		for _, x := range g.Edges {
			if x.From == id && (x.Kind == EdgeNext || x.Kind == EdgeAnswered) {
				next = x.To
				if x.Kind == EdgeAnswered {
					if n, _ := g.Node(x.To); n.Kind == NodeMenu {
						m := n.Menu
						if r := renamed[m]; r != "" {
							m = r
						}
						parts = append(parts, "then "+m)
						next = ""
					}
				}
				break
			}
		}
		id = next
	}
	return strings.Join(parts, ", ")
}

// connectNumber is the number an answer connects, "" when it does not.
func connectNumber(g *Graph, e *GraphEdge) string {
	if n, ok := g.Node(e.To); ok && n.Kind == NodeConnect {
		return n.Number
	}
	return ""
}

// paramChanges compares two params maps: key -> [old, new] as JSON ("" :
// unset).
func paramChanges(a, b map[string]any) map[string][2]string {
	out := map[string][2]string{}
	for k := range a {
		if va, vb := jsonText(a[k], true), jsonText(b[k], hasKey(b, k)); va != vb {
			out[k] = [2]string{va, vb}
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out[k] = [2]string{"", jsonText(b[k], true)}
		}
	}
	return out
}

func hasKey(m map[string]any, k string) bool { _, ok := m[k]; return ok }

func jsonText(v any, set bool) string {
	if !set {
		return ""
	}
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(data)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// short is a prompt cut for a one-line listing.
func short(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:59]) + "…"
	}
	return s
}
