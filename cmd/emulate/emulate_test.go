package emulate_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/cmd"
	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/cmd/cmdutil/cmdtest"
	"github.com/ivrctl/ivrctl/cmd/emulate"
	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/menu"
	"github.com/ivrctl/ivrctl/pkg/webhook"
)

func TestMain(m *testing.M) { os.Exit(cmdtest.Main(m)) }

const (
	apiKey = "emulator-test-key-0123456789"
	sub    = "ivrctl-e2e"
)

// syncBuffer is a buffer the running command writes while the test reads.
// With a gate, writes block until the gate is closed: a stderr nobody
// drains.
type syncBuffer struct {
	mu   sync.Mutex
	b    bytes.Buffer
	gate chan struct{}
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	if s.gate != nil {
		<-s.gate
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type running struct {
	url            string
	stdout, stderr *syncBuffer
	cancel         context.CancelFunc
	done           chan error
}

// startEmulate runs `ivrctl emulate --port 0 args...` through the root
// command and waits for the address it prints.
func startEmulate(t *testing.T, args ...string) *running {
	t.Helper()
	return startEmulateWith(t, &syncBuffer{}, args...)
}

// startEmulateWith is startEmulate writing its log to stderr.
func startEmulateWith(t *testing.T, stderr *syncBuffer, args ...string) *running {
	t.Helper()
	return startCommandWith(t, stderr, append([]string{"emulate", "--port", "0"}, args...)...)
}

// startCommandWith runs `ivrctl args...` (a server: serve, emulate)
// through the root command, its stderr to stderr, and waits for the
// "listening on URL" line.
func startCommandWith(t *testing.T, stderr *syncBuffer, args ...string) *running {
	t.Helper()
	r := &running{stdout: &syncBuffer{}, stderr: stderr}
	ios := &cmdutil.IOStreams{In: strings.NewReader(""), Out: r.stdout, ErrOut: r.stderr}
	root := cmd.NewRootCmd(cmdutil.NewFactory(ios, "test"), cmd.BuildInfo{Version: "test"})
	root.SetArgs(args)
	r.url, r.done, r.cancel = cmdtest.StartServing(t, args[0], r.stdout, r.stderr, root.ExecuteContext)
	return r
}

// stop cancels the command's context (what SIGINT does) and returns its error.
func (r *running) stop(t *testing.T) error {
	t.Helper()
	return cmdtest.Stop(t, "emulate", r.done, r.cancel)
}

// backend is `ivrctl serve`'s server (pkg/webhook, default menu) plus a
// VSS endpoint that hands summaries to the test.
type backend struct {
	vca, vss string
	got      chan callflow.VSSEvent
}

func newBackend(t *testing.T) *backend {
	t.Helper()
	eng, err := menu.Compile(menu.Default(), menu.Numbers{})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := webhook.New(webhook.Config{Engine: eng, SessionsPath: filepath.Join(t.TempDir(), "sessions.jsonl")})
	if err != nil {
		t.Fatal(err)
	}
	b := &backend{got: make(chan callflow.VSSEvent, 4)}
	ts := httptest.NewServer(srv.Handler())
	vss := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		ev, err := callflow.DecodeVSS(data)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		b.got <- *ev
		w.Write([]byte("{}"))
	}))
	t.Cleanup(func() {
		ts.Close()
		vss.Close()
		srv.Close()
	})
	b.vca, b.vss = ts.URL+webhook.PathVCA, vss.URL
	return b
}

func (b *backend) summary(t *testing.T) callflow.VSSPayload {
	t.Helper()
	select {
	case ev := <-b.got:
		return ev.Payload
	case <-time.After(10 * time.Second):
		t.Fatal("no session summary within 10s")
	}
	return callflow.VSSPayload{}
}

// call runs `ivrctl call args...` and returns its exit code and output.
func call(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	ios, _, out, errOut := cmdutil.Test()
	code := cmd.Execute(cmd.BuildInfo{Version: "test"}, append([]string{"call"}, args...), ios)
	return code, out.String(), errOut.String()
}

