package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/ivrctl/ivrctl/pkg/callflow"
)

// Inbound is a call a person places to one of the sub-account's virtual
// numbers: 8x8 posts CALL_RECEIVED to the VCA webhook (inbound IVR, number
// masking) and plays the callflow of its answer; no Send Callflow request
// is involved.
type Inbound struct {
	To   string `json:"to"`   // the virtual number dialled
	From string `json:"from"` // the caller's number
}

// PathRing is the emulator's own endpoint (not 8x8's) that rings an
// inbound call: POST {"to": VIRTUAL_NUMBER, "from": CALLER} with the
// Bearer key Send Callflow takes; 202 {"sessionId", ...} once it rings.
const PathRing = "/emulator/v1/subaccounts/{id}/inbound-calls"

// RingError is an inbound call the emulator cannot ring: HTTPStatus is its
// endpoint's answer.
type RingError struct {
	HTTPStatus int
	Message    string
}

func (e *RingError) Error() string { return e.Message }

// Ring plays an inbound call synchronously on the virtual clock, as Run
// plays a Send Callflow request: CALL_RECEIVED to the webhook, its
// callflow, and the summary. A call that cannot ring returns a
// *RingError and no transcript.
func (e *Emulator) Ring(ctx context.Context, call Inbound, caller Caller) (*Transcript, error) {
	s, err := e.prepareInbound(call, e.cfg.SubAccount)
	if err != nil {
		return nil, err
	}
	s.run(ctx, caller)
	return s.tr, nil
}

// prepareInbound checks an inbound call and makes its session.
func (e *Emulator) prepareInbound(call Inbound, sub string) (*session, error) {
	if sub == "" {
		sub = DefaultSubAccount
	}
	switch {
	case !callflow.IsPhoneNumber(call.To):
		return nil, &RingError{http.StatusBadRequest, fmt.Sprintf("to %q is not a phone number: the virtual number dialled, e.g. +6561115777", call.To)}
	case !callflow.IsPhoneNumber(call.From):
		return nil, &RingError{http.StatusBadRequest, fmt.Sprintf("from %q is not a phone number: the caller's, e.g. +6512345678", call.From)}
	case e.numbers != nil && !e.numbers[callflow.Digits(call.To)]:
		// Choice (choices.go): 8x8 routes only its virtual numbers.
		return nil, &RingError{http.StatusNotFound, fmt.Sprintf("%s is not a virtual number of sub-account %s (the emulator's --numbers)", plus(call.To), sub)}
	}
	wh, vss := e.webhooksFor(sub)
	if wh == nil {
		return nil, &RingError{http.StatusUnprocessableEntity, "no VCA webhook: an inbound call is answered by the VCA webhook's callflow (register one, or start emulate with --vca-url)"}
	}
	c := call
	return &session{
		e:       e,
		webhook: wh,
		vss:     vss,
		vcsPost: e.vcsFor(sub),
		req:     &callflow.Request{},
		sub:     sub,
		start:   e.cfg.Start(),
		tr:      &Transcript{SessionID: e.cfg.NewID(), Direction: directionInbound},
		legs:    make([]*leg, 0, maxLegs),
		inbound: &c,
	}, nil
}

// receive connects the inbound leg, asks the webhook with CALL_RECEIVED
// and returns the callflow of its answer.
func (s *session) receive(ctx context.Context) ([]callflow.Action, string) {
	l := &leg{
		callID:       s.e.cfg.NewID(),
		source:       plus(s.inbound.From),
		destination:  plus(s.inbound.To),
		initiated:    0,
		connected:    0, // Choice (choices.go): connected when CALL_RECEIVED is sent
		disconnected: -1,
		direction:    directionInbound,
	}
	s.legs = append(s.legs, l)
	s.callStatus(l, callflow.CallStatusCallReceived, nil)
	s.logf(EventRing, false, "inbound call from %s to %s", l.source, l.destination)
	return s.callAction(ctx, callflow.CallStatusCallReceived, "", nil)
}

