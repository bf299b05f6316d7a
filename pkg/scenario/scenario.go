// Package scenario reads IVR test scenarios and checks calls against them.
//
// A scenario is one phone call written down as a test: the call to place
// (the numbers, the menu or webhook that answers it), what the people on the
// phone do (the caller answers or not, presses keys, stays silent or hangs
// up at each prompt; the agent answers or not) and what must come of it
// (the prompts heard in order, the number connected, the session's final
// status, the number of webhook calls). Scenario files are YAML, several
// scenarios per file as YAML documents separated by `---`.
//
// The package does not place calls itself: Run drives pkg/emulator, which
// plays the 8x8 platform against the menu engine in-process or against any
// webhook URL, and Check compares what the emulator recorded with the
// scenario's expectations. Reports (text is the command's job) and JUnit XML
// are built from the Results.
package scenario

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"

	"github.com/ivrctl/ivrctl/pkg/emulator"
	"github.com/ivrctl/ivrctl/pkg/menu"
)

// Pickup says how a dialled party responds. The values are pkg/emulator's.
type Pickup string

// The ways a dialled party can respond.
const (
	PickupAnswer   Pickup = "answer"
	PickupBusy     Pickup = "busy"
	PickupNoAnswer Pickup = "no-answer"
	PickupFail     Pickup = "fail" // unreachable: the leg FAILED
)

var pickups = []string{string(PickupAnswer), string(PickupBusy), string(PickupNoAnswer), string(PickupFail)}

// Session statuses a scenario may expect: those 8x8's summaries (VSS) send.
var statuses = []string{"COMPLETED", "BUSY", "NO_ANSWER", "FAILED", "CANCELED", "ERROR"}

// The lastAction values a scenario may expect: those the summaries send.
// HANGUP is how a backend's missing hangup shows (the session still
// ends COMPLETED, with lastAction SAY).
var lastActions = []string{"HANGUP", "SAY", "SAY_AND_CAPTURE", "PLAY_FILE", "MAKE_CALL"}

// Scenario is one call and what must come of it.
type Scenario struct {
	File        string // the file it was read from, as given
	Line        int    // the line its document starts on
	Name        string
	Description string

	Call   Call
	Caller Caller
	Agent  Party
	Expect Expect
	// Faults are what the platform does wrong on this call (pkg/emulator's
	// faults: duplicate-vca, delay-vss, barge-in, ...).
	Faults     emulator.Faults
	FaultsLine int

	// Set by Load: the compiled menu (the in-process webhook) and the
	// Send Callflow request body.
	engine   *menu.Engine
	request  []byte
	menuFile string // the menu file answering ("" : the embedded default, or none with call.request)
	// builtFromMenu says the request is the menu's (not call.request's
	// or --request's).
	builtFromMenu bool
}

// ID is the scenario's name with the file and line it was read from.
func (s *Scenario) ID() string { return fmt.Sprintf("%s:%d", s.File, s.Line) }

// Call is how the call is placed and who answers its webhooks.
type Call struct {
	To   string // the caller's number, callA's destination
	From string // the caller ID the call is placed from ("": the menu's numbers.from)
	// Menu is the menu file (resolved against the scenario file's
	// directory; "" is the embedded default menu). Its start prompt is
	// the Send Callflow request's sayAndCapture, and in-process it
	// answers the webhooks.
	Menu string
	// Webhook, when set, is the URL the VCA events are posted to instead
	// of the in-process menu.
	Webhook string
	// Request, when set, is a Send Callflow request file (resolved like
	// Menu) sent instead of the one built from the menu: for a backend
	// that is not an ivrctl menu.
	Request string
	// Inbound (direction: inbound) is a call the caller places to the
	// virtual number To, from From: 8x8 posts CALL_RECEIVED to the
	// webhook and no Send Callflow request is sent.
	Inbound bool

	ToLine, MenuLine, WebhookLine, RequestLine int
}

// Party is a dialled person: how they pick up.
type Party struct {
	Pickup Pickup
	Line   int // where pickup is written, 0 when defaulted
}

// Caller is the person called: how they pick up, and what they do at each
// prompt, in order.
type Caller struct {
	Party
	Steps     []Step
	StepsLine int
}

// Action is what the caller does at a prompt.
type Action string

// The caller's actions.
const (
	ActionPress   Action = "press"
	ActionSilence Action = "silence"
	ActionHangup  Action = "hangup"
)

// Step is the caller's answer to one prompt (one play of a sayAndCapture:
// a prompt asked twice needs two steps).
type Step struct {
	Expect *Pattern // nil: any prompt
	Action Action
	Keys   string // for ActionPress
	Line   int
}

// Expect holds the checks on the call as a whole. Nil and negative fields
// are not checked.
type Expect struct {
	// Heard is everything callA heard, in order (prompts, says, success
	// and failure messages, played files): one pattern each.
	Heard     []*Pattern
	HeardSet  bool
	HeardLine int
	// Connected lists the numbers bridged to the caller, in order; an
	// empty list expects nobody.
	Connected     []string
	ConnectedSet  bool
	ConnectedLine int
	Status        string
	StatusLine    int
	WebhookCalls  int // -1: not checked
	WebhookLine   int
	// LastAction is the session summary's lastAction ("": not checked).
	LastAction     string
	LastActionLine int
}

// Pattern is an expected text: a substring, or a regular expression when
// written between slashes (/Press [0-9]/).
type Pattern struct {
	Source string // as written
	Re     *regexp.Regexp
	Line   int
}

// ParsePattern reads an expected text: "/.../" is an (unanchored) Go
// regular expression, anything else a substring to find.
func ParsePattern(s string) (*Pattern, error) {
	p := &Pattern{Source: s}
	if s == "" {
		return nil, fmt.Errorf("empty: write the text expected (a part of it is enough), or leave the field out")
	}
	if len(s) >= 2 && strings.HasPrefix(s, "/") && strings.HasSuffix(s, "/") {
		if s == "//" {
			// An empty expression matches anything: surely not meant.
			return nil, fmt.Errorf(`an empty regular expression matches anything: write the text expected, or /\/\// for two slashes`)
		}
		re, err := regexp.Compile(s[1 : len(s)-1])
		if err != nil {
			var se *syntax.Error
			if errors.As(err, &se) && !strconv.CanBackquote(se.Expr) {
				// Its own message shows the expression raw, control
				// characters and all.
				return nil, fmt.Errorf("invalid regular expression: %s: %q", se.Code, se.Expr)
			}
			return nil, fmt.Errorf("invalid regular expression: %s", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		}
		p.Re = re
	}
	return p, nil
}

// Match reports whether text matches the pattern.
func (p *Pattern) Match(text string) bool {
	if p.Re != nil {
		return p.Re.MatchString(text)
	}
	return strings.Contains(text, p.Source)
}

// String is the pattern as people read it in a report: a quoted substring
// or /regex/.
func (p *Pattern) String() string {
	if p.Re != nil {
		return p.Source
	}
	return strconv.Quote(p.Source)
}
