package testcmd_test

import (
	"encoding/json"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ivrctl/ivrctl/cmd"
	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/cmd/cmdutil/cmdtest"
	"github.com/ivrctl/ivrctl/internal/servetest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/test/golden")

type result struct {
	stdout, stderr string
	code           int
}

// ivrctl runs the real command tree, as the binary would, with test streams.
func ivrctl(t *testing.T, args ...string) result {
	t.Helper()
	io, _, out, errOut := cmdutil.Test()
	code := cmd.Execute(cmd.BuildInfo{Version: "test"}, args, io)
	return result{stdout: out.String(), stderr: errOut.String(), code: code}
}

// TestMain runs from the repository root, so that files are named as a
// user names them, with no IVRCTL_* variable or config file leaking in.
func TestMain(m *testing.M) {
	flag.Parse()
	if err := os.Chdir("../.."); err != nil {
		panic(err)
	}
	cleanup := cmdtest.Isolate()
	os.Unsetenv("NO_COLOR")
	os.Unsetenv("CLICOLOR_FORCE")
	code := m.Run()
	cleanup()
	os.Exit(code)
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "test", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file: %v (run go test ./cmd/test -update)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", name, diff)
	}
}

// TestShippedScenariosPass: `ivrctl test testdata/scenarios` passes,
// one line per scenario, in input order, and the summary.
func TestShippedScenariosPass(t *testing.T) {
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
			golden(t, "wrong-"+name+".txt", r.stdout)
		})
	}
}

// TestBadFiles: a bad scenario file is exit 2, nothing runs, and each
// problem is one line file:line: field: message.
func TestBadFiles(t *testing.T) {
	r := ivrctl(t, "test", "testdata/scenarios/simple-ivr", "testdata/test/bad/press-letters.yaml", "testdata/test/bad/unknown-field.yaml")
	want := `ivrctl: testdata/test/bad/press-letters.yaml:6: caller.steps[1].press: must be digits 0-9, * or #, found "1a"
  testdata/test/bad/unknown-field.yaml:4: caller.steps[0]: unknown field "pres" (known: expect, press, silence, hangup)
  testdata/test/bad/unknown-field.yaml:7: expect: unknown field "webhookcalls" (known: heard, connected, status, webhookCalls)
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
	if doc.Tests != 13 || doc.Failures != 6 || len(doc.Suites) != 6 {
		t.Errorf("tests %d failures %d suites %d, want 13, 6, 6", doc.Tests, doc.Failures, len(doc.Suites))
	}
	golden(t, "junit.xml", timeAttr.ReplaceAllString(string(data), `time="0.000"`))
}

// TestJSON: -o json prints one object per scenario on stdout, the summary
// on stderr.
func TestJSON(t *testing.T) {
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
	for _, s := range []struct{ dir, menu string }{
		{"testdata/scenarios/simple-ivr", ""},
		{"testdata/scenarios/advanced-ivr", "testdata/menus/advanced-ivr.yaml"},
	} {
		url := servetest.Menu(t, s.menu)
		r := ivrctl(t, "test", "--webhook", url, s.dir)
		if r.code != 0 || r.stderr != "" || !regexp.MustCompile(`\n\d+ passed, 0 failed\n$`).MatchString(r.stdout) {
			t.Errorf("%s against serve: exit %d\nstdout:\n%s\nstderr:\n%s", s.dir, r.code, r.stdout, r.stderr)
		}
	}
}
