package call_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/golden"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// The request for the default menu, from 6561115777 to 6512345678, is the
// seed's request: same method, path, headers, and body, exactly.
func TestCallSendsSeedRequest(t *testing.T) {
	t.Parallel()
	fake := newFake(t, nil)
	r := run(t, runOpts{}, "call", "--config", writeConfig(t, ""), "--base-url", fake.URL, "--to", seedTo)
	if r.code != cmdutil.ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if r.stdout != "d9874358-89ac-4c50-bbab-1eb634482a94\n" {
		t.Errorf("stdout = %q, want the sessionId", r.stdout)
	}
	if len(fake.reqs()) != 1 {
		t.Fatalf("%d requests, want 1", len(fake.reqs()))
	}
	req := fake.reqs()[0]
	gotHead := map[string]string{
		"Method": req.Method, "Path": req.Path,
		"Authorization": req.Header.Get("Authorization"), "Content-Type": req.Header.Get("Content-Type"),
		"Accept": req.Header.Get("Accept"), "User-Agent": req.Header.Get("User-Agent"),
	}
	wantHead := map[string]string{
		"Method": "POST", "Path": "/api/v1/subaccounts/acme_voice/callflows",
		"Authorization": "Bearer " + testKey, "Content-Type": "application/json",
		"Accept": "application/json", "User-Agent": "ivrctl/test",
	}
	if d := cmp.Diff(wantHead, gotHead); d != "" {
		t.Errorf("request line and headers (-want +got):\n%s", d)
	}
	var body map[string]any
	if err := json.Unmarshal(req.Body, &body); err != nil {
		t.Fatal(err)
	}
	var seed map[string]any
	if err := json.Unmarshal(mustRead("../../testdata/call/seed-request.json"), &seed); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(seed, body); d != "" {
		t.Errorf("body differs from the seed's request (-seed +got):\n%s", d)
	}
}

// --client-request-id auto tags the call with a fresh UUID.
func TestCallClientRequestIDAuto(t *testing.T) {
	t.Parallel()
	fake := newFake(t, nil)
	r := run(t, runOpts{}, "call", "--config", writeConfig(t, ""), "--base-url", fake.URL, "--to", seedTo, "--client-request-id", "auto")
	if r.code != cmdutil.ExitOK || len(fake.reqs()) != 1 {
		t.Fatalf("exit %d, %d requests: %s", r.code, len(fake.reqs()), r.stderr)
	}
	var body struct {
		ClientRequestID string `json:"clientRequestId"`
	}
	if err := json.Unmarshal(fake.reqs()[0].Body, &body); err != nil {
		t.Fatal(err)
	}
	if !uuidV4.MatchString(body.ClientRequestID) {
		t.Errorf("clientRequestId %q is not a UUIDv4", body.ClientRequestID)
	}
}

func TestCallJSONPrintsResponse(t *testing.T) {
	t.Parallel()
	fake := newFake(t, nil)
	r := run(t, runOpts{}, "call", "--config", writeConfig(t, ""), "--base-url", fake.URL, "--to", seedTo, "-o", "json",
		"--client-request-id", "Request-Id-Client-Confirmation-1200")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var got, want map[string]any
	json.Unmarshal([]byte(r.stdout), &got)
	json.Unmarshal(createdBody, &want)
	if d := cmp.Diff(want, got); d != "" || strings.Count(r.stdout, "\n") != 1 {
		t.Errorf("stdout (-want +got):\n%s\n%q", d, r.stdout)
	}
	if !strings.Contains(string(fake.reqs()[0].Body), `"clientRequestId":"Request-Id-Client-Confirmation-1200"`) {
		t.Errorf("body %s lacks the given clientRequestId", fake.reqs()[0].Body)
	}
}

