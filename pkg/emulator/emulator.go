// Package emulator plays the 8x8 Voice platform for tests: it takes Send
// Callflow requests, answers them as 8x8 does (CREATED or NOT_CREATED, with
// the core validator's status codes), and runs each session on a virtual
// clock: the callee answers or not, the caller presses keys, VCA events go
// to a webhook whose callflows are run next, and a session summary (VSS)
// is posted at the end. Nothing sleeps: a whole call takes as long as its
// webhook round trips, so CI can run thousands of calls a second.
//
// Where 8x8's docs are silent the emulator makes a choice; each is written
// where it is made (look for "Choice:") and listed in the README section
// "Emulate the 8x8 platform". The main ones:
//
//   - A VCA event is sent when a sayAndCapture has finished (digits, or no
//     input after noOfTries), and after a bridged makeCall has ended when
//     the callflow carrying it has a clientActionId (8x8's sample expects
//     "post_call" there). The webhook's callflow then replaces whatever was
//     left of the running one. No VCA follows say, playFile or hangup.
//   - A callflow that runs out of actions without hangup ends the session,
//     as if it had hung up (lastAction is the last action run). A caller
//     who hangs up makes lastAction HANGUP, as in 8x8's IVR example.
//   - A request with a sayAndCapture is refused with -1004 when no VCA
//     webhook is configured.
//   - A session has at most two legs: a third makeCall (the request's and
//     the webhooks' together) ends it ERROR -2003.
//   - A webhook that cannot be reached, times out or answers anything but
//     200 ends the session ERROR -2002; a body that is not JSON or not a
//     callflow the validator accepts ends it ERROR -2003.
//   - Unset sayAndCapture params take the spec's defaults (minDigits 1,
//     maxDigits 1, overallTimeout 5000, completeOnHash true, noOfTries 1),
//     the one machine-readable source; the guides say 25/30000/3.
package emulator

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/ivrctl/ivrctl/pkg/callflow"
)

// Pickup is how a dialled party responds to makeCall.
type Pickup string

const (
	PickupAnswer   Pickup = "answer"
	PickupBusy     Pickup = "busy"
	PickupNoAnswer Pickup = "no-answer"
	PickupFail     Pickup = "fail" // unreachable number: leg FAILED
)

// ParsePickup reads a Pickup as written on the command line.
func ParsePickup(s string) (Pickup, error) {
	switch p := Pickup(strings.ToLower(strings.TrimSpace(s))); p {
	case PickupAnswer, PickupBusy, PickupNoAnswer, PickupFail:
		return p, nil
	case "noanswer", "no_answer":
		return PickupNoAnswer, nil
	}
	return "", fmt.Errorf("%q is not answer, busy, no-answer or fail", s)
}

// Caller scripts the people on the phone for one session. It is called
// from the session's goroutine only, so it needs no locking; give every
// session its own.
type Caller interface {
	// Dial is asked when makeCall rings destination; leg 0 is callA (the
	// callee of the Send Callflow request), leg 1 the bridged callB.
	Dial(leg int, destination string) Pickup
	// Capture is asked each time a sayAndCapture prompt has been played to
	// callA (try counts from 1 up to noOfTries). It returns the keys
	// pressed ("" = silence until the timeout) or hangup=true (the caller
	// hangs up after hearing the prompt).
	Capture(prompt string, try int) (keys string, hangup bool)
}

// Webhook answers VCA events: it gets the event's JSON body and returns
// the HTTP status and body it answered, or err for a transport failure
// (refused, timeout). It must return once ctx is done.
type Webhook interface {
	CallAction(ctx context.Context, event []byte) (status int, body []byte, err error)
}

// Heard is one thing callA (or callB) heard, in order.
type Heard struct {
	Leg  int           `json:"leg"`  // 0 = callA, 1 = callB
	Kind string        `json:"kind"` // "say", "prompt", "success", "failure", "play"
	Text string        `json:"text"` // TTS text, or the file URL for "play"
	At   time.Duration `json:"at"`   // virtual time since the session started
	// Cut is set when the prompt did not play to its end: the caller
	// pressed a key into it (barge-in) or hung up during it.
	Cut bool `json:"cut,omitempty"`
}

