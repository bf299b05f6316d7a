package calls

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/pkg/voiceapi"
	"github.com/ivrctl/ivrctl/pkg/webhook"
)

// fake8x8 answers Send Callflow: CREATED with a sessionId naming the body,
// or 401 for every call when refuse is set. It records every body sent.
type fake8x8 struct {
	mu     sync.Mutex
	bodies []string
	refuse bool
}

func (f *fake8x8) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.bodies = append(f.bodies, string(b))
	refuse := f.refuse
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if refuse {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"sessionStatus":"NOT_CREATED","statusCode":401,"statusMessage":"Authentication header not found or token invalid"}`)
		return
	}
	fmt.Fprintf(w, `{"sessionId":"s-%s","sessionStatus":"CREATED","statusCode":1,"statusMessage":"Created"}`, b)
}

func newRunner(t *testing.T, f *fake8x8, concurrency int) *Runner {
	t.Helper()
	ts := httptest.NewServer(f)
	t.Cleanup(ts.Close)
	c, err := voiceapi.New(ts.URL, "test-key-ABCDWXYZ", ts.Client())
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
	slices.Sort(f.bodies)
	if len(seen) != 20 || len(f.bodies) != 20 || len(slices.Compact(f.bodies)) != 20 {
		t.Errorf("%d outcomes, %d requests: want 20 of each, none twice", len(seen), len(f.bodies))
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
	if failed != 1 || skipped != 9 || len(f.bodies) != 1 {
		t.Errorf("%d failed, %d skipped, %d sent: want 1, 9, 1", failed, skipped, len(f.bodies))
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
	if n != 5 || len(f.bodies) != 0 {
		t.Errorf("%d outcomes, %d sent: want 5, 0", n, len(f.bodies))
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
