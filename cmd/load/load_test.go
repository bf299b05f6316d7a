package loadcmd_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ivrctl/ivrctl/cmd"
	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/cmd/cmdutil/cmdtest"
	loadcmd "github.com/ivrctl/ivrctl/cmd/load"
	"github.com/ivrctl/ivrctl/pkg/webhook"
	"github.com/ivrctl/ivrctl/pkg/webhook/webhooktest"
)

type result struct {
	stdout, stderr string
	code           int
}

func ivrctl(t *testing.T, io *cmdutil.IOStreams, out, errOut *bytes.Buffer, args ...string) result {
	t.Helper()
	code := cmd.Execute(cmd.BuildInfo{Version: "test"}, args, io)
	return result{stdout: out.String(), stderr: errOut.String(), code: code}
}

func run(t *testing.T, args ...string) result {
	t.Helper()
	io, _, out, errOut := cmdutil.Test()
	return ivrctl(t, io, out, errOut, args...)
}

// TestMain runs from the repository root, with no IVRCTL_* variable or
// config file leaking in.
func TestMain(m *testing.M) {
	if err := os.Chdir("../.."); err != nil {
		panic(err)
	}
	os.Unsetenv("NO_COLOR")
	os.Unsetenv("CLICOLOR_FORCE")
	os.Exit(cmdtest.Main(m))
}

const (
	menu      = "testdata/menus/advanced-ivr.yaml"
	scenarios = "testdata/scenarios/advanced-ivr"
	connect   = "testdata/scenarios/advanced-ivr/connect-call.yaml"
)

// Flags fill the options; runF sees them without anything running.
func TestFlags(t *testing.T) {
	t.Parallel()
	io, _, _, _ := cmdutil.Test()
	f := cmdutil.NewFactory(io, "test")
	var got *loadcmd.LoadOptions
	c := loadcmd.NewCmdLoad(f, func(o *loadcmd.LoadOptions) error { got = o; return nil })
	c.SetArgs([]string{"--webhook", "http://127.0.0.1:8080/webhooks/vca", "--rate", "12.5", "--duration", "3s",
		"--concurrency", "7", "--max-p99", "250ms", "-o", "json", "a.yaml", "dir"})
	if err := c.Execute(); err != nil {
		t.Fatal(err)
	}
	want := loadcmd.LoadOptions{Webhook: "http://127.0.0.1:8080/webhooks/vca", Rate: 12.5, Duration: 3 * time.Second,
		Concurrency: 7, MaxP99: 250 * time.Millisecond, Timeout: 5 * time.Second, Output: "json", AuthHeader: "Authorization",
		Paths: []string{"a.yaml", "dir"}}
	got.IO, got.ReadFile, got.LoadEngine = nil, nil, nil
	if diff := cmp.Diff(want, *got); diff != "" {
		t.Errorf("options (-want +got):\n%s", diff)
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--duration", "1s", connect}, "--rate is required"},
		{[]string{"--rate", "5", connect}, "--duration is required"},
		{[]string{"--rate", "-1", "--duration", "1s", connect}, "--rate -1: calls per second"},
		{[]string{"--rate", "5", "--duration", "1s", "--concurrency", "0", connect}, "--concurrency 0"},
		{[]string{"--rate", "5", "--duration", "1s", "--max-p99", "0", connect}, "--max-p99 0"},
		{[]string{"--rate", "5", "--duration", "1s", "-o", "yaml", connect}, `--output "yaml"`},
		{[]string{"--rate", "5", "--duration", "1s", "--webhook", "ftp://x", connect}, "--webhook"},
		{[]string{"--rate", "5", "--duration", "1s", "--webhook", "http://x/", "--menu", menu, connect}, "give one"},
		{[]string{"--rate", "5", "--duration", "1s", "testdata/scenarios/none.yaml"}, "none.yaml"},
		{[]string{"--rate", "5", "--duration", "1s"}, "requires at least 1 arg"},
	} {
		r := run(t, append([]string{"load"}, tc.args...)...)
		if r.code != cmdutil.ExitUsage || !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
			t.Errorf("%v: exit %d, stderr %q, stdout %q; want exit 2 and %q", tc.args, r.code, r.stderr, r.stdout, tc.want)
		}
	}
}

