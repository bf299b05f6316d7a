package callflow

import (
	"fmt"
	"strings"
)

// Send Callflow status codes (8x8's voice-status-codes page).
const (
	StatusCreated              = 1
	StatusInvalidJSON          = -1001
	StatusVoiceProfile         = -1002
	StatusMaxDigitsWithMin     = -1003
	StatusNoDTMFCallback       = -1004
	StatusOverallTimeoutNeeded = -1005
	StatusDigitTimeoutTooLarge = -1006
	StatusInvalidAction        = -1007
	StatusMaxDigitsOnHashFalse = -1008
	StatusInvalidEntry         = -1009
	StatusTooManyActions       = -1010
	StatusMultipleDestinations = -1011
	StatusHangupMisuse         = -1012
	StatusFirstNotMakeCall     = -1013
	StatusSourceNotAllowed     = -1014
	StatusExpired              = -1015
	StatusSpecialCharacters    = -1016
	StatusInvalidDestination   = -1017
	StatusUnknown              = -9999
)

// statusMessages are 8x8's own words. Where its pages spell a message two
// ways (-1012/-1013 "Invalid Callflow :" vs "Invalid Callflow:", -9999 with
// and without a final period) ivrctl uses the status-code table's spelling.
var statusMessages = map[int]string{
	StatusCreated:              "Created",
	StatusInvalidJSON:          "Invalid JSON request body",
	StatusVoiceProfile:         "Speech profile or language parameter invalid",
	StatusMaxDigitsWithMin:     "Valid maxDigits required when minDigits provided",
	StatusNoDTMFCallback:       "DTMF callback url not provided",
	StatusOverallTimeoutNeeded: "Valid overallTimeout is required when digitTimeout provided",
	StatusDigitTimeoutTooLarge: "OverallTimeout should be greater than digitTimeout",
	// -1007 is worded two ways: the table's "Invalid action type was used.
	// Accepted action type is [...]" and the spec's example
	// "$.callflow[0].action should be one of: say,playFile,sayAndCapture".
	// ivrctl keeps the table's first sentence here and renders problems in
	// the example's form (Problem.StatusMessage), listing all five actions.
	StatusInvalidAction:        "Invalid action type was used",
	StatusMaxDigitsOnHashFalse: "Valid maxDigits is required when completeOnHash is false",
	StatusInvalidEntry:         "Invalid call flow entry provided.",
	StatusTooManyActions:       "Some actions are provided beyond the allowed count",
	StatusMultipleDestinations: "Multiple destination phone numbers found in the request",
	StatusHangupMisuse:         "Invalid Callflow : Incorrect use of action Hangup",
	StatusFirstNotMakeCall:     "Invalid Callflow : First action should be a MakeCall action",
	StatusSourceNotAllowed:     "Source or caller ID is not allowed",
	StatusExpired:              "The validity period of the call flow request has expired",
	StatusSpecialCharacters:    "Invalid Callflow Content: Some special characters are invalid/unaccepted",
	StatusInvalidDestination:   "Invalid MSISDN format in Destination",
	StatusUnknown:              "An unknown error has occurred",
}

// StatusMessage returns 8x8's message for a status code, or "" for a code
// 8x8 does not document.
func StatusMessage(code int) string { return statusMessages[code] }

// StatusHint says what usually fixes a rejected request, for the codes where
// a hint helps more than the platform's message alone. Where an ivrctl
// command shows or fixes the account's side, the hint names it.
func StatusHint(code int) string {
	switch code {
	case StatusVoiceProfile:
		return "list the sub-account's voices with: ivrctl profiles, and use a PROFILE"
	case StatusNoDTMFCallback:
		return "sayAndCapture needs a VCA webhook: register your server's URL with: ivrctl webhooks set --vca URL"
	case StatusSourceNotAllowed:
		return "the caller ID must be a virtual number of the sub-account (ivrctl numbers), whitelisted by 8x8 support"
	case StatusExpired:
		return "validUntil is in the past: send a later time or leave it out"
	case StatusInvalidDestination:
		return "write the destination in E.164, e.g. +6512345678"
	case StatusFirstNotMakeCall:
		return "a Send Callflow request must start with makeCall"
	case 401:
		return "check the API key (IVRCTL_API_KEY); keys are on the Connect portal's API Keys page"
	case 404:
		return "check the sub-account id (IVRCTL_SUBACCOUNT)"
	}
	return ""
}

// Problem is one reason the platform would refuse a callflow.
type Problem struct {
	Code    int    `json:"code"`
	Path    string `json:"path"`
	Message string `json:"message"`
}

// String renders a problem as `$.callflow[0].params.text: is missing but it
// is required (-1009)`.
func (p Problem) String() string {
	return fmt.Sprintf("%s: %s (%d)", p.Path, p.Message, p.Code)
}

// StatusMessage renders the problem as the platform would put it in
// statusMessage.
func (p Problem) StatusMessage() string {
	switch p.Code {
	case StatusInvalidEntry:
		return "Invalid call flow entry provided. " + p.Path + ": " + p.Message
	case StatusInvalidAction:
		return p.Path + " " + p.Message
	}
	return StatusMessage(p.Code)
}

// Problems is every reason found, in document order.
type Problems []Problem

// Error joins the problems one per line, so Problems can be returned as an error.
func (ps Problems) Error() string {
	var s strings.Builder
	for i, p := range ps {
		if i > 0 {
			s.WriteString("\n")
		}
		s.WriteString(p.String())
	}
	return s.String()
}

// Err returns nil for no problems, which keeps `if err := ...; err != nil`
// from tripping over a nil slice in a non-nil interface.
func (ps Problems) Err() error {
	if len(ps) == 0 {
		return nil
	}
	return ps
}

// Session error codes: errorDetails.errorCode of a session summary (VSS)
// that ended in ERROR (8x8's VSS page, shared by every voice product).
// They are decided while a call runs, never by Send Callflow.
const (
	SessionErrorInternal     = -2001
	SessionErrorConnectivity = -2002
	SessionErrorCallflow     = -2003
	SessionErrorNoCoverage   = -2004
	SessionErrorTTS          = -2005
	SessionErrorDownload     = -2006
	SessionErrorExpired      = -2007
	SessionErrorSource       = -2008
	SessionErrorScenario     = -2009
	SessionErrorTrunk        = -2010
)

var sessionErrorMessages = map[int]string{
	SessionErrorInternal:     "An internal error has occurred",
	SessionErrorConnectivity: "An internal connectivity error has occurred",
	SessionErrorCallflow:     "The call flow provided is invalid",
	SessionErrorNoCoverage:   "No coverage available for requested area",
	SessionErrorTTS:          "Unable to synthesize text to speech",
	SessionErrorDownload:     "Unable to download file for playback",
	SessionErrorExpired:      "The validity period of the call flow request has expired",
	SessionErrorSource:       "The provided source MSISDN or caller ID is not whitelisted",
	SessionErrorScenario:     "The scenario parameters provided is invalid",
	SessionErrorTrunk:        "The trunk capacity has been exceeded",
	StatusUnknown:            "An unknown error has occurred",
}

// SessionErrorMessage returns 8x8's errorMsg for a session error code, ""
// for a code 8x8 does not list.
func SessionErrorMessage(code int) string { return sessionErrorMessages[code] }
