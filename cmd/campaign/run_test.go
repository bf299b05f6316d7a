package campaign_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ivrctl/ivrctl/pkg/campaign"
	"github.com/ivrctl/ivrctl/pkg/emulator"
)

const list = `number,name,plan
+6511110001,ann,gold
+6511110002,bob,silver
+6511110003,cy,gold
not a number,zed,x
+6511110004,di,bronze
+6511110005,ed,gold
+6511110006,fay,silver
`

var callers = people{
	"+6511110001": {{Press: []string{"1"}}},
	"+6511110002": {{Press: []string{"2"}}},
	"+6511110003": {{Answer: emulator.PickupBusy}, {Press: []string{"1"}}},
	"+6511110004": {{Answer: emulator.PickupNoAnswer}},
	"+6511110005": {{Answer: emulator.PickupFail}},
	"+6511110006": {{Press: []string{"3", "1"}}},
}

func writeFile(t testing.TB, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func readJournal(t *testing.T, path string) []campaign.Record {
	t.Helper()
	_, recs, skipped, err := campaign.ReadFile(path)
	if err != nil || skipped != 0 {
		t.Fatalf("journal: %v (skipped %d)", err, skipped)
	}
	return recs
}

func TestRunAgainstTheEmulator(t *testing.T) {
	t.Parallel()
	e := newEmu(t, callers)
	dir := t.TempDir()
	numbers := writeFile(t, "customers.csv", list)
	journal := filepath.Join(dir, "cb.journal")
	r := runCampaign(t, context.Background(), e, "run", numbers, "--journal", journal,
		"--listen", "127.0.0.1:0", "--sessions", filepath.Join(dir, "sessions.jsonl"),
		"--attempts", "3", "--retry-after", "300ms", "--retry-on", "busy,no-answer",
		"--rate", "0", "--concurrency", "3", "-o", "json")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, `customers.csv:5: "not a number" not a phone number`) {
		t.Errorf("the bad line is not reported with its line:\n%s", r.stderr)
	}

	// Placed: once for those who answered or failed, twice for the busy
	// one, three times for the one who never answers; the bad line never.
	want := map[string]int{"+6511110001": 1, "+6511110002": 1, "+6511110003": 2, "+6511110004": 3, "+6511110005": 1, "+6511110006": 1}
	if d := cmp.Diff(want, e.counts()); d != "" {
		t.Errorf("sessions created per number (-want +got):\n%s", d)
	}

	// Retries came after the delay: from the outcome to the next attempt.
	recs := readJournal(t, journal)
	ended := map[string]time.Time{}
	for _, rec := range recs {
		switch rec.T {
		case campaign.RecOutcome:
			ended[rec.Number] = rec.At
		case campaign.RecAttempt:
			if prev, ok := ended[rec.Number]; ok && rec.At.Sub(prev) < 300*time.Millisecond {
				t.Errorf("%s attempt %d placed %s after the last outcome, want >= 300ms", rec.Number, rec.Attempt, rec.At.Sub(prev))
			}
		}
	}

	// -o json: events, the last one "done".
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	var last campaign.Event
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil || last.Kind != campaign.EventDone {
		t.Fatalf("last event %q: %v", lines[len(lines)-1], err)
	}
	if last.Stats.Completed != 4 || last.Stats.NoAnswer != 1 || last.Stats.Failed != 1 || last.Stats.Placed != 9 {
		t.Errorf("final stats: %+v", last.Stats)
	}

	// The report, from the journal alone.
	rep := runCampaign(t, context.Background(), nil, "report", "--journal", journal, "-o", "json")
	if rep.code != 0 {
		t.Fatalf("report: exit %d %s", rep.code, rep.stderr)
	}
	var got []map[string]any
	var totals map[string]any
	sc := bufio.NewScanner(strings.NewReader(rep.stdout))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		if m["type"] == "totals" {
			totals = m
			continue
		}
		got = append(got, map[string]any{"number": m["number"], "status": m["status"], "attempts": float64(len(m["attempts"].([]any))),
			"path": m["path"], "outcome": m["outcome"], "name": m["fields"].(map[string]any)["name"]})
	}
	wantNumbers := []map[string]any{
		{"number": "+6511110001", "status": "completed", "attempts": 1.0, "path": []any{"main:1"}, "outcome": "main:1 hangup", "name": "ann"},
		{"number": "+6511110002", "status": "completed", "attempts": 1.0, "path": []any{"main:2"}, "outcome": "main:2 connect agent", "name": "bob"},
		{"number": "+6511110003", "status": "completed", "attempts": 2.0, "path": []any{"main:1"}, "outcome": "main:1 hangup", "name": "cy"},
		{"number": "+6511110004", "status": "no-answer", "attempts": 3.0, "path": []any{}, "outcome": nil, "name": "di"},
		{"number": "+6511110005", "status": "failed", "attempts": 1.0, "path": []any{}, "outcome": nil, "name": "ed"},
		{"number": "+6511110006", "status": "completed", "attempts": 1.0, "path": []any{"main:3", "main:1"}, "outcome": "main:1 hangup", "name": "fay"},
	}
	if d := cmp.Diff(wantNumbers, got); d != "" {
		t.Errorf("report per number (-want +got):\n%s", d)
	}
	wantTotals := map[string]any{
		"type": "totals", "campaign": totals["campaign"], "numbers": 6.0, "attempts": 9.0,
		"byStatus": []any{
			map[string]any{"key": "completed", "count": 4.0},
			map[string]any{"key": "no-answer", "count": 1.0},
			map[string]any{"key": "failed", "count": 1.0},
			map[string]any{"key": "bad", "count": 1.0},
		},
		"byOutcome": []any{
			map[string]any{"key": "main:1", "label": "hangup", "count": 3.0},
			map[string]any{"key": "main:2", "label": "connect agent", "count": 1.0},
		},
		"bad": []any{map[string]any{"line": 5.0, "text": "not a number", "error": "not a phone number: use E.164, e.g. +6512345678"}},
	}
	if d := cmp.Diff(wantTotals, totals); d != "" {
		t.Errorf("report totals (-want +got):\n%s", d)
	}

	// Run again: finished, nothing placed.
	r2 := runCampaign(t, context.Background(), e, "run", numbers, "--journal", journal,
		"--listen", "127.0.0.1:0", "--sessions", filepath.Join(dir, "sessions.jsonl"),
		"--attempts", "3", "--retry-after", "300ms", "--rate", "0")
	if r2.code != 0 {
		t.Fatalf("second run: exit %d\n%s", r2.code, r2.stderr)
	}
	if d := cmp.Diff(want, e.counts()); d != "" {
		t.Errorf("a finished campaign run again placed calls (-want +got):\n%s", d)
	}
}

