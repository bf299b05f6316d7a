package emulator

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ivrctl/ivrctl/pkg/callflow"
)

// The simple menu's paths, each run against the in-process engine and
// against a real pkg/webhook.Server over HTTP: both must give the golden
// transcript.
var simplePaths = []struct {
	name   string
	script Script
	status string
}{
	{"press-1", Script{Press: []string{"1"}}, callflow.SessionCompleted},
	{"press-2-agent-answers", Script{Press: []string{"2"}}, callflow.SessionCompleted},
	{"press-2-agent-busy", Script{Press: []string{"2"}, Agent: PickupBusy}, callflow.SessionBusy},
	{"press-2-agent-no-answer", Script{Press: []string{"2"}, Agent: PickupNoAnswer}, callflow.SessionNoAnswer},
	{"silence", Script{Press: []string{"", ""}}, callflow.SessionCompleted},
	{"invalid-then-1", Script{Press: []string{"9", "1"}}, callflow.SessionCompleted},
	{"callee-busy", Script{Answer: PickupBusy}, callflow.SessionBusy},
	{"callee-no-answer", Script{Answer: PickupNoAnswer}, callflow.SessionNoAnswer},
	{"callee-fails", Script{Answer: PickupFail}, callflow.SessionFailed},
	{"hangs-up-at-first-prompt", Script{}, callflow.SessionCompleted},
}

func TestSimpleMenuPaths(t *testing.T) {
	t.Parallel()
	eng := simpleEngine(t)
	url := serveHTTP(t, eng)
	req := request(t, eng, "crid-1")
	for _, tc := range simplePaths {
		t.Run(tc.name, func(t *testing.T) {
			viaEngine := run(t, New(testConfig(EngineWebhook{Engine: eng})), req, tc.script.Caller())
			viaHTTP := run(t, New(testConfig(&HTTPWebhook{URL: url})), req, tc.script.Caller())
			if got := viaEngine.Status(); got != tc.status {
				t.Errorf("status %s, want %s (notes %q)", got, tc.status, viaEngine.Notes)
			}
			goldenView(t, "simple/"+tc.name+".json", viaEngine)
			if diff := cmp.Diff(viaEngine, viaHTTP); diff != "" {
				t.Errorf("engine and HTTP transcripts differ (-engine +http):\n%s", diff)
			}
		})
	}
}

// The advanced menu's connect option names post_call: after the agent
// call the webhook is asked again and says goodbye.
func TestAdvancedMenuPostCall(t *testing.T) {
	t.Parallel()
	eng := loadEngine(t, "advanced-ivr.yaml")
	url := serveHTTP(t, eng)
	req := request(t, eng, "")
	for _, tc := range []struct {
		name   string
		script Script
	}{
		{"connect-agent", Script{Press: []string{"2", "1"}}},
		{"connect-agent-busy", Script{Press: []string{"2", "1"}, Agent: PickupBusy}},
		{"book-tomorrow", Script{Press: []string{"1", "1", "2"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			viaEngine := run(t, New(testConfig(EngineWebhook{Engine: eng})), req, tc.script.Caller())
			viaHTTP := run(t, New(testConfig(&HTTPWebhook{URL: url})), req, tc.script.Caller())
			goldenView(t, "advanced/"+tc.name+".json", viaEngine)
			if diff := cmp.Diff(viaEngine, viaHTTP); diff != "" {
				t.Errorf("engine and HTTP transcripts differ (-engine +http):\n%s", diff)
			}
		})
	}
}

// A caller who hangs up in the menu ends the session as 8x8's IVR example
// shows it: COMPLETED, one leg, lastAction HANGUP (the caller's hangup is
// the last thing that happened, not the prompt). A session cut off at
// MaxActions is a caller hanging up too.
func TestCallerHangupIsLastAction(t *testing.T) {
	t.Parallel()
	eng := simpleEngine(t)
	req := request(t, eng, "")
	for _, tc := range []struct {
		name   string
		cfg    func(*Config)
		script Script
	}{
		{"at the first prompt", func(*Config) {}, Script{}},
		{"after a silence", func(*Config) {}, Script{Press: []string{""}}},
		{"at MaxActions", func(c *Config) { c.MaxActions = 3 }, Script{Press: []string{"9", "9", "9", "9"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(EngineWebhook{Engine: eng})
			tc.cfg(&cfg)
			p := run(t, New(cfg), req, tc.script.Caller()).Summary.Payload
			if p.SessionStatus != callflow.SessionCompleted || p.LastAction != "HANGUP" || p.CallCount != 1 ||
				p.Details["callA"].CallStatus != callflow.SessionCompleted {
				t.Errorf("summary %s, lastAction %s, %d leg(s), callA %s; want COMPLETED, HANGUP, 1, COMPLETED",
					p.SessionStatus, p.LastAction, p.CallCount, p.Details["callA"].CallStatus)
			}
		})
	}
}
