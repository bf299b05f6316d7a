package dial_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/ivrctl/ivrctl/cmd"
	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/cmd/cmdutil/cmdtest"
	"github.com/ivrctl/ivrctl/cmd/dial"
	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/paralleltest"
	"github.com/ivrctl/ivrctl/pkg/webhook"
	"github.com/ivrctl/ivrctl/pkg/webhook/webhooktest"
)

// TestMain keeps IVRCTL_* variables and config files out of the runs.
// Run with IVRCTL_DIAL_TEST_MAIN=1, the test binary is ivrctl itself (what
// main does: cmd.Execute on the process's streams), for the tests on a
// pseudo-terminal: a process of its own, without a `go build`.
func TestMain(m *testing.M) {
	if os.Getenv(dial.TestMainEnv) == "1" {
		os.Exit(cmd.Execute(cmd.BuildInfo{Version: "test"}, os.Args[1:], cmdutil.System()))
	}
	flag.Parse()
	paralleltest.Raise()
	cleanup := cmdtest.Isolate()
	code := m.Run()
	cleanup()
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

// ivrctl runs the command line in-process with stdin (not a terminal:
// the line mode).
func ivrctl(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	io, in, out, errOut := cmdutil.Test()
	in.WriteString(stdin)
	code := cmd.Execute(cmd.BuildInfo{Version: "test"}, args, io)
	return result{stdout: out.String(), stderr: errOut.String(), code: code}
}

var latencies = regexp.MustCompile(`\(\d+(\.\d+)? m?s\)`)

// lineGolden compares line-mode output with testdata/dial/NAME.golden,
// latencies blanked.
func lineGolden(t *testing.T, name, got string) {
	t.Helper()
	dial.Golden(t, name, latencies.ReplaceAllString(got, "(LATENCY)"))
}

// The line mode plays the embedded menu from stdin, one line per prompt:
// silence, then 2 connects the agent; the call completed (exit 0).
func TestLineMode(t *testing.T) {
	r := ivrctl(t, "\n2\n", "dial")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	lineGolden(t, "line-silence-2", r.stdout)
}

// The end of stdin hangs up at the next prompt; q leaves (exit 130); a
// line that is not keys is a usage error naming the line.
func TestLineModeEnds(t *testing.T) {
	r := ivrctl(t, "", "dial")
	if r.code != 0 || !strings.Contains(r.stdout, "> hung up\n") || !strings.Contains(r.stdout, "ended: COMPLETED · lastAction HANGUP") {
		t.Errorf("end of input: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = ivrctl(t, "9\nq\n", "dial")
	if r.code != cmdutil.ExitInterrupted || r.stderr != "" {
		t.Errorf("q: exit %d, want 130\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = ivrctl(t, "9\n  \n1 2\n", "dial")
	want := "ivrctl: stdin:3: \"1 2\": give keys (0-9 * #), an empty line for silence, h to hang up or q to quit\n"
	if r.code != cmdutil.ExitUsage || r.stderr != want {
		t.Errorf("a bad line: exit %d, stderr %q; want 2, %q", r.code, r.stderr, want)
	}
}

// --save writes the call as a scenario `ivrctl test` passes as written,
// its menu named relative to the scenario file.
func TestSaveThenTest(t *testing.T) {
	dir := t.TempDir()
	// The menu beside the scenarios' directory: call.menu is ../ from them.
	menuData, err := os.ReadFile("../../testdata/menus/advanced-ivr.yaml")
	if err != nil {
		t.Fatal(err)
	}
	menuFile := filepath.Join(dir, "advanced-ivr.yaml")
	if err := os.WriteFile(menuFile, menuData, 0o644); err != nil {
		t.Fatal(err)
	}
	dir = filepath.Join(dir, "scenarios")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, stdin string
		args        []string
	}{
		{"simple", "9\n\n1\n", nil},
		{"advanced", "1\n2\n", []string{"--menu", menuFile, "--to", "+6591234567", "--from", "6512345678"}},
		{"hangup", "h\n", nil},
		{"inbound", "2\n", []string{"--inbound"}},
		{"inbound-advanced", "3\n", []string{"--inbound", "--menu", menuFile, "--to", "6512345678", "--from", "+6590000001"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(dir, tc.name+".yaml")
			r := ivrctl(t, tc.stdin, append([]string{"dial", "--save", file}, tc.args...)...)
			if r.code != 0 {
				t.Fatalf("dial: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			lineGolden(t, "saved-"+tc.name+".yaml", string(data))
			r = ivrctl(t, "", "test", file)
			if r.code != 0 || !strings.Contains(r.stdout, "1 passed, 0 failed") {
				t.Errorf("ivrctl test of the saved call: exit %d\n%s%s\n%s", r.code, r.stdout, r.stderr, data)
			}
		})
	}
}

const testSecret = "s3cret-for-dial-tests"

// Against serve's webhook server with --auth-secret: the secret goes in
// the header test sends it in, the call completes, and neither the output
// nor the saved file shows it (nor the URL). Without it, the webhook's
// 401 ends the session ERROR: exit 6, as call --wait.
func TestWebhookWithAuthSecret(t *testing.T) {
	srv := webhooktest.Run(t, webhook.Config{Engine: webhooktest.Engine(t, ""), Auth: webhook.Auth{Secrets: []string{testSecret}}})
	file := filepath.Join(t.TempDir(), "webhook.yaml")
	r := ivrctl(t, "1\n", "dial", "--webhook", srv.VCA, "--auth-secret", testSecret, "--save", file)
	if r.code != 0 || !strings.Contains(r.stdout, "webhook #1: CALL_ACTION dtmf 1 ← 200 hangup") {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	data, _ := os.ReadFile(file)
	for _, out := range []string{r.stdout, r.stderr, string(data)} {
		if strings.Contains(out, testSecret) {
			t.Errorf("the secret shows:\n%s", out)
		}
	}
	if bytes.Contains(data, []byte("127.0.0.1")) {
		t.Errorf("the saved scenario names the webhook URL:\n%s", data)
	}
	r = ivrctl(t, "", "test", "--webhook", srv.VCA, "--auth-secret", testSecret, file)
	if r.code != 0 {
		t.Errorf("ivrctl test --webhook of the saved call: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	r = ivrctl(t, "1\n", "dial", "--webhook", srv.VCA)
	if r.code != cmdutil.ExitCallError || !strings.Contains(r.stdout, "← 401") || !strings.Contains(r.stdout, "ended: ERROR") {
		t.Errorf("without the secret: exit %d, want 6\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// Bad flags are usage errors (exit 2), found before anything rings.
func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--to", "12"}, `--to "12" is not a phone number`},
		{[]string{"--from", "x"}, `--from "x" is not a phone number`},
		{[]string{"--pace", "0"}, "--pace 0: use more than 0"},
		{[]string{"--timeout", "0s"}, "--timeout 0s: must be more than 0"},
		{[]string{"--webhook", "ftp://x/y"}, "--webhook"},
		{[]string{"--save", "no/such/dir/x.yaml"}, "--save no/such/dir/x.yaml: its directory does not exist"},
		{[]string{"--menu", "no-such-menu.yaml"}, "menu:"},
		{[]string{"extra"}, "unknown command"},
	} {
		r := ivrctl(t, "", append([]string{"dial"}, tc.args...)...)
		if r.code != cmdutil.ExitUsage || !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
			t.Errorf("dial %v: exit %d, stderr %q; want 2 and %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
}

// --speak without espeak-ng says how to get it, once, and the call goes
// on in silence.
func TestSpeakWithoutEspeak(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	r := ivrctl(t, "1\n", "dial", "--speak")
	want := "ivrctl: --speak: espeak-ng is not installed (apt-get install espeak-ng); the call goes on in silence\n"
	if r.code != 0 || r.stderr != want || !strings.Contains(r.stdout, "> pressed 1") {
		t.Errorf("exit %d, stderr %q; want 0, %q\n%s", r.code, r.stderr, want, r.stdout)
	}
}

// The line mode on an inbound call: you call the menu's virtual number
// from yours, the webhook is asked with CALL_RECEIVED first, its start
// prompt is the first thing heard; silence, then 2 connects the agent.
func TestLineModeInbound(t *testing.T) {
	r := ivrctl(t, "\n2\n", "dial", "--inbound")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	lineGolden(t, "line-inbound-silence-2", r.stdout)
}

// --inbound against a real backend over HTTP (serve's webhook server
// behind a recorder): the first event it gets is CALL_RECEIVED,
// callDirection INBOUND, from the caller to the virtual number; every
// later one stays INBOUND. The saved call passes ivrctl test --webhook.
func TestWebhookInbound(t *testing.T) {
	srv, err := webhook.New(webhook.Config{Engine: webhooktest.Engine(t, ""), SessionsPath: filepath.Join(t.TempDir(), "sessions.jsonl")})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var events []callflow.VCAEvent
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			t.Error(err)
		}
		if r.URL.Path == webhook.PathVCA {
			var ev callflow.VCAEvent
			if err := json.Unmarshal(body, &ev); err != nil {
				t.Errorf("the backend got %q: %v", body, err)
			}
			mu.Lock()
			events = append(events, ev)
			mu.Unlock()
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		srv.Handler().ServeHTTP(w, r)
	}))
	defer backend.Close()
	url := backend.URL + webhook.PathVCA
	file := filepath.Join(t.TempDir(), "inbound.yaml")
	r := ivrctl(t, "2\n", "dial", "--inbound", "--webhook", url, "--to", "+6512345678", "--from", "+6591112222", "--save", file)
	if r.code != 0 || !strings.Contains(r.stdout, "webhook #1: CALL_ACTION CALL_RECEIVED ← 200 sayAndCapture → main") {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	mu.Lock()
	got := events
	events = nil
	mu.Unlock()
	if len(got) != 2 {
		t.Fatalf("the backend got %d events, want CALL_RECEIVED and the dtmf 2: %+v", len(got), got)
	}
	p := got[0].Payload
	if p.CallStatus != callflow.CallStatusCallReceived || p.CallDirection != "INBOUND" || p.Source != "+6591112222" || p.Destination != "+6512345678" {
		t.Errorf("first event: callStatus %s, callDirection %s, %s → %s; want CALL_RECEIVED INBOUND +6591112222 → +6512345678",
			p.CallStatus, p.CallDirection, p.Source, p.Destination)
	}
	if d, ok := got[1].Digits(); got[1].Payload.CallDirection != "INBOUND" || !ok || d != "2" {
		t.Errorf("second event: callDirection %s, dtmf %q; want INBOUND, 2", got[1].Payload.CallDirection, d)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte("direction: inbound")) || bytes.Contains(data, []byte("127.0.0.1")) {
		t.Errorf("saved:\n%s", data)
	}
	r = ivrctl(t, "", "test", "--webhook", url, file)
	if r.code != 0 || !strings.Contains(r.stdout, "1 passed, 0 failed") {
		t.Errorf("ivrctl test --webhook of the saved inbound call: exit %d\n%s%s\n%s", r.code, r.stdout, r.stderr, data)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(events) == 0 || events[0].Payload.CallStatus != callflow.CallStatusCallReceived {
		t.Errorf("ivrctl test did not ring the saved call inbound: %+v", events)
	}
}
