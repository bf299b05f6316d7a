package configcmd_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ivrctl/ivrctl/cmd"
	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/cmd/cmdutil/cmdtest"
	"github.com/ivrctl/ivrctl/cmd/configcmd"
)

const (
	fileKey = "sk-file-2b7e151628aed2a6-FILE"
	envKey  = "sk-env-abf7158809cf4f3c-ENVK"
)

func TestMain(m *testing.M) { os.Exit(cmdtest.Main(m)) }

// execute runs ivrctl through the real command tree and error reporting.
func execute(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	io, _, out, errOut := cmdutil.Test()
	code = cmd.Execute(cmd.BuildInfo{Version: "test"}, args, io)
	for _, s := range []string{out.String(), errOut.String()} {
		if strings.Contains(s, fileKey) || strings.Contains(s, envKey) {
			t.Fatalf("an API key leaked:\n%s", s)
		}
	}
	return code, out.String(), errOut.String()
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// One precedence everywhere: flag > env > file > default, for the same key,
// seen by `config view` and by `call` (the URL its dry run would post to).
func TestPrecedence(t *testing.T) {
	const (
		flagURL = "https://flag.example"
		envURL  = "https://env.example"
		fileURL = "https://file.example"
	)
	// emptyEnv: the variables are exported but empty, which counts as
	// unset (viper's rule): they must not hide the file's values.
	tests := []struct {
		flag, env, file, emptyEnv bool
		want                      string
		source                    cmdutil.Source
	}{
		{false, false, false, false, cmdutil.DefaultBaseURL, cmdutil.SourceDefault},
		{false, false, true, false, fileURL, cmdutil.SourceFile},
		{false, true, false, false, envURL, cmdutil.SourceEnv},
		{false, true, true, false, envURL, cmdutil.SourceEnv},
		{true, false, false, false, flagURL, cmdutil.SourceFlag},
		{true, false, true, false, flagURL, cmdutil.SourceFlag},
		{true, true, false, false, flagURL, cmdutil.SourceFlag},
		{true, true, true, false, flagURL, cmdutil.SourceFlag},
		{false, false, false, true, cmdutil.DefaultBaseURL, cmdutil.SourceDefault},
		{false, false, true, true, fileURL, cmdutil.SourceFile},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("flag=%v,env=%v,file=%v,emptyEnv=%v", tt.flag, tt.env, tt.file, tt.emptyEnv), func(t *testing.T) {
			content := fmt.Sprintf("api-key: %s\nsubaccount: acme_voice\nfrom: \"6561115777\"\n", fileKey)
			if tt.file {
				content += "base-url: " + fileURL + "\n"
			}
			args := []string{"--config", writeFile(t, content)}
			if tt.env {
				t.Setenv("IVRCTL_BASE_URL", envURL)
			}
			if tt.emptyEnv {
				for _, k := range []string{"IVRCTL_BASE_URL", "IVRCTL_API_KEY", "IVRCTL_SUBACCOUNT", "IVRCTL_FROM", "IVRCTL_TO"} {
					t.Setenv(k, "")
				}
			}
			if tt.flag {
				args = append(args, "--base-url", flagURL)
			}

			code, out, errOut := execute(t, append([]string{"config", "view", "-o", "json"}, args...)...)
			if code != 0 {
				t.Fatalf("config view: exit %d: %s", code, errOut)
			}
			var v configcmd.View
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatal(err)
			}
			got := setting(t, v, cmdutil.KeyBaseURL)
			if got.Value != tt.want || got.Source != string(tt.source) {
				t.Errorf("config view: base-url = %q from %s, want %q from %s", got.Value, got.Source, tt.want, tt.source)
			}

			code, out, errOut = execute(t, append([]string{"call", "--to", "6512345678", "--dry-run", "-o", "json"}, args...)...)
			var dry struct{ URL string }
			json.Unmarshal([]byte(out), &dry)
			if want := tt.want + "/api/v1/subaccounts/acme_voice/callflows"; code != 0 || dry.URL != want {
				t.Errorf("call --dry-run: exit %d, URL %q, want %q\n%s", code, dry.URL, want, errOut)
			}
		})
	}
}

func setting(t *testing.T, v configcmd.View, key string) configcmd.Setting {
	t.Helper()
	for _, s := range v.Settings {
		if s.Key == key {
			return s
		}
	}
	t.Fatalf("no %s in %+v", key, v)
	return configcmd.Setting{}
}

