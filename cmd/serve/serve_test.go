package serve_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ivrctl/ivrctl/cmd"
	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/cmd/cmdutil/cmdtest"
	"github.com/ivrctl/ivrctl/cmd/serve"
	"github.com/ivrctl/ivrctl/pkg/menu"
	"github.com/ivrctl/ivrctl/pkg/replay"
)

const repo = "../.."

// isolate keeps the user's config file and environment out of the test.
func isolate(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, cmdutil.EnvPrefix+"_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
}

type running struct {
	url            string
	stdout, stderr *cmdtest.SyncBuffer
	cancel         context.CancelFunc
	done           chan error
}

// testClient is the tests' HTTP client: every request has a deadline, so
// a server that never answers fails the test instead of stalling it.
var testClient = &http.Client{Timeout: 30 * time.Second}

// runServe runs `ivrctl serve args...` through the root command (so flags,
// environment and config file are bound as in the real binary) and waits
// for the address it prints.
func runServe(t *testing.T, args ...string) *running {
	t.Helper()
	r := &running{stdout: &cmdtest.SyncBuffer{}, stderr: &cmdtest.SyncBuffer{}}
	ios := &cmdutil.IOStreams{In: strings.NewReader(""), Out: r.stdout, ErrOut: r.stderr}
	root := cmd.NewRootCmd(cmdutil.NewFactory(ios, "test"), cmd.BuildInfo{Version: "test"})
	root.SetArgs(append([]string{"serve", "--port", "0"}, args...))
	r.url, r.done, r.cancel = cmdtest.StartServing(t, "serve", r.stdout, r.stderr, root.ExecuteContext)
	return r
}

// stop cancels the command's context (what SIGINT does) and returns its
// error.
func (r *running) stop(t *testing.T) error {
	t.Helper()
	return cmdtest.Stop(t, "serve", r.done, r.cancel)
}