// Kinds of Heard.
const (
	HeardSay     = "say"
	HeardPrompt  = "prompt"
	HeardSuccess = "success"
	HeardFailure = "failure"
	HeardPlay    = "play"
)

// Dial is one makeCall.
type Dial struct {
	Leg         int           `json:"leg"`
	Destination string        `json:"destination"`
	Pickup      Pickup        `json:"pickup"`
	At          time.Duration `json:"at"` // virtual time the leg was rung, as Heard.At
	// Webhook is the index in Transcript.Webhooks of the call whose
	// answer rang this leg; -1 for the Send Callflow request's callflow.
	Webhook int `json:"-"`
}

// Transcript is everything one session did; Run returns it.
type Transcript struct {
	SessionID         string   `json:"sessionId"`
	CallFlowRequestID string   `json:"callFlowRequestId"`
	Heard             []Heard  `json:"heard"`
	Pressed           []string `json:"pressed"`   // the digits of every VCA event sent but CALL_RECEIVED, in order ("" = none)
	Dialled           []Dial   `json:"dialled"`   // every makeCall, in order
	Connected         []string `json:"connected"` // destinations of bridged legs that answered
	WebhookCalls      int      `json:"webhookCalls"`
	// Webhooks is every VCA round trip, in order (see WebhookCall). Not
	// in the JSON: Pressed and WebhookCalls say it for people.
	Webhooks []WebhookCall `json:"-"`
	// Summary is the VSS sent (or that would have been, without Config.VSS).
	Summary callflow.VSSEvent `json:"summary"`
	// WebhookStatus is the HTTP status of the webhook answer that ended
	// the session ERROR -2002 (401 for a backend that wants credentials);
	// 0 when none did.
	WebhookStatus int `json:"webhookStatus,omitempty"`
	// WebhookFailure says how the webhook request that ended the session
	// ERROR -2002 got no answer: WebhookRefused (nothing listens) or
	// WebhookTimedOut; "" otherwise. Test runners sum it into one hint.
	WebhookFailure string `json:"webhookFailure,omitempty"`
	// SummaryError says why the VSS could not be delivered (Config.VSS's
	// error: "POST URL: HTTP 500"); "" when it was, or none was posted.
	SummaryError string `json:"summaryError,omitempty"`
	// Notes say why a session ended in ERROR, that a limit was hit, that
	// the VSS could not be delivered.
	Notes []string `json:"notes,omitempty"`
	// Limited is set when the session hit Config.MaxActions: the caller
	// was made to hang up (a menu that loops forever).
	Limited bool `json:"limited,omitempty"`
	// Direction is OUTBOUND (a Send Callflow request) or INBOUND (a call
	// rung to a virtual number: Emulator.Ring).
	Direction string `json:"direction"`
	// Faults are the faults the session played (Faults.Names).
	Faults []string `json:"faults,omitempty"`
	// Deliveries counts the posts of each webhook kind made for the
	// session ("VCA", "VSS", "VCS"): with a duplicate or retry fault it is
	// more than the events.
	Deliveries map[string]int `json:"deliveries,omitempty"`
	// StatusEvents are the callStatus values of the CALL_STATUS (VCS)
	// events queued for the session, in the order queued (they may arrive
	// in any order); empty without a VCS webhook.
	StatusEvents []string `json:"statusEvents,omitempty"`
}

// Transcript.WebhookFailure values.
const (
	WebhookRefused  = "refused"
	WebhookTimedOut = "timeout"
)

// Status is the session's final status (COMPLETED, BUSY, ..., ERROR).
func (t *Transcript) Status() string { return t.Summary.Payload.SessionStatus }

// Defaults of Config's zero values.
const (
	DefaultMaxActions  = 200
	DefaultMaxSessions = 1000
	// Choice: 8x8 documents no webhook timeout ("Timeouts, retries and
	// the handling of non-200 answers are not documented"); 5 s is taken
	// to be it. This is that assumption's one home: the emulator, `ivrctl
	// test` and `ivrctl load` (which flags slower round trips as calls
	// that would fail on 8x8) all read it.
	DefaultWebhookTimeout = 5 * time.Second
	DefaultSubAccount     = "emulator"
)

