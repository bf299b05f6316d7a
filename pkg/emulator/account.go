package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/redact"
)

// The account endpoints 8x8 serves next to Send Callflow (the digest's
// sections 6 to 8): speech profiles, virtual numbers and the Webhooks API.
// They let `ivrctl call`'s checks and `ivrctl webhooks` run against the
// emulator as they do against 8x8, in 8x8's documented shapes.

// Routes of the account endpoints.
const (
	PathSpeechProfiles = "/api/v1/subaccounts/{id}/speech-profiles"
	PathNumbers        = "/api/v1/subaccounts/{id}/numbers"
	PathNumber         = "/api/v1/subaccounts/{id}/numbers/{number}"
	PathWebhooks       = "/api/v1/subaccounts/{id}/webhooks"
	PathWebhook        = "/api/v1/subaccounts/{id}/webhooks/{type}"
)

// EventAccount is an account request (profiles, numbers, webhooks).
const EventAccount EventKind = "ACCOUNT"

// ErrorTTS is the session error of a prompt whose voiceProfile is not one
// of the sub-account's speech profiles.
//
// Choice: 8x8 refuses an unknown voiceProfile in the request with -1002,
// but a webhook's callflow is only spoken later, during the call. Of the
// VSS codes, -2005 "Unable to synthesize text to speech" names that
// failure; -2003 "The call flow provided is invalid" would also fit, but
// the callflow is valid in every way the validator (and -2003's other
// causes) can judge: only the voice is unknown to this sub-account.
const ErrorTTS = callflow.SessionErrorTTS

// DefaultProfiles are the emulator's speech profiles: every name 8x8's
// docs show (the digest's section 7) and so every voiceProfile of
// ivrctl's menus and examples. A new slice each time.
func DefaultProfiles() []callflow.SpeechProfile {
	return []callflow.SpeechProfile{
		{Code: "da-DK-Naja", Locale: "da-DK", LocaleDescription: "Danish", Gender: "F"},
		{Code: "en-GB-Emma", Locale: "en-GB", LocaleDescription: "EnglishUK", Gender: "F"},
		{Code: "en-IE-EmilyNeural", Locale: "en-IE", LocaleDescription: "EnglishIE", Gender: "F"},
		{Code: "en-US-BenjaminRUS", Locale: "en-US", LocaleDescription: "EnglishUS", Gender: "M"},
		{Code: "en-US-Jenny", Locale: "en-US", LocaleDescription: "EnglishUS", Gender: "F"},
		{Code: "en-US-Neural2-C", Locale: "en-US", LocaleDescription: "EnglishUS", Gender: "F"},
		{Code: "en-US-Standard-A", Locale: "en-US", LocaleDescription: "EnglishUS", Gender: "F"},
		{Code: "en-US-ZiraRUS", Locale: "en-US", LocaleDescription: "EnglishUS", Gender: "F"},
	}
}

// ProfilesFromCodes makes speech profiles of bare codes (a command-line
// list): the locale is the code's first two parts (en-US of
// en-US-Jenny); description and gender come from DefaultProfiles when the
// code or its locale is there, else stay empty.
func ProfilesFromCodes(codes []string) []callflow.SpeechProfile {
	known := DefaultProfiles()
	out := make([]callflow.SpeechProfile, 0, len(codes))
	for _, c := range codes {
		p := callflow.SpeechProfile{Code: c}
		if parts := strings.SplitN(c, "-", 3); len(parts) >= 2 {
			p.Locale = parts[0] + "-" + parts[1]
		}
		for _, k := range known {
			if k.Code == c {
				p = k
				break
			}
			if k.Locale == p.Locale {
				p.LocaleDescription = k.LocaleDescription
			}
		}
		out = append(out, p)
	}
	return out
}

// registration is a registered webhook and what delivers to it.
type registration struct {
	callflow.Webhook
	authHeader string
	webhook    Webhook                                      // VCA: posts events with the auth header
	vss        func(ctx context.Context, body []byte) error // VSS: posts summaries with the auth header
}

