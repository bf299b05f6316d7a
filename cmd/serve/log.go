package serve

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/redact"
	"github.com/ivrctl/ivrctl/pkg/replay"
	"github.com/ivrctl/ivrctl/pkg/sessions"
	"github.com/ivrctl/ivrctl/pkg/webhook"
)

// Log formats.
const (
	LogText = "text"
	LogJSON = "json"
)

// logger renders the server's events, one line each, on stderr.
//
// Requests never wait for stderr: Log formats the line in the request's
// goroutine and hands it to a cmdutil.LineWriter, whose one goroutine
// writes what has piled up in a single Write, and which drops lines (and
// says how many) rather than stall 8x8's webhooks behind a stderr that
// stopped draining.
type logger struct {
	out  *cmdutil.LineWriter
	json bool
	p    cmdutil.Palette // stderr's: colour only when stderr is a terminal
	loc  *time.Location
}

var linePool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func newLogger(io *cmdutil.IOStreams, format string) *logger {
	return &logger{out: cmdutil.NewLineWriter(io.ErrOut), json: format == LogJSON, p: io.ErrPalette(), loc: time.Local}
}

// Log renders one event. It is the server's OnEvent, called concurrently.
func (l *logger) Log(e webhook.Event) {
	b := linePool.Get().(*bytes.Buffer)
	b.Reset()
	if l.json {
		l.renderJSON(b, e)
	} else {
		l.renderText(b, e)
	}
	l.out.WriteLine(b.Bytes())
	if b.Cap() <= 64<<10 {
		linePool.Put(b)
	}
}

// Close writes what is pending and stops the writer, waiting a bounded
// time for a stuck stderr. Lines logged after Close are written directly.
func (l *logger) Close() { l.out.Close() }

// jsonLine is a --log-format json line. Field names follow 8x8's
// camelCase; empty fields are left out.
type jsonLine struct {
	Time       string  `json:"time"`
	Level      string  `json:"level"`
	Kind       string  `json:"kind"`
	Status     int     `json:"status,omitempty"`
	Route      string  `json:"route,omitempty"`
	Remote     string  `json:"remote,omitempty"`
	LatencyMS  float64 `json:"latencyMs,omitempty"`
	SessionID  string  `json:"sessionId,omitempty"`
	Menu       string  `json:"menu,omitempty"`
	Digits     *string `json:"digits,omitempty"` // "" (no input) is kept for VCA
	Matched    string  `json:"matched,omitempty"`
	Action     string  `json:"action,omitempty"`
	Next       string  `json:"next,omitempty"`
	CallStatus string  `json:"callStatus,omitempty"`
	Outcome    string  `json:"outcome,omitempty"`
	ErrorCode  int     `json:"errorCode,omitempty"`
	ErrorMsg   string  `json:"errorMsg,omitempty"`
	Duplicate  bool    `json:"duplicate,omitempty"`
	Message    string  `json:"message,omitempty"`
	Stack      string  `json:"stack,omitempty"`
}

func (l *logger) info(msg string) {
	l.Log(webhook.Event{Time: time.Now(), Level: webhook.LevelInfo, Kind: webhook.KindServer, Message: msg})
}

func (l *logger) warn(msg string) {
	l.Log(webhook.Event{Time: time.Now(), Level: webhook.LevelWarn, Kind: webhook.KindServer, Message: msg})
}

