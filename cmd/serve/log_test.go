package serve

import (
	"bytes"
	"encoding/json"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/golden"
	"github.com/ivrctl/ivrctl/pkg/webhook"
)

// events covers every kind of line the server emits.
func events() []webhook.Event {
	at := time.Date(2026, 7, 23, 10, 11, 12, 345_000_000, time.UTC)
	sess := "d62f91ba-9a40-11ee-945e-5f476b4334a1"
	return []webhook.Event{
		{Time: at, Level: webhook.LevelInfo, Kind: webhook.KindServer, Message: "authentication: none"},
		{Time: at, Level: webhook.LevelInfo, Kind: webhook.KindVCA, Route: "/webhooks/vca", Remote: "127.0.0.1:5000", Status: 200,
			Latency: 210 * time.Microsecond, Session: sess, Menu: "main", Digits: "3", Matched: "other", Action: "sayAndCapture"},
		{Time: at, Level: webhook.LevelInfo, Kind: webhook.KindVCA, Route: "/vca_webhook", Remote: "127.0.0.1:5000", Status: 200,
			Latency: 1500 * time.Microsecond, Session: sess, Menu: "main_menu", Matched: "noInput", Action: "say+hangup"},
		{Time: at, Level: webhook.LevelInfo, Kind: webhook.KindVCA, Route: "/webhooks/vca", Status: 200, Latency: time.Millisecond,
			Session: sess, Menu: "connect_call", Digits: "1", Matched: "1", Action: "makeCall", Next: "post_call"},
		{Time: at, Level: webhook.LevelWarn, Kind: webhook.KindVCA, Route: "/webhooks/vca", Status: 200, Latency: time.Millisecond,
			Session: sess, Menu: "gone", Matched: "fallback", Action: "sayAndCapture", Next: "main_menu",
			Message: `clientActionId "gone" names no menu: answered with the start menu "main_menu"`},
		{Time: at, Level: webhook.LevelInfo, Kind: webhook.KindVCS, Route: "/webhooks/vca", Status: 200, Latency: 90 * time.Microsecond,
			Session: sess, CallStatus: "CALL_CONNECTED"},
		{Time: at, Level: webhook.LevelInfo, Kind: webhook.KindVSS, Route: "/webhooks/vss", Status: 200, Latency: 2 * time.Millisecond,
			Session: sess, Outcome: "COMPLETED"},
		{Time: at, Level: webhook.LevelInfo, Kind: webhook.KindVSS, Route: "/webhooks/vss", Status: 200, Latency: 2 * time.Millisecond,
			Session: sess, Outcome: "ERROR", ErrorCode: -2005, ErrorMsg: "Unable to synthesize text to speech", Duplicate: true},
		{Time: at, Level: webhook.LevelWarn, Kind: webhook.KindReject, Route: "/webhooks/vca", Remote: "6.6.6.6", Status: 401,
			Latency: 20 * time.Microsecond, Message: "authentication required: no valid credential"},
		{Time: at, Level: webhook.LevelError, Kind: webhook.KindVCA, Route: "/webhooks/vca", Remote: "127.0.0.1:5000", Status: 500,
			Latency: 20 * time.Microsecond, Message: "panic: boom", Stack: "goroutine 7 [running]:\nmain.f()\n"},
	}
}

func TestLogRendering(t *testing.T) {
	for _, c := range []struct {
		golden string
		format string
		color  bool
	}{
		{"log-text.golden", LogText, false},
		{"log-color.golden", LogText, true},
		{"log-json.golden", LogJSON, false},
	} {
		ios, _, _, errOut := cmdutil.Test()
		if c.color {
			ios.ForceColor()
		}
		l := newLogger(ios, c.format)
		l.loc = time.UTC
		for _, e := range events() {
			l.Log(e)
		}
		l.Close()
		golden.Text(t, filepath.Join("..", "..", "testdata", "serve", c.golden), errOut.String())
	}
}

// Colour follows stderr, not stdout: a terminal on stdout alone does not
// colour the log.
func TestLogColourFollowsStderr(t *testing.T) {
	ios, _, _, errOut := cmdutil.Test()
	ios.OutTTY = true
	l := newLogger(ios, LogText)
	l.Log(events()[1])
	l.Close()
	if bytes.Contains(errOut.Bytes(), []byte("\x1b[")) {
		t.Errorf("coloured log on a non-terminal stderr: %q", errOut)
	}
}

// Lines logged concurrently all arrive, whole, one per event.
func TestLogConcurrentLinesWhole(t *testing.T) {
	ios, _, _, errOut := cmdutil.Test()
	l := newLogger(ios, LogJSON)
	const n = 2000
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range n / 8 {
				l.Log(events()[1])
			}
		})
	}
	wg.Wait()
	l.Close()
	lines := strings.Split(strings.TrimSuffix(errOut.String(), "\n"), "\n")
	if len(lines) != n {
		t.Fatalf("%d lines, want %d", len(lines), n)
	}
	for _, line := range lines {
		if !json.Valid([]byte(line)) {
			t.Fatalf("broken line %q", line)
		}
	}
}

// blockedWriter is a stderr nobody reads.
type blockedWriter struct {
	release chan struct{}
	mu      sync.Mutex
	b       bytes.Buffer
}

