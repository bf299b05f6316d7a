package testcmd_test

import (
	"encoding/json"
	"encoding/xml"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ivrctl/ivrctl/cmd"
	"github.com/ivrctl/ivrctl/cmd/account"
	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/cmd/cmdutil/cmdtest"
	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/golden"
	"github.com/ivrctl/ivrctl/pkg/scenario"
	"github.com/ivrctl/ivrctl/pkg/webhook"
	"github.com/ivrctl/ivrctl/pkg/webhook/webhooktest"
)

type result struct {
	stdout, stderr string
	code           int
}

// ivrctl runs the real command tree, as the binary would, with test streams.
func ivrctl(t *testing.T, args ...string) result {
	t.Helper()
	io, _, out, errOut := cmdutil.Test()
	code := cmd.Execute(cmd.BuildInfo{Version: "test"}, args, io)
	// Every run without --profiles ends with the note that voices were
	// not checked (TestVoices checks it): the other tests look past it.
	stderr := strings.Replace(errOut.String(), notChecked, "", 1)
	return result{stdout: out.String(), stderr: stderr, code: code}
}

const notChecked = "note " + account.VoicesNotChecked + "\n"

// TestVoices: --profiles takes emulate's value, and a voice the list lacks
// is refused as 8x8 refuses it (the request -1002); without a list or a
// cache, the run says once that voices were not checked.
func TestVoices(t *testing.T) {
	t.Parallel()
	io, _, out, errOut := cmdutil.Test()
	code := cmd.Execute(cmd.BuildInfo{Version: "test"}, []string{"test", "testdata/scenarios/simple-ivr/options.yaml"}, io)
	if code != 0 || strings.Count(errOut.String(), notChecked) != 1 {
		t.Errorf("no list: exit %d, stderr %q: want the note once", code, errOut.String())
	}
	r := ivrctl(t, "test", "--profiles", "en-US-Jenny,en-GB-Emma", "testdata/scenarios/simple-ivr/options.yaml")
	if r.code != 1 || !strings.Contains(r.stdout, "-1002") || strings.Contains(r.stderr+out.String(), "voices were not checked") {
		t.Errorf("a list without the menu's voice: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := ivrctl(t, "test", "--profiles", "testdata/validate/ok/profiles.json", "testdata/scenarios"); r.code != 0 {
		t.Errorf("a profiles file with the menus' voice: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := ivrctl(t, "test", "--profiles", "", "testdata/scenarios/simple-ivr/options.yaml"); r.code != 0 {
		t.Errorf("--profiles empty: exit %d", r.code)
	}
}

// TestMain runs from the repository root, so that files are named as a
// user names them, with no IVRCTL_* variable or config file leaking in.
func TestMain(m *testing.M) {
	flag.Parse()
	if err := os.Chdir("../.."); err != nil {
		panic(err)
	}
	os.Unsetenv("NO_COLOR")
	os.Unsetenv("CLICOLOR_FORCE")
	os.Exit(cmdtest.Main(m))
}

// TestShippedScenariosPass: `ivrctl test testdata/scenarios` passes,
// one line per scenario, in input order, and the summary.
func TestShippedScenariosPass(t *testing.T) {
	t.Parallel()
	r := ivrctl(t, "test", "testdata/scenarios")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d, stderr:\n%s\nstdout:\n%s", r.code, r.stderr, r.stdout)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	last := lines[len(lines)-1]
	if !regexp.MustCompile(`^\d+ passed, 0 failed$`).MatchString(last) {
		t.Errorf("summary %q", last)
	}
	prev := ""
	for _, l := range lines[:len(lines)-1] {
		if strings.HasPrefix(l, "      fault ") {
			continue // a fault the scenario plays, under its PASS line
		}
		if !strings.HasPrefix(l, "PASS  ") {
			t.Errorf("not a pass line: %q", l)
		}
		// input order: files sorted, scenarios in file order
		loc := l[strings.LastIndex(l, "  ")+2:]
		file, line, _ := strings.Cut(loc, ":")
		key := file + ":" + strings.Repeat("0", 5-len(line)) + line
		if key < prev {
			t.Errorf("%s after %s: not in input order", loc, prev)
		}
		prev = key
	}
}

// TestWrongScenarios: each deliberately wrong scenario file fails (exit 1)
// with the report in testdata/test/golden/wrong-NAME.txt.
func TestWrongScenarios(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/test/wrong/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no wrong scenarios: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		t.Run(name, func(t *testing.T) {
			r := ivrctl(t, "test", f)
			if r.code != 1 {
				t.Errorf("exit %d, want 1", r.code)
			}
			if r.stderr != "" {
				t.Errorf("stderr: %s", r.stderr)
			}
			golden.Text(t, filepath.Join("testdata", "test", "golden", "wrong-"+name+".txt"), r.stdout)
		})
	}
}

// TestBadFiles: a bad scenario file is exit 2, nothing runs, and each
// problem is one line file:line: field: message.
func TestBadFiles(t *testing.T) {
	t.Parallel()
	r := ivrctl(t, "test", "testdata/scenarios/simple-ivr", "testdata/test/bad/press-letters.yaml", "testdata/test/bad/unknown-field.yaml")
	want := `ivrctl: testdata/test/bad/press-letters.yaml:6: caller.steps[1].press: must be digits 0-9, * or #, found "1a"
  testdata/test/bad/unknown-field.yaml:4: caller.steps[0]: unknown field "pres" (known: expect, press, silence, hangup)
  testdata/test/bad/unknown-field.yaml:7: expect: unknown field "webhookcalls" (known: heard, connected, status, webhookCalls, lastAction)
`
	if r.code != 2 || r.stdout != "" {
		t.Errorf("exit %d, stdout %q: want 2 and nothing run", r.code, r.stdout)
	}
	// With --junit, the report says why nothing ran: an error per bad file.
	path := filepath.Join(t.TempDir(), "report.xml")
	if r := ivrctl(t, "test", "--junit", path, "testdata/test/bad/press-letters.yaml", "testdata/test/bad/unknown-field.yaml"); r.code != 2 {
		t.Errorf("--junit: exit %d, want 2", r.code)
	}
	report, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`<testsuites name="ivrctl test" tests="2" failures="0" errors="2"`,
		`<testcase name="scenario file" classname="testdata/test/bad/press-letters.yaml" file="testdata/test/bad/press-letters.yaml" line="6"`,
		`type="InvalidScenarioFile"><![CDATA[testdata/test/bad/unknown-field.yaml:4: caller.steps[0]: unknown field "pres" (known: expect, press, silence, hangup)
testdata/test/bad/unknown-field.yaml:7: expect: unknown field`,
	} {
		if !strings.Contains(string(report), want) {
			t.Errorf("JUnit report lacks %s:\n%s", want, report)
		}
	}
	if diff := cmp.Diff(want, r.stderr); diff != "" {
		t.Errorf("stderr (-want +got):\n%s", diff)
	}
	for _, args := range [][]string{
		{"test", "testdata/no-such-dir"},
		{"test", "testdata/menus"}, // menus are not scenarios: unknown fields
		{"test", "--webhook", "localhost:8080", "testdata/scenarios"},
		{"test", "-o", "yaml", "testdata/scenarios"},
		{"test", "--run", "(", "testdata/scenarios"},
		{"test", "--run", "no such scenario", "testdata/scenarios"},
		{"test", "--parallel", "-1", "testdata/scenarios"},
		{"test"},
	} {
		if r := ivrctl(t, args...); r.code != 2 || !strings.HasPrefix(r.stderr, "ivrctl: ") {
			t.Errorf("%v: exit %d, stderr %q: want 2 and an error", args, r.code, r.stderr)
		}
	}
}

