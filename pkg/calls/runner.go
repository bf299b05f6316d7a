package calls

import (
	"context"
	"errors"
	"net/http"
	"sync"

	"github.com/ivrctl/ivrctl/pkg/voiceapi"
)

// Job is one call to place: the number it rings (for the caller's
// reports) and the Send Callflow body, ready to send.
type Job struct {
	Number string
	Body   []byte
}

// Outcome is what became of one job.
type Outcome struct {
	Index   int              // the job's index in the list given to Start
	Result  *voiceapi.Result // 8x8's answer, when one arrived (also with Err)
	Err     error            // nil: 8x8 created the call
	Skipped bool             // never sent: the runner was stopped first
}

// Runner places jobs at a bounded rate with bounded concurrency. Set the
// fields before Start; a Runner is used once.
type Runner struct {
	Client     *voiceapi.Client
	Subaccount string
	// Rate is calls started per second; 0 or +Inf is no limit. Calls are
	// spread evenly on a fixed schedule, never fired in a clump, and no
	// 1 s window holds more than ⌈Rate⌉ of them (see pacer).
	Rate float64
	// Concurrency is how many calls may be in flight at once (at least 1).
	Concurrency int
}

// Start places the jobs and returns their outcomes, one per job, in
// completion order; the channel closes after the last. When stopCtx ends
// no new call starts (the rest are reported Skipped) and those in flight
// run on under abortCtx. A ConfigFailure halts the runner as stopCtx
// would: the jobs not yet started are Skipped.
func (r *Runner) Start(stopCtx, abortCtx context.Context, jobs []Job) <-chan Outcome {
	concurrency := max(r.Concurrency, 1)
	out := make(chan Outcome, concurrency)
	pace := newPacer(r.Rate)
	// A failure every later call would share halts the batch from the
	// worker that saw it, before it takes another job: waiting for the
	// reader of out to stop it let a loaded machine send more calls bound
	// to fail the same way.
	stopCtx, halt := context.WithCancel(stopCtx)
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(concurrency, len(jobs)) {
		wg.Go(func() {
			for i := range work {
				// The feeder's select may hand out a job in the same instant
				// Ctrl-C lands; this is the last look before sending.
				// Paced here, right before the send, not where jobs are
				// handed out: the handoff's scheduling delay would clump
				// the sends that left the pacer evenly spaced.
				if stopCtx.Err() != nil || pace.wait(stopCtx) != nil {
					out <- Outcome{Index: i, Skipped: true}
					continue
				}
				res, err := r.Client.Send(abortCtx, r.Subaccount, jobs[i].Body)
				if ConfigFailure(err) {
					halt()
				}
				out <- Outcome{Index: i, Result: res, Err: err}
			}
		})
	}
	go func() {
		for i := range jobs {
			if stopCtx.Err() == nil {
				select {
				case work <- i:
					continue
				case <-stopCtx.Done():
				}
			}
			out <- Outcome{Index: i, Skipped: true}
		}
		close(work)
		wg.Wait()
		halt()
		close(out)
	}()
	return out
}

// ConfigFailure reports whether err is one every call of the batch would
// meet: 8x8 refused the key, or does not know the sub-account.
func ConfigFailure(err error) bool {
	var apiErr *voiceapi.APIError
	return errors.As(err, &apiErr) &&
		(apiErr.Kind == voiceapi.KindAuth ||
			apiErr.Kind == voiceapi.KindHTTP && (apiErr.HTTPStatus == http.StatusNotFound || apiErr.StatusCode == http.StatusNotFound))
}
