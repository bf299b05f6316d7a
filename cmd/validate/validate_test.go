package validate_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ivrctl/ivrctl/cmd"
	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/cmd/cmdutil/cmdtest"
)

func TestMain(m *testing.M) {
	if err := os.Chdir("../.."); err != nil { // paths as a user types them
		panic(err)
	}
	os.Exit(cmdtest.Main(m))
}

func run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfg, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	io, _, out, errOut := cmdutil.Test()
	code := cmd.Execute(cmd.BuildInfo{}, append([]string{"--config", cfg, "validate"}, args...), io)
	return out.String(), errOut.String(), code
}

// notChecked is said once when no list of voices was given or cached.
const notChecked = "note voices were not checked: give --profiles (codes, or a file as ivrctl profiles -o json prints) or --online; 8x8 refuses a voiceProfile the sub-account lacks (-1002)\n"

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		stdout string
		stderr string
		code   int
	}{
		{
			name:   "valid request, answers and menus",
			args:   []string{"testdata/golden/seed/request.json", "testdata/dtmf2.expected.json", "testdata/menus/simple-ivr.yaml", "testdata/menus/advanced-ivr.yaml"},
			stdout: "ok testdata/golden/seed/request.json\nok testdata/dtmf2.expected.json\nok testdata/menus/simple-ivr.yaml\nok testdata/menus/advanced-ivr.yaml\n",
			stderr: notChecked,
		},
		{
			name:   "--profiles checks voices offline, as 8x8 would (-1002)",
			args:   []string{"--profiles", "en-US-Jenny", "testdata/golden/seed/request.json", "testdata/menus/simple-ivr.yaml"},
			stdout: "invalid testdata/golden/seed/request.json: $.callflow[1].params.voiceProfile: Speech profile or language parameter invalid: \"en-US-BenjaminRUS\" is not in the --profiles list (-1002)\ninvalid testdata/menus/simple-ivr.yaml: capture.voiceProfile: Speech profile or language parameter invalid: \"en-US-BenjaminRUS\" is not in the --profiles list (-1002)\n",
			code:   1,
		},
		{
			name:   "--profiles takes the file ivrctl profiles -o json prints",
			args:   []string{"--profiles", "testdata/validate/ok/profiles.json", "testdata/golden/seed/request.json"},
			stdout: "ok testdata/golden/seed/request.json\n",
		},
		{
			name:   "--profiles any checks nothing and says nothing",
			args:   []string{"--profiles", "any", "testdata/golden/seed/request.json"},
			stdout: "ok testdata/golden/seed/request.json\n",
		},
		{
			name:   "a file with nothing 8x8 refuses but something it ignores is valid, with a warning",
			args:   []string{"--profiles", "any", "--kind", "request", "testdata/validate/ok/client-action-id-request.json"},
			stdout: "ok testdata/validate/ok/client-action-id-request.json\nwarning testdata/validate/ok/client-action-id-request.json: $.clientActionId: is only used in answers to VCA events: 8x8 ignores it in a Send Callflow request (the next event carries none)\n",
		},
		{
			name:   "validUntil that is not a date: refused, as the emulator refuses it",
			args:   []string{"--profiles", "any", "testdata/validate/bad-valid-until.json"},
			stdout: "invalid testdata/validate/bad-valid-until.json: $.validUntil: \"next tuesday\" is not a date-time like 2024-07-03T05:59:32.226Z (YYYY-MM-DDTHH:MM:SS.SSSZ, UTC) (-1009)\n",
			code:   1,
		},
		{
			name: "-o json: one object per file",
			args: []string{"-o", "json", "--profiles", "en-US-BenjaminRUS", "--kind", "request", "testdata/validate/ok/client-action-id-request.json", "testdata/validate/bad-valid-until.json", "testdata/menus/bad/dangling-open.yaml"},
			stdout: `{"file":"testdata/validate/ok/client-action-id-request.json","kind":"request","valid":true,"warnings":[{"path":"$.clientActionId","message":"is only used in answers to VCA events: 8x8 ignores it in a Send Callflow request (the next event carries none)"}]}
{"file":"testdata/validate/bad-valid-until.json","kind":"request","valid":false,"problems":[{"code":-1009,"path":"$.validUntil","message":"\"next tuesday\" is not a date-time like 2024-07-03T05:59:32.226Z (YYYY-MM-DDTHH:MM:SS.SSSZ, UTC)"}]}
{"file":"testdata/menus/bad/dangling-open.yaml","kind":"menu","valid":false,"problems":[{"message":"testdata/menus/bad/dangling-open.yaml:7: menus.main.options[\"1\"]: open: no menu \"sales\""}]}
`,
			code: 1,
		},
		{
			name:   "--online and --profiles together",
			args:   []string{"--online", "--profiles", "any", "x.json"},
			stderr: "ivrctl: --online and --profiles: give one list of speech profiles\n",
			code:   2,
		},
		{
			name: "every problem of a request, with 8x8's codes and paths",
			args: []string{"testdata/validate/bad-request.json"},
			stdout: `invalid testdata/validate/bad-request.json: $.callflow[0].params.text: is missing but it is required (-1009)
invalid testdata/validate/bad-request.json: $.callflow[0].params.repetition: must be between 1 and 3, got 5 (-1009)
invalid testdata/validate/bad-request.json: $.callflow[1].params.maxDigits: Valid maxDigits required when minDigits provided (-1003)
invalid testdata/validate/bad-request.json: $.callflow[1].params.digitTimeout: OverallTimeout should be greater than digitTimeout: digitTimeout 20000 > overallTimeout 10000 (-1006)
invalid testdata/validate/bad-request.json: $.callflow[2].action: should be one of: makeCall,say,sayAndCapture,playFile,hangup (-1007)
`,
			stderr: notChecked,
			code:   1,
		},
		{
			name:   "a request (it has validUntil) must start with makeCall",
			args:   []string{"testdata/validate/request-without-makecall.json"},
			stdout: "invalid testdata/validate/request-without-makecall.json: $.callflow[0].action: Invalid Callflow : First action should be a MakeCall action: the first action must be makeCall, not say (-1013)\n",
			stderr: notChecked,
			code:   1,
		},
		{
			name:   "--kind request judges any file as a request",
			args:   []string{"--kind", "request", "testdata/dtmf1.expected.json"},
			stdout: "invalid testdata/dtmf1.expected.json: $.callflow[0].action: Invalid Callflow : First action should be a MakeCall action: the first action must be makeCall, not hangup (-1013)\n",
			code:   1,
		},
		{
			name:   "--kind takes auto, request or response",
			args:   []string{"--kind", "menu", "testdata/dtmf1.expected.json"},
			stderr: "ivrctl: --kind \"menu\": use auto, request or response\n",
			code:   2,
		},
		{
			name:   "a bad menu names file, line, menu and field",
			args:   []string{"testdata/menus/bad/dangling-open.yaml"},
			stdout: "invalid testdata/menus/bad/dangling-open.yaml:7: menus.main.options[\"1\"]: open: no menu \"sales\"\n",
			code:   1,
		},
		{
			name:   "unreadable beats invalid",
			args:   []string{"testdata/menus/bad/dangling-open.yaml", "testdata/nope.json"},
			stdout: "invalid testdata/menus/bad/dangling-open.yaml:7: menus.main.options[\"1\"]: open: no menu \"sales\"\n",
			stderr: "error testdata/nope.json: no such file or directory\n",
			code:   2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := run(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit code %d, want %d", code, tt.code)
			}
			if diff := cmp.Diff(tt.stdout, stdout); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.stderr, stderr); diff != "" {
				t.Errorf("stderr (-want +got):\n%s", diff)
			}
		})
	}
}
