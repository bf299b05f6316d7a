package webhooks_test

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
	at "github.com/ivrctl/ivrctl/cmd/account/accounttest"
	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/cmd/cmdutil/cmdtest"
	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/golden"
)

func TestMain(m *testing.M) { os.Exit(cmdtest.Main(m)) }

var hooksPath = at.Path("webhooks")

const (
	vcaURL = "https://ivr.example.com/webhooks/vca"
	vssURL = "https://ivr.example.com/webhooks/vss"
)

func TestWebhooksList(t *testing.T) {
	t.Parallel()
	fake := at.NewFake(t, map[string][]at.Answer{"GET " + hooksPath: {at.OK(at.WebhooksBody)}})
	r := at.Run(t, "", "webhooks", "list", "--config", at.Config(t, ""), "--base-url", fake.URL)
	if r.Code != 0 || r.Stderr != "" {
		t.Fatalf("exit %d: %s", r.Code, r.Stderr)
	}
	golden.Text(t, filepath.Join("testdata", "list.golden"), r.Stdout)
	want := []at.Request{{Method: "GET", Path: hooksPath, Auth: "Bearer " + at.Key}}
	if d := cmp.Diff(want, fake.Requests()); d != "" {
		t.Errorf("requests (-want +got):\n%s", d)
	}

	r = at.Run(t, "", "webhooks", "list", "-o", "json", "--config", at.Config(t, ""), "--base-url", fake.URL)
	var got []callflow.Webhook
	if err := json.Unmarshal([]byte(r.Stdout), &got); err != nil {
		t.Fatal(err)
	}
	wantHooks := []callflow.Webhook{{Type: "VCA", URL: vcaURL, Enabled: true, HTTPAuthHeaderAvailable: true},
		{Type: "VSS", URL: vssURL, Enabled: true}}
	if d := cmp.Diff(wantHooks, got); d != "" {
		t.Errorf("json (-want +got):\n%s", d)
	}
}

func TestWebhooksListEmptyAndErrors(t *testing.T) {
	t.Parallel()
	fake := at.NewFake(t, map[string][]at.Answer{"GET " + hooksPath: {at.OK(`{"subAccountId":"acme_voice","count":0,"webhooks":[],"statusCode":0,"statusMessage":"ok"}`)}})
	r := at.Run(t, "", "webhooks", "list", "--config", at.Config(t, ""), "--base-url", fake.URL)
	if r.Code != 0 || r.Stdout != "" || !strings.Contains(r.Stderr, "no webhooks registered for sub-account acme_voice") {
		t.Errorf("empty: exit %d, %q, %q", r.Code, r.Stdout, r.Stderr)
	}
	fake = at.NewFake(t, map[string][]at.Answer{"GET " + hooksPath: {{Status: 401, Body: at.Unauthorized}}})
	r = at.Run(t, "", "webhooks", "list", "--config", at.Config(t, ""), "--base-url", fake.URL)
	if r.Code != cmdutil.ExitRejected || !strings.Contains(r.Stderr, "********QRST") {
		t.Errorf("401: exit %d, %q", r.Code, r.Stderr)
	}
}

var exportLine = regexp.MustCompile(`^export IVRCTL_AUTH_SECRET=([0-9a-f]{48})\n$`)