// The API key has no flag: env beats file, and both are shown masked.
func TestAPIKeyMasked(t *testing.T) {
	path := writeFile(t, "api-key: "+fileKey+"\n")
	for _, env := range []bool{false, true} {
		if env {
			t.Setenv("IVRCTL_API_KEY", envKey)
		}
		code, out, errOut := execute(t, "config", "view", "--config", path, "-o", "json")
		var v configcmd.View
		json.Unmarshal([]byte(out), &v)
		got := setting(t, v, cmdutil.KeyAPIKey)
		want := configcmd.Setting{Key: "api-key", Value: "********FILE", Source: "file", Env: "IVRCTL_API_KEY", Secret: true}
		if env {
			want.Value, want.Source = "********ENVK", "env"
		}
		if d := cmp.Diff(want, got); d != "" || code != 0 {
			t.Errorf("env=%v: exit %d (-want +got):\n%s%s", env, code, d, errOut)
		}
		code, out, _ = execute(t, "config", "view", "--config", path)
		if code != 0 || !strings.Contains(out, want.Value) {
			t.Errorf("text view lacks %s:\n%s", want.Value, out)
		}
	}
	if code, _, errOut := execute(t, "config", "view", "--api-key", "x"); code != cmdutil.ExitUsage || !strings.Contains(errOut, "unknown flag: --api-key") {
		t.Errorf("--api-key accepted: exit %d %s", code, errOut)
	}
}

func TestViewText(t *testing.T) {
	path := writeFile(t, "subaccount: filesub\napi-key: "+fileKey+"\n")
	t.Setenv("IVRCTL_FROM", "6561115777")
	code, out, _ := execute(t, "config", "view", "--config", path, "--agent", "6512345678")
	want := "config file: " + path + " (read)\n\n" +
		"KEY                VALUE                  SOURCE\n" +
		"api-key            ********FILE           file\n" +
		"subaccount         filesub                file\n" +
		"from               6561115777             env (IVRCTL_FROM)\n" +
		"agent              6512345678             flag (--agent)\n" +
		"base-url           https://voice.8x8.com  default\n" +
		"menu               -                      unset\n" +
		// emulate's settings, registered by cmd/emulate
		// serve's and call --wait's webhook server, registered by cmd/webhookopts
		"auth-secret        -                      unset\n" +
		"auth-header        Authorization          default\n" +
		"token              -                      unset\n" +
		"basic-auth         -                      unset\n" +
		"allow-ip           -                      unset\n" +
		"trust-proxy        -                      unset\n" +
		"sessions           -                      unset\n" +
		"record             -                      unset\n" +
		// call's, registered by cmd/call
		"client-request-id  -                      unset\n" +
		"no-profile-check   -                      unset\n" +
		"timeout            -                      unset\n" +
		"listen             127.0.0.1:8080         default\n" +
		// campaign's
		"attempts           1                      default\n" +
		"retry-after        30m0s                  default\n" +
		"retry-on           busy,no-answer         default\n" +
		"window             -                      unset\n" +
		"tz                 -                      unset\n" +
		"vca-url            -                      unset\n" +
		"vss-url            -                      unset\n" +
		"vcs-url            -                      unset\n" +
		"callers            -                      unset\n" +
		"answer             answer                 default\n" +
		"agent-answer       answer                 default\n" +
		"press              -                      unset\n" +
		"webhook-timeout    5s                     default\n" +
		"numbers            6561115777             default\n" +
		"profiles           -                      unset\n" +
		// serve's, registered by cmd/serve
		"port               8080                   default\n" +
		"addr               127.0.0.1              default\n" +
		"log-format         text                   default\n" +
		"metrics            true                   default\n" +
		"watch              -                      unset\n" +
		"record-queue       4096                   default\n" +
		"max-conns          4096                   default\n"
	if code != 0 || out != want {
		t.Errorf("exit %d (-want +got):\n%s", code, cmp.Diff(want, out))
	}
}

func TestViewNoFile(t *testing.T) {
	code, out, _ := execute(t, "config", "view")
	if code != 0 || !strings.Contains(out, "(not found)") || !regexp.MustCompile(`\napi-key +- +unset\n`).MatchString(out) {
		t.Errorf("exit %d:\n%s", code, out)
	}
	code, _, errOut := execute(t, "config", "view", "--config", "/nonexistent/ivrctl.yaml")
	if code != cmdutil.ExitUsage || !strings.Contains(errOut, "config file") {
		t.Errorf("missing --config file: exit %d %s", code, errOut)
	}
}

// IVRCTL_CONFIG names the config file when --config does not.
func TestConfigFileFromEnv(t *testing.T) {
	path := writeFile(t, "subaccount: from-env-file\n")
	t.Setenv("IVRCTL_CONFIG", path)
	code, out, errOut := execute(t, "config", "view", "-o", "json")
	var v configcmd.View
	if err := json.Unmarshal([]byte(out), &v); err != nil || code != 0 {
		t.Fatalf("exit %d, %v: %s", code, err, errOut)
	}
	want := configcmd.Setting{Key: "subaccount", Value: "from-env-file", Source: "file", Env: "IVRCTL_SUBACCOUNT", Flag: "--subaccount"}
	if d := cmp.Diff(want, setting(t, v, cmdutil.KeySubaccount)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	// --config still wins over IVRCTL_CONFIG.
	other := writeFile(t, "subaccount: from-flag-file\n")
	if code, out, _ := execute(t, "config", "view", "--config", other); code != 0 || !strings.Contains(out, "from-flag-file") {
		t.Errorf("--config did not win: exit %d\n%s", code, out)
	}
}
