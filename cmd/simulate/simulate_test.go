package simulate_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ivrctl/ivrctl/cmd"
	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/golden"
)

// repoRoot is where the commands of these tests run, so paths read as
// a user types them.
const repoRoot = "../.."

type result struct {
	stdout, stderr string
	code           int
}

// ivrctl runs the real command tree, as the binary would, with test streams.
func ivrctl(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	io, in, out, errOut := cmdutil.Test()
	in.WriteString(stdin)
	// A config file or IVRCTL_* variable on the machine must not leak in.
	args = append([]string{"--config", emptyConfig(t)}, args...)
	code := cmd.Execute(cmd.BuildInfo{Version: "test"}, args, io)
	return result{stdout: out.String(), stderr: errOut.String(), code: code}
}

// emptyConfig returns an empty config file, so that no config file or
// IVRCTL_* setting on the machine leaks into a test.
func emptyConfig(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestMain(m *testing.M) {
	if err := os.Chdir(repoRoot); err != nil {
		panic(err)
	}
	os.Unsetenv("NO_COLOR")
	os.Exit(m.Run())
}

func TestSimulateGolden(t *testing.T) {
	// Each case is a command line a user types and its whole output.
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"dtmf3-text", []string{"simulate", "testdata/dtmf3.json"}, 0},
		{"dtmf1-json", []string{"simulate", "-o", "json", "testdata/dtmf1.json"}, 0},
		{"dir-json", []string{"simulate", "-o", "json", "testdata/"}, 0},
		{"dir-text", []string{"simulate", "testdata"}, 0},
		{"inbound", []string{"simulate", "testdata/inbound-call-received.json"}, 0},
		{"dtmf-override", []string{"simulate", "--dtmf", "2", "--agent", "+6590000000", "testdata/dtmf3.json"}, 0},
		{"dtmf-override-none", []string{"simulate", "-o", "json", "--dtmf", "", "testdata/dtmf1.json"}, 0},
		{"advanced-dir", []string{"simulate", "--menu", "testdata/menus/advanced-ivr.yaml", "testdata/simulate/recorded"}, 1},
		{"walk-simple", []string{"simulate", "--walk", "3,,2"}, 0},
		{"walk-simple-json", []string{"simulate", "-o", "json", "--walk", "3,1"}, 0},
		{"walk-advanced-book", []string{"simulate", "--menu", "testdata/menus/advanced-ivr.yaml", "--walk", "1,1,2"}, 0},
		{"walk-advanced-connect", []string{"simulate", "--menu", "testdata/menus/advanced-ivr.yaml", "--walk", "2,1,9"}, 0},
		{"walk-advanced-back", []string{"simulate", "--menu", "testdata/menus/advanced-ivr.yaml", "--walk", "1,3,3"}, 0},
		{"walk-advanced-runs-out", []string{"simulate", "--menu", "testdata/menus/advanced-ivr.yaml", "-o", "json", "--walk", "1"}, 0},
		{"bad-inputs", []string{"simulate", "testdata/simulate/bad", "testdata/dtmf1.json", "testdata/nonexistent.json"}, 2},
		{"expect-pass", []string{"simulate", "--expect", "testdata/dtmf1.expected.json", "testdata/eventdata-dtmf1.json"}, 0},
		{"expect-fail", []string{"simulate", "--expect", "testdata/dtmf1.expected.json", "testdata/dtmf2.json"}, 1},
		{"walk-expect-fail", []string{"simulate", "--walk", "1", "--expect", "testdata/dtmf2.expected.json"}, 1},
		{"call-status", []string{"simulate", "testdata/simulate/call-status.json"}, 0},
		{"call-status-json", []string{"simulate", "-o", "json", "testdata/simulate/call-status.json"}, 0},
		{"broken-golden", []string{"simulate", "testdata/simulate/broken-golden.json"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ivrctl(t, "", tt.args...)
			if r.code != tt.code {
				t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tt.code, r.stdout, r.stderr)
			}
			golden.Text(t, filepath.Join("testdata", "simulate", "golden", tt.name+".txt"), "$ ivrctl "+strings.Join(tt.args, " ")+"\n-- stdout --\n"+r.stdout+"-- stderr --\n"+r.stderr)
		})
	}
}