// registry holds each sub-account's webhooks, in memory: the Webhooks
// API writes it, sessions read it. The zero value is empty and ready.
type registry struct {
	mu    sync.RWMutex
	bySub map[string]map[string]*registration
}

func (r *registry) get(sub, typ string) *registration {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.bySub[sub][typ]
}

func (r *registry) list(sub string) []callflow.Webhook {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := []callflow.Webhook{} // [] in JSON, never null
	for _, t := range callflow.WebhookTypes {
		if reg := r.bySub[sub][t]; reg != nil {
			out = append(out, reg.Webhook)
		}
	}
	return out
}

// maxRegisteredSubaccounts bounds the sub-accounts the registry holds
// webhooks for: without Config.SubAccount any id is taken, and a client
// inventing ids would otherwise grow the emulator's memory without bound.
const maxRegisteredSubaccounts = 1000

// put registers reg; false when sub is new and the registry is full.
func (r *registry) put(sub string, reg *registration) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.bySub == nil {
		r.bySub = make(map[string]map[string]*registration)
	}
	if len(r.bySub[sub]) == 0 {
		if len(r.bySub) >= maxRegisteredSubaccounts {
			return false
		}
		r.bySub[sub] = make(map[string]*registration)
	}
	r.bySub[sub][reg.Type] = reg
	return true
}

func (r *registry) remove(sub, typ string) *registration {
	r.mu.Lock()
	defer r.mu.Unlock()
	reg := r.bySub[sub][typ]
	delete(r.bySub[sub], typ)
	if len(r.bySub[sub]) == 0 {
		delete(r.bySub, sub) // its place is free again
	}
	return reg
}

// webhooksFor returns what a session of sub delivers to: the sub-account's
// enabled VCA and VSS registrations, else Config's.
//
// Choice: registered webhooks take precedence over Config.Webhook and
// Config.VSS (emulate's --vca-url and --vss-url), as on 8x8 where the
// registry is the only source; the flags are the fallback for
// sub-accounts that registered nothing. Each type is decided on its own.
func (e *Emulator) webhooksFor(sub string) (Webhook, func(context.Context, []byte) error) {
	wh, vss := e.cfg.Webhook, e.cfg.VSS
	if reg := e.hooks.get(sub, "VCA"); reg != nil && reg.Enabled {
		wh = reg.webhook
	}
	if reg := e.hooks.get(sub, "VSS"); reg != nil && reg.Enabled {
		vss = reg.vss
	}
	return wh, vss
}

// authHeaderName carries a registered httpAuthHeader on delivery.
//
// Choice: 8x8 does not document the header; Authorization, with the value
// alone (no scheme), is what `ivrctl serve --auth-secret` checks by
// default, so `ivrctl webhooks set --auth-secret` + serve + emulate work
// together.
const authHeaderName = "Authorization"

// newRegistration builds a registration and its deliverers.
func (e *Emulator) newRegistration(typ, u, auth string, enabled bool) *registration {
	reg := &registration{
		Webhook:    callflow.Webhook{Type: typ, URL: u, Enabled: enabled, HTTPAuthHeaderAvailable: auth != ""},
		authHeader: auth,
	}
	var hdr http.Header
	if auth != "" {
		hdr = http.Header{authHeaderName: {auth}}
	}
	switch typ {
	case "VCA":
		reg.webhook = &HTTPWebhook{URL: u, Timeout: e.cfg.WebhookTimeout, Header: hdr}
	case "VSS", "VCS":
		// A CALL_STATUS event is posted like a summary: any 2xx is taken.
		reg.vss = (&VSSWebhook{URL: u, Timeout: e.cfg.WebhookTimeout, Header: hdr}).Deliver
	}
	return reg
}

