package campaign_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ivrctl/ivrctl/pkg/emulator"
	"github.com/ivrctl/ivrctl/pkg/menu"
	"github.com/ivrctl/ivrctl/pkg/pgtest"
	"github.com/ivrctl/ivrctl/pkg/webhook"
)

func TestJournalOfAnotherListOrMenuIsRefused(t *testing.T) {
	t.Parallel()
	e := newEmu(t, people{})
	dir := t.TempDir()
	journal := filepath.Join(dir, "j.journal")
	a := writeFile(t, "a.txt", "+6511110001\n")
	b := writeFile(t, "b.txt", "+6511110002\n")
	common := []string{"--journal", journal, "--listen", "127.0.0.1:0", "--sessions", filepath.Join(dir, "s.jsonl"), "--rate", "0"}
	if r := runCampaign(t, context.Background(), e, append([]string{"run", a}, common...)...); r.code != 0 {
		t.Fatalf("first run: %d %s", r.code, r.stderr)
	}
	r := runCampaign(t, context.Background(), e, append([]string{"run", b}, common...)...)
	if r.code != 2 || !strings.Contains(r.stderr, "was made for another list ("+a) {
		t.Errorf("another list: exit %d\n%s", r.code, r.stderr)
	}
	other := writeFile(t, "menu.yaml", strings.Replace(string(menu.DefaultYAML()), "press one", "press 1", 1))
	r = runCampaign(t, context.Background(), e, append([]string{"run", a, "--menu", other}, common...)...)
	if r.code != 2 || !strings.Contains(r.stderr, "was made for another menu") {
		t.Errorf("another menu: exit %d\n%s", r.code, r.stderr)
	}
	// A file that is not a journal (serve's sessions file) is never appended to.
	sessions := writeFile(t, "sessions.jsonl", `{"receivedAt":"2026-01-01T00:00:00Z","sessionId":"s1","event":{}}`+"\n")
	r = runCampaign(t, context.Background(), e, "run", a, "--journal", sessions, "--listen", "127.0.0.1:0", "--sessions", filepath.Join(dir, "s.jsonl"))
	if r.code != 2 || !strings.Contains(r.stderr, "is not an ivrctl campaign journal") {
		t.Errorf("foreign journal: exit %d\n%s", r.code, r.stderr)
	}
	if data, _ := os.ReadFile(sessions); strings.Count(string(data), "\n") != 1 {
		t.Errorf("the foreign file was written to:\n%s", data)
	}
	if d := cmp.Diff(map[string]int{"+6511110001": 1}, e.counts()); d != "" {
		t.Errorf("placed (-want +got):\n%s", d)
	}
	r = runCampaign(t, context.Background(), nil, "report", "--journal", sessions)
	if r.code != 2 || !strings.Contains(r.stderr, "is not an ivrctl campaign journal") {
		t.Errorf("report of a foreign file: exit %d\n%s", r.code, r.stderr)
	}
}