// `ivrctl call` against a running `ivrctl emulate`: the call is placed,
// played against the menu server end to end, and its summary arrives.
func TestCallEndToEnd(t *testing.T) {
	for _, tc := range []struct {
		name   string
		flags  []string
		status string
		last   string
		legs   int
	}{
		{"press 1", []string{"--press", "1"}, callflow.SessionCompleted, "HANGUP", 1},
		{"press 2, agent answers", []string{"--press", "2"}, callflow.SessionCompleted, "MAKE_CALL", 2},
		{"press 2, agent busy", []string{"--press", "2", "--agent-answer", "busy"}, callflow.SessionBusy, "MAKE_CALL", 2},
		{"silence, then hang up", []string{"--press", ","}, callflow.SessionCompleted, "HANGUP", 1},
		{"callee busy", []string{"--answer", "busy"}, callflow.SessionBusy, "MAKE_CALL", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("IVRCTL_API_KEY", apiKey)
			b := newBackend(t)
			em := startEmulate(t, append([]string{"--vca-url", b.vca, "--vss-url", b.vss, "--subaccount", sub}, tc.flags...)...)
			code, stdout, stderr := call(t, "--base-url", em.url, "--subaccount", sub,
				"--from", "6561115777", "--to", "6512345678", "--client-request-id", "e2e-1")
			if code != cmdutil.ExitOK {
				t.Fatalf("call exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
			}
			p := b.summary(t)
			if p.SessionStatus != tc.status || p.LastAction != tc.last || p.CallCount != tc.legs ||
				p.ClientRequestID != "e2e-1" || p.SubAccountID != sub {
				t.Errorf("summary %+v; want %s, %s, %d legs", p, tc.status, tc.last, tc.legs)
			}
			if !strings.Contains(stdout, p.SessionID) {
				t.Errorf("call's output %q does not name session %s", stdout, p.SessionID)
			}
			if err := em.stop(t); err != nil {
				t.Errorf("emulate: %v", err)
			}
			logs := em.stderr.String()
			if strings.Contains(logs, apiKey) || strings.Contains(logs, apiKey[len(apiKey)-4:]) {
				t.Errorf("the API key is in the log:\n%s", logs)
			}
			for _, want := range []string{"REQUEST " + p.SessionID + " CREATED", "END     " + p.SessionID + " " + tc.status, "VSS     " + p.SessionID + " delivered", "SERVER  stopped"} {
				if !strings.Contains(logs, want) {
					t.Errorf("log lacks %q:\n%s", want, logs)
				}
			}
		})
	}
}

// The emulator refuses what 8x8 refuses, and call reports it as such.
func TestCallRefused(t *testing.T) {
	t.Setenv("IVRCTL_API_KEY", apiKey)
	b := newBackend(t)
	em := startEmulate(t, "--vca-url", b.vca, "--subaccount", sub)
	for _, tc := range []struct {
		name string
		key  string
		args []string
		msg  string
	}{
		{"wrong key", "not-the-key-000", nil, "Authentication header not found or token invalid"},
		{"unknown sub-account", apiKey, []string{"--subaccount", "someone-else"}, "SubAccount not found by Id : someone-else"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("IVRCTL_API_KEY", tc.key)
			args := append([]string{"--base-url", em.url, "--subaccount", sub, "--from", "6561115777", "--to", "6512345678"}, tc.args...)
			code, _, stderr := call(t, args...)
			if code == cmdutil.ExitOK || !strings.Contains(stderr, tc.msg) {
				t.Errorf("call exit %d, stderr %q; want a refusal with %q", code, stderr, tc.msg)
			}
		})
	}
}

func TestFlagErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--answer", "maybe"}, `--answer: "maybe" is not answer, busy, no-answer or fail`},
		{[]string{"--agent-answer", "x"}, `--agent-answer: "x" is not answer`},
		{[]string{"--vca-url", "ftp://secret@host/x?token=abc"}, "--vca-url: not an http(s) URL with a host"},
		{[]string{"--port", "70000"}, "--port 70000: use 0 to 65535"},
		{[]string{"--webhook-timeout", "0s"}, "--webhook-timeout 0s: must be positive"},
	} {
		ios, _, _, errOut := cmdutil.Test()
		code := cmdtest.Within(t, time.Minute, fmt.Sprint(tc.args), func() int {
			return cmd.Execute(cmd.BuildInfo{Version: "test"}, append([]string{"emulate"}, tc.args...), ios)
		})
		if code != cmdutil.ExitUsage || !strings.Contains(errOut.String(), tc.msg) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tc.args, code, errOut.String(), tc.msg)
		}
		if strings.Contains(errOut.String(), "token=abc") {
			t.Errorf("%q: the URL's secret is echoed", tc.args)
		}
	}
}

