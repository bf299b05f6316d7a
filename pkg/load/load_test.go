package load

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/pkg/paralleltest"
	"github.com/ivrctl/ivrctl/pkg/scenario"
	"github.com/ivrctl/ivrctl/pkg/webhook"
	"github.com/ivrctl/ivrctl/pkg/webhook/webhooktest"
)

// The load tests mostly wait (--duration runs at a rate): more run at once.
func TestMain(m *testing.M) {
	paralleltest.Raise()
	os.Exit(m.Run())
}

const (
	advancedMenu      = "../../testdata/menus/advanced-ivr.yaml"
	advancedScenarios = "../../testdata/scenarios/advanced-ivr"
)

func loadScenarios(t *testing.T, paths ...string) []*scenario.Scenario {
	t.Helper()
	ss, err := scenario.Load(paths, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ss
}

// runLoad plays scenarios against url at rate for d.
func runLoad(t *testing.T, url string, ss []*scenario.Scenario, rate float64, d time.Duration) *Report {
	t.Helper()
	r := &scenario.Runner{Webhook: url, Parallel: 64}
	p := r.Player(ss)
	defer p.Close()
	var progress atomic.Int64
	rep, err := Run(context.Background(), Config{
		Player: p, Scenarios: ss, Rate: rate, Duration: d, Concurrency: 64,
		OnProgress: func(Progress) { progress.Add(1) }, ProgressEvery: 50 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	if progress.Load() == 0 {
		t.Error("OnProgress was never called")
	}
	return rep
}

// Against serve (a real pkg/webhook server over HTTP) at a modest rate,
// every call goes as its scenario says, and every round trip is measured.
func TestAgainstServe(t *testing.T) {
	t.Parallel()
	url := webhooktest.Start(t, webhooktest.Engine(t, advancedMenu))
	ss := loadScenarios(t, advancedScenarios)
	rep := runLoad(t, url, ss, 40, time.Second)

	if rep.Scheduled != 40 || rep.Started != 40 || rep.NotStarted != 0 {
		t.Errorf("scheduled %d, started %d, not started %d: want 40, 40, 0", rep.Scheduled, rep.Started, rep.NotStarted)
	}
	if rep.Completed != rep.Started || rep.FailedTotal() != 0 || rep.Interrupted != 0 {
		t.Errorf("completed %d of %d, failed %v, interrupted %d; examples %v", rep.Completed, rep.Started, rep.Failed, rep.Interrupted, rep.Examples)
	}
	if rep.Overall.Count < rep.Completed {
		t.Errorf("%d round trips measured for %d calls", rep.Overall.Count, rep.Completed)
	}
	steps := map[string]bool{}
	var perStep int64
	for _, s := range rep.Steps {
		steps[s.Step] = true
		perStep += s.Count
	}
	for _, want := range []string{StartStep, "reservations", "connect_call", "post_call"} {
		if !steps[want] {
			t.Errorf("no latency for step %q; steps %v", want, steps)
		}
	}
	if perStep != rep.Overall.Count {
		t.Errorf("steps hold %d round trips, overall %d", perStep, rep.Overall.Count)
	}
	var inBuckets int64
	for _, b := range rep.Overall.Buckets {
		inBuckets += b.Count
	}
	if inBuckets != rep.Overall.Count {
		t.Errorf("histogram buckets hold %d round trips, overall %d", inBuckets, rep.Overall.Count)
	}
	if !(rep.Overall.P50 <= rep.Overall.P90 && rep.Overall.P90 <= rep.Overall.P99 && rep.Overall.P99 <= rep.Overall.Max) || rep.Overall.Max == 0 {
		t.Errorf("percentiles out of order: %+v", rep.Overall)
	}
	if rep.AchievedRate() <= 0 {
		t.Errorf("achieved rate %v", rep.AchievedRate())
	}
}

// slowBackend is serve, except that every answer to the step named slow
// waits delay first.
func slowBackend(t *testing.T, slow string, delay time.Duration) string {
	t.Helper()
	srv, err := webhook.New(webhook.Config{Engine: webhooktest.Engine(t, advancedMenu), SessionsPath: filepath.Join(t.TempDir(), "s.jsonl")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	h := srv.Handler()
	marker := []byte(`"clientActionId":"` + slow + `"`)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if bytes.Contains(body, marker) {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	return ts.URL + webhook.PathVCA
}

// A backend slow on one step: its p99 is over the gate, and the gate names
// that step first.
func TestSlowStepOverGate(t *testing.T) {
	t.Parallel()
	url := slowBackend(t, "connect_call", 400*time.Millisecond)
	ss := loadScenarios(t, filepath.Join(advancedScenarios, "connect-call.yaml"))
	rep := runLoad(t, url, ss, 20, time.Second)
	if rep.FailedTotal() != 0 {
		t.Fatalf("failed %v: %v", rep.Failed, rep.Examples)
	}
	gate := 200 * time.Millisecond
	err := rep.Gate(gate)
	if err == nil {
		t.Fatalf("gate %s passed; steps %+v", gate, rep.Steps)
	}
	if err.Over[0].Step != "connect_call" || err.Over[0].P99 < 400*time.Millisecond {
		t.Errorf("slowest step over the gate: %q p99 %s, want connect_call over 400ms (%v)", err.Over[0].Step, err.Over[0].P99, err)
	}
	if !strings.Contains(err.Error(), `step "connect_call" p99`) {
		t.Errorf("gate error %q does not name the step", err)
	}
	if rep.Gate(time.Minute) != nil {
		t.Error("a one-minute gate failed")
	}
}

// A backend answering garbage: each failed call is put in its 8x8 class.
func TestGarbageClassified(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) % 3 {
		case 0: // not 200: 8x8 ends the session ERROR -2002
			http.Error(w, "boom", http.StatusInternalServerError)
		case 1: // 200 but no callflow: ERROR -2003
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"callflow": "nope"`)
		case 2: // a valid callflow, but not the one the scenario expects
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"callflow":[{"action":"hangup"}]}`)
		}
	}))
	defer ts.Close()
	ss := loadScenarios(t, filepath.Join(advancedScenarios, "main-menu.yaml"))
	rep := runLoad(t, ts.URL, ss[:1], 30, time.Second)
	for _, c := range []Class{ClassWebhook, ClassCallflow, ClassWrong} {
		if rep.Failed[c] == 0 {
			t.Errorf("no %s failure; failed %v", c, rep.Failed)
		}
	}
	if rep.FailedTotal() != rep.Started || rep.Completed != 0 {
		t.Errorf("failed %d, completed %d of %d started", rep.FailedTotal(), rep.Completed, rep.Started)
	}
	if rep.WebhookStatus != rep.Failed[ClassWebhook] {
		t.Errorf("webhook failures by HTTP status: %d of %d", rep.WebhookStatus, rep.Failed[ClassWebhook])
	}
	seen := map[Class]string{}
	for _, e := range rep.Examples {
		seen[e.Class] = e.Message
	}
	if !strings.Contains(seen[ClassWebhook], "-2002") || !strings.Contains(seen[ClassCallflow], "-2003") {
		t.Errorf("examples do not carry the 8x8 codes: %v", seen)
	}
}

// Calls whose instant comes with every slot taken are counted, not lost;
// the run still ends by itself.
func TestNotStartedCounted(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		http.Error(w, "late", http.StatusServiceUnavailable)
	}))
	defer ts.Close()
	defer close(release)
	ss := loadScenarios(t, filepath.Join(advancedScenarios, "main-menu.yaml"))
	r := &scenario.Runner{Webhook: ts.URL}
	p := r.Player(ss)
	defer p.Close()
	rep, err := Run(context.Background(), Config{
		Player: p, Scenarios: ss, Rate: 50, Duration: 400 * time.Millisecond,
		Concurrency: 2, Drain: 100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Started != 2 || rep.NotStarted != rep.Scheduled-2 || rep.Scheduled != 20 {
		t.Errorf("scheduled %d, started %d, not started %d: want 20, 2, 18", rep.Scheduled, rep.Started, rep.NotStarted)
	}
	if rep.Interrupted != 2 || rep.FailedTotal() != 0 {
		t.Errorf("cut short by the end of the drain: interrupted %d, failed %v; want 2, none", rep.Interrupted, rep.Failed)
	}
}

// A cancelled context (SIGINT) stops scheduling and cuts calls short.
func TestStopsOnCancel(t *testing.T) {
	t.Parallel()
	url := slowBackend(t, "connect_call", time.Minute)
	ss := loadScenarios(t, filepath.Join(advancedScenarios, "connect-call.yaml"))
	r := &scenario.Runner{Webhook: url}
	p := r.Player(ss)
	defer p.Close()
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(300 * time.Millisecond); cancel() }()
	done := make(chan *Report, 1)
	go func() {
		rep, err := Run(ctx, Config{Player: p, Scenarios: ss, Rate: 10, Duration: time.Hour})
		if err != nil {
			t.Error(err)
		}
		done <- rep
	}()
	select {
	case rep := <-done:
		if rep.Scheduled == 0 || rep.Scheduled > 10 || rep.Interrupted == 0 {
			t.Errorf("scheduled %d, interrupted %d", rep.Scheduled, rep.Interrupted)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after its context was cancelled")
	}
}

func TestConfigChecked(t *testing.T) {
	t.Parallel()
	ss := loadScenarios(t, filepath.Join(advancedScenarios, "main-menu.yaml"))
	p := (&scenario.Runner{}).Player(ss)
	defer p.Close()
	for _, c := range []Config{
		{Scenarios: ss, Rate: 1, Duration: time.Second},
		{Player: p, Rate: 1, Duration: time.Second},
		{Player: p, Scenarios: ss, Rate: 0, Duration: time.Second},
		{Player: p, Scenarios: ss, Rate: 1},
		{Player: p, Scenarios: ss, Rate: 1, Duration: time.Second, Concurrency: -1},
	} {
		if _, err := Run(context.Background(), c); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
}