// generate: both registrations carry the same fresh secret, which is
// printed exactly once, as the export line on stdout, and nowhere else.
func TestWebhooksSetGenerate(t *testing.T) {
	t.Parallel()
	fake := at.NewFake(t, map[string][]at.Answer{"POST " + hooksPath: {at.OK(at.WebhooksBody)}})
	r := at.Run(t, "", "webhooks", "set", "--config", at.Config(t, ""), "--base-url", fake.URL,
		"--vca", vcaURL, "--vss", vssURL, "--auth-secret", "generate")
	if r.Code != 0 {
		t.Fatalf("exit %d: %s", r.Code, r.Stderr)
	}
	m := exportLine.FindStringSubmatch(r.Stdout)
	if m == nil {
		t.Fatalf("stdout %q is not the export line", r.Stdout)
	}
	secret := m[1]
	if strings.Contains(r.Stderr, secret) {
		t.Errorf("the secret is on stderr:\n%s", r.Stderr)
	}
	want := []at.Request{
		{Method: "POST", Path: hooksPath, Auth: "Bearer " + at.Key, Body: map[string]any{"type": "VCA", "url": vcaURL, "httpAuthHeader": secret, "enabled": true}},
		{Method: "POST", Path: hooksPath, Auth: "Bearer " + at.Key, Body: map[string]any{"type": "VSS", "url": vssURL, "httpAuthHeader": secret, "enabled": true}},
	}
	if d := cmp.Diff(want, fake.Requests()); d != "" {
		t.Errorf("requests (-want +got):\n%s", d)
	}
	wantErr := "registered VCA " + vcaURL + " (auth header: the generated secret)\n" +
		"registered VSS " + vssURL + " (auth header: the generated secret)\n" +
		"the generated secret is the export line on stdout, shown only this once: give it to `ivrctl serve` (IVRCTL_AUTH_SECRET, or auth-secret: in the config file)\n"
	if d := cmp.Diff(wantErr, r.Stderr); d != "" {
		t.Errorf("stderr (-want +got):\n%s", d)
	}
}

// A secret from the config file (the one serve reads) is registered and
// not printed; one VSS URL alone is fine.
func TestWebhooksSetGivenSecret(t *testing.T) {
	t.Parallel()
	const secret = "mdp1234-shared-Secret"
	fake := at.NewFake(t, map[string][]at.Answer{"POST " + hooksPath: {at.OK(at.WebhooksBody)}})
	r := at.Run(t, "", "webhooks", "set", "--config", at.Config(t, "auth-secret: "+secret+"\n"), "--base-url", fake.URL, "--vss", vssURL)
	if r.Code != 0 || r.Stdout != "" {
		t.Fatalf("exit %d, stdout %q: %s", r.Code, r.Stdout, r.Stderr)
	}
	if strings.Contains(r.Stderr, secret) || !strings.Contains(r.Stderr, "auth header: the config file's auth-secret") {
		t.Errorf("stderr: %s", r.Stderr)
	}
	want := []at.Request{{Method: "POST", Path: hooksPath, Auth: "Bearer " + at.Key,
		Body: map[string]any{"type": "VSS", "url": vssURL, "httpAuthHeader": secret, "enabled": true}}}
	if d := cmp.Diff(want, fake.Requests()); d != "" {
		t.Errorf("requests (-want +got):\n%s", d)
	}
}

// No secret: registered, with a warning; -o json prints 8x8's list.
func TestWebhooksSetNoSecretWarns(t *testing.T) {
	t.Parallel()
	fake := at.NewFake(t, map[string][]at.Answer{"POST " + hooksPath: {at.OK(at.WebhooksBody)}})
	r := at.Run(t, "", "webhooks", "set", "-o", "json", "--config", at.Config(t, ""), "--base-url", fake.URL, "--vca", vcaURL)
	if r.Code != 0 {
		t.Fatalf("exit %d: %s", r.Code, r.Stderr)
	}
	if !strings.Contains(r.Stderr, "warning: no --auth-secret") {
		t.Errorf("no warning: %s", r.Stderr)
	}
	var got struct {
		Webhooks   []callflow.Webhook
		AuthSecret *string
	}
	if err := json.Unmarshal([]byte(r.Stdout), &got); err != nil || len(got.Webhooks) != 2 || got.AuthSecret != nil {
		t.Errorf("json %q: %v", r.Stdout, err)
	}
	want := []at.Request{{Method: "POST", Path: hooksPath, Auth: "Bearer " + at.Key,
		Body: map[string]any{"type": "VCA", "url": vcaURL, "enabled": true}}}
	if d := cmp.Diff(want, fake.Requests()); d != "" {
		t.Errorf("requests (-want +got):\n%s", d)
	}
}

