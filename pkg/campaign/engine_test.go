package campaign

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var t0 = time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)

// script is what happens to each attempt of a number in the fake world.
type script struct {
	outcomes []string // sessionStatus per attempt ("" : no summary ever)
	steps    [][]Step // per attempt
	err      []error  // Place's error per attempt (nil: created)
	noCRID   bool     // the summary names no clientRequestId (old 8x8 pages)
}

// world is a fake 8x8 and its webhooks: Place delivers the call's updates
// to the engine before it returns, as a listener would hear them.
type world struct {
	mu      sync.Mutex
	scripts map[string]*script
	placed  map[string][]Call // number -> attempts sent
	starts  map[string][]time.Time
	clock   Clock
	eng     *Engine
	seq     int
}

func (w *world) Place(ctx context.Context, c Call) (string, error) {
	w.mu.Lock()
	s := w.scripts[c.Number]
	i := len(w.placed[c.Number])
	w.placed[c.Number] = append(w.placed[c.Number], c)
	w.starts[c.Number] = append(w.starts[c.Number], w.clock.Now())
	w.seq++
	sid := "s-" + c.ClientRequestID
	w.mu.Unlock()
	if s == nil {
		s = &script{outcomes: []string{"COMPLETED"}}
	}
	if i < len(s.err) && s.err[i] != nil {
		return "", s.err[i]
	}
	if i < len(s.steps) {
		for _, st := range s.steps[i] {
			w.eng.Deliver(Update{Session: sid, Step: &st})
		}
	}
	if i < len(s.outcomes) && s.outcomes[i] != "" {
		u := Update{Session: sid, ClientRequestID: c.ClientRequestID, Outcome: &Outcome{SessionStatus: s.outcomes[i]}}
		if s.noCRID {
			u.ClientRequestID = ""
		}
		w.eng.Deliver(u)
	}
	return sid, nil
}

