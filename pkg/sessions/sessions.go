// Package sessions is the store of 8x8's Voice Session Summaries (VSS)
// that `ivrctl serve` records and `ivrctl sessions` (and campaigns) read.
//
// One interface, two stores, chosen by the location given to Open:
//
//   - a path: a JSON Lines file, locked so that one process at a time writes
//     it, group-committed (concurrent summaries share one fsync, each
//     acknowledged only once its line is on disk);
//   - a postgres:// (or postgresql://) URL: PostgreSQL, shared by any number
//     of serve replicas, deduplicated by a unique key, acknowledged after
//     commit.
//
// Both keep the same promises: an acknowledged summary survives a crash; a
// byte-identical redelivery is recorded once; a summary whose sessionId was
// recorded with another body is recorded as a revision of it; a summary
// that is not valid UTF-8 is stored as valid JSON without losing a byte, and
// two sessionIds that differ only in invalid bytes are two sessions.
package sessions

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/ivrctl/ivrctl/pkg/inputfile"
	"github.com/ivrctl/ivrctl/pkg/redact"
)

// Record is one stored session summary: the VSS as 8x8 sent it, with when
// it arrived. Nothing of the request but its body is kept, so no credential
// can end up in a store.
type Record struct {
	ReceivedAt time.Time `json:"receivedAt"`
	// SessionID is payload.sessionId; invalid UTF-8 in it shows as U+FFFD.
	SessionID string `json:"sessionId"`
	// SessionIDBytes, set only when the id is not valid UTF-8, holds its
	// exact bytes (base64 in JSON): the session's identity.
	SessionIDBytes []byte `json:"sessionIdBytes,omitempty"`
	SessionStatus  string `json:"sessionStatus,omitempty"`
	// Revision counts the bodies recorded before this one for the same
	// session: 0 for the first summary, 1 for a later one that differs.
	Revision int `json:"revision,omitempty"`
	// Event is the summary, compacted (insignificant whitespace dropped)
	// and always valid JSON: bytes that are not UTF-8 show as U+FFFD.
	Event json.RawMessage `json:"event"`
	// EventBytes, set only when the summary is not valid UTF-8, holds its
	// exact compacted bytes (base64 in JSON).
	EventBytes []byte `json:"eventBytes,omitempty"`
}

// Key is the session's identity: the exact bytes of its sessionId.
func (r *Record) Key() string {
	if r.SessionIDBytes != nil {
		return string(r.SessionIDBytes)
	}
	return r.SessionID
}

// Body returns the summary's exact (compacted) bytes.
func (r *Record) Body() []byte {
	if r.EventBytes != nil {
		return r.EventBytes
	}
	return r.Event
}

// Choice: two summaries of one session are the same delivery when they are
// equal once compacted: whitespace between JSON tokens carries nothing 8x8
// means, so a re-encoded redelivery is not a revision. Any other byte
// difference is.
func (r *Record) digest() [sha256.Size]byte { return sha256.Sum256(r.Body()) }

