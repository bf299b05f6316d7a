package scenario

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ivrctl/ivrctl/pkg/coverage"
	"github.com/ivrctl/ivrctl/pkg/menu"
	"github.com/ivrctl/ivrctl/pkg/webhook/webhooktest"
)

// coverageOf runs scenarios (in-process, or against webhook) and returns
// the profile of the one menu they play.
func coverageOf(t *testing.T, r *Runner, o LoadOptions, paths ...string) *coverage.Profile {
	t.Helper()
	ss, err := LoadWith(paths, o)
	if err != nil {
		t.Fatal(err)
	}
	results := r.Run(context.Background(), ss, nil)
	for _, res := range results {
		if !res.Passed() {
			t.Errorf("%s failed: %v %+v", res.Scenario.ID(), res.Err, res.Failures)
		}
	}
	menus, others := Coverage(results)
	if len(menus) != 1 || len(others) != 0 {
		t.Fatalf("%d menus, %d scenarios without one", len(menus), len(others))
	}
	if menus[0].Err != nil {
		t.Fatal(menus[0].Err)
	}
	return menus[0].Counter.Profile()
}

// TestShippedScenariosCoverEverything: the suites shipped with ivrctl play
// every path of their menus.
func TestShippedScenariosCoverEverything(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{"testdata/scenarios/simple-ivr", "testdata/scenarios/advanced-ivr"} {
		p := coverageOf(t, &Runner{}, LoadOptions{}, dir)
		if p.Covered != p.Total || p.Total < 4 {
			t.Errorf("%s: %s; missing %v", dir, p.Summary(), p.Missing())
		}
	}
}

// TestRemovedScenarioIsMissed: without reservations.yaml, exactly the
// paths only it plays are missing.
func TestRemovedScenarioIsMissed(t *testing.T) {
	t.Parallel()
	dir := "testdata/scenarios/advanced-ivr"
	p := coverageOf(t, &Runner{}, LoadOptions{},
		filepath.Join(dir, "connect-call.yaml"), filepath.Join(dir, "main-menu.yaml"), filepath.Join(dir, "pickup.yaml"))
	want := []menu.Path{
		{Menu: "reservations", Input: "1", Kind: menu.EdgeOption},
		{Menu: "reservations", Input: "2", Kind: menu.EdgeOption},
		{Menu: "reservations", Input: "other", Kind: menu.EdgeOther},
		{Menu: "reservations", Input: "noInput", Kind: menu.EdgeNoInput},
		{Menu: "book_table", Input: "1", Kind: menu.EdgeOption},
		{Menu: "book_table", Input: "2", Kind: menu.EdgeOption},
		{Menu: "book_table", Input: "other", Kind: menu.EdgeOther},
		{Menu: "book_table", Input: "noInput", Kind: menu.EdgeNoInput},
		{Menu: "reschedule_table", Input: "1", Kind: menu.EdgeOption},
		{Menu: "reschedule_table", Input: "2", Kind: menu.EdgeOption},
		{Menu: "reschedule_table", Input: "other", Kind: menu.EdgeOther},
		{Menu: "reschedule_table", Input: "noInput", Kind: menu.EdgeNoInput},
	}
	if d := cmp.Diff(want, p.Missing()); d != "" {
		t.Errorf("missing paths (-want +got):\n%s", d)
	}
	if p.Summary() != "coverage: 15 of 27 menu paths (55.6%)" {
		t.Errorf("summary %q", p.Summary())
	}
	// connect-call.yaml's long way plays reservations 3 (and only that of
	// the level); reservations.yaml plays it once more. of the only scenario playing reservations 3 counts.
	if got := coverageOf(t, &Runner{}, LoadOptions{}, filepath.Join(dir, "reservations.yaml")).Hits(menu.Path{Menu: "reservations", Input: "3", Kind: menu.EdgeOption}); got != 1 {
		t.Errorf("reservations 3: %d hits, want 1", got)
	}
}

