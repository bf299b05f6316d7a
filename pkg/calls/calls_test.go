package calls

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/pkg/voiceapi"
	"github.com/ivrctl/ivrctl/pkg/voiceapi/voiceapitest"
	"github.com/ivrctl/ivrctl/pkg/webhook"
)

// fake8x8 answers Send Callflow through voiceapitest's stand-in: CREATED
// with a sessionId naming the body, or 401 for every call when refuse is
// set (before newRunner).
type fake8x8 struct {
	*voiceapitest.Fake
	refuse bool
}

func (f *fake8x8) answer(w http.ResponseWriter, _ *http.Request, req voiceapitest.Request, _ int) {
	if f.refuse {
		voiceapitest.Write(w, voiceapitest.Answer{Status: http.StatusUnauthorized,
			Body: `{"sessionStatus":"NOT_CREATED","statusCode":401,"statusMessage":"Authentication header not found or token invalid"}`})
		return
	}
	voiceapitest.Write(w, voiceapitest.OK(fmt.Sprintf(`{"sessionId":"s-%s","sessionStatus":"CREATED","statusCode":1,"statusMessage":"Created"}`, req.Body)))
}

// bodies are the bodies sent, in order.
func (f *fake8x8) bodies() []string {
	var out []string
	for _, r := range f.Requests() {
		out = append(out, string(r.Body))
	}
	return out
}

func newRunner(t *testing.T, f *fake8x8, concurrency int) *Runner {
	t.Helper()
	f.Fake = voiceapitest.New(t, nil)
	f.Handle(voiceapitest.Any, f.answer)
	c, err := voiceapi.New(f.URL, "test-key-ABCDWXYZ", f.Client())
	if err != nil {
		t.Fatal(err)
	}
	return &Runner{Client: c, Subaccount: "acme_voice", Concurrency: concurrency}
}

func jobs(n int) []Job {
	js := make([]Job, n)
	for i := range js {
		js[i] = Job{Number: fmt.Sprintf("+65%08d", i), Body: fmt.Appendf(nil, "%d", i)}
	}
	return js
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// Every job is sent exactly once and has exactly one outcome.
func TestRunnerSendsEachJobOnce(t *testing.T) {
	t.Parallel()
	f := &fake8x8{}
	r := newRunner(t, f, 4)
	seen := map[int]bool{}
	for o := range r.Start(ctx(t), ctx(t), jobs(20)) {
		if seen[o.Index] {
			t.Errorf("job %d: two outcomes", o.Index)
		}
		seen[o.Index] = true
		if o.Err != nil || o.Skipped || o.Result.Response.SessionID != fmt.Sprintf("s-%d", o.Index) {
			t.Errorf("job %d: %+v", o.Index, o)
		}
	}
	bodies := f.bodies()
	slices.Sort(bodies)
	if len(seen) != 20 || len(bodies) != 20 || len(slices.Compact(bodies)) != 20 {
		t.Errorf("%d outcomes, %d requests: want 20 of each, none twice", len(seen), len(bodies))
	}
}

// A refused key halts the runner: the jobs not started are skipped,
// never sent.
func TestRunnerHaltsOnConfigFailure(t *testing.T) {
	t.Parallel()
	f := &fake8x8{refuse: true}
	r := newRunner(t, f, 1)
	var failed, skipped int
	for o := range r.Start(ctx(t), ctx(t), jobs(10)) {
		switch {
		case o.Skipped:
			skipped++
		case ConfigFailure(o.Err):
			failed++
		default:
			t.Errorf("job %d: %+v", o.Index, o)
		}
	}
	if failed != 1 || skipped != 9 || len(f.bodies()) != 1 {
		t.Errorf("%d failed, %d skipped, %d sent: want 1, 9, 1", failed, skipped, len(f.bodies()))
	}
}

// A stopped runner starts nothing more: every job has its outcome.
func TestRunnerStopped(t *testing.T) {
	t.Parallel()
	f := &fake8x8{}
	r := newRunner(t, f, 2)
	stop, cancel := context.WithCancel(ctx(t))
	cancel()
	n := 0
	for o := range r.Start(stop, ctx(t), jobs(5)) {
		if !o.Skipped {
			t.Errorf("job %d sent after the stop", o.Index)
		}
		n++
	}
	if n != 5 || len(f.bodies()) != 0 {
		t.Errorf("%d outcomes, %d sent: want 5, 0", n, len(f.bodies()))
	}
}

// The inbox holds every event until the session is known, then keeps
// that session's only and counts the others.
func TestInbox(t *testing.T) {
	t.Parallel()
	b := NewInbox()
	b.Add(webhook.Event{Kind: webhook.KindVCA, Session: "mine"})
	b.Add(webhook.Event{Kind: webhook.KindVCA, Session: "other"})
	select {
	case <-b.Ready():
	default:
		t.Fatal("Ready not signalled after Add")
	}
	b.SetSession("mine")
	b.Add(webhook.Event{Kind: webhook.KindVCA, Session: "other"})
	b.Add(webhook.Event{Kind: webhook.KindVSS, Session: "mine", Outcome: "COMPLETED"})
	got := b.Take()
	if len(got) != 2 || got[0].Kind != webhook.KindVCA || got[1].Kind != webhook.KindVSS {
		t.Errorf("Take = %+v: want mine's VCA then VSS", got)
	}
	if others, dropped := b.Counts(); others != 2 || dropped != 0 {
		t.Errorf("Counts = %d, %d: want 2 others, 0 dropped", others, dropped)
	}
	if b.Take() != nil {
		t.Error("Take did not empty the inbox")
	}
}