// On a terminal, stderr shows the live line, redrawn in place; piped, the
// same run writes only whole lines.
func TestLiveViewOnATerminal(t *testing.T) {
	t.Parallel()
	for _, tty := range []bool{true, false} {
		t.Run(fmt.Sprintf("tty=%v", tty), func(t *testing.T) {
			t.Parallel() // each waits out a 1.5 s retry
			liveView(t, tty)
		})
	}
}

// liveView runs a campaign with a retry, its streams a terminal or not.
func liveView(t *testing.T, tty bool) {
	e := newEmu(t, people{"+6511110002": {{Answer: emulator.PickupBusy}}})
	dir := t.TempDir()
	numbers := writeFile(t, "n.txt", "+6511110001\n+6511110002\n")
	r := runCampaignTTY(t, context.Background(), e, tty, "run", numbers, "--journal", filepath.Join(dir, "j"),
		"--listen", "127.0.0.1:0", "--sessions", filepath.Join(dir, "s.jsonl"), "--rate", "0",
		"--attempts", "2", "--retry-after", "1500ms") // the live line is redrawn every second
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	redrawn := strings.Contains(r.stderr, "\r\x1b[Kplaced ")
	if redrawn != tty {
		t.Errorf("tty %v: live line redrawn: %v\n%q", tty, redrawn, r.stderr)
	}
	if tty && !strings.Contains(r.stderr, "retries pending 1") {
		t.Errorf("the live line never showed the retry pending:\n%q", r.stderr)
	}
	if strings.Contains(r.stdout, "\x1b") {
		t.Errorf("tty %v: escape codes on stdout: %q", tty, r.stdout)
	}
	for _, want := range []string{"+6511110002 #1 busy session", "+6511110002 retry #2 at", "+6511110002 #2 busy session", "+6511110001 #1 completed session"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("tty %v: the log lacks %q:\n%s", tty, want, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "placed 3 · in flight 0 · completed 1 · busy 1") {
		t.Errorf("tty %v: final line:\n%q", tty, r.stderr)
	}
}