// checkCallerID refuses a request whose first makeCall's source is not
// one of Config.Numbers (when set): 8x8 places calls only from caller
// IDs it has whitelisted for the sub-account (-1014). Numbers compare by
// digits, so +6561115777 is 6561115777.
func (e *Emulator) checkCallerID(crid string, req *callflow.Request) *RejectedError {
	if e.numbers == nil || len(req.Callflow) == 0 || req.Callflow[0].Params == nil {
		return nil
	}
	src := req.Callflow[0].Params.Source.Value
	if e.numbers[callflow.Digits(src)] {
		return nil
	}
	p := callflow.Problem{Code: callflow.StatusSourceNotAllowed, Path: "$.callflow[0].params.source",
		Message: fmt.Sprintf("%q is not one of the sub-account's virtual numbers", src)}
	return reject(crid, http.StatusBadRequest, p.Code, p.StatusMessage(), callflow.Problems{p})
}

// checkProfiles refuses a request that names a voiceProfile outside
// Config.Profiles (when set), as 8x8 does with -1002.
func (e *Emulator) checkProfiles(crid string, req *callflow.Request) *RejectedError {
	if e.profiles == nil {
		return nil
	}
	for i, a := range req.Callflow {
		if a.Params == nil || !a.Params.VoiceProfile.Valid() || e.profiles[a.Params.VoiceProfile.Value] {
			continue
		}
		p := callflow.Problem{Code: callflow.StatusVoiceProfile, Path: fmt.Sprintf("$.callflow[%d].params.voiceProfile", i),
			Message: fmt.Sprintf("%q is not one of the sub-account's speech profiles", a.Params.VoiceProfile.Value)}
		return reject(crid, http.StatusBadRequest, p.Code, p.StatusMessage(), callflow.Problems{p})
	}
	return nil
}

// speakable fails the session with ErrorTTS when a prompt's voiceProfile
// is not one of Config.Profiles: only webhooks' callflows get here with
// one, the request's were checked before it was created.
func (s *session) speakable(p *callflow.Params) bool {
	if s.e.profiles == nil || !p.VoiceProfile.Valid() || s.e.profiles[p.VoiceProfile.Value] {
		return true
	}
	s.fail(ErrorTTS, fmt.Sprintf("voiceProfile %q is not a speech profile of sub-account %s: the prompt cannot be spoken", p.VoiceProfile.Value, s.sub))
	return false
}

// Messages of the account endpoints' refusals (the digest's section 6).
const (
	msgAccountUnauthorized = "API key not found or invalid"
	msgNotFound            = "Resource not found"
	msgInvalidBody         = "Invalid JSON request body"
)

// statusBody is the error and status shape of the speech-profiles and
// numbers endpoints: statusCode an integer.
type statusBody struct {
	StatusCode    int    `json:"statusCode"`
	StatusMessage string `json:"statusMessage"`
	Timestamp     string `json:"timestamp,omitempty"`
}

// webhookError is the Webhooks API's error shape: statusCode a string.
//
// Choice: 8x8 shows this shape for the 422 ("1001"); its 401, 403, 404
// and 500 name only a message, so they take the same shape with the HTTP
// status as the code ("401"), one shape per API.
type webhookError struct {
	ErrorID       string `json:"errorId"`
	StatusCode    string `json:"statusCode"`
	StatusMessage string `json:"statusMessage"`
	Timestamp     string `json:"timestamp"`
}

// stamp is the time of an account answer.
func (e *Emulator) stamp() string { return e.cfg.Start().UTC().Format("2006-01-02T15:04:05.000Z") }

