package dial

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/google/go-cmp/cmp"

	"github.com/ivrctl/ivrctl/pkg/emulator"
	goldenfile "github.com/ivrctl/ivrctl/pkg/golden"
	"github.com/ivrctl/ivrctl/pkg/menu"
	"github.com/ivrctl/ivrctl/pkg/phone"
	"github.com/ivrctl/ivrctl/pkg/scenario"
)

// t0 is the screen's clock in tests: every screen is the same on every run.
var t0 = time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)

// golden compares a screen with testdata/dial/NAME.golden (-update
// rewrites it).
func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Text(t, filepath.Join("..", "..", "testdata", "dial", name+".golden"), got)
}

// fakeCtl records what the keys asked of the phone.
type fakeCtl struct{ did []string }

func (c *fakeCtl) Press(k rune) { c.did = append(c.did, "press "+string(k)) }
func (c *fakeCtl) Silence()     { c.did = append(c.did, "silence") }
func (c *fakeCtl) Hangup()      { c.did = append(c.did, "hangup") }

func runes(s string) tea.KeyPressMsg { return tea.KeyPressMsg{Code: rune(s[0]), Text: s} }

const testTitle = "6512345678 → +6590000000 · simple-ivr.yaml (embedded)"

func testModel(ctl controls, leave func()) *model {
	return newModel(testTitle, "main", 1, ctl, leave, newStyles(false), t0)
}

func at(d time.Duration) time.Time { return t0.Add(d) }

// send gives the model messages in order, as bubbletea would, and returns
// the last command.
func send(m *model, msgs ...tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	for _, msg := range msgs {
		_, cmd = m.Update(msg)
	}
	return cmd
}

func ev(e phone.Event) tea.Msg { return eventMsg{e} }

var pinPrompt = emulator.Prompt{
	Text: "Enter your PIN, then hash.", Try: 1, Tries: 2, MinDigits: 4, MaxDigits: 4,
	DigitTimeout: 3 * time.Second, OverallTimeout: 8 * time.Second, CompleteOnHash: true, Menu: "pin",
}

// A call as the phone tells it, screen by screen: ringing, a prompt
// said word by word, the capture counting down as keys come, the keypad
// lighting the key pressed.
func TestScreens(t *testing.T) {
	ctl := &fakeCtl{}
	m := testModel(ctl, func() {})
	send(m, ev(phone.Ringing{Leg: 0, Destination: "+6590000000", For: 4 * time.Second, At: at(0)}))
	golden(t, "ringing", m.screen())

	words := strings.Fields(pinPrompt.Text)
	send(m,
		ev(phone.Answered{Leg: 0, Destination: "+6590000000", At: at(4 * time.Second)}),
		ev(phone.Speaking{Heard: emulator.Heard{Kind: emulator.HeardSay, Text: "Welcome to the bank."}, Words: strings.Fields("Welcome to the bank."), Duration: 1600 * time.Millisecond, At: at(4 * time.Second)}),
		ev(phone.Word{Index: 3}),
		ev(phone.Spoken{Heard: emulator.Heard{Kind: emulator.HeardSay, Text: "Welcome to the bank."}}),
		ev(phone.Prompting{Prompt: pinPrompt}),
		ev(phone.Speaking{Heard: emulator.Heard{Kind: emulator.HeardPrompt, Text: pinPrompt.Text}, Words: words, Duration: 2 * time.Second, At: at(6 * time.Second)}),
		ev(phone.Word{Index: 0}), ev(phone.Word{Index: 1}),
		tickMsg(at(7*time.Second)),
	)
	golden(t, "speaking", m.screen())

	send(m,
		ev(phone.Word{Index: 2}), ev(phone.Word{Index: 3}), ev(phone.Word{Index: 4}),
		ev(phone.Spoken{Heard: emulator.Heard{Kind: emulator.HeardPrompt, Text: pinPrompt.Text}}),
		ev(phone.Listening{Prompt: pinPrompt, OverallEnds: at(16 * time.Second), At: at(8 * time.Second)}),
		tickMsg(at(10*time.Second)),
		runes("4"),
		ev(phone.Key{Keys: "4", DigitEnds: at(13 * time.Second), At: at(10 * time.Second)}),
		tickMsg(at(11*time.Second)),
		runes("2"),
		ev(phone.Key{Keys: "42", DigitEnds: at(14 * time.Second), At: at(11 * time.Second)}),
		tickMsg(at(11*time.Second+100*time.Millisecond)),
	)
	golden(t, "listening", m.screen())
	if diff := cmp.Diff([]string{"press 4", "press 2"}, ctl.did); diff != "" {
		t.Errorf("keys sent (-want +got):\n%s", diff)
	}
}

