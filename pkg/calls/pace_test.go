package calls

import (
	"context"
	"testing"
	"time"
)

// However late the waits return, no 1 s window holds more than ⌈rate⌉
// calls: a stalled feeder catches up at most maxLag, never in a burst
// over 8x8's per-second limit.
func TestPacerNeverOverRatePerSecond(t *testing.T) {
	t.Parallel()
	const rate = 400
	p := newPacer(rate)
	ctx, cancel := context.WithTimeout(context.Background(), 1300*time.Millisecond)
	defer cancel()
	var times []time.Time
	for i := 0; p.wait(ctx) == nil; i++ {
		times = append(times, time.Now())
		if i == 100 {
			time.Sleep(200 * time.Millisecond) // a stall far past maxLag
		}
	}
	if _, most := windowCounts(times, time.Second); most > rate {
		t.Errorf("%d calls in one second at rate %d", most, rate)
	}
	// After the stall, at most maxLag's worth goes out back to back.
	burst := 0
	for i := 101; i < len(times) && times[i].Sub(times[i-1]) < time.Second/rate/2; i++ {
		burst++
	}
	if limit := int(maxLag*rate/time.Second) + 1; burst > limit {
		t.Errorf("%d calls back to back after a stall, want at most %d", burst, limit)
	}
}

func TestPacerNoLimit(t *testing.T) {
	t.Parallel()
	for _, r := range []float64{0, -1} {
		if p := newPacer(r); p != nil || p.wait(context.Background()) != nil {
			t.Errorf("rate %v: a pacer that waits", r)
		}
	}
}
