package profiles_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	at "github.com/ivrctl/ivrctl/cmd/account/accounttest"
	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/cmd/cmdutil/cmdtest"
	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/golden"
	"github.com/ivrctl/ivrctl/pkg/voiceapi"
)

func TestMain(m *testing.M) { os.Exit(cmdtest.Main(m)) }

var profilesPath = at.Path("speech-profiles")

func TestProfilesTable(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, golden string }{
		{"", "all.golden"},
		{"en-US", "en-US.golden"},
		{"EN", "en.golden"},
	} {
		t.Run(tt.golden, func(t *testing.T) {
			t.Parallel()
			fake := at.NewFake(t, map[string][]at.Answer{"GET " + profilesPath: {at.OK(at.ProfilesBody)}})
			args := []string{"profiles", "--config", at.Config(t, ""), "--base-url", fake.URL}
			if tt.name != "" {
				args = append(args, "--language", tt.name)
			}
			r := at.Run(t, "", args...)
			if r.Code != 0 || r.Stderr != "" {
				t.Fatalf("exit %d: %s", r.Code, r.Stderr)
			}
			golden.Text(t, filepath.Join("testdata", tt.golden), r.Stdout)
			want := []at.Request{{Method: "GET", Path: profilesPath, Auth: "Bearer " + at.Key}}
			if d := cmp.Diff(want, fake.Requests()); d != "" {
				t.Errorf("requests (-want +got):\n%s", d)
			}
		})
	}
}

func TestProfilesJSON(t *testing.T) {
	t.Parallel()
	fake := at.NewFake(t, map[string][]at.Answer{"GET " + profilesPath: {at.OK(at.ProfilesBody)}})
	r := at.Run(t, "", "profiles", "--config", at.Config(t, ""), "--base-url", fake.URL, "-o", "json", "--language", "en-US")
	if r.Code != 0 {
		t.Fatalf("exit %d: %s", r.Code, r.Stderr)
	}
	var got []callflow.SpeechProfile
	if err := json.Unmarshal([]byte(r.Stdout), &got); err != nil {
		t.Fatal(err)
	}
	want := []callflow.SpeechProfile{
		{Code: "en-US-BenjaminRUS", Locale: "en-US", LocaleDescription: "EnglishUS", Gender: "M"},
		{Code: "en-US-Standard-A", Locale: "en-US", LocaleDescription: "EnglishUS", Gender: "F"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	// An empty selection is an empty array, not null.
	r = at.Run(t, "", "profiles", "--config", at.Config(t, ""), "--base-url", fake.URL, "-o", "json", "--language", "xx")
	if r.Stdout != "[]\n" {
		t.Errorf("empty selection: %q", r.Stdout)
	}
	r = at.Run(t, "", "profiles", "--config", at.Config(t, ""), "--base-url", fake.URL, "--language", "xx")
	if r.Code != 0 || r.Stdout != "" || !strings.Contains(r.Stderr, "no speech profile of sub-account acme_voice matches --language xx") {
		t.Errorf("empty selection, text: exit %d, stdout %q, stderr %q", r.Code, r.Stdout, r.Stderr)
	}
}

// Errors: the exit code the README lists, 8x8's status and message, a
// hint, and the key only masked.
func TestProfilesErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		answers  []at.Answer
		code     int
		stderr   []string
		requests int
	}{
		{"401", []at.Answer{{Status: 401, Body: at.Unauthorized}}, cmdutil.ExitRejected,
			[]string{"8x8 refused the API key ********QRST", "HTTP 401: API key not found or invalid", "IVRCTL_API_KEY"}, 1},
		{"404", []at.Answer{{Status: 404, Body: at.NotFound}}, cmdutil.ExitTransport,
			[]string{"list speech profiles: HTTP 404: Resource not found", "IVRCTL_SUBACCOUNT"}, 1},
		{"429 then success", []at.Answer{{Status: 429, Body: `{"statusCode":429,"statusMessage":"Too Many Requests"}`, Header: map[string]string{"Retry-After": "0"}}, at.OK(at.ProfilesBody)},
			cmdutil.ExitOK, nil, 2},
		{"5xx then success", []at.Answer{{Status: 503, Body: at.ServerError}, at.OK(at.ProfilesBody)}, cmdutil.ExitOK, nil, 2},
		{"5xx every time", []at.Answer{{Status: 500, Body: at.ServerError}}, cmdutil.ExitTransport,
			[]string{"HTTP 500: Server error"}, 1 + voiceapi.DefaultRetries},
		{"not the profiles answer", []at.Answer{at.OK(`{"statusCode":0}`)}, cmdutil.ExitTransport,
			[]string{`has no "speechProfiles"`}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := at.NewFake(t, map[string][]at.Answer{"GET " + profilesPath: tt.answers})
			cache := t.TempDir()
			r := at.Run(t, cache, "profiles", "--config", at.Config(t, ""), "--base-url", fake.URL)
			if r.Code != tt.code {
				t.Fatalf("exit %d, want %d: %s", r.Code, tt.code, r.Stderr)
			}
			for _, s := range tt.stderr {
				if !strings.Contains(r.Stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, r.Stderr)
				}
			}
			if n := fake.Count("GET " + profilesPath); n != tt.requests {
				t.Errorf("%d requests, want %d", n, tt.requests)
			}
			// Only a list that was read is cached.
			entries, _ := os.ReadDir(cache)
			if cached := len(entries) > 0; cached != (tt.code == 0) {
				t.Errorf("cache has %d files after exit %d", len(entries), r.Code)
			}
		})
	}
}

func TestProfilesUsage(t *testing.T) {
	t.Parallel()
	r := at.Run(t, "", "profiles", "--base-url", "http://127.0.0.1:1")
	if r.Code != cmdutil.ExitUsage || !strings.Contains(r.Stderr, "IVRCTL_API_KEY") || !strings.Contains(r.Stderr, "--subaccount") {
		t.Errorf("exit %d: %s", r.Code, r.Stderr)
	}
	r = at.Run(t, "", "profiles", "--config", at.Config(t, ""), "--base-url", "http://voice.example.com")
	if r.Code != cmdutil.ExitUsage || !strings.Contains(r.Stderr, "--base-url") {
		t.Errorf("plain http: exit %d: %s", r.Code, r.Stderr)
	}
	r = at.Run(t, "", "profiles", "--config", at.Config(t, ""), "-o", "yaml")
	if r.Code != cmdutil.ExitUsage {
		t.Errorf("-o yaml: exit %d: %s", r.Code, r.Stderr)
	}
}

// Nothing listens: a transport failure, exit 4, after the retries.
func TestProfilesUnreachable(t *testing.T) {
	t.Parallel()
	r := at.Run(t, "", "profiles", "--config", at.Config(t, ""), "--base-url", "http://127.0.0.1:1")
	if r.Code != cmdutil.ExitTransport || !strings.Contains(r.Stderr, "list speech profiles: could not connect to 127.0.0.1:1") ||
		!strings.Contains(r.Stderr, "check --base-url and the network") {
		t.Errorf("exit %d: %s", r.Code, r.Stderr)
	}
}