func newList(t *testing.T, text string) *List {
	t.Helper()
	l, err := ParseList("list.csv", strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

type run struct {
	stats  Stats
	err    error
	events []Event
	world  *world
	state  *State
}

func runCampaign(t *testing.T, path string, l *List, cfg Config, scripts map[string]*script, clock *FakeClock) run {
	t.Helper()
	j, st, _, err := OpenOrCreate(path, l, Header{List: l.Name, Menu: "menu.yaml", MenuHash: "m1"}, clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	w := &world{scripts: scripts, placed: map[string][]Call{}, starts: map[string][]time.Time{}, clock: clock}
	var events []Event
	cfg.Journal, cfg.State, cfg.Placer, cfg.Clock = j, st, w, clock
	cfg.OnEvent = func(e Event) { events = append(events, e) }
	eng, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	w.eng = eng
	stats, err := eng.Run(context.Background(), context.Background())
	return run{stats: stats, err: err, events: events, world: w, state: st}
}

func reread(t *testing.T, path string) *State {
	t.Helper()
	h, recs, skipped, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return Replay(h, recs, skipped)
}

func TestRetriesOnlyChosenOutcomesAfterTheDelay(t *testing.T) {
	l := newList(t, "number,name\n+6511110001,ann\n+6511110002,bob\n+6511110003,cy\n+6511110004,di\n+6511110005,ed\nnot-a-number,x\n")
	scripts := map[string]*script{
		"+6511110001": {outcomes: []string{"COMPLETED"}, steps: [][]Step{{{Menu: "main", Digits: "1", Matched: "1"}}}},
		"+6511110002": {outcomes: []string{"BUSY", "COMPLETED"}, steps: [][]Step{nil, {{Menu: "main", Digits: "3", Matched: "other"}, {Menu: "main", Digits: "2", Matched: "2"}}}},
		"+6511110003": {outcomes: []string{"NO_ANSWER", "NO_ANSWER", "NO_ANSWER"}, noCRID: true},
		"+6511110004": {outcomes: []string{"FAILED"}},
		"+6511110005": {err: []error{&PlaceError{Verdict: Refused, Code: -1002, Err: errors.New("NOT_CREATED -1002")}}},
	}
	clock := NewFakeClock(t0, true)
	path := filepath.Join(t.TempDir(), "j.jsonl")
	r := runCampaign(t, path, l, Config{Attempts: 3, RetryAfter: 10 * time.Minute,
		RetryOn: map[Status]bool{StatusBusy: true, StatusNoAnswer: true}, Concurrency: 2}, scripts, clock)
	if r.err != nil {
		t.Fatal(r.err)
	}
	got := map[string]int{}
	for n, calls := range r.world.placed {
		got[n] = len(calls)
	}
	want := map[string]int{"+6511110001": 1, "+6511110002": 2, "+6511110003": 3, "+6511110004": 1, "+6511110005": 1}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("calls placed per number (-want +got):\n%s", d)
	}
	for _, n := range []string{"+6511110002", "+6511110003"} {
		s := r.world.starts[n]
		for i := 1; i < len(s); i++ {
			if gap := s[i].Sub(s[i-1]); gap < 10*time.Minute {
				t.Errorf("%s: attempt %d started %s after the previous, want >= 10m", n, i+1, gap)
			}
		}
	}
	// The journal alone gives the same answer.
	rep := MakeReport(reread(t, path))
	wantStatus := []Count{{Key: "completed", Count: 2}, {Key: "no-answer", Count: 1}, {Key: "failed", Count: 1},
		{Key: "not-created", Count: 1}, {Key: "bad", Count: 1}}
	if d := cmp.Diff(wantStatus, rep.ByStatus); d != "" {
		t.Errorf("totals by status (-want +got):\n%s", d)
	}
	wantOutcome := []Count{{Key: "main:1", Count: 1}, {Key: "main:2", Count: 1}}
	if d := cmp.Diff(wantOutcome, rep.ByOutcome); d != "" {
		t.Errorf("totals by outcome (-want +got):\n%s", d)
	}
	bob := rep.Numbers[1]
	if d := cmp.Diff([]string{"main:3", "main:2"}, bob.Path); d != "" || bob.Status != StatusCompleted || len(bob.Attempts) != 2 || bob.Fields["name"] != "bob" {
		t.Errorf("bob: %+v (path diff %s)", bob, d)
	}
	if rep.Attempts != 8 {
		t.Errorf("attempts placed: %d, want 8", rep.Attempts)
	}
	if r.stats.Completed != 2 || r.stats.NoAnswer != 1 || r.stats.Placed != 8 || r.stats.InFlight != 0 {
		t.Errorf("stats: %+v", r.stats)
	}
}

func TestUnknownIsNeverPlacedAgainUnlessRecalled(t *testing.T) {
	l := newList(t, "+6511110001\n+6511110002\n")
	scripts := map[string]*script{
		"+6511110001": {err: []error{errors.New("timeout after sending")}, outcomes: []string{"", "COMPLETED"}},
		"+6511110002": {outcomes: []string{""}}, // created, the summary never comes
	}
	clock := NewFakeClock(t0, true)
	path := filepath.Join(t.TempDir(), "j.jsonl")
	cfg := Config{Attempts: 3, RetryOn: map[Status]bool{StatusNoAnswer: true}, OutcomeTimeout: time.Hour}
	r := runCampaign(t, path, l, cfg, scripts, clock)
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.stats.Unknown != 2 {
		t.Fatalf("unknown: %+v", r.stats)
	}
	rep := MakeReport(reread(t, path))
	if rep.Numbers[0].LookFor != "clientRequestId "+rep.Numbers[0].ClientRequestID || !strings.Contains(rep.Numbers[1].LookFor, "sessionId s-") {
		t.Errorf("look for: %q, %q", rep.Numbers[0].LookFor, rep.Numbers[1].LookFor)
	}
	// Resume: nothing placed again.
	r2 := runCampaign(t, path, l, cfg, scripts, clock)
	if len(r2.world.placed) != 0 {
		t.Errorf("resume placed %v", r2.world.placed)
	}
	// --recall-unknown: each once more.
	cfg.RecallUnknown = true
	r3 := runCampaign(t, path, l, cfg, map[string]*script{}, clock)
	if len(r3.world.placed["+6511110001"]) != 1 || len(r3.world.placed["+6511110002"]) != 1 {
		t.Errorf("recall placed %v", r3.world.placed)
	}
	st := reread(t, path)
	if a := st.Lookup("+6511110001").Last(); a.N != 2 || !a.Recall || a.Status != StatusCompleted {
		t.Errorf("recalled attempt: %+v", a)
	}
}

func TestHaltStopsAtOnceAndResumes(t *testing.T) {
	l := newList(t, "+6511110001\n+6511110002\n+6511110003\n")
	halt := &PlaceError{Verdict: Halt, Err: errors.New("401: API key refused")}
	scripts := map[string]*script{"+6511110001": {err: []error{halt}}}
	clock := NewFakeClock(t0, true)
	path := filepath.Join(t.TempDir(), "j.jsonl")
	r := runCampaign(t, path, l, Config{Concurrency: 1}, scripts, clock)
	var he *HaltError
	if !errors.As(r.err, &he) {
		t.Fatalf("err = %v, want a HaltError", r.err)
	}
	if len(r.world.placed) != 1 {
		t.Errorf("placed after the halt: %v", r.world.placed)
	}
	// Fixed key: the same attempt goes out again, and the rest.
	r2 := runCampaign(t, path, l, Config{Concurrency: 1}, map[string]*script{}, clock)
	if r2.err != nil || len(r2.world.placed) != 3 || r2.world.placed["+6511110001"][0].Attempt != 1 {
		t.Errorf("resume: %v %v", r2.err, r2.world.placed)
	}
}

func TestWindowWaitsAndRateSpreadsCalls(t *testing.T) {
	l := newList(t, "+6511110001\n+6511110002\n+6511110003\n")
	clock := NewFakeClock(time.Date(2026, 12, 3, 20, 0, 0, 0, time.UTC), true)
	win, err := ParseWindow("09:00-18:00", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "j.jsonl")
	r := runCampaign(t, path, l, Config{Window: win, Rate: 2, Concurrency: 10}, map[string]*script{}, clock)
	if r.err != nil {
		t.Fatal(r.err)
	}
	var starts []time.Time
	for _, n := range []string{"+6511110001", "+6511110002", "+6511110003"} {
		starts = append(starts, r.world.starts[n]...)
	}
	open := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	want := []time.Time{open, open.Add(500 * time.Millisecond), open.Add(time.Second)}
	if d := cmp.Diff(want, starts); d != "" {
		t.Errorf("starts (-want +got):\n%s", d)
	}
	sawWindow := false
	for _, e := range r.events {
		if e.Kind == EventWindowWait && e.Next.Equal(open) {
			sawWindow = true
		}
	}
	if !sawWindow {
		t.Error("no window event naming 09:00 the next day")
	}
}

func TestWindow(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	w, err := ParseWindow("20:00-02:00", paris)
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		tt, err := time.ParseInLocation("2006-01-02 15:04", s, paris)
		if err != nil {
			t.Fatal(err)
		}
		return tt
	}
	for _, c := range []struct {
		now  string
		open bool
		next string
	}{
		{"2026-03-28 21:00", true, "2026-03-28 21:00"},
		{"2026-03-29 01:30", true, "2026-03-29 01:30"}, // the DST night
		{"2026-03-29 03:00", false, "2026-03-29 20:00"},
		{"2026-03-29 19:59", false, "2026-03-29 20:00"},
	} {
		if got := w.Open(at(c.now)); got != c.open {
			t.Errorf("Open(%s) = %v", c.now, got)
		}
		if got := w.Next(at(c.now)); !got.Equal(at(c.next)) {
			t.Errorf("Next(%s) = %s, want %s", c.now, got, c.next)
		}
	}
	for _, bad := range []string{"9-18", "09:00", "09:00-09:00", "25:00-26:00"} {
		if _, err := ParseWindow(bad, time.UTC); err == nil {
			t.Errorf("ParseWindow(%q) accepted", bad)
		}
	}
}

// A refused key seen by one worker stops the others before they send:
// at most the calls already on the wire go out.
func TestHaltStopsOtherWorkersBeforeTheySend(t *testing.T) {
	var sb strings.Builder
	for i := range 20 {
		fmt.Fprintf(&sb, "+65111100%02d\n", i)
	}
	l := newList(t, sb.String())
	path := filepath.Join(t.TempDir(), "j.jsonl")
	j, st, _, err := OpenOrCreate(path, l, Header{MenuHash: "m"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	var mu sync.Mutex
	sent := 0
	placer := PlacerFunc(func(ctx context.Context, c Call) (string, error) {
		mu.Lock()
		sent++
		mu.Unlock()
		return "", &PlaceError{Verdict: Halt, Err: errors.New("401")}
	})
	eng, err := New(Config{Journal: j, State: st, Placer: placer, Concurrency: 4, Clock: NewFakeClock(t0, true)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = eng.Run(context.Background(), context.Background())
	var he *HaltError
	if !errors.As(err, &he) || errors.Is(err, errHalted) {
		t.Fatalf("err = %v", err)
	}
	if sent > 4 {
		t.Errorf("%d requests sent after a 401, want at most the 4 already started", sent)
	}
	if n := st.Count(StatusPending); n != 20 {
		t.Errorf("%d numbers pending after the halt, want all 20 (nothing was placed)", n)
	}
}
