package call_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ivrctl/ivrctl/cmd"
	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/cmd/cmdutil/cmdtest"
	"github.com/ivrctl/ivrctl/pkg/golden"
	store "github.com/ivrctl/ivrctl/pkg/sessions"
	"github.com/ivrctl/ivrctl/pkg/webhook"
)

// createdSession is the sessionId of seed-created.json.
const createdSession = "d9874358-89ac-4c50-bbab-1eb634482a94"

const otherSession = "0b7e1a52-0000-4000-8000-0242ac120002"

var listeningRe = regexp.MustCompile(`(?m)^listening on (http://\S+)$`)

// listenURL is where the command receives webhooks, read from its
// stderr: it says so before it sends the call, so the stand-in for 8x8
// always finds it when the POST arrives.
func listenURL(stderr *cmdtest.SyncBuffer) string {
	m := listeningRe.FindStringSubmatch(stderr.String())
	if m == nil {
		return ""
	}
	return m[1]
}

// waitRun is a `call --wait` running against a stand-in for 8x8.
type waitRun struct {
	stdout, stderr *cmdtest.SyncBuffer
	done           chan runResult
}

// startWait runs `ivrctl call --wait --listen 127.0.0.1:0 args...` with
// the test config, a fresh sessions file, and the fake's URL.
func startWait(t *testing.T, ctx context.Context, w *waitRun, tty bool, fake *fake8x8, args ...string) string {
	t.Helper()
	sessions := filepath.Join(t.TempDir(), "sessions.jsonl")
	ios, _, _, _ := cmdutil.Test()
	ios.SetTTY(tty)
	ios.Out, ios.ErrOut = w.stdout, w.stderr
	root := cmd.NewRootCmd(cmdutil.NewFactory(ios, "test"), cmd.BuildInfo{Version: "test"})
	root.SetArgs(append([]string{"call", "--config", writeConfig(t, ""), "--base-url", fake.URL, "--to", seedTo,
		"--wait", "--listen", "127.0.0.1:0", "--sessions", sessions}, args...))
	go func() {
		_, err := root.ExecuteContextC(ctx)
		r := runResult{code: cmdutil.ExitCode(err), err: err}
		var silent *cmdutil.SilentError
		if err != nil && !errors.As(err, &silent) {
			r.errMsg = err.Error()
			var ee *cmdutil.ExitError
			if errors.As(err, &ee) {
				r.hint = ee.Hint
			}
		}
		w.done <- r
	}()
	return sessions
}

// result waits for the command to end.
func (w *waitRun) result(t *testing.T) runResult {
	t.Helper()
	select {
	case r := <-w.done:
		r.stdout, r.stderr = w.stdout.String(), w.stderr.String()+"ivrctl: "+r.errMsg+"\n"+r.hint+"\n"
		assertNoKey(t, r.stdout, r.stderr)
		return r
	case <-time.After(20 * time.Second):
		t.Fatalf("call --wait did not end\nstdout:\n%s\nstderr:\n%s", w.stdout, w.stderr)
		return runResult{}
	}
}

