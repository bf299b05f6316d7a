package numbers_test

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
)

func TestMain(m *testing.M) { os.Exit(cmdtest.Main(m)) }

var numbersPath = at.Path("numbers")

func TestNumbersTable(t *testing.T) {
	t.Parallel()
	fake := at.NewFake(t, map[string][]at.Answer{"GET " + numbersPath: {at.OK(at.NumbersBody)}})
	r := at.Run(t, "", "numbers", "--config", at.Config(t, ""), "--base-url", fake.URL)
	if r.Code != 0 || r.Stderr != "" {
		t.Fatalf("exit %d: %s", r.Code, r.Stderr)
	}
	golden.Text(t, filepath.Join("testdata", "numbers.golden"), r.Stdout)
	want := []at.Request{{Method: "GET", Path: numbersPath, Auth: "Bearer " + at.Key}}
	if d := cmp.Diff(want, fake.Requests()); d != "" {
		t.Errorf("requests (-want +got):\n%s", d)
	}
}

func TestNumbersJSON(t *testing.T) {
	t.Parallel()
	fake := at.NewFake(t, map[string][]at.Answer{"GET " + numbersPath: {at.OK(at.NumbersBody)}})
	r := at.Run(t, "", "numbers", "--config", at.Config(t, ""), "--base-url", fake.URL, "-o", "json")
	if r.Code != 0 {
		t.Fatalf("exit %d: %s", r.Code, r.Stderr)
	}
	var got []callflow.VirtualNumber
	if err := json.Unmarshal([]byte(r.Stdout), &got); err != nil {
		t.Fatal(err)
	}
	var want struct{ Numbers []callflow.VirtualNumber }
	json.Unmarshal([]byte(at.NumbersBody), &want)
	// sorted by number: +44... before +65...
	want.Numbers[0], want.Numbers[1] = want.Numbers[1], want.Numbers[0]
	if d := cmp.Diff(want.Numbers, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestNumbersErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		status int
		body   string
		code   int
		want   string
	}{
		{401, at.Unauthorized, cmdutil.ExitRejected, "list numbers: 8x8 refused the API key ********QRST: HTTP 401: API key not found or invalid"},
		{403, `{"statusCode":403,"statusMessage":"Resource not accessible"}`, cmdutil.ExitRejected, "HTTP 403: Resource not accessible"},
		{404, at.NotFound, cmdutil.ExitTransport, "list numbers: HTTP 404: Resource not found"},
	} {
		fake := at.NewFake(t, map[string][]at.Answer{"GET " + numbersPath: {{Status: tt.status, Body: tt.body}}})
		r := at.Run(t, "", "numbers", "--config", at.Config(t, ""), "--base-url", fake.URL)
		if r.Code != tt.code || !strings.Contains(r.Stderr, tt.want) {
			t.Errorf("%d: exit %d, stderr %q; want exit %d and %q", tt.status, r.Code, r.Stderr, tt.code, tt.want)
		}
	}
}

const numberBody = `{"statusCode":0,"statusMessage":"ok","timestamp":"2026-01-01T00:00:00Z","payload":{"referenceId":"ref-sg-1","msisdn":"+6561115777","countryCode":"SG"}}`