// -o json: one object per input, with its file, its verdict and, as
// "answer", the exact body serve answers.
func TestSimulateJSONIsTheWebhookBody(t *testing.T) {
	r := ivrctl(t, "", "simulate", "-o", "json", "testdata/dtmf1.json")
	want := `{"file":"testdata/dtmf1.json","verdict":"matches","menu":"main","digits":"1","matched":"1","answer":{"callflow":[{"action":"hangup"}]},"expected":"testdata/dtmf1.expected.json"}` + "\n"
	if r.stdout != want || r.code != 0 {
		t.Fatalf("got %q (exit %d), want the seed's hangup answer", r.stdout, r.code)
	}
}

// An event naming a menu the file lacks: serve and simulate both answer
// with the start menu, and both say so. simulate shows that answer (and
// checks it like any other) and warns; serve logs the digit pressed.
func TestSimulateUnknownMenuIsAnsweredWithTheStart(t *testing.T) {
	const f = "testdata/simulate/unknown-client-action-id.json"
	r := ivrctl(t, "", "simulate", f)
	if r.code != 0 || !strings.Contains(r.stdout, "menu ivr-1-stage-1, pressed 1, an unknown menu: answered with the start menu") ||
		!strings.Contains(r.stdout, `asks      "Dear customer`) ||
		r.stderr != "warning "+f+`: clientActionId "ivr-1-stage-1" names no menu: answered with the start menu "main"`+"\n" {
		t.Errorf("exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	r = ivrctl(t, "", "simulate", "-o", "json", f)
	if r.code != 0 || !strings.Contains(r.stdout, `"verdict":"answered","menu":"ivr-1-stage-1","digits":"1","matched":"fallback","answer":{"clientActionId":"main"`) ||
		!strings.Contains(r.stdout, `"warning":"clientActionId \"ivr-1-stage-1\" names no menu`) {
		t.Errorf("-o json: exit %d\nstdout %s", r.code, r.stdout)
	}
	// Checked against an answer it does not give, it fails as any
	// changed answer does.
	r = ivrctl(t, "", "simulate", "--expect", "testdata/dtmf1.expected.json", f)
	if r.code != 1 {
		t.Errorf("--expect another answer: exit %d, want 1", r.code)
	}
}

func TestSimulateStdin(t *testing.T) {
	data, err := os.ReadFile("testdata/dtmf2.json")
	if err != nil {
		t.Fatal(err)
	}
	r := ivrctl(t, string(data), "simulate", "-o", "json", "--from", "+6561115777", "-")
	want := `{"file":"stdin","verdict":"answered","menu":"main","digits":"2","matched":"2","answer":{"callflow":[{"action":"makeCall","params":{"source":"+6561115777","destination":"6561115777"}}]}}` + "\n"
	if diff := cmp.Diff(want, r.stdout); diff != "" || r.code != 0 {
		t.Fatalf("exit %d, stdout (-want +got):\n%s\nstderr: %s", r.code, diff, r.stderr)
	}
}

func TestSimulateBadInputs(t *testing.T) {
	// Each bad input gets one line naming the file and the reason; the
	// good input after them is still answered.
	empty := t.TempDir()
	tests := []struct {
		path, reason string
	}{
		{"testdata/simulate/bad/malformed.json", "invalid JSON"},
		{"testdata/simulate/bad/empty.json", "empty: expected a JSON object"},
		{"testdata/simulate/bad/not-an-event.json", "not an event: expected a JSON object: found an array"},
		{"testdata/simulate/bad/session-summary.json", "a session summary (VSS), not a call action (VCA)"},
		{"testdata/simulate/bad/missing-payload.json", `no "payload" object`},
		{empty, "no *.json events in this directory"},
		{"testdata/does-not-exist.json", "no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			r := ivrctl(t, "", "simulate", "-o", "json", tt.path, "testdata/dtmf1.json")
			if r.code != 2 {
				t.Errorf("exit code %d, want 2", r.code)
			}
			lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
			if len(lines) != 2 || !strings.HasPrefix(lines[0], "error "+tt.path+": ") || !strings.Contains(lines[0], tt.reason) {
				t.Errorf("stderr %q: want one line naming %s and %q, then the summary", r.stderr, tt.path, tt.reason)
			}
			if lines[len(lines)-1] != "1 passed, 1 failed" {
				t.Errorf("summary %q, want 1 passed, 1 failed", lines[len(lines)-1])
			}
			if !strings.HasSuffix(r.stdout, `"answer":{"callflow":[{"action":"hangup"}]},"expected":"testdata/dtmf1.expected.json"}`+"\n") {
				t.Errorf("the good input was not answered: stdout %q", r.stdout)
			}
		})
	}
}

func TestSimulateUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		msg  string
	}{
		{[]string{"simulate"}, "no input"},
		{[]string{"simulate", "-o", "yaml", "testdata/dtmf1.json"}, `--output "yaml"`},
		{[]string{"simulate", "--walk", "1", "testdata/dtmf1.json"}, "give no PATH"},
		{[]string{"simulate", "--walk", "1", "--dtmf", "2"}, "use one"},
		{[]string{"simulate", "--walk", ""}, "--walk needs at least one turn"},
		{[]string{"simulate", "--menu", "testdata/nope.yaml", "testdata/dtmf1.json"}, "menu: open testdata/nope.yaml"},
		{[]string{"simulate", "--expect", "testdata/nope.json", "testdata/dtmf1.json"}, "--expect: open testdata/nope.json"},
		{[]string{"simulate", "--bogus"}, "unknown flag: --bogus"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := ivrctl(t, "", tt.args...)
			if r.code != 2 {
				t.Errorf("exit code %d, want 2", r.code)
			}
			if !strings.HasPrefix(r.stderr, "ivrctl: ") || !strings.Contains(r.stderr, tt.msg) {
				t.Errorf("stderr %q: want an 'ivrctl:' line containing %q", r.stderr, tt.msg)
			}
		})
	}
}