func (w *blockedWriter) Write(p []byte) (int, error) {
	<-w.release
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// A stderr that does not drain never blocks Log: lines beyond the bound
// are dropped and the drop is reported once it drains.
func TestLogNeverBlocksOnStuckStderr(t *testing.T) {
	bw := &blockedWriter{release: make(chan struct{})}
	l := newLogger(&cmdutil.IOStreams{ErrOut: bw}, LogText)
	// Close must see the writer finish (megabytes under -race on a busy
	// machine can take more than the default second), or the buffer is
	// read while it is still written.
	l.out.CloseWait = time.Minute
	line := events()[1]
	for range 2 * cmdutil.MaxPendingLog / 100 { // lines are ~100 bytes
		l.Log(line)
	}
	close(bw.release)
	l.Close()
	bw.mu.Lock()
	defer bw.mu.Unlock()
	if !strings.Contains(bw.b.String(), "log line(s) dropped: stderr was not keeping up") {
		t.Errorf("no drop report in %d bytes", bw.b.Len())
	}
}

// BenchmarkLog is the per-request cost of a log line (formatting and
// handing it to the writer goroutine).
func BenchmarkLog(b *testing.B) {
	for _, format := range []string{LogText, LogJSON} {
		b.Run(format, func(b *testing.B) {
			l := newLogger(&cmdutil.IOStreams{ErrOut: io.Discard}, format)
			defer l.Close()
			e := events()[1]
			b.ReportAllocs()
			for b.Loop() {
				l.Log(e)
			}
		})
	}
}

// A handler that outlives the drain logs after Close: the line is written,
// and nothing panics (it used to send on the closed kick channel).
func TestLogAfterClose(t *testing.T) {
	ios, _, _, errOut := cmdutil.Test()
	l := newLogger(ios, LogText)
	l.Close()
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("Log after Close panicked: %v", p)
		}
	}()
	l.Log(events()[1])
	l.Close() // twice is harmless
	if !strings.Contains(errOut.String(), "main digit 3") {
		t.Errorf("line logged after Close was lost: %q", errOut)
	}
}

// Request-controlled text cannot forge a line or drive the terminal: a
// field with control characters is written quoted, escapes visible.
func TestLogTextEscapesRequestFields(t *testing.T) {
	evil := "abc\x1b[31m\nFORGED 10:11:12.345 VCA    200"
	at := time.Date(2026, 7, 23, 10, 11, 12, 0, time.UTC)
	for _, e := range []webhook.Event{
		{Time: at, Level: webhook.LevelWarn, Kind: webhook.KindVCA, Status: 200, Session: evil, Menu: evil, Digits: "1\r",
			Matched: "fallback", Action: "say", Next: evil, Message: "clientActionId " + evil},
		{Time: at, Level: webhook.LevelInfo, Kind: webhook.KindVSS, Status: 200, Session: "s", Outcome: "ERROR\x07",
			ErrorCode: -1, ErrorMsg: evil},
		{Time: at, Level: webhook.LevelInfo, Kind: webhook.KindVCS, Status: 200, Session: "s", CallStatus: evil},
		{Time: at, Level: webhook.LevelWarn, Kind: webhook.KindReject, Status: 403, Route: "/x\n", Remote: "1.2.3.4\x1b]0;pwned\x07",
			Message: "client \u009b31m"},
	} {
		ios, _, _, errOut := cmdutil.Test()
		l := newLogger(ios, LogText)
		l.Log(e)
		l.Close()
		out := errOut.String()
		if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "\n") {
			t.Errorf("%s event: not one line: %q", e.Kind, out)
		}
		if strings.ContainsAny(out, "\x1b\x07\r\u009b") {
			t.Errorf("%s event: control characters written raw: %q", e.Kind, out)
		}
	}
	// Escaped, not dropped: the reader still sees what was sent.
	ios, _, _, errOut := cmdutil.Test()
	l := newLogger(ios, LogText)
	l.Log(webhook.Event{Time: at, Kind: webhook.KindVCS, Status: 200, Session: evil})
	l.Close()
	if want := strconv.Quote(evil); !strings.Contains(errOut.String(), want) {
		t.Errorf("%q lacks %s", errOut, want)
	}
	// Printable text, UTF-8 included, is written as it is.
	for _, s := range []string{"d62f91ba-9a40-11ee", "menü principal", "goroutine 7:\tmain.f()"} {
		if got := cleanTabs(s); got != s {
			t.Errorf("cleanTabs(%q) = %q", s, got)
		}
	}
	if got := clean("a\tb"); got != `"a\tb"` {
		t.Errorf("clean(tab) = %s", got)
	}
}

// Close does not wait forever on a stderr that never drains: the process
// must be able to exit after its shutdown.
func TestLogCloseBoundedOnStuckStderr(t *testing.T) {
	bw := &blockedWriter{release: make(chan struct{})}
	defer close(bw.release)
	l := newLogger(&cmdutil.IOStreams{ErrOut: bw}, LogText)
	l.out.CloseWait = 10 * time.Millisecond
	l.Log(events()[1])
	closed := make(chan struct{})
	go func() { l.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close blocked on a stuck stderr")
	}
}
