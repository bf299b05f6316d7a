package scenario

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestLoadStopsWithContext: loading returns context.Canceled as soon as
// its context ends, even while a read is stuck (a hung file system).
func TestLoadStopsWithContext(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.yaml"), []byte("name: a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	hung := make(chan struct{})
	defer close(hung)
	done := make(chan error, 1)
	go func() {
		_, err := LoadWith([]string{dir}, LoadOptions{Context: ctx, ReadFile: func(string) ([]byte, error) {
			cancel()
			<-hung
			return nil, errors.New("unreachable")
		}})
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("loading did not stop with its context")
	}
}
