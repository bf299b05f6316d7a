package cmdutil

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// stuckWriter blocks every Write until release is closed.
type stuckWriter struct {
	release chan struct{}
	mu      sync.Mutex
	b       bytes.Buffer
}

func (w *stuckWriter) Write(p []byte) (int, error) {
	<-w.release
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *stuckWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// After Close, on a stream that does not drain, late lines never block
// their callers (the old LineWriter wrote them holding its lock, so one
// stuck write held every logger); once the stream drains they are all
// written, none lost.
func TestLineWriterAfterCloseOnStuckStream(t *testing.T) {
	w := &stuckWriter{release: make(chan struct{})}
	l := NewLineWriter(w)
	l.CloseWait = 10 * time.Millisecond
	l.WriteLine([]byte("before\n"))
	l.Close() // returns after CloseWait: the writer is stuck in Write
	done := make(chan struct{})
	go func() {
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() { l.WriteLine([]byte("late\n")) })
		}
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("WriteLine after Close blocked on a stuck stream")
	}
	close(w.release)
	select {
	case <-l.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the writer did not finish once the stream drained")
	}
	if got := w.String(); !strings.HasPrefix(got, "before\n") || strings.Count(got, "late\n") != 4 {
		t.Errorf("written %q: want before, then the 4 late lines", got)
	}
}

// After Close, once the writer is gone, a late line is written by its
// caller at once.
func TestLineWriterAfterClose(t *testing.T) {
	var b safeBuffer
	l := NewLineWriter(&b)
	l.WriteLine([]byte("one\n"))
	l.Close()
	select {
	case <-l.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the writer did not finish after Close")
	}
	l.WriteLine([]byte("two\n"))
	if got := b.String(); got != "one\ntwo\n" {
		t.Errorf("written %q", got)
	}
}

type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *safeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
