package campaign

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/campaign"
	"github.com/ivrctl/ivrctl/pkg/redact"
)

// view renders a campaign's events: one JSON object a line with -o json;
// otherwise a line per call that ended (or needs attention) on stdout, and
// on a terminal's stderr a status line redrawn in place (placed, in
// flight, completed, busy, no answer, failed, unknown, retries pending,
// the next window).
type view struct {
	opts   *RunOptions
	out    io.Writer
	errOut io.Writer
	json   bool
	live   bool
	pal    cmdutil.Palette

	mu       sync.Mutex
	enc      *json.Encoder
	drawn    bool
	lastDraw time.Time
	stats    campaign.Stats
	ticker   *time.Ticker
	done     chan struct{}
}

func newView(opts *RunOptions) *view {
	v := &view{opts: opts, out: redact.Writer(opts.IO.Out, opts.APIKey), errOut: redact.Writer(opts.IO.ErrOut, opts.APIKey),
		json: opts.Output == "json", live: opts.IO.ErrTTY, pal: opts.IO.ErrPalette(), done: make(chan struct{})}
	v.enc = json.NewEncoder(v.out)
	v.enc.SetEscapeHTML(false)
	if v.live {
		// Redrawn on a tick too: "next window in 2h" counts down.
		v.ticker = time.NewTicker(time.Second)
		go func() {
			for {
				select {
				case <-v.ticker.C:
					v.mu.Lock()
					v.draw(true)
					v.mu.Unlock()
				case <-v.done:
					return
				}
			}
		}()
	}
	return v
}

func (v *view) close() {
	if v.ticker != nil {
		v.ticker.Stop()
		close(v.done)
	}
	v.mu.Lock()
	v.clear()
	v.mu.Unlock()
}

func (v *view) note(format string, args ...any) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.clear()
	fmt.Fprintf(v.errOut, format+"\n", args...)
}

func (v *view) warn(format string, args ...any) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.clear()
	fmt.Fprintf(v.errOut, "%s %s\n", v.pal.Yellow("warning:"), fmt.Sprintf(format, args...))
}

// event renders one engine event (called from the engine's goroutine).
func (v *view) event(e campaign.Event) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.stats = e.Stats
	if v.json {
		_ = v.enc.Encode(e)
		return
	}
	if line := logLine(e); line != "" {
		v.clear()
		fmt.Fprintln(v.out, line)
	}
	v.draw(false)
}

// logLine is the plain log's line for an event ("" : none).
func logLine(e campaign.Event) string {
	at := e.Time.UTC().Format(time.RFC3339)
	who := fmt.Sprintf("%s %s #%d", at, e.Number, e.Attempt)
	switch e.Kind {
	case campaign.EventOutcome:
		s := fmt.Sprintf("%s %s session %s", who, e.Status, e.Session)
		if e.Error != "" {
			s += ": " + cmdutil.TerminalSafe(e.Error, false)
		}
		return s
	case campaign.EventNotCreated:
		return fmt.Sprintf("%s not created: %s", who, cmdutil.TerminalSafe(e.Error, false))
	case campaign.EventNotSent:
		return fmt.Sprintf("%s not sent: %s", who, cmdutil.TerminalSafe(e.Error, false))
	case campaign.EventUnknown:
		look := "clientRequestId " + e.ClientRequestID
		if e.Session != "" {
			look = "sessionId " + e.Session + ", " + look
		}
		return fmt.Sprintf("%s unknown (%s): look for %s in the session summaries", who, cmdutil.TerminalSafe(e.Error, false), look)
	case campaign.EventRetry:
		return fmt.Sprintf("%s %s retry #%d at %s", at, e.Number, e.Attempt, e.Next.UTC().Format(time.RFC3339))
	case campaign.EventWindowWait:
		return fmt.Sprintf("%s outside the window: waiting until %s", at, e.Next.Format(time.RFC3339))
	case campaign.EventStopping:
		return fmt.Sprintf("%s stopped placing calls (%s); waiting for the calls in progress", at, cmdutil.TerminalSafe(e.Error, false))
	case campaign.EventDrained:
		return fmt.Sprintf("%s --drain ran out with %d call(s) in progress: their outcomes are read on resume", at, e.Stats.InFlight)
	}
	return ""
}

// status is the live line.
func status(s campaign.Stats, now time.Time) string {
	parts := []string{
		fmt.Sprintf("placed %d", s.Placed),
		fmt.Sprintf("in flight %d", s.InFlight),
		fmt.Sprintf("completed %d", s.Completed),
		fmt.Sprintf("busy %d", s.Busy),
		fmt.Sprintf("no answer %d", s.NoAnswer),
		fmt.Sprintf("failed %d", s.Failed),
		fmt.Sprintf("unknown %d", s.Unknown),
		fmt.Sprintf("retries pending %d", s.RetriesPending),
	}
	if s.NotCreated > 0 {
		parts = append(parts, fmt.Sprintf("not created %d", s.NotCreated))
	}
	if s.Pending > 0 {
		parts = append(parts, fmt.Sprintf("to call %d", s.Pending))
	}
	if !s.NextWindow.IsZero() {
		parts = append(parts, "next window "+s.NextWindow.Format("Mon 15:04")+" (in "+s.NextWindow.Sub(now).Round(time.Second).String()+")")
	}
	return strings.Join(parts, " · ")
}

// draw redraws the live line, at most 10 times a second unless forced.
func (v *view) draw(force bool) {
	if !v.live || v.json {
		return
	}
	now := time.Now()
	if !force && now.Sub(v.lastDraw) < 100*time.Millisecond {
		return
	}
	v.lastDraw = now
	fmt.Fprint(v.errOut, "\r\x1b[K"+status(v.stats, now))
	v.drawn = true
}

func (v *view) clear() {
	if v.drawn {
		fmt.Fprint(v.errOut, "\r\x1b[K")
		v.drawn = false
	}
}

// summary prints the totals at the end, and the unknown numbers.
func (v *view) summary(s campaign.Stats) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.clear()
	if v.json {
		return // the "done" event carries the stats
	}
	fmt.Fprintln(v.errOut, status(s, time.Now()))
	if s.Unknown > 0 {
		fmt.Fprintf(v.errOut, "%s %d number(s) with an unknown outcome, never called again on their own: `ivrctl campaign report --journal %s` lists what to look for; --recall-unknown calls them again\n",
			v.pal.Yellow("warning:"), s.Unknown, v.opts.Journal)
	}
}