var timeAttr = regexp.MustCompile(`time="[0-9.]+"`)

// TestJUnit: --junit writes the report CI reads (times normalised), with a
// failure per failed scenario, and the text output is unchanged.
func TestJUnit(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "report.xml")
	r := ivrctl(t, "test", "--junit", path, "testdata/test/wrong", "testdata/scenarios/simple-ivr/pickup.yaml")
	if r.code != 1 {
		t.Errorf("exit %d, want 1; stderr %s", r.code, r.stderr)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Cases []struct {
				Failure *struct{} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("not XML: %v", err)
	}
	if doc.Tests != 14 || doc.Failures != 7 || len(doc.Suites) != 7 {
		t.Errorf("tests %d failures %d suites %d, want 14, 7, 7", doc.Tests, doc.Failures, len(doc.Suites))
	}
	golden.Text(t, filepath.Join("testdata", "test", "golden", "junit.xml"), timeAttr.ReplaceAllString(string(data), `time="0.000"`))
}

// TestJSON: -o json prints one object per scenario on stdout, the summary
// on stderr.
func TestJSON(t *testing.T) {
	t.Parallel()
	r := ivrctl(t, "test", "-o", "json", "testdata/test/wrong/outcome.yaml")
	if r.code != 1 || r.stderr != "1 passed, 2 failed\n" {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines, want 3:\n%s", len(lines), r.stdout)
	}
	var got []map[string]any
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not JSON: %v: %s", err, l)
		}
		got = append(got, m)
	}
	if got[0]["passed"] != false || got[1]["passed"] != true || got[0]["name"] != "representative busy, expected connected" {
		t.Errorf("got %v", got)
	}
	fails, _ := got[0]["failures"].([]any)
	if len(fails) != 3 {
		t.Fatalf("failures: %v", got[0]["failures"])
	}
	f0 := fails[0].(map[string]any)
	if f0["field"] != "expect.connected" || f0["line"] != float64(14) || f0["actual"] != "nobody" {
		t.Errorf("first failure %v", f0)
	}
	tr, _ := got[0]["transcript"].(map[string]any)
	if tr["webhookCalls"] != float64(3) {
		t.Errorf("transcript %v", tr)
	}
}