// Refused before anything is sent: exit 2.
func TestWebhooksSetUsage(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, "nothing to register"},
		{[]string{"--vca", "http://ivr.example.com/webhooks/vca"}, "plain http"},
		{[]string{"--vca", "/webhooks/vca"}, "absolute https:// URL"},
		{[]string{"--vca", vcaURL, "--auth-secret", "new,old"}, "two comma-separated secrets"},
		{[]string{"--vca", vcaURL, "--auth-secret", " padded"}, "no spaces"},
		{[]string{"--vss", vssURL, "-o", "yaml"}, "--output"},
	} {
		fake := at.NewFake(t, nil)
		r := at.Run(t, "", append([]string{"webhooks", "set", "--config", at.Config(t, ""), "--base-url", fake.URL}, tt.args...)...)
		if r.Code != cmdutil.ExitUsage || !strings.Contains(r.Stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, r.Code, r.Stderr, tt.want)
		}
		if n := len(fake.Requests()); n != 0 {
			t.Errorf("%v: %d requests sent", tt.args, n)
		}
	}
}

func TestWebhooksSetInsecure(t *testing.T) {
	t.Parallel()
	fake := at.NewFake(t, map[string][]at.Answer{"POST " + hooksPath: {at.OK(at.WebhooksBody)}})
	r := at.Run(t, "", "webhooks", "set", "--insecure", "--config", at.Config(t, ""), "--base-url", fake.URL, "--vca", "http://10.0.0.5:8080/webhooks/vca")
	if r.Code != 0 || fake.Count("POST "+hooksPath) != 1 {
		t.Errorf("exit %d: %s", r.Code, r.Stderr)
	}
}

// 8x8's 422 has statusCode as a string: shown with the message, exit 4.
// A secret echoed in an error is masked.
func TestWebhooksSet422(t *testing.T) {
	t.Parallel()
	const secret = "echoed-secret-9876"
	body := `{"errorId":"2b5b0b1e-0000-4000-8000-000000000000","statusCode":"1001","statusMessage":"Invalid JSON request body near ` + secret + `","timestamp":"2026-01-01T00:00:00Z"}`
	fake := at.NewFake(t, map[string][]at.Answer{"POST " + hooksPath: {{Status: 422, Body: body}}})
	r := at.Run(t, "", "webhooks", "set", "--config", at.Config(t, "auth-secret: "+secret+"\n"), "--base-url", fake.URL, "--vca", vcaURL)
	want := "ivrctl: register the VCA webhook " + vcaURL + ": HTTP 422 (statusCode 1001): Invalid JSON request body near ********9876\n"
	if r.Code != cmdutil.ExitTransport || !strings.HasSuffix(r.Stderr, want) {
		t.Errorf("exit %d, stderr %q; want 4 and %q", r.Code, r.Stderr, want)
	}
	if strings.Contains(r.Stdout+r.Stderr, secret) {
		t.Error("the secret leaked")
	}
}

// VCA registered, VSS refused: the generated secret the VCA now carries
// is still printed, and the exit code is the failure's.
func TestWebhooksSetPartialFailureStillPrintsSecret(t *testing.T) {
	t.Parallel()
	fake := at.NewFake(t, map[string][]at.Answer{"POST " + hooksPath: {at.OK(at.WebhooksBody), {Status: 500, Body: at.ServerError}, at.OK(at.WebhooksBody)}})
	r := at.Run(t, "", "webhooks", "set", "--config", at.Config(t, ""), "--base-url", fake.URL,
		"--vca", vcaURL, "--vss", vssURL, "--auth-secret", "generate")
	if r.Code != 0 {
		// the 500 is retried once and then succeeds
		t.Fatalf("exit %d: %s", r.Code, r.Stderr)
	}
	fake = at.NewFake(t, map[string][]at.Answer{"POST " + hooksPath: {at.OK(at.WebhooksBody), {Status: 401, Body: at.Unauthorized}}})
	r = at.Run(t, "", "webhooks", "set", "--config", at.Config(t, ""), "--base-url", fake.URL,
		"--vca", vcaURL, "--vss", vssURL, "--auth-secret", "generate")
	if r.Code != cmdutil.ExitRejected || !exportLine.MatchString(r.Stdout) {
		t.Errorf("exit %d, stdout %q: %s", r.Code, r.Stdout, r.Stderr)
	}
	if !strings.Contains(r.Stderr, "registered VCA") || !strings.Contains(r.Stderr, "register the VSS webhook") {
		t.Errorf("stderr: %s", r.Stderr)
	}
}