func TestRefusedKeyStopsTheCampaignAtOnce(t *testing.T) {
	t.Parallel()
	e := newEmu(t, people{})
	dir := t.TempDir()
	numbers := writeFile(t, "n.txt", "+6511110001\n+6511110002\n+6511110003\n+6511110004\n")
	cfg := filepath.Join(dir, "bad.yaml")
	os.WriteFile(cfg, []byte("api-key: wrong-key-999\nsubaccount: acme_voice\nfrom: \"6561115777\"\nno-profile-check: true\n"), 0o600)
	// The config flag comes last: it wins over writeConfig's.
	r := runCampaign(t, context.Background(), e, "run", numbers, "--journal", filepath.Join(dir, "j"), "--listen", "127.0.0.1:0",
		"--sessions", filepath.Join(dir, "s.jsonl"), "--rate", "0", "--concurrency", "1", "--config", cfg)
	if r.code != 3 || !strings.Contains(r.stderr, "campaign stopped") {
		t.Errorf("exit %d, want 3\n%s", r.code, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, "wrong-key-999") {
		t.Error("the API key was shown")
	}
	if len(e.counts()) != 0 {
		t.Errorf("sessions created with a refused key: %v", e.counts())
	}
}

// serve replicas receive the webhooks and append to a sessions file; the
// campaign reads the outcomes from it.
func TestOutcomesFromServesSessionsFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sessions := filepath.Join(dir, "sessions.jsonl")
	engine, err := menu.Compile(menu.Default(), menu.Numbers{From: testFrom, Agent: "6561115778"})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := webhook.New(webhook.Config{Engine: engine, SessionsPath: sessions})
	if err != nil {
		t.Fatal(err)
	}
	serve := httptest.NewServer(srv.Handler())
	defer func() { serve.Close(); srv.Close() }()

	e := newEmu(t, people{"+6511110002": {{Answer: emulator.PickupBusy}}, "+6511110001": {{Press: []string{"1"}}}})
	e.hookBase.Store(serve.URL)
	numbers := writeFile(t, "n.txt", "+6511110001\n+6511110002\n")
	journal := filepath.Join(dir, "j")
	r := runCampaign(t, context.Background(), e, "run", numbers, "--journal", journal, "--sessions", sessions,
		"--poll", "20ms", "--rate", "0", "--attempts", "2", "--retry-after", "100ms")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if d := cmp.Diff(map[string]int{"+6511110001": 1, "+6511110002": 2}, e.counts()); d != "" {
		t.Errorf("placed (-want +got):\n%s", d)
	}
	rep := runCampaign(t, context.Background(), nil, "report", "--journal", journal)
	for _, want := range []string{"+6511110001  completed    1", "+6511110002  busy         2", "by status: completed 1, busy 1"} {
		if !strings.Contains(rep.stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, rep.stdout)
		}
	}
}

// Two serve replicas behind a load balancer record the summaries in one
// PostgreSQL database; the campaign reads the outcomes from it.
func TestOutcomesFromServeReplicasOnPostgres(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DB(t)
	engine, err := menu.Compile(menu.Default(), menu.Numbers{From: testFrom, Agent: "6561115778"})
	if err != nil {
		t.Fatal(err)
	}
	var replicas []http.Handler
	for range 2 {
		srv, err := webhook.New(webhook.Config{Engine: engine, SessionsPath: dsn})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Close() })
		replicas = append(replicas, srv.Handler())
	}
	var next atomic.Int64
	balancer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		replicas[next.Add(1)%2].ServeHTTP(w, r)
	}))
	defer balancer.Close()

	e := newEmu(t, people{"+6511110002": {{Answer: emulator.PickupBusy}}, "+6511110001": {{Press: []string{"1"}}}, "+6511110003": {{Press: []string{"1"}}}})
	e.hookBase.Store(balancer.URL)
	numbers := writeFile(t, "n.txt", "+6511110001\n+6511110002\n+6511110003\n")
	journal := filepath.Join(t.TempDir(), "j")
	r := runCampaign(t, context.Background(), e, "run", numbers, "--journal", journal, "--sessions", dsn,
		"--poll", "20ms", "--rate", "0", "--attempts", "2", "--retry-after", "100ms")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if d := cmp.Diff(map[string]int{"+6511110001": 1, "+6511110002": 2, "+6511110003": 1}, e.counts()); d != "" {
		t.Errorf("placed (-want +got):\n%s", d)
	}
	if !strings.Contains(r.stderr, "reading session summaries from postgres://") {
		t.Errorf("the store is not named:\n%s", r.stderr)
	}
	rep := runCampaign(t, context.Background(), nil, "report", "--journal", journal)
	for _, want := range []string{"+6511110001  completed    1", "+6511110002  busy         2", "by status: completed 2, busy 1"} {
		if !strings.Contains(rep.stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, rep.stdout)
		}
	}
}