// TestRun: --run keeps the scenarios whose name matches.
func TestRun(t *testing.T) {
	t.Parallel()
	r := ivrctl(t, "test", "--run", "^hours$", "testdata/test/wrong")
	if r.code != 0 || r.stdout != "PASS  hours  testdata/test/wrong/outcome.yaml:19\n1 passed, 0 failed\n" {
		t.Errorf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

func TestColour(t *testing.T) {
	io, _, out, _ := cmdutil.Test()
	io.SetTTY(true)
	io.ForceColor()
	cmd.Execute(cmd.BuildInfo{}, []string{"test", "testdata/test/wrong/outcome.yaml"}, io)
	for _, want := range []string{"\x1b[32mPASS", "\x1b[31mFAIL", "\x1b[31m1 passed, 2 failed"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q on a terminal: %q", want, out.String())
		}
	}
	t.Setenv("NO_COLOR", "1")
	io = cmdutil.System()
	io.Out, io.ErrOut = out, out
	io.SetTTY(true)
	out.Reset()
	cmd.Execute(cmd.BuildInfo{}, []string{"test", "testdata/test/wrong/outcome.yaml"}, io)
	if strings.Contains(out.String(), "\x1b[") || !strings.Contains(out.String(), "FAIL") {
		t.Errorf("NO_COLOR: %q", out.String())
	}
}

// TestWebhookSecretNotShown: a token in the --webhook URL (how `serve`
// takes a secret) appears in no output: text, JSON or JUnit.
func TestWebhookSecretNotShown(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "report.xml")
	url := "http://user:pa55@127.0.0.1:1/webhooks/vca?token=s3cret" // nothing listens on port 1
	for _, format := range []string{"text", "json"} {
		r := ivrctl(t, "test", "-o", format, "--junit", path, "--webhook", url, "testdata/scenarios/simple-ivr/options.yaml")
		if r.code != 1 {
			t.Errorf("%s: exit %d, want 1 (the webhook is down)", format, r.code)
		}
		report, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, out := range []string{r.stdout, r.stderr, string(report)} {
			if strings.Contains(out, "s3cret") || strings.Contains(out, "pa55") {
				t.Fatalf("%s: the secret is shown:\n%s", format, out)
			}
		}
		if !strings.Contains(r.stdout, "ERROR (-2002") {
			t.Errorf("%s: no ERROR -2002 reported:\n%s", format, r.stdout)
		}
	}
}

// TestWebhookAgainstServe: `ivrctl test --webhook URL DIR` against the
// webhook server `ivrctl serve` runs, over real HTTP on loopback: every
// shipped scenario passes against the menu it was written for.
func TestWebhookAgainstServe(t *testing.T) {
	t.Parallel()
	for _, s := range []struct{ dir, menu string }{
		{"testdata/scenarios/simple-ivr", ""},
		{"testdata/scenarios/advanced-ivr", "testdata/menus/advanced-ivr.yaml"},
		// Inbound calls: CALL_RECEIVED over HTTP, answered by serve.
		{"testdata/scenarios/inbound/simple-ivr.yaml", ""},
		{"testdata/scenarios/inbound/advanced-ivr.yaml", "testdata/menus/advanced-ivr.yaml"},
	} {
		url := webhooktest.Menu(t, s.menu)
		r := ivrctl(t, "test", "--webhook", url, s.dir)
		if r.code != 0 || r.stderr != "" || !regexp.MustCompile(`\n\d+ passed, 0 failed\n$`).MatchString(r.stdout) {
			t.Errorf("%s against serve: exit %d\nstdout:\n%s\nstderr:\n%s", s.dir, r.code, r.stdout, r.stderr)
		}
	}
}