// withSession returns a testdata event with payload.sessionId (and, when
// status is set, payload.sessionStatus) replaced.
func withSession(t *testing.T, file, session, status string) []byte {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(mustRead("../../testdata/"+file), &ev); err != nil {
		t.Fatal(err)
	}
	p := ev["payload"].(map[string]any)
	p["sessionId"] = session
	if status != "" {
		p["sessionStatus"] = status
	}
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// postHook posts a webhook to the command's listener, as 8x8 would.
func postHook(t *testing.T, url string, body []byte, auth string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		t.Errorf("POST %s: %v", url, err)
		return 0, ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// step is one webhook the stand-in posts, and the answer it expects.
type step struct {
	path, body string
	auth       string // the Authorization header, if any
	wantStatus int
	wantBody   string // "" : not checked
}

// vcaDigit3 and vcaDigit1 walk the simple IVR: 3 is not an option (the
// "Sorry" prompt again), 1 hangs up.
func vcaSteps(t *testing.T, session string) []step {
	return []step{
		{path: webhook.PathVCA, body: string(withSession(t, "dtmf3.json", session, "")), wantStatus: 200,
			wantBody: strings.TrimSpace(string(mustRead("../../testdata/dtmf3.expected.json")))},
		{path: webhook.PathVCA, body: string(withSession(t, "eventdata-dtmf1.json", session, "")), wantStatus: 200,
			wantBody: `{"callflow":[{"action":"hangup"}]}`},
	}
}

func vssStep(t *testing.T, session, status string) step {
	file := "vss/completed.json"
	if status == "ERROR" {
		file = "vss/error.json"
	}
	return step{path: webhook.PathVSS, body: string(withSession(t, file, session, status)), wantStatus: 200, wantBody: "{}"}
}

// standIn is 8x8: on Send Callflow it posts the before steps to the
// command's listener, answers (CREATED unless told), then posts the
// after steps from another goroutine, checking every answer.
type standIn struct {
	t             *testing.T
	stderr        *cmdtest.SyncBuffer // the command's: where its listener's address is
	before, after []step
	answer        func(http.ResponseWriter) // nil: CREATED
	tty           bool                      // stdout and stderr are terminals
	wg            sync.WaitGroup
}

func (s *standIn) play(url string, steps []step) {
	for _, st := range steps {
		code, body := postHook(s.t, url+st.path, []byte(st.body), st.auth)
		if code != st.wantStatus || st.wantBody != "" && body != st.wantBody {
			s.t.Errorf("POST %s: %d %s, want %d %s", st.path, code, body, st.wantStatus, st.wantBody)
		}
	}
}

func (s *standIn) handle(w http.ResponseWriter, r *http.Request, _ []byte, n int) {
	url := listenURL(s.stderr)
	if url == "" {
		s.t.Errorf("Send Callflow arrived before the listener said where it is:\n%s", s.stderr)
	}
	s.play(url, s.before)
	if s.answer != nil {
		s.answer(w)
		return
	}
	s.wg.Add(1)
	w.Header().Set("Content-Type", "application/json")
	w.Write(createdBody)
	go func() {
		defer s.wg.Done()
		s.play(url, s.after)
	}()
}

// newStandIn starts the stand-in and the command against it.
func newStandIn(t *testing.T, ctx context.Context, s *standIn, args ...string) (*waitRun, string) {
	t.Helper()
	s.t = t
	run := &waitRun{stdout: &cmdtest.SyncBuffer{}, stderr: &cmdtest.SyncBuffer{}, done: make(chan runResult, 1)}
	s.stderr = run.stderr
	t.Cleanup(s.wg.Wait)
	sessions := startWait(t, ctx, run, s.tty, newFake(t, s.handle), args...)
	return run, sessions
}

var clockRe = regexp.MustCompile(`(?m)^\d\d:\d\d:\d\d `)

// Every session status, its exit code and its output: the events of the
// session shown live, the summary last and recorded in the sessions file.
func TestWaitOutcomes(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		status string
		code   int
		last   string // the summary's text line, the clock dropped
		err    string
	}{
		{"COMPLETED", 0, "VSS COMPLETED", ""},
		{"BUSY", 5, "VSS BUSY", "ivrctl: the call to 6512345678 ended BUSY (session " + createdSession + ")"},
		{"NO_ANSWER", 5, "VSS NO_ANSWER", "ended NO_ANSWER"},
		{"FAILED", 5, "VSS FAILED", "ended FAILED"},
		{"CANCELED", 5, "VSS CANCELED", "ended CANCELED"},
		{"ERROR", 6, "VSS ERROR -2005 Unable to synthesize text to speech",
			"ivrctl: the call to 6512345678 ended in ERROR (session " + createdSession + "): errorCode -2005, errorMsg Unable to synthesize text to speech"},
	} {
		t.Run(c.status, func(t *testing.T) {
			t.Parallel()
			s := &standIn{after: append(vcaSteps(t, createdSession), vssStep(t, createdSession, c.status))}
			run, sessions := newStandIn(t, context.Background(), s)
			r := run.result(t)
			if r.code != c.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, c.code, r.stdout, r.stderr)
			}
			want := createdSession + "\n" +
				"VCA main digit 3 -> other: sayAndCapture\n" +
				"VCA main digit 1 -> 1: hangup\n" +
				c.last + "\n"
			if d := cmp.Diff(want, clockRe.ReplaceAllString(r.stdout, "")); d != "" {
				t.Errorf("stdout (-want +got):\n%s", d)
			}
			if !strings.Contains(r.stderr, c.err) {
				t.Errorf("stderr lacks %q:\n%s", c.err, r.stderr)
			}
			for _, want := range []string{
				"waiting for session " + createdSession + " on http://127.0.0.1:",
				"(VCA /webhooks/vca, VSS /webhooks/vss)",
				"session summary recorded in " + sessions,
			} {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
				}
			}
			recs, _, err := store.ReadFile(sessions, false)
			if err != nil || len(recs) != 1 || recs[0].SessionID != createdSession || recs[0].SessionStatus != c.status {
				t.Errorf("sessions file: %+v %v", recs, err)
			}
			assertClosed(t, listenURL(run.stderr))
		})
	}
}

