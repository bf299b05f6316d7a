package emulate_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/webhook"
	"github.com/ivrctl/ivrctl/pkg/webhook/webhooktest"
)

// One IVRCTL_AUTH_SECRET for serve and emulate: emulate sends it with
// every post to --vca-url and --vss-url, in serve's --auth-header, as 8x8
// sends a registered httpAuthHeader. Without it serve refuses the VCA, so
// the call ends ERROR and its summary is refused too: nothing recorded.
func TestAuthSecretToFlagWebhooks(t *testing.T) {
	const secret = "serve-and-emulate-secret-0123"
	for _, tc := range []struct {
		name    string
		header  string // serve's --auth-header ("" : Authorization)
		flags   []string
		env     map[string]string
		records bool
	}{
		{name: "flag", flags: []string{"--auth-secret", secret}, records: true},
		{name: "IVRCTL_AUTH_SECRET", env: map[string]string{"IVRCTL_AUTH_SECRET": secret}, records: true},
		{name: "rotating: the first is sent", flags: []string{"--auth-secret", secret + ",old-one"}, records: true},
		{name: "another header", header: "X-Ivr-Secret", flags: []string{"--auth-secret", secret, "--auth-header", "x-ivr-secret"}, records: true},
		{name: "none", records: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("IVRCTL_API_KEY", apiKey)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			srv := webhooktest.Run(t, webhook.Config{Engine: webhooktest.Engine(t, ""),
				Auth: webhook.Auth{Header: tc.header, Secrets: []string{secret}}})
			em := startEmulate(t, append([]string{"--vca-url", srv.VCA, "--vss-url", srv.VSS, "--press", "1"}, tc.flags...)...)
			code, stdout, stderr := call(t, "--base-url", em.url, "--subaccount", sub, "--from", "6561115777", "--to", "6512345678")
			if code != cmdutil.ExitOK {
				t.Fatalf("call exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
			}
			sessionID := strings.TrimSpace(stdout)
			if tc.records {
				if rec := awaitSession(t, srv.Sessions); rec.SessionID != sessionID || rec.SessionStatus != "COMPLETED" {
					t.Errorf("recorded %+v, want session %s COMPLETED", rec, sessionID)
				}
			} else {
				// The emulator logs the session's end once the refused
				// summary is reported; then nothing may be in the file.
				deadline := time.Now().Add(10 * time.Second)
				for !strings.Contains(em.stderr.String(), "VSS     "+sessionID) && time.Now().Before(deadline) {
					time.Sleep(20 * time.Millisecond)
				}
				if data, _ := os.ReadFile(srv.Sessions); len(data) != 0 {
					t.Errorf("serve recorded a summary sent without its secret:\n%s", data)
				}
				if logs := em.stderr.String(); !strings.Contains(logs, "ERROR") || !strings.Contains(logs, "401") {
					t.Errorf("the log does not say serve refused the call (401, ERROR):\n%s", logs)
				}
			}
			if err := em.stop(t); err != nil {
				t.Errorf("emulate: %v", err)
			}
			if logs := em.stderr.String(); strings.Contains(logs, secret) {
				t.Errorf("the secret is in emulate's log:\n%s", logs)
			}
		})
	}
}

// A secret in Authorization next to user:pass in a URL would drop one
// credential unseen: refused before listening, without quoting either.
func TestAuthSecretWithBasicAuthURL(t *testing.T) {
	t.Setenv("IVRCTL_API_KEY", apiKey)
	code, _, stderr := ivrctl(t, "emulate", "--port", "0", "--vca-url", "http://u:pw-1234@127.0.0.1:1/webhooks/vca", "--auth-secret", "s3cret-9876")
	if code != cmdutil.ExitUsage || !strings.Contains(stderr, "--vca-url has user:pass") {
		t.Errorf("exit %d, stderr %q; want 2 naming --vca-url", code, stderr)
	}
	if strings.Contains(stderr, "pw-1234") || strings.Contains(stderr, "s3cret-9876") {
		t.Errorf("a credential is quoted: %q", stderr)
	}
}
