package cmdtest

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

// fatalRecorder keeps a Fatalf's message and ends the goroutine, as
// testing.T does.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestWithin(t *testing.T) {
	if got := Within(t, time.Minute, "quick", func() int { return 7 }); got != 7 {
		t.Errorf("Within = %d, want f's 7", got)
	}
	r := &fatalRecorder{TB: t}
	block := make(chan struct{})
	defer close(block)
	done := make(chan struct{})
	go func() {
		defer close(done)
		Within(r, 10*time.Millisecond, "stuck", func() int { <-block; return 0 })
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Within did not give up")
	}
	if !strings.Contains(r.msg, "stuck did not return within 10ms") {
		t.Errorf("message %q", r.msg)
	}
}