// Config configures an Emulator.
type Config struct {
	// Webhook answers VCA events. Nil: a request with a sayAndCapture is
	// refused with -1004 ("DTMF callback url not provided"), which is what
	// that code is for.
	Webhook Webhook
	// VSS delivers the session summary (see HTTPVSS). Nil: not delivered;
	// it is still in the Transcript.
	VSS func(ctx context.Context, body []byte) error
	// Start is the virtual clock's origin of each session (default
	// time.Now): timestamps are Start plus virtual time.
	Start func() time.Time
	// NewID makes sessionId, callFlowRequestId, callId and eventId values
	// (default: random UUIDs). Tests set a counter for stable transcripts.
	NewID func() string
	// SubAccount, when set, is the only sub-account Handler accepts
	// (others get 8x8's 404). Run reports it in events; default
	// DefaultSubAccount.
	SubAccount string
	// MaxActions bounds the actions run per session (default
	// DefaultMaxActions), so a menu that loops forever ends.
	MaxActions int
	// MaxSessions bounds the sessions Handler plays at once in the
	// background (default DefaultMaxSessions). Past it Send Callflow is
	// answered 429 with Retry-After: 1, as 8x8's rate limit answers, and
	// nothing is created, so a client may send it again: without a bound a
	// client posting fast against a slow webhook would grow goroutines and
	// connections to the webhook without limit. Run is not bounded: its
	// caller decides how many run at once.
	MaxSessions int
	// WebhookTimeout bounds each VCA round trip, on top of the Webhook's
	// own limits (default DefaultWebhookTimeout).
	WebhookTimeout time.Duration
	// OnEvent, when set, hears one Event per session step. It is called
	// from session goroutines, concurrently.
	OnEvent func(Event)
	// Profiles, when not nil, are the sub-accounts' speech profiles: GET
	// .../speech-profiles lists them, a request naming another
	// voiceProfile is refused -1002, and a webhook's callflow naming one
	// ends the session ERROR -2005 (ErrorTTS). Nil: any voiceProfile is
	// accepted and DefaultProfiles are listed.
	Profiles []callflow.SpeechProfile
	// VCS, when set, receives the CALL_STATUS events of sessions whose
	// sub-account registered no VCS webhook: best effort, through a
	// bounded queue (choices.go), never holding up a call.
	VCS func(ctx context.Context, body []byte) error
	// Faults are played by every session, on top of those its Caller
	// names (FaultCaller).
	Faults Faults
	// Numbers, when not nil, are the sub-accounts' virtual numbers (any
	// spelling; digits are compared): GET .../numbers lists them and a
	// request whose makeCall source is not one of them is refused -1014.
	// Nil: any source is accepted and none is listed.
	Numbers []string
}

// Emulator runs sessions. It is safe for concurrent use.
type Emulator struct {
	cfg Config

	// Background sessions started by Handler; closing refuses new ones
	// once Shutdown has begun (a WaitGroup must not grow while waited on).
	mu      sync.Mutex
	closing bool
	active  int // sessions Handler is playing, at most cfg.MaxSessions
	wg      sync.WaitGroup
	baseCtx context.Context
	stop    context.CancelCauseFunc

	cache responseCache

	// The account endpoints (account.go): registered webhooks, and
	// Config's profiles and numbers as sets (nil: no check).
	hooks      registry
	profiles   map[string]bool
	numbers    map[string]bool
	numberList []string // digits, in Config's order, no duplicates
	born       time.Time

	vcs     vcsQueue         // CALL_STATUS events in flight (vcs.go)
	delayed delayedSummaries // summaries held back by delay-vss (deliver.go)
}

// New returns an emulator; zero fields of cfg take their defaults.
func New(cfg Config) *Emulator {
	if cfg.Start == nil {
		cfg.Start = time.Now
	}
	if cfg.NewID == nil {
		cfg.NewID = NewUUID
	}
	if cfg.MaxActions <= 0 {
		cfg.MaxActions = DefaultMaxActions
	}
	if cfg.WebhookTimeout <= 0 {
		cfg.WebhookTimeout = DefaultWebhookTimeout
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = DefaultMaxSessions
	}
	e := &Emulator{cfg: cfg, born: cfg.Start()}
	if cfg.Profiles != nil {
		e.profiles = make(map[string]bool, len(cfg.Profiles))
		for _, p := range cfg.Profiles {
			e.profiles[p.Code] = true
		}
	}
	if cfg.Numbers != nil {
		e.numbers = make(map[string]bool, len(cfg.Numbers))
		for _, n := range cfg.Numbers {
			if d := callflow.Digits(n); d != "" && !e.numbers[d] {
				e.numbers[d] = true
				e.numberList = append(e.numberList, d)
			}
		}
	}
	e.baseCtx, e.stop = context.WithCancelCause(context.Background())
	return e
}

