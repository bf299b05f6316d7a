package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ivrctl/ivrctl/pkg/callflow"
)

const acctKey = "acct-test-key-0123456789"

// accountServer serves e's Handler with acctKey required; every callee
// presses 1 at the first prompt.
func accountServer(t *testing.T, e *Emulator) string {
	t.Helper()
	ts := httptest.NewServer(e.Handler(acctKey, func(string) Caller { return Script{Press: []string{"1"}}.Caller() }))
	t.Cleanup(ts.Close)
	return ts.URL
}

// do sends one request and returns the status and the decoded JSON body.
func do(t *testing.T, method, url, auth, body string) (int, any) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s %s: Content-Type %q", method, url, ct)
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("%s %s: body %q is not JSON: %v", method, url, data, err)
	}
	return resp.StatusCode, v
}

// js decodes a JSON literal of a test's expectation.
func js(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad expectation %s: %v", s, err)
	}
	return v
}

func accountConfig() Config {
	cfg := testConfig(nil)
	cfg.Profiles = DefaultProfiles()[:2]
	cfg.Numbers = []string{"+65 6111 5777", "6561115777", "442071234567"}
	return cfg
}

// Each read endpoint answers in the digest's shape (sections 7 and 8),
// and refuses a missing key, a wrong key, an unknown sub-account and a
// wrong method in the endpoint's error shape.
func TestAccountReadEndpoints(t *testing.T) {
	t.Parallel()
	base := accountServer(t, New(accountConfig())) + "/api/v1/subaccounts/ivrctl-test/"
	bearer := "Bearer " + acctKey
	tests := []struct {
		name, method, path, auth string
		status                   int
		want                     string
	}{
		{"speech profiles", "GET", "speech-profiles", bearer, 200, `{"speechProfiles":[
			{"speechProfileCode":"da-DK-Naja","localeCode":"da-DK","localeDescription":"Danish","gender":"F"},
			{"speechProfileCode":"en-GB-Emma","localeCode":"en-GB","localeDescription":"EnglishUK","gender":"F"}],
			"statusCode":0,"statusMessage":"ok"}`},
		{"numbers", "GET", "numbers", bearer, 200, `{"totalNumbers":2,"lastUpdatedAt":"2026-01-13T08:26:58Z","numbers":[
			{"msisdn":"+6561115777","countryCode":"SG","operationalStatus":"Active","referenceId":"emulator-6561115777",
			 "numberType":"Mobile","dateCreated":"2026-01-13T08:26:58Z","dateUpdated":"2026-01-13T08:26:58Z",
			 "uri":"/api/v1/subaccounts/ivrctl-test/numbers/6561115777","rentalPrice":0,"incomingRate":0,
			 "billingUnit":"MONTH","billingCurrency":"USD","numberHealthCheckEnabled":true,
			 "numberHealth":{"isHealthy":true,"status":"OK","lastCheckedTime":"2026-01-13T08:26:58Z"}},
			{"msisdn":"+442071234567","countryCode":"GB","operationalStatus":"Active","referenceId":"emulator-442071234567",
			 "numberType":"Mobile","dateCreated":"2026-01-13T08:26:58Z","dateUpdated":"2026-01-13T08:26:58Z",
			 "uri":"/api/v1/subaccounts/ivrctl-test/numbers/442071234567","rentalPrice":0,"incomingRate":0,
			 "billingUnit":"MONTH","billingCurrency":"USD","numberHealthCheckEnabled":true,
			 "numberHealth":{"isHealthy":true,"status":"OK","lastCheckedTime":"2026-01-13T08:26:58Z"}}],
			"statusCode":0,"statusMessage":"ok"}`},
		{"one number", "GET", "numbers/6561115777", bearer, 200, `{"statusCode":0,"statusMessage":"ok",
			"timestamp":"2026-01-13T08:26:58.000Z","payload":{"referenceId":"emulator-6561115777","msisdn":"+6561115777","countryCode":"SG"}}`},
		{"not our number", "GET", "numbers/6599990000", bearer, 404,
			`{"statusCode":404,"statusMessage":"Resource not found","timestamp":"2026-01-13T08:26:58.000Z"}`},
		{"number not 7 to 10 digits", "GET", "numbers/123", bearer, 400,
			`{"statusCode":400,"statusMessage":"number must be 7 to 10 digits","timestamp":"2026-01-13T08:26:58.000Z"}`},
		{"no key", "GET", "speech-profiles", "", 401,
			`{"statusCode":401,"statusMessage":"API key not found or invalid","timestamp":"2026-01-13T08:26:58.000Z"}`},
		{"wrong key", "GET", "numbers", "Bearer nope", 401,
			`{"statusCode":401,"statusMessage":"API key not found or invalid","timestamp":"2026-01-13T08:26:58.000Z"}`},
		{"key without Bearer", "GET", "numbers", acctKey, 401,
			`{"statusCode":401,"statusMessage":"API key not found or invalid","timestamp":"2026-01-13T08:26:58.000Z"}`},
		{"wrong method", "POST", "speech-profiles", bearer, 405,
			`{"statusCode":405,"statusMessage":"Method POST not allowed: use GET","timestamp":"2026-01-13T08:26:58.000Z"}`},
		{"webhooks without key: its own shape", "GET", "webhooks", "", 401,
			`{"errorId":"id-0001","statusCode":"401","statusMessage":"API key not found or invalid","timestamp":"2026-01-13T08:26:58.000Z"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, got := do(t, tc.method, base+tc.path, tc.auth, "")
			if status != tc.status {
				t.Errorf("HTTP %d, want %d", status, tc.status)
			}
			if diff := cmp.Diff(js(t, tc.want), got); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("unknown sub-account", func(t *testing.T) {
		status, got := do(t, "GET", strings.Replace(base, "ivrctl-test", "someone-else", 1)+"numbers", bearer, "")
		want := `{"statusCode":404,"statusMessage":"Resource not found","timestamp":"2026-01-13T08:26:58.000Z"}`
		if status != 404 || !cmp.Equal(js(t, want), got) {
			t.Errorf("HTTP %d %v, want 404 %s", status, got, want)
		}
	})
}

// Without Config.Profiles and Config.Numbers: DefaultProfiles are listed
// and no number.
func TestAccountDefaults(t *testing.T) {
	t.Parallel()
	base := accountServer(t, New(testConfig(nil))) + "/api/v1/subaccounts/ivrctl-test/"
	_, got := do(t, "GET", base+"speech-profiles", "Bearer "+acctKey, "")
	var codes []string
	for _, p := range got.(map[string]any)["speechProfiles"].([]any) {
		codes = append(codes, p.(map[string]any)["speechProfileCode"].(string))
	}
	want := []string{"da-DK-Naja", "en-GB-Emma", "en-IE-EmilyNeural", "en-US-BenjaminRUS", "en-US-Jenny",
		"en-US-Neural2-C", "en-US-Standard-A", "en-US-ZiraRUS"}
	if diff := cmp.Diff(want, codes); diff != "" {
		t.Errorf("profiles (-want +got):\n%s", diff)
	}
	_, got = do(t, "GET", base+"numbers", "Bearer "+acctKey, "")
	if diff := cmp.Diff(js(t, `{"totalNumbers":0,"lastUpdatedAt":"2026-01-13T08:26:58Z","numbers":[],"statusCode":0,"statusMessage":"ok"}`), got); diff != "" {
		t.Errorf("numbers (-want +got):\n%s", diff)
	}
}

func TestProfilesFromCodes(t *testing.T) {
	t.Parallel()
	got := ProfilesFromCodes([]string{"en-US-Jenny", "en-GB-Ryan", "xx-YY-Z", "fr"})
	want := []callflow.SpeechProfile{
		{Code: "en-US-Jenny", Locale: "en-US", LocaleDescription: "EnglishUS", Gender: "F"},
		{Code: "en-GB-Ryan", Locale: "en-GB", LocaleDescription: "EnglishUK", Gender: ""},
		{Code: "xx-YY-Z", Locale: "xx-YY", LocaleDescription: "", Gender: ""},
		{Code: "fr", Locale: "", LocaleDescription: "", Gender: ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// The Webhooks API (the digest's section 6): list, create, delete in
// 8x8's shapes; 422 with statusCode "1001" (a string) for a bad body.
func TestWebhooksAPI(t *testing.T) {
	t.Parallel()
	base := accountServer(t, New(testConfig(nil))) + "/api/v1/subaccounts/ivrctl-test/webhooks"
	bearer := "Bearer " + acctKey
	steps := []struct {
		name, method, path, body string
		status                   int
		want                     string
	}{
		{"empty list", "GET", "", "", 200,
			`{"subAccountId":"ivrctl-test","count":0,"webhooks":[],"statusCode":0,"statusMessage":"ok"}`},
		{"create VSS", "POST", "", `{"type":"VSS","url":"http://127.0.0.1:1/vss","enabled":true}`, 200,
			`{"subAccountId":"ivrctl-test","count":1,"webhooks":[
			{"type":"VSS","url":"http://127.0.0.1:1/vss","enabled":true,"httpAuthHeaderAvailable":false}],"statusCode":0,"statusMessage":"ok"}`},
		{"create VCA with a secret", "POST", "", `{"type":"VCA","url":"http://127.0.0.1:1/vca","httpAuthHeader":"mdp1234"}`, 200,
			`{"subAccountId":"ivrctl-test","count":2,"webhooks":[
			{"type":"VCA","url":"http://127.0.0.1:1/vca","enabled":true,"httpAuthHeaderAvailable":true},
			{"type":"VSS","url":"http://127.0.0.1:1/vss","enabled":true,"httpAuthHeaderAvailable":false}],"statusCode":0,"statusMessage":"ok"}`},
		{"the guides' active", "POST", "", `{"type":"VCS","url":"https://example.test/vcs","active":false}`, 200,
			`{"subAccountId":"ivrctl-test","count":3,"webhooks":[
			{"type":"VCA","url":"http://127.0.0.1:1/vca","enabled":true,"httpAuthHeaderAvailable":true},
			{"type":"VSS","url":"http://127.0.0.1:1/vss","enabled":true,"httpAuthHeaderAvailable":false},
			{"type":"VCS","url":"https://example.test/vcs","enabled":false,"httpAuthHeaderAvailable":false}],"statusCode":0,"statusMessage":"ok"}`},
		{"not JSON", "POST", "", `type=VCA`, 422,
			`{"errorId":"id-0001","statusCode":"1001","statusMessage":"Invalid JSON request body","timestamp":"2026-01-13T08:26:58.000Z"}`},
		{"unknown type", "POST", "", `{"type":"XYZ","url":"http://127.0.0.1:1/x"}`, 422,
			`{"errorId":"id-0002","statusCode":"1001","statusMessage":"Invalid JSON request body","timestamp":"2026-01-13T08:26:58.000Z"}`},
		{"no url", "POST", "", `{"type":"VCA"}`, 422,
			`{"errorId":"id-0003","statusCode":"1001","statusMessage":"Invalid JSON request body","timestamp":"2026-01-13T08:26:58.000Z"}`},
		{"relative url", "POST", "", `{"type":"VCA","url":"/webhooks/vca"}`, 422,
			`{"errorId":"id-0004","statusCode":"1001","statusMessage":"Invalid JSON request body","timestamp":"2026-01-13T08:26:58.000Z"}`},
		{"enabled not a boolean", "POST", "", `{"type":"VCA","url":"http://127.0.0.1:1/x","enabled":"yes"}`, 422,
			`{"errorId":"id-0005","statusCode":"1001","statusMessage":"Invalid JSON request body","timestamp":"2026-01-13T08:26:58.000Z"}`},
		{"delete VSS", "DELETE", "/VSS", "", 200,
			`{"subAccountId":"ivrctl-test","type":"VSS","url":"http://127.0.0.1:1/vss","enabled":false,
			"httpAuthHeaderAvailable":false,"statusCode":0,"statusMessage":"deleted"}`},
		{"delete VSS again", "DELETE", "/VSS", "", 404,
			`{"errorId":"id-0006","statusCode":"404","statusMessage":"Resource not found","timestamp":"2026-01-13T08:26:58.000Z"}`},
		{"delete VNU: not in delete's enum", "DELETE", "/VNU", "", 404,
			`{"errorId":"id-0007","statusCode":"404","statusMessage":"Resource not found","timestamp":"2026-01-13T08:26:58.000Z"}`},
		{"delete with GET", "GET", "/VCA", "", 405,
			`{"errorId":"id-0008","statusCode":"405","statusMessage":"Method GET not allowed: use DELETE","timestamp":"2026-01-13T08:26:58.000Z"}`},
		{"replace VCA", "POST", "", `{"type":"VCA","url":"http://127.0.0.1:2/vca","enabled":true}`, 200,
			`{"subAccountId":"ivrctl-test","count":2,"webhooks":[
			{"type":"VCA","url":"http://127.0.0.1:2/vca","enabled":true,"httpAuthHeaderAvailable":false},
			{"type":"VCS","url":"https://example.test/vcs","enabled":false,"httpAuthHeaderAvailable":false}],"statusCode":0,"statusMessage":"ok"}`},
	}
	for _, st := range steps {
		status, got := do(t, st.method, base+st.path, bearer, st.body)
		if status != st.status {
			t.Errorf("%s: HTTP %d, want %d", st.name, status, st.status)
		}
		if diff := cmp.Diff(js(t, st.want), got); diff != "" {
			t.Errorf("%s: body (-want +got):\n%s", st.name, diff)
		}
	}
}

// captureRequest is a Send Callflow body: makeCall from source, then a
// sayAndCapture in voice.
func captureRequest(t *testing.T, source, voice string) []byte {
	t.Helper()
	req := callflow.Request{Callflow: []callflow.Action{
		{Action: callflow.ActionMakeCall, Params: &callflow.Params{
			Source: callflow.Some(source), Destination: callflow.Some("6512345678")}},
		{Action: callflow.ActionSayAndCapture, Params: &callflow.Params{
			PromptMessage: callflow.Some("Press 1"), VoiceProfile: callflow.Some(voice),
			MinDigits: callflow.Some(1), MaxDigits: callflow.Some(1)}},
	}}
	body, err := json.Marshal(&req)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// A source outside Config.Numbers is refused -1014, a voiceProfile
// outside Config.Profiles -1002, both HTTP 400 with 8x8's messages; what
// is on the lists (in any spelling) is created.
func TestCallerIDAndVoiceRefusals(t *testing.T) {
	t.Parallel()
	e := New(accountConfig())
	e.cfg.Webhook = EngineWebhook{Engine: simpleEngine(t)}
	tests := []struct {
		name          string
		source, voice string
		code          int
		msg           string
	}{
		{"source not ours", "6599990000", "en-GB-Emma", callflow.StatusSourceNotAllowed, "Source or caller ID is not allowed"},
		{"voice not ours", "+6561115777", "en-US-Nope", callflow.StatusVoiceProfile, "Speech profile or language parameter invalid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.Run(context.Background(), captureRequest(t, tc.source, tc.voice), Script{Press: []string{"1"}}.Caller())
			var rej *RejectedError
			if !errors.As(err, &rej) {
				t.Fatalf("Run: %v, want a refusal", err)
			}
			want := callflow.Response{SessionStatus: callflow.SessionNotCreated, CallFlowRequestID: rej.Response.CallFlowRequestID,
				StatusCode: tc.code, StatusMessage: tc.msg}
			if diff := cmp.Diff(want, rej.Response); diff != "" || rej.HTTPStatus != 400 {
				t.Errorf("HTTP %d, response (-want +got):\n%s", rej.HTTPStatus, diff)
			}
		})
	}
	// Over HTTP too, and the accepted spellings.
	base := accountServer(t, e) + "/api/v1/subaccounts/ivrctl-test/callflows"
	status, got := do(t, "POST", base, "Bearer "+acctKey, string(captureRequest(t, "6599990000", "en-GB-Emma")))
	if m := got.(map[string]any); status != 400 || m["statusCode"] != float64(-1014) || m["sessionStatus"] != "NOT_CREATED" {
		t.Errorf("HTTP %d %v, want 400 NOT_CREATED -1014", status, got)
	}
	for _, src := range []string{"6561115777", "+6561115777", "+442071234567"} {
		if _, err := e.Run(context.Background(), captureRequest(t, src, "da-DK-Naja"), Script{Press: []string{"1"}}.Caller()); err != nil {
			t.Errorf("source %s: %v", src, err)
		}
	}
	// Without the lists (ivrctl test's in-process runs) nothing is checked.
	open := New(Config{Webhook: EngineWebhook{Engine: simpleEngine(t)}})
	if _, err := open.Run(context.Background(), captureRequest(t, "6599990000", "en-US-Nope"), Script{Press: []string{"1"}}.Caller()); err != nil {
		t.Errorf("no lists configured: %v", err)
	}
}

// A webhook's callflow naming a voice outside Config.Profiles cannot be
// spoken: the session ends ERROR -2005 once it reaches that prompt.
func TestWebhookUnknownVoiceEndsSessionTTS(t *testing.T) {
	t.Parallel()
	cfg := accountConfig()
	cfg.Webhook = webhookFunc(func(context.Context, []byte) (int, []byte, error) {
		return 200, []byte(`{"callflow":[{"action":"say","params":{"text":"Fine","voiceProfile":"en-GB-Emma"}},` +
			`{"action":"say","params":{"text":"Goodbye","voiceProfile":"en-US-Nope"}},{"action":"hangup"}]}`), nil
	})
	tr := run(t, New(cfg), captureRequest(t, "6561115777", "da-DK-Naja"), Script{Press: []string{"1"}}.Caller())
	want := &callflow.ErrorDetails{ErrorCode: -2005, ErrorMsg: "Unable to synthesize text to speech"}
	if diff := cmp.Diff(want, tr.Summary.Payload.ErrorDetails); diff != "" || tr.Status() != callflow.SessionError {
		t.Errorf("status %s, errorDetails (-want +got):\n%s", tr.Status(), diff)
	}
	if got := tr.Heard[len(tr.Heard)-1].Text; got != "Fine" {
		t.Errorf("last heard %q, want the prompt before the unknown voice", got)
	}
	if tr.Summary.Payload.LastAction != "SAY" {
		t.Errorf("lastAction %s, want SAY", tr.Summary.Payload.LastAction)
	}
}

// delivery is one request a test webhook server received.
type delivery struct {
	path, auth string
	body       []byte
}

// hookRecorder is a webhook server: VCA answers hangup, VSS {}.
func hookRecorder(t *testing.T) (string, chan delivery) {
	t.Helper()
	got := make(chan delivery, 16)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- delivery{r.URL.Path, r.Header.Get("Authorization"), body}
		if strings.HasSuffix(r.URL.Path, "/vca") {
			w.Write([]byte(`{"callflow":[{"action":"hangup"}]}`))
			return
		}
		w.Write([]byte(`{}`))
	}))
	t.Cleanup(ts.Close)
	return ts.URL, got
}

func next(t *testing.T, c chan delivery) delivery {
	t.Helper()
	select {
	case d := <-c:
		return d
	case <-time.After(10 * time.Second):
		t.Fatal("no delivery within 10s")
	}
	return delivery{}
}

// Webhooks registered through the API carry the sub-account's sessions,
// with the httpAuthHeader in Authorization; they take precedence over
// Config's, which remain for other sub-accounts; a disabled or deleted
// one does not count; with neither, a capture is refused -1004.
func TestRegisteredWebhooksDeliver(t *testing.T) {
	t.Parallel()
	hooks, got := hookRecorder(t)
	flags, flagsGot := hookRecorder(t)
	bearer := "Bearer " + acctKey
	callflows := func(srv, sub string) (int, any) {
		return do(t, "POST", srv+"/api/v1/subaccounts/"+sub+"/callflows", bearer, string(captureRequest(t, "6561115777", "en-US-Jenny")))
	}
	register := func(srv, sub, body string) {
		t.Helper()
		if status, v := do(t, "POST", srv+"/api/v1/subaccounts/"+sub+"/webhooks", bearer, body); status != 200 {
			t.Fatalf("register %s: HTTP %d %v", body, status, v)
		}
	}

	// Nothing registered, no Config.Webhook: -1004; once a VCA is
	// registered, the call is created and the VCA goes there.
	cfg := testConfig(nil)
	cfg.SubAccount = ""
	bare := accountServer(t, New(cfg))
	if status, v := callflows(bare, "acme-01"); status != 400 || v.(map[string]any)["statusCode"] != float64(-1004) {
		t.Fatalf("no webhook: HTTP %d %v, want 400 -1004", status, v)
	}
	register(bare, "acme-01", `{"type":"VCA","url":"`+hooks+`/vca"}`)
	if status, v := callflows(bare, "acme-01"); status != 200 {
		t.Fatalf("VCA registered: HTTP %d %v", status, v)
	}
	if d := next(t, got); d.path != "/vca" || d.auth != "" {
		t.Errorf("delivery to %s with auth %q, want /vca and none", d.path, d.auth)
	}

	// With Config's webhooks (emulate's --vca-url, --vss-url) too.
	cfg = testConfig(&HTTPWebhook{URL: flags + "/vca"})
	cfg.SubAccount = ""
	cfg.VSS = HTTPVSS(flags+"/vss", nil, 0)
	e := New(cfg)
	srv := accountServer(t, e)
	register(srv, "acme-01", `{"type":"VCA","url":"`+hooks+`/vca","httpAuthHeader":"s3cret-hdr"}`)
	register(srv, "acme-01", `{"type":"VSS","url":"`+hooks+`/vss","httpAuthHeader":"s3cret-hdr"}`)
	if status, v := callflows(srv, "acme-01"); status != 200 {
		t.Fatalf("registered: HTTP %d %v", status, v)
	}
	vca, vss := next(t, got), next(t, got)
	if vca.path != "/vca" || vca.auth != "s3cret-hdr" || vss.path != "/vss" || vss.auth != "s3cret-hdr" {
		t.Errorf("deliveries %s (auth %q), %s (auth %q): want /vca and /vss with the registered header",
			vca.path, vca.auth, vss.path, vss.auth)
	}
	var ev callflow.VSSEvent
	if err := json.Unmarshal(vss.body, &ev); err != nil || ev.Payload.SubAccountID != "acme-01" || ev.Payload.SessionStatus != callflow.SessionCompleted {
		t.Errorf("VSS %s (%v): want acme-01 COMPLETED", vss.body, err)
	}

	// Another sub-account registered nothing: Config's webhooks.
	if status, _ := callflows(srv, "other-02"); status != 200 {
		t.Fatalf("other-02: HTTP %d", status)
	}
	if d := next(t, flagsGot); d.path != "/vca" || d.auth != "" {
		t.Errorf("other-02 VCA to %s auth %q, want the flags' URL and no header", d.path, d.auth)
	}
	if d := next(t, flagsGot); d.path != "/vss" {
		t.Errorf("other-02 VSS to %s, want the flags' /vss", d.path)
	}

	// Disabled VCA and deleted VSS: back to Config's.
	register(srv, "acme-01", `{"type":"VCA","url":"`+hooks+`/vca","enabled":false}`)
	if status, _ := do(t, "DELETE", srv+"/api/v1/subaccounts/acme-01/webhooks/VSS", bearer, ""); status != 200 {
		t.Fatal("delete VSS refused")
	}
	if status, _ := callflows(srv, "acme-01"); status != 200 {
		t.Fatal("acme-01 refused")
	}
	if d := next(t, flagsGot); d.path != "/vca" {
		t.Errorf("disabled VCA: delivery to %s, want the flags' /vca", d.path)
	}
	if d := next(t, flagsGot); d.path != "/vss" {
		t.Errorf("deleted VSS: delivery to %s, want the flags' /vss", d.path)
	}
	if err := e.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case d := <-got:
		t.Errorf("unexpected delivery to the disabled/deleted webhooks: %+v", d)
	default:
	}
}

// Sessions read the registry while the API writes it.
func TestRegistryConcurrent(t *testing.T) {
	t.Parallel()
	e := New(testConfig(nil))
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for range 100 {
				e.hooks.put("s", e.newRegistration("VCA", "http://127.0.0.1:1/vca", "", i%2 == 0))
				e.hooks.remove("s", "VSS")
			}
		}()
		go func() {
			defer wg.Done()
			for range 100 {
				e.webhooksFor("s")
				e.hooks.list("s")
			}
		}()
	}
	wg.Wait()
}
