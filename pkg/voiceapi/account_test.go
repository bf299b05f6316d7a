package voiceapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/voiceapi/voiceapitest"
)

// seen is one request the stand-in received.
type seen struct {
	Method, Path, Auth, Accept, ContentType string
	Body                                    any // decoded JSON, nil when empty
}

type answer = voiceapitest.Answer

// newStandIn answers every request with answers in turn (the last
// repeats) and records them.
func newStandIn(t *testing.T, answers ...answer) *voiceapitest.Fake {
	t.Helper()
	return voiceapitest.New(t, map[string][]answer{voiceapitest.Any: answers})
}

// seenBy is what srv received, as the tests compare it.
func seenBy(srv *voiceapitest.Fake) []seen {
	var out []seen
	for _, r := range srv.Requests() {
		body, _ := r.JSON() // not JSON: the stand-in failed the test
		out = append(out, seen{r.Method, r.Path, r.Header.Get("Authorization"),
			r.Header.Get("Accept"), r.Header.Get("Content-Type"), body})
	}
	return out
}

const (
	webhooksBody = `{"subAccountId":"acme_voice","count":2,"webhooks":[` +
		`{"type":"VCA","url":"https://ivr.example.com/webhooks/vca","enabled":true,"httpAuthHeaderAvailable":true},` +
		`{"type":"VSS","url":"https://ivr.example.com/webhooks/vss","enabled":true,"httpAuthHeaderAvailable":false}],` +
		`"statusCode":0,"statusMessage":"ok"}`
	deletedBody  = `{"subAccountId":"acme_voice","type":"VCA","url":"https://ivr.example.com/webhooks/vca","enabled":false,"httpAuthHeaderAvailable":true,"statusCode":0,"statusMessage":"deleted"}`
	profilesBody = `{"speechProfiles":[{"speechProfileCode":"en-US-Standard-A","localeCode":"en-US","localeDescription":"EnglishUS","gender":"F"},` +
		`{"speechProfileCode":"da-DK-Naja","localeCode":"da-DK","localeDescription":"Danish","gender":"F"}],"statusCode":0,"statusMessage":"ok"}`
	numbersBody = `{"totalNumbers":1,"lastUpdatedAt":"2026-01-01T00:00:00Z","numbers":[{"msisdn":"+6561115777","countryCode":"SG",` +
		`"operationalStatus":"Active","referenceId":"ref-1","numberType":"Mobile","rentalPrice":1.5,` +
		`"numberHealthCheckEnabled":true,"numberHealth":{"isHealthy":true,"status":"OK","lastCheckedTime":"2026-01-02T00:00:00Z"}}],` +
		`"statusCode":0,"statusMessage":"ok"}`
	numberBody = `{"statusCode":0,"statusMessage":"ok","timestamp":"2026-01-01T00:00:00Z","payload":{"referenceId":"ref-1","msisdn":"+6561115777","countryCode":"SG"}}`
)

