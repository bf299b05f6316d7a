// Package menu is the IVR logic of ivrctl: a menu tree read from YAML (or
// JSON), checked when it is loaded, and compiled into an Engine that answers
// any VCA event with the webhook response 8x8 should play next.
//
// The tree travels in clientActionId: every response that opens a menu names
// it there, the platform echoes it in the next event, so the engine keeps no
// per-call state and serve and simulate run exactly the same code.
package menu

import (
	_ "embed"
	"fmt"
)

// DefaultFile is the name the embedded default menu reports in messages.
const DefaultFile = "simple-ivr.yaml (embedded)"

// defaultYAML is the simple IVR of 8x8's guide (seed/simple-ivr.txt):
// 1 hangs up, 2 connects an agent, anything else repeats the menu.
// testdata/menus/simple-ivr.yaml is the same file; a test keeps them equal.
//
//go:embed simple-ivr.yaml
var defaultYAML []byte

// DefaultYAML returns the embedded default menu file.
func DefaultYAML() []byte { return append([]byte(nil), defaultYAML...) }

// Default parses the embedded default menu.
func Default() *Menu {
	m, err := Parse(DefaultFile, defaultYAML)
	if err != nil {
		panic(fmt.Sprintf("embedded default menu: %v", err)) // a build defect, caught by tests
	}
	return m
}

// Numbers are the phone numbers connect steps use.
type Numbers struct {
	// From is the caller ID of a connect: the sub-account's virtual number.
	From string `json:"from,omitempty"`
	// Agent is the number a connect step rings.
	Agent string `json:"agent,omitempty"`
}

// Menu is a whole menu file: a tree of prompts keyed by id.
type Menu struct {
	File    string
	Start   string         // the menu answered when an event carries no clientActionId
	Numbers Numbers        // defaults, overridden by configuration
	Say     map[string]any // params of every say step besides text
	Capture map[string]any // params of every sayAndCapture besides promptMessage
	Menus   []*Node        // in file order
	byID    map[string]*Node

	startLine  int               // line of `start:`, for its error
	sayOrigins map[string]origin // where each `say:` param is written
}

// origin is where a callflow param was written in the menu file, so that a
// callflow the validator refuses is reported at the line to fix.
type origin struct {
	where string
	line  int
}

// Lookup returns the menu with the given id.
func (m *Menu) Lookup(id string) (*Node, bool) {
	n, ok := m.byID[id]
	return n, ok
}

// Node is one menu of the tree.
type Node struct {
	ID          string
	Line        int
	Prompt      string         // spoken when the menu opens; empty for a menu only reached by `then`
	RetryPrompt string         // spoken by `retry`; the prompt when empty
	Capture     map[string]any // the file's capture params with this menu's overrides
	Options     []*Option      // in file order
	Other       *Option        // any other digits, and no input when NoInput is nil
	NoInput     *Option        // nothing captured (dtmf null, absent or empty)

	// origins locates the capture params (file-level or this menu's) and,
	// under "prompt" and "retryPrompt", the prompts.
	origins map[string]origin
}

// Option is what one answer does: steps run in order.
type Option struct {
	Digits string // the keys pressed; "other" or "noInput" for the rules
	Line   int
	Steps  []Step
}

// StepKind names what a step does.
type StepKind string

// The steps an option can take.
const (
	StepOpen    StepKind = "open"    // ask the prompt of another menu (sayAndCapture)
	StepRetry   StepKind = "retry"   // ask this menu again, with its retry prompt
	StepSay     StepKind = "say"     // speak a text
	StepPlay    StepKind = "play"    // play an audio file
	StepConnect StepKind = "connect" // ring a number and bridge the caller to it (makeCall)
	StepHangup  StepKind = "hangup"  // end the call
)

// Step is one thing an option does.
type Step struct {
	Kind StepKind
	Arg  string // menu id, text, file URL, or the number to connect ("agent" or digits)
	Then string // connect only: the menu the next event answers (its clientActionId)
	Line int
}
