package account_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	at "github.com/ivrctl/ivrctl/cmd/account/accounttest"
	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/cmd/cmdutil/cmdtest"
	"github.com/ivrctl/ivrctl/pkg/voiceapi"
)

func TestMain(m *testing.M) { os.Exit(cmdtest.Main(m)) }

// Every account command against every kind of error answer: the exit
// code the README lists, 8x8's status in the message, nothing on stdout
// (text or JSON), the requests the retry policy allows, and the key
// never printed (at.Run checks).
func TestCommandsErrorAnswers(t *testing.T) {
	t.Parallel()
	commands := []struct {
		name  string
		route string
		args  []string
	}{
		{"webhooks list", "GET " + at.Path("webhooks"), []string{"webhooks", "list"}},
		{"webhooks set", "POST " + at.Path("webhooks"), []string{"webhooks", "set", "--vca", "https://ivr.example.com/webhooks/vca", "--auth-secret", "given-secret-1234"}},
		{"webhooks delete", "DELETE " + at.Path("webhooks", "VSS"), []string{"webhooks", "delete", "vss"}},
		{"profiles", "GET " + at.Path("speech-profiles"), []string{"profiles"}},
		{"numbers", "GET " + at.Path("numbers"), []string{"numbers"}},
		{"numbers check", "GET " + at.Path("numbers", "6561115777"), []string{"numbers", "check", "+6561115777"}},
	}
	attempts := 1 + voiceapi.DefaultRetries
	answers := []struct {
		name     string
		answer   at.Answer
		code     int
		stderr   string
		requests int
	}{
		{"401", at.Answer{Status: 401, Body: at.Unauthorized}, cmdutil.ExitRejected, "8x8 refused the API key ********QRST: HTTP 401: API key not found or invalid", 1},
		{"403", at.Answer{Status: 403, Body: `{"statusCode":403,"statusMessage":"Resource not accessible"}`}, cmdutil.ExitRejected, "HTTP 403: Resource not accessible", 1},
		{"404", at.Answer{Status: 404, Body: at.NotFound}, cmdutil.ExitTransport, "HTTP 404: Resource not found", 1},
		{"429", at.Answer{Status: 429, Body: `{"code":429,"message":"Too Many Requests"}`, Header: map[string]string{"Retry-After": "0"}},
			cmdutil.ExitTransport, "HTTP 429: Too Many Requests", attempts},
		{"500", at.Answer{Status: 500, Body: at.ServerError}, cmdutil.ExitTransport, "HTTP 500: Server error", attempts},
		{"502 not JSON", at.Answer{Status: 502, Body: "<html>Bad Gateway</html>"}, cmdutil.ExitTransport, "HTTP 502: Bad Gateway", attempts},
	}
	for _, c := range commands {
		for _, a := range answers {
			for _, o := range []string{"text", "json"} {
				t.Run(fmt.Sprintf("%s/%s/%s", c.name, a.name, o), func(t *testing.T) {
					t.Parallel()
					code, stderr := a.code, a.stderr
					if c.name == "numbers check" && a.name == "404" {
						code, stderr = cmdutil.ExitFailed, "+6561115777 is not one of sub-account acme_voice's virtual numbers"
					}
					fake := at.NewFake(t, map[string][]at.Answer{c.route: {a.answer}})
					args := append(append([]string{}, c.args...), "-o", o, "--config", at.Config(t, ""), "--base-url", fake.URL)
					r := at.Run(t, "", args...)
					if r.Code != code || !strings.Contains(r.Stderr, stderr) {
						t.Errorf("exit %d, stderr %q; want %d and %q", r.Code, r.Stderr, code, stderr)
					}
					// numbers check's 404 is an answer, "not yours": -o json
					// says so on stdout (cmd/numbers tests its shape).
					notOwned := c.name == "numbers check" && a.name == "404" && o == "json"
					if r.Stdout != "" && !notOwned {
						t.Errorf("stdout %q after a failure", r.Stdout)
					}
					if n := fake.Count(c.route); n != a.requests {
						t.Errorf("%d requests, want %d", n, a.requests)
					}
				})
			}
		}
	}
}
