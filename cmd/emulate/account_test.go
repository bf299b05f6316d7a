package emulate_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ivrctl/ivrctl/cmd"
	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/sessions"
	"github.com/ivrctl/ivrctl/pkg/webhook"
)

// startCommand runs `ivrctl args...` (a server: serve, emulate) and
// waits for the "listening on URL" line.
func startCommand(t *testing.T, args ...string) *running {
	t.Helper()
	return startCommandWith(t, &syncBuffer{}, args...)
}

// freePort returns a loopback port free a moment ago: the webhooks must
// be registered (with the secret serve is then started with) before
// serve listens.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// ivrctl runs one command to completion.
func ivrctl(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	ios, _, out, errOut := cmdutil.Test()
	code := cmd.Execute(cmd.BuildInfo{Version: "test"}, args, ios)
	return code, out.String(), errOut.String()
}

// registerWebhooks runs `ivrctl webhooks set ... --auth-secret generate`
// against the emulator and returns the generated secret.
func registerWebhooks(t *testing.T, base, subaccount, hooks string) string {
	t.Helper()
	code, stdout, stderr := ivrctl(t, "webhooks", "set", "--base-url", base, "--subaccount", subaccount, "--insecure",
		"--vca", hooks+webhook.PathVCA, "--vss", hooks+webhook.PathVSS, "--auth-secret", "generate")
	secret, ok := strings.CutPrefix(strings.TrimSpace(stdout), "export IVRCTL_AUTH_SECRET=")
	if code != 0 || !ok || len(secret) != 48 {
		t.Fatalf("webhooks set: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	return secret
}

// The README's quick start with emulate standing in for 8x8: register
// the webhooks with a generated secret, serve the menu with that secret,
// call. call's checks find the voice and the caller ID (no warning), the
// VCA reaches serve with the secret in Authorization (serve refuses it
// otherwise, which would end the call ERROR -2002), and the summary lands
// in serve's sessions file.
func TestQuickStartWithoutAnAccount(t *testing.T) {
	t.Setenv("IVRCTL_API_KEY", apiKey)
	t.Setenv("IVRCTL_SUBACCOUNT", sub)
	em := startEmulate(t, "--press", "1")

	port := freePort(t)
	secret := registerWebhooks(t, em.url, sub, "http://127.0.0.1:"+port)

	code, stdout, stderr := ivrctl(t, "webhooks", "list", "--base-url", em.url, "-o", "json")
	wantList := `[{"type":"VCA","url":"http://127.0.0.1:` + port + `/webhooks/vca","enabled":true,"httpAuthHeaderAvailable":true},
		{"type":"VSS","url":"http://127.0.0.1:` + port + `/webhooks/vss","enabled":true,"httpAuthHeaderAvailable":true}]`
	var got, want any
	if err := json.Unmarshal([]byte(stdout), &got); err != nil || code != 0 {
		t.Fatalf("webhooks list: exit %d, %v, stdout %q stderr %q", code, err, stdout, stderr)
	}
	json.Unmarshal([]byte(wantList), &want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("webhooks list (-want +got):\n%s", diff)
	}

	sessions := filepath.Join(t.TempDir(), "sessions.jsonl")
	t.Setenv("IVRCTL_AUTH_SECRET", secret)
	srv := startCommand(t, "serve", "--port", port, "--sessions", sessions)

	code, stdout, stderr = ivrctl(t, "call", "--base-url", em.url, "--from", "+6561115777", "--to", "6512345678",
		"--client-request-id", "quick-start")
	if code != 0 || strings.TrimSpace(stdout) == "" {
		t.Fatalf("call: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if strings.Contains(stderr, "warning") {
		t.Errorf("call warned: %s", stderr)
	}

	// HANGUP after pressing 1 is serve's menu answering the VCA: the
	// emulator has no other VCA webhook.
	rec := awaitSession(t, sessions)
	var ev callflow.VSSEvent
	if err := json.Unmarshal(rec.Event, &ev); err != nil {
		t.Fatal(err)
	}
	p := ev.Payload
	if p.SessionID != strings.TrimSpace(stdout) || p.SessionStatus != callflow.SessionCompleted || p.LastAction != "HANGUP" ||
		p.ClientRequestID != "quick-start" || p.SubAccountID != sub {
		t.Errorf("summary %+v: want session %s COMPLETED, HANGUP, quick-start, %s", p, stdout, sub)
	}
	for name, log := range map[string]string{"emulate": em.stderr.String(), "serve": srv.stderr.String()} {
		for _, s := range []string{secret, apiKey} {
			if strings.Contains(log, s) {
				t.Errorf("%s's log holds a secret:\n%s", name, log)
			}
		}
	}
	for _, want := range []string{"POST webhooks: VCA http://127.0.0.1:" + port + "/webhooks/vca registered for " + sub + " (with an auth header",
		"GET speech-profiles", "GET numbers"} {
		if !strings.Contains(em.stderr.String(), want) {
			t.Errorf("emulate's log lacks %q:\n%s", want, em.stderr.String())
		}
	}
}

// awaitSession waits for the first record of serve's sessions file.
func awaitSession(t *testing.T, path string) sessions.Record {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if data, err := os.ReadFile(path); err == nil {
			sc := bufio.NewScanner(bytes.NewReader(data))
			for sc.Scan() {
				var rec sessions.Record
				if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.SessionID != "" {
					return rec
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no session in %s within 10s", path)
	return sessions.Record{}
}

// `call --wait` serves the menu itself on the registered URL: the one
// command the quick start offers, against the emulator. The webhooks are
// another sub-account's, so the registry is per sub-account: sub has
// none and would still be refused -1004.
func TestCallWaitWithRegisteredWebhooks(t *testing.T) {
	t.Setenv("IVRCTL_API_KEY", apiKey)
	em := startEmulate(t, "--press", "2")
	port := freePort(t)
	secret := registerWebhooks(t, em.url, "acme-wait", "http://127.0.0.1:"+port)
	t.Setenv("IVRCTL_AUTH_SECRET", secret)

	code, stdout, stderr := ivrctl(t, "call", "--base-url", em.url, "--subaccount", "acme-wait", "--from", "6561115777",
		"--agent", "6598765432", "--to", "6512345678", "--wait", "--listen", "127.0.0.1:"+port,
		"--sessions", filepath.Join(t.TempDir(), "s.jsonl"), "--timeout", "20s")
	if code != 0 || !strings.Contains(stdout+stderr, "COMPLETED") {
		t.Fatalf("call --wait: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if strings.Contains(stderr, "warning") {
		t.Errorf("call warned: %s", stderr)
	}
	if !strings.Contains(em.stderr.String(), "leg callB +6598765432: answer") {
		t.Errorf("press 2 did not bridge the agent:\n%s", em.stderr.String())
	}

	code, _, stderr = ivrctl(t, "call", "--base-url", em.url, "--subaccount", sub, "--from", "6561115777", "--to", "6512345678")
	if code != cmdutil.ExitRejected || !strings.Contains(stderr, "-1004") {
		t.Errorf("sub-account without webhooks: exit %d, stderr %q; want 3 and -1004", code, stderr)
	}
}

// --numbers and --profiles reach the checks on both sides: call warns
// about a --from emulate does not own and emulate refuses it -1014; call
// refuses a voice emulate lacks before sending, and with
// --no-profile-check emulate refuses it -1002.
func TestCallerIDAndVoiceChecks(t *testing.T) {
	t.Setenv("IVRCTL_API_KEY", apiKey)
	t.Setenv("IVRCTL_SUBACCOUNT", sub)
	b := newBackend(t)
	em := startEmulate(t, "--vca-url", b.vca, "--press", "1", "--numbers", "+65 6111 5777,6561110000",
		"--profiles", "en-GB-Emma,da-DK-Naja")
	base := []string{"call", "--base-url", em.url, "--to", "6512345678"}

	code, _, stderr := ivrctl(t, append(base, "--from", "6599990000", "--no-profile-check")...)
	if code != cmdutil.ExitRejected || !strings.Contains(stderr, "--from 6599990000 is not one of sub-account "+sub+"'s virtual numbers") ||
		!strings.Contains(stderr, "-1014") || !strings.Contains(stderr, "Source or caller ID is not allowed") {
		t.Errorf("--from not owned: exit %d, stderr %q; want a warning, then 3 and -1014", code, stderr)
	}

	code, _, stderr = ivrctl(t, append(base, "--from", "6561110000")...)
	if code != cmdutil.ExitUsage || !strings.Contains(stderr, "en-US-BenjaminRUS") || !strings.Contains(stderr, "nothing sent") {
		t.Errorf("unknown voice: exit %d, stderr %q; want 2, refused before sending", code, stderr)
	}
	code, _, stderr = ivrctl(t, append(base, "--from", "6561110000", "--no-profile-check")...)
	if code != cmdutil.ExitRejected || !strings.Contains(stderr, "-1002") || !strings.Contains(stderr, "Speech profile or language parameter invalid") {
		t.Errorf("unknown voice, not checked: exit %d, stderr %q; want 3 and -1002", code, stderr)
	}

	// "any" turns both checks off.
	em2 := startEmulate(t, "--vca-url", b.vca, "--press", "1", "--numbers", "any", "--profiles", "any")
	code, _, stderr = ivrctl(t, "call", "--base-url", em2.url, "--to", "6512345678", "--from", "6599990000", "--no-profile-check")
	if code != 0 {
		t.Errorf("--numbers any: exit %d, stderr %q", code, stderr)
	}
}

func TestAccountFlagErrors(t *testing.T) {
	t.Parallel()
	bad := filepath.Join(t.TempDir(), "voices.json")
	os.WriteFile(bad, []byte(`{"nope":1}`), 0o600)
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--numbers", "6561115777,call-me"}, `--numbers: "call-me" is not a phone number`},
		{[]string{"--numbers", ""}, `--numbers: "" is not a phone number`},
		{[]string{"--profiles", "en-US-Jenny,,da-DK-Naja"}, "an empty code"},
		{[]string{"--profiles", bad}, "want a JSON array"},
		{[]string{"--profiles", filepath.Join(t.TempDir(), "missing.json")}, "no such file"},
	} {
		code, _, stderr := ivrctl(t, append([]string{"emulate", "--port", "0"}, tc.args...)...)
		if code != cmdutil.ExitUsage || !strings.Contains(stderr, tc.msg) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr, tc.msg)
		}
	}
}

// --profiles FILE takes `ivrctl profiles -o json`'s array or 8x8's answer.
func TestProfilesFile(t *testing.T) {
	t.Setenv("IVRCTL_API_KEY", apiKey)
	dir := t.TempDir()
	array := filepath.Join(dir, "array.json")
	answer := filepath.Join(dir, "answer.json")
	os.WriteFile(array, []byte(`[{"speechProfileCode":"en-US-Jenny","localeCode":"en-US","localeDescription":"EnglishUS","gender":"F"}]`), 0o600)
	os.WriteFile(answer, []byte(`{"speechProfiles":[{"speechProfileCode":"en-US-Jenny","localeCode":"en-US","localeDescription":"EnglishUS","gender":"F"}],"statusCode":0,"statusMessage":"ok"}`), 0o600)
	for _, file := range []string{array, answer} {
		em := startEmulate(t, "--profiles", file)
		code, stdout, stderr := ivrctl(t, "profiles", "--base-url", em.url, "--subaccount", sub, "-o", "json")
		var got any
		json.Unmarshal([]byte(stdout), &got)
		var want any
		json.Unmarshal([]byte(`[{"speechProfileCode":"en-US-Jenny","localeCode":"en-US","localeDescription":"EnglishUS","gender":"F"}]`), &want)
		if code != 0 || !cmp.Equal(want, got) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", filepath.Base(file), code, stdout, stderr)
		}
	}
}
