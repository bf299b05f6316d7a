package callflow

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// Webhook envelope values.
const (
	NamespaceVoice = "VOICE"

	EventCallAction     = "CALL_ACTION"     // VCA: the platform asks for the next callflow
	EventCallStatus     = "CALL_STATUS"     // VCS: a status update, best effort, unordered
	EventSessionSummary = "SESSION_SUMMARY" // VSS: the session has ended
)

// VCA callStatus values.
const (
	CallStatusActionCompleted = "ACTION_COMPLETED" // the VCA guide's name for a finished capture
	CallStatusDTMFReceived    = "DTMF_RECEIVED"    // the seed's and older guides' name
	CallStatusCallReceived    = "CALL_RECEIVED"    // an inbound call reached a virtual number
)

// VCAEvent is a Voice Call Action webhook: the platform needs the next
// callflow, usually because a sayAndCapture finished.
type VCAEvent struct {
	Namespace   string     `json:"namespace,omitempty"`
	EventType   string     `json:"eventType,omitempty"`
	Description string     `json:"description,omitempty"`
	Payload     VCAPayload `json:"payload"`
}

// VCAPayload is the body of a VCA (and VCS) event.
type VCAPayload struct {
	EventID                string        `json:"eventId,omitempty"`
	CallID                 string        `json:"callId,omitempty"`
	SessionID              string        `json:"sessionId,omitempty"`
	SubAccountID           string        `json:"subAccountId,omitempty"`
	CallStatus             string        `json:"callStatus,omitempty"`
	CallDirection          string        `json:"callDirection,omitempty"`
	CallType               string        `json:"callType,omitempty"`
	Source                 string        `json:"source,omitempty"`
	Destination            string        `json:"destination,omitempty"`
	SourceFormat           string        `json:"sourceFormat,omitempty"`
	DestinationFormat      string        `json:"destinationFormat,omitempty"`
	SourceCountryCode      string        `json:"sourceCountryCode,omitempty"`
	DestinationCountryCode string        `json:"destinationCountryCode,omitempty"`
	SourceRefID            Opt[string]   `json:"sourceRefId,omitzero"`
	DestinationRefID       Opt[string]   `json:"destinationRefId,omitzero"`
	CallDuration           FlexNumber    `json:"callDuration,omitempty"` // a number in examples, "String" in 8x8's table
	EventData              *VCAEventData `json:"eventData,omitempty"`
	DTMF                   Opt[string]   `json:"dtmf,omitzero"`
	SIPCode                int           `json:"sipCode,omitempty"`
	Timestamp              string        `json:"timestamp,omitempty"`
	ClientActionID         string        `json:"clientActionId,omitempty"`
}

// VCAEventData is where newer 8x8 docs put the captured digits.
type VCAEventData struct {
	DTMF Opt[string] `json:"dtmf,omitzero"`
}

// Digits returns what the caller keyed and whether anything was captured.
//
// 8x8's docs disagree on where the digit lives: the seed, the older IVR
// guides and 8x8's sample backend read payload.dtmf, the VCA guide reads
// payload.eventData.dtmf. ivrctl reads eventData.dtmf first (the current
// docs), then dtmf; null, absent and "" all mean no input.
func (e *VCAEvent) Digits() (string, bool) {
	if d := e.Payload.EventData; d != nil && d.DTMF.Valid() && d.DTMF.Value != "" {
		return d.DTMF.Value, true
	}
	if e.Payload.DTMF.Valid() && e.Payload.DTMF.Value != "" {
		return e.Payload.DTMF.Value, true
	}
	return "", false
}

// Final session (and leg) statuses of a session summary. 8x8's API intro
// spells the cancelled status CANCELLED; every VSS page and example writes
// CANCELED, which is what the webhook sends, so ivrctl uses that. The
// Number Masking table's "NO ANSWER" is NO_ANSWER on the wire.
const (
	SessionCompleted = "COMPLETED"
	SessionBusy      = "BUSY"
	SessionNoAnswer  = "NO_ANSWER"
	SessionFailed    = "FAILED"
	SessionCanceled  = "CANCELED"
	SessionError     = "ERROR"
)