// Flags, environment and config file reach the options (runF sees them).
func TestOptionsFromEnv(t *testing.T) {
	t.Setenv("IVRCTL_PRESS", "2,1")
	t.Setenv("IVRCTL_VCA_URL", "http://127.0.0.1:1/webhooks/vca")
	var got *emulate.EmulateOptions
	ios, _, _, _ := cmdutil.Test()
	f := cmdutil.NewFactory(ios, "test")
	root := cmd.NewRootCmd(f, cmd.BuildInfo{Version: "test"})
	root.RemoveCommand(findCmd(root.Commands(), "emulate"))
	c := emulate.NewCmdEmulate(f, func(_ context.Context, o *emulate.EmulateOptions) error { got = o; return nil })
	root.AddCommand(c)
	root.SetArgs([]string{"emulate", "--answer", "busy"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Press != "2,1" || got.VCAURL != "http://127.0.0.1:1/webhooks/vca" || got.Answer != "busy" || got.Port != emulate.DefaultPort {
		t.Errorf("options %+v", got)
	}
}

func findCmd[T interface{ Name() string }](cmds []T, name string) T {
	for _, c := range cmds {
		if c.Name() == name {
			return c
		}
	}
	var zero T
	return zero
}

// A VCA webhook that is down: the call is created, the session ends ERROR
// -2002, the summary says so and the log says why.
func TestWebhookDown(t *testing.T) {
	t.Setenv("IVRCTL_API_KEY", apiKey)
	b := newBackend(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + ln.Addr().String() + "/webhooks/vca?token=s3cret"
	ln.Close()
	em := startEmulate(t, "--vca-url", down, "--vss-url", b.vss, "--press", "1")
	code, stdout, stderr := call(t, "--base-url", em.url, "--subaccount", sub, "--from", "6561115777", "--to", "6512345678")
	if code != cmdutil.ExitOK {
		t.Fatalf("call exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	p := b.summary(t)
	if p.SessionStatus != callflow.SessionError || p.ErrorDetails == nil || p.ErrorDetails.ErrorCode != -2002 ||
		p.ErrorDetails.ErrorMsg != "An internal connectivity error has occurred" {
		t.Errorf("summary %+v, errorDetails %+v", p, p.ErrorDetails)
	}
	if err := em.stop(t); err != nil {
		t.Errorf("emulate: %v", err)
	}
	logs := em.stderr.String()
	if want := "END     " + p.SessionID + " ERROR -2002: webhook failed (dtmf 1): POST http://" + ln.Addr().String() + "/webhooks/vca?...: dial tcp"; !strings.Contains(logs, want) {
		t.Errorf("log lacks %q:\n%s", want, logs)
	}
	if strings.Contains(logs, "s3cret") {
		t.Errorf("the webhook URL's token is in the log:\n%s", logs)
	}
}

// SIGTERM with a call in flight: emulate stops accepting, lets the call
// finish (its summary is delivered), and returns nil (exit 0).
func TestSIGTERMDrainsCallsInFlight(t *testing.T) {
	t.Setenv("IVRCTL_API_KEY", apiKey)
	b := newBackend(t)
	entered := make(chan struct{}, 1)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		time.Sleep(300 * time.Millisecond)
		w.Write([]byte(`{"callflow":[{"action":"hangup"}]}`))
	}))
	defer slow.Close()
	em := startEmulate(t, "--vca-url", slow.URL, "--vss-url", b.vss, "--press", "1")
	if code, stdout, stderr := call(t, "--base-url", em.url, "--subaccount", sub, "--from", "6561115777", "--to", "6512345678"); code != 0 {
		t.Fatalf("call exit %d\n%s%s", code, stdout, stderr)
	}
	select {
	case <-entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the emulator never called the webhook")
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-em.done:
		em.done <- err
		if err != nil {
			t.Fatalf("emulate returned %v after SIGTERM, want nil\n%s", err, em.stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("emulate did not stop on SIGTERM")
	}
	if p := b.summary(t); p.SessionStatus != callflow.SessionCompleted || p.LastAction != "HANGUP" {
		t.Errorf("summary %+v", p)
	}
	logs := em.stderr.String()
	if i, j := strings.Index(logs, "shutting down"), strings.Index(logs, " delivered: COMPLETED"); i < 0 || j < i || !strings.Contains(logs, "SERVER  stopped") {
		t.Errorf("want the summary delivered during the drain, then stopped:\n%s", logs)
	}
}

// A stderr that stops draining (a paused terminal, a full pipe) does not
// stall calls: the call runs to its end, its summary is delivered, and
// emulate still stops when asked.
func TestStuckStderrDoesNotStallCalls(t *testing.T) {
	t.Setenv("IVRCTL_API_KEY", apiKey)
	b := newBackend(t)
	stderr := &syncBuffer{gate: make(chan struct{})}
	defer close(stderr.gate)
	em := startEmulateWith(t, stderr, "--vca-url", b.vca, "--vss-url", b.vss, "--press", "1")
	code, stdout, errOut := call(t, "--base-url", em.url, "--subaccount", sub, "--from", "6561115777", "--to", "6512345678")
	if code != cmdutil.ExitOK {
		t.Fatalf("call exit %d\nstdout %s\nstderr %s", code, stdout, errOut)
	}
	if p := b.summary(t); p.SessionStatus != callflow.SessionCompleted {
		t.Errorf("summary %+v", p)
	}
	if err := em.stop(t); err != nil {
		t.Errorf("emulate: %v", err)
	}
}
