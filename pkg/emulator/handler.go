package emulator

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/ivrctl/ivrctl/pkg/callflow"
)

// PathCallflows is Send Callflow's route.
const PathCallflows = "/api/v1/subaccounts/{id}/callflows"

// 8x8's own answers to a refused key and an unknown sub-account.
const (
	msgUnauthorized = "Authentication header not found or token invalid"
	msgNoSubaccount = "SubAccount not found by Id : "
)

// maxRequestBytes bounds a Send Callflow body; 8x8 publishes no limit,
// and a callflow of five 3000-character texts is well under it.
const maxRequestBytes = 1 << 20

type handler struct {
	e         *Emulator
	keyDigest [sha256.Size]byte
	anyKey    bool
	callerFor func(to string) Caller
	mux       *http.ServeMux
}

func newHandler(e *Emulator, apiKey string, callerFor func(to string) Caller) http.Handler {
	h := &handler{e: e, keyDigest: sha256.Sum256([]byte(apiKey)), anyKey: apiKey == "", callerFor: callerFor}
	if h.callerFor == nil {
		h.callerFor = func(string) Caller { return Script{}.Caller() }
	}
	h.mux = http.NewServeMux()
	h.mux.HandleFunc(PathCallflows, h.serveCallflows)
	h.mux.HandleFunc(PathRing, h.serveRing)
	h.routeAccount()
	h.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, callflow.Response{StatusCode: http.StatusNotFound, StatusMessage: "Resource not found"})
	})
	return h.mux
}

// serveCallflows answers Send Callflow and starts the session.
//
// Checks, in order: method (405), Bearer key (401, 8x8's message), the
// sub-account (404, 8x8's message: its pattern, and Config.SubAccount when
// set), the body (413 over 1 MiB), then the callflow itself (NOT_CREATED
// with the validator's first problem; HTTP 422 for -1013, 400 otherwise).
func (h *handler) serveCallflows(w http.ResponseWriter, r *http.Request) {
	e := h.e
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeJSON(w, http.StatusMethodNotAllowed, callflow.Response{StatusCode: http.StatusMethodNotAllowed,
			StatusMessage: "Method " + r.Method + " not allowed: use POST"})
		return
	}
	if !h.authorized(r) {
		// The key is never logged, not even masked: it was wrong.
		e.emit(Event{Kind: EventRequest, Error: true, Message: "401: no valid Bearer API key"})
		writeJSON(w, http.StatusUnauthorized, callflow.Response{SessionStatus: callflow.SessionNotCreated,
			StatusCode: http.StatusUnauthorized, StatusMessage: msgUnauthorized})
		return
	}
	sub := r.PathValue("id")
	if !callflow.ValidSubaccount(sub) || (e.cfg.SubAccount != "" && sub != e.cfg.SubAccount) {
		e.emit(Event{Kind: EventRequest, Error: true, Message: fmt.Sprintf("404: sub-account %q unknown", sub)})
		writeJSON(w, http.StatusNotFound, callflow.Response{SessionStatus: callflow.SessionNotCreated,
			StatusCode: http.StatusNotFound, StatusMessage: msgNoSubaccount + sub})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			e.emit(Event{Kind: EventRequest, Error: true, Message: "413: request body over 1 MiB"})
			writeJSON(w, http.StatusRequestEntityTooLarge, callflow.Response{SessionStatus: callflow.SessionNotCreated,
				StatusCode: http.StatusRequestEntityTooLarge, StatusMessage: "Request body too large"})
		}
		return // the client went away
	}
	s, rej := e.prepare(body, sub)
	if rej != nil {
		e.emit(Event{Kind: EventRequest, Error: true, Message: fmt.Sprintf("NOT_CREATED %d: %s", rej.Response.StatusCode, rej.Response.StatusMessage)})
		writeJSON(w, rej.HTTPStatus, rej.Response)
		return
	}
	switch e.begin() {
	case errClosing:
		writeJSON(w, http.StatusServiceUnavailable, callflow.Response{SessionStatus: callflow.SessionNotCreated,
			StatusCode: http.StatusServiceUnavailable, StatusMessage: "Emulator shutting down"})
		return
	case errBusy:
		e.emit(Event{Kind: EventRequest, Error: true, Message: fmt.Sprintf("429: %d sessions in flight already", e.cfg.MaxSessions)})
		w.Header().Set("Retry-After", "1")
		writeJSON(w, http.StatusTooManyRequests, callflow.Response{SessionStatus: callflow.SessionNotCreated,
			StatusCode: http.StatusTooManyRequests, StatusMessage: "Too many requests"})
		return
	}
	to := ""
	if p := s.req.Callflow[0].Params; p != nil {
		to = plus(p.Destination.Value)
	}
	caller := h.callerFor(to)
	s.logf(EventRequest, false, "CREATED: call to %s, clientRequestId %q", to, s.req.ClientRequestID)
	writeJSON(w, http.StatusOK, s.created())
	go func() {
		defer e.end()
		s.run(e.baseCtx, caller)
	}()
}

// authorized checks "Authorization: Bearer KEY" in constant time.
func (h *handler) authorized(r *http.Request) bool {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return false
	}
	if h.anyKey {
		return true
	}
	got := sha256.Sum256([]byte(token))
	return subtle.ConstantTimeCompare(got[:], h.keyDigest[:]) == 1
}

var (
	errClosing = errors.New("emulator shutting down")
	errBusy    = errors.New("too many sessions in flight")
)

// begin counts a background session in, unless Shutdown has begun or
// Config.MaxSessions are in flight.
func (e *Emulator) begin() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closing {
		return errClosing
	}
	if e.active >= e.cfg.MaxSessions {
		return errBusy
	}
	e.active++
	e.wg.Add(1)
	return nil
}

// end counts a background session out.
func (e *Emulator) end() {
	e.mu.Lock()
	e.active--
	e.mu.Unlock()
	e.wg.Done()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"statusCode":500,"statusMessage":"Internal server error"}`)
	}
	w.Header()["Content-Type"] = ctJSON
	w.WriteHeader(status)
	w.Write(body)
}
