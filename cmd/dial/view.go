package dial

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// styles are the screen's colours; without colour every style is plain,
// so the layout (and a golden file) is the same text.
type styles struct {
	title, pane, head, dim, key, lit, good lipgloss.Style
	bad, speaking, you                     lipgloss.Style
}

func newStyles(color bool) styles {
	plain := lipgloss.NewStyle()
	st := styles{
		title: plain, head: plain, dim: plain, key: plain, lit: plain, good: plain,
		bad: plain, speaking: plain, you: plain,
		pane: plain.Border(lipgloss.RoundedBorder()).Padding(0, 1),
	}
	if !color {
		return st
	}
	st.title = plain.Bold(true).Foreground(lipgloss.Color("15")).Background(lipgloss.Color("24"))
	st.head = plain.Bold(true).Foreground(lipgloss.Color("39"))
	st.dim = plain.Foreground(lipgloss.Color("245"))
	st.lit = plain.Reverse(true).Bold(true)
	st.good = plain.Foreground(lipgloss.Color("42"))
	st.bad = plain.Foreground(lipgloss.Color("203"))
	st.speaking = plain.Bold(true)
	st.you = plain.Foreground(lipgloss.Color("214"))
	return st
}

// The layout: the phone on the left, the webhooks on the right.
const (
	minWidth   = 80
	phoneWidth = 58 // the phone pane, borders included
	historyMax = 7  // lines of what was said kept on screen
)

// View is the screen, full-window.
func (m *model) View() tea.View {
	v := tea.NewView(m.screen())
	v.AltScreen = true
	return v
}

// screen draws the screen.
func (m *model) screen() string {
	width := max(m.width, minWidth)
	title := m.st.title.Width(width).Render(" ivrctl dial · " + safe(m.title))
	inner := phoneWidth - 4 // borders and padding: lipgloss counts them in Width
	left := m.st.pane.Width(phoneWidth).Render(strings.Join(m.phoneLines(inner), "\n"))
	rightWidth, h := width-phoneWidth, lipgloss.Height(left)
	right := m.st.pane.Width(rightWidth).Height(h).
		Render(strings.Join(m.webhookLines(rightWidth-4, h-2), "\n"))
	body := lipgloss.JoinHorizontal(lipgloss.Top, left, right)
	help := m.st.dim.Render(" 0-9 * # keys · space silence (end the wait) · h hang up · q quit")
	return strings.Join([]string{title, body, help}, "\n")
}

// phoneLines are the phone pane: state, what is said, the capture, the
// keypad.
func (m *model) phoneLines(w int) []string {
	var out []string
	out = append(out, m.stateLine(w), "")
	// What was said, newest last, then what is being said, word by word.
	var lines []string
	for _, h := range m.history {
		lines = append(lines, m.said(h, w)...)
	}
	if sp := m.speaking; sp != nil {
		text := safe(strings.Join(sp.Words[:m.words], " "))
		lines = append(lines, m.wrapKind(sp.Heard.Kind, text+"▌", w, m.st.speaking)...)
	}
	if len(lines) > historyMax {
		lines = lines[len(lines)-historyMax:]
	}
	for len(lines) < historyMax {
		lines = append(lines, "")
	}
	out = append(out, lines...)
	out = append(out, "")
	out = append(out, m.captureLines()...)
	out = append(out, "")
	out = append(out, m.keypad()...)
	return out
}

func (m *model) stateLine(w int) string {
	var state string
	switch {
	case m.ended != nil:
		state = "■ CALL ENDED"
		if m.inbound {
			state = "■ INBOUND CALL ENDED"
		}
		if m.ended.Result != nil && m.ended.Result.Transcript != nil {
			state += " · " + m.ended.Result.Transcript.Status()
		}
	case m.quitting:
		state = "■ LEAVING"
	case m.ringing != nil:
		who := "you"
		if m.ringing.Leg > 0 {
			who = m.ringing.Destination
		}
		state = "☎ RINGING " + who
	case !m.since.IsZero() && m.inbound:
		state = "● INBOUND CALL " + clock(m.now.Sub(m.since))
	case !m.since.IsZero():
		state = "● IN CALL " + clock(m.now.Sub(m.since))
	default:
		state = "… DIALLING"
	}
	menu := ""
	if m.prompt != nil {
		menu = "menu " + safe(menuName(*m.prompt, m.start))
	}
	pad := max(w-lipgloss.Width(state)-lipgloss.Width(menu), 1)
	return m.st.head.Render(state) + strings.Repeat(" ", pad) + menu
}

// said is one line of the history, wrapped.
func (m *model) said(h heardLine, w int) []string {
	st := m.st.dim
	text := safe(h.text)
	if h.kind == "you" {
		st = m.st.you
	}
	if h.cut {
		text += " (cut)"
	}
	return m.wrapKind(h.kind, text, w, st)
}

// wrapKind writes "kind    text" wrapped under the text's column.
func (m *model) wrapKind(kind, text string, w int, st lipgloss.Style) []string {
	const col = 9
	lines := wrap(text, w-col)
	out := make([]string, len(lines))
	for i, l := range lines {
		k := ""
		if i == 0 {
			k = kind
		}
		out[i] = fmt.Sprintf("%-*s", col, k) + st.Render(l)
	}
	return out
}

