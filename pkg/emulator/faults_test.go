package emulator

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/pkg/callflow"
)

// naiveBackend is what many backends look like: it counts every event and
// summary it gets, and moves a per-call state on every VCA event, trusting
// that each arrives once.
type naiveBackend struct {
	mu        sync.Mutex
	byCall    map[string]int // VCA events seen per callId
	eventIDs  map[string]int // per eventId: what a careful backend keys on
	summaries []string       // sessionIds, in arrival order
	fail500   int            // answer the first N summaries 500 (after recording them)
}

func newNaive() *naiveBackend {
	return &naiveBackend{byCall: map[string]int{}, eventIDs: map[string]int{}}
}

// CallAction answers the first event of a call with "first" and any later
// one with "second", then hangs up.
func (b *naiveBackend) CallAction(_ context.Context, event []byte) (int, []byte, error) {
	ev, err := callflow.DecodeVCA(event)
	if err != nil {
		return http.StatusBadRequest, nil, nil
	}
	b.mu.Lock()
	b.byCall[ev.Payload.CallID]++
	b.eventIDs[ev.Payload.EventID]++
	n := b.byCall[ev.Payload.CallID]
	b.mu.Unlock()
	text := "first"
	if n > 1 {
		text = "second"
	}
	return http.StatusOK, []byte(`{"callflow":[{"action":"say","params":{"text":"` + text + `","voiceProfile":"en-US-Jenny"}},{"action":"hangup"}]}`), nil
}

func (b *naiveBackend) VSS(_ context.Context, body []byte) error {
	var ev callflow.VSSEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.summaries = append(b.summaries, ev.Payload.SessionID)
	if b.fail500 > 0 {
		b.fail500--
		return &StatusError{URL: "http://backend/vss", Status: 500}
	}
	return nil
}

