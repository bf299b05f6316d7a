package emulate_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ivrctl/ivrctl/pkg/webhook"
	"github.com/ivrctl/ivrctl/pkg/webhook/webhooktest"
)

// The secrets of this session's commands, each set by flag, by
// environment variable and in the config file (the API key never by
// flag), while webhooks set/list/delete, profiles, numbers, call --wait,
// config view, test and emulate run, succeed and fail: none of them, nor a
// long piece of one, is ever in stdout, stderr, emulate's log or a file
// written (sessions, recordings, JUnit, the account cache). The generated
// secret of `webhooks set --auth-secret generate` is the one exception,
// and is tested elsewhere.
func TestSecretsNeverShown(t *testing.T) {
	const (
		key    = "sk-APIKEY-7f3a9c1e5b2d4f6a8c0e"
		secret = "authsecret-91b7d3f5a2c4e6089bdf"
		token  = "urltoken-5e7c9a1b3d5f7092c4e6"
		pass   = "urlpass-3c5e7a9b1d3f5072e4a6"
	)
	secrets := []string{key, secret, token, pass}
	check := func(t *testing.T, where, text string) {
		t.Helper()
		for _, s := range secrets {
			for i := 0; i+10 <= len(s); i++ {
				if strings.Contains(text, s[i:i+10]) {
					t.Errorf("%s shows %q (part of a secret):\n%s", where, s[i:i+10], text)
					return
				}
			}
		}
	}
	for _, source := range []string{"flag", "env", "config"} {
		t.Run(source, func(t *testing.T) {
			for _, k := range []string{"IVRCTL_API_KEY", "IVRCTL_AUTH_SECRET", "IVRCTL_TOKEN", "IVRCTL_SUBACCOUNT"} {
				t.Setenv(k, "")
				os.Unsetenv(k)
			}
			dir := t.TempDir()
			t.Setenv("XDG_CACHE_HOME", filepath.Join(dir, "cache"))
			t.Setenv("XDG_STATE_HOME", filepath.Join(dir, "state"))
			conf := filepath.Join(t.TempDir(), "config.yaml") // outside dir: it holds the secrets by design
			var content string
			var extra []string // the secrets as flags
			switch source {
			case "flag":
				t.Setenv("IVRCTL_API_KEY", key)
				extra = []string{"--auth-secret", secret, "--token", token}
			case "env":
				t.Setenv("IVRCTL_API_KEY", key)
				t.Setenv("IVRCTL_AUTH_SECRET", secret)
				t.Setenv("IVRCTL_TOKEN", token)
			case "config":
				content = "api-key: " + key + "\nauth-secret: " + secret + "\ntoken: " + token + "\n"
			}
			if err := os.WriteFile(conf, []byte(content+"subaccount: "+sub+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			run := func(args ...string) (int, string) {
				t.Helper()
				args = append([]string{args[0], "--config", conf}, args[1:]...)
				code, stdout, stderr := ivrctl(t, args...)
				check(t, strings.Join(args[:min(3, len(args))], " ")+" stdout", stdout)
				check(t, strings.Join(args[:min(3, len(args))], " ")+" stderr", stderr)
				return code, stdout + stderr
			}
			with := func(args ...string) []string { return append(args, extra...) }
			withSecret := func(args ...string) []string {
				if source == "flag" {
					return append(args, "--auth-secret", secret)
				}
				return args
			}

			// emulate's own fallback webhooks carry a token and a password;
			// nothing listens there, so a call using them fails, logged.
			// The auth secret (env, config) goes along in another header:
			// in Authorization it would collide with the URL's password.
			down := "http://user:" + pass + "@127.0.0.1:" + freePort(t)
			em := startEmulate(t, "--config", conf, "--press", "1", "--auth-header", "X-Fallback-Secret", "--vca-url", down+webhook.PathVCA+"?token="+token,
				"--vss-url", down+webhook.PathVSS+"?token="+token)
			port := freePort(t)
			hooks := "http://127.0.0.1:" + port
			q := "?token=" + token
			acct := []string{"--base-url", em.url}

			if code, out := run(withSecret(append([]string{"webhooks", "set", "--insecure", "--vca", hooks + webhook.PathVCA + q,
				"--vss", hooks + webhook.PathVSS + q}, acct...)...)...); code != 0 {
				t.Fatalf("webhooks set: exit %d\n%s", code, out)
			}
			if code, out := run(append([]string{"webhooks", "list"}, acct...)...); code != 0 || !strings.Contains(out, webhook.PathVCA) {
				t.Errorf("webhooks list: exit %d\n%s", code, out)
			}
			if code, out := run(append([]string{"webhooks", "list", "-o", "json"}, acct...)...); code != 0 {
				t.Errorf("webhooks list -o json: exit %d\n%s", code, out)
			}
			for _, args := range [][]string{{"profiles"}, {"numbers"}, {"numbers", "check", "6561115777"}, {"numbers", "check", "6599999999"}} {
				run(append(args, acct...)...)
			}
			// The call: emulate posts its VCA and VSS to call's listener
			// with ?token= and the secret; the listener checks both.
			code, out := run(with("call", "--base-url", em.url, "--to", "6512345678", "--from", "6561115777", "--wait",
				"--listen", "127.0.0.1:"+port, "--sessions", filepath.Join(dir, "sessions.jsonl"),
				"--record", filepath.Join(dir, "rec"), "--timeout", "20s")...)
			if code != 0 || !strings.Contains(out, "COMPLETED") {
				t.Errorf("call --wait: exit %d\n%s", code, out)
			}
			// A listener whose secret is not the registered one: 8x8's
			// posts are refused and warned about, the call ends ERROR.
			if source == "flag" {
				code, out = run("call", "--base-url", em.url, "--to", "6512345678", "--from", "6561115777", "--wait",
					"--listen", "127.0.0.1:"+port, "--sessions", filepath.Join(dir, "sessions.jsonl"),
					"--auth-secret", "other-"+secret[:4], "--timeout", "1s")
				if code == 0 {
					t.Errorf("call --wait with another secret: exit 0\n%s", out)
				}
			}
			run("config", "view")
			if code, out := run(append([]string{"webhooks", "delete", "vca", "vss"}, acct...)...); code != 0 {
				t.Errorf("webhooks delete: exit %d\n%s", code, out)
			}
			run(append([]string{"webhooks", "delete", "vca"}, acct...)...) // 404 now
			// Now emulate's --vca-url: refused, the session ends ERROR -2002.
			if code, out := run("call", "--base-url", em.url, "--to", "6512345678", "--from", "6561115777"); code != 0 {
				t.Errorf("call to the fallback webhook: exit %d\n%s", code, out)
			}

			// ivrctl test against serve's server wanting the secret and
			// the token; then with a wrong secret (401s and their hint).
			srv := webhooktest.Run(t, webhook.Config{Engine: webhooktest.Engine(t, ""),
				Auth:         webhook.Auth{Secrets: []string{secret}, Token: token},
				SessionsPath: filepath.Join(dir, "serve-sessions.jsonl")})
			scenarios := filepath.Join("..", "..", "testdata", "scenarios", "simple-ivr")
			testArgs := []string{"test", "--webhook", srv.VCA + q, "--vss", srv.VSS + q, "--junit", filepath.Join(dir, "junit.xml")}
			if code, out := run(append(withSecret(testArgs...), "-o", "json", scenarios)...); code != 0 {
				t.Errorf("test: exit %d\n%.2000s", code, out)
			}
			// (Serve admits a request any one configured check admits: no token here.)
			wrong := []string{"test", "--webhook", srv.VCA, "--vss", srv.VSS, "--junit", filepath.Join(dir, "junit.xml"), "--auth-secret", "wrong-" + secret[:4]}
			if code, out := run(append(wrong, scenarios)...); code != 1 || !strings.Contains(out, "401") {
				t.Errorf("test with a wrong secret: exit %d, want 1 and 401s\n%.2000s", code, out)
			}
			// Usage errors that quote what was given.
			if code, _ := run("test", "--webhook", "http://user:"+pass+"@127.0.0.1:1/webhooks/vca", "--auth-secret", secret, scenarios); code != 2 {
				t.Errorf("user:pass@ and --auth-secret: exit %d, want 2", code)
			}
			if code, _ := run("test", "--webhook", "http://user:"+pass+"@127.0.0.1:1/%zz", scenarios); code != 2 {
				t.Errorf("malformed URL with a password: exit %d, want 2", code)
			}
			run(with("call", "--to", "6512345678", "--wait", "--listen", "127.0.0.1:"+port, "--dry-run", "--basic-auth", "user:"+pass)...)

			if err := em.stop(t); err != nil {
				t.Errorf("emulate: %v", err)
			}
			if log := em.stderr.String(); !strings.Contains(log, "-2002") {
				t.Errorf("emulate's log shows no failed delivery to --vca-url:\n%s", log)
			}
			check(t, "emulate's log", em.stderr.String())
			filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				data, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				check(t, path, string(data))
				return nil
			})
			if _, err := os.Stat(filepath.Join(dir, "rec")); err != nil {
				t.Errorf("call --wait --record wrote nothing: %v", err)
			}
		})
	}
}