// assertClosed checks nothing listens at url any more.
func assertClosed(t *testing.T, url string) {
	t.Helper()
	if url == "" {
		t.Fatal("no listener address printed")
	}
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(url, "http://"), time.Second)
	if err == nil {
		conn.Close()
		t.Errorf("%s still accepts connections after the command ended", url)
	}
}

// 8x8 may post the first VCA before it answers Send Callflow: the event
// is answered at once and shown once the sessionId is known.
func TestWaitEventBeforeCreated(t *testing.T) {
	t.Parallel()
	steps := vcaSteps(t, createdSession)
	s := &standIn{before: steps[:1], after: append(steps[1:], vssStep(t, createdSession, "COMPLETED"))}
	run, _ := newStandIn(t, context.Background(), s)
	r := run.result(t)
	want := createdSession + "\n" +
		"VCA main digit 3 -> other: sayAndCapture\n" +
		"VCA main digit 1 -> 1: hangup\n" +
		"VSS COMPLETED\n"
	if d := cmp.Diff(want, clockRe.ReplaceAllString(r.stdout, "")); d != "" || r.code != 0 {
		t.Errorf("exit %d, stdout (-want +got):\n%s\nstderr:\n%s", r.code, d, r.stderr)
	}
}

// Another session's events are answered (it is a menu server) but neither
// shown nor counted: its COMPLETED does not end the wait for this BUSY.
func TestWaitOtherSessionNotCounted(t *testing.T) {
	t.Parallel()
	other := vcaSteps(t, otherSession)[1]
	s := &standIn{
		before: []step{other},
		after:  []step{other, vssStep(t, otherSession, "COMPLETED"), vssStep(t, createdSession, "BUSY")},
	}
	run, sessions := newStandIn(t, context.Background(), s)
	r := run.result(t)
	if r.code != cmdutil.ExitCallFailed {
		t.Fatalf("exit %d, want 5 (this session's BUSY)\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	want := createdSession + "\nVSS BUSY\n"
	if d := cmp.Diff(want, clockRe.ReplaceAllString(r.stdout, "")); d != "" {
		t.Errorf("stdout (-want +got):\n%s", d)
	}
	if strings.Contains(r.stdout+r.stderr, otherSession) {
		t.Errorf("the other session is shown:\n%s\n%s", r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "3 webhook event(s) of other sessions were answered with the menu (not shown)") {
		t.Errorf("stderr does not count the other session's events:\n%s", r.stderr)
	}
	// Both summaries are recorded, as serve records every session.
	if recs, _, err := store.ReadFile(sessions, false); err != nil || len(recs) != 2 {
		t.Errorf("sessions file: %+v %v", recs, err)
	}
}

// No summary within --timeout: exit 4, naming the session.
func TestWaitTimeout(t *testing.T) {
	t.Parallel()
	s := &standIn{before: vcaSteps(t, createdSession)[:1]}
	run, _ := newStandIn(t, context.Background(), s, "--timeout", "300ms")
	r := run.result(t)
	if r.code != cmdutil.ExitTransport {
		t.Fatalf("exit %d, want 4\nstderr:\n%s", r.code, r.stderr)
	}
	want := "ivrctl: no session summary for session " + createdSession + " within 300ms: the call may still be running"
	if !strings.Contains(r.stderr, want) || !strings.Contains(r.hint, "--timeout") {
		t.Errorf("stderr lacks %q and a hint:\n%s", want, r.stderr)
	}
	assertClosed(t, listenURL(run.stderr))
}

// NOT_CREATED: call's message and exit 3, and the listener is closed.
func TestWaitNotCreated(t *testing.T) {
	t.Parallel()
	s := &standIn{answer: func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		w.Write(mustRead("../../testdata/call/seed-not-created.json"))
	}}
	run, _ := newStandIn(t, context.Background(), s)
	r := run.result(t)
	if r.code != cmdutil.ExitRejected || r.stdout != "" {
		t.Fatalf("exit %d, stdout %q, want 3 and nothing\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if want := "8x8 did not create the call to 6512345678: -1002 Speech profile or language parameter invalid"; !strings.Contains(r.stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
	}
	if strings.Contains(r.stderr, "waiting for session") {
		t.Errorf("waited for a call never created:\n%s", r.stderr)
	}
	assertClosed(t, listenURL(run.stderr))
}

// Ctrl-C while waiting: exit 130, the call may still be running.
func TestWaitInterrupted(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a deadline: a hang fails, not stalls
	defer cancel()
	s := &standIn{after: vcaSteps(t, createdSession)[:1]}
	run, _ := newStandIn(t, ctx, s)
	// The first event shown, then the Ctrl-C (what cancelling the
	// command's context does).
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(run.stdout.String(), "VCA main") && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	r := run.result(t)
	if r.code != cmdutil.ExitInterrupted {
		t.Fatalf("exit %d, want 130\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if want := "ivrctl: stopped waiting for session " + createdSession + ": the call may still be running"; !strings.Contains(r.stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
	}
	assertClosed(t, listenURL(run.stderr))
}

// -o json: a "call" line, the events, the outcome with the summary as
// recorded; compared with a golden file, times and the port normalised.
func TestWaitJSON(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		status string
		code   int
		answer func(http.ResponseWriter)
		args   []string
	}{
		{name: "completed", status: "COMPLETED", code: 0},
		{name: "error", status: "ERROR", code: 6},
		{name: "timeout", code: 4, args: []string{"--timeout", "300ms"}},
		{name: "not-created", code: 3, answer: func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			w.Write(mustRead("../../testdata/call/seed-not-created.json"))
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := &standIn{answer: c.answer, before: vcaSteps(t, otherSession)[1:], after: vcaSteps(t, createdSession)}
			if c.status != "" {
				s.after = append(s.after, vssStep(t, createdSession, c.status))
			} else {
				// Without a summary the events go before the answer, so
				// all are shown before the timeout can start.
				s.before, s.after = append(s.before, s.after...), nil
			}
			run, _ := newStandIn(t, context.Background(), s, append([]string{"-o", "json"}, c.args...)...)
			r := run.result(t)
			if r.code != c.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, c.code, r.stdout, r.stderr)
			}
			// Compared as JSON values, line by line, both sides normalised.
			golden.Compare(t, filepath.Join("..", "..", "testdata", "call", "wait-"+c.name+".golden"),
				[]byte(normalizeLines(t, r.stdout)), func(_ testing.TB, b []byte) any {
					return jsonLines[map[string]any](t, normalizeLines(t, string(b)))
				})
		})
	}
}