// VSSEvent is a Voice Session Summary webhook, sent once a session ends.
type VSSEvent struct {
	Namespace   string     `json:"namespace,omitempty"`
	EventType   string     `json:"eventType,omitempty"`
	Description string     `json:"description,omitempty"`
	Version     int        `json:"version,omitempty"`
	Payload     VSSPayload `json:"payload"`
}

// VSSPayload is the summary of one session.
type VSSPayload struct {
	SessionID       string          `json:"sessionId,omitempty"`
	SubAccountID    string          `json:"subAccountId,omitempty"`
	SessionStatus   string          `json:"sessionStatus,omitempty"`
	StartTime       string          `json:"startTime,omitempty"`
	EndTime         string          `json:"endTime,omitempty"`
	LastAction      string          `json:"lastAction,omitempty"`
	CallCount       int             `json:"callCount,omitempty"`
	ClientRequestID string          `json:"clientRequestId,omitempty"`
	ErrorDetails    *ErrorDetails   `json:"errorDetails,omitempty"`
	Details         map[string]*Leg `json:"details,omitempty"` // callA, callB (one 8x8 example writes CallA)
}

// ErrorDetails explains a session that ended in ERROR.
type ErrorDetails struct {
	ErrorMsg string `json:"errorMsg,omitempty"`
	// ErrorCode is an integer in the VSS pages and a string in the Number
	// Masking table; FlexInt takes both.
	ErrorCode FlexInt `json:"errorCode,omitempty"`
}

// Leg is one call of a session (callA, callB).
type Leg struct {
	CallID                 string       `json:"callId,omitempty"`
	CallDirection          string       `json:"callDirection,omitempty"`
	CallType               string       `json:"callType,omitempty"`
	InitiatedTimestamp     string       `json:"initiatedTimestamp,omitempty"`
	ConnectedTimestamp     string       `json:"connectedTimestamp,omitempty"`
	DisconnectedTimestamp  string       `json:"disconnectedTimestamp,omitempty"`
	Source                 string       `json:"source,omitempty"`
	Destination            string       `json:"destination,omitempty"`
	SourceFormat           string       `json:"sourceFormat,omitempty"`
	DestinationFormat      string       `json:"destinationFormat,omitempty"`
	SourceCountryCode      string       `json:"sourceCountryCode,omitempty"`
	DestinationCountryCode string       `json:"destinationCountryCode,omitempty"`
	SourceRefID            Opt[string]  `json:"sourceRefId,omitzero"`
	DestinationRefID       Opt[string]  `json:"destinationRefId,omitzero"`
	CallStatus             string       `json:"callStatus,omitempty"`
	CallDuration           int          `json:"callDuration"` // sent as 0 for a leg never answered, as 8x8 does
	CallQuality            *CallQuality `json:"callQuality,omitempty"`
}

// CallQuality is a leg's measured quality.
type CallQuality struct {
	MOS            float64 `json:"mos,omitempty"`            // 1.0 to 5.0
	PacketLossRate float64 `json:"packetLossRate,omitempty"` // 0.01 = 1%
	Jitter         int     `json:"jitter,omitempty"`         // ms
}

// FlexNumber keeps a number that 8x8 may send as a JSON number or as a
// string (VCA's callDuration: "String" in the field table, 0 in every
// example). The engine never reads it, so a value that is neither is kept
// out rather than failing the whole event: a caller must not hear silence
// over a field nobody uses.
type FlexNumber string

// UnmarshalJSON accepts a number, a string holding anything, and null; any
// other value is dropped.
func (n *FlexNumber) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) == 0 || string(b) == "null":
		*n = ""
	case b[0] == '"':
		var s string
		if json.Unmarshal(b, &s) == nil {
			*n = FlexNumber(s)
		}
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		*n = FlexNumber(b)
	default:
		*n = ""
	}
	return nil
}

