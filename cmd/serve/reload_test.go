package serve_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// answer posts a start-of-call VCA and returns the answer.
func answer(t *testing.T, url string) string {
	t.Helper()
	st, body := post(t, url+"/webhooks/vca", readFile(t, "testdata/dtmf1.json"))
	if st != 200 {
		t.Fatalf("VCA status %d: %s", st, body)
	}
	return string(body)
}

// await polls until cond holds (30s at most: a loaded CI machine).
func await(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 30s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func copyMenu(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repo, from))
	if err != nil {
		t.Fatal(err)
	}
	// Through a rename, as editors save: the watch must follow it.
	tmp := to + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, to); err != nil {
		t.Fatal(err)
	}
}

// serve --watch reloads a changed menu file; a broken one is refused with
// validate's error in the log and the old menu keeps answering.
func TestServeWatchReloads(t *testing.T) {
	isolate(t)
	file := filepath.Join(t.TempDir(), "menu.yaml")
	copyMenu(t, "testdata/menus/simple-ivr.yaml", file)
	r := runServe(t, "--menu", file, "--watch")
	simple := answer(t, r.url)
	copyMenu(t, "testdata/menus/advanced-ivr.yaml", file)
	await(t, "the changed menu answering", func() bool { return answer(t, r.url) != simple })
	advanced := answer(t, r.url)
	// The new menu answers a moment before the reload's log line is
	// written: wait for it too.
	await(t, "the reload logged", func() bool { return strings.Contains(r.stderr.String(), "menu reloaded (file changed)") })
	copyMenu(t, "testdata/menus/bad/dangling-open.yaml", file)
	await(t, "the refusal logged", func() bool { return strings.Contains(r.stderr.String(), "refused, the old menu keeps answering") })
	if got := answer(t, r.url); got != advanced {
		t.Errorf("after a broken menu, answered %s", got)
	}
	if !strings.Contains(r.stderr.String(), "dangling-open") && !strings.Contains(r.stderr.String(), "menu.yaml:") {
		t.Errorf("the refusal does not name the file:\n%s", r.stderr.String())
	}
}

// SIGHUP reloads the menu (and does not stop serve).
func TestServeSIGHUPReloads(t *testing.T) {
	isolate(t)
	file := filepath.Join(t.TempDir(), "menu.yaml")
	copyMenu(t, "testdata/menus/simple-ivr.yaml", file)
	r := runServe(t, "--menu", file)
	simple := answer(t, r.url)
	copyMenu(t, "testdata/menus/advanced-ivr.yaml", file)
	time.Sleep(300 * time.Millisecond)
	if answer(t, r.url) != simple {
		t.Fatal("reloaded without SIGHUP or --watch")
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	await(t, "the SIGHUP reload", func() bool { return answer(t, r.url) != simple })
	// The new menu answers a moment before the reload's log line is
	// written: wait for it too.
	await(t, "the reload logged", func() bool { return strings.Contains(r.stderr.String(), "menu reloaded (SIGHUP)") })
}