const testSecret = "s3cr3t-9f2c" // what the backends below check

// noSecret fails when any output shows the secret (or the given others).
func noSecret(t *testing.T, what string, outputs []string, secrets ...string) {
	t.Helper()
	for _, out := range outputs {
		for _, s := range append(secrets, testSecret) {
			if strings.Contains(out, s) {
				t.Errorf("%s: the secret %q is shown:\n%s", what, s, out)
			}
		}
	}
}

var port = regexp.MustCompile(`127\.0\.0\.1:[0-9]+`)

// runAll runs `ivrctl test` in text and JSON with --junit and returns the
// outputs (JUnit's times normalised); it checks that none shows a secret.
func runAll(t *testing.T, args ...string) (text, json result, junit string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "report.xml")
	base := append([]string{"test", "--junit", path}, args...)
	text = ivrctl(t, base...)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	junit = timeAttr.ReplaceAllString(string(data), `time="0.000"`)
	json = ivrctl(t, append([]string{"test", "-o", "json"}, args...)...)
	noSecret(t, strings.Join(args, " "), []string{text.stdout, text.stderr, json.stdout, json.stderr, junit})
	return text, json, junit
}

// TestAuthSecretAgainstServe: against serve's webhook server checking a
// shared secret (serve --auth-secret), every scenario fails with the 401
// reported until the secret is given, by flag or by IVRCTL_AUTH_SECRET, in
// the default header or the one --auth-header names. No output shows it.
func TestAuthSecretAgainstServe(t *testing.T) {
	const dir = "testdata/scenarios/simple-ivr"
	srv := webhooktest.Run(t, webhook.Config{Engine: webhooktest.Engine(t, ""), Auth: webhook.Auth{Secrets: []string{testSecret}}})

	// Without the secret, every call that reaches the webhook ends ERROR
	// -2002 with the 401 named (the 4 whose caller or agent never picks
	// up do not reach it, and pass); a hint says what to do.
	text, js, junit := runAll(t, "--webhook", srv.VCA, dir)
	if text.code != 1 || !strings.HasSuffix(text.stdout, "\n4 passed, 14 failed\n") {
		t.Fatalf("without the secret: exit %d, want 1 and 14 failed:\n%s%s", text.code, text.stdout, text.stderr)
	}
	if n := strings.Count(text.stdout, "note     webhook answered HTTP 401 ("); n != 14 {
		t.Errorf("%d reports name the 401, want 14:\n%s", n, text.stdout)
	}
	if n := strings.Count(text.stdout, "+ got      ERROR (-2002: An internal connectivity error has occurred)"); n != 14 {
		t.Errorf("%d reports show ERROR -2002, want 14:\n%s", n, text.stdout)
	}
	wantErr := "ivrctl: the webhook answered HTTP 401 to 14 of 18 calls: it wants credentials\n" +
		"give the secret it checks: --auth-secret (or IVRCTL_AUTH_SECRET), in the header --auth-header names (default Authorization); or user:pass@ or ?token= in the --webhook URL\n"
	if text.stderr != wantErr {
		t.Errorf("stderr (-want +got):\n%s", cmp.Diff(wantErr, text.stderr))
	}
	if js.code != 1 || strings.Count(js.stdout, `"errorCode":-2002`) != 14 || !strings.HasPrefix(js.stderr, "4 passed, 14 failed\n") {
		t.Errorf("JSON: exit %d, want 14 -2002:\n%s%s", js.code, js.stdout, js.stderr)
	}
	if n := strings.Count(junit, "webhook answered HTTP 401"); n != 14 {
		t.Errorf("JUnit names the 401 %d times, want 14:\n%s", n, junit)
	}
	// With --vss, every scenario fails: the summaries are refused too.
	if r, _, _ := runAll(t, "--webhook", srv.VCA, "--vss", srv.VSS, dir); r.code != 1 || !strings.Contains(r.stdout, "\n0 passed, 18 failed\n") ||
		strings.Count(r.stdout, "        POST "+srv.VSS+": HTTP 401\n") != 18 {
		t.Errorf("--vss without the secret: exit %d, want every scenario failed with the summary's 401:\n%s", r.code, r.stdout)
	}
	// One report in full (the first scenario), the server's port hidden.
	one := ivrctl(t, "test", "--webhook", srv.VCA, "--run", "^1: ", dir)
	golden.Text(t, filepath.Join("testdata", "test", "golden", "auth-refused.txt"), port.ReplaceAllString(one.stdout, "127.0.0.1:PORT"))

	pass := regexp.MustCompile(`\n18 passed, 0 failed\n$`)
	text, js, _ = runAll(t, "--webhook", srv.VCA, "--auth-secret", testSecret, dir)
	if text.code != 0 || !pass.MatchString(text.stdout) || js.code != 0 {
		t.Errorf("--auth-secret: exit %d/%d:\n%s%s", text.code, js.code, text.stdout, text.stderr)
	}
	// serve's variable configures test too; while rotating (new,old) the
	// first is sent.
	t.Setenv("IVRCTL_AUTH_SECRET", testSecret+",old-secret")
	text, _, _ = runAll(t, "--webhook", srv.VCA, dir)
	if text.code != 0 || !pass.MatchString(text.stdout) {
		t.Errorf("IVRCTL_AUTH_SECRET: exit %d:\n%s%s", text.code, text.stdout, text.stderr)
	}
	// In-process runs ignore it.
	if r := ivrctl(t, "test", dir); r.code != 0 {
		t.Errorf("in-process with IVRCTL_AUTH_SECRET set: exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	t.Setenv("IVRCTL_AUTH_SECRET", "")

	// Another header name, as serve --auth-header names it.
	custom := webhooktest.Run(t, webhook.Config{Engine: webhooktest.Engine(t, ""), Auth: webhook.Auth{Header: "X-Ivr-Secret", Secrets: []string{testSecret}}})
	if r, _, _ := runAll(t, "--webhook", custom.VCA, "--auth-secret", testSecret, dir); r.code != 1 || !strings.Contains(r.stdout, "HTTP 401") {
		t.Errorf("secret in Authorization, server reads X-Ivr-Secret: exit %d, want 1 with 401s:\n%s", r.code, r.stdout)
	}
	if r, _, _ := runAll(t, "--webhook", custom.VCA, "--auth-secret", testSecret, "--auth-header", "x-ivr-secret", dir); r.code != 0 || !pass.MatchString(r.stdout) {
		t.Errorf("--auth-header x-ivr-secret: exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	t.Setenv("IVRCTL_AUTH_HEADER", "X-Ivr-Secret")
	if r, _, _ := runAll(t, "--webhook", custom.VCA, "--auth-secret", testSecret, dir); r.code != 0 || !pass.MatchString(r.stdout) {
		t.Errorf("IVRCTL_AUTH_HEADER: exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestBasicAuthInURL: user:pass in --webhook is sent as HTTP basic auth
// (serve --basic-auth checks it), and shown nowhere.
func TestBasicAuthInURL(t *testing.T) {
	t.Parallel()
	const dir = "testdata/scenarios/simple-ivr"
	srv := webhooktest.Run(t, webhook.Config{Engine: webhooktest.Engine(t, ""), Auth: webhook.Auth{BasicUser: "eight", BasicPass: testSecret}})
	withCreds := func(user, pass string) string {
		return strings.Replace(srv.VCA, "http://", "http://"+user+":"+pass+"@", 1)
	}

	r, _, _ := runAll(t, "--webhook", withCreds("eight", testSecret), dir)
	if r.code != 0 || !regexp.MustCompile(`\n18 passed, 0 failed\n$`).MatchString(r.stdout) {
		t.Errorf("right credentials: exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	r, _, _ = runAll(t, "--webhook", withCreds("eight", "wrong-pa55"), dir)
	if r.code != 1 || !strings.Contains(r.stdout, "HTTP 401") {
		t.Errorf("wrong password: exit %d, want 1 with 401s:\n%s", r.code, r.stdout)
	}
	noSecret(t, "wrong password", []string{r.stdout, r.stderr}, "wrong-pa55")
}

// TestVSSAgainstServe: --vss posts one summary per call to serve, which
// records them: one line per scenario in its sessions file, every
// sessionId distinct, each status the one its scenario expects.
func TestVSSAgainstServe(t *testing.T) {
	t.Parallel()
	const dir = "testdata/scenarios/simple-ivr"
	srv := webhooktest.Run(t, webhook.Config{Engine: webhooktest.Engine(t, ""), Auth: webhook.Auth{Secrets: []string{testSecret}}})
	r := ivrctl(t, "test", "-o", "json", "--webhook", srv.VCA, "--vss", srv.VSS, "--auth-secret", testSecret, dir)
	if r.code != 0 || r.stderr != "18 passed, 0 failed\n" {
		t.Fatalf("exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	noSecret(t, "--vss", []string{r.stdout, r.stderr})
	ss, err := scenario.Load([]string{dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	expected := map[string]string{} // name -> expect.status
	for _, s := range ss {
		expected[s.Name] = s.Expect.Status
	}
	want := map[string]string{} // sessionId -> status, from the transcripts
	for l := range strings.SplitSeq(strings.TrimSpace(r.stdout), "\n") {
		var res struct {
			Name       string
			Transcript struct {
				SessionID string `json:"sessionId"`
			}
		}
		if err := json.Unmarshal([]byte(l), &res); err != nil {
			t.Fatal(err)
		}
		if expected[res.Name] == "" {
			t.Fatalf("%q: no expect.status", res.Name)
		}
		want[res.Transcript.SessionID] = expected[res.Name]
	}
	data, err := os.ReadFile(srv.Sessions)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	got := map[string]string{}
	for _, l := range lines {
		var rec struct{ SessionID, SessionStatus string }
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("sessions file: %v: %s", err, l)
		}
		if _, dup := got[rec.SessionID]; dup {
			t.Errorf("sessionId %s recorded twice", rec.SessionID)
		}
		got[rec.SessionID] = rec.SessionStatus
	}
	if len(lines) != len(ss) || len(want) != len(ss) {
		t.Errorf("%d summaries recorded, %d sessions run, want %d", len(lines), len(want), len(ss))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("recorded statuses by sessionId (-scenarios' expect.status +serve's sessions file):\n%s", diff)
	}
}

// TestVSSRefused: a VSS handler that fails (HTTP 500) fails every scenario
// with the summary's POST named, in the text report, JSON and JUnit.
func TestVSSRefused(t *testing.T) {
	t.Parallel()
	const file = "testdata/scenarios/simple-ivr/options.yaml"
	var got atomic.Value
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Header.Get("Authorization"))
		http.Error(w, "database down", http.StatusInternalServerError)
	}))
	defer broken.Close()
	srv := webhooktest.Run(t, webhook.Config{Engine: webhooktest.Engine(t, "")})
	vss := broken.URL + "/webhooks/vss"
	text, js, junit := runAll(t, "--webhook", srv.VCA, "--vss", vss, "--auth-secret", testSecret, file)
	if got.Load() != testSecret {
		t.Errorf("the summary went without the secret: Authorization %q", got.Load())
	}
	ss, err := scenario.Load([]string{file}, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := len(ss)
	line := "session summary: POST " + vss + ": HTTP 500"
	if text.code != 1 || !strings.HasSuffix(text.stdout, fmt.Sprintf("\n0 passed, %d failed\n", n)) {
		t.Errorf("exit %d, want 1 and all %d failed:\n%s", text.code, n, text.stdout)
	}
	if c := strings.Count(js.stdout, `"field":"session summary","line":`); c != n {
		t.Errorf("JSON: %d session summary failures, want %d:\n%s", c, n, js.stdout)
	}
	if c := strings.Count(junit, `message="`+line+`"`); c != n {
		t.Errorf("JUnit: %d failures %q, want %d:\n%s", c, line, n, junit)
	}
	one := ivrctl(t, "test", "--webhook", srv.VCA, "--vss", vss, "--run", "^1: ", file)
	golden.Text(t, filepath.Join("testdata", "test", "golden", "vss-refused.txt"), port.ReplaceAllString(one.stdout, "127.0.0.1:PORT"))
}

// TestAuthUsage: flag mistakes are exit 2, and no message quotes a secret.
func TestAuthUsage(t *testing.T) {
	t.Parallel()
	const dir = "testdata/scenarios/simple-ivr"
	hook := "http://127.0.0.1:1/webhooks/vca"
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--vss", "http://127.0.0.1:1/webhooks/vss"}, "--vss needs --webhook"},
		{[]string{"--webhook", hook, "--vss", "ftp://u:" + testSecret + "@127.0.0.1/x"}, "--vss \"ftp://REDACTED@127.0.0.1/x\": must be an http:// or https:// URL"},
		{[]string{"--webhook", hook, "--auth-secret", testSecret, "--auth-header", " "}, "--auth-header is empty"},
		{[]string{"--webhook", hook, "--auth-secret", testSecret, "--auth-header", "X Secret"}, `--auth-header "X Secret": not a header name`},
		{[]string{"--webhook", hook, "--auth-secret", "s3cr\x01" + testSecret}, "--auth-secret: no control characters"},
		{[]string{"--webhook", "http://u:" + testSecret + "@127.0.0.1:1/vca", "--auth-secret", "other"}, "--webhook has user:pass (basic auth) and --auth-secret goes in Authorization too"},
	} {
		r := ivrctl(t, append(append([]string{"test"}, c.args...), dir)...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) || r.stdout != "" {
			t.Errorf("%q: exit %d, stderr %q: want 2 and %q", c.args, r.code, r.stderr, c.want)
		}
		noSecret(t, strings.Join(c.args, " "), []string{r.stdout, r.stderr})
	}
	// With another header, user:pass in the URL and the secret both go.
	if r := ivrctl(t, "test", "--webhook", "http://u:p@127.0.0.1:1/vca", "--auth-secret", testSecret, "--auth-header", "X-Secret", dir); r.code != 1 {
		t.Errorf("user:pass and X-Secret: exit %d, want 1 (the webhook is down):\n%s", r.code, r.stderr)
	}
}

// The vss key is also `webhooks set --vss`, the public URL registered with
// 8x8: set in the environment (or config file) it must neither fail an
// in-process run nor receive a test run's summaries. Only --vss counts.
func TestVSSOnlyFromTheCommandLine(t *testing.T) {
	const dir = "testdata/scenarios/simple-ivr"
	srv := webhooktest.Run(t, webhook.Config{Engine: webhooktest.Engine(t, "")})
	t.Setenv("IVRCTL_VSS", srv.VSS)
	if r := ivrctl(t, "test", dir); r.code != 0 {
		t.Errorf("in-process with IVRCTL_VSS set: exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := ivrctl(t, "test", "--webhook", srv.VCA, dir); r.code != 0 {
		t.Errorf("--webhook with IVRCTL_VSS set: exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	if data, err := os.ReadFile(srv.Sessions); err == nil && len(data) > 0 {
		t.Errorf("summaries were posted to IVRCTL_VSS's URL:\n%s", data)
	}
	if r := ivrctl(t, "test", "--webhook", srv.VCA, "--vss", srv.VSS, dir); r.code != 0 {
		t.Fatalf("--vss: exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	data, err := os.ReadFile(srv.Sessions)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), "\n"); n != 18 {
		t.Errorf("%d summaries recorded with --vss, want 18", n)
	}
}

// TestWebhookUnreachable: a backend not started yet (or on another port)
// fails every call the same way; after the reports, one error says so
// and what to do, rather than leaving it to the N reports.
func TestWebhookUnreachable(t *testing.T) {
	t.Parallel()
	const dir = "testdata/scenarios/simple-ivr"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String() + "/vca_webhook"
	ln.Close() // nothing listens there now
	// serve's ?token= is a secret: never shown.
	r := ivrctl(t, "test", "--webhook", url+"?token="+testSecret, dir)
	// The 4 who do not pick up reach no webhook.
	want := "ivrctl: the webhook refused the connection on 14 of 18 calls: nothing listens at " + url + "?...\n" +
		"is the backend running? Start it before ivrctl test and wait until it listens (see the README's GitHub Actions example)\n"
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	if diff := cmp.Diff(want, r.stderr); diff != "" {
		t.Errorf("stderr (-want +got):\n%s", diff)
	}
}

// TestWebhookTooSlow: a backend that does not answer within --timeout,
// typically one that serves a request at a time under --parallel calls,
// gets a hint naming both flags.
func TestWebhookTooSlow(t *testing.T) {
	t.Parallel()
	const file = "testdata/scenarios/simple-ivr/options.yaml"
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(release)
	r := ivrctl(t, "test", "--webhook", slow.URL, "--timeout", "50ms", "--parallel", "3", "--run", "^1: ", file)
	want := "ivrctl: the webhook gave no answer within --timeout 50ms on 1 of 1 calls\n" +
		"a backend that serves one request at a time may not keep up with --parallel 3: try --parallel 1, or a longer --timeout\n"
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	if diff := cmp.Diff(want, r.stderr); diff != "" {
		t.Errorf("stderr (-want +got):\n%s", diff)
	}
}

// TestOwnBackendExample: the README's example for a backend that is not
// an ivrctl menu (testdata/own-backend: the Send Callflow request the
// application sends, and scenarios with no call.menu) passes against a
// backend answering 8x8's restaurant IVR over HTTP, with its secret and
// its session summaries, each summary echoing the request's
// clientRequestId.
func TestOwnBackendExample(t *testing.T) {
	t.Parallel()
	const dir = "testdata/own-backend"
	srv := webhooktest.Run(t, webhook.Config{
		Engine: webhooktest.Engine(t, "testdata/menus/advanced-ivr.yaml"),
		Auth:   webhook.Auth{Secrets: []string{testSecret}},
	})
	r := ivrctl(t, "test", "-o", "json", "--webhook", srv.VCA, "--vss", srv.VSS, "--auth-secret", testSecret, dir)
	if r.code != 0 || r.stderr != "4 passed, 0 failed\n" {
		t.Fatalf("exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	for l := range strings.SplitSeq(strings.TrimSpace(r.stdout), "\n") {
		var res struct {
			Name       string
			Transcript struct{ Summary callflow.VSSEvent }
		}
		if err := json.Unmarshal([]byte(l), &res); err != nil {
			t.Fatal(err)
		}
		if got := res.Transcript.Summary.Payload.ClientRequestID; got != "restaurant-ci" {
			t.Errorf("%s: clientRequestId %q, want the request's restaurant-ci", res.Name, got)
		}
	}
	// The request file is one 8x8 accepts, as a user checks it.
	if v := ivrctl(t, "validate", dir+"/send-callflow.json"); v.code != 0 {
		t.Errorf("validate: exit %d: %s%s", v.code, v.stdout, v.stderr)
	}
}

// TestOwnBackendWithoutRequest: against a backend of one's own, a
// scenario naming neither call.menu nor call.request hears the embedded
// simple IVR's start prompt first; the error after the reports says where
// that prompt came from and what to give instead.
func TestOwnBackendWithoutRequest(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "hours.yaml")
	if err := os.WriteFile(file, []byte("name: hours\ncaller:\n  steps:\n    - {expect: Welcome to ABC Restaurant, press: \"3\"}\nexpect: {status: COMPLETED}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	url := webhooktest.Menu(t, "testdata/menus/advanced-ivr.yaml")
	r := ivrctl(t, "test", "--webhook", url, file)
	want := "ivrctl: 1 of 1 scenarios failed on the first prompt, which came from the embedded simple IVR: they name no call.menu or call.request\n" +
		"8x8 plays the first prompt from the Send Callflow request, before any webhook: give the request your application sends as call.request (see the README's \"A backend of your own\")\n"
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	if diff := cmp.Diff(want, r.stderr); diff != "" {
		t.Errorf("stderr (-want +got):\n%s", diff)
	}
}

// --request gives the Send Callflow request once for a suite whose
// scenarios name neither call.menu nor call.request: the own-backend
// example without its call lines passes the same way. A scenario naming
// call.to next to it is a file error (the request gives the numbers), and
// a request file 8x8 would refuse stops the run before any call.
func TestRequestFlag(t *testing.T) {
	t.Parallel()
	const example = "testdata/own-backend/restaurant.yaml"
	data, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	stripped := strings.ReplaceAll(string(data), "call: {request: send-callflow.json}\n", "")
	if stripped == string(data) {
		t.Fatalf("%s no longer names its request as this test expects", example)
	}
	file := filepath.Join(dir, "restaurant.yaml")
	if err := os.WriteFile(file, []byte(stripped), 0o644); err != nil {
		t.Fatal(err)
	}
	url := webhooktest.Menu(t, "testdata/menus/advanced-ivr.yaml")
	r := ivrctl(t, "test", "--webhook", url, "--request", "testdata/own-backend/send-callflow.json", file)
	if r.code != 0 || !strings.HasSuffix(r.stdout, "4 passed, 0 failed\n") {
		t.Errorf("--request: exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	// Without it the suite hears the embedded simple IVR first and fails.
	if r := ivrctl(t, "test", "--webhook", url, file); r.code != 1 {
		t.Errorf("without --request: exit %d, want 1", r.code)
	}

	withTo := filepath.Join(dir, "with-to.yaml")
	if err := os.WriteFile(withTo, []byte("name: numbers too\ncall: {to: \"+6590000001\"}\nexpect: {status: COMPLETED}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = ivrctl(t, "test", "--request", "testdata/own-backend/send-callflow.json", withTo)
	if want := withTo + ":1: call: to and from are not used with --request"; r.code != 2 || !strings.Contains(r.stderr, want) {
		t.Errorf("call.to with --request: exit %d, stderr %q; want 2 and %q", r.code, r.stderr, want)
	}

	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"callflow":[{"action":"say","params":{"text":"hi","voiceProfile":"en-US-Jenny"}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	r = ivrctl(t, "test", "--request", bad, file)
	if r.code != 2 || !strings.Contains(r.stderr, bad+": ") || !strings.Contains(r.stderr, "-1013") {
		t.Errorf("invalid --request: exit %d, stderr %q; want 2 naming the file and -1013", r.code, r.stderr)
	}
}