var portRe = regexp.MustCompile(`127\.0\.0\.1:\d+`)

// normalizeLines replaces each line's time and the listener's port, and
// re-encodes every line indented the same way.
func normalizeLines(t *testing.T, s string) string {
	t.Helper()
	var b strings.Builder
	for _, line := range jsonLines[map[string]any](t, s) {
		if _, ok := line["time"]; ok {
			line["time"] = "TIME"
		}
		if u, ok := line["url"].(string); ok {
			line["url"] = portRe.ReplaceAllString(u, "127.0.0.1:PORT")
		}
		enc, err := json.Marshal(line)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s\n", enc)
	}
	return b.String()
}

// Usage errors: nothing is sent and nothing listens.
func TestWaitUsage(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--to", "6512345679"}, "--wait waits for one call"},
		{[]string{"--timeout", "-1s"}, "--timeout -1s: must be more than 0"},
		{[]string{"--listen", "8080"}, `--listen "8080": want ADDR:PORT`},
		{[]string{"--basic-auth", "nocolon"}, "--basic-auth: expected user:pass"},
	} {
		args := append([]string{"call", "--config", writeConfig(t, ""), "--base-url", untouchable(t).URL,
			"--to", seedTo, "--wait", "--sessions", filepath.Join(t.TempDir(), "s.jsonl")}, c.args...)
		r := run(t, runOpts{}, args...)
		if r.code != cmdutil.ExitUsage || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d, want 2 and %q:\n%s", c.args, r.code, c.want, r.stderr)
		}
	}
}

// --wait --dry-run prints the request, listens nowhere and says so.
func TestWaitDryRun(t *testing.T) {
	t.Parallel()
	r := run(t, runOpts{}, "call", "--config", writeConfig(t, ""), "--base-url", untouchable(t).URL,
		"--to", seedTo, "--wait", "--dry-run", "--listen", "127.0.0.1:0")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "POST ") ||
		!strings.Contains(r.stderr, "--wait: nothing sent, so nothing to wait for; the webhooks would be received on http://127.0.0.1:0") {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
}

// A busy --listen address: exit 1 before anything is sent.
func TestWaitListenFails(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	r := run(t, runOpts{}, "call", "--config", writeConfig(t, ""), "--base-url", untouchable(t).URL,
		"--to", seedTo, "--wait", "--listen", ln.Addr().String(), "--sessions", filepath.Join(t.TempDir(), "s.jsonl"))
	if r.code != cmdutil.ExitFailed || !strings.Contains(r.stderr, "--wait: listen on "+ln.Addr().String()) {
		t.Errorf("exit %d, want 1:\n%s", r.code, r.stderr)
	}
}