// MarshalJSON writes a number as a number and anything else as a string.
func (n FlexNumber) MarshalJSON() ([]byte, error) {
	if _, err := strconv.ParseFloat(string(n), 64); err == nil && json.Valid([]byte(n)) {
		return []byte(n), nil
	}
	return json.Marshal(string(n))
}

// FlexInt decodes an integer sent either as a JSON number or as a string
// holding one, and encodes it as a number.
type FlexInt int

// UnmarshalJSON accepts 5, "5" and null.
func (f *FlexInt) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		b = []byte(s)
	}
	var n int
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("errorCode %s is not an integer", b)
	}
	*f = FlexInt(n)
	return nil
}

// Errors from DecodeEvent and its kin.
var (
	ErrNotObject  = errors.New("not an event: expected a JSON object")
	ErrNoPayload  = errors.New(`no "payload" object, or an empty one: not an 8x8 webhook event`)
	ErrWrongEvent = errors.New("wrong event type")
)

// EventTypeError says an event of another kind arrived where one kind was
// expected (a SESSION_SUMMARY on the VCA endpoint, say).
type EventTypeError struct {
	Got, Want string
}

func (e *EventTypeError) Error() string {
	got := e.Got
	if got == "" {
		got = "(none)"
	}
	return fmt.Sprintf("eventType %s is not %s", got, e.Want)
}

// Unwrap lets errors.Is(err, ErrWrongEvent) match.
func (e *EventTypeError) Unwrap() error { return ErrWrongEvent }

// DecodeVCA decodes a VCA event and checks it is one. An event without an
// eventType is accepted as a VCA (hand-written test payloads often omit the
// envelope); CALL_STATUS is accepted too, since it carries the same payload.
func DecodeVCA(data []byte) (*VCAEvent, error) {
	// Choice: encoding/json only. A reflection-free fast path (fastvca.go)
	// decoded 8x8's event in a fraction of the time, but no figure a user
	// sees needed it: serve's throughput against the bench ceiling and
	// simulate over a directory measured the same with and without it.
	ev := new(VCAEvent)
	if err := decodeObject(data, ev); err != nil {
		return nil, err
	}
	return checkVCA(ev)
}

// checkVCA applies DecodeVCA's rules to a decoded event.
func checkVCA(ev *VCAEvent) (*VCAEvent, error) {
	switch ev.EventType {
	case "", EventCallAction, EventCallStatus:
	default:
		return ev, &EventTypeError{Got: ev.EventType, Want: EventCallAction}
	}
	if ev.Payload == (VCAPayload{}) {
		return ev, ErrNoPayload
	}
	return ev, nil
}

// DecodeVSS decodes a session summary and checks it is one.
func DecodeVSS(data []byte) (*VSSEvent, error) {
	var ev VSSEvent
	if err := decodeObject(data, &ev); err != nil {
		return nil, err
	}
	if ev.EventType != "" && ev.EventType != EventSessionSummary {
		return &ev, &EventTypeError{Got: ev.EventType, Want: EventSessionSummary}
	}
	if ev.Payload.SessionID == "" {
		return &ev, errors.New("payload.sessionId: is missing but it is required")
	}
	return &ev, nil
}

// decodeObject unmarshals a JSON object, turning the standard library's
// messages about other JSON values into one that names the problem.
func decodeObject(data []byte, v any) error {
	data = trimJSONSpace(data)
	if len(data) == 0 {
		return errors.New("empty: expected a JSON object")
	}
	if data[0] != '{' && json.Valid(data) {
		return fmt.Errorf("%w: found %s", ErrNotObject, jsonKind(data[0]))
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	return nil
}

// jsonKind names a JSON value by its first byte.
func jsonKind(first byte) string {
	switch first {
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// trimJSONSpace trims the four characters JSON counts as white space, and
// no others: "\v{...}" is not a JSON document.
func trimJSONSpace(b []byte) []byte {
	return bytes.Trim(b, " \t\r\n")
}
