package loadcmd

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/load"
	"github.com/ivrctl/ivrctl/pkg/redact"
)

// renderer draws the status line and the final report.
type renderer struct {
	opts      *LoadOptions
	io        *cmdutil.IOStreams
	target    string // redacted
	scenarios int

	mu     sync.Mutex
	status bool // a status line is drawn on stderr
}

func newRenderer(opts *LoadOptions, target string, scenarios int) *renderer {
	t := "in-process menus"
	if target != "" {
		t = redact.URL(target)
	}
	return &renderer{opts: opts, io: opts.IO, target: t, scenarios: scenarios}
}

// progress redraws the status line, on a terminal only: piped stderr (a
// CI log) gets no stream of carriage returns.
func (r *renderer) progress(p load.Progress) {
	if !r.io.ErrTTY {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	pal := r.io.ErrPalette()
	failed := fmt.Sprintf("%d failed", p.Failed)
	if p.Failed > 0 {
		failed = pal.Red(failed)
	}
	line := fmt.Sprintf("%5.1fs/%s  %d started  %d in flight  %d completed  %s  %d not started",
		p.Elapsed.Seconds(), r.opts.Duration, p.Started, p.InFlight, p.Completed, failed, p.NotStarted)
	fmt.Fprintf(r.io.ErrOut, "\r\x1b[K%s", line)
	r.status = true
}

// clearStatus removes the status line before the report.
func (r *renderer) clearStatus() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.status {
		fmt.Fprint(r.io.ErrOut, "\r\x1b[K")
		r.status = false
	}
}