// startup logs what the server runs with, naming no secret.
func (l *logger) startup(url string, cfg webhook.Config, srv *webhook.Server, menuFile string) {
	if menuFile == "" {
		menuFile = "the embedded simple IVR"
	}
	l.info(fmt.Sprintf("webhooks: VCA %s%s, VSS %s%s; menu %s", url, webhook.PathVCA, url, webhook.PathVSS, menuFile))
	switch ss := srv.Sessions().(type) {
	case *sessions.File:
		msg := fmt.Sprintf("sessions file %s: %d sessions", ss.Location(), ss.Len())
		if n := ss.Skipped(); n > 0 {
			l.warn(fmt.Sprintf("%s; %d damaged or torn line(s) skipped (left in place)", msg, n))
		} else {
			l.info(msg)
		}
	default:
		l.info("sessions database " + ss.Location())
	}
	if cfg.RecordPath != "" {
		form := " (a pair of files each)"
		if replay.IsArchive(cfg.RecordPath) {
			form = " (an archive: a line each)"
		}
		l.info("recording VCA events and answers in " + cfg.RecordPath + form)
	}
	var methods []string
	a := cfg.Auth
	if len(a.Secrets) > 0 {
		h := a.Header
		if h == "" {
			h = webhook.DefaultAuthHeader
		}
		methods = append(methods, fmt.Sprintf("%d secret(s) in %s", len(a.Secrets), h))
	}
	if a.Token != "" {
		methods = append(methods, "?"+redact.TokenParam+"=")
	}
	if a.BasicUser != "" {
		methods = append(methods, "basic")
	}
	switch {
	case len(methods) > 0:
		l.info("authentication: " + strings.Join(methods, ", "))
	default:
		l.info("authentication: none")
	}
	if len(cfg.AllowIPs) > 0 {
		s := make([]string, len(cfg.AllowIPs))
		for i, p := range cfg.AllowIPs {
			s[i] = p.String()
		}
		src := "the TCP peer"
		if cfg.TrustProxy {
			src = "X-Forwarded-For (right-most)"
		}
		l.info(fmt.Sprintf("allowed clients, judged by %s: %s", src, strings.Join(s, ", ")))
	}
}

func (l *logger) renderJSON(b *bytes.Buffer, e webhook.Event) {
	j := jsonLine{
		Time: e.Time.UTC().Format(time.RFC3339Nano), Level: string(e.Level), Kind: string(e.Kind),
		Status: e.Status, Route: e.Route, Remote: e.Remote, SessionID: e.Session,
		Menu: e.Menu, Matched: e.Matched, Action: e.Action, Next: e.Next, CallStatus: e.CallStatus,
		Outcome: e.Outcome, ErrorCode: e.ErrorCode, ErrorMsg: e.ErrorMsg, Duplicate: e.Duplicate,
		Message: e.Message, Stack: e.Stack,
	}
	if e.Latency > 0 {
		j.LatencyMS = float64(e.Latency.Microseconds()) / 1000
	}
	if e.Kind == webhook.KindVCA && e.Menu != "" {
		d := e.Digits
		j.Digits = &d
	}
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	enc.Encode(j) // cannot fail: strings and numbers only; Encode adds the newline
}

