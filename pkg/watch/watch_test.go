package watch

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// next waits for the next run's changed files.
func next(t *testing.T, runs <-chan []string) []string {
	t.Helper()
	select {
	case c := <-runs:
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("no rerun")
	}
	return nil
}

// A save is one rerun however many writes it takes; a new directory is
// watched; files that do not match are not; a file named outside the
// directories counts, its siblings do not; cancelling stops the watch.
func TestRerunsOnChange(t *testing.T) {
	dir := t.TempDir()
	scen := filepath.Join(dir, "scenarios")
	other := filepath.Join(dir, "menus")
	for _, d := range []string{scen, other} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	menu := filepath.Join(other, "menu.yaml")
	write(t, menu, "a")
	write(t, filepath.Join(scen, "a.yaml"), "a")
	w := &Watcher{
		Paths:    []string{scen, menu},
		Match:    func(p string) bool { return strings.HasSuffix(p, ".yaml") },
		Debounce: 50 * time.Millisecond,
	}
	ctx, cancel := context.WithCancel(context.Background())
	runs := make(chan []string, 10)
	done := make(chan error, 1)
	go func() {
		done <- w.Run(ctx, func(_ context.Context, changed []string) { runs <- changed })
	}()
	if c := next(t, runs); c != nil {
		t.Fatalf("first run: changed %v, want nil", c)
	}

	a := filepath.Join(scen, "a.yaml")
	for i := range 3 {
		write(t, a, strings.Repeat("b", i+1))
	}
	if diff := cmp.Diff([]string{a}, next(t, runs)); diff != "" {
		t.Errorf("after three writes (-want +got):\n%s", diff)
	}

	write(t, filepath.Join(scen, "notes.txt"), "x")       // no match
	write(t, filepath.Join(other, "unrelated.yaml"), "x") // a sibling of menu.yaml
	write(t, menu, "b")
	if diff := cmp.Diff([]string{menu}, next(t, runs)); diff != "" {
		t.Errorf("after the menu changed (-want +got):\n%s", diff)
	}

	sub := filepath.Join(scen, "more")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // the new directory is added to the watch
	drain(runs)
	b := filepath.Join(sub, "b.yaml")
	write(t, b, "x")
	if got := next(t, runs); !slices.Contains(got, b) {
		t.Errorf("a file in a new directory: changed %v, want %s", got, b)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop")
	}
}

func drain(c chan []string) {
	for {
		select {
		case <-c:
		default:
			return
		}
	}
}

// A path that does not exist is an error at once, naming it.
func TestMissingPath(t *testing.T) {
	w := &Watcher{Paths: []string{filepath.Join(t.TempDir(), "nope")}}
	err := w.Run(context.Background(), func(context.Context, []string) { t.Error("ran") })
	if err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("error %v, want one naming the path", err)
	}
}
