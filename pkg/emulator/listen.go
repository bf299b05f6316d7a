package emulator

import (
	"time"

	"github.com/ivrctl/ivrctl/pkg/callflow"
)

// Listener is a Caller that is told what the session plays as it plays
// it, for a caller that lives on a real clock (`ivrctl dial` paces the
// call for a person at the keyboard). The session calls it from its own
// goroutine, in order; it may block (a person listening), and the virtual
// clock moves on when it returns. Scripted callers need not implement it.
type Listener interface {
	Caller
	// Prompted is told about a sayAndCapture before its prompt is heard:
	// the capture rules that apply to the keys asked next by Capture.
	Prompted(p Prompt)
	// Hear is told each thing callA hears, with how long it lasts on the
	// emulator's clock (its speech model: 150 words a minute at speed 1,
	// times repetition), before the clock moves on by d.
	Hear(h Heard, d time.Duration)
}

// Prompt is one play of a sayAndCapture prompt, with the params 8x8
// applies to the keys (the spec's defaults filled in).
type Prompt struct {
	Text           string
	Try, Tries     int // this play (from 1) of noOfTries
	MinDigits      int
	MaxDigits      int
	DigitTimeout   time.Duration // no key within it ends an entry begun
	OverallTimeout time.Duration // the whole entry, from the end of the prompt
	CompleteOnHash bool
	// Menu is the clientActionId of the callflow asking ("" for the Send
	// Callflow request's own): an ivrctl menu names its menu there.
	Menu string
}

// Complete reports whether keys end the entry by themselves (maxDigits
// reached, or '#' with completeOnHash), without waiting for a timeout:
// the emulator's own rule, so a caller on a real clock stops listening
// exactly where the session will cut the keys.
func (p Prompt) Complete(keys string) bool {
	_, complete := entry(keys, p.MaxDigits, p.CompleteOnHash)
	return complete
}

// Accepted reports whether keys, once the entry has ended, are a valid
// entry (minDigits to maxDigits digits), as the session judges them.
func (p Prompt) Accepted(keys string) bool {
	digits, _ := entry(keys, p.MaxDigits, p.CompleteOnHash)
	n := len(digits)
	return keys != "" && n >= p.MinDigits && n <= p.MaxDigits
}

// prompted tells a Listener caller about a capture.
func (s *session) prompted(p *callflow.Params, try, tries, minD, maxD int, digitWait, overall time.Duration, onHash bool) {
	l, ok := s.caller.(Listener)
	if !ok {
		return
	}
	l.Prompted(Prompt{
		Text: p.PromptMessage.Value, Try: try, Tries: tries,
		MinDigits: minD, MaxDigits: maxD, DigitTimeout: digitWait, OverallTimeout: overall,
		CompleteOnHash: onHash, Menu: s.menu,
	})
}

// heard tells a Listener caller what is heard.
func (s *session) heard(h Heard, d time.Duration) {
	if l, ok := s.caller.(Listener); ok {
		l.Hear(h, d)
	}
}