// check: the single-number endpoint with '+' and separators dropped; 404
// is "not yours", exit 1.
func TestNumbersCheck(t *testing.T) {
	t.Parallel()
	one := at.Path("numbers", "6561115777")
	tests := []struct {
		name, arg string
		routes    map[string][]at.Answer
		code      int
		stdout    string
		stderr    string
		requests  []string
	}{
		{"found", "+65 6111-5777", map[string][]at.Answer{"GET " + one: {at.OK(numberBody)}}, 0,
			"+6561115777 is a virtual number of acme_voice (country SG, reference ref-sg-1)\n", "", []string{"GET " + one}},
		{"not yours", "6561115777", map[string][]at.Answer{"GET " + one: {{Status: 404, Body: at.NotFound}}}, cmdutil.ExitFailed,
			"", "ivrctl: 6561115777 is not one of sub-account acme_voice's virtual numbers\n", []string{"GET " + one}},
		{"too long for the endpoint: the list", "+442071234567", map[string][]at.Answer{"GET " + numbersPath: {at.OK(at.NumbersBody)}}, 0,
			"+442071234567 is a virtual number of acme_voice (country GB, reference ref-gb-1)\n", "", []string{"GET " + numbersPath}},
		{"too long and absent", "+442070000000", map[string][]at.Answer{"GET " + numbersPath: {at.OK(at.NumbersBody)}}, cmdutil.ExitFailed,
			"", "is not one of sub-account acme_voice's virtual numbers", []string{"GET " + numbersPath}},
		{"401", "6561115777", map[string][]at.Answer{"GET " + one: {{Status: 401, Body: at.Unauthorized}}}, cmdutil.ExitRejected,
			"", "8x8 refused the API key ********QRST", []string{"GET " + one}},
		{"not a number", "abc", nil, cmdutil.ExitUsage, "", `"abc" is not a phone number`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := at.NewFake(t, tt.routes)
			r := at.Run(t, "", "numbers", "check", "--config", at.Config(t, ""), "--base-url", fake.URL, tt.arg)
			if r.Code != tt.code || r.Stdout != tt.stdout || !strings.Contains(r.Stderr, tt.stderr) {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d, %q, %q", r.Code, r.Stdout, r.Stderr, tt.code, tt.stdout, tt.stderr)
			}
			var got []string
			for _, q := range fake.Requests() {
				got = append(got, q.Method+" "+q.Path)
				if q.Auth != "Bearer "+at.Key {
					t.Errorf("Authorization %q", q.Auth)
				}
			}
			if d := cmp.Diff(tt.requests, got); d != "" {
				t.Errorf("requests (-want +got):\n%s", d)
			}
		})
	}
}

// -o json answers both ways, with the same shape (the contract scripts read).
func TestNumbersCheckJSON(t *testing.T) {
	t.Parallel()
	type checkResult struct {
		Number      string `json:"number"`
		Owned       bool   `json:"owned"`
		MSISDN      string `json:"msisdn,omitempty"`
		CountryCode string `json:"countryCode,omitempty"`
		ReferenceID string `json:"referenceId,omitempty"`
	}
	one := "GET " + at.Path("numbers", "6561115777")
	tests := []struct {
		name   string
		answer at.Answer
		code   int
		want   checkResult
	}{
		{"owned", at.OK(numberBody), 0,
			checkResult{Number: "+6561115777", Owned: true, MSISDN: "+6561115777", CountryCode: "SG", ReferenceID: "ref-sg-1"}},
		{"not owned", at.Answer{Status: 404, Body: at.NotFound}, cmdutil.ExitFailed,
			checkResult{Number: "+6561115777", Owned: false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := at.NewFake(t, map[string][]at.Answer{one: {tt.answer}})
			r := at.Run(t, "", "numbers", "check", "-o", "json", "--config", at.Config(t, ""), "--base-url", fake.URL, "+6561115777")
			var got checkResult
			if err := json.Unmarshal([]byte(r.Stdout), &got); err != nil || r.Code != tt.code {
				t.Fatalf("exit %d (want %d), %v: %q %s", r.Code, tt.code, err, r.Stdout, r.Stderr)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

// No numbers: a note on stderr (as profiles and webhooks list say so), no
// lone header; -o json an empty array.
func TestNumbersEmpty(t *testing.T) {
	t.Parallel()
	fake := at.NewFake(t, map[string][]at.Answer{"GET " + numbersPath: {at.OK(`{"totalNumbers":0,"numbers":[],"statusCode":0,"statusMessage":"ok"}`)}})
	r := at.Run(t, "", "numbers", "--config", at.Config(t, ""), "--base-url", fake.URL)
	if r.Code != 0 || r.Stdout != "" || !strings.Contains(r.Stderr, "sub-account acme_voice has no virtual numbers") {
		t.Errorf("text: exit %d, stdout %q, stderr %q", r.Code, r.Stdout, r.Stderr)
	}
	r = at.Run(t, "", "numbers", "-o", "json", "--config", at.Config(t, ""), "--base-url", fake.URL)
	if r.Code != 0 || r.Stdout != "[]\n" {
		t.Errorf("json: exit %d, stdout %q", r.Code, r.Stdout)
	}
}
