package cmdutil

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// LineWriter hands log lines to one writer goroutine, so that the code
// logging (a server's requests, an emulator's calls) never waits for the
// stream. WriteLine appends the line to a pending buffer under a short
// lock and the goroutine writes whatever has piled up in a single Write:
// under load that batches many lines per system call instead of
// serialising every caller behind a mutex held across a write; idle, a
// line is written as soon as the writer wakes. A stream that stops
// draining (a paused terminal, a full pipe nobody reads) cannot stall the
// callers: past MaxPendingLog bytes lines are dropped, and the count is
// reported once the stream drains again.
type LineWriter struct {
	w io.Writer

	mu      sync.Mutex
	pending []byte
	spare   []byte
	dropped int
	closed  bool
	// writerDone: the writer goroutine has exited, so a line written after
	// Close is written by its caller; flushing: a caller is doing so.
	writerDone bool
	flushing   bool
	kick       chan struct{} // cap 1: "there is something to write"
	done       chan struct{} // the writer has flushed and exited

	// CloseWait bounds Close's wait for the writer (default one second):
	// a stream that no longer drains must not keep the process from
	// exiting after its shutdown. Set it before Close.
	CloseWait time.Duration
}

// MaxPendingLog is how many bytes of lines a LineWriter keeps waiting for
// a slow stream before it drops lines.
const MaxPendingLog = 4 << 20

// NewLineWriter starts the writer goroutine for w; Close stops it.
func NewLineWriter(w io.Writer) *LineWriter {
	l := &LineWriter{w: w, kick: make(chan struct{}, 1), done: make(chan struct{}), CloseWait: time.Second}
	go l.writer()
	return l
}

// WriteLine queues line (one or more whole lines, newline included); it
// copies line and never blocks on the stream. It is safe for concurrent
// use.
func (l *LineWriter) WriteLine(line []byte) {
	l.mu.Lock()
	if len(l.pending)+len(line) > MaxPendingLog {
		l.dropped++
	} else {
		l.pending = append(l.pending, line...)
	}
	if !l.closed {
		select {
		case l.kick <- struct{}{}:
		default: // the writer is already due to run
		}
		l.mu.Unlock()
		return
	}
	// After Close (a request that outlived the drain) the writer
	// goroutine is stopping or gone. While it runs it writes this line
	// too (see writer); once it is gone, one caller at a time writes what
	// is pending, outside mu: a stuck stream then holds that caller only,
	// never every logger (the others queue, bounded, and return).
	flush := l.writerDone && !l.flushing
	l.flushing = l.flushing || flush
	l.mu.Unlock()
	if flush {
		l.flushUntilEmpty(func() { l.flushing = false })
	}
}

func (l *LineWriter) writer() {
	defer close(l.done)
	for range l.kick {
		l.flush()
	}
	// Closed: write what is left, including lines queued after Close
	// until writerDone hands them to their callers.
	l.flushUntilEmpty(func() { l.writerDone = true })
}

// flushUntilEmpty flushes until nothing is pending, then calls last
// under mu: nothing queued in between is left behind.
func (l *LineWriter) flushUntilEmpty(last func()) {
	for {
		l.flush()
		l.mu.Lock()
		if len(l.pending) == 0 && l.dropped == 0 {
			last()
			l.mu.Unlock()
			return
		}
		l.mu.Unlock()
	}
}

func (l *LineWriter) flush() {
	l.mu.Lock()
	out := l.pending
	l.pending = l.spare[:0]
	dropped := l.dropped
	l.dropped = 0
	l.mu.Unlock()
	if dropped > 0 {
		out = fmt.Appendf(out, "ivrctl: %d log line(s) dropped: stderr was not keeping up\n", dropped)
	}
	if len(out) > 0 {
		l.w.Write(out)
	}
	l.mu.Lock()
	l.spare = out[:0]
	l.mu.Unlock()
}

// Close writes what is pending and stops the writer, waiting at most
// CloseWait for a stuck stream (what is left unwritten then is lost).
// Lines written after Close are still written, never blocking their
// callers on a stuck stream. Closing twice is harmless.
func (l *LineWriter) Close() {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	l.closed = true
	close(l.kick) // under mu: WriteLine sends on kick only under mu, and only before closed
	wait := l.CloseWait
	l.mu.Unlock()
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-l.done:
	case <-t.C:
	}
}