// renderText writes a line for people:
//
//	10:11:12.345 VCA    200 d62f91ba-... main digit 3 -> other: sayAndCapture 0.21ms
//	10:11:12.345 VSS    200 9a8b7c6d-... ERROR -2005 Unable to synthesize text to speech 0.93ms
//
// It runs once per request, so it appends to b without fmt.
func (l *logger) renderText(b *bytes.Buffer, e webhook.Event) {
	p := l.p
	ts := e.Time.In(l.loc).AppendFormat(b.AvailableBuffer(), "15:04:05.000")
	if p.Enabled() {
		b.WriteString(p.Gray(string(ts)))
	} else {
		b.Write(ts)
	}
	b.WriteByte(' ')
	kind := string(e.Kind)
	if n := len(kind); n < 6 { // REJECT and SERVER are the longest
		kind += "      "[:6-n]
	}
	switch e.Level {
	case webhook.LevelWarn:
		kind = p.Yellow(kind)
	case webhook.LevelError:
		kind = p.Red(kind)
	default:
		kind = p.Cyan(kind)
	}
	b.WriteString(kind)
	if e.Status != 0 {
		b.WriteByte(' ')
		b.WriteString(l.status(e.Status))
	}
	if e.Session != "" {
		b.WriteByte(' ')
		b.WriteString(clean(e.Session))
	}
	switch {
	case e.Kind == webhook.KindVCA && e.Menu != "": // answered (not a panic before the answer)
		b.WriteByte(' ')
		b.WriteString(p.Bold(clean(e.Menu)))
		if e.Digits != "" {
			b.WriteString(" digit ")
			b.WriteString(clean(e.Digits))
		} else {
			b.WriteString(" no digit")
		}
		b.WriteString(" -> ")
		b.WriteString(clean(e.Matched))
		b.WriteString(": ")
		b.WriteString(p.Bold(clean(e.Action)))
		if e.Next != "" {
			b.WriteString(" next=")
			b.WriteString(clean(e.Next))
		}
	case e.Kind == webhook.KindVCS:
		if e.CallStatus != "" {
			b.WriteByte(' ')
			b.WriteString(clean(e.CallStatus))
		}
		b.WriteString(" (status update, acknowledged)")
	case e.Kind == webhook.KindVSS && e.Outcome != "":
		b.WriteByte(' ')
		b.WriteString(l.outcome(clean(e.Outcome)))
		if e.ErrorCode != 0 {
			b.WriteByte(' ')
			b.Write(strconv.AppendInt(b.AvailableBuffer(), int64(e.ErrorCode), 10))
		}
		if e.ErrorMsg != "" {
			b.WriteByte(' ')
			b.WriteString(clean(e.ErrorMsg))
		}
		if e.Duplicate {
			b.WriteString(p.Gray(" (duplicate: already recorded)"))
		}
	default:
		if e.Route != "" {
			b.WriteByte(' ')
			b.WriteString(clean(e.Route))
			b.WriteString(" from ")
			b.WriteString(clean(e.Remote))
		}
	}
	if e.Message != "" {
		msg := clean(e.Message)
		switch e.Level {
		case webhook.LevelWarn:
			msg = p.Yellow(msg)
		case webhook.LevelError:
			msg = p.Red(msg)
		}
		if e.Kind == webhook.KindServer {
			b.WriteByte(' ')
		} else {
			b.WriteString(": ")
		}
		b.WriteString(msg)
	}
	if e.Latency > 0 {
		b.WriteByte(' ')
		lat := strconv.AppendFloat(b.AvailableBuffer(), float64(e.Latency.Microseconds())/1000, 'f', 2, 64)
		lat = append(lat, "ms"...)
		if p.Enabled() {
			b.WriteString(p.Gray(string(lat)))
		} else {
			b.Write(lat)
		}
	}
	b.WriteByte('\n')
	if e.Stack != "" {
		for line := range strings.SplitSeq(strings.TrimRight(e.Stack, "\n"), "\n") {
			b.WriteString("    ")
			b.WriteString(p.Gray(cleanTabs(line)))
			b.WriteByte('\n')
		}
	}
}

// clean makes a field safe for a terminal (see cmdutil.TerminalSafe).
// Most fields come from the request (sessionId, clientActionId, errorMsg,
// the path, X-Forwarded-For) and are anyone's to write. JSON lines need
// none of this: encoding/json escapes control characters.
func clean(s string) string { return cmdutil.TerminalSafe(s, false) }

// cleanTabs is clean for a stack trace line, whose tabs are layout.
func cleanTabs(s string) string { return cmdutil.TerminalSafe(s, true) }

func (l *logger) status(code int) string {
	s := strconv.Itoa(code)
	switch {
	case code >= 500:
		return l.p.Red(s)
	case code >= 400:
		return l.p.Yellow(s)
	default:
		return l.p.Green(s)
	}
}

func (l *logger) outcome(s string) string {
	switch s {
	case "COMPLETED":
		return l.p.Green(s)
	case "BUSY", "NO_ANSWER", "CANCELED":
		return l.p.Yellow(s)
	default:
		return l.p.Red(s)
	}
}
