package cmd

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
)

// run executes the real root command, plus an extra `fail` command whose
// RunE returns failErr, and reports as Execute does.
func run(t *testing.T, failErr error, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	io, _, out, errOut := cmdutil.Test()
	f := cmdutil.NewFactory(io, "dev")
	root := NewRootCmd(f, BuildInfo{Version: "dev"})
	fail := &cobra.Command{
		Use:  "fail [flags] ARG",
		Args: cobra.ExactArgs(1),
		RunE: func(*cobra.Command, []string) error { return failErr },
	}
	fail.Flags().String("need", "", "a required flag")
	_ = fail.MarkFlagRequired("need")
	root.AddCommand(fail)
	markRunErrors(fail)
	root.SetArgs(args)
	cmd, err := root.ExecuteC()
	if err == nil {
		return cmdutil.ExitOK, out.String(), errOut.String()
	}
	return reportError(f, cmd, err), out.String(), errOut.String()
}

func TestReportError(t *testing.T) {
	const failUsage = "usage: ivrctl fail [flags] ARG\nrun 'ivrctl fail --help' for more\n"
	tests := []struct {
		name       string
		err        error // what fail's RunE returns
		args       []string
		wantCode   int
		wantStderr string
	}{
		{
			name: "unknown flag", args: []string{"fail", "--bogus"},
			wantCode: 2, wantStderr: "ivrctl: unknown flag: --bogus\n" + failUsage,
		},
		{
			name: "wrong number of args", args: []string{"fail", "--need", "x"},
			wantCode: 2, wantStderr: "ivrctl: accepts 1 arg(s), received 0\n" + failUsage,
		},
		{
			name: "required flag missing", args: []string{"fail", "a"},
			wantCode: 2, wantStderr: "ivrctl: required flag(s) \"need\" not set\n" + failUsage,
		},
		{
			name: "unknown command", args: []string{"nosuch"},
			wantCode: 2, wantStderr: "ivrctl: unknown command \"nosuch\" for \"ivrctl\"\nusage: ivrctl <command> [flags]\nrun 'ivrctl --help' for more\n",
		},
		{
			name: "plain error from the command", args: []string{"fail", "--need", "x", "a"},
			err:      errors.New("simulate testdata/x.json: unexpected end of JSON input"),
			wantCode: 1, wantStderr: "ivrctl: simulate testdata/x.json: unexpected end of JSON input\n",
		},
		{
			// EINVAL's text is "invalid argument": string matching on cobra's
			// messages used to turn this into a usage error (exit 2).
			name: "transport error whose text looks like a usage error", args: []string{"fail", "--need", "x", "a"},
			err: &cmdutil.ExitError{Code: cmdutil.ExitTransport,
				Err:  fmt.Errorf("call: sending request: %w", syscall.EINVAL),
				Hint: "check your network"},
			wantCode: 4, wantStderr: "ivrctl: call: sending request: invalid argument\ncheck your network\n",
		},
		{
			name: "plain error mentioning accepts", args: []string{"fail", "--need", "x", "a"},
			err:      errors.New("serve: the server accepts only POST"),
			wantCode: 1, wantStderr: "ivrctl: serve: the server accepts only POST\n",
		},
		{
			name: "exit error with hint", args: []string{"fail", "--need", "x", "a"},
			err:      cmdutil.WithHint(errors.New("call: 8x8 refused the request: NOT_CREATED"), cmdutil.ExitRejected, "check the virtual number"),
			wantCode: 3, wantStderr: "ivrctl: call: 8x8 refused the request: NOT_CREATED\ncheck the virtual number\n",
		},
		{
			name: "multi-line error is indented", args: []string{"fail", "--need", "x", "a"},
			err:      errors.New("validate: 2 problems\nfirst\nsecond"),
			wantCode: 1, wantStderr: "ivrctl: validate: 2 problems\n  first\n  second\n",
		},
		{
			name: "silent error prints nothing more", args: []string{"fail", "--need", "x", "a"},
			err:      &cmdutil.SilentError{Code: cmdutil.ExitFailed},
			wantCode: 1, wantStderr: "",
		},
		{
			name: "man without --dir", args: []string{"man"},
			wantCode: 2, wantStderr: "ivrctl: required flag(s) \"dir\" not set\nusage: ivrctl man --dir DIR [flags]\nrun 'ivrctl man --help' for more\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, tt.err, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d", code, tt.wantCode)
			}
			if diff := cmp.Diff(tt.wantStderr, stderr); diff != "" {
				t.Errorf("stderr (-want +got):\n%s", diff)
			}
		})
	}
}

