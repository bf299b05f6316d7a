// Package cmdutil is what every ivrctl subcommand shares: streams and
// colour, configuration binding, and the errors that carry exit codes.
package cmdutil

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/ivrctl/ivrctl/pkg/redact"
)

// Exit codes, the one place they are defined; ExitCodes below explains
// them.
const (
	ExitOK        = 0 // success: call created, all checks passed, valid
	ExitFailed    = 1 // a check failed (simulate's answer differs, validate found problems, a test scenario failed, numbers check: not yours), or a server failed (serve, emulate, call --wait's listener)
	ExitUsage     = 2 // bad usage or input: unknown flag, missing config, unreadable or undecodable file
	ExitRejected  = 3 // the platform refused: NOT_CREATED, HTTP 401/403
	ExitTransport = 4 // the platform could not be reached or failed: other HTTP errors, network; call --wait timed out
	// ExitCallFailed and ExitCallError are the outcomes `call --wait` reads
	// from the session summary: the call was placed but did not complete.
	ExitCallFailed = 5 // sessionStatus BUSY, NO_ANSWER, FAILED or CANCELED
	ExitCallError  = 6 // sessionStatus ERROR (errorDetails says why)
	// ExitInterrupted is 128 + SIGINT, as shells report a process killed by
	// Ctrl-C: `call` stopped before every number was placed, nothing failed,
	// or `call --wait` stopped waiting for the summary.
	ExitInterrupted = 130
)

// ExitCodeDoc describes one exit code, for people: Help is the short
// text `ivrctl --help` shows (and the man page), Doc the manual's (the
// generated docs/reference/exit-codes.md).
type ExitCodeDoc struct {
	Code int
	Help string
	Doc  string
}

// ExitCodes is the exit code table: the one place each code is explained.
// `ivrctl --help` and docs/reference/exit-codes.md are generated from it.
var ExitCodes = []ExitCodeDoc{
	{ExitOK, "success",
		"success: the call was created, every check passed, the file is valid"},
	{ExitFailed, "a check failed (simulate, validate, test, numbers check), or a server failed: serve or emulate could not listen or drain, call --wait could not listen",
		"a check failed: `simulate` got another answer than expected, `validate` found problems, a `test` scenario failed, `numbers check`: not one of the sub-account's numbers; or a server failed: `serve` or `emulate` could not listen, or requests (calls) were still in flight 10 s after a signal; or `call --wait` could not listen; or `campaign run`'s journal could not be written or its listener failed"},
	{ExitUsage, "bad usage or unreadable input (nothing was sent)",
		"bad usage or input: unknown flag, missing setting, unreadable or undecodable file, invalid callflow (nothing was sent; `call`: also a `voiceProfile` the sub-account lacks), a webhook URL that is not https, an invalid scenario file (nothing was run)"},
	{ExitRejected, "8x8 refused the request (NOT_CREATED, 401/403)",
		"8x8 refused: `NOT_CREATED` with its status code, HTTP 401/403 (every command that talks to 8x8)"},
	{ExitTransport, "8x8 could not be reached or failed (network, 5xx, other HTTP errors), or call --wait timed out before the session summary",
		"8x8 could not be reached or failed: network errors, timeouts, 5xx and other HTTP errors; `call --wait` timed out before the session summary arrived"},
	{ExitCallFailed, "call --wait: the call ended BUSY, NO_ANSWER, FAILED or CANCELED",
		"`call --wait`: the call ended `BUSY`, `NO_ANSWER`, `FAILED` or `CANCELED`"},
	{ExitCallError, "call --wait: the session ended in ERROR",
		"`call --wait`: the session ended in `ERROR` (the error code and message are printed)"},
	{ExitInterrupted, "call was interrupted before every number was placed, or while it waited (--wait)",
		"`call` was interrupted (Ctrl-C/SIGTERM) before every number was placed, and nothing failed; or `call --wait` was interrupted while waiting for the summary; or `campaign run` was stopped before every number had its outcome (run it again: the journal resumes)"},
}

// ExitCodeHelp is the exit code table as shown by --help: ExitCodes' Help
// texts, wrapped at 76 columns.
var ExitCodeHelp = exitCodeHelp(ExitCodes)

func exitCodeHelp(codes []ExitCodeDoc) string {
	const width = 76 // columns; the text starts at column 7
	var b strings.Builder
	b.WriteString("Exit codes:")
	for _, c := range codes {
		fmt.Fprintf(&b, "\n%5d  ", c.Code)
		col := 7
		for i, w := range strings.Fields(c.Help) {
			if i > 0 && col+1+len(w) > width {
				b.WriteString("\n       ")
				col = 7
			} else if i > 0 {
				b.WriteByte(' ')
				col++
			}
			b.WriteString(w)
			col += len(w)
		}
	}
	return b.String()
}

// ExitError is an error that decides the process's exit code.
type ExitError struct {
	Code int
	Err  error
	Hint string // one line saying what to do, or ""
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// Usagef returns an ExitUsage error.
func Usagef(format string, args ...any) error {
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf(format, args...)}
}

// WithHint attaches a hint to an error, keeping its exit code.
func WithHint(err error, code int, hint string) error {
	return &ExitError{Code: code, Err: err, Hint: hint}
}

// RedactError masks secret (as redact.Mask does) in an error's message and hint,
// keeping its exit code: 8x8 or a proxy may echo a key or a secret back in
// an answer an error quotes. A SilentError has printed already and is
// returned as is; so is a secret shorter than 4 bytes, which replacing
// would only garble the message with.
func RedactError(err error, secret string) error {
	if err == nil || len(secret) < 4 {
		return err
	}
	var silent *SilentError
	if errors.As(err, &silent) {
		return err
	}
	msg, hint := err.Error(), ""
	var ee *ExitError
	if errors.As(err, &ee) {
		hint = ee.Hint
	}
	if !strings.Contains(msg, secret) && !strings.Contains(hint, secret) {
		return err
	}
	return &ExitError{Code: ExitCode(err), Err: errors.New(redact.String(msg, secret)),
		Hint: redact.String(hint, secret)}
}

// SilentError exits with code having printed nothing more: the command
// already reported (a summary line, a diff).
type SilentError struct{ Code int }

func (e *SilentError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// ExitCode maps an error to the process exit code.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var s *SilentError
	if errors.As(err, &s) {
		return s.Code
	}
	var e *ExitError
	if errors.As(err, &e) {
		return e.Code
	}
	return ExitFailed
}

// WithoutPath drops the path from an *fs.PathError, for messages that name
// the file once at the start of the line ("x.json: no such file or directory").
func WithoutPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