func (r *renderer) report(rep *load.Report, gate *load.GateError) error {
	r.clearStatus()
	if r.opts.Output == OutputJSON {
		enc := json.NewEncoder(r.io.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(jsonReport(rep, gate, r.opts.MaxP99))
	}
	r.text(rep, gate)
	return nil
}

// ms is a latency in milliseconds, to the microsecond.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

type jsonLatency struct {
	P50   float64 `json:"p50"`
	P90   float64 `json:"p90"`
	P99   float64 `json:"p99"`
	Max   float64 `json:"max"`
	Count int64   `json:"count"`
}

func latencyJSON(l *load.Latency) jsonLatency {
	return jsonLatency{P50: ms(l.P50), P90: ms(l.P90), P99: ms(l.P99), Max: ms(l.Max), Count: l.Count}
}

type jsonStep struct {
	Step      string      `json:"step"`
	LatencyMs jsonLatency `json:"latencyMs"`
}

type jsonBucket struct {
	LeMs  *float64 `json:"leMs"` // null: the last, open-ended bucket
	Count int64    `json:"count"`
}

// loadJSON is -o json's one object. calls, failed, rate and latencyMs are
// the headline numbers; the rest details them.
type loadJSON struct {
	Calls       int64            `json:"calls"` // started
	Failed      int64            `json:"failed"`
	Rate        float64          `json:"rate"` // achieved, calls per second
	LatencyMs   jsonLatency      `json:"latencyMs"`
	AskedRate   float64          `json:"askedRate"`
	Scheduled   int64            `json:"scheduled"`
	Completed   int64            `json:"completed"`
	NotStarted  int64            `json:"notStarted"`
	Interrupted int64            `json:"interrupted"`
	Failures    map[string]int64 `json:"failures"` // by class: webhook (-2002), callflow (-2003), wrong, refused, other
	Webhook     struct {
		Timeouts int64 `json:"timeouts"`
		Refused  int64 `json:"refused"`
		Status   int64 `json:"status"` // answered other than 200
	} `json:"webhookFailures"`
	// OverTimeout: calls that would have failed on 8x8 (a round trip over
	// Timeout8x8Ms, from its intended instant) though they did not here.
	OverTimeout  int64          `json:"overTimeout"`
	Timeout8x8Ms float64        `json:"timeout8x8Ms"`
	Steps        []jsonStep     `json:"steps"`
	Histogram    []jsonBucket   `json:"histogram"`
	MaxP99Ms     *float64       `json:"maxP99Ms,omitempty"`
	GateOver     []string       `json:"gateOver,omitempty"` // the steps over --max-p99, slowest first
	Examples     []load.Failure `json:"examples,omitempty"`
	DurationS    float64        `json:"durationS"`
}

func jsonReport(rep *load.Report, gate *load.GateError, maxP99 time.Duration) loadJSON {
	out := loadJSON{
		Calls: rep.Started, Failed: rep.FailedTotal(), Rate: round2(rep.AchievedRate()),
		LatencyMs: latencyJSON(rep.Overall), AskedRate: rep.AskedRate,
		Scheduled: rep.Scheduled, Completed: rep.Completed, NotStarted: rep.NotStarted, Interrupted: rep.Interrupted,
		Failures:    map[string]int64{},
		OverTimeout: rep.OverTimeout, Timeout8x8Ms: ms(rep.Timeout8x8),
		Steps:     []jsonStep{},
		Examples:  rep.Examples,
		DurationS: round2(rep.Elapsed.Seconds()),
	}
	for _, c := range load.Classes {
		out.Failures[string(c)] = rep.Failed[c]
	}
	out.Webhook.Timeouts, out.Webhook.Refused, out.Webhook.Status = rep.WebhookTimeouts, rep.WebhookRefused, rep.WebhookStatus
	for _, s := range rep.Steps {
		out.Steps = append(out.Steps, jsonStep{Step: s.Step, LatencyMs: latencyJSON(s.Latency)})
	}
	for _, b := range rep.Overall.Buckets {
		jb := jsonBucket{Count: b.Count}
		if b.Le > 0 {
			le := ms(b.Le)
			jb.LeMs = &le
		}
		out.Histogram = append(out.Histogram, jb)
	}
	if maxP99 > 0 {
		m := ms(maxP99)
		out.MaxP99Ms = &m
	}
	if gate != nil {
		for _, s := range gate.Over {
			out.GateOver = append(out.GateOver, s.Step)
		}
	}
	return out
}

func round2(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }

func (r *renderer) text(rep *load.Report, gate *load.GateError) {
	w := r.io.Out
	pal := r.io.OutPalette()
	fmt.Fprintf(w, "load: %s, %d scenario(s) round robin, %g calls/s for %s, at most %d in flight\n",
		r.target, r.scenarios, rep.AskedRate, r.opts.Duration, rep.Concurrency)
	failed := fmt.Sprintf("%d failed", rep.FailedTotal())
	if rep.FailedTotal() > 0 {
		failed = pal.Red(failed)
	}
	fmt.Fprintf(w, "calls:   %d scheduled, %d started, %d completed, %s, %d not started, %d interrupted\n",
		rep.Scheduled, rep.Started, rep.Completed, failed, rep.NotStarted, rep.Interrupted)
	if rep.FailedTotal() > 0 {
		fmt.Fprintf(w, "failed:  webhook -2002: %d (timeout %d, refused %d, not 200 %d), callflow -2003: %d, wrong answers: %d, request refused: %d, other: %d\n",
			rep.Failed[load.ClassWebhook], rep.WebhookTimeouts, rep.WebhookRefused, rep.WebhookStatus,
			rep.Failed[load.ClassCallflow], rep.Failed[load.ClassWrong], rep.Failed[load.ClassRefused], rep.Failed[load.ClassOther])
		for _, e := range rep.Examples {
			fmt.Fprintf(w, "  %-8s %s: %s\n", e.Class, e.Scenario, e.Message)
		}
	}
	fmt.Fprintf(w, "rate:    %.2f calls/s achieved of %g asked, %.2fs in all\n", rep.AchievedRate(), rep.AskedRate, rep.Elapsed.Seconds())
	o := rep.Overall
	fmt.Fprintf(w, "latency: p50 %s  p90 %s  p99 %s  max %s  (%d webhook round trips, from each call's intended start)\n",
		load.Round(o.P50), load.Round(o.P90), load.Round(o.P99), load.Round(o.Max), o.Count)
	if len(rep.Steps) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "step\tcount\tp50\tp90\tp99\tmax\t")
		for _, s := range rep.Steps {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t\n", s.Step, s.Count, load.Round(s.P50), load.Round(s.P90), load.Round(s.P99), load.Round(s.Max))
		}
		tw.Flush()
		fmt.Fprintln(w, "histogram:")
		writeHistogram(w, o)
	}
	note := fmt.Sprintf("8x8 webhook timeout taken as %s (undocumented): %d call(s) would have failed on 8x8", rep.Timeout8x8, rep.OverTimeout)
	if rep.OverTimeout > 0 {
		note = pal.Red(note)
	}
	fmt.Fprintln(w, note)
	if r.opts.MaxP99 > 0 {
		if gate == nil {
			fmt.Fprintf(w, "gate:    p99 within %s at every step\n", r.opts.MaxP99)
		} else {
			fmt.Fprintf(w, "gate:    %s\n", pal.Red(gate.Error()))
		}
	}
}

// histogramWidth is the longest bar of the text histogram.
const histogramWidth = 40

func writeHistogram(w io.Writer, l *load.Latency) {
	var most int64
	first, last := -1, -1
	for i, b := range l.Buckets {
		most = max(most, b.Count)
		if b.Count > 0 {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return
	}
	for _, b := range l.Buckets[first : last+1] {
		label := "> " + load.BucketBounds[len(load.BucketBounds)-1].String()
		if b.Le > 0 {
			label = "<= " + b.Le.String()
		}
		n := int(b.Count * histogramWidth / most)
		if b.Count > 0 && n == 0 {
			n = 1
		}
		fmt.Fprintf(w, "  %8s %7d %s\n", label, b.Count, strings.Repeat("#", n))
	}
}