// On a terminal a spinner says the wait goes on, on stderr, and is
// cleared before any other line; piped, there is none, nor any escape.
func TestWaitSpinner(t *testing.T) {
	t.Parallel()
	for _, tty := range []bool{true, false} {
		t.Run(fmt.Sprint("tty=", tty), func(t *testing.T) {
			t.Parallel()
			s := &standIn{before: vcaSteps(t, createdSession)[:1], tty: tty}
			run, _ := newStandIn(t, context.Background(), s, "--timeout", "350ms")
			r := run.result(t)
			if r.code != cmdutil.ExitTransport {
				t.Fatalf("exit %d\nstderr:\n%q", r.code, r.stderr)
			}
			spin := regexp.MustCompile(`\r\x1b\[K(` + strings.Join(spinFrames, "|") + `) waiting for session ` + createdSession + `: 1 event, \d+s`)
			if strings.Contains(r.stdout, "\x1b") {
				t.Errorf("escape codes on stdout: %q", r.stdout)
			}
			if !tty {
				if strings.ContainsAny(r.stderr, "\r\x1b") {
					t.Errorf("spinner drawn on a pipe: %q", r.stderr)
				}
				return
			}
			if !spin.MatchString(r.stderr) {
				t.Fatalf("no spinner on a terminal's stderr: %q", r.stderr)
			}
			// Every spinner drawn is cleared before the next line.
			rest := spin.ReplaceAllString(r.stderr, "")
			rest = strings.ReplaceAll(rest, "\r\x1b[K", "")
			if strings.ContainsAny(rest, "\r\x1b") || !strings.Contains(rest, "\nivrctl: no session summary") {
				t.Errorf("stderr once the spinner is gone: %q", rest)
			}
		})
	}
}

var spinFrames = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// serve's authentication applies: a webhook without the secret is
// refused and said on stderr (it may be this call's, misconfigured), the
// ones with it are answered; the secret is never shown.
func TestWaitAuth(t *testing.T) {
	t.Parallel()
	const secret = "wh-secret-9f8e7d6c5b4a"
	steps := append(vcaSteps(t, createdSession), vssStep(t, createdSession, "COMPLETED"))
	unauth := steps[0]
	unauth.wantStatus, unauth.wantBody = http.StatusUnauthorized, ""
	for i := range steps {
		steps[i].auth = secret
	}
	s := &standIn{before: []step{unauth}, after: steps}
	run, _ := newStandIn(t, context.Background(), s, "--auth-secret", secret)
	r := run.result(t)
	if r.code != 0 {
		t.Fatalf("exit %d\nstderr:\n%s", r.code, r.stderr)
	}
	if !regexp.MustCompile(`(?m)^warning: refused /webhooks/vca from 127\.0\.0\.1:\d+: 401 authentication required`).MatchString(r.stderr) {
		t.Errorf("stderr does not report the refused webhook:\n%s", r.stderr)
	}
	if strings.Count(r.stdout, "VCA main") != 2 || strings.Contains(r.stdout+r.stderr, secret) {
		t.Errorf("stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
}

// A flood of refused requests (a scanner on a public tunnel): the first
// 20 are shown, as the README says, then one note.
func TestWaitRefusalsCapped(t *testing.T) {
	t.Parallel()
	const secret = "wh-secret-9f8e7d6c5b4a"
	steps := append(vcaSteps(t, createdSession), vssStep(t, createdSession, "COMPLETED"))
	for i := range steps {
		steps[i].auth = secret
	}
	unauth := steps[0]
	unauth.auth, unauth.wantStatus, unauth.wantBody = "", http.StatusUnauthorized, ""
	var before []step
	for range 25 {
		before = append(before, unauth)
	}
	s := &standIn{before: before, after: steps}
	run, _ := newStandIn(t, context.Background(), s, "--auth-secret", secret)
	r := run.result(t)
	if r.code != 0 {
		t.Fatalf("exit %d\nstderr:\n%s", r.code, r.stderr)
	}
	if n := strings.Count(r.stderr, "warning: refused /webhooks/vca"); n != 20 {
		t.Errorf("%d refusals shown, want 20:\n%s", n, r.stderr)
	}
	if n := strings.Count(r.stderr, "more refused requests: not shown"); n != 1 {
		t.Errorf("%d notes, want 1:\n%s", n, r.stderr)
	}
}
