// Package phone puts a person on the line of an emulated call: it is the
// engine of `ivrctl dial`. A Phone is an emulator.Caller (and Listener)
// that lives on a real clock: what the session plays takes as long as the
// emulator's speech model says, word by word; each prompt waits for keys
// under its digitTimeout and overallTimeout; and every step is reported
// as a typed Event for a face to render (a terminal UI, a line printer).
// The call itself is pkg/emulator's session, the very one `ivrctl test`
// plays, so a call dialled by hand can be saved as a scenario that plays
// the same way (Result.Scenario).
//
// Input comes from any goroutine through Press, Silence, Enter and
// Hangup; the session runs in Run's goroutine and never waits on the UI.
package phone

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/ivrctl/ivrctl/pkg/emulator"
)

// Clock is the real clock a Phone waits on; tests give their own.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Options configure a Phone.
type Options struct {
	// Pace scales the emulator's durations onto the real clock: 1 plays
	// them as modelled, 2 twice as fast; 0 does not wait at all (speech and
	// rings go by at once: a script at the keys).
	Pace float64
	// Timeouts makes each prompt end as 8x8 ends it: on digitTimeout after
	// a key, on overallTimeout after the prompt. Without them a prompt
	// waits for an Enter (a whole entry, a line of a script), Silence or
	// Hangup.
	Timeouts bool
	// OnEvent hears every Event, from the call's goroutine, in order; it
	// must not block for long (a UI posts it to its own loop).
	OnEvent func(Event)
	// Clock is the real clock (nil: the system's).
	Clock Clock
}

// inputKind sorts what the person does.
type inputKind int

const (
	inKey     inputKind = iota // one DTMF key
	inEntry                    // a whole entry at once ("" = silence)
	inSilence                  // end the entry now, as its timeout would
	inHangup
)

type input struct {
	kind inputKind
	keys string
}

// inputBuffer is how many inputs wait for the call: more than a person
// types ahead; past it a key is dropped rather than blocking the UI.
const inputBuffer = 64

// Phone is the person's side of one call. Make one per call.
type Phone struct {
	opts  Options
	clock Clock
	in    chan input
	ctx   context.Context

	// The call goroutine's own state (no locking: only it touches them).
	pending []input // typed ahead, while something was being said
	hungUp  bool
	prompt  emulator.Prompt
	steps   []Step

	mu     sync.Mutex
	trips  []RoundTrip
	closed bool
}

// New returns a phone; call Run once.
func New(o Options) *Phone {
	c := o.Clock
	if c == nil {
		c = realClock{}
	}
	return &Phone{opts: o, clock: c, in: make(chan input, inputBuffer), ctx: context.Background()}
}

// Press sends one DTMF key (0-9, *, #); other runes are ignored.
func (p *Phone) Press(key rune) {
	if strings.ContainsRune(Keys, key) {
		p.send(input{kind: inKey, keys: string(key)})
	}
}

// Keys are the DTMF keys a Phone takes.
const Keys = "0123456789*#"

// Enter sends a whole entry for the next prompt: keys (only DTMF keys are
// kept), or "" for silence.
func (p *Phone) Enter(keys string) {
	keys = strings.Map(func(r rune) rune {
		if strings.ContainsRune(Keys, r) {
			return r
		}
		return -1
	}, keys)
	p.send(input{kind: inEntry, keys: keys})
}

// Silence ends the entry now, as its timeout would (no keys: no input).
func (p *Phone) Silence() { p.send(input{kind: inSilence}) }

// Hangup hangs up: at the prompt being asked, or the next one.
func (p *Phone) Hangup() { p.send(input{kind: inHangup}) }

func (p *Phone) send(in input) {
	select {
	case p.in <- in:
	default: // a person typing faster than a call can take: dropped
	}
}

func (p *Phone) emit(ev Event) {
	if p.opts.OnEvent != nil {
		p.opts.OnEvent(ev)
	}
}

// real is d on the real clock; 0 with Pace 0.
func (p *Phone) real(d time.Duration) time.Duration {
	if p.opts.Pace <= 0 {
		return 0
	}
	return time.Duration(float64(d) / p.opts.Pace)
}