// The keys: DTMF, space for silence, h to hang up, q to leave (the call
// ends, then the UI); after the end any of q quits at once. Keys that are
// not the phone's do nothing.
func TestKeys(t *testing.T) {
	ctl := &fakeCtl{}
	left := 0
	m := testModel(ctl, func() { left++ })
	send(m, runes("1"), runes("*"), runes("#"), tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}, runes("s"), runes("x"), runes("h"))
	want := []string{"press 1", "press *", "press #", "silence", "silence", "hangup"}
	if diff := cmp.Diff(want, ctl.did); diff != "" {
		t.Errorf("keys sent (-want +got):\n%s", diff)
	}
	if cmd := send(m, tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}); cmd != nil || left != 1 || !m.quitting {
		t.Fatalf("ctrl+c: cmd %v, left %d, quitting %v; want the call left, the UI waiting for its end", cmd, left, m.quitting)
	}
	send(m, runes("2"))
	if len(ctl.did) != len(want) {
		t.Errorf("a key after quitting reached the phone: %v", ctl.did)
	}
	cmd := send(m, ev(phone.Ended{At: at(time.Minute)}))
	if cmd == nil {
		t.Fatal("the end of the call does not quit the UI")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Errorf("the end of the call: %T, want tea.QuitMsg", cmd())
	}
	if _, ok := send(m, runes("q"))().(tea.QuitMsg); !ok {
		t.Error("q after the end does not quit")
	}
}

// fixedClock stands still: latencies are 0, screens stable.
type fixedClock struct{}

func (fixedClock) Now() time.Time                         { return t0 }
func (fixedClock) After(d time.Duration) <-chan time.Time { return nil }

// A real call (the simple IVR: silence, then 2) played by pkg/phone into
// the model: the last screen has the history, both round trips... and the
// session summary in the side pane.
func TestRealCallScreen(t *testing.T) {
	eng, err := menu.Compile(menu.Default(), menu.Numbers{})
	if err != nil {
		t.Fatal(err)
	}
	req, err := scenario.MenuRequest(eng, "6512345678", scenario.DefaultTo)
	if err != nil {
		t.Fatal(err)
	}
	m := testModel(&fakeCtl{}, func() {})
	var mu sync.Mutex
	ph := phone.New(phone.Options{Clock: fixedClock{}, OnEvent: func(e phone.Event) {
		mu.Lock()
		defer mu.Unlock()
		send(m, ev(e))
	}})
	ph.Enter("9")
	ph.Enter("")
	ph.Enter("2")
	n := 0
	_, err = ph.Run(context.Background(), phone.Call{
		Request: req, Webhook: emulator.EngineWebhook{Engine: eng},
		Start: func() time.Time { return t0 },
		NewID: func() string { n++; return "id-" + string(rune('a'+n)) },
	})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "ended", m.screen())
}

// An inbound call (--inbound): the title and the state say so, no ringing;
// the first round trip is CALL_RECEIVED, answered by the start prompt.
func TestInboundScreen(t *testing.T) {
	m := newModel("inbound · +6590000000 → 6512345678 · simple-ivr.yaml (embedded)", "main", 1, &fakeCtl{}, func() {}, newStyles(false), t0)
	m.inbound = true
	prompt := emulator.Prompt{Text: "Press 1 to end the call, 2 for an agent.", Try: 1, Tries: 2, MinDigits: 1, MaxDigits: 1,
		DigitTimeout: 5 * time.Second, OverallTimeout: 10 * time.Second}
	heard := emulator.Heard{Kind: emulator.HeardPrompt, Text: prompt.Text}
	send(m,
		ev(phone.Answered{Leg: 0, Destination: "6512345678", Inbound: true, At: at(0)}),
		ev(phone.RoundTrip{N: 1, EventType: "CALL_ACTION", CallStatus: "CALL_RECEIVED", NoInput: true, Status: 200,
			Actions: []string{"sayAndCapture"}, AnswerID: "main", Latency: 400 * time.Microsecond, At: at(0)}),
		ev(phone.Prompting{Prompt: prompt}),
		ev(phone.Speaking{Heard: heard, Words: strings.Fields(prompt.Text), Duration: 4 * time.Second, At: at(0)}),
		ev(phone.Spoken{Heard: heard}),
		ev(phone.Listening{Prompt: prompt, OverallEnds: at(14 * time.Second), At: at(4 * time.Second)}),
		tickMsg(at(7*time.Second)),
	)
	golden(t, "inbound", m.screen())
}

// A real inbound call (the simple IVR, 2 connects the agent) played by
// pkg/phone into the model: its last screen.
func TestRealInboundCallScreen(t *testing.T) {
	eng, err := menu.Compile(menu.Default(), menu.Numbers{})
	if err != nil {
		t.Fatal(err)
	}
	m := newModel("inbound · +6590000000 → 6512345678 · simple-ivr.yaml (embedded)", "main", 1, &fakeCtl{}, func() {}, newStyles(false), t0)
	m.inbound = true
	var mu sync.Mutex
	ph := phone.New(phone.Options{Clock: fixedClock{}, OnEvent: func(e phone.Event) {
		mu.Lock()
		defer mu.Unlock()
		send(m, ev(e))
	}})
	ph.Enter("2")
	n := 0
	_, err = ph.Run(context.Background(), phone.Call{
		Inbound: &emulator.Inbound{To: "6512345678", From: scenario.DefaultTo},
		Webhook: emulator.EngineWebhook{Engine: eng},
		Start:   func() time.Time { return t0 },
		NewID:   func() string { n++; return "id-" + string(rune('a'+n)) },
	})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "inbound-ended", m.screen())
}
