// Package accounttest is what the tests of the account commands share: the
// stand-in for 8x8's account endpoints (voiceapitest's) with 8x8's canned
// answers, and a runner of the real command tree that fails the test when
// the API key shows up in anything it printed.
package accounttest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/cmd"
	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/voiceapi/voiceapitest"
)

// Key is the API key of every test; no output may contain it.
const Key = "sk-live-Acct9pX2vLm4Rt8Kw3Nz6Bc1D-QRST"

// Sub is the tests' sub-account.
const Sub = "acme_voice"

// Canned answers, in 8x8's documented shapes.
const (
	ProfilesBody = `{"speechProfiles":[` +
		`{"speechProfileCode":"en-US-BenjaminRUS","localeCode":"en-US","localeDescription":"EnglishUS","gender":"M"},` +
		`{"speechProfileCode":"da-DK-Naja","localeCode":"da-DK","localeDescription":"Danish","gender":"F"},` +
		`{"speechProfileCode":"en-GB-Emma","localeCode":"en-GB","localeDescription":"EnglishUK","gender":"F"},` +
		`{"speechProfileCode":"en-US-Standard-A","localeCode":"en-US","localeDescription":"EnglishUS","gender":"F"}],` +
		`"statusCode":0,"statusMessage":"ok"}`
	NumbersBody = `{"totalNumbers":2,"lastUpdatedAt":"2026-01-01T00:00:00Z","numbers":[` +
		`{"msisdn":"+6561115777","countryCode":"SG","operationalStatus":"Active","referenceId":"ref-sg-1","numberType":"Mobile",` +
		`"numberHealthCheckEnabled":true,"numberHealth":{"isHealthy":true,"status":"OK","lastCheckedTime":"2026-01-02T00:00:00Z"}},` +
		`{"msisdn":"+442071234567","countryCode":"GB","operationalStatus":"Expiring","referenceId":"ref-gb-1","numberType":"Landline",` +
		`"numberHealthCheckEnabled":true,"numberHealth":{"isHealthy":false,"status":"NO_ROUTE","lastCheckedTime":"2026-01-02T00:00:00Z"}}],` +
		`"statusCode":0,"statusMessage":"ok"}`
	WebhooksBody = `{"subAccountId":"acme_voice","count":2,"webhooks":[` +
		`{"type":"VCA","url":"https://ivr.example.com/webhooks/vca","enabled":true,"httpAuthHeaderAvailable":true},` +
		`{"type":"VSS","url":"https://ivr.example.com/webhooks/vss","enabled":true,"httpAuthHeaderAvailable":false}],` +
		`"statusCode":0,"statusMessage":"ok"}`
	Unauthorized = `{"statusCode":401,"statusMessage":"API key not found or invalid"}`
	NotFound     = `{"statusCode":404,"statusMessage":"Resource not found","timestamp":"2026-01-01T00:00:00Z"}`
	ServerError  = `{"statusCode":500,"statusMessage":"Server error"}`
)

// Answer is one canned answer.
type Answer = voiceapitest.Answer

// OK is a 200 with body.
func OK(body string) Answer { return voiceapitest.OK(body) }

// Request is one request the stand-in received, as the tests compare it.
type Request struct {
	Method, Path, Auth string
	Body               any // decoded JSON; nil when empty
}

// Fake stands in for 8x8 (pkg/voiceapi/voiceapitest). Routes maps
// "METHOD /path" to answers given in turn (the last repeats); a request
// with no route fails the test.
type Fake struct {
	*voiceapitest.Fake
}

// NewFake starts a stand-in with the given routes.
func NewFake(t testing.TB, routes map[string][]Answer) *Fake {
	t.Helper()
	return &Fake{voiceapitest.New(t, routes)}
}

// Requests returns what the stand-in received, in order.
func (f *Fake) Requests() []Request {
	var out []Request
	for _, r := range f.Fake.Requests() {
		body, _ := r.JSON() // not JSON: the stand-in failed the test
		out = append(out, Request{r.Method, r.Path, r.Header.Get("Authorization"), body})
	}
	return out
}

// Path is an account endpoint's path for the tests' sub-account.
func Path(elem ...string) string {
	return "/api/v1/subaccounts/" + Sub + "/" + strings.Join(elem, "/")
}

// Config writes a config file holding the key and the sub-account, plus
// extra lines.
func Config(t testing.TB, extra string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	content := fmt.Sprintf("api-key: %s\nsubaccount: %s\n%s", Key, Sub, extra)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Result is what a run printed and returned.
type Result struct {
	Code           int
	Stdout, Stderr string // Stderr ends with the error as ivrctl prints it
	Err            error
}

// Run executes `ivrctl args...` through the real command tree with the
// given cache directory ("" : a fresh one). The error is rendered as
// cmd.Execute does (message, then hint) so assertions on Stderr cover it,
// and the API key must appear nowhere.
func Run(t testing.TB, cacheDir string, args ...string) Result {
	t.Helper()
	ios, _, out, errOut := cmdutil.Test()
	f := cmdutil.NewFactory(ios, "test")
	if cacheDir == "" {
		cacheDir = t.TempDir()
	}
	f.CacheDir = func() (string, error) { return cacheDir, nil }
	// Retries happen (the stand-in counts them) without the real backoff.
	f.RetrySleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
	root := cmd.NewRootCmd(f, cmd.BuildInfo{Version: "test"})
	root.SetArgs(args)
	_, err := root.ExecuteContextC(context.Background())
	r := Result{Code: cmdutil.ExitCode(err), Stdout: out.String(), Err: err}
	var silent *cmdutil.SilentError
	if err != nil && !errors.As(err, &silent) {
		fmt.Fprintf(errOut, "ivrctl: %s\n", err)
		var ee *cmdutil.ExitError
		if errors.As(err, &ee) && ee.Hint != "" {
			fmt.Fprintf(errOut, "%s\n", ee.Hint)
		}
	}
	r.Stderr = errOut.String()
	AssertNoKey(t, r.Stdout, r.Stderr)
	return r
}

// AssertNoKey fails the test when the key, or a long piece of it, is in
// any of outputs.
func AssertNoKey(t testing.TB, outputs ...string) {
	t.Helper()
	for _, s := range outputs {
		if strings.Contains(s, Key) || strings.Contains(s, Key[:12]) || strings.Contains(s, Key[8:24]) {
			t.Fatalf("the API key leaked into the output:\n%s", s)
		}
	}
}
