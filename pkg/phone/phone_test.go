package phone

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ivrctl/ivrctl/pkg/emulator"
	"github.com/ivrctl/ivrctl/pkg/menu"
	"github.com/ivrctl/ivrctl/pkg/scenario"
	"github.com/ivrctl/ivrctl/pkg/webhook/webhooktest"
)

// engine compiles a menu file ("": the embedded one) as serve does.
func engine(t *testing.T, file string) *menu.Engine { return webhooktest.Engine(t, file) }

// recorder keeps the events of a call, safe to read after Run.
type recorder struct {
	mu     sync.Mutex
	events []Event
	on     func(Event)
}

func (r *recorder) add(ev Event) {
	r.mu.Lock()
	r.events = append(r.events, ev)
	on := r.on
	r.mu.Unlock()
	if on != nil {
		on(ev)
	}
}

func dial(t *testing.T, p *Phone, eng *menu.Engine) *Result {
	t.Helper()
	req, err := scenario.MenuRequest(eng, eng.Numbers().From, scenario.DefaultTo)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := p.Run(ctx, Call{Request: req, Webhook: emulator.EngineWebhook{Engine: eng}})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func actions(steps []Step) []string {
	var out []string
	for _, s := range steps {
		out = append(out, string(s.Action)+":"+s.Keys+":"+string(s.Why))
	}
	return out
}

// Whole entries (the line mode): silence at the first try, 2 at the
// second connects the agent; the saved scenario passes `ivrctl test`'s
// runner as written.
func TestEntriesAndSavedScenarioPasses(t *testing.T) {
	eng := engine(t, "")
	p := New(Options{})
	p.Enter("")
	p.Enter("2")
	res := dial(t, p, eng)
	if diff := cmp.Diff([]string{"silence::entry", "press:2:entry"}, actions(res.Steps)); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	tr := res.Transcript
	if tr.Status() != "COMPLETED" || len(tr.Connected) != 1 || len(res.RoundTrips) != 1 {
		t.Fatalf("status %s, connected %v, %d round trips; want COMPLETED, the agent, 1", tr.Status(), tr.Connected, len(res.RoundTrips))
	}
	rt := res.RoundTrips[0]
	if rt.EventType != "CALL_ACTION" || rt.DTMF != "2" || rt.Status != 200 || rt.N != 1 {
		t.Errorf("round trip %+v", rt)
	}
	passes(t, res, scenario.Call{})
}

// passes saves the call as a scenario file, reads it back and plays it.
func passes(t *testing.T, res *Result, call scenario.Call) {
	t.Helper()
	s, err := res.Scenario("dialled", call)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := scenario.Write(&buf, []*scenario.Scenario{s}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "dialled.yaml")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ss, err := scenario.Load([]string{file}, nil)
	if err != nil {
		t.Fatalf("the saved scenario does not load: %v\n%s", err, buf.Bytes())
	}
	r := (&scenario.Runner{}).Run(context.Background(), ss, nil)
	if !r[0].Passed() {
		t.Errorf("the saved scenario fails: %v %+v\n%s", r[0].Err, r[0].Failures, buf.Bytes())
	}
}

// On a real clock (paced 1000 times faster), a prompt nobody answers ends
// on overallTimeout; a hangup in the middle of a text cuts it.
func TestTimeoutsOnTheClock(t *testing.T) {
	eng := engine(t, "")
	rec := &recorder{}
	p := New(Options{Pace: 1000, Timeouts: true, OnEvent: rec.add})
	entered := 0
	rec.on = func(ev Event) {
		if _, ok := ev.(Entered); ok {
			if entered++; entered == 2 {
				p.Hangup()
			}
		}
	}
	res := dial(t, p, eng)
	// Two silent tries; the hangup comes while the webhook's "Sorry" is said.
	want := []string{"silence::overallTimeout", "silence::overallTimeout", "hangup::hangup"}
	if diff := cmp.Diff(want, actions(res.Steps)); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	var listening []Listening
	cut := false
	for _, ev := range rec.events {
		switch ev := ev.(type) {
		case Listening:
			listening = append(listening, ev)
		case Spoken:
			cut = cut || ev.Cut
		}
	}
	if len(listening) != 2 || listening[0].OverallEnds.Sub(listening[0].At) != 10*time.Millisecond {
		t.Errorf("listening %+v: want 2, overallTimeout 10s paced to 10ms", listening)
	}
	if !cut {
		t.Errorf("no text was cut by the hangup")
	}
	passes(t, res, scenario.Call{})
}

// Keys typed ahead (during the ring and the prompt) are the entry; an
// entry short of maxDigits ends on digitTimeout, one with # at once.
func TestDigitTimeoutAndHash(t *testing.T) {
	file := filepath.Join("testdata", "pin.yaml")
	eng := engine(t, file)
	for _, tc := range []struct {
		keys, want string
	}{
		{"12", "press:12:digitTimeout"},
		{"1234", "press:1234:complete"},
		{"12#", "press:12#:complete"},
	} {
		t.Run(tc.keys, func(t *testing.T) {
			p := New(Options{Pace: 1000, Timeouts: true})
			for _, k := range tc.keys {
				p.Press(k)
			}
			res := dial(t, p, eng)
			if diff := cmp.Diff([]string{tc.want}, actions(res.Steps)); diff != "" {
				t.Errorf("steps (-want +got):\n%s", diff)
			}
			abs, _ := filepath.Abs(file)
			passes(t, res, scenario.Call{Menu: abs})
		})
	}
}

// Words come one by one, over the time the emulator's speech model gives.
func TestWordByWord(t *testing.T) {
	eng := engine(t, "")
	rec := &recorder{}
	p := New(Options{OnEvent: rec.add})
	p.Enter("1")
	dial(t, p, eng)
	var sp *Speaking
	words := 0
	for _, ev := range rec.events {
		switch ev := ev.(type) {
		case Speaking:
			if sp == nil {
				sp = &ev
			}
		case Word:
			if sp != nil && words == ev.Index {
				words++
			}
		case Spoken:
			if sp != nil && words > 0 {
				goto done
			}
		}
	}
done:
	if sp == nil || sp.Heard.Kind != emulator.HeardPrompt || words != len(sp.Words) || sp.Duration != time.Duration(len(sp.Words))*400*time.Millisecond {
		t.Fatalf("first text %+v, %d words told", sp, words)
	}
}

// An inbound call: you dial the virtual number, the menu answers
// CALL_RECEIVED with its start prompt (the first round trip, INBOUND),
// 1 ends the call; no ring is waited for, and the saved scenario
// (direction: inbound) passes.
func TestInbound(t *testing.T) {
	eng := engine(t, "")
	rec := &recorder{}
	p := New(Options{OnEvent: rec.add})
	p.Enter("1")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	in := &emulator.Inbound{To: "+6512345678", From: "+6590000000"}
	res, err := p.Run(ctx, Call{Inbound: in, Webhook: emulator.EngineWebhook{Engine: eng}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"press:1:entry"}, actions(res.Steps)); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	if len(res.RoundTrips) != 2 || res.RoundTrips[0].CallStatus != "CALL_RECEIVED" || res.RoundTrips[0].Actions[0] != "sayAndCapture" {
		t.Fatalf("round trips %+v: want CALL_RECEIVED answered by the prompt, then dtmf 1", res.RoundTrips)
	}
	if res.Transcript.Direction != "INBOUND" || res.Transcript.Status() != "COMPLETED" {
		t.Errorf("transcript %s %s, want INBOUND COMPLETED", res.Transcript.Direction, res.Transcript.Status())
	}
	var first Event
	for _, ev := range rec.events {
		if _, ok := ev.(Ringing); ok {
			t.Errorf("an inbound call rang you: %+v", ev)
		}
		if first == nil {
			first = ev
		}
	}
	if a, ok := first.(Answered); !ok || !a.Inbound || a.Leg != 0 || a.Destination != in.To {
		t.Errorf("first event %+v, want Answered{Leg: 0, Inbound, Destination: the virtual number}", first)
	}
	passes(t, res, scenario.Call{Inbound: true, To: in.To, From: in.From})
}
