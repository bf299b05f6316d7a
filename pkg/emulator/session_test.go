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
			golden(t, "simple/"+tc.name+".json", viewOf(viaEngine))
			if diff := cmp.Diff(viaEngine, viaHTTP); diff != "" {
				t.Errorf("engine and HTTP transcripts differ (-engine +http):\n%s", diff)
			}
		})
	}
}

// The advanced menu's connect option names post_call: after the agent
// call the webhook is asked again and says goodbye.
func TestAdvancedMenuPostCall(t *testing.T) {
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
			golden(t, "advanced/"+tc.name+".json", viewOf(viaEngine))
			if diff := cmp.Diff(viaEngine, viaHTTP); diff != "" {
				t.Errorf("engine and HTTP transcripts differ (-engine +http):\n%s", diff)
			}
		})
	}
}