func TestSimulateRecordedPairsDetectARegression(t *testing.T) {
	// A recorded pair checked against a changed menu fails with a diff
	// naming the field that changed.
	r := ivrctl(t, "", "simulate", "--menu", "testdata/menus/advanced-ivr.yaml", "testdata/simulate/recorded")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1", r.code)
	}
	if !regexp.MustCompile(`(?s)FAIL testdata/simulate/recorded/hours.json.*-\s+"10AM and 10",\n\+\s+"9AM and 9",`).MatchString(r.stderr) {
		t.Errorf("stderr lacks the diff:\n%s", r.stderr)
	}
	if !strings.HasSuffix(r.stdout, "1 passed, 1 failed\n") {
		t.Errorf("stdout does not end with the summary:\n%s", r.stdout)
	}
}

func TestSimulateColour(t *testing.T) {
	io, _, out, _ := cmdutil.Test()
	io.SetTTY(true)
	io.ForceColor()
	cmd.Execute(cmd.BuildInfo{}, []string{"--config", emptyConfig(t), "simulate", "testdata/dtmf1.json"}, io)
	if !strings.Contains(out.String(), "\x1b[") {
		t.Errorf("a terminal got no colour: %q", out.String())
	}
	if r := ivrctl(t, "", "simulate", "testdata/dtmf1.json"); strings.Contains(r.stdout+r.stderr, "\x1b[") {
		t.Errorf("piped output has escape codes: %q", r.stdout)
	}
}