// RejectedError is a Send Callflow request the platform would refuse:
// NOT_CREATED, no session. Response is the body 8x8 answers, HTTPStatus
// its HTTP status.
type RejectedError struct {
	HTTPStatus int
	Response   callflow.Response
	// Problems are the validator's findings (nil for refusals it does not
	// decide: -1004, -1015, 401, 404).
	Problems callflow.Problems
}

func (e *RejectedError) Error() string {
	return fmt.Sprintf("not created: %d %s", e.Response.StatusCode, e.Response.StatusMessage)
}

// ErrStopped is the cause noted on sessions Shutdown cut short.
var ErrStopped = errors.New("emulator stopped")

// Run validates req as 8x8 validates a Send Callflow request and, when it
// would be created, runs the whole session synchronously on the virtual
// clock and delivers its summary. A refused request returns a
// *RejectedError and no transcript. ctx bounds the webhook calls: once it
// is done, the session ends ERROR -2002.
func (e *Emulator) Run(ctx context.Context, req []byte, caller Caller) (*Transcript, error) {
	s, rej := e.prepare(req, e.cfg.SubAccount)
	if rej != nil {
		return nil, rej
	}
	s.run(ctx, caller)
	return s.tr, nil
}

// Handler serves Send Callflow, POST /api/v1/subaccounts/{id}/callflows
// (Bearer apiKey required; an empty apiKey accepts any Bearer token),
// answering as 8x8 does, then runs each session in the background with
// the caller callerFor returns for the request's destination. Shutdown
// waits for those sessions.
func (e *Emulator) Handler(apiKey string, callerFor func(to string) Caller) http.Handler {
	return newHandler(e, apiKey, callerFor)
}

// Shutdown waits for the sessions Handler started. When ctx ends first it
// cuts the rest short (they end ERROR -2002, their summaries are still
// sent, bounded by a short deadline) and returns ctx's error.
func (e *Emulator) Shutdown(ctx context.Context) error {
	e.mu.Lock()
	e.closing = true
	e.mu.Unlock()
	done := make(chan struct{})
	go func() { e.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		e.stop(ErrStopped)
		<-done
		e.Flush(ctx)
		return ctx.Err()
	}
	return e.Flush(ctx)
}

// Flush delivers the summaries held back by the delay-vss fault and waits
// for the CALL_STATUS events queued, until ctx is done. Test runners call
// it once their calls are over; Shutdown calls it.
func (e *Emulator) Flush(ctx context.Context) error {
	e.delayed.flush(ctx, e)
	return e.vcs.wait(ctx)
}

// emit sends an event when someone listens.
func (e *Emulator) emit(ev Event) {
	if e.cfg.OnEvent != nil {
		ev.Time = time.Now()
		e.cfg.OnEvent(ev)
	}
}

// Event is one step of a session, for logs. Message never holds a secret:
// request bodies and headers are not quoted.
type Event struct {
	Time    time.Time
	Session string // sessionId, "" for refused requests
	Kind    EventKind
	Error   bool // the step failed (a refusal, a webhook failure, an ERROR session)
	Message string
}

// EventKind sorts Events.
type EventKind string

const (
	EventRequest EventKind = "REQUEST" // a Send Callflow answered: CREATED or NOT_CREATED
	EventDial    EventKind = "DIAL"    // a makeCall and how it was picked up
	EventCapture EventKind = "CAPTURE" // a prompt and what the caller did
	EventVCA     EventKind = "VCA"     // a webhook round trip
	EventEnd     EventKind = "END"     // the session ended
	EventVSS     EventKind = "VSS"     // the summary was (not) delivered
	EventVCS     EventKind = "VCS"     // a CALL_STATUS event could not be delivered, or was dropped
	EventFault   EventKind = "FAULT"   // a fault was played
	EventRing    EventKind = "RING"    // an inbound call rang a virtual number
)