func faultsOf(t *testing.T, names ...string) Faults {
	t.Helper()
	f, err := ParseFaults(names)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func noted(tr *Transcript, fault string) bool {
	for _, n := range tr.Notes {
		if strings.HasPrefix(n, "fault "+fault+":") {
			return true
		}
	}
	return false
}

func faultEmulator(b *naiveBackend, f Faults) (*Emulator, []byte) {
	cfg := testConfig(b)
	cfg.VSS = b.VSS
	cfg.Faults = f
	eng := menuOneCapture()
	return New(cfg), eng
}

// menuOneCapture is a request with one sayAndCapture: one VCA event.
func menuOneCapture() []byte {
	return []byte(`{"callflow":[{"action":"makeCall","params":{"source":"6561115777","destination":"6512345678"}},` +
		`{"action":"sayAndCapture","params":{"promptMessage":"Press one or two to continue with your booking","voiceProfile":"en-US-Jenny","minDigits":1,"maxDigits":1,"overallTimeout":5000,"completeOnHash":false,"noOfTries":1}}]}`)
}

// duplicate-vca: the backend moved its state on the first delivery and
// answers the redelivery (same eventId) as if it were the next step: the
// caller hears "second" where "first" was meant, and the report says the
// event came twice. Keyed on eventId, the backend would have seen one.
func TestFaultDuplicateVCA(t *testing.T) {
	t.Parallel()
	b := newNaive()
	e, req := faultEmulator(b, faultsOf(t, FaultDuplicateVCA))
	tr := run(t, e, req, Script{Press: []string{"1"}}.Caller())
	if last := tr.Heard[len(tr.Heard)-1].Text; last != "second" {
		t.Errorf("heard %q last; the naive backend should have answered the redelivery as a second step", last)
	}
	if tr.WebhookCalls != 1 || tr.Deliveries["VCA"] != 2 || len(b.eventIDs) != 1 {
		t.Errorf("webhookCalls %d, VCA deliveries %d, distinct eventIds %d; want 1, 2, 1", tr.WebhookCalls, tr.Deliveries["VCA"], len(b.eventIDs))
	}
	if !noted(tr, FaultDuplicateVCA) {
		t.Errorf("the report does not say the event was delivered twice: %v", tr.Notes)
	}
}

// duplicate-vss: a backend counting summaries counts the call twice; the
// sessionId is the same, and the report says so.
func TestFaultDuplicateVSS(t *testing.T) {
	t.Parallel()
	b := newNaive()
	e, req := faultEmulator(b, faultsOf(t, FaultDuplicateVSS))
	tr := run(t, e, req, Script{Press: []string{"1"}}.Caller())
	if len(b.summaries) != 2 || b.summaries[0] != b.summaries[1] {
		t.Errorf("summaries %v: want the same sessionId twice", b.summaries)
	}
	if !noted(tr, FaultDuplicateVSS) || tr.Deliveries["VSS"] != 2 {
		t.Errorf("report: %v, VSS deliveries %d", tr.Notes, tr.Deliveries["VSS"])
	}
}

// retry-vss: a backend that records the summary, then fails to answer
// 200, gets it again and records the call twice. Without the fault the
// emulator does not retry and the scenario sees the failure.
func TestFaultRetryVSS(t *testing.T) {
	t.Parallel()
	b := newNaive()
	b.fail500 = 1
	e, req := faultEmulator(b, faultsOf(t, FaultRetryVSS))
	tr := run(t, e, req, Script{Press: []string{"1"}}.Caller())
	if len(b.summaries) != 2 || tr.SummaryError != "" {
		t.Errorf("summaries %v, summary error %q: want it recorded twice and finally taken", b.summaries, tr.SummaryError)
	}
	if !noted(tr, FaultRetryVSS) {
		t.Errorf("report: %v", tr.Notes)
	}

	b = newNaive()
	b.fail500 = 1
	e, req = faultEmulator(b, Faults{})
	tr = run(t, e, req, Script{Press: []string{"1"}}.Caller())
	if len(b.summaries) != 1 || !strings.Contains(tr.SummaryError, "HTTP 500") {
		t.Errorf("without the fault: summaries %v, error %q", b.summaries, tr.SummaryError)
	}
}

// delay-vss: the first call's summary arrives after the second call's; a
// backend that takes "the last summary" as the last call's is wrong.
func TestFaultDelayVSS(t *testing.T) {
	t.Parallel()
	b := newNaive()
	e, req := faultEmulator(b, Faults{})
	first := run(t, e, req, Script{Press: []string{"1"}, Faults: faultsOf(t, FaultDelayVSS)}.Caller())
	if len(b.summaries) != 0 {
		t.Fatalf("the delayed summary arrived at once: %v", b.summaries)
	}
	second := run(t, e, req, Script{Press: []string{"1"}}.Caller())
	if len(b.summaries) != 2 || b.summaries[0] != second.SessionID || b.summaries[1] != first.SessionID {
		t.Errorf("summaries arrived %v; want the second call's (%s), then the first's (%s)", b.summaries, second.SessionID, first.SessionID)
	}
	if !noted(first, FaultDelayVSS) {
		t.Errorf("report: %v", first.Notes)
	}
	// Held back at the end of a run: Flush delivers it.
	third := run(t, e, req, Script{Press: []string{"1"}, Faults: faultsOf(t, FaultDelayVSS)}.Caller())
	e.Flush(context.Background())
	if b.summaries[len(b.summaries)-1] != third.SessionID {
		t.Errorf("Flush did not deliver the held summary: %v", b.summaries)
	}
}

// hangup-in-prompt and hangup-in-capture: no VCA event ever comes for the
// prompt, so a backend that closes its call record on the answer to the
// capture never closes it; only the summary says the call ended.
func TestFaultHangups(t *testing.T) {
	t.Parallel()
	for _, fault := range []string{FaultHangupInPrompt, FaultHangupInCapture} {
		t.Run(fault, func(t *testing.T) {
			b := newNaive()
			e, req := faultEmulator(b, faultsOf(t, fault))
			tr := run(t, e, req, Script{Press: []string{"12"}}.Caller())
			if len(b.byCall) != 0 || tr.WebhookCalls != 0 {
				t.Errorf("%d webhook calls: no VCA event should follow a hung-up prompt", tr.WebhookCalls)
			}
			if len(b.summaries) != 1 || tr.Status() != "COMPLETED" || tr.Summary.Payload.LastAction != "HANGUP" {
				t.Errorf("summaries %v, status %s, lastAction %s", b.summaries, tr.Status(), tr.Summary.Payload.LastAction)
			}
			if !noted(tr, fault) {
				t.Errorf("report: %v", tr.Notes)
			}
			if cut := tr.Heard[0].Cut; cut != (fault == FaultHangupInPrompt) {
				t.Errorf("prompt cut %t", cut)
			}
		})
	}
}

// barge-in: the key comes while the prompt plays; the prompt stops and
// the digit is captured, earlier than a backend timing the prompt expects.
func TestFaultBargeIn(t *testing.T) {
	t.Parallel()
	b := newNaive()
	e, req := faultEmulator(b, Faults{})
	plain := run(t, e, req, Script{Press: []string{"1"}}.Caller())
	e, req = faultEmulator(b, faultsOf(t, FaultBargeIn))
	barged := run(t, e, req, Script{Press: []string{"1"}}.Caller())
	if !barged.Heard[0].Cut || plain.Heard[0].Cut {
		t.Errorf("cut: barge-in %t, plain %t", barged.Heard[0].Cut, plain.Heard[0].Cut)
	}
	if barged.Pressed[0] != "1" || !noted(barged, FaultBargeIn) {
		t.Errorf("pressed %v, notes %v", barged.Pressed, barged.Notes)
	}
	if barged.Summary.Payload.EndTime >= plain.Summary.Payload.EndTime {
		t.Errorf("the barged-in call ended at %s, not before the plain one (%s)", barged.Summary.Payload.EndTime, plain.Summary.Payload.EndTime)
	}
}

// slow-network: a backend that answers at once still misses the webhook
// timeout when the network adds more than it; the session ends ERROR
// -2002 and the report names the fault.
func TestFaultSlowNetwork(t *testing.T) {
	t.Parallel()
	b := newNaive()
	cfg := testConfig(b)
	cfg.VSS = b.VSS
	cfg.WebhookTimeout = 50 * time.Millisecond
	cfg.Faults = faultsOf(t, FaultSlowNetwork+"=200ms")
	e := New(cfg)
	tr := run(t, e, menuOneCapture(), Script{Press: []string{"1"}}.Caller())
	if tr.Status() != "ERROR" || int(tr.Summary.Payload.ErrorDetails.ErrorCode) != -2002 || tr.WebhookFailure != WebhookTimedOut {
		t.Fatalf("status %s, failure %q, notes %v", tr.Status(), tr.WebhookFailure, tr.Notes)
	}
	if !strings.Contains(strings.Join(tr.Notes, "\n"), "slow network") {
		t.Errorf("the report does not name the slow network: %v", tr.Notes)
	}
}

func TestParseFaults(t *testing.T) {
	t.Parallel()
	f, err := ParseFaults([]string{"duplicate-vca", "hangup-in-prompt=2", "slow-network=300ms"})
	if err != nil || !f.DuplicateVCA || f.HangupInPrompt != 2 || f.SlowNetwork != 300*time.Millisecond {
		t.Fatalf("%+v %v", f, err)
	}
	if got := strings.Join(f.Names(), ","); got != "duplicate-vca,hangup-in-prompt=2,slow-network=300ms" {
		t.Errorf("names %s", got)
	}
	for _, bad := range []string{"dup", "barge-in=1", "hangup-in-prompt=0", "slow-network=fast"} {
		if _, err := ParseFaults([]string{bad}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
