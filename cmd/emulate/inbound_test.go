package emulate_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/callflow"
)

// `ivrctl emulate ring` rings an inbound call on a running emulator: serve
// answers CALL_RECEIVED with the menu, the callers file's script for the
// number dialled presses 2 (--press says 1), the agent is bridged, the
// summary has callA INBOUND, and the VCS webhook gets CALL_STATUS events.
func TestRingEndToEnd(t *testing.T) {
	t.Setenv("IVRCTL_API_KEY", apiKey)
	b := newBackend(t)
	var mu sync.Mutex
	var statuses []string
	vcs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		var ev callflow.VCAEvent
		json.Unmarshal(data, &ev)
		mu.Lock()
		statuses = append(statuses, ev.EventType+" "+ev.Payload.CallStatus)
		mu.Unlock()
	}))
	defer vcs.Close()
	callers := filepath.Join(t.TempDir(), "callers.yaml")
	if err := os.WriteFile(callers, []byte(`"+6561115777": {press: "2"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	em := startEmulate(t, "--vca-url", b.vca, "--vss-url", b.vss, "--vcs-url", vcs.URL, "--subaccount", sub,
		"--callers", callers, "--press", "1")
	code, stdout, stderr := ivrctl(t, "emulate", "ring", "--emulator", em.url, "--subaccount", sub, "--to", "6561115777", "--from", "+6512345678")
	if code != 0 || !strings.HasPrefix(stdout, "ringing 6561115777 from +6512345678: session ") {
		t.Fatalf("ring: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	p := b.summary(t)
	if p.SessionStatus != "COMPLETED" || p.CallCount != 2 || p.Details["callA"].CallDirection != "INBOUND" || !strings.Contains(stdout, p.SessionID) {
		t.Errorf("summary %+v", p)
	}
	if err := em.stop(t); err != nil { // drains the status queue
		t.Fatal(err)
	}
	mu.Lock()
	got := strings.Join(statuses, ",")
	mu.Unlock()
	for _, want := range []string{"CALL_STATUS CALL_RECEIVED", "CALL_STATUS CALL_CONNECTED", "CALL_STATUS CALL_DISCONNECTED"} {
		if !strings.Contains(got, want) {
			t.Errorf("VCS events %s lack %s", got, want)
		}
	}
	logs := em.stderr.String()
	for _, want := range []string{"RING    " + p.SessionID + " inbound call from +6512345678 to +6561115777", "callers: 1 number(s)"} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
}

// A fault flag is played on every call and the log says so.
func TestFaultFlag(t *testing.T) {
	t.Setenv("IVRCTL_API_KEY", apiKey)
	b := newBackend(t)
	em := startEmulate(t, "--vca-url", b.vca, "--vss-url", b.vss, "--subaccount", sub, "--press", "1", "--fault", "duplicate-vss")
	code, _, stderr := call(t, "--base-url", em.url, "--subaccount", sub, "--from", "6561115777", "--to", "6512345678")
	if code != 0 {
		t.Fatalf("call: %d %s", code, stderr)
	}
	first, second := b.summary(t), b.summary(t)
	if first.SessionID != second.SessionID {
		t.Errorf("two summaries of different sessions: %s, %s", first.SessionID, second.SessionID)
	}
	em.stop(t)
	if logs := em.stderr.String(); !strings.Contains(logs, "faults played on every call: duplicate-vss") ||
		!strings.Contains(logs, "duplicate-vss: session summary delivered twice") {
		t.Errorf("log:\n%s", logs)
	}
}

// Bad faults, callers files and ring flags are usage errors (exit 2),
// named, before anything listens.
func TestInboundAndFaultFlagErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.yaml")
	os.WriteFile(empty, []byte("{}\n"), 0o644)
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("\"+6512345678\": {pickup: maybe}\n"), 0o644)
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"emulate", "--fault", "flood"}, `--fault: "flood" is not a fault: use one of duplicate-vca`},
		{[]string{"emulate", "--fault", "slow-network=forever"}, "--fault: slow-network=forever: give a duration"},
		{[]string{"emulate", "--callers", empty}, empty + ":1: names no callers"},
		{[]string{"emulate", "--callers", bad}, bad + ":1: +6512345678.pickup: must be answer, busy, no-answer or fail"},
		{[]string{"emulate", "--vcs-url", "ftp://x"}, "--vcs-url: not an http(s) URL"},
		{[]string{"emulate", "ring", "--from", "6512345678"}, "--to is required"},
		{[]string{"emulate", "ring", "--to", "12", "--from", "6512345678"}, `--to "12" is not a phone number`},
	} {
		code, stdout, stderr := ivrctl(t, tc.args...)
		if code != cmdutil.ExitUsage || !strings.Contains(stderr, tc.msg) || strings.Contains(stdout, "listening") {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr, tc.msg)
		}
	}
	// Nothing listens: exit 1 with a hint.
	code, _, stderr := ivrctl(t, "emulate", "ring", "--emulator", "http://127.0.0.1:1", "--to", "6561115777", "--from", "6512345678")
	if code != cmdutil.ExitFailed || !strings.Contains(stderr, "is ivrctl emulate running there?") {
		t.Errorf("no emulator: exit %d, stderr %q", code, stderr)
	}
}