// TestCoverageOverWebhookEqualsInProcess: the same suites against serve's
// webhook server over HTTP (--webhook with --menu) count exactly what
// they count in-process, hit for hit.
func TestCoverageOverWebhookEqualsInProcess(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ dir, menu string }{
		{"testdata/scenarios/simple-ivr", ""},
		{"testdata/scenarios/advanced-ivr", "testdata/menus/advanced-ivr.yaml"},
	} {
		in := coverageOf(t, &Runner{}, LoadOptions{}, tt.dir)
		url := webhooktest.Start(t, webhooktest.Engine(t, tt.menu))
		over := coverageOf(t, &Runner{Webhook: url}, LoadOptions{}, tt.dir)
		if d := cmp.Diff(in, over); d != "" {
			t.Errorf("%s: over HTTP (-in-process +webhook):\n%s", tt.dir, d)
		}
	}
}

// TestCoverageMismatch: a backend serving another menu cannot be mapped
// to this one's paths, and coverage says so rather than count wrongly.
func TestCoverageMismatch(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scen := filepath.Join(dir, "s.yaml")
	// The simple IVR's prompt, so the call gets past the first prompt.
	if err := os.WriteFile(scen, []byte("name: one\ncaller:\n  steps:\n    - {press: \"1\"}\nexpect: {status: COMPLETED}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "other.yaml")
	data, _ := os.ReadFile("testdata/menus/simple-ivr.yaml")
	data = []byte(string(data[:len(data)-len("      \"1\": hangup\n      \"2\": {connect: agent}\n    other: retry\n")]) + "      \"1\": retry\n      \"2\": {connect: agent}\n    other: retry\n")
	if err := os.WriteFile(other, data, 0o644); err != nil {
		t.Fatal(err)
	}
	url := webhooktest.Start(t, webhooktest.Engine(t, other))
	ss, err := LoadWith([]string{scen}, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	menus, _ := Coverage((&Runner{Webhook: url}).Run(context.Background(), ss, nil))
	if len(menus) != 1 || menus[0].Err == nil {
		t.Fatalf("no mismatch reported: %+v", menus)
	}
	want := "coverage cannot be computed: to menu main: input 1 (option) the backend answered sayAndCapture, simple-ivr.yaml (embedded) answers hangup: is the backend serving this menu file?"
	if got := menus[0].Err.Error(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestMenuOption: LoadOptions.Menu answers scenarios naming no menu, and
// an invalid one is its own file:line errors.
func TestMenuOption(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scen := filepath.Join(dir, "s.yaml")
	if err := os.WriteFile(scen, []byte("name: one\ncaller:\n  steps:\n    - {expect: Welcome to ABC, press: \"3\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := coverageOf(t, &Runner{}, LoadOptions{Menu: "testdata/menus/advanced-ivr.yaml"}, scen)
	if p.File != "testdata/menus/advanced-ivr.yaml" || p.Covered != 1 {
		t.Errorf("%s: %s", p.File, p.Summary())
	}
	_, err := LoadWith([]string{scen}, LoadOptions{Menu: "testdata/menus/bad/dangling-open.yaml"})
	if err == nil || err.Error() != `testdata/menus/bad/dangling-open.yaml:7: menus.main.options["1"]: open: no menu "sales"` {
		t.Errorf("got %v", err)
	}
}

// BenchmarkCoverage is the cost of counting coverage: the shipped suites
// run in-process, then (the sub-benchmark "counted") counted too. Compare
// the two in one run.
func BenchmarkCoverage(b *testing.B) {
	ss, err := Load([]string{"testdata/scenarios"}, nil)
	if err != nil {
		b.Fatal(err)
	}
	r := &Runner{Parallel: 1}
	b.Run("run", func(b *testing.B) {
		for b.Loop() {
			r.Run(context.Background(), ss, nil)
		}
	})
	b.Run("counted", func(b *testing.B) {
		for b.Loop() {
			if menus, _ := Coverage(r.Run(context.Background(), ss, nil)); len(menus) != 2 {
				b.Fatal(len(menus))
			}
		}
	})
}
