package dial

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/ivrctl/ivrctl/pkg/emulator"
	"github.com/ivrctl/ivrctl/pkg/phone"
)

// controls are the phone's inputs the keys drive (a *phone.Phone).
type controls interface {
	Press(key rune)
	Silence()
	Hangup()
}

// eventMsg carries a phone event into the UI's loop.
type eventMsg struct{ ev phone.Event }

// tickMsg moves the UI's clock: the countdowns and the call timer.
type tickMsg time.Time

// tickEvery is how often the countdowns are redrawn.
const tickEvery = 100 * time.Millisecond

func tick() tea.Cmd {
	return tea.Tick(tickEvery, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// litFor is how long a key pressed stays lit on the keypad.
const litFor = 300 * time.Millisecond

// heardLine is one text of the call's history.
type heardLine struct {
	kind, text string
	cut        bool
}

// model is the full-screen phone: the state of the call as its events
// told it, and the keys' effects. Its clock is the last tickMsg, so a
// test sets the time and the screen is the same on every run.
type model struct {
	title   string
	start   string // the start menu
	inbound bool   // you called the virtual number (--inbound)
	pace    float64
	ctl     controls
	leave   func() // quit: cancel the call
	st      styles

	width, height int
	now           time.Time

	ringing  *phone.Ringing
	since    time.Time // when you answered
	prompt   *emulator.Prompt
	speaking *phone.Speaking
	words    int
	history  []heardLine

	listening   bool
	overallEnds time.Time
	digitEnds   time.Time
	keys        string

	lit   rune
	litAt time.Time

	trips    []phone.RoundTrip
	ended    *phone.Ended
	quitting bool
}

func newModel(title, start string, pace float64, ctl controls, leave func(), st styles, now time.Time) *model {
	return &model{title: title, start: start, pace: pace, ctl: ctl, leave: leave, st: st, now: now, width: 100, height: 30}
}

func (m *model) Init() tea.Cmd { return tick() }

func (m *model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
	case tickMsg:
		m.now = time.Time(msg)
		return m, tick()
	case tea.KeyPressMsg:
		return m, m.key(msg)
	case eventMsg:
		m.apply(msg.ev)
		if _, ok := msg.ev.(phone.Ended); ok {
			return m, tea.Quit
		}
	}
	return m, nil
}

// key acts on a key: DTMF, silence, hang up, quit.
func (m *model) key(k tea.KeyPressMsg) tea.Cmd {
	s := k.String()
	switch {
	case s == "q" || s == "ctrl+c" || s == "esc":
		if m.ended != nil {
			return tea.Quit
		}
		// The call is cut; its Ended event ends the UI.
		m.quitting = true
		m.leave()
	case m.ended != nil || m.quitting:
	case len(s) == 1 && strings.Contains(phone.Keys, s):
		m.lit, m.litAt = rune(s[0]), m.now
		m.ctl.Press(rune(s[0]))
	case s == "space" || s == " " || s == "s":
		m.ctl.Silence()
	case s == "h":
		m.ctl.Hangup()
	}
	return nil
}

// apply updates the state from one event of the call.
func (m *model) apply(ev phone.Event) {
	switch ev := ev.(type) {
	case phone.Ringing:
		m.ringing = &ev
	case phone.Answered:
		m.ringing = nil
		if ev.Leg == 0 {
			m.since = ev.At
		} else {
			m.history = append(m.history, heardLine{kind: "connect", text: ev.Destination + " answered"})
		}
	case phone.Prompting:
		m.prompt = &ev.Prompt
	case phone.Speaking:
		m.speaking, m.words = &ev, 0
	case phone.Word:
		m.words = ev.Index + 1
	case phone.Spoken:
		m.history = append(m.history, heardLine{kind: ev.Heard.Kind, text: ev.Heard.Text, cut: ev.Cut})
		m.speaking = nil
	case phone.Listening:
		m.listening, m.overallEnds, m.digitEnds, m.keys = true, ev.OverallEnds, time.Time{}, ""
	case phone.Key:
		m.keys, m.digitEnds = ev.Keys, ev.DigitEnds
	case phone.Entered:
		m.listening = false
		m.history = append(m.history, heardLine{kind: "you", text: pressed(ev.Step)})
	case phone.RoundTrip:
		m.trips = append(m.trips, ev)
	case phone.Ended:
		m.ended, m.speaking, m.listening, m.ringing = &ev, nil, false, nil
		m.now = ev.At
	}
}

// left is how much of a timeout is left on the emulator's clock.
func (m *model) left(ends time.Time) time.Duration {
	if ends.IsZero() {
		return 0
	}
	d := time.Duration(float64(ends.Sub(m.now)) * m.pace)
	return max(d, 0)
}

// playTUI plays the call on the full-screen phone.
func playTUI(parent context.Context, c *call, sp *speaker) (outcome, error) {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	var prog *tea.Program
	ph := phone.New(phone.Options{Pace: c.opts.Pace, Timeouts: true, OnEvent: func(ev phone.Event) {
		sp.on(ev)
		prog.Send(eventMsg{ev})
	}})
	color := c.opts.IO.ColorOut()
	m := newModel(c.title, c.start, c.opts.Pace, ph, cancel, newStyles(color), time.Now())
	m.inbound = c.inbound
	// Signals are the command's (SignalContext ends parent, and with it
	// the program): one place decides that a kill is a quit.
	prog = tea.NewProgram(m, tea.WithContext(parent), tea.WithInput(c.opts.IO.In), tea.WithOutput(c.opts.IO.Out),
		tea.WithoutSignalHandler())
	type ran struct {
		res *phone.Result
		err error
	}
	done := make(chan ran, 1)
	go func() {
		res, err := ph.Run(ctx, c.c)
		done <- ran{res, err}
	}()
	_, uiErr := prog.Run()
	cancel() // the UI is gone: so is the person
	r := <-done
	if r.res == nil && r.err == nil {
		return outcome{}, fmt.Errorf("the call did not run")
	}
	// The last screen stays on the terminal once the phone has gone.
	m.quitting = m.quitting || parent.Err() != nil
	if color {
		_, _ = lipgloss.Fprintln(c.opts.IO.Out, m.screen())
	} else {
		fmt.Fprintln(c.opts.IO.Out, m.screen())
	}
	if uiErr != nil && parent.Err() == nil && !m.quitting {
		return outcome{}, fmt.Errorf("terminal: %w", uiErr)
	}
	return outcome{res: r.res, err: r.err, quit: m.quitting}, nil
}
