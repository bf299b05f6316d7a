package load

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram bounds, in microseconds. Choice: 3 significant digits (0.1%
// error) from 1 µs to 10 minutes: a round trip counted from its intended
// instant can exceed the webhook timeout by the driver's lag; longer
// values are recorded as the highest.
const (
	lowestMicros  = 1
	highestMicros = int64(10 * time.Minute / time.Microsecond)
	sigFigs       = 3
)

// histogram is an HDR histogram of latencies. Not safe for concurrent
// use: the driver holds its lock.
type histogram struct{ h *hdrhistogram.Histogram }

func newHistogram() *histogram {
	return &histogram{h: hdrhistogram.New(lowestMicros, highestMicros, sigFigs)}
}

func (h *histogram) record(d time.Duration) {
	us := min(max(d.Microseconds(), lowestMicros), highestMicros)
	_ = h.h.RecordValue(us) // within bounds: never fails
}

// latencies are the overall histogram and one per step.
type latencies struct {
	overall *histogram
	steps   map[string]*histogram
	order   []string
}

func newLatencies() *latencies {
	return &latencies{overall: newHistogram(), steps: map[string]*histogram{}}
}

func (l *latencies) record(step string, d time.Duration) {
	l.overall.record(d)
	h := l.steps[step]
	if h == nil {
		if len(l.steps) >= MaxSteps {
			step = OtherStep
			h = l.steps[step]
		}
		if h == nil {
			h = newHistogram()
			l.steps[step] = h
			l.order = append(l.order, step)
		}
	}
	h.record(d)
}

// BucketBounds are the upper bounds of the report's latency histogram
// buckets; the last bucket holds everything slower.
var BucketBounds = []time.Duration{
	time.Millisecond, 2 * time.Millisecond, 5 * time.Millisecond,
	10 * time.Millisecond, 20 * time.Millisecond, 50 * time.Millisecond,
	100 * time.Millisecond, 200 * time.Millisecond, 500 * time.Millisecond,
	time.Second, 2 * time.Second, 5 * time.Second,
}

// Bucket is one bar of the latency histogram: the round trips that took
// at most Le (and more than the previous bucket's); Le 0 is the last,
// open-ended bucket.
type Bucket struct {
	Le    time.Duration
	Count int64
}

// Latency is a histogram's summary.
type Latency struct {
	Count              int64
	P50, P90, P99, Max time.Duration
	Buckets            []Bucket
}

// StepLatency is the latency of the round trips answering one menu step
// (the VCA event's clientActionId; StartStep for the first prompt).
type StepLatency struct {
	Step string
	*Latency
}

func micros(v int64) time.Duration { return time.Duration(v) * time.Microsecond }

func (h *histogram) summary() *Latency {
	l := &Latency{
		Count: h.h.TotalCount(),
		P50:   micros(h.h.ValueAtQuantile(50)),
		P90:   micros(h.h.ValueAtQuantile(90)),
		P99:   micros(h.h.ValueAtQuantile(99)),
		Max:   micros(h.h.Max()),
	}
	l.Buckets = make([]Bucket, len(BucketBounds)+1)
	for i, b := range BucketBounds {
		l.Buckets[i].Le = b
	}
	for _, bar := range h.h.Distribution() {
		if bar.Count == 0 {
			continue
		}
		// A bar holds values From..To, all equivalent at sigFigs; its
		// lowest value decides the bucket.
		v := micros(bar.From)
		i := len(BucketBounds)
		for j, b := range BucketBounds {
			if v <= b {
				i = j
				break
			}
		}
		l.Buckets[i].Count += bar.Count
	}
	return l
}

// GateError is a --max-p99 gate exceeded: the steps (or overall) whose
// p99 is over it, slowest first.
type GateError struct {
	Max  time.Duration
	Over []*StepLatency
}

func (e *GateError) Error() string {
	parts := make([]string, len(e.Over))
	for i, s := range e.Over {
		parts[i] = fmt.Sprintf("step %q p99 %s", s.Step, Round(s.P99))
	}
	return fmt.Sprintf("webhook latency p99 over %s: %s", e.Max, strings.Join(parts, ", "))
}

// OverallStep names the overall latency in a GateError.
const OverallStep = "(all steps)"

// Gate checks the p99 of every step and overall against max; nil when all
// are within it.
func (r *Report) Gate(max time.Duration) *GateError {
	var over []*StepLatency
	for _, s := range r.Steps {
		if s.Count > 0 && s.P99 > max {
			over = append(over, s)
		}
	}
	if len(over) == 0 && r.Overall.Count > 0 && r.Overall.P99 > max {
		over = append(over, &StepLatency{Step: OverallStep, Latency: r.Overall})
	}
	if len(over) == 0 {
		return nil
	}
	slices.SortStableFunc(over, func(a, b *StepLatency) int { return cmp.Compare(b.P99, a.P99) })
	return &GateError{Max: max, Over: over}
}

// Round shortens a latency for reports: microseconds under 1 ms, then
// tenths of a millisecond.
func Round(d time.Duration) time.Duration {
	if d < time.Millisecond {
		return d.Round(time.Microsecond)
	}
	return d.Round(100 * time.Microsecond)
}
