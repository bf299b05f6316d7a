// Package callflow is the language every ivrctl command speaks: the 8x8 Voice
// Callflows wire types, the platform's status codes, and an offline validator
// that judges a callflow the way the platform does.
//
// Encoding is exact. A parameter can be absent, present and null, or present
// with a value, and all three survive a decode/encode round trip, because the
// seed's sayAndCapture sends "successMessage": null and the platform treats
// null and absent as different things in places (a null maxDigits is not a
// maxDigits). Unknown incoming fields are ignored, never an error.
package callflow

import (
	"bytes"
	"encoding/json"
)

// Action names, exactly as the platform spells them.
const (
	ActionMakeCall      = "makeCall"
	ActionSay           = "say"
	ActionSayAndCapture = "sayAndCapture"
	ActionPlayFile      = "playFile"
	ActionHangup        = "hangup"
)

// ActionNames lists the valid actions, in callflow order, as ivrctl's -1007
// messages name them (8x8's own lists name three or five, in other orders).
var ActionNames = []string{ActionMakeCall, ActionSay, ActionSayAndCapture, ActionPlayFile, ActionHangup}

// Opt is an optional, nullable JSON value: absent (the zero Opt, dropped by
// the omitzero tag), null, or a value.
type Opt[T any] struct {
	Value T
	Set   bool // present in the JSON document
	Null  bool // present and null
}

// Some returns a present, non-null Opt.
func Some[T any](v T) Opt[T] { return Opt[T]{Value: v, Set: true} }

// Null returns a present Opt whose JSON value is null.
func Null[T any]() Opt[T] { return Opt[T]{Set: true, Null: true} }

// IsZero reports an absent value, so that `omitzero` drops it.
func (o Opt[T]) IsZero() bool { return !o.Set }

// Valid reports a present, non-null value.
func (o Opt[T]) Valid() bool { return o.Set && !o.Null }

// MarshalJSON writes null or the value.
func (o Opt[T]) MarshalJSON() ([]byte, error) {
	if !o.Set || o.Null {
		return []byte("null"), nil
	}
	return json.Marshal(o.Value)
}

// UnmarshalJSON records presence and nullness. It is only called for keys
// present in the document, which is how absent and null stay apart.
func (o *Opt[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if bytes.Equal(b, []byte("null")) {
		o.Null = true
		var zero T
		o.Value = zero
		return nil
	}
	o.Null = false
	return json.Unmarshal(b, &o.Value)
}

// Params holds the parameters of every action in one flat struct: each action
// uses its own subset and the validator says which belong where. The field
// order is the seed's key order, so encoded callflows read like 8x8's examples.
type Params struct {
	// makeCall
	Source        Opt[string] `json:"source,omitzero"`
	Destination   Opt[string] `json:"destination,omitzero"`
	CallRecording Opt[bool]   `json:"callRecording,omitzero"`
	// say
	Text Opt[string] `json:"text,omitzero"`
	// sayAndCapture
	PromptMessage Opt[string] `json:"promptMessage,omitzero"`
	// say and sayAndCapture
	VoiceProfile Opt[string]  `json:"voiceProfile,omitzero"`
	Repetition   Opt[int]     `json:"repetition,omitzero"`
	Speed        Opt[float64] `json:"speed,omitzero"`
	// sayAndCapture
	MinDigits      Opt[int]    `json:"minDigits,omitzero"`
	MaxDigits      Opt[int]    `json:"maxDigits,omitzero"`
	DigitTimeout   Opt[int]    `json:"digitTimeout,omitzero"`
	OverallTimeout Opt[int]    `json:"overallTimeout,omitzero"`
	CompleteOnHash Opt[bool]   `json:"completeOnHash,omitzero"`
	NoOfTries      Opt[int]    `json:"noOfTries,omitzero"`
	SuccessMessage Opt[string] `json:"successMessage,omitzero"`
	FailureMessage Opt[string] `json:"failureMessage,omitzero"`
	// playFile
	FileURL Opt[string] `json:"fileUrl,omitzero"`
}

// Action is one step of a callflow. Params is nil for hangup.
type Action struct {
	Action string  `json:"action"`
	Params *Params `json:"params,omitempty"`
}

// Request is the body of Send Callflow
// (POST /api/v1/subaccounts/{id}/callflows).
type Request struct {
	Callflow []Action `json:"callflow"`
	// ValidUntil is "YYYY-MM-DDTHH:MM:SS.SSSZ" in UTC; the platform refuses a
	// request whose validity has passed (-1015).
	ValidUntil string `json:"validUntil,omitempty"`
	// ClientRequestID is echoed in the session summary (VSS), which is how a
	// caller finds out what became of a request whose answer was lost.
	ClientRequestID string `json:"clientRequestId,omitempty"`
}

// Session statuses of a Send Callflow response.
const (
	SessionCreated    = "CREATED"
	SessionNotCreated = "NOT_CREATED"
)

// Response is Send Callflow's answer, on success and on failure.
type Response struct {
	SessionID         string `json:"sessionId,omitempty"`
	SessionStatus     string `json:"sessionStatus,omitempty"`
	CallFlowRequestID string `json:"callFlowRequestId,omitempty"`
	ValidUntil        string `json:"validUntil,omitempty"`
	StatusCode        int    `json:"statusCode"`
	StatusMessage     string `json:"statusMessage,omitempty"`
}

// Created reports whether the platform accepted the call. Accepted is not
// answered: the call's outcome arrives later in the session summary.
func (r *Response) Created() bool {
	return r.SessionStatus == SessionCreated || (r.SessionStatus == "" && r.StatusCode == StatusCreated)
}

// WebhookResponse is the body answered to a VCA webhook. The platform echoes
// ClientActionID in the next VCA event, which is how a menu tree travels
// without server-side state.
type WebhookResponse struct {
	ClientActionID string   `json:"clientActionId,omitempty"`
	Callflow       []Action `json:"callflow"`
}
