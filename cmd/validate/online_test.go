package validate_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	at "github.com/ivrctl/ivrctl/cmd/account/accounttest"
	"github.com/ivrctl/ivrctl/cmd/cmdutil"
)

var profilesPath = at.Path("speech-profiles")

const emmaOnly = `{"speechProfiles":[{"speechProfileCode":"en-GB-Emma","localeCode":"en-GB","localeDescription":"EnglishUK","gender":"F"}],"statusCode":0,"statusMessage":"ok"}`

// --online reports a voiceProfile the sub-account lacks as -1002 at its
// JSON path (a menu: at its key), with one request for all the files.
func TestValidateOnlineUnknownProfile(t *testing.T) {
	t.Parallel()
	fake := at.NewFake(t, map[string][]at.Answer{"GET " + profilesPath: {at.OK(emmaOnly)}})
	r := at.Run(t, "", "validate", "--online", "--config", at.Config(t, ""), "--base-url", fake.URL,
		"testdata/golden/seed/request.json", "testdata/menus/simple-ivr.yaml", "testdata/dtmf1.expected.json")
	const msg = `Speech profile or language parameter invalid: "en-US-BenjaminRUS" is not a speech profile of sub-account acme_voice (-1002)`
	want := "invalid testdata/golden/seed/request.json: $.callflow[1].params.voiceProfile: " + msg + "\n" +
		"invalid testdata/menus/simple-ivr.yaml: capture.voiceProfile: " + msg + "\n" +
		"ok testdata/dtmf1.expected.json\n"
	if d := cmp.Diff(want, r.Stdout); d != "" {
		t.Errorf("stdout (-want +got):\n%s", d)
	}
	if r.Code != cmdutil.ExitFailed {
		t.Errorf("exit %d, want 1: %s", r.Code, r.Stderr)
	}
	// Not in the cache it was given: fetched once for the whole run.
	want2 := []at.Request{{Method: "GET", Path: profilesPath, Auth: "Bearer " + at.Key}}
	if d := cmp.Diff(want2, fake.Requests()); d != "" {
		t.Errorf("requests (-want +got):\n%s", d)
	}
}

// Known profiles pass; the second run reads the cache and sends nothing.
func TestValidateOnlineCache(t *testing.T) {
	t.Parallel()
	fake := at.NewFake(t, map[string][]at.Answer{"GET " + profilesPath: {at.OK(at.ProfilesBody)}})
	cache, cfg := t.TempDir(), at.Config(t, "")
	for i := range 2 {
		r := at.Run(t, cache, "validate", "--online", "--config", cfg, "--base-url", fake.URL, "testdata/golden/seed/request.json")
		if r.Code != 0 || r.Stdout != "ok testdata/golden/seed/request.json\n" {
			t.Fatalf("run %d: exit %d, %q: %s", i, r.Code, r.Stdout, r.Stderr)
		}
	}
	if n := fake.Count("GET " + profilesPath); n != 1 {
		t.Errorf("%d requests over two runs, want 1", n)
	}
}

func TestValidateOnlineFailures(t *testing.T) {
	t.Parallel()
	// Without --online nothing is asked, and no setting is needed.
	fake := at.NewFake(t, nil)
	r := at.Run(t, "", "validate", "--base-url", fake.URL, "testdata/golden/seed/request.json")
	if r.Code != 0 || len(fake.Requests()) != 0 {
		t.Errorf("offline: exit %d, %d requests", r.Code, len(fake.Requests()))
	}
	// --online needs the key and the sub-account.
	r = at.Run(t, "", "validate", "--online", "--base-url", fake.URL, "testdata/golden/seed/request.json")
	if r.Code != cmdutil.ExitUsage || !strings.Contains(r.Stderr, "IVRCTL_API_KEY") {
		t.Errorf("no settings: exit %d: %s", r.Code, r.Stderr)
	}
	fake = at.NewFake(t, map[string][]at.Answer{"GET " + profilesPath: {{Status: 401, Body: at.Unauthorized}}})
	r = at.Run(t, "", "validate", "--online", "--config", at.Config(t, ""), "--base-url", fake.URL, "testdata/golden/seed/request.json")
	if r.Code != cmdutil.ExitRejected || !strings.Contains(r.Stderr, "8x8 refused the API key ********QRST") {
		t.Errorf("401: exit %d: %s", r.Code, r.Stderr)
	}
}

// Offline, the list an earlier command cached is used (no request, no API
// key needed); a voice not in it is refused as 8x8 would.
func TestValidateUsesCachedProfiles(t *testing.T) {
	t.Parallel()
	fake := at.NewFake(t, map[string][]at.Answer{"GET " + profilesPath: {at.OK(emmaOnly)}})
	cache, cfg := t.TempDir(), at.Config(t, "")
	if r := at.Run(t, cache, "profiles", "--config", cfg, "--base-url", fake.URL); r.Code != 0 {
		t.Fatalf("profiles: exit %d: %s", r.Code, r.Stderr)
	}
	r := at.Run(t, cache, "validate", "--config", cfg, "--base-url", fake.URL, "testdata/golden/seed/request.json")
	want := `invalid testdata/golden/seed/request.json: $.callflow[1].params.voiceProfile: Speech profile or language parameter invalid: "en-US-BenjaminRUS" is not in the cached list of sub-account acme_voice (-1002)` + "\n"
	if r.Code != cmdutil.ExitFailed || r.Stdout != want || r.Stderr != "" {
		t.Errorf("exit %d\nstdout %q\nstderr %q", r.Code, r.Stdout, r.Stderr)
	}
	if n := fake.Count("GET " + profilesPath); n != 1 {
		t.Errorf("%d requests, want only profiles' 1", n)
	}
}
