package call_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/accountcache"
)

const otherProfiles = `{"speechProfiles":[{"speechProfileCode":"en-GB-Emma","localeCode":"en-GB","localeDescription":"EnglishUK","gender":"F"}],"statusCode":0,"statusMessage":"ok"}`

func (f *fake8x8) setProfiles(body string) {
	f.mu.Lock()
	f.profiles = body
	f.mu.Unlock()
}

// An unknown voiceProfile is refused as 8x8 would (-1002, at its JSON
// path) before anything is sent: no Send Callflow reaches 8x8.
func TestCallRefusesUnknownProfile(t *testing.T) {
	t.Parallel()
	fake := newFake(t, nil)
	fake.setProfiles(otherProfiles)
	r := run(t, runOpts{cacheDir: t.TempDir()}, "call", "--config", writeConfig(t, ""), "--base-url", fake.URL, "--to", seedTo)
	if r.code != cmdutil.ExitUsage {
		t.Fatalf("exit %d, want 2: %s", r.code, r.stderr)
	}
	if n := fake.hits.Load(); n != 0 {
		t.Errorf("%d Send Callflow requests reached 8x8, want none", n)
	}
	want := `$.callflow[1].params.voiceProfile: Speech profile or language parameter invalid: "en-US-BenjaminRUS" is not a speech profile of sub-account acme_voice (-1002)`
	if !strings.Contains(r.stderr, "the request for "+seedTo+" would be refused, nothing sent") || !strings.Contains(r.stderr, want) {
		t.Errorf("stderr lacks the -1002 problem:\n%s", r.stderr)
	}
	if !strings.Contains(r.hint, "ivrctl profiles") || !strings.Contains(r.hint, "--no-profile-check") {
		t.Errorf("hint %q", r.hint)
	}
}

// --no-profile-check sends without asking for the profiles.
func TestCallNoProfileCheck(t *testing.T) {
	t.Parallel()
	fake := newFake(t, nil)
	fake.setProfiles(otherProfiles)
	r := run(t, runOpts{cacheDir: t.TempDir()}, "call", "--config", writeConfig(t, ""), "--base-url", fake.URL, "--to", seedTo, "--no-profile-check")
	if r.code != 0 || fake.hits.Load() != 1 {
		t.Fatalf("exit %d, %d requests: %s", r.code, fake.hits.Load(), r.stderr)
	}
	if n := fake.auxCount("/speech-profiles"); n != 0 {
		t.Errorf("%d speech-profiles requests, want none", n)
	}
}

// The lists are cached: a second call asks 8x8 for neither. The checks
// send the key as every request does.
func TestCallAccountCache(t *testing.T) {
	t.Parallel()
	fake := newFake(t, nil)
	cache, cfg := t.TempDir(), writeConfig(t, "")
	for i := range 2 {
		r := run(t, runOpts{cacheDir: cache}, "call", "--config", cfg, "--base-url", fake.URL, "--to", seedTo)
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("run %d: exit %d: %s", i, r.code, r.stderr)
		}
	}
	if p, n := fake.auxCount("/speech-profiles"), fake.auxCount("/numbers"); p != 1 || n != 1 {
		t.Errorf("%d speech-profiles and %d numbers requests over two calls, want 1 and 1 (the second from the cache)", p, n)
	}
	want := map[string]bool{"/api/v1/subaccounts/acme_voice/speech-profiles": true, "/api/v1/subaccounts/acme_voice/numbers": true}
	for _, r := range fake.aux() {
		if !want[r.Path] || r.Header.Get("Authorization") != "Bearer "+testKey {
			t.Errorf("account request %s %s, Authorization %q", r.Method, r.Path, r.Header.Get("Authorization"))
		}
	}
	if fake.hits.Load() != 2 {
		t.Errorf("%d calls placed, want 2", fake.hits.Load())
	}
	// The cache files are the user's only, and hold no key.
	entries, _ := os.ReadDir(cache)
	for _, e := range entries {
		data, _ := os.ReadFile(filepath.Join(cache, e.Name()))
		fi, _ := e.Info()
		if strings.Contains(string(data), testKey) || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, holds the key: %v", e.Name(), fi.Mode().Perm(), strings.Contains(string(data), testKey))
		}
	}
}

// A cached list that lacks the profile is fetched again before refusing:
// a voice added since is not refused for a day.
func TestCallStaleCacheRefetched(t *testing.T) {
	t.Parallel()
	fake := newFake(t, nil)
	fake.setProfiles(otherProfiles)
	cfg := writeConfig(t, "")
	cache := warmCache(t, fake, cfg)
	fake.setProfiles(defaultProfiles)
	r := run(t, runOpts{cacheDir: cache}, "call", "--config", cfg, "--base-url", fake.URL, "--to", seedTo)
	if r.code != 0 || fake.hits.Load() != 1 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if n := fake.auxCount("/speech-profiles"); n != 2 {
		t.Errorf("%d speech-profiles requests, want 2 (the warm-up, then the refetch)", n)
	}
}

// A corrupt cache file is ignored, and replaced by the list fetched.
func TestCallCorruptCache(t *testing.T) {
	t.Parallel()
	fake := newFake(t, nil)
	cache := t.TempDir()
	path := (&accountcache.Cache{Dir: cache}).Path("speech-profiles", fake.URL, testSub)
	if err := os.WriteFile(path, []byte(`{"version":1,"data":[{"speechProfileCode"`), 0o600); err != nil {
		t.Fatal(err)
	}
	r := run(t, runOpts{cacheDir: cache}, "call", "--config", writeConfig(t, ""), "--base-url", fake.URL, "--to", seedTo)
	if r.code != 0 || fake.auxCount("/speech-profiles") != 1 {
		t.Fatalf("exit %d, %d profile requests: %s", r.code, fake.auxCount("/speech-profiles"), r.stderr)
	}
	data, _ := os.ReadFile(path)
	if !json.Valid(data) || !strings.Contains(string(data), "en-US-BenjaminRUS") {
		t.Errorf("cache file not rewritten: %s", data)
	}
}