// wait lets d of the call's time pass on the real clock. Input that comes
// meanwhile is kept for the next prompt; a hangup ends the wait (and
// every later one: nobody listens any more). It reports whether the whole
// time passed.
func (p *Phone) wait(d time.Duration) bool {
	if p.hungUp || p.ctx.Err() != nil {
		return false
	}
	r := p.real(d)
	var timer <-chan time.Time
	if r > 0 {
		timer = p.clock.After(r)
	}
	for {
		if timer == nil {
			// No waiting: take what is already there, without blocking.
			select {
			case in := <-p.in:
				if p.keep(in) {
					return false
				}
				continue
			default:
				return true
			}
		}
		select {
		case <-timer:
			return true
		case <-p.ctx.Done():
			return false
		case in := <-p.in:
			if p.keep(in) {
				return false
			}
		}
	}
}

// keep queues input that arrives while the call is not at a prompt, and
// reports a hangup.
func (p *Phone) keep(in input) bool {
	if in.kind == inHangup {
		p.hungUp = true
		return true
	}
	p.pending = append(p.pending, in)
	return false
}

// Dial answers a makeCall: the callee (you, leg 0) and an agent a menu
// connects (leg 1) both answer after the emulator's ring time. Choice:
// dial has no busy or no-answer callee; `ivrctl test` scenarios (caller.pickup,
// agent.pickup) cover those.
func (p *Phone) Dial(leg int, destination string) emulator.Pickup {
	p.emit(Ringing{Leg: leg, Destination: destination, For: emulator.RingAnswer, At: p.clock.Now()})
	p.wait(emulator.RingAnswer)
	p.emit(Answered{Leg: leg, Destination: destination, At: p.clock.Now()})
	return emulator.PickupAnswer
}

// Prompted notes the capture rules of the prompt about to be heard.
func (p *Phone) Prompted(pr emulator.Prompt) {
	p.prompt = pr
	p.emit(Prompting{Prompt: pr})
}

// Hear plays what is said, word by word, at the emulator's pace.
func (p *Phone) Hear(h emulator.Heard, d time.Duration) {
	words := strings.Fields(h.Text)
	if h.Kind == emulator.HeardPlay || len(words) == 0 {
		words = []string{h.Text}
	}
	p.emit(Speaking{Heard: h, Words: words, Duration: d, At: p.clock.Now()})
	per := d / time.Duration(len(words))
	shown := 0
	for i := range words {
		if !p.wait(per) {
			break
		}
		shown = i + 1
		p.emit(Word{Index: i, At: p.clock.Now()})
	}
	p.emit(Spoken{Heard: h, Cut: shown < len(words)})
}

// Capture waits for the person's keys at the prompt just heard.
func (p *Phone) Capture(prompt string, try int) (string, bool) {
	pr := p.prompt
	if pr.Text != prompt || pr.Try != try {
		// A Listener is always told first; this is a Caller used alone.
		pr = emulator.Prompt{Text: prompt, Try: try, Tries: try, MinDigits: 1, MaxDigits: 1,
			OverallTimeout: 5 * time.Second, DigitTimeout: 5 * time.Second}
	}
	st := p.listen(pr)
	st.Prompt, st.Try, st.Menu = prompt, try, pr.Menu
	p.steps = append(p.steps, st)
	p.emit(Entered{Step: st, At: p.clock.Now()})
	return st.Keys, st.Action == ActionHangup
}