// receivedEvent is the CALL_RECEIVED event of an inbound call, in the
// shape of 8x8's recorded event (testdata/inbound-call-received.json).
func (s *session) receivedEvent(a *leg) *callflow.VCAEvent {
	return &callflow.VCAEvent{
		Namespace:   callflow.NamespaceVoice,
		EventType:   callflow.EventCallAction,
		Description: "Action request of a call",
		Payload: callflow.VCAPayload{
			EventID:                s.e.cfg.NewID(),
			CallID:                 a.callID,
			SessionID:              s.tr.SessionID,
			SubAccountID:           s.sub,
			CallStatus:             callflow.CallStatusCallReceived,
			CallDirection:          directionInbound,
			CallType:               "PSTN",
			Source:                 a.source,
			Destination:            a.destination,
			SourceFormat:           "MSISDN",
			DestinationFormat:      "MSISDN",
			SourceCountryCode:      countryCode(a.source),
			DestinationCountryCode: countryCode(a.destination),
			CallDuration:           "0",
			SIPCode:                200,
			Timestamp:              s.at(s.now).Format("2006-01-02T15:04:05.000Z"),
			SourceRefID:            callflow.Null[string](),
			DestinationRefID:       callflow.Some(s.e.virtualNumber(s.sub, callflow.Digits(a.destination)).ReferenceID),
		},
	}
}

// ringAnswer is PathRing's 202 body.
type ringAnswer struct {
	SessionID    string `json:"sessionId"`
	SubAccountID string `json:"subAccountId"`
	To           string `json:"to"`
	From         string `json:"from"`
	Status       string `json:"status"` // RINGING
}

// ringErrorBody is PathRing's refusal.
type ringErrorBody struct {
	StatusCode    int    `json:"statusCode"`
	StatusMessage string `json:"statusMessage"`
}

// serveRing answers PathRing: it checks the key and sub-account as Send
// Callflow does, rings the call and plays it in the background with the
// caller callerFor gives for the number dialled.
func (h *handler) serveRing(w http.ResponseWriter, r *http.Request) {
	e := h.e
	fail := func(status int, msg string) {
		e.emit(Event{Kind: EventRing, Error: true, Message: fmt.Sprintf("%d: %s", status, msg)})
		writeJSON(w, status, ringErrorBody{StatusCode: status, StatusMessage: msg})
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		fail(http.StatusMethodNotAllowed, "Method "+r.Method+" not allowed: use POST")
		return
	}
	if !h.authorized(r) {
		fail(http.StatusUnauthorized, msgUnauthorized)
		return
	}
	sub := r.PathValue("id")
	if !callflow.ValidSubaccount(sub) || (e.cfg.SubAccount != "" && sub != e.cfg.SubAccount) {
		fail(http.StatusNotFound, msgNoSubaccount+sub)
		return
	}
	var call Inbound
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	if err := dec.Decode(&call); err != nil {
		fail(http.StatusBadRequest, `want a JSON object {"to": VIRTUAL_NUMBER, "from": CALLER}`)
		return
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		fail(http.StatusBadRequest, "more than one JSON value in the body")
		return
	}
	s, err := e.prepareInbound(call, sub)
	if err != nil {
		var re *RingError
		errors.As(err, &re)
		fail(re.HTTPStatus, re.Message)
		return
	}
	switch e.begin() {
	case errClosing:
		fail(http.StatusServiceUnavailable, "Emulator shutting down")
		return
	case errBusy:
		w.Header().Set("Retry-After", "1")
		fail(http.StatusTooManyRequests, "Too many requests")
		return
	}
	caller := h.callerFor(plus(call.To))
	writeJSON(w, http.StatusAccepted, ringAnswer{SessionID: s.tr.SessionID, SubAccountID: sub,
		To: plus(call.To), From: plus(call.From), Status: "RINGING"})
	go func() {
		defer e.end()
		s.run(e.baseCtx, caller)
	}()
}