// NewRecord makes the record of a VSS body received at t. The body must be
// a JSON object with payload.sessionId (callflow.DecodeVSS checks that
// first); the sessionId is taken from the raw bytes, not through
// encoding/json, which would turn every invalid byte into U+FFFD and make
// distinct sessions collide.
func NewRecord(t time.Time, body []byte) (Record, error) {
	var raw struct {
		Payload struct {
			SessionID     json.RawMessage `json:"sessionId"`
			SessionStatus string          `json:"sessionStatus"`
		} `json:"payload"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return Record{}, fmt.Errorf("session summary: %w", err)
	}
	id, ok := unquoteRaw(raw.Payload.SessionID)
	if !ok || id == "" {
		return Record{}, errors.New("session summary: payload.sessionId is not a non-empty string")
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, body); err != nil {
		return Record{}, fmt.Errorf("session summary: %w", err)
	}
	rec := Record{ReceivedAt: t.UTC(), SessionStatus: strings.ToValidUTF8(raw.Payload.SessionStatus, "\uFFFD")}
	rec.SessionID = strings.ToValidUTF8(id, "\uFFFD")
	if rec.SessionID != id {
		rec.SessionIDBytes = []byte(id)
	}
	b := compact.Bytes()
	if utf8.Valid(b) {
		rec.Event = b
	} else {
		// Invalid bytes can only sit inside JSON strings (anything else
		// would not have parsed), so replacing them keeps the JSON valid.
		rec.Event = bytes.ToValidUTF8(b, []byte("\uFFFD"))
		rec.EventBytes = b
	}
	return rec, nil
}

// unquoteRaw decodes a JSON string token keeping bytes that are not UTF-8
// as they are (encoding/json replaces them).
func unquoteRaw(tok []byte) (string, bool) {
	if len(tok) < 2 || tok[0] != '"' || tok[len(tok)-1] != '"' {
		return "", false
	}
	tok = tok[1 : len(tok)-1]
	out := make([]byte, 0, len(tok))
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		if i >= len(tok) {
			return "", false
		}
		switch tok[i] {
		case '"', '\\', '/':
			out = append(out, tok[i])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, n := hex4(tok[i+1:])
			if n < 0 {
				return "", false
			}
			i += 4
			if utf16.IsSurrogate(r) {
				if i+6 < len(tok) && tok[i+1] == '\\' && tok[i+2] == 'u' {
					if r2, n2 := hex4(tok[i+3:]); n2 >= 0 {
						if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
							r = d
							i += 6
						}
					}
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", false
		}
	}
	return string(out), true
}

func hex4(b []byte) (rune, int) {
	if len(b) < 4 {
		return 0, -1
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, -1
		}
	}
	return r, 4
}

// Outcome is what Append did with a summary.
type Outcome int

const (
	Stored    Outcome = iota // a new session
	Duplicate                // already recorded byte for byte: nothing written
	Revised                  // a known session with a new body: stored as its next revision
)

func (o Outcome) String() string {
	switch o {
	case Stored:
		return "stored"
	case Duplicate:
		return "duplicate"
	case Revised:
		return "revision"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// Query selects records. Zero fields select everything.
type Query struct {
	Status    string    // sessionStatus, e.g. COMPLETED (case-sensitive, as 8x8 sends it)
	Since     time.Time // received at or after
	SessionID string    // one session (its exact sessionId bytes)
	// AllRevisions returns every revision; otherwise only each session's
	// latest.
	AllRevisions bool
}

func (q *Query) match(r *Record) bool {
	return (q.Status == "" || r.SessionStatus == q.Status) &&
		(q.Since.IsZero() || !r.ReceivedAt.Before(q.Since)) &&
		(q.SessionID == "" || r.Key() == q.SessionID)
}

// Reader reads a store. Records come in the order they were first
// received.
type Reader interface {
	Query(ctx context.Context, q Query) ([]Record, error)
	// Location names the store for messages: the file's path, or the
	// URL without its password.
	Location() string
	Close() error
}

// Store is a Reader that records summaries.
type Store interface {
	Reader
	// Append records rec unless it is a duplicate, and returns only once
	// the record is durable (synced, committed): the caller may then
	// acknowledge it.
	Append(ctx context.Context, rec Record) (Outcome, error)
}

// ErrClosed is returned by Append after Close.
var ErrClosed = errors.New("session store is closed")

// ErrUnavailable wraps a failure of a store that may well succeed if
// retried: the database cannot be reached. serve answers it 503.
var ErrUnavailable = errors.New("session store unavailable")

// IsURL reports whether location names a PostgreSQL database rather than
// a file.
func IsURL(location string) bool {
	return strings.HasPrefix(location, "postgres://") || strings.HasPrefix(location, "postgresql://")
}

// Open opens the store at location for writing: a PostgreSQL URL, or a
// JSON Lines file path (created, with its directory, if missing, and
// locked against a second writer).
func Open(ctx context.Context, location string) (Store, error) {
	if IsURL(location) {
		return OpenPostgres(ctx, location)
	}
	return OpenFile(location)
}

// OpenReader opens the store at location for reading only: a file is
// neither created nor locked, so it can be read while serve writes it.
func OpenReader(ctx context.Context, location string) (Reader, error) {
	if IsURL(location) {
		return OpenPostgres(ctx, location)
	}
	// Checked here, so that a missing file, a FIFO or a device is bad
	// input (the caller's to say), not a failure of the query.
	f, err := inputfile.Open(location)
	if err != nil {
		return nil, fmt.Errorf("sessions file: %w", err)
	}
	f.Close()
	return fileReader{path: location}, nil
}

// DefaultPath is $XDG_STATE_HOME/ivrctl/sessions.jsonl, falling back to
// ~/.local/state/ivrctl/sessions.jsonl.
func DefaultPath() (string, error) {
	if dir := os.Getenv("XDG_STATE_HOME"); dir != "" && filepath.IsAbs(dir) {
		return filepath.Join(dir, "ivrctl", "sessions.jsonl"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("sessions file: no state directory: %w", err)
	}
	return filepath.Join(home, ".local", "state", "ivrctl", "sessions.jsonl"), nil
}

// latest keeps each session's newest revision, in first-received order.
func latest(recs []Record, all bool) []Record {
	if all {
		return recs
	}
	idx := map[string]int{}
	out := recs[:0:0]
	for _, r := range recs {
		if i, ok := idx[r.Key()]; ok {
			if r.Revision >= out[i].Revision {
				out[i] = r
			}
			continue
		}
		idx[r.Key()] = len(out)
		out = append(out, r)
	}
	return out
}

// Redact returns location fit for a message: a URL without its password
// (redact.DatabaseURL).
func Redact(location string) string {
	if !IsURL(location) {
		return location
	}
	if shown := redact.DatabaseURL(location); shown != redact.NotParsed {
		return shown
	}
	return "postgres://" + redact.NotParsed
}