// Every method sends exactly its documented request and decodes the answer.
func TestAccountRequests(t *testing.T) {
	t.Parallel()
	authed := func(method, path string, body any) seen {
		s := seen{Method: method, Path: path, Auth: "Bearer " + testKey, Accept: "application/json", Body: body}
		if body != nil {
			s.ContentType = "application/json"
		}
		return s
	}
	tests := []struct {
		name   string
		answer string
		call   func(*Client) (any, error)
		want   seen
		result any
	}{
		{"list webhooks", webhooksBody,
			func(c *Client) (any, error) { return c.ListWebhooks(context.Background(), "acme_voice") },
			authed("GET", "/api/v1/subaccounts/acme_voice/webhooks", nil),
			&callflow.WebhookList{SubAccountID: "acme_voice", Count: 2, Webhooks: []callflow.Webhook{
				{Type: "VCA", URL: "https://ivr.example.com/webhooks/vca", Enabled: true, HTTPAuthHeaderAvailable: true},
				{Type: "VSS", URL: "https://ivr.example.com/webhooks/vss", Enabled: true, HTTPAuthHeaderAvailable: false}}}},
		{"set webhook", webhooksBody,
			func(c *Client) (any, error) {
				l, err := c.SetWebhook(context.Background(), "acme_voice", callflow.NewWebhook{Type: "VCA", URL: "https://ivr.example.com/webhooks/vca", HTTPAuthHeader: "s3cret", Enabled: true})
				if l != nil {
					return l.Count, err
				}
				return nil, err
			},
			authed("POST", "/api/v1/subaccounts/acme_voice/webhooks", map[string]any{
				"type": "VCA", "url": "https://ivr.example.com/webhooks/vca", "httpAuthHeader": "s3cret", "enabled": true}),
			2},
		{"set webhook without secret", webhooksBody,
			func(c *Client) (any, error) {
				_, err := c.SetWebhook(context.Background(), "acme_voice", callflow.NewWebhook{Type: "VSS", URL: "https://x.example/vss", Enabled: true})
				return nil, err
			},
			authed("POST", "/api/v1/subaccounts/acme_voice/webhooks", map[string]any{
				"type": "VSS", "url": "https://x.example/vss", "enabled": true}),
			nil},
		{"delete webhook", deletedBody,
			func(c *Client) (any, error) { return c.DeleteWebhook(context.Background(), "acme_voice", "VCA") },
			authed("DELETE", "/api/v1/subaccounts/acme_voice/webhooks/VCA", nil),
			&callflow.DeletedWebhook{SubAccountID: "acme_voice", Webhook: callflow.Webhook{Type: "VCA", URL: "https://ivr.example.com/webhooks/vca", Enabled: false, HTTPAuthHeaderAvailable: true}}},
		{"speech profiles", profilesBody,
			func(c *Client) (any, error) { return c.SpeechProfiles(context.Background(), "acme_voice") },
			authed("GET", "/api/v1/subaccounts/acme_voice/speech-profiles", nil),
			[]callflow.SpeechProfile{{Code: "en-US-Standard-A", Locale: "en-US", LocaleDescription: "EnglishUS", Gender: "F"}, {Code: "da-DK-Naja", Locale: "da-DK", LocaleDescription: "Danish", Gender: "F"}}},
		{"numbers", numbersBody,
			func(c *Client) (any, error) { return c.Numbers(context.Background(), "acme_voice") },
			authed("GET", "/api/v1/subaccounts/acme_voice/numbers", nil),
			[]callflow.VirtualNumber{{MSISDN: "+6561115777", CountryCode: "SG", OperationalStatus: "Active", ReferenceID: "ref-1",
				NumberType: "Mobile", RentalPrice: "1.5", NumberHealthCheckEnabled: true,
				NumberHealth: &callflow.NumberHealth{IsHealthy: true, Status: "OK", LastCheckedTime: "2026-01-02T00:00:00Z"}}}},
		{"number", numberBody,
			func(c *Client) (any, error) { return c.Number(context.Background(), "acme_voice", "6561115777") },
			authed("GET", "/api/v1/subaccounts/acme_voice/numbers/6561115777", nil),
			&callflow.NumberInfo{ReferenceID: "ref-1", MSISDN: "+6561115777", CountryCode: "SG"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newStandIn(t, answer{Status: 200, Body: tt.answer})
			c, _ := newClient(t, srv.Server)
			got, err := tt.call(c)
			if err != nil {
				t.Fatal(err)
			}
			if len(srv.Requests()) != 1 {
				t.Fatalf("%d requests, want 1", len(srv.Requests()))
			}
			if d := cmp.Diff(tt.want, seenBy(srv)[0]); d != "" {
				t.Errorf("request (-want +got):\n%s", d)
			}
			if tt.result != nil {
				if d := cmp.Diff(tt.result, got); d != "" {
					t.Errorf("result (-want +got):\n%s", d)
				}
			}
		})
	}
}

// Error answers keep 8x8's status code and message whatever shape the body
// has, and are sorted by kind.
func TestAccountErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		status   int
		body     string
		kind     Kind
		code     int
		msg      string
		attempts int
	}{
		{"401", 401, `{"statusCode":401,"statusMessage":"API key not found or invalid"}`, KindAuth, 401, "API key not found or invalid", 1},
		{"403", 403, `{"statusCode":403,"statusMessage":"Resource not accessible"}`, KindAuth, 403, "Resource not accessible", 1},
		{"404", 404, `{"statusCode":404,"statusMessage":"Resource not found","timestamp":"2026-01-01T00:00:00Z"}`, KindHTTP, 404, "Resource not found", 1},
		{"422 string statusCode", 422, `{"errorId":"2b5b0b1e-0000-4000-8000-000000000000","statusCode":"1001","statusMessage":"Invalid JSON request body","timestamp":"2026-01-01T00:00:00Z"}`,
			KindHTTP, 1001, "Invalid JSON request body", 1},
		{"platform shape", 400, `{"code":4018,"message":"Invalid jobId","errorId":"x","timestamp":"t"}`, KindHTTP, 4018, "Invalid jobId", 1},
		{"not JSON", 502, `<html>bad gateway</html>`, KindServer, 0, "", 4},
		{"5xx retried then given up", 500, `{"statusCode":500,"statusMessage":"Server error"}`, KindServer, 500, "Server error", 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newStandIn(t, answer{Status: tt.status, Body: tt.body})
			c, _ := newClient(t, srv.Server)
			_, err := c.ListWebhooks(context.Background(), "acme_voice")
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v, want *APIError", err)
			}
			got := []any{apiErr.Kind, apiErr.HTTPStatus, apiErr.StatusCode, apiErr.StatusMessage, len(srv.Requests())}
			want := []any{tt.kind, tt.status, tt.code, tt.msg, tt.attempts}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("kind, HTTP, statusCode, message, requests (-want +got):\n%s", d)
			}
		})
	}
}