// listen runs one entry: the keys typed ahead first, then the live ones.
func (p *Phone) listen(pr emulator.Prompt) Step {
	if p.hungUp || p.ctx.Err() != nil {
		return Step{Action: ActionHangup, Why: EndHangup}
	}
	now := p.clock.Now()
	var overall, digit <-chan time.Time
	ev := Listening{Prompt: pr, At: now}
	if p.opts.Timeouts {
		ev.OverallEnds = now.Add(p.real(pr.OverallTimeout))
		overall = p.clock.After(p.real(pr.OverallTimeout))
	}
	p.emit(ev)
	keys := ""
	press := func(k string) (Step, bool) {
		keys += k
		if pr.Complete(keys) {
			return Step{Action: ActionPress, Keys: keys, Why: EndComplete}, true
		}
		var ends time.Time
		if p.opts.Timeouts {
			t := p.clock.Now()
			ends = t.Add(p.real(pr.DigitTimeout))
			digit = p.clock.After(p.real(pr.DigitTimeout))
		}
		p.emit(Key{Keys: keys, DigitEnds: ends, At: p.clock.Now()})
		return Step{}, false
	}
	ended := func(why End) Step {
		if keys == "" {
			return Step{Action: ActionSilence, Why: why}
		}
		return Step{Action: ActionPress, Keys: keys, Why: why}
	}
	handle := func(in input) (Step, bool) {
		switch in.kind {
		case inHangup:
			p.hungUp = true
			return Step{Action: ActionHangup, Why: EndHangup}, true
		case inSilence:
			return ended(EndSilence), true
		case inEntry:
			if keys != "" || in.keys != "" {
				return Step{Action: ActionPress, Keys: keys + in.keys, Why: EndEntry}, true
			}
			return Step{Action: ActionSilence, Why: EndEntry}, true
		}
		return press(in.keys)
	}
	for len(p.pending) > 0 {
		in := p.pending[0]
		p.pending = p.pending[1:]
		if st, done := handle(in); done {
			return st
		}
	}
	for {
		select {
		case <-p.ctx.Done():
			return Step{Action: ActionHangup, Why: EndHangup}
		case in := <-p.in:
			if st, done := handle(in); done {
				return st
			}
		case <-overall:
			return ended(EndOverallTimeout)
		case <-digit:
			return ended(EndDigitTimeout)
		}
	}
}

// Call is what Run places.
type Call struct {
	// Request is the Send Callflow request body (its makeCall rings you).
	Request []byte
	// Inbound, when set, is an inbound call instead: you dial the virtual
	// number Inbound.To from Inbound.From, the webhook is asked with
	// CALL_RECEIVED, and Request is not used (emulator.Ring).
	Inbound *emulator.Inbound
	// Webhook answers the VCA events: the menu in-process, or a URL.
	Webhook emulator.Webhook
	// VSS, when set, takes the session summary (emulator.Config.VSS).
	VSS func(ctx context.Context, body []byte) error
	// WebhookTimeout bounds each round trip (0: the emulator's default).
	WebhookTimeout time.Duration
	// Start and NewID are the emulator's (nil: now, random UUIDs).
	Start func() time.Time
	NewID func() string
}

// Result is one call dialled.
type Result struct {
	Transcript *emulator.Transcript
	Steps      []Step      // what the person did at each prompt, in order
	RoundTrips []RoundTrip // every webhook round trip, in order
}

// Run places the call and plays it to its end with the person at this
// phone (an inbound call when c.Inbound is set). Once ctx is done the person is taken to have hung up (and a
// webhook round trip in flight is cut off: the session ends ERROR). A
// request the platform would refuse returns an *emulator.RejectedError,
// an inbound call that cannot ring an *emulator.RingError.
func (p *Phone) Run(ctx context.Context, c Call) (*Result, error) {
	p.ctx = ctx
	emu := emulator.New(emulator.Config{
		Webhook:        &watched{inner: c.Webhook, p: p},
		VSS:            c.VSS,
		WebhookTimeout: c.WebhookTimeout,
		Start:          c.Start,
		NewID:          c.NewID,
	})
	var tr *emulator.Transcript
	var err error
	if c.Inbound != nil {
		// You place the call: it is connected when 8x8 sends CALL_RECEIVED
		// (the emulator's choice), so there is no ringing to wait out.
		p.emit(Answered{Leg: 0, Destination: c.Inbound.To, Inbound: true, At: p.clock.Now()})
		tr, err = emu.Ring(ctx, *c.Inbound, p)
	} else {
		tr, err = emu.Run(ctx, c.Request, p)
	}
	p.mu.Lock()
	p.closed = true
	res := &Result{Transcript: tr, Steps: p.steps, RoundTrips: p.trips}
	p.mu.Unlock()
	p.emit(Ended{Result: res, Err: err, At: p.clock.Now()})
	return res, err
}
