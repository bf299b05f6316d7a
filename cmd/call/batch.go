package call

import (
	"context"
	"math"
	"sync"

	"golang.org/x/time/rate"

	"github.com/ivrctl/ivrctl/pkg/voiceapi"
)

// outcome is what became of one job.
type outcome struct {
	idx     int
	res     *voiceapi.Result
	err     error
	skipped bool // never sent: the batch was stopped first
}

// runner places jobs at a bounded rate with bounded concurrency. It only
// emits outcomes; rendering is the caller's.
type runner struct {
	client      *voiceapi.Client
	subaccount  string
	jobs        []job
	rate        float64 // calls started per second; 0 = no limit
	concurrency int
}

// start places the jobs and returns their outcomes, one per job, in
// completion order; the channel closes after the last. When stopCtx ends no
// new call starts (the rest are reported skipped) and those in flight run
// on under abortCtx.
func (r *runner) start(stopCtx, abortCtx context.Context) <-chan outcome {
	out := make(chan outcome, r.concurrency)
	limit := rate.Limit(r.rate)
	if r.rate == 0 || math.IsInf(r.rate, 1) {
		limit = rate.Inf
	}
	// Burst 1: calls are spread evenly, never fired in a clump.
	lim := rate.NewLimiter(limit, 1)
	// A failure every later call would share (a refused key, an unknown
	// sub-account) halts the batch from the worker that saw it, before it
	// takes another job: waiting for the reader of out to call stop let
	// a loaded machine send more calls bound to fail the same way.
	stopCtx, halt := context.WithCancel(stopCtx)
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(r.concurrency, len(r.jobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				// The feeder's select may hand out a job in the same instant
				// Ctrl-C lands; this is the last look before sending.
				if stopCtx.Err() != nil {
					out <- outcome{idx: i, skipped: true}
					continue
				}
				res, err := r.client.Send(abortCtx, r.subaccount, r.jobs[i].body)
				if configFailure(err) {
					halt()
				}
				out <- outcome{idx: i, res: res, err: err}
			}
		}()
	}
	go func() {
		for i := range r.jobs {
			if stopCtx.Err() == nil && lim.Wait(stopCtx) == nil && stopCtx.Err() == nil {
				select {
				case work <- i:
					continue
				case <-stopCtx.Done():
				}
			}
			out <- outcome{idx: i, skipped: true}
		}
		close(work)
		wg.Wait()
		halt()
		close(out)
	}()
	return out
}