// captureLines show the prompt's rules, the keys so far and the
// countdowns.
func (m *model) captureLines() []string {
	p := m.prompt
	if p == nil || m.ended != nil {
		return []string{m.st.dim.Render("capture  —"), "", "", ""}
	}
	state := "asking"
	if m.listening {
		state = m.st.good.Render("listening")
	}
	keys := m.keys
	if m.listening {
		keys += "_"
	}
	out := []string{
		fmt.Sprintf("capture  %s · %s", rules(*p), state),
		fmt.Sprintf("  keys     %s", keys),
	}
	digit, overall := p.DigitTimeout, p.OverallTimeout
	dLeft, oLeft := digit, overall
	if m.listening {
		oLeft = m.left(m.overallEnds)
		if !m.digitEnds.IsZero() {
			dLeft = m.left(m.digitEnds)
		}
	}
	out = append(out,
		"  digit    "+m.bar(dLeft, digit, m.listening && !m.digitEnds.IsZero()),
		"  overall  "+m.bar(oLeft, overall, m.listening && !m.overallEnds.IsZero()))
	return out
}

// barWidth is the width of a countdown bar.
const barWidth = 20

func (m *model) bar(left, total time.Duration, running bool) string {
	n := barWidth
	if total > 0 {
		n = int(float64(barWidth) * float64(left) / float64(total))
	}
	n = min(max(n, 0), barWidth)
	bar := strings.Repeat("█", n) + strings.Repeat("░", barWidth-n)
	if !running {
		bar = m.st.dim.Render(bar)
	}
	return fmt.Sprintf("%s %4.1fs of %.1fs", bar, left.Seconds(), total.Seconds())
}

// keypad draws the keys, the one just pressed lit.
func (m *model) keypad() []string {
	rows := []string{"123", "456", "789", "*0#"}
	out := make([]string, len(rows))
	lit := m.lit != 0 && m.now.Sub(m.litAt) < litFor
	for i, row := range rows {
		var b strings.Builder
		b.WriteString("         ")
		for _, k := range row {
			if lit && k == m.lit {
				b.WriteString(m.st.lit.Render("(" + string(k) + ")"))
			} else {
				b.WriteString(m.st.key.Render("[" + string(k) + "]"))
			}
			b.WriteString(" ")
		}
		out[i] = strings.TrimRight(b.String(), " ")
	}
	return out
}

// webhookLines are the side pane: each round trip, then the summary.
func (m *model) webhookLines(w, h int) []string {
	out := []string{m.st.head.Render("Webhooks")}
	var trips []string
	for _, rt := range m.trips {
		trips = append(trips, wrapIndent(fmt.Sprintf("#%d → %s", rt.N, safe(sent(rt))), w, "   ")...)
		st := m.st.good
		if rt.Status != 200 || rt.Err != "" {
			st = m.st.bad
		}
		for _, l := range wrapIndent("← "+safe(answered(rt))+" · "+latency(rt.Latency), w-3, "  ") {
			trips = append(trips, "   "+st.Render(l))
		}
	}
	if len(trips) == 0 {
		trips = []string{m.st.dim.Render("none yet")}
	}
	var vss []string
	if e := m.ended; e != nil {
		vss = append(vss, "", m.st.head.Render("Session summary (VSS)"))
		switch {
		case e.Err != nil:
			vss = append(vss, styled(m.st.bad, wrap(safe(e.Err.Error()), w))...)
		case e.Result != nil && e.Result.Transcript != nil:
			tr := e.Result.Transcript
			vss = append(vss, wrap(safe(summary(tr)), w)...)
			if y := why(tr); y != "" {
				vss = append(vss, styled(m.st.bad, wrap(safe(y), w))...)
			}
			for _, l := range legs(tr) {
				vss = append(vss, wrap(l, w)...)
			}
		}
	}
	// The newest round trips when they do not all fit.
	room := h - len(out) - len(vss)
	if len(trips) > room && room > 0 {
		trips = append([]string{m.st.dim.Render("…")}, trips[len(trips)-room+1:]...)
	}
	out = append(out, trips...)
	return append(out, vss...)
}

// styled renders each line with st.
func styled(st lipgloss.Style, lines []string) []string {
	for i, l := range lines {
		lines[i] = st.Render(l)
	}
	return lines
}

// clock is a call's length: 0:07, 1:02:03.
func clock(d time.Duration) string {
	d = max(d, 0).Truncate(time.Second)
	h, mi, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, mi, s)
	}
	return fmt.Sprintf("%d:%02d", mi, s)
}

// wrap breaks text into lines of at most w cells, at spaces.
func wrap(text string, w int) []string {
	return wrapIndent(text, w, "")
}

// wrapIndent wraps, indenting the lines after the first.
func wrapIndent(text string, w int, indent string) []string {
	w = max(w, 10)
	var out []string
	line := ""
	for word := range strings.FieldsSeq(text) {
		switch {
		case line == "":
			line = word
		case lipgloss.Width(line)+1+lipgloss.Width(word) <= w:
			line += " " + word
		default:
			out = append(out, line)
			line = indent + word
		}
	}
	if line != "" || len(out) == 0 {
		out = append(out, line)
	}
	return out
}
