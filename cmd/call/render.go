package call

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/calls"
	"github.com/ivrctl/ivrctl/pkg/redact"
	"github.com/ivrctl/ivrctl/pkg/voiceapi"
)

// Statuses of a number in a batch's results.
const (
	StatusCreated  = "created"  // 8x8 accepted the call
	StatusRejected = "rejected" // 8x8 refused it (NOT_CREATED, 401/403): exit 3
	StatusFailed   = "failed"   // no usable answer (network, 5xx, other HTTP): exit 4
	StatusSkipped  = "skipped"  // not placed: the batch was stopped
)

// Result is one number's line of `call -o json` in a batch.
type Result struct {
	Number          string `json:"number"`
	Status          string `json:"status"`
	SessionID       string `json:"sessionId,omitempty"`
	StatusCode      int    `json:"statusCode,omitempty"`
	StatusMessage   string `json:"statusMessage,omitempty"`
	HTTPStatus      int    `json:"httpStatus,omitempty"`
	Attempts        int    `json:"attempts"`
	ClientRequestID string `json:"clientRequestId,omitempty"`
	// MaybeAccepted: the call may have been placed despite the error;
	// look for ClientRequestID in the session summary before calling again.
	MaybeAccepted bool   `json:"maybeAccepted,omitempty"`
	Error         string `json:"error,omitempty"`
	Hint          string `json:"hint,omitempty"`
}

// explain turns an outcome into a result, its exit code and, for a
// failure, a one-line message and hint naming what to do.
func explain(o calls.Outcome, j job, apiKey string) (r Result, code int) {
	r = Result{Number: j.number, ClientRequestID: j.crid}
	if o.Result != nil {
		r.Attempts, r.HTTPStatus = o.Result.Attempts, o.Result.HTTPStatus
		if resp := o.Result.Response; resp != nil {
			r.SessionID, r.StatusCode, r.StatusMessage = resp.SessionID, resp.StatusCode, resp.StatusMessage
		}
	}
	if o.Skipped || errors.Is(o.Err, voiceapi.ErrStopped) {
		// Stopped before sending, or while waiting to retry a 429 or a
		// failed dial: never placed. The last attempt's answer is not the
		// outcome, so it is not reported as one.
		r.Status, r.Error = StatusSkipped, "not placed: the batch was stopped"
		r.HTTPStatus, r.StatusCode, r.StatusMessage = 0, 0, ""
		if r.Attempts > 0 {
			r.Error = fmt.Sprintf("not placed: the batch was stopped while waiting to retry (%d attempts)", r.Attempts)
		}
		return r, cmdutil.ExitOK
	}
	if o.Err == nil {
		r.Status, r.HTTPStatus = StatusCreated, 0
		return r, cmdutil.ExitOK
	}
	checkVSS := fmt.Sprintf("look for clientRequestId %s in the session summary (VSS) before calling %s again", j.crid, j.number)
	if j.crid == "" {
		checkVSS = fmt.Sprintf("look for a session to %s in the session summaries (VSS) before calling again (--client-request-id auto tags each call)", j.number)
	}
	var apiErr *voiceapi.APIError
	var tErr *voiceapi.TransportError
	switch {
	case errors.As(o.Err, &apiErr):
		switch apiErr.Kind {
		case voiceapi.KindNotCreated:
			r.Status, code = StatusRejected, cmdutil.ExitRejected
			r.Error = fmt.Sprintf("8x8 did not create the call to %s: %d %s", j.number, apiErr.StatusCode, messageOf(apiErr))
			r.Hint = callflow.StatusHint(apiErr.StatusCode)
		case voiceapi.KindAuth:
			r.Status, code = StatusRejected, cmdutil.ExitRejected
			r.Error = fmt.Sprintf("8x8 refused the API key %s: HTTP %d %s", redact.Mask(apiKey), apiErr.HTTPStatus, messageOf(apiErr))
			r.Hint = callflow.StatusHint(http.StatusUnauthorized)
		case voiceapi.KindRateLimited:
			r.Status, code = StatusFailed, cmdutil.ExitTransport
			r.Error = fmt.Sprintf("8x8 rate limit (HTTP 429) after %d attempts: the call to %s was not placed", r.Attempts, j.number)
			r.Hint = "lower --rate, raise --retries, or try again later"
			if apiErr.RetryAfter > voiceapi.DefaultMaxRetryAfter {
				r.Error = fmt.Sprintf("8x8 rate limit (HTTP 429) asks to wait %s, longer than the %s ivrctl waits: the call to %s was not placed",
					apiErr.RetryAfter, voiceapi.DefaultMaxRetryAfter, j.number)
				r.Hint = "try again after " + apiErr.RetryAfter.String()
			}
		case voiceapi.KindServer, voiceapi.KindUnexpected:
			r.Status, code, r.MaybeAccepted = StatusFailed, cmdutil.ExitTransport, true
			r.Error = fmt.Sprintf("8x8 answered %s for the call to %s: the platform may have accepted it, so it was not retried (nobody is rung twice)", apiErr, j.number)
			r.Hint = checkVSS
		default:
			r.Status, code = StatusFailed, cmdutil.ExitTransport
			r.Error = fmt.Sprintf("8x8 answered %s: the call to %s was not placed", apiErr, j.number)
			hintCode := apiErr.StatusCode
			if hintCode == 0 {
				hintCode = apiErr.HTTPStatus
			}
			r.Hint = callflow.StatusHint(hintCode)
		}
	case errors.As(o.Err, &tErr):
		r.Status, code = StatusFailed, cmdutil.ExitTransport
		switch {
		case tErr.Sent:
			r.MaybeAccepted = true
			r.Error = fmt.Sprintf("%v: the platform may have accepted the call to %s, so it was not retried (nobody is rung twice)", tErr, j.number)
			r.Hint = checkVSS
		default:
			r.Error = fmt.Sprintf("%v (%d attempts): the call to %s was not placed", tErr, r.Attempts, j.number)
			r.Hint = "check --base-url and the network"
		}
	default:
		r.Status, code = StatusFailed, cmdutil.ExitTransport
		r.Error = fmt.Sprintf("call to %s: %v", j.number, o.Err)
	}
	return r, code
}