func post(t *testing.T, url string, body []byte, hdr ...string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest("POST", url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func readFile(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repo, rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// waitFor polls the command's stderr for a line containing s (the log line
// of a request is written just after its response).
func waitFor(t *testing.T, buf *cmdtest.SyncBuffer, s string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for line := range strings.SplitSeq(buf.String(), "\n") {
			if strings.Contains(line, s) {
				return line
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no line with %q in:\n%s", s, buf.String())
	return ""
}

// The whole command: flags wired, address printed, every route answered,
// one log line per event, clean stop on cancel (SIGINT's path).
func TestServeCommand(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	sessions := filepath.Join(dir, "sessions.jsonl")
	rec := filepath.Join(dir, "rec")
	r := runServe(t, "--menu", filepath.Join(repo, "testdata/menus/advanced-ivr.yaml"),
		"--sessions", sessions, "--record", rec, "--agent", "6599990000")
	if !strings.HasPrefix(r.url, "http://127.0.0.1:") || strings.HasSuffix(r.url, ":0") {
		t.Fatalf("printed address %q", r.url)
	}

	// Digit 2 in the main menu opens connect_call; 1 there connects the
	// --agent number.
	ev := bytes.Replace(readFile(t, "testdata/dtmf2.json"), []byte(`"dtmf": "2",`), []byte(`"dtmf": "1", "clientActionId": "connect_call",`), 1)
	st, body := post(t, r.url+"/vca_webhook", ev)
	if st != 200 || !bytes.Contains(body, []byte(`"destination":"6599990000"`)) {
		t.Fatalf("VCA: %d %s", st, body)
	}
	line := waitFor(t, r.stderr, " VCA    200 ")
	for _, want := range []string{"200", "d62f91ba-9a40-11ee-945e-5f476b4334a1", "connect_call", "digit 1", "makeCall", "next=post_call", "ms"} {
		if !strings.Contains(line, want) {
			t.Errorf("VCA log line %q lacks %q", line, want)
		}
	}
	if st, body := post(t, r.url+"/webhooks/vss", readFile(t, "testdata/vss/error.json")); st != 200 {
		t.Fatalf("VSS: %d %s", st, body)
	}
	line = waitFor(t, r.stderr, " VSS    200 ")
	if !strings.Contains(line, "ERROR -2005 Unable to synthesize text to speech") {
		t.Errorf("VSS log line %q", line)
	}
	resp, err := testClient.Get(r.url + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()

	if err := r.stop(t); err != nil {
		t.Fatalf("serve returned %v, want nil after cancel", err)
	}
	if out := r.stdout.String(); strings.Count(out, "\n") != 1 {
		t.Errorf("stdout should be the address line only: %q", out)
	}
	waitFor(t, r.stderr, "stopped")
	if data, err := os.ReadFile(sessions); err != nil || bytes.Count(data, []byte("\n")) != 1 {
		t.Errorf("sessions file: %v %q", err, data)
	}
	if m, _ := filepath.Glob(filepath.Join(rec, "*.expected.json")); len(m) != 1 {
		t.Errorf("recorded %v", m)
	}
}

// Serve's secrets and settings come from the environment and the config
// file like every key; the secret never shows in the logs.
func TestServeAuthFromEnvAndConfig(t *testing.T) {
	isolate(t)
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfg, []byte("token: file-token\nlog-format: json\nauth-header: X-Hook-Auth\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("IVRCTL_AUTH_SECRET", "new-secret,old-secret")
	r := runServe(t, "--config", cfg, "--sessions", filepath.Join(t.TempDir(), "s.jsonl"))
	body := readFile(t, "testdata/dtmf1.json")
	cases := []struct {
		url    string
		hdr    []string
		status int
	}{
		{r.url + "/webhooks/vca", nil, 401},
		{r.url + "/webhooks/vca", []string{"X-Hook-Auth", "old-secret"}, 200},
		{r.url + "/webhooks/vca", []string{"X-Hook-Auth", "new-secret"}, 200},
		{r.url + "/webhooks/vca", []string{"Authorization", "new-secret"}, 401},
		{r.url + "/webhooks/vca?token=file-token", nil, 200},
	}
	for _, c := range cases {
		if st, b := post(t, c.url, body, c.hdr...); st != c.status {
			t.Errorf("%s %v: %d %s, want %d", c.url, c.hdr, st, b, c.status)
		}
	}
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
	logs := r.stderr.String()
	for _, secret := range []string{"new-secret", "old-secret", "file-token"} {
		if strings.Contains(logs, secret) {
			t.Errorf("a secret is in the log:\n%s", logs)
		}
	}
	// --log-format json from the config file: every stderr line is JSON.
	sc := bufio.NewScanner(strings.NewReader(logs))
	n401 := 0
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("not a JSON line: %q", sc.Text())
		}
		if m["status"] == 401.0 {
			n401++
		}
	}
	if n401 != 2 {
		t.Errorf("%d 401 lines, want 2:\n%s", n401, logs)
	}
	if !strings.Contains(logs, `"message":"authentication: 2 secret(s) in X-Hook-Auth, ?token="`) {
		t.Errorf("start-up lines do not describe the authentication:\n%s", logs)
	}
}

// Flags, environment and the config file fill the same options.
func TestServeOptions(t *testing.T) {
	isolate(t)
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	// allow-ip as a YAML list: it must not be dropped silently.
	os.WriteFile(cfg, []byte("allow-ip:\n  - 18.140.80.2\n  - 52.220.253.234\ntrust-proxy: true\nport: 9090\n"), 0o600)
	t.Setenv("IVRCTL_BASIC_AUTH", "eight:by8")
	t.Setenv("IVRCTL_ADDR", "127.0.0.2")
	var got *serve.ServeOptions
	var gotCtx context.Context
	ios, _, _, _ := cmdutil.Test()
	f := cmdutil.NewFactory(ios, "test")
	root := cmd.NewRootCmd(f, cmd.BuildInfo{})
	// Replace serve with one that captures its options.
	for _, c := range root.Commands() {
		if c.Name() == "serve" {
			root.RemoveCommand(c)
		}
	}
	root.AddCommand(serve.NewCmdServe(f, func(ctx context.Context, o *serve.ServeOptions) error { got, gotCtx = o, ctx; return nil }))
	root.SetArgs([]string{"serve", "--config", cfg, "--port", "7070", "--record", "rec"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	want := struct {
		Addr, BasicAuth, RecordPath, LogFormat, AuthHeader string
		Port                                               int
		AllowIPs                                           []string
		TrustProxy                                         bool
	}{"127.0.0.2", "eight:by8", "rec", "text", "Authorization", 7070, []string{"18.140.80.2", "52.220.253.234"}, true}
	gotv := want
	gotv.Addr, gotv.BasicAuth, gotv.RecordPath, gotv.LogFormat, gotv.AuthHeader = got.Addr, got.BasicAuth, got.RecordPath, got.LogFormat, got.AuthHeader
	gotv.Port, gotv.AllowIPs, gotv.TrustProxy = got.Port, got.AllowIPs, got.TrustProxy
	if diff := cmp.Diff(want, gotv); diff != "" {
		t.Errorf("options (-want +got):\n%s", diff)
	}
	if gotCtx == nil {
		t.Error("no context passed")
	}
}

func TestServeUsageErrors(t *testing.T) {
	isolate(t)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--log-format", "xml"}, "--log-format"},
		{[]string{"--basic-auth", "justasecretvalue"}, "user:pass"},
		{[]string{"--allow-ip", "18.140.80"}, "allow-ip"},
		{[]string{"--port", "70000"}, "--port"},
		{[]string{"--record", "rec", "--record-queue", "0"}, "--record-queue 0: use 1 or more"},
		{[]string{"--menu", "/nonexistent/menu.yaml"}, "menu"},
		{[]string{"extra-arg"}, "unknown command"},
		// More than two secrets: refused, naming none (before the menu is
		// loaded).
		{[]string{"--auth-secret", "one-secret, justasecretvalue,three", "--menu", "/nonexistent/menu.yaml"}, "at most 2"},
		// A '"' in a secret is no parse error echoing it (the slice flag's
		// CSV parser failed on it); the exit 2 here is --log-format's.
		{[]string{"--auth-secret", `justasecretvalue"x`, "--log-format", "xml"}, "--log-format"},
		// A secret or header name no HTTP request can carry would refuse
		// every webhook with 401.
		{[]string{"--auth-secret", "justasecret\x01value"}, "no control characters"},
		{[]string{"--auth-secret", "new-secret,justasecret\x1bvalue"}, "no control characters"},
		{[]string{"--auth-secret", "justasecretvalue", "--auth-header", "X Ivr Secret"}, "not a header name"},
	}
	for _, c := range cases {
		ios, _, _, errOut := cmdutil.Test()
		args := append([]string{"serve", "--sessions", filepath.Join(t.TempDir(), "s.jsonl")}, c.args...)
		code := cmdtest.Within(t, time.Minute, fmt.Sprint(args), func() int { return cmd.Execute(cmd.BuildInfo{}, args, ios) })
		if code != cmdutil.ExitUsage {
			t.Errorf("%v: exit %d, want %d (%s)", c.args, code, cmdutil.ExitUsage, errOut)
		}
		if !strings.Contains(errOut.String(), c.want) {
			t.Errorf("%v: error %q lacks %q", c.args, errOut, c.want)
		}
		if strings.Contains(errOut.String(), "justasecretvalue") {
			t.Errorf("a credential is echoed: %s", errOut)
		}
	}
}

// A port in use is reported with a hint, and nothing is left running.
func TestServePortInUse(t *testing.T) {
	isolate(t)
	r := runServe(t, "--sessions", filepath.Join(t.TempDir(), "s.jsonl"))
	port := r.url[strings.LastIndexByte(r.url, ':')+1:]
	ios, _, _, errOut := cmdutil.Test()
	code := cmdtest.Within(t, time.Minute, "serve on a port in use", func() int {
		return cmd.Execute(cmd.BuildInfo{}, []string{"serve", "--port", port, "--sessions", filepath.Join(t.TempDir(), "s.jsonl")}, ios)
	})
	if code != cmdutil.ExitFailed || !strings.Contains(errOut.String(), "--port 0") {
		t.Errorf("exit %d: %s", code, errOut)
	}
	if err := r.stop(t); err != nil && !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
}

// signalOnAddress sends the process SIGTERM the moment the address line is
// written, as a script that starts serve and stops it at once would.
type signalOnAddress struct {
	cmdtest.SyncBuffer
	once sync.Once
}

func (w *signalOnAddress) Write(p []byte) (int, error) {
	n, err := w.SyncBuffer.Write(p)
	if bytes.HasPrefix(p, []byte("listening on ")) {
		w.once.Do(func() { syscall.Kill(os.Getpid(), syscall.SIGTERM) })
	}
	return n, err
}

// SIGTERM as soon as the address is printed drains and returns nil (exit
// 0): the handler is installed before the address appears. Before, the
// signal could arrive first and kill the process (exit 143; here, the
// test binary).
func TestServeSIGTERMRightAfterAddress(t *testing.T) {
	isolate(t)
	out, errOut := &signalOnAddress{}, &cmdtest.SyncBuffer{}
	ios := &cmdutil.IOStreams{In: strings.NewReader(""), Out: out, ErrOut: errOut}
	root := cmd.NewRootCmd(cmdutil.NewFactory(ios, "test"), cmd.BuildInfo{Version: "test"})
	root.SetArgs([]string{"serve", "--port", "0", "--sessions", filepath.Join(t.TempDir(), "s.jsonl")})
	done := make(chan error, 1)
	go func() { done <- root.Execute() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v after SIGTERM, want nil\nstderr:\n%s", err, errOut.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop on SIGTERM")
	}
	if !strings.HasPrefix(out.String(), "listening on http://127.0.0.1:") {
		t.Errorf("stdout %q", out.String())
	}
	if !strings.Contains(errOut.String(), "stopped; sessions file closed") {
		t.Errorf("no clean stop in stderr:\n%s", errOut.String())
	}
}

// A secret may contain '"'; a YAML list in the config file is two secrets
// (new and old, while rotating), like a comma-separated value.
func TestServeAuthSecretValues(t *testing.T) {
	isolate(t)
	body := readFile(t, "testdata/dtmf1.json")
	r := runServe(t, "--auth-secret", `q"uote-secret`, "--sessions", filepath.Join(t.TempDir(), "s.jsonl"))
	if st, b := post(t, r.url+"/webhooks/vca", body, "Authorization", `q"uote-secret`); st != 200 {
		t.Errorf("secret with a quote: %d %s", st, b)
	}
	if st, _ := post(t, r.url+"/webhooks/vca", body, "Authorization", `q`); st != 401 {
		t.Errorf("part of the secret: %d, want 401", st)
	}

	cfg := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfg, []byte("auth-secret: [new-secret, old-secret]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = runServe(t, "--config", cfg, "--sessions", filepath.Join(t.TempDir(), "s.jsonl"))
	for hdr, want := range map[string]int{"new-secret": 200, "old-secret": 200, "new-secret,old-secret": 401, "": 401} {
		if st, b := post(t, r.url+"/webhooks/vca", body, "Authorization", hdr); st != want {
			t.Errorf("config list, Authorization %q: %d %s, want %d", hdr, st, b, want)
		}
	}
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
	if logs := r.stderr.String(); !strings.Contains(logs, "authentication: 2 secret(s) in Authorization") || strings.Contains(logs, "new-secret") {
		t.Errorf("start-up lines:\n%s", logs)
	}
}

// What --record writes, simulate passes: every pair replays clean through
// the same menu. An event naming an unknown menu is answered but not
// recorded (simulate fails such a pair with exit 2).
func TestServeRecordReplaysThroughSimulate(t *testing.T) {
	isolate(t)
	dir := filepath.Join(t.TempDir(), "rec")
	r := runServe(t, "--record", dir, "--sessions", filepath.Join(t.TempDir(), "s.jsonl"))
	unknown := bytes.Replace(readFile(t, "testdata/dtmf2.json"), []byte(`"dtmf": "2",`), []byte(`"dtmf": "2", "clientActionId": "no_such_menu",`), 1)
	events := [][]byte{
		readFile(t, "testdata/inbound-call-received.json"),
		readFile(t, "testdata/dtmf1.json"),
		unknown,
		readFile(t, "testdata/dtmf2.json"),
		readFile(t, "testdata/eventdata-dtmf3.json"),
		readFile(t, "testdata/dtmf-null.json"),
	}
	for i, ev := range events {
		if st, b := post(t, r.url+"/webhooks/vca", ev); st != 200 {
			t.Fatalf("event %d: %d %s", i, st, b)
		}
	}
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
	if line := waitFor(t, r.stderr, "no_such_menu"); !strings.Contains(line, "not recorded") {
		t.Errorf("fallback line does not say it was not recorded: %q", line)
	}

	names, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var inputs []*replay.Input
	for _, name := range names {
		if strings.HasSuffix(name, replay.ExpectedSuffix) {
			continue
		}
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		exp, err := os.ReadFile(strings.TrimSuffix(name, ".json") + replay.ExpectedSuffix)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, &replay.Input{Name: name, Data: data, Expected: exp})
	}
	if len(inputs) != len(events)-1 {
		t.Fatalf("%d pairs recorded, want %d (all but the unknown menu)", len(inputs), len(events)-1)
	}
	eng, err := menu.Compile(menu.Default(), menu.Numbers{})
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range replay.ReplayAll(eng, inputs, nil) {
		if out.Err != nil || out.Diff != "" || !out.Checked() {
			t.Errorf("%s: simulate fails it: err %v, diff %s", filepath.Base(out.Input.Name), out.Err, out.Diff)
		}
	}
}