func TestWebhooksDelete(t *testing.T) {
	t.Parallel()
	deleted := func(typ, url string) string {
		return `{"subAccountId":"acme_voice","type":"` + typ + `","url":"` + url + `","enabled":false,"httpAuthHeaderAvailable":true,"statusCode":0,"statusMessage":"deleted"}`
	}
	fake := at.NewFake(t, map[string][]at.Answer{
		"DELETE " + at.Path("webhooks", "VCA"): {at.OK(deleted("VCA", vcaURL))},
		"DELETE " + at.Path("webhooks", "VSS"): {at.OK(deleted("VSS", vssURL))},
	})
	r := at.Run(t, "", "webhooks", "delete", "--config", at.Config(t, ""), "--base-url", fake.URL, "vca", "VSS", "vca")
	if r.Code != 0 || r.Stdout != "" {
		t.Fatalf("exit %d, stdout %q: %s", r.Code, r.Stdout, r.Stderr)
	}
	if d := cmp.Diff("deleted VCA "+vcaURL+"\ndeleted VSS "+vssURL+"\n", r.Stderr); d != "" {
		t.Errorf("stderr (-want +got):\n%s", d)
	}
	want := []at.Request{
		{Method: "DELETE", Path: at.Path("webhooks", "VCA"), Auth: "Bearer " + at.Key},
		{Method: "DELETE", Path: at.Path("webhooks", "VSS"), Auth: "Bearer " + at.Key},
	}
	if d := cmp.Diff(want, fake.Requests()); d != "" {
		t.Errorf("requests (-want +got):\n%s", d)
	}

	r = at.Run(t, "", "webhooks", "delete", "-o", "json", "--config", at.Config(t, ""), "--base-url", fake.URL, "vca")
	var got []callflow.DeletedWebhook
	if err := json.Unmarshal([]byte(r.Stdout), &got); err != nil || len(got) != 1 || got[0].URL != vcaURL {
		t.Errorf("json %q: %v", r.Stdout, err)
	}
}

func TestWebhooksDeleteErrors(t *testing.T) {
	t.Parallel()
	fake := at.NewFake(t, map[string][]at.Answer{"DELETE " + at.Path("webhooks", "VCA"): {{Status: 404, Body: at.NotFound}}})
	r := at.Run(t, "", "webhooks", "delete", "--config", at.Config(t, ""), "--base-url", fake.URL, "vca")
	if r.Code != cmdutil.ExitTransport || !strings.Contains(r.Stderr, "delete the VCA webhook: HTTP 404: Resource not found") {
		t.Errorf("404: exit %d: %s", r.Code, r.Stderr)
	}
	// The likelier reason for a 404 here is a type with nothing registered.
	if !strings.Contains(r.Stderr, "no VCA webhook registered? ivrctl webhooks list shows them; else check the sub-account id (IVRCTL_SUBACCOUNT)") {
		t.Errorf("404: hint:\n%s", r.Stderr)
	}
	r = at.Run(t, "", "webhooks", "delete", "--config", at.Config(t, ""), "--base-url", fake.URL, "vnu")
	if r.Code != cmdutil.ExitUsage || !strings.Contains(r.Stderr, `webhook type "vnu"`) {
		t.Errorf("vnu: exit %d: %s", r.Code, r.Stderr)
	}
	// cobra's own argument check: a usage error through cmd.Execute.
	ios, _, _, errOut := cmdutil.Test()
	if code := cmd.Execute(cmd.BuildInfo{}, []string{"webhooks", "delete", "--config", at.Config(t, "")}, ios); code != cmdutil.ExitUsage {
		t.Errorf("no type: exit %d: %s", code, errOut)
	}
}