func TestConfigFlagHelpIsNotThisMachinesPath(t *testing.T) {
	// The help text lands in man pages built at release: it must not carry
	// the builder's home directory.
	io, _, _, _ := cmdutil.Test()
	root := NewRootCmd(cmdutil.NewFactory(io, "dev"), BuildInfo{})
	usage := root.PersistentFlags().Lookup("config").Usage
	if home, err := os.UserHomeDir(); err == nil && strings.Contains(usage, home) {
		t.Errorf("--config help %q contains the home directory %q", usage, home)
	}
}

func TestManWritesOnePagePerCommand(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1767323045") // 2026-01-02
	dir := filepath.Join(t.TempDir(), "man")
	io, _, _, errOut := cmdutil.Test()
	if code := Execute(BuildInfo{Version: "1.2.3"}, []string{"man", "--dir", dir}, io); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got []string
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		got = append(got, e.Name())
	}
	for _, want := range []string{"ivrctl.1", "ivrctl-validate.1", "ivrctl-completion-bash.1"} {
		if !contains(got, want) {
			t.Errorf("pages %v: missing %s", got, want)
		}
	}
	if contains(got, "ivrctl-man.1") {
		t.Errorf("pages %v: the hidden man command has a page", got)
	}
	page, err := os.ReadFile(filepath.Join(dir, "ivrctl.1"))
	if err != nil {
		t.Fatal(err)
	}
	// Title, section, date from SOURCE_DATE_EPOCH, version, manual name;
	// no "Auto generated" footer carrying today's date.
	if want := `.TH "IVRCTL" "1" "Jan 2026" "ivrctl 1.2.3" "ivrctl manual"`; !bytes.Contains(page, []byte(want)) {
		t.Errorf("ivrctl.1 lacks header %s:\n%s", want, head(page))
	}
	if bytes.Contains(page, []byte("Auto generated")) {
		t.Error("ivrctl.1 carries cobra's auto-generated footer")
	}
	if !bytes.Contains(page, []byte("Exit codes:")) {
		t.Error("ivrctl.1 lacks the exit code table")
	}
}

func TestManDirUnwritable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	io, _, _, errOut := cmdutil.Test()
	code := Execute(BuildInfo{}, []string{"man", "--dir", filepath.Join(file, "man")}, io)
	if code != cmdutil.ExitFailed || !strings.HasPrefix(errOut.String(), "ivrctl: man: creating ") {
		t.Errorf("exit %d, stderr %q; want 1 and 'ivrctl: man: creating ...'", code, errOut)
	}
}

func contains(list []string, s string) bool {
	return slices.Contains(list, s)
}

func head(b []byte) string {
	lines := strings.SplitN(string(b), "\n", 4)
	return strings.Join(lines[:min(3, len(lines))], "\n")
}

// --no-color is a setting like any other: the flag, IVRCTL_NO_COLOR and
// no-color: in the config file all turn colour off, even when it is forced
// on (CLICOLOR_FORCE). The error line is the coloured output checked.
func TestNoColorFromEverySource(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.yaml")
	noColorFile := filepath.Join(dir, "no-color.yaml")
	for p, content := range map[string]string{empty: "{}\n", noColorFile: "no-color: true\n"} {
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name      string
		env       string
		args      []string
		wantColor bool
	}{
		{"forced", "", []string{"--config", empty}, true},
		{"flag", "", []string{"--config", empty, "--no-color"}, false},
		{"env", "1", []string{"--config", empty}, false},
		{"env true", "true", []string{"--config", empty}, false},
		{"config file", "", []string{"--config", noColorFile}, false},
		{"flag beats env", "1", []string{"--config", empty, "--no-color=false"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("XDG_CONFIG_HOME", t.TempDir())
			t.Setenv("IVRCTL_NO_COLOR", tt.env) // restored after the test
			if tt.env == "" {
				os.Unsetenv("IVRCTL_NO_COLOR")
			}
			io, _, _, errOut := cmdutil.Test()
			io.ForceColor() // as CLICOLOR_FORCE=1 does
			args := append([]string{"call", "--to", "6512345678"}, tt.args...)
			code := Execute(BuildInfo{Version: "dev"}, args, io)
			if code != cmdutil.ExitUsage || !strings.Contains(errOut.String(), "no api-key set") {
				t.Fatalf("exit %d\n%s", code, errOut)
			}
			if got := strings.Contains(errOut.String(), "\x1b["); got != tt.wantColor {
				t.Errorf("colour %v, want %v:\n%q", got, tt.wantColor, errOut)
			}
		})
	}
}
