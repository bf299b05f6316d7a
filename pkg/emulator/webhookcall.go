package emulator

import "github.com/ivrctl/ivrctl/pkg/callflow"

// WebhookCall is one VCA round trip of a session as the platform saw it:
// what was sent (the clientActionId echoed and the digits) and what the
// backend answered. Coverage (pkg/coverage) maps these back to the menu's
// paths, which works the same whether the menu answered in-process or a
// server over HTTP did.
type WebhookCall struct {
	// CallStatus is the event's callStatus: ACTION_COMPLETED after a
	// capture or a bridged call, CALL_RECEIVED for an inbound call's
	// greeting (which takes no path of a menu).
	CallStatus     string
	ClientActionID string // as sent: the previous answer's, "" for the request's callflow
	Digits         string // the DTMF sent; "" with NoInput
	NoInput        bool   // the event carried no digits (dtmf null)
	// Status is the HTTP status answered, 0 for a transport failure.
	Status int
	// Accepted says the answer was a callflow the platform runs (HTTP
	// 200, valid); AnswerID and Actions are set only then.
	Accepted bool
	AnswerID string   // the answer's clientActionId
	Actions  []string // the answer's action names, in order
}

// recordCall notes a webhook round trip in the transcript; the answer is
// filled in by answered once known.
func (s *session) recordCall(callStatus, cid string, digits *string) {
	w := WebhookCall{CallStatus: callStatus, ClientActionID: cid, NoInput: digits == nil}
	if digits != nil {
		w.Digits = *digits
		w.NoInput = *digits == ""
	}
	s.tr.Webhooks = append(s.tr.Webhooks, w)
}

// answered completes the last webhook call's record.
func (s *session) answered(status int, flow *callflow.WebhookResponse) {
	w := &s.tr.Webhooks[len(s.tr.Webhooks)-1]
	w.Status = status
	if flow == nil {
		return
	}
	w.Accepted, w.AnswerID = true, flow.ClientActionID
	for _, a := range flow.Callflow {
		w.Actions = append(w.Actions, a.Action)
	}
}