// --from not among the numbers: a warning, and the call is placed. The
// comparison ignores '+': the default list has +6561115777, the tests'
// --from is 6561115777, and no other test warns.
func TestCallFromNotOurs(t *testing.T) {
	t.Parallel()
	fake := newFake(t, nil)
	fake.mu.Lock()
	fake.numbers = `{"totalNumbers":1,"numbers":[{"msisdn":"+6500000000"}],"statusCode":0,"statusMessage":"ok"}`
	fake.mu.Unlock()
	r := run(t, runOpts{cacheDir: t.TempDir()}, "call", "--config", writeConfig(t, ""), "--base-url", fake.URL, "--to", seedTo)
	if r.code != 0 || fake.hits.Load() != 1 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	want := "warning: --from 6561115777 is not one of sub-account acme_voice's virtual numbers (ivrctl numbers lists them): 8x8 will likely refuse the call (-1014)\n"
	if r.stderr != want {
		t.Errorf("stderr %q, want %q", r.stderr, want)
	}
}

// The lists cannot be fetched: warnings, and the call goes ahead.
func TestCallAccountLookupFails(t *testing.T) {
	t.Parallel()
	cache := t.TempDir()
	fake := newFake(t, nil)
	fake.setProfiles(`<html>proxy error</html>`)
	fake.mu.Lock()
	fake.numbers = `{}`
	fake.mu.Unlock()
	r := run(t, runOpts{cacheDir: cache}, "call", "--config", writeConfig(t, ""), "--base-url", fake.URL, "--to", seedTo)
	if r.code != 0 || fake.hits.Load() != 1 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, s := range []string{"warning: could not check voiceProfile against sub-account acme_voice's speech profiles", "sending anyway",
		`warning: could not check --from 6561115777 against sub-account acme_voice's virtual numbers (HTTP 200: the numbers answer has no "numbers")`} {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
		}
	}
	if entries, _ := os.ReadDir(cache); len(entries) != 0 {
		t.Errorf("a failed lookup was cached: %v", entries)
	}
}

// A menu whose later prompt uses an unknown voice: the call starts (its
// request is fine) with a warning naming the menu key.
func TestCallMenuProfileWarning(t *testing.T) {
	t.Parallel()
	fake := newFake(t, nil)
	menuFile := filepath.Join(t.TempDir(), "menu.yaml")
	menuYAML := `start: main
numbers: {from: "6561115777", agent: "6512345678"}
capture: {voiceProfile: en-US-BenjaminRUS, speed: 1, minDigits: 1, maxDigits: 1, digitTimeout: 10000, overallTimeout: 10000, noOfTries: 2}
say: {voiceProfile: en-US-Nope, speed: 1}
menus:
  main:
    prompt: Press 1 to hear our hours.
    options:
      "1": [{say: We are open 9 to 5.}, hangup]
`
	if err := os.WriteFile(menuFile, []byte(menuYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	r := run(t, runOpts{cacheDir: t.TempDir()}, "call", "--config", writeConfig(t, ""), "--base-url", fake.URL, "--to", seedTo, "--menu", menuFile)
	if r.code != 0 || fake.hits.Load() != 1 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	want := `say.voiceProfile: Speech profile or language parameter invalid: "en-US-Nope" is not a speech profile of sub-account acme_voice (-1002): that prompt will fail during the call`
	if !strings.Contains(r.stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
	}
}

// --dry-run sends nothing, the account lookups included.
func TestCallDryRunNoLookups(t *testing.T) {
	t.Parallel()
	fake := newFake(t, func(w http.ResponseWriter, r *http.Request, _ []byte, _ int) {
		t.Errorf("request sent: %s %s", r.Method, r.URL)
	})
	r := run(t, runOpts{cacheDir: t.TempDir()}, "call", "--config", writeConfig(t, ""), "--base-url", fake.URL, "--to", seedTo, "--dry-run")
	if r.code != 0 || len(fake.aux()) != 0 {
		t.Errorf("exit %d, %d account requests: %s", r.code, len(fake.aux()), r.stderr)
	}
}

// With --wait the checks run once the listener is up (a busy port is
// found first); an unknown voiceProfile still stops the call before
// anything is sent, and the listener is closed.
func TestWaitRefusesUnknownProfile(t *testing.T) {
	t.Parallel()
	fake := newFake(t, nil)
	fake.setProfiles(otherProfiles)
	r := run(t, runOpts{cacheDir: t.TempDir()}, "call", "--config", writeConfig(t, ""), "--base-url", fake.URL, "--to", seedTo,
		"--wait", "--listen", "127.0.0.1:0", "--sessions", filepath.Join(t.TempDir(), "s.jsonl"))
	if r.code != cmdutil.ExitUsage || !strings.Contains(r.stderr, "(-1002)") {
		t.Fatalf("exit %d, want 2 with -1002:\n%s", r.code, r.stderr)
	}
	if n := fake.hits.Load(); n != 0 {
		t.Errorf("%d Send Callflow requests reached 8x8, want none", n)
	}
	m := listeningRe.FindStringSubmatch(r.stderr)
	if m == nil {
		t.Fatalf("no listener address printed:\n%s", r.stderr)
	}
	assertClosed(t, m[1])
}