func messageOf(e *voiceapi.APIError) string {
	if e.StatusMessage != "" {
		return e.StatusMessage
	}
	if m := callflow.StatusMessage(e.StatusCode); m != "" {
		return m
	}
	return http.StatusText(e.HTTPStatus)
}

// renderSingle prints one call's outcome: the sessionId (text) or 8x8's
// answer as it came (json), and returns its error.
func renderSingle(opts *CallOptions, p *plan, o calls.Outcome, out io.Writer) error {
	j := p.jobs[0]
	if o.Skipped || errors.Is(o.Err, voiceapi.ErrStopped) {
		return &cmdutil.ExitError{Code: cmdutil.ExitInterrupted, Err: fmt.Errorf("stopped before the call to %s was placed", j.number)}
	}
	r, code := explain(o, j, opts.APIKey)
	if opts.Output == "json" && o.Result != nil && json.Valid(o.Result.Body) {
		var buf bytes.Buffer
		if json.Compact(&buf, o.Result.Body) == nil {
			fmt.Fprintln(out, buf.String())
		}
	} else if r.Status == StatusCreated {
		fmt.Fprintln(out, r.SessionID)
	}
	if code == cmdutil.ExitOK {
		return nil
	}
	return &cmdutil.ExitError{Code: code, Err: errors.New(r.Error), Hint: r.Hint}
}

// summary counts a batch's outcomes.
type summary struct {
	total, placed, created, rejected, failed, skipped, maybe int
	worst                                                    int
}

// renderBatch prints results in input order as they complete (out-of-order
// ones wait for their turn), a progress bar on a terminal, and the summary.
//
// A refused API key or an unknown sub-account would fail every remaining
// call the same way, so either stops the batch as Ctrl-C does.
func renderBatch(opts *CallOptions, p *plan, outcomes <-chan calls.Outcome, stopCtx context.Context, stop func(), out, errOut io.Writer) error {
	pal := opts.IO.OutPalette()
	enc := json.NewEncoder(out)
	var s summary
	s.total = len(p.jobs)
	pending := make(map[int]Result)
	next := 0
	start := time.Now()
	bar := &progress{w: errOut, on: opts.IO.ErrTTY, total: s.total, start: start}
	ticker := time.NewTicker(200 * time.Millisecond)
	defer ticker.Stop()
	stopNoted := false
	stopReason := "no new calls; waiting for those in flight (Ctrl-C again to abandon them)"

	emit := func(r Result) {
		bar.clear()
		if opts.Output == "json" {
			_ = enc.Encode(r)
		} else {
			fmt.Fprintln(out, textLine(r, pal))
		}
	}
	for {
		select {
		case o, ok := <-outcomes:
			if !ok {
				bar.clear()
				return finish(opts, p, &s, time.Since(start), errOut)
			}
			r, code := explain(o, p.jobs[o.Index], opts.APIKey)
			s.count(r, code)
			if !stopNoted && stopCtx.Err() == nil && calls.ConfigFailure(o.Err) {
				stopReason = "the rest would fail the same way: " + r.Error
				stop()
			}
			bar.done, bar.failed = s.placed, s.rejected+s.failed
			pending[o.Index] = r
			for {
				r, ok := pending[next]
				if !ok {
					break
				}
				delete(pending, next)
				next++
				emit(r)
			}
			bar.draw()
		case <-ticker.C:
			bar.draw()
		case <-stopCtx.Done():
			if !stopNoted {
				stopNoted = true
				bar.clear()
				fmt.Fprintln(errOut, "stopping: "+stopReason)
			}
			stopCtx = context.Background() // noted once; keep draining
		}
	}
}

func (s *summary) count(r Result, code int) {
	switch r.Status {
	case StatusCreated:
		s.placed++
		s.created++
	case StatusRejected:
		s.placed++
		s.rejected++
	case StatusFailed:
		s.placed++
		s.failed++
	case StatusSkipped:
		s.skipped++
	}
	if r.MaybeAccepted {
		s.maybe++
	}
	s.worst = max(s.worst, code)
}