// accountGate checks an account request's method, key and sub-account,
// answering the refusal itself; it returns the sub-account and ok.
func (h *handler) accountGate(w http.ResponseWriter, r *http.Request, webhooksAPI bool, methods ...string) (string, bool) {
	e := h.e
	fail := func(status int, msg string) {
		if webhooksAPI {
			writeJSON(w, status, webhookError{ErrorID: e.cfg.NewID(), StatusCode: fmt.Sprint(status), StatusMessage: msg, Timestamp: e.stamp()})
			return
		}
		writeJSON(w, status, statusBody{StatusCode: status, StatusMessage: msg, Timestamp: e.stamp()})
	}
	if !slices.Contains(methods, r.Method) {
		w.Header().Set("Allow", strings.Join(methods, ", "))
		fail(http.StatusMethodNotAllowed, "Method "+r.Method+" not allowed: use "+strings.Join(methods, " or "))
		return "", false
	}
	if !h.authorized(r) {
		e.emit(Event{Kind: EventAccount, Error: true, Message: fmt.Sprintf("%s %s: 401: no valid Bearer API key", r.Method, accountPath(r))})
		fail(http.StatusUnauthorized, msgAccountUnauthorized)
		return "", false
	}
	sub := r.PathValue("id")
	if !callflow.ValidSubaccount(sub) || (e.cfg.SubAccount != "" && sub != e.cfg.SubAccount) {
		e.emit(Event{Kind: EventAccount, Error: true, Message: fmt.Sprintf("%s %s: 404: sub-account %q unknown", r.Method, accountPath(r), sub)})
		fail(http.StatusNotFound, msgNotFound)
		return "", false
	}
	return sub, true
}

// accountPath is the request's path after the sub-account, for logs.
func accountPath(r *http.Request) string {
	_, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/api/v1/subaccounts/"), "/")
	return rest
}

// routeAccount adds the account endpoints to the handler's mux.
func (h *handler) routeAccount() {
	h.mux.HandleFunc(PathSpeechProfiles, h.serveProfiles)
	h.mux.HandleFunc(PathNumbers, h.serveNumbers)
	h.mux.HandleFunc(PathNumber, h.serveNumber)
	h.mux.HandleFunc(PathWebhooks, h.serveWebhooks)
	h.mux.HandleFunc(PathWebhook, h.serveDeleteWebhook)
}

// serveProfiles answers GET .../speech-profiles:
// {speechProfiles: [...], statusCode: 0, statusMessage: "ok"}.
func (h *handler) serveProfiles(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.accountGate(w, r, false, http.MethodGet); !ok {
		return
	}
	ps := h.e.cfg.Profiles
	if ps == nil {
		ps = DefaultProfiles()
	}
	h.e.emit(Event{Kind: EventAccount, Message: fmt.Sprintf("GET speech-profiles: %d profile(s)", len(ps))})
	writeJSON(w, http.StatusOK, struct {
		SpeechProfiles []callflow.SpeechProfile `json:"speechProfiles"`
		StatusCode     int                      `json:"statusCode"`
		StatusMessage  string                   `json:"statusMessage"`
	}{append([]callflow.SpeechProfile{}, ps...), 0, "ok"})
}

// virtualNumber describes one of the emulator's numbers.
func (e *Emulator) virtualNumber(sub, n string) callflow.VirtualNumber {
	since := e.born.UTC().Format(time.RFC3339)
	return callflow.VirtualNumber{
		MSISDN:            "+" + n,
		CountryCode:       countryCode(n),
		OperationalStatus: "Active",
		ReferenceID:       "emulator-" + n,
		NumberType:        "Mobile",
		DateCreated:       since,
		DateUpdated:       since,
		URI:               strings.NewReplacer("{id}", sub, "{number}", n).Replace(PathNumber),
		BillingUnit:       "MONTH",
		BillingCurrency:   "USD",
		// The unset prices are sent as 0, as 8x8 lists them.
		RentalPrice:              "0",
		IncomingRate:             "0",
		NumberHealthCheckEnabled: true,
		NumberHealth:             &callflow.NumberHealth{IsHealthy: true, Status: "OK", LastCheckedTime: since},
	}
}

// serveNumbers answers GET .../numbers: {totalNumbers, lastUpdatedAt,
// numbers: [...], statusCode: 0, statusMessage: "ok"}.
func (h *handler) serveNumbers(w http.ResponseWriter, r *http.Request) {
	sub, ok := h.accountGate(w, r, false, http.MethodGet)
	if !ok {
		return
	}
	e := h.e
	ns := make([]callflow.VirtualNumber, 0, len(e.numberList))
	for _, n := range e.numberList {
		ns = append(ns, e.virtualNumber(sub, n))
	}
	e.emit(Event{Kind: EventAccount, Message: fmt.Sprintf("GET numbers: %d number(s)", len(ns))})
	writeJSON(w, http.StatusOK, struct {
		TotalNumbers  int                      `json:"totalNumbers"`
		LastUpdatedAt string                   `json:"lastUpdatedAt"`
		Numbers       []callflow.VirtualNumber `json:"numbers"`
		StatusCode    int                      `json:"statusCode"`
		StatusMessage string                   `json:"statusMessage"`
	}{len(ns), e.born.UTC().Format(time.RFC3339), ns, 0, "ok"})
}