// Against serve (a real webhook server over HTTP), -o json is one object
// with the headline numbers, and no call failed.
func TestJSONAgainstServe(t *testing.T) {
	t.Parallel()
	url := webhooktest.Start(t, webhooktest.Engine(t, menu))
	r := run(t, "load", "--webhook", url, "--rate", "30", "--duration", "1s", "--max-p99", "1m", "-o", "json", scenarios)
	if r.code != 0 {
		t.Fatalf("exit %d: %s\n%s", r.code, r.stderr, r.stdout)
	}
	var got struct {
		Calls     int64                   `json:"calls"`
		Failed    int64                   `json:"failed"`
		Rate      float64                 `json:"rate"`
		LatencyMs map[string]float64      `json:"latencyMs"`
		Steps     []map[string]any        `json:"steps"`
		Failures  map[string]int64        `json:"failures"`
		Histogram []struct{ Count int64 } `json:"histogram"`
	}
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if dec.More() {
		t.Errorf("more than one JSON value:\n%s", r.stdout)
	}
	if got.Calls != 30 || got.Failed != 0 || got.Rate < 25 || got.Rate > 31 {
		t.Errorf("calls %d, failed %d, rate %v; want 30, 0, about 30", got.Calls, got.Failed, got.Rate)
	}
	for _, k := range []string{"p50", "p90", "p99", "max"} {
		if _, ok := got.LatencyMs[k]; !ok {
			t.Errorf("latencyMs has no %s: %v", k, got.LatencyMs)
		}
	}
	if got.LatencyMs["max"] <= 0 || len(got.Steps) < 3 || len(got.Histogram) == 0 {
		t.Errorf("latency %v, %d steps, %d buckets", got.LatencyMs, len(got.Steps), len(got.Histogram))
	}
	if r.stderr != "" {
		t.Errorf("stderr is not a terminal, yet: %q", r.stderr)
	}
}

// A backend slow on one step: the text report shows that step's latency,
// and --max-p99 exits 1 naming it.
func TestSlowStepGate(t *testing.T) {
	t.Parallel()
	srv, err := webhook.New(webhook.Config{Engine: webhooktest.Engine(t, menu), SessionsPath: filepath.Join(t.TempDir(), "s.jsonl")})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if bytes.Contains(body, []byte(`"clientActionId":"connect_call"`)) {
			time.Sleep(400 * time.Millisecond)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		srv.Handler().ServeHTTP(w, r)
	}))
	defer ts.Close()
	r := run(t, "load", "--webhook", ts.URL+webhook.PathVCA, "--rate", "10", "--duration", "1s", "--max-p99", "200ms", connect)
	if r.code != cmdutil.ExitFailed {
		t.Fatalf("exit %d, want 1: %s\n%s", r.code, r.stderr, r.stdout)
	}
	if !strings.Contains(r.stderr, `ivrctl: webhook latency p99 over 200ms: step "connect_call" p99 4`) {
		t.Errorf("stderr does not name connect_call first:\n%s", r.stderr)
	}
	for _, want := range []string{"calls:   10 scheduled, 10 started, 10 completed, 0 failed", "connect_call", "histogram:", "gate:"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout has no %q:\n%s", want, r.stdout)
		}
	}
}

// A backend answering garbage: failures by class, exit 1.
func TestGarbageBackend(t *testing.T) {
	t.Parallel()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "<html>not a callflow</html>")
	}))
	defer ts.Close()
	r := run(t, "load", "--webhook", ts.URL, "--rate", "20", "--duration", "500ms", connect)
	if r.code != cmdutil.ExitFailed {
		t.Fatalf("exit %d, want 1: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "callflow -2003: 10,") || !strings.Contains(r.stderr, "ivrctl: 10 of 10 calls failed") {
		t.Errorf("want 10 calls failed -2003:\n%s\n%s", r.stdout, r.stderr)
	}
}

// On a terminal, a status line is drawn on stderr and cleared before the
// report.
func TestStatusLineOnTerminal(t *testing.T) {
	t.Parallel()
	io, _, out, errOut := cmdutil.Test()
	io.SetTTY(true)
	io.DisableColor()
	r := ivrctl(t, io, out, errOut, "load", "--menu", menu, "--rate", "20", "--duration", "1s", connect)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "\r\x1b[K") || !strings.Contains(r.stderr, "started") || !strings.HasSuffix(r.stderr, "\r\x1b[K") {
		t.Errorf("no status line, or not cleared: %q", r.stderr)
	}
}