// Every outcome, its exit code, its message and how many requests it took.
func TestCallOutcomes(t *testing.T) {
	t.Parallel()
	notCreated := string(mustRead("../../testdata/call/seed-not-created.json"))
	tests := []struct {
		name     string
		args     []string
		handle   func(http.ResponseWriter, *http.Request, []byte, int)
		code     int
		hits     int
		stdout   string
		stderr   []string // substrings
		noStderr []string
	}{
		{name: "created", code: 0, hits: 1, stdout: "d9874358-89ac-4c50-bbab-1eb634482a94\n"},
		{name: "NOT_CREATED under 200", handle: answer(200, notCreated), code: 3, hits: 1,
			stderr: []string{"8x8 did not create the call to 6512345678: -1002 Speech profile or language parameter invalid", "ivrctl profiles"}},
		{name: "-1007 under 400", handle: answer(400, `{"sessionStatus":"NOT_CREATED","statusCode":-1007,"statusMessage":"$.callflow[0].action should be one of: say,playFile,sayAndCapture"}`),
			code: 3, hits: 1, stderr: []string{"-1007 $.callflow[0].action should be one of"}},
		{name: "-1013 under 422", handle: answer(422, `{"sessionStatus":"NOT_CREATED","statusCode":-1013,"statusMessage":"Invalid Callflow : First action should be a MakeCall action"}`),
			code: 3, hits: 1, stderr: []string{"-1013", "must start with makeCall"}},
		{name: "-1014 hint", handle: answer(200, `{"sessionStatus":"NOT_CREATED","statusCode":-1014,"statusMessage":"Source or caller ID is not allowed"}`),
			code: 3, hits: 1, stderr: []string{"-1014 Source or caller ID is not allowed", "whitelisted"}},
		{name: "401", handle: answer(401, `{"statusCode":401,"statusMessage":"Authentication header not found or token invalid"}`), code: 3, hits: 1,
			stderr: []string{"8x8 refused the API key ********WXYZ: HTTP 401 Authentication header not found or token invalid", "IVRCTL_API_KEY"}},
		{name: "401 echoing the key", handle: func(w http.ResponseWriter, r *http.Request, _ []byte, _ int) {
			w.WriteHeader(401)
			json.NewEncoder(w).Encode(map[string]any{"statusCode": 401, "statusMessage": "token invalid: " + r.Header.Get("Authorization")})
		}, code: 3, hits: 1, stderr: []string{"token invalid: Bearer ********WXYZ"}},
		{name: "403 no body", handle: answer(403, ``), code: 3, hits: 1, stderr: []string{"refused the API key", "HTTP 403 Forbidden"}},
		{name: "404 sub-account", handle: answer(404, `{"sessionStatus":"NOT_CREATED","statusCode":404,"statusMessage":"SubAccount not found by Id : acme_voice"}`), code: 4, hits: 1,
			stderr: []string{"HTTP 404: SubAccount not found by Id : acme_voice: the call to 6512345678 was not placed", "IVRCTL_SUBACCOUNT"}},
		{name: "500 not retried", handle: answer(500, `{"statusCode":500,"statusMessage":"Internal server error"}`), code: 4, hits: 1,
			stderr: []string{"HTTP 500: Internal server error", "may have accepted it, so it was not retried", "look for clientRequestId fixed-id in the session summary (VSS)"}},
		{name: "502 html not retried", handle: answer(502, `<html><body>Bad gateway</body></html>`), code: 4, hits: 1,
			stderr: []string{"HTTP 502: <html><body>Bad gateway</body></html>", "may have accepted", "fixed-id"}},
		{name: "200 unreadable", handle: answer(200, `<html>ok</html>`), code: 4, hits: 1,
			stderr: []string{"may have accepted", "fixed-id"}},
		{name: "429 then created", handle: func(w http.ResponseWriter, r *http.Request, b []byte, n int) {
			if n < 2 {
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(429)
				io.WriteString(w, `{"statusCode":429,"statusMessage":"Too Many Requests"}`)
				return
			}
			w.Write(createdBody)
		}, code: 0, hits: 3, stdout: "d9874358-89ac-4c50-bbab-1eb634482a94\n",
			stderr: []string{"HTTP 429: Too Many Requests: retrying in 0s (attempt 2 of 4)\n", "retrying in 0s (attempt 3 of 4)\n"}},
		{name: "429 exhausted", handle: func(w http.ResponseWriter, r *http.Request, b []byte, n int) {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(429)
		}, code: 4, hits: 4, stderr: []string{"rate limit (HTTP 429) after 4 attempts: the call to 6512345678 was not placed", "lower --rate"}},
		{name: "429 Retry-After above the cap", handle: func(w http.ResponseWriter, r *http.Request, b []byte, n int) {
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(429)
		}, code: 4, hits: 1, stderr: []string{"asks to wait 1h0m0s, longer than the 30s ivrctl waits: the call to 6512345678 was not placed", "try again after 1h0m0s"}},
		{name: "429 --retries 1", args: []string{"--retries", "1"}, handle: func(w http.ResponseWriter, r *http.Request, b []byte, n int) {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(429)
		}, code: 4, hits: 2, stderr: []string{"after 2 attempts"}},
		{name: "json 429 then timeout prints no stale answer", args: []string{"-o", "json", "--timeout", "100ms"},
			handle: func(w http.ResponseWriter, r *http.Request, b []byte, n int) {
				if n == 0 {
					w.Header().Set("Retry-After", "0")
					w.WriteHeader(429)
					io.WriteString(w, `{"statusCode":429,"statusMessage":"Too Many Requests"}`)
					return
				}
				<-r.Context().Done()
			}, code: 4, hits: 2, stderr: []string{"within 100ms", "may have accepted"}, noStderr: []string{"rate limit (HTTP 429) after"}},
		{name: "json NOT_CREATED prints the answer", args: []string{"-o", "json"}, handle: answer(200, notCreated), code: 3, hits: 1,
			stdout: `{"sessionStatus":"NOT_CREATED","callFlowRequestId":"0564e804-0a7e-11ee-9c83-6df9c048a122","statusCode":-1002,"statusMessage":"Speech profile or language parameter invalid"}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t, tt.handle)
			args := append([]string{"call", "--config", writeConfig(t, ""), "--base-url", fake.URL, "--to", seedTo, "--client-request-id", "fixed-id"}, tt.args...)
			r := run(t, runOpts{}, args...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", r.code, tt.code, r.stderr)
			}
			if int(fake.hits.Load()) != tt.hits {
				t.Errorf("%d requests, want %d", fake.hits.Load(), tt.hits)
			}
			if tt.stdout != "" || tt.code != 0 {
				if r.stdout != tt.stdout {
					t.Errorf("stdout = %q, want %q", r.stdout, tt.stdout)
				}
			}
			for _, s := range tt.stderr {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
				}
			}
			for _, s := range tt.noStderr {
				if strings.Contains(r.stderr, s) {
					t.Errorf("stderr has %q:\n%s", s, r.stderr)
				}
			}
		})
	}
}

// Without a clientRequestId, the advice names the number to look for.
func TestCallNoRetryAfterSendingWithoutRequestID(t *testing.T) {
	t.Parallel()
	fake := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ []byte, _ int) {
		http.Error(w, `{"statusCode":500,"statusMessage":"Internal server error"}`, http.StatusInternalServerError)
	})
	r := run(t, runOpts{}, "call", "--config", writeConfig(t, ""), "--base-url", fake.URL, "--to", seedTo)
	if r.code != cmdutil.ExitTransport || fake.hits.Load() != 1 {
		t.Fatalf("exit %d, %d requests; want 4 and 1\n%s", r.code, fake.hits.Load(), r.stderr)
	}
	if want := "look for a session to 6512345678 in the session summaries (VSS) before calling again"; !strings.Contains(r.stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
	}
}

// A timeout and a connection reset after sending may hide an accepted
// call: one request, exit 4, and the clientRequestId to check.
func TestCallNoRetryAfterSending(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	for name, handle := range map[string]func(http.ResponseWriter, *http.Request, []byte, int){
		"timeout": func(w http.ResponseWriter, r *http.Request, _ []byte, _ int) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		},
		"reset": func(w http.ResponseWriter, r *http.Request, _ []byte, _ int) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			conn.(*net.TCPConn).SetLinger(0) // RST, not FIN
			conn.Close()
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t, handle)
			r := run(t, runOpts{}, "call", "--config", writeConfig(t, ""), "--base-url", fake.URL, "--to", seedTo,
				"--timeout", "100ms", "--client-request-id", "crid-"+name)
			if r.code != cmdutil.ExitTransport || fake.hits.Load() != 1 {
				t.Fatalf("exit %d, %d requests; want 4 and 1\n%s", r.code, fake.hits.Load(), r.stderr)
			}
			for _, s := range []string{"may have accepted the call to 6512345678, so it was not retried", "look for clientRequestId crid-" + name} {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
				}
			}
			if name == "timeout" && !strings.Contains(r.stderr, "within 100ms") {
				t.Errorf("stderr does not name the timeout:\n%s", r.stderr)
			}
		})
	}
}

// A connection refused before anything was sent is retried, then reported
// as not placed.
func TestCallConnectionRefused(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	r := run(t, runOpts{}, "call", "--config", writeConfig(t, ""), "--base-url", "http://"+addr, "--to", seedTo, "--retries", "1")
	if r.code != cmdutil.ExitTransport {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	for _, s := range []string{"could not connect to " + addr, "(2 attempts): the call to 6512345678 was not placed"} {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
		}
	}
	if strings.Contains(r.stderr, "may have accepted") {
		t.Errorf("a refused connection cannot have placed a call:\n%s", r.stderr)
	}
}

// Bad configuration or input: exit 2, one line naming what to set, and
// nothing sent.
func TestCallUsageErrors(t *testing.T) {
	t.Parallel()
	emptyCfg := func(t *testing.T) string {
		p := t.TempDir() + "/empty.yaml"
		os.WriteFile(p, []byte("{}\n"), 0o600)
		return p
	}
	badMenu := func(t *testing.T) string {
		p := t.TempDir() + "/menu.yaml"
		os.WriteFile(p, []byte("start: main\nmenus:\n  main:\n    options: {}\n"), 0o600)
		return p
	}
	tests := []struct {
		name string
		args func(t *testing.T) []string
		want []string
	}{
		{"nothing configured", func(t *testing.T) []string { return []string{"--config", emptyCfg(t), "--to", seedTo} },
			[]string{"no api-key set: use IVRCTL_API_KEY, or api-key: in the config file",
				"no subaccount set: use --subaccount, IVRCTL_SUBACCOUNT, or subaccount: in the config file",
				"no from set: use --from, IVRCTL_FROM, or from: in the config file"}},
		{"no number", func(t *testing.T) []string { return []string{"--config", writeConfig(t, "")} }, []string{"no number to call"}},
		{"bad --to", func(t *testing.T) []string { return []string{"--config", writeConfig(t, ""), "--to", "12ab"} },
			[]string{`--to "12ab" is not a phone number`}},
		{"bad --to in a batch", func(t *testing.T) []string { return []string{"--config", writeConfig(t, ""), "--to", seedTo + ",555"} },
			[]string{`--to "555" is not a phone number`}},
		{"bad --from", func(t *testing.T) []string {
			return []string{"--config", writeConfig(t, ""), "--to", seedTo, "--from", "VN1"}
		},
			[]string{`--from "VN1" is not a phone number`}},
		{"bad sub-account", func(t *testing.T) []string {
			return []string{"--config", writeConfig(t, ""), "--to", seedTo, "--subaccount", "a/b"}
		}, []string{`--subaccount "a/b": 8x8 sub-account ids are 3 to 50 of`}},
		{"valid-until past", func(t *testing.T) []string {
			return []string{"--config", writeConfig(t, ""), "--to", seedTo, "--valid-until", "2020-01-01T00:00:00Z"}
		}, []string{"--valid-until 2020-01-01T00:00:00Z is in the past"}},
		{"valid-until negative", func(t *testing.T) []string {
			return []string{"--config", writeConfig(t, ""), "--to", seedTo, "--valid-until", "-5m"}
		}, []string{"--valid-until -5m is in the past"}},
		{"valid-until garbage", func(t *testing.T) []string {
			return []string{"--config", writeConfig(t, ""), "--to", seedTo, "--valid-until", "tomorrow"}
		}, []string{`--valid-until "tomorrow": want an RFC3339 time`}},
		{"plain http", func(t *testing.T) []string {
			return []string{"--config", writeConfig(t, ""), "--to", seedTo, "--base-url", "http://voice.8x8.com"}
		}, []string{"--base-url: \"http://voice.8x8.com\": plain http would send the API key unencrypted"}},
		{"bad output", func(t *testing.T) []string {
			return []string{"--config", writeConfig(t, ""), "--to", seedTo, "-o", "yaml"}
		},
			[]string{`--output "yaml": want text or json`}},
		{"bad menu", func(t *testing.T) []string {
			return []string{"--config", writeConfig(t, ""), "--to", seedTo, "--menu", badMenu(t)}
		},
			[]string{"menu:"}},
		{"empty to-file", func(t *testing.T) []string {
			p := t.TempDir() + "/n.txt"
			os.WriteFile(p, []byte("# none\n\nabc123\n"), 0o600)
			return []string{"--config", writeConfig(t, ""), "--to-file", p}
		}, []string{"no phone number in it"}},
		{"bad rate", func(t *testing.T) []string {
			return []string{"--config", writeConfig(t, ""), "--to", seedTo, "--rate", "-1"}
		},
			[]string{"--rate -1: must be 0"}},
		{"NaN rate", func(t *testing.T) []string {
			return []string{"--config", writeConfig(t, ""), "--to", seedTo, "--rate", "NaN"}
		},
			[]string{"--rate NaN: must be 0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := untouchable(t)
			args := append([]string{"call", "--base-url", srv.URL}, tt.args(t)...)
			r := run(t, runOpts{}, args...)
			if r.code != cmdutil.ExitUsage {
				t.Errorf("exit %d, want 2\n%s", r.code, r.stderr)
			}
			for _, s := range tt.want {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
				}
			}
			if r.stdout != "" {
				t.Errorf("stdout = %q", r.stdout)
			}
		})
	}
}

func TestCallDryRun(t *testing.T) {
	t.Parallel()
	srv := untouchable(t)
	base := []string{"call", "--config", writeConfig(t, ""), "--base-url", srv.URL, "--to", seedTo,
		"--client-request-id", "Request-Id-Client-Confirmation-1200", "--dry-run"}
	r := run(t, runOpts{}, base...)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	golden.Text(t, "../../testdata/call/dry-run.golden", strings.ReplaceAll(r.stdout, srv.URL, "BASE_URL"))
	if r.stderr != "dry run: 1 request(s) shown, nothing sent\n" {
		t.Errorf("stderr = %q", r.stderr)
	}

	r = run(t, runOpts{}, append(base, "-o", "json", "--to", "+6590000000")...)
	type dry struct {
		Method  string
		URL     string
		Headers map[string]string
		Body    json.RawMessage
	}
	got := jsonLines[dry](t, r.stdout)
	if len(got) != 2 || r.code != 0 {
		t.Fatalf("exit %d, %d requests shown\n%s", r.code, len(got), r.stdout)
	}
	wantHeaders := map[string]string{"Authorization": "Bearer ********WXYZ", "Content-Type": "application/json",
		"Accept": "application/json", "User-Agent": "ivrctl/test"}
	for i, d := range got {
		if d.Method != "POST" || d.URL != srv.URL+"/api/v1/subaccounts/acme_voice/callflows" {
			t.Errorf("request %d: %s %s", i, d.Method, d.URL)
		}
		if diff := cmp.Diff(wantHeaders, d.Headers); diff != "" {
			t.Errorf("headers (-want +got):\n%s", diff)
		}
	}
	if !strings.Contains(string(got[1].Body), `"destination":"+6590000000"`) || !strings.Contains(string(got[1].Body), `"clientRequestId":"Request-Id-Client-Confirmation-1200-2"`) {
		t.Errorf("second body: %s", got[1].Body)
	}
}

func TestCallValidUntil(t *testing.T) {
	t.Parallel()
	srv := untouchable(t)
	cfg := writeConfig(t, "")
	body := func(t *testing.T, until string) map[string]any {
		r := run(t, runOpts{}, "call", "--config", cfg, "--base-url", srv.URL, "--to", seedTo, "--dry-run", "-o", "json", "--valid-until", until)
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		var d struct{ Body map[string]any }
		json.Unmarshal([]byte(r.stdout), &d)
		return d.Body
	}
	if got := body(t, "2099-01-02T11:04:05.5+08:00")["validUntil"]; got != "2099-01-02T03:04:05.500Z" {
		t.Errorf("validUntil = %v", got)
	}
	before := time.Now().Add(5 * time.Minute)
	got, _ := body(t, "5m")["validUntil"].(string)
	ts, err := time.Parse("2006-01-02T15:04:05.000Z", got)
	if err != nil || ts.Before(before.Truncate(time.Millisecond)) || ts.After(time.Now().Add(5*time.Minute)) {
		t.Errorf("validUntil for 5m = %q (%v)", got, err)
	}
}

// Stopped before the single call was sent: nothing placed, exit 130.
func TestCallStoppedBeforeSending(t *testing.T) {
	t.Parallel()
	srv := untouchable(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a deadline: a hang fails, not stalls
	cancel()
	r := run(t, runOpts{ctx: ctx}, "call", "--config", writeConfig(t, ""), "--base-url", srv.URL, "--to", seedTo)
	if r.code != cmdutil.ExitInterrupted || !strings.Contains(r.stderr, "stopped before the call to 6512345678 was placed") {
		t.Errorf("exit %d\n%s", r.code, r.stderr)
	}
}

// Numbers to call only come from the command line, never from a stale
// environment variable or the config file.
func TestCallNumbersNotFromConfig(t *testing.T) {
	srv := untouchable(t)
	cfg := writeConfig(t, "to: \"6512345678\"\n")
	r := run(t, runOpts{}, "call", "--config", cfg, "--base-url", srv.URL)
	if r.code != cmdutil.ExitUsage || !strings.Contains(r.stderr, "--to was set from the config file (to: in "+cfg+")") || strings.Contains(r.stderr, "IVRCTL_TO") {
		t.Errorf("exit %d\n%s", r.code, r.stderr)
	}
	t.Setenv("IVRCTL_TO_FILE", "/etc/hosts")
	r = run(t, runOpts{}, "call", "--config", writeConfig(t, ""), "--base-url", srv.URL)
	if r.code != cmdutil.ExitUsage || !strings.Contains(r.stderr, "--to-file was set from the environment (IVRCTL_TO_FILE)") {
		t.Errorf("exit %d\n%s", r.code, r.stderr)
	}

	// Exported but empty counts as unset: no refusal, and the config
	// file's key and sub-account are not hidden.
	for _, k := range []string{"IVRCTL_TO", "IVRCTL_TO_FILE", "IVRCTL_API_KEY", "IVRCTL_SUBACCOUNT"} {
		t.Setenv(k, "")
	}
	numbers := filepath.Join(t.TempDir(), "numbers.txt")
	os.WriteFile(numbers, []byte(seedTo+"\n"), 0o600)
	r = run(t, runOpts{}, "call", "--config", writeConfig(t, ""), "--base-url", srv.URL, "--to-file", numbers, "--dry-run")
	if r.code != cmdutil.ExitOK || !strings.Contains(r.stdout, "/subaccounts/acme_voice/callflows") {
		t.Errorf("empty variables: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// Ctrl-C while the single call waits out a 429's Retry-After: not placed,
// exit 130, no second request.
func TestCallStoppedDuringRetryWait(t *testing.T) {
	t.Parallel()
	ctx, stop := context.WithTimeout(context.Background(), time.Minute) // a deadline: a hang fails, not stalls
	defer stop()
	fake := newFake(t, func(w http.ResponseWriter, r *http.Request, _ []byte, _ int) {
		stop()
		w.Header().Set("Retry-After", "5")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	r := run(t, runOpts{ctx: ctx}, "call", "--config", writeConfig(t, ""), "--base-url", fake.URL, "--to", seedTo)
	if r.code != cmdutil.ExitInterrupted || fake.hits.Load() != 1 || !strings.Contains(r.stderr, "stopped before the call to 6512345678 was placed") {
		t.Errorf("exit %d, %d requests\n%s", r.code, fake.hits.Load(), r.stderr)
	}
}