// serveNumber answers GET .../numbers/{number}: {statusCode: 0,
// statusMessage: "ok", timestamp, payload: {referenceId, msisdn,
// countryCode}}; a number that is not the emulator's gets 404
// {statusCode, statusMessage, timestamp}.
func (h *handler) serveNumber(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.accountGate(w, r, false, http.MethodGet); !ok {
		return
	}
	e := h.e
	n := r.PathValue("number")
	if !callflow.NumberLookupable(n) {
		// 8x8's pattern for the path parameter.
		writeJSON(w, http.StatusBadRequest, statusBody{StatusCode: http.StatusBadRequest,
			StatusMessage: "number must be 7 to 10 digits", Timestamp: e.stamp()})
		return
	}
	if !e.numbers[n] {
		e.emit(Event{Kind: EventAccount, Message: fmt.Sprintf("GET numbers/%s: not a virtual number (404)", n)})
		writeJSON(w, http.StatusNotFound, statusBody{StatusCode: http.StatusNotFound, StatusMessage: msgNotFound, Timestamp: e.stamp()})
		return
	}
	e.emit(Event{Kind: EventAccount, Message: fmt.Sprintf("GET numbers/%s: found", n)})
	type payload struct {
		ReferenceID string `json:"referenceId"`
		MSISDN      string `json:"msisdn"`
		CountryCode string `json:"countryCode"`
	}
	writeJSON(w, http.StatusOK, struct {
		StatusCode    int     `json:"statusCode"`
		StatusMessage string  `json:"statusMessage"`
		Timestamp     string  `json:"timestamp"`
		Payload       payload `json:"payload"`
	}{0, "ok", e.stamp(), payload{"emulator-" + n, "+" + n, countryCode(n)}})
}

// webhookList is the answer of list and create.
type webhookList struct {
	SubAccountID  string             `json:"subAccountId"`
	Count         int                `json:"count"`
	Webhooks      []callflow.Webhook `json:"webhooks"`
	StatusCode    int                `json:"statusCode"`
	StatusMessage string             `json:"statusMessage"`
}

// serveWebhooks answers GET (list) and POST (create) .../webhooks.
//
// Choice: POST for a type already registered replaces it (8x8 keeps one
// URL per type and does not say whether POST replaces; its guides delete
// first, which works here too). The guides' "active" is read when the
// spec's "enabled" is absent.
func (h *handler) serveWebhooks(w http.ResponseWriter, r *http.Request) {
	sub, ok := h.accountGate(w, r, true, http.MethodGet, http.MethodPost)
	if !ok {
		return
	}
	e := h.e
	if r.Method == http.MethodPost {
		reg, why := e.decodeWebhook(w, r)
		if reg == nil {
			e.emit(Event{Kind: EventAccount, Error: true, Message: "POST webhooks: 422: " + why})
			writeJSON(w, http.StatusUnprocessableEntity, webhookError{ErrorID: e.cfg.NewID(), StatusCode: "1001",
				StatusMessage: msgInvalidBody, Timestamp: e.stamp()})
			return
		}
		if !e.hooks.put(sub, reg) {
			msg := fmt.Sprintf("The emulator holds webhooks for at most %d sub-accounts", maxRegisteredSubaccounts)
			e.emit(Event{Kind: EventAccount, Error: true, Message: "POST webhooks: 422: " + msg})
			writeJSON(w, http.StatusUnprocessableEntity, webhookError{ErrorID: e.cfg.NewID(), StatusCode: "1001",
				StatusMessage: msg, Timestamp: e.stamp()})
			return
		}
		auth := "no auth header"
		if reg.HTTPAuthHeaderAvailable {
			auth = "with an auth header" // never its value
		}
		e.emit(Event{Kind: EventAccount, Message: fmt.Sprintf("POST webhooks: %s %s registered for %s (%s, enabled %t)",
			reg.Type, redact.URL(reg.URL), sub, auth, reg.Enabled)})
	} else {
		e.emit(Event{Kind: EventAccount, Message: "GET webhooks: listed for " + sub})
	}
	list := e.hooks.list(sub)
	writeJSON(w, http.StatusOK, webhookList{SubAccountID: sub, Count: len(list), Webhooks: list, StatusMessage: "ok"})
}

