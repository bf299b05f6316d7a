// Package coverage counts which paths of a menu (pkg/menu's Graph: every
// option, other, noInput and connect outcome of every menu) a set of calls
// played, from what the 8x8 emulator observed: the VCA events it sent
// (clientActionId and digits) and the legs it rang. Counting what the
// platform saw, not what the engine did, works the same in-process and
// against a backend over HTTP; a backend whose answers are not the menu's
// is reported, since its calls cannot be mapped to the menu's paths.
//
// A Profile is the JSON written by `--coverprofile`: covered, total, and
// every path with its hits. Profiles of several runs of the same menu
// merge, as Go's cover profiles do.
package coverage

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/emulator"
	"github.com/ivrctl/ivrctl/pkg/menu"
)

// Counter counts path hits for one menu. It is safe for concurrent use.
type Counter struct {
	g    *menu.Graph
	mu   sync.Mutex
	hits map[menu.Path]int
	// Problems say why some calls could not be counted (an unknown
	// clientActionId, an answer that is not the menu's), once each.
	problems []string
	seen     map[string]bool
}

// NewCounter returns a counter of g's paths, none hit.
func NewCounter(g *menu.Graph) *Counter {
	return &Counter{g: g, hits: map[menu.Path]int{}, seen: map[string]bool{}}
}

// Graph is the graph counted.
func (c *Counter) Graph() *menu.Graph { return c.g }

// Hit counts one play of a path.
func (c *Counter) Hit(p menu.Path) {
	c.mu.Lock()
	c.hits[p]++
	c.mu.Unlock()
}

// Answered counts an event the engine answered (simulate replays events
// through it): the menu it answered and the option it matched, as in
// menu.Result.
func (c *Counter) Answered(clientActionID, digits string) {
	if p, ok := c.g.Route(clientActionID, digits); ok {
		c.Hit(p)
	} else {
		c.problem(fmt.Sprintf("clientActionId %q names no menu of %s: its events are not counted", clientActionID, c.g.Menu.File))
	}
}

// maxProblems bounds the problems kept: a backend answering with a new
// clientActionId every time must not grow them without limit.
const maxProblems = 20

func (c *Counter) problem(msg string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.seen[msg] || len(c.problems) > maxProblems:
	case len(c.problems) == maxProblems:
		c.problems = append(c.problems, "more events were not counted (the first are listed above)")
	default:
		c.seen[msg] = true
		c.problems = append(c.problems, msg)
	}
}

// Problems returns why some events were not counted, in the order met.
func (c *Counter) Problems() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.problems)
}

// MismatchError says a backend answered an event differently from the
// menu: its calls cannot be mapped to the menu's paths, so coverage is not
// computed (the backend is not serving this menu file).
type MismatchError struct {
	File string
	Path menu.Path
	Want string // what the menu answers
	Got  string // what the backend answered
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("coverage cannot be computed: to %s the backend answered %s, %s answers %s: is the backend serving this menu file?",
		e.Path, e.Got, e.File, e.Want)
}

// Transcript counts the paths one emulated call took: each webhook call
// routed by its clientActionId and digits, each bridged leg's pickup as
// the outcome of the answer that rang it. A backend answer that differs
// from the menu's is a *MismatchError and nothing of the call is counted.
func (c *Counter) Transcript(tr *emulator.Transcript) error {
	paths := make([]menu.Path, 0, len(tr.Webhooks)+1)
	routed := make([]menu.Path, len(tr.Webhooks))
	ok := make([]bool, len(tr.Webhooks))
	for i, w := range tr.Webhooks {
		if w.CallStatus == callflow.CallStatusCallReceived {
			continue // an inbound call's greeting: no answer of a menu
		}
		digits := w.Digits
		if w.NoInput {
			digits = ""
		}
		p, found := c.g.Route(w.ClientActionID, digits)
		if !found {
			c.problem(fmt.Sprintf("clientActionId %q names no menu of %s: the backend answered it without a path of this menu", w.ClientActionID, c.g.Menu.File))
			continue
		}
		if w.Accepted {
			want := c.g.Engine().AnswerDigits(w.ClientActionID, digits).Reply
			if got, exp := describe(w.AnswerID, w.Actions), describeReply(want); got != exp {
				return &MismatchError{File: c.g.Menu.File, Path: p, Want: exp, Got: got}
			}
		}
		routed[i], ok[i] = p, true
		paths = append(paths, p)
	}
	for _, d := range tr.Dialled {
		if d.Leg == 0 || d.Webhook < 0 || d.Webhook >= len(routed) || !ok[d.Webhook] {
			continue
		}
		if p, found := c.g.Outcome(routed[d.Webhook], outcome(d.Pickup)); found {
			paths = append(paths, p)
		}
	}
	for _, p := range paths {
		c.Hit(p)
	}
	return nil
}

// outcome is the edge kind of a leg's pickup.
func outcome(p emulator.Pickup) menu.EdgeKind {
	switch p {
	case emulator.PickupAnswer:
		return menu.EdgeAnswered
	case emulator.PickupBusy:
		return menu.EdgeBusy
	case emulator.PickupNoAnswer:
		return menu.EdgeNoAnswer
	}
	return menu.EdgeFailed
}

func describe(id string, actions []string) string {
	s := strings.Join(actions, "+")
	if s == "" {
		s = "no action"
	}
	if id != "" {
		s += " with clientActionId " + id
	}
	return s
}

func describeReply(r *menu.Reply) string {
	if r == nil {
		return "nothing"
	}
	names := make([]string, 0, len(r.Response.Callflow))
	for _, a := range r.Response.Callflow {
		names = append(names, a.Action)
	}
	return describe(r.Response.ClientActionID, names)
}

// Profile is the count of every path.
func (c *Counter) Profile() *Profile {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := &Profile{File: c.g.Menu.File}
	for _, path := range c.g.Paths() {
		p.Paths = append(p.Paths, PathHits{Menu: path.Menu, Input: path.Input, Kind: path.Kind, Hits: c.hits[path]})
	}
	p.count()
	return p
}