// finish prints the summary and returns the batch's exit status.
func finish(opts *CallOptions, p *plan, s *summary, took time.Duration, errOut io.Writer) error {
	pal := opts.IO.ErrPalette()
	line := fmt.Sprintf("placed %d of %d calls in %s: %d created, %d failed", s.placed, s.total, took.Round(10*time.Millisecond), s.created, s.rejected+s.failed)
	if s.rejected+s.failed > 0 {
		line += fmt.Sprintf(" (%d refused by 8x8, %d errors)", s.rejected, s.failed)
	}
	line += fmt.Sprintf(", %d skipped", s.skipped)
	fmt.Fprintln(errOut, line)
	if p.baseCRID != "" {
		fmt.Fprintf(errOut, "clientRequestIds: %s-1 to %s-%d\n", p.baseCRID, p.baseCRID, s.total)
	}
	if s.maybe > 0 {
		fmt.Fprintf(errOut, "%s %d call(s) may have been accepted despite the error: check the session summaries (VSS) before calling them again\n",
			pal.Yellow("warning:"), s.maybe)
	}
	switch {
	case s.worst != cmdutil.ExitOK:
		return &cmdutil.SilentError{Code: s.worst}
	case s.skipped > 0:
		return &cmdutil.SilentError{Code: cmdutil.ExitInterrupted}
	}
	return nil
}

// textLine is one number's line in text mode: number, status, detail.
func textLine(r Result, p cmdutil.Palette) string {
	status := fmt.Sprintf("%-8s", r.Status)
	detail := r.Error
	switch r.Status {
	case StatusCreated:
		status, detail = p.Green(status), r.SessionID
	case StatusRejected:
		status = p.Red(status)
		if r.StatusCode != 0 && r.HTTPStatus != http.StatusUnauthorized && r.HTTPStatus != http.StatusForbidden {
			detail = fmt.Sprintf("%d %s", r.StatusCode, r.StatusMessage)
		}
	case StatusFailed:
		status = p.Red(status)
		if r.MaybeAccepted && r.ClientRequestID != "" {
			detail += " (check clientRequestId " + r.ClientRequestID + ")"
		}
	case StatusSkipped:
		status = p.Gray(status)
	}
	return fmt.Sprintf("%-16s %s %s", r.Number, status, detail)
}

// dryRun prints every request as it would be sent, the key masked.
func dryRun(opts *CallOptions, p *plan, out, errOut io.Writer) error {
	enc := json.NewEncoder(out)
	for i, j := range p.jobs {
		req, err := p.client.NewRequest(context.Background(), opts.Subaccount, j.body)
		if err != nil {
			return cmdutil.Usagef("%w", err)
		}
		headers := map[string]string{}
		names := make([]string, 0, len(req.Header))
		for k, v := range req.Header {
			val := strings.Join(v, ", ")
			if k == "Authorization" {
				val = "Bearer " + redact.Mask(opts.APIKey)
			}
			headers[k] = val
			names = append(names, k)
		}
		slices.Sort(names)
		if opts.Output == "json" {
			_ = enc.Encode(struct {
				Method  string            `json:"method"`
				URL     string            `json:"url"`
				Headers map[string]string `json:"headers"`
				Body    json.RawMessage   `json:"body"`
			}{req.Method, req.URL.String(), headers, j.body})
			continue
		}
		if i > 0 {
			fmt.Fprintln(out)
		}
		fmt.Fprintf(out, "%s %s\n", req.Method, req.URL)
		for _, k := range names {
			fmt.Fprintf(out, "%s: %s\n", k, headers[k])
		}
		var body bytes.Buffer
		_ = json.Indent(&body, j.body, "", "  ")
		fmt.Fprintf(out, "\n%s\n", body.String())
	}
	fmt.Fprintf(errOut, "dry run: %d request(s) shown, nothing sent\n", len(p.jobs))
	return nil
}

// progress is a one-line bar redrawn with \r on a terminal's stderr.
type progress struct {
	w                   io.Writer
	on                  bool
	total, done, failed int
	start               time.Time
	drawn               bool
}

func (b *progress) draw() {
	if !b.on {
		return
	}
	const width = 24
	filled := width * b.done / max(b.total, 1)
	elapsed := time.Since(b.start).Seconds()
	rate := 0.0
	if elapsed > 0 {
		rate = float64(b.done) / elapsed
	}
	eta := "--"
	if rate > 0 {
		eta = (time.Duration(float64(b.total-b.done)/rate) * time.Second).Round(time.Second).String()
	}
	fmt.Fprintf(b.w, "\r\x1b[K[%s%s] %d/%d placed, %d failed, %.1f calls/s, ETA %s",
		strings.Repeat("=", filled), strings.Repeat(" ", width-filled), b.done, b.total, b.failed, rate, eta)
	b.drawn = true
}

func (b *progress) clear() {
	if b.on && b.drawn {
		fmt.Fprint(b.w, "\r\x1b[K")
		b.drawn = false
	}
}