// decodeWebhook reads a create request: {type, url, httpAuthHeader?,
// enabled?}. It returns nil and why when 8x8 would answer 422.
func (e *Emulator) decodeWebhook(w http.ResponseWriter, r *http.Request) (*registration, string) {
	var body struct {
		Type           *string `json:"type"`
		URL            *string `json:"url"`
		HTTPAuthHeader *string `json:"httpAuthHeader"`
		Enabled        *bool   `json:"enabled"`
		Active         *bool   `json:"active"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	if err := dec.Decode(&body); err != nil {
		return nil, "not a JSON object of the expected types: " + err.Error()
	}
	switch {
	case body.Type == nil || !slices.Contains(callflow.WebhookTypes, *body.Type):
		return nil, "type must be one of " + strings.Join(callflow.WebhookTypes, ", ")
	case body.URL == nil || *body.URL == "":
		return nil, "url is missing"
	}
	if u, err := url.Parse(*body.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, "url is not an absolute http(s) URL"
	}
	enabled := true // the spec's default
	switch {
	case body.Enabled != nil:
		enabled = *body.Enabled
	case body.Active != nil:
		enabled = *body.Active
	}
	auth := ""
	if body.HTTPAuthHeader != nil {
		auth = *body.HTTPAuthHeader
		if strings.ContainsFunc(auth, func(r rune) bool { return r < ' ' || r == 0x7f }) {
			return nil, "httpAuthHeader holds control characters"
		}
	}
	return e.newRegistration(*body.Type, *body.URL, auth, enabled), ""
}

// serveDeleteWebhook answers DELETE .../webhooks/{type}: the webhook as it
// was, with enabled false and statusMessage "deleted"; 404 when none is
// registered or for a type delete does not take (VNU, or unknown).
func (h *handler) serveDeleteWebhook(w http.ResponseWriter, r *http.Request) {
	sub, ok := h.accountGate(w, r, true, http.MethodDelete)
	if !ok {
		return
	}
	e := h.e
	typ := r.PathValue("type")
	var reg *registration
	if slices.Contains(callflow.DeleteWebhookTypes, typ) {
		reg = e.hooks.remove(sub, typ)
	}
	if reg == nil {
		// Also a type delete does not take (VNU, or unknown): the path
		// names no resource.
		e.emit(Event{Kind: EventAccount, Error: true, Message: fmt.Sprintf("DELETE webhooks/%s: 404: none registered for %s", typ, sub)})
		writeJSON(w, http.StatusNotFound, webhookError{ErrorID: e.cfg.NewID(), StatusCode: "404",
			StatusMessage: msgNotFound, Timestamp: e.stamp()})
		return
	}
	e.emit(Event{Kind: EventAccount, Message: fmt.Sprintf("DELETE webhooks/%s: %s removed for %s", typ, redact.URL(reg.URL), sub)})
	writeJSON(w, http.StatusOK, struct {
		SubAccountID string `json:"subAccountId"`
		callflow.Webhook
		StatusCode    int    `json:"statusCode"`
		StatusMessage string `json:"statusMessage"`
	}{sub, callflow.Webhook{Type: reg.Type, URL: reg.URL, Enabled: false, HTTPAuthHeaderAvailable: reg.HTTPAuthHeaderAvailable}, 0, "deleted"})
}
