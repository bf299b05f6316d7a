package dial

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/emulator"
	"github.com/ivrctl/ivrctl/pkg/phone"
)

// maxLine bounds a line of stdin: keys for one prompt are a few bytes.
const maxLine = 4096

var keysLine = regexp.MustCompile(`^[0-9*#]+$`)

// playLines is the line mode: one line of stdin per prompt, one line of
// stdout per step. Nothing waits on the clock: the keys come from a
// script, so speech, rings and timeouts go by at once.
func playLines(parent context.Context, c *call, sp *speaker) (outcome, error) {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	w := &linePrinter{w: c.opts.IO.Out, start: c.start}
	fmt.Fprintf(w.w, "dial: %s\n", c.title)
	want := make(chan struct{}, 1) // the phone listens: read the next line
	ph := phone.New(phone.Options{OnEvent: func(ev phone.Event) {
		sp.on(ev)
		w.print(ev)
		if _, ok := ev.(phone.Listening); ok {
			select {
			case want <- struct{}{}:
			default:
			}
		}
	}})
	r := &lineReader{sc: bufio.NewScanner(c.opts.IO.In), ph: ph, quit: cancel}
	r.sc.Buffer(make([]byte, 0, 256), maxLine)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case <-want:
				if !r.next() {
					return
				}
			}
		}
	}()
	res, err := ph.Run(ctx, c.c)
	cancel()
	<-done
	if r.err != nil {
		return outcome{}, r.err
	}
	return outcome{res: res, err: err, quit: r.quitted || parent.Err() != nil}, nil
}

// safe is text from a menu or a webhook, made safe for a terminal.
func safe(s string) string { return cmdutil.TerminalSafe(s, false) }

// lineReader turns lines into the person's actions, one per prompt.
type lineReader struct {
	sc      *bufio.Scanner
	ph      *phone.Phone
	line    int
	err     error
	quit    context.CancelFunc
	quitted bool
}

// next reads one line and acts on it; false once nothing more is read.
func (r *lineReader) next() bool {
	if !r.sc.Scan() {
		if err := r.sc.Err(); err != nil {
			r.err = cmdutil.Usagef("stdin:%d: %v", r.line+1, err)
			r.quit()
			return false
		}
		// The end of the script: the person hangs up.
		r.ph.Hangup()
		return false
	}
	r.line++
	s := strings.TrimSpace(r.sc.Text())
	switch {
	case s == "":
		r.ph.Enter("")
	case s == "h" || s == "hangup":
		r.ph.Hangup()
	case s == "q" || s == "quit":
		r.quitted = true
		r.quit()
		return false
	case keysLine.MatchString(s):
		r.ph.Enter(s)
	default:
		r.err = cmdutil.Usagef("stdin:%d: %q: give keys (0-9 * #), an empty line for silence, h to hang up or q to quit", r.line, s)
		r.quit()
		return false
	}
	return true
}

// linePrinter writes the call's steps as lines.
type linePrinter struct {
	mu     sync.Mutex
	w      io.Writer
	start  string
	prompt emulator.Prompt
}

func (p *linePrinter) print(ev phone.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch ev := ev.(type) {
	case phone.Answered:
		if ev.Inbound {
			fmt.Fprintf(p.w, "you call %s: inbound, the webhook is asked (CALL_RECEIVED)\n", ev.Destination)
			return
		}
		fmt.Fprintf(p.w, "ring %s %s: answered\n", legName(ev.Leg), ev.Destination)
	case phone.Prompting:
		p.prompt = ev.Prompt
	case phone.Speaking:
		h := ev.Heard
		if h.Kind == emulator.HeardPrompt {
			menu := menuName(p.prompt, p.start)
			fmt.Fprintf(p.w, "prompt (%s · %s): %s\n", menu, rules(p.prompt), safe(h.Text))
			return
		}
		fmt.Fprintf(p.w, "%s: %s\n", h.Kind, safe(h.Text))
	case phone.Entered:
		fmt.Fprintf(p.w, "> %s\n", pressed(ev.Step))
	case phone.RoundTrip:
		fmt.Fprintf(p.w, "webhook #%d: %s ← %s (%s)\n", ev.N, sent(ev), safe(answered(ev)), latency(ev.Latency))
	case phone.Ended:
		if ev.Result == nil || ev.Result.Transcript == nil {
			return
		}
		tr := ev.Result.Transcript
		fmt.Fprintf(p.w, "ended: %s\n", summary(tr))
		if w := why(tr); w != "" {
			fmt.Fprintf(p.w, "  %s\n", safe(w))
		}
		for _, l := range legs(tr) {
			fmt.Fprintf(p.w, "  %s\n", l)
		}
	}
}
