package campaign

import (
	"sync"
	"time"
)

// FakeClock is a virtual clock for tests of campaigns: time moves only
// when Advance is called or, in auto mode, when the engine is idle (no
// request in flight, no update waiting) and waits for a timer: time then
// jumps to the earliest timer. A day-long campaign with retries and
// windows runs in milliseconds, deterministically.
type FakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []fakeTimer
	auto   bool
}

type fakeTimer struct {
	at time.Time
	ch chan time.Time
}

// NewFakeClock starts at t; auto makes it jump to the next timer whenever
// the engine is idle.
func NewFakeClock(t time.Time, auto bool) *FakeClock { return &FakeClock{now: t, auto: auto} }

// Now returns the virtual time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// After returns a channel that receives once the virtual time has moved d.
func (c *FakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.timers = append(c.timers, fakeTimer{at: c.now.Add(d), ch: ch})
	return ch
}

// Advance moves the time by d and fires the timers due.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.fire()
}

func (c *FakeClock) fire() {
	kept := c.timers[:0]
	for _, t := range c.timers {
		if t.at.After(c.now) {
			kept = append(kept, t)
			continue
		}
		t.ch <- c.now
	}
	c.timers = kept
}

// Idle is told by the engine, before each wait, whether work is
// outstanding and which timers it waits on; in auto mode an idle
// engine's earliest such timer fires (with every timer due by then).
// Only the timers waited on count: the engine makes a timer per wait and
// leaves the old ones, and jumping to a stale one fired nothing the
// engine listened to, so it waited for ever (a hang seen under -race).
func (c *FakeClock) Idle(busy bool, waits ...<-chan time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.auto || busy {
		return
	}
	var next time.Time
	for _, t := range c.timers {
		for _, w := range waits {
			if w != nil && (<-chan time.Time)(t.ch) == w && (next.IsZero() || t.at.Before(next)) {
				next = t.at
			}
		}
	}
	if next.IsZero() {
		return
	}
	if next.After(c.now) {
		c.now = next
	}
	c.fire()
}
