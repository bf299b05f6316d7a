package emulator

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// listener is a Script caller that notes what a Listener is told.
type listener struct {
	Caller
	prompts []Prompt
	heard   []string
}

func (l *listener) Prompted(p Prompt) { l.prompts = append(l.prompts, p) }
func (l *listener) Hear(h Heard, d time.Duration) {
	l.heard = append(l.heard, h.Kind+" "+d.String())
}

// A Listener is told each prompt's rules before it is heard, and each
// text with its length on the emulator's clock, in the order heard; the
// transcript is the one a plain Caller gets.
func TestListenerIsTold(t *testing.T) {
	t.Parallel()
	eng := simpleEngine(t)
	req := request(t, eng, "")
	l := &listener{Caller: Script{Press: []string{"", "9", "1"}}.Caller()}
	tr := run(t, New(testConfig(EngineWebhook{Engine: eng})), req, l)
	plain := run(t, New(testConfig(EngineWebhook{Engine: eng})), req, Script{Press: []string{"", "9", "1"}}.Caller())
	if diff := cmp.Diff(plain, tr); diff != "" {
		t.Errorf("a Listener changed the call (-plain +listener):\n%s", diff)
	}
	if len(l.prompts) != 3 {
		t.Fatalf("%d prompts told, want 3: %+v", len(l.prompts), l.prompts)
	}
	// The simple IVR's params: 1 digit, 10 s each, 2 tries, no #.
	first := l.prompts[0]
	want := Prompt{Text: first.Text, Try: 1, Tries: 2, MinDigits: 1, MaxDigits: 1,
		DigitTimeout: 10 * time.Second, OverallTimeout: 10 * time.Second}
	if diff := cmp.Diff(want, first); diff != "" {
		t.Errorf("first prompt (-want +got):\n%s", diff)
	}
	if l.prompts[1].Try != 2 || l.prompts[2].Try != 1 {
		t.Errorf("tries %d, %d; want 2 (asked again), then 1 (the webhook's prompt)", l.prompts[1].Try, l.prompts[2].Try)
	}
	// 400 ms a word: the prompt's 27, the failure message's 5, the retry
	// prompt's 24.
	wantHeard := []string{"prompt 10.8s", "failure 2s", "prompt 10.8s", "prompt 9.6s"}
	if diff := cmp.Diff(wantHeard, l.heard); diff != "" {
		t.Errorf("heard (-want +got):\n%s", diff)
	}
}

// Complete and Accepted are the session's own entry rules.
func TestPromptRules(t *testing.T) {
	t.Parallel()
	pin := Prompt{MinDigits: 4, MaxDigits: 4, CompleteOnHash: true}
	for _, tc := range []struct {
		p                  Prompt
		keys               string
		complete, accepted bool
	}{
		{pin, "12", false, false},
		{pin, "1234", true, true},
		{pin, "12#", true, false},
		{pin, "1234#", true, true},
		{pin, "", false, false},
		{Prompt{MinDigits: 1, MaxDigits: 1}, "#", true, true},
		{Prompt{MinDigits: 1, MaxDigits: 2}, "1", false, true},
	} {
		if c, a := tc.p.Complete(tc.keys), tc.p.Accepted(tc.keys); c != tc.complete || a != tc.accepted {
			t.Errorf("%+v %q: complete %v, accepted %v; want %v, %v", tc.p, tc.keys, c, a, tc.complete, tc.accepted)
		}
	}
}
