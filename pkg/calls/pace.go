package calls

import (
	"context"
	"math"
	"sync"
	"time"
)

// pacer spaces the calls of a batch at a rate: call k is due at
// base + k/rate.
//
// Choice: an absolute schedule, not golang.org/x/time/rate's Limiter with
// burst 1 that the runner used. That Limiter measures each wait from the
// moment Wait is called, so the lateness of every timer wake-up (100-300 µs
// on a busy machine: half the 555 µs between calls at 1,800/s) is lost for
// good, and `call --rate 1800` placed 66-80% of the asked rate
// (BenchmarkRate). Here a late wake-up costs nothing: the next call keeps
// its own instant. Two bounds keep that from becoming a burst:
//
//   - a call more than maxLag behind its instant (the workers were all
//     busy, the machine stalled) moves the schedule on by the excess rather
//     than catching up all of it, so at most maxLag*rate calls ever go out
//     back to back;
//   - no call goes out less than a second after the one ⌈rate⌉ calls before
//     it, so no 1 s window ever holds more than ⌈rate⌉ calls: 8x8 counts
//     its limit (1,800 requests/s per sub-account) per second.
type pacer struct {
	mu    sync.Mutex // held while waiting: the workers pass one at a time
	rate  float64
	base  time.Time
	k     int64       // calls due since base
	sent  []time.Time // ring of the last len(sent) send times
	n     int64       // calls sent
	timer *time.Timer
}

// maxLag is how far behind its instant a call may go out and still be
// caught up with: a scheduler stall on a busy machine (90 calls at
// 1,800/s, still never more than ⌈rate⌉ in a second).
const maxLag = 50 * time.Millisecond

// maxWindow bounds the ring of send times (24 bytes a call): rates
// above it are not limited per second, only spaced.
const maxWindow = 100_000

// newPacer returns a pacer for rate calls per second; nil for no limit (0
// or +Inf), whose wait returns at once.
func newPacer(rate float64) *pacer {
	if rate <= 0 || math.IsInf(rate, 1) || math.IsNaN(rate) {
		return nil
	}
	p := &pacer{rate: rate}
	if w := math.Ceil(rate); w <= maxWindow {
		p.sent = make([]time.Time, int(w))
	}
	return p
}

// wait blocks until the next call may go out, or ctx is done. It is safe
// for concurrent use.
func (p *pacer) wait(ctx context.Context) error {
	if p == nil {
		return ctx.Err()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if p.base.IsZero() {
		p.base = now
	}
	due := p.base.Add(time.Duration(float64(p.k) * float64(time.Second) / p.rate))
	if lag := now.Sub(due); lag > maxLag {
		// Too far behind to catch up without a burst: the schedule moves on
		// by what is past maxLag, which is still caught up with.
		p.base = p.base.Add(lag - maxLag)
		due = now.Add(-maxLag)
	}
	if len(p.sent) > 0 && p.n >= int64(len(p.sent)) {
		// The call ⌈rate⌉ before this one.
		if floor := p.sent[p.n%int64(len(p.sent))].Add(time.Second); floor.After(due) {
			due = floor
		}
	}
	if d := time.Until(due); d > 0 {
		if p.timer == nil {
			p.timer = time.NewTimer(d)
		} else {
			p.timer.Reset(d)
		}
		select {
		case <-ctx.Done():
			p.timer.Stop()
			return ctx.Err()
		case <-p.timer.C:
		}
	}
	p.k++
	if len(p.sent) > 0 {
		p.sent[p.n%int64(len(p.sent))] = time.Now()
	}
	p.n++
	return ctx.Err()
}
