package cmdutil

import "strings"

// OutcomeCode is the exit code of a call that ended with a session status
// (the summary's sessionStatus): `call --wait` and `dial` exit with it.
// 8x8's pages also spell CANCELLED and NO ANSWER; a status they do not
// document at all is treated as an error, not as success.
func OutcomeCode(status string) int {
	switch strings.ReplaceAll(strings.ToUpper(status), " ", "_") {
	case "COMPLETED":
		return ExitOK
	case "BUSY", "NO_ANSWER", "FAILED", "CANCELED", "CANCELLED":
		return ExitCallFailed
	}
	return ExitCallError
}