// serve's other credentials travel in the webhook URL itself: ?token= and
// user:pass@. They are sent to 8x8 as given, but never printed (status
// lines, tables, JSON, errors), and they count as authentication, so
// there is no "no secret" warning.
func TestWebhooksURLCredentialsMasked(t *testing.T) {
	t.Parallel()
	const (
		token   = "tok-Sup3rSecret-7788"
		pass    = "pw-Hunter2-Secret"
		vcaTok  = "https://ivr.example.com/webhooks/vca?token=" + token
		vssPass = "https://ivr:" + pass + "@ivr.example.com/webhooks/vss"
	)
	list := `{"subAccountId":"acme_voice","count":2,"webhooks":[` +
		`{"type":"VCA","url":"` + vcaTok + `","enabled":true,"httpAuthHeaderAvailable":false},` +
		`{"type":"VSS","url":"` + vssPass + `","enabled":true,"httpAuthHeaderAvailable":false}],"statusCode":0,"statusMessage":"ok"}`
	deleted := `{"subAccountId":"acme_voice","type":"VCA","url":"` + vcaTok + `","enabled":false,"httpAuthHeaderAvailable":false,"statusCode":0,"statusMessage":"deleted"}`
	fake := at.NewFake(t, map[string][]at.Answer{
		"POST " + hooksPath:                    {at.OK(list)},
		"GET " + hooksPath:                     {at.OK(list)},
		"DELETE " + at.Path("webhooks", "VCA"): {at.OK(deleted)},
	})
	cfg := at.Config(t, "")
	leaked := func(what string, r at.Result) {
		t.Helper()
		for _, s := range []string{token, pass} {
			if strings.Contains(r.Stdout+r.Stderr, s) {
				t.Errorf("%s: %q printed:\nstdout: %s\nstderr: %s", what, s, r.Stdout, r.Stderr)
			}
		}
	}
	for _, o := range []string{"text", "json"} {
		r := at.Run(t, "", "webhooks", "set", "-o", o, "--config", cfg, "--base-url", fake.URL, "--vca", vcaTok, "--vss", vssPass)
		if r.Code != 0 {
			t.Fatalf("set -o %s: exit %d: %s", o, r.Code, r.Stderr)
		}
		leaked("set -o "+o, r)
		if strings.Contains(r.Stderr, "no --auth-secret") {
			t.Errorf("set -o %s warns although both URLs carry a credential:\n%s", o, r.Stderr)
		}
		for _, cmdline := range [][]string{{"webhooks", "list"}, {"webhooks", "delete", "vca"}} {
			r := at.Run(t, "", append(cmdline, "-o", o, "--config", cfg, "--base-url", fake.URL)...)
			if r.Code != 0 {
				t.Fatalf("%v -o %s: exit %d: %s", cmdline, o, r.Code, r.Stderr)
			}
			leaked(fmt.Sprint(cmdline, " -o ", o), r)
			if !strings.Contains(r.Stdout+r.Stderr, "https://ivr.example.com/webhooks/vca?token=********7788") {
				t.Errorf("%v -o %s: the masked URL is not shown:\n%s%s", cmdline, o, r.Stdout, r.Stderr)
			}
		}
	}
	// 8x8 gets the URLs as given.
	var sent []any
	for _, q := range fake.Requests() {
		if q.Method == "POST" {
			sent = append(sent, q.Body.(map[string]any)["url"])
		}
	}
	if d := cmp.Diff([]any{vcaTok, vssPass, vcaTok, vssPass}, sent); d != "" {
		t.Errorf("URLs sent (-want +got):\n%s", d)
	}

	// A registration refused: the error names the URL, masked.
	fake = at.NewFake(t, map[string][]at.Answer{"POST " + hooksPath: {{Status: 401, Body: at.Unauthorized}}})
	r := at.Run(t, "", "webhooks", "set", "--config", cfg, "--base-url", fake.URL, "--vca", vcaTok)
	if r.Code != cmdutil.ExitRejected {
		t.Fatalf("401: exit %d: %s", r.Code, r.Stderr)
	}
	leaked("set, refused", r)

	// Refused before sending (plain http, not a URL): the flag's value
	// is quoted masked too.
	for _, bad := range []string{"http://ivr.example.com/webhooks/vca?token=" + token, "https://ivr:" + pass + "@ivr.example.com/%zz"} {
		r := at.Run(t, "", "webhooks", "set", "--config", cfg, "--base-url", fake.URL, "--vca", bad)
		if r.Code != cmdutil.ExitUsage {
			t.Fatalf("%s: exit %d: %s", bad, r.Code, r.Stderr)
		}
		leaked("set, usage", r)
	}
}
