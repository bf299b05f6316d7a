package webhook

import "time"

// Kind says what an Event is about.
type Kind string

const (
	KindVCA    Kind = "VCA"    // a call action answered with a callflow
	KindVCS    Kind = "VCS"    // a call status update, acknowledged and dropped
	KindVSS    Kind = "VSS"    // a session summary, recorded in the session store
	KindReject Kind = "REJECT" // a request refused before it reached a handler's logic: auth, method, size, JSON
	KindServer Kind = "SERVER" // the server itself: start-up notes, net/http errors, panics, shutdown
)

// Level grades an Event.
type Level string

const (
	LevelInfo  Level = "info"
	LevelWarn  Level = "warn"
	LevelError Level = "error"
)

// Event is what the server reports about one request (or about itself).
// It is a plain value handed to Config.OnEvent after the response has been
// written, so rendering never delays 8x8's answer; the command decides how
// it looks (coloured text, JSON lines).
type Event struct {
	Time    time.Time     // when the request arrived
	Level   Level         // info for answered events, warn/error otherwise
	Kind    Kind          //
	Route   string        // the request path, e.g. /webhooks/vca
	Remote  string        // the client address the allow list judged
	Status  int           // HTTP status sent (0 for server events)
	Latency time.Duration // arrival to response written

	// VCA, VCS, VSS
	Session string // payload.sessionId

	// VCA
	Menu    string // the menu the event answered (for a fallback: the unknown id)
	Digits  string // what the caller keyed, "" for no input
	Matched string // the option taken: its digits, "other", "noInput", "inbound", "fallback"
	Action  string // the callflow answered, as its action names: "say+hangup"
	Next    string // the clientActionId answered ("" : the start menu)

	// VCS
	CallStatus string // payload.callStatus of a status update

	// VSS
	Outcome   string // sessionStatus: COMPLETED, BUSY, NO_ANSWER, FAILED, CANCELED, ERROR
	ErrorCode int    // errorDetails.errorCode when the session ended in ERROR
	ErrorMsg  string // errorDetails.errorMsg
	Duplicate bool   // the summary was already recorded byte for byte: not written again
	Revision  bool   // the sessionId was recorded with another body: this one is stored as a revision
	// ClientRequestID is the summary's clientRequestId: how a campaign
	// finds the attempt of a call whose Send Callflow answer it never got.
	ClientRequestID string

	// Message explains a warning or an error: why a request was refused,
	// that an unknown menu was answered with the start menu, a panic.
	Message string
	Stack   string // the goroutine stack of a panic
}