// A 429 waits its Retry-After and a 5xx a backoff; then the answer counts.
func TestAccountRetries(t *testing.T) {
	t.Parallel()
	srv := newStandIn(t,
		answer{Status: 429, Body: `{"statusCode":429,"statusMessage":"Too Many Requests"}`, Header: map[string]string{"Retry-After": "2"}},
		answer{Status: 503, Body: `{"statusCode":503,"statusMessage":"Server error"}`},
		answer{Status: 200, Body: profilesBody})
	c, waits := newClient(t, srv.Server)
	got, err := c.SpeechProfiles(context.Background(), "acme_voice")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || len(srv.Requests()) != 3 {
		t.Errorf("%d profiles after %d requests, want 2 after 3", len(got), len(srv.Requests()))
	}
	if d := cmp.Diff([]time.Duration{2 * time.Second, 500 * time.Millisecond}, *waits); d != "" {
		t.Errorf("waits (-want +got):\n%s", d)
	}
}

// A 2xx without the endpoint's field is not an empty list: an empty list
// would condemn every profile and every number.
func TestAccountAnswerWithoutField(t *testing.T) {
	t.Parallel()
	srv := newStandIn(t, answer{Status: 200, Body: created})
	c, _ := newClient(t, srv.Server)
	for name, call := range map[string]func() error{
		"speech-profiles": func() error { _, err := c.SpeechProfiles(context.Background(), "acme_voice"); return err },
		"numbers":         func() error { _, err := c.Numbers(context.Background(), "acme_voice"); return err },
		"webhooks":        func() error { _, err := c.ListWebhooks(context.Background(), "acme_voice"); return err },
		"number":          func() error { _, err := c.Number(context.Background(), "acme_voice", "6561115777"); return err },
	} {
		var apiErr *APIError
		if err := call(); !errors.As(err, &apiErr) || apiErr.Kind != KindUnexpected || !strings.Contains(err.Error(), "has no") {
			t.Errorf("%s: err = %v, want an unexpected answer", name, err)
		}
	}
}

// A key echoed in an error answer is masked before anything sees it.
func TestAccountEchoedKeyMasked(t *testing.T) {
	t.Parallel()
	srv := newStandIn(t, answer{Status: 401, Body: `{"statusCode":401,"statusMessage":"bad key Bearer ` + testKey + `"}`})
	c, _ := newClient(t, srv.Server)
	_, err := c.Numbers(context.Background(), "acme_voice")
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), testKey) || strings.Contains(string(apiErr.Body), testKey) {
		t.Errorf("key in the error: %v / %s", err, apiErr.Body)
	}
}

func TestNumberOutsidePattern(t *testing.T) {
	t.Parallel()
	c, err := New("https://voice.8x8.com", testKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.hc.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		t.Errorf("request sent: %s", r.URL)
		return nil, errors.New("no")
	})
	for _, n := range []string{"+6561115777", "123456", "44123456789012"} {
		if _, err := c.Number(context.Background(), "acme_voice", n); err == nil {
			t.Errorf("Number(%q): no error", n)
		}
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// A sub-account's number list can outgrow Send Callflow's 1 MiB answer
// limit (thousands of numbers, a dozen fields each): it is read whole up
// to the account limit, and an answer beyond that is reported as too
// large, not as JSON cut off in the middle.
func TestAccountLargeAnswer(t *testing.T) {
	t.Parallel()
	list := func(n int) string {
		var b strings.Builder
		b.WriteString(`{"totalNumbers":` + strconv.Itoa(n) + `,"numbers":[`)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"msisdn":"+65%08d","countryCode":"SG","operationalStatus":"Active","referenceId":"ref-%d","numberType":"Mobile","uri":"https://voice.8x8.com/api/v1/subaccounts/acme_voice/numbers/65%08d"}`, i, i, i)
		}
		b.WriteString(`],"statusCode":0,"statusMessage":"ok"}`)
		return b.String()
	}
	big := list(8000) // about 1.4 MiB
	if len(big) <= 1<<20 {
		t.Fatalf("the list is only %d bytes", len(big))
	}
	srv := newStandIn(t, answer{Status: 200, Body: big})
	c, _ := newClient(t, srv.Server)
	ns, err := c.Numbers(context.Background(), "acme_voice")
	if err != nil || len(ns) != 8000 || ns[7999].MSISDN != "+6500007999" {
		t.Fatalf("%d numbers, err %v", len(ns), err)
	}

	huge := `{"numbers":[],"pad":"` + strings.Repeat("x", maxAccountBodyBytes) + `"}`
	srv = newStandIn(t, answer{Status: 200, Body: huge})
	c, _ = newClient(t, srv.Server)
	_, err = c.Numbers(context.Background(), "acme_voice")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Kind != KindUnexpected || !strings.Contains(err.Error(), "larger than 16 MiB") {
		t.Errorf("err = %v, want an answer too large", err)
	}
	if len(srv.Requests()) != 1 {
		t.Errorf("%d requests: a too large answer is not asked again", len(srv.Requests()))
	}
}
