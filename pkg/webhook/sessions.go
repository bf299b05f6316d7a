package webhook

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"time"
)

// SessionRecord is one line of the sessions file: a session summary as 8x8
// sent it, with when it arrived. Nothing of the request but its body is
// kept, so no credential can end up in the file.
type SessionRecord struct {
	ReceivedAt    time.Time       `json:"receivedAt"`
	SessionID     string          `json:"sessionId"`
	SessionStatus string          `json:"sessionStatus,omitempty"`
	Event         json.RawMessage `json:"event"`
}

// ErrClosed is returned by Append after Close.
var ErrClosed = errors.New("sessions file is closed")

// Sessions is the append-only JSON Lines file of session summaries.
//
// Durability: Append writes one whole line and fsyncs before it returns, so
// the server acknowledges a summary (HTTP 200) only once it is on disk; a
// redelivery after a crash finds it there. Appends are serialised by a
// mutex: 8x8 sends one summary per call, so fsync per summary is far from a
// bottleneck and group commit would only add latency bookkeeping.
//
// Crash safety: the file is never truncated or rewritten. A crash mid-write
// can leave a torn last line (no newline, or not JSON); readers skip it, and
// the next append first writes a newline so the fragment stays on a line of
// its own and the new record is whole.
type Sessions struct {
	path string

	mu      sync.Mutex
	f       *os.File
	seen    map[string]struct{}
	torn    bool // the file does not end in a newline
	closed  bool
	skipped int // lines skipped when the file was opened
}

// DefaultSessionsPath is $XDG_STATE_HOME/ivrctl/sessions.jsonl, falling
// back to ~/.local/state/ivrctl/sessions.jsonl.
func DefaultSessionsPath() (string, error) {
	if dir := os.Getenv("XDG_STATE_HOME"); dir != "" && filepath.IsAbs(dir) {
		return filepath.Join(dir, "ivrctl", "sessions.jsonl"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("sessions file: no state directory: %w", err)
	}
	return filepath.Join(home, ".local", "state", "ivrctl", "sessions.jsonl"), nil
}

// OpenSessions opens (creating it and its directory if needed) the sessions
// file at path and reads the session ids already in it, so a summary
// delivered twice is recorded once, across restarts too.
func OpenSessions(path string) (*Sessions, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("sessions file %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sessions file: %w", err)
	}
	// Append's fsync makes the file's data durable, not its name: a new
	// file's directory entry is only on disk once the directory is
	// synced, else an acknowledged summary could vanish with the file in
	// a crash. Once per open is cheap, so no need to know if it was new.
	if err := SyncDir(filepath.Dir(path)); err != nil {
		f.Close()
		return nil, fmt.Errorf("sessions file %s: syncing its directory: %w", path, err)
	}
	s := &Sessions{path: path, f: f, seen: map[string]struct{}{}}
	recs, skipped, torn, err := readSessions(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("sessions file %s: %w", path, err)
	}
	for _, r := range recs {
		s.seen[r.SessionID] = struct{}{}
	}
	s.skipped, s.torn = skipped, torn
	return s, nil
}

// Path returns the file's path.
func (s *Sessions) Path() string { return s.path }

// Len returns how many distinct sessions the file holds.
func (s *Sessions) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.seen)
}

// Skipped returns how many lines were skipped when the file was opened
// (a torn last line, or any line that is not a record).
func (s *Sessions) Skipped() int { return s.skipped }

// Append writes rec as one line and syncs it to disk. It reports false,
// writing nothing, when rec's session is already in the file.
func (s *Sessions) Append(rec SessionRecord) (bool, error) {
	line, err := json.Marshal(rec)
	if err != nil {
		return false, fmt.Errorf("sessions file: encoding session %s: %w", rec.SessionID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false, ErrClosed
	}
	if _, dup := s.seen[rec.SessionID]; dup {
		return false, nil
	}
	buf := make([]byte, 0, len(line)+2)
	if s.torn {
		buf = append(buf, '\n') // isolate the torn fragment; never rewrite it
	}
	buf = append(buf, line...)
	buf = append(buf, '\n')
	n, err := s.f.Write(buf)
	if err != nil {
		s.torn = s.torn || n < len(buf)
		return false, fmt.Errorf("sessions file %s: %w", s.path, err)
	}
	s.torn = false
	if err := s.f.Sync(); err != nil {
		// Not marked seen: a redelivery is appended again, and readers
		// keep the last copy of a session.
		return false, fmt.Errorf("sessions file %s: sync: %w", s.path, err)
	}
	s.seen[rec.SessionID] = struct{}{}
	return true, nil
}

// Close syncs and closes the file. It is safe to call more than once.
func (s *Sessions) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	err := s.f.Sync()
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sessions file %s: %w", s.path, err)
	}
	return nil
}

// ReadSessionsFile reads the records of a sessions file, one per session
// (the last copy: see readSessions). skipped counts lines that are not records: a torn last line
// after a crash, or any line damaged otherwise.
func ReadSessionsFile(path string) (recs []SessionRecord, skipped int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("sessions file: %w", err)
	}
	defer f.Close()
	recs, skipped, _, err = readSessions(f)
	if err != nil {
		return nil, 0, fmt.Errorf("sessions file %s: %w", path, err)
	}
	return recs, skipped, nil
}

// readSessions parses JSON Lines. A last line without its newline is torn
// (the write that made it never finished) and skipped even if it parses: it
// was never acknowledged.
//
// The server appends a session once, so two lines for one session only
// arise when an append was not acknowledged: a torn tail that happened to
// be whole JSON (closed by the next append's newline) or a failed fsync;
// 8x8's redelivery then follows it. The later line is the acknowledged one,
// so it wins, in the earlier one's place.
func readSessions(r io.Reader) (recs []SessionRecord, skipped int, torn bool, err error) {
	br := bufio.NewReader(r)
	seen := map[string]int{} // sessionId -> index in recs
	for {
		line, rerr := br.ReadBytes('\n')
		if rerr != nil && rerr != io.EOF {
			return nil, 0, false, rerr
		}
		if rerr == io.EOF {
			if len(line) > 0 {
				skipped++
				torn = true
			}
			return recs, skipped, torn, nil
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue // the newline written after a torn fragment, or a blank line
		}
		var rec SessionRecord
		if json.Unmarshal(line, &rec) != nil || rec.SessionID == "" {
			skipped++
			continue
		}
		if i, dup := seen[rec.SessionID]; dup {
			recs[i] = rec
			continue
		}
		seen[rec.SessionID] = len(recs)
		recs = append(recs, rec)
	}
}

// SyncDir fsyncs a directory, making the entries created in it durable.
// Where directories cannot be synced (Windows; some file systems answer
// EINVAL) there is nothing more to do.
func SyncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, errors.ErrUnsupported) {
		return err
	}
	return nil
}
