package campaign

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ivrctl/ivrctl/pkg/inputfile"
	"github.com/ivrctl/ivrctl/pkg/sessions"
)

// Format names the journal's first line: a file whose first line is not
// an ivrctl campaign header is refused, never appended to.
const Format = "ivrctl-campaign/1"

// MaxLineBytes bounds one journal line when reading: ivrctl's records are
// a few hundred bytes; a longer line is damage, skipped like a torn one.
const MaxLineBytes = 1 << 20

// Record kinds, the "t" of every line after the header.
const (
	RecNumber    = "number"     // one per list entry, written when the journal is made
	RecBad       = "bad"        // a list line that is no phone number
	RecAttempt   = "attempt"    // written and synced before its request is sent
	RecCreated   = "created"    // 8x8 answered CREATED with a sessionId
	RecNotPlaced = "not-placed" // nothing was placed: refused (NOT_CREATED) or never sent
	RecUncertain = "uncertain"  // the request may have been accepted; no sessionId known
	RecStep      = "step"       // a VCA event of the call: a menu and the digits keyed
	RecOutcome   = "outcome"    // the session summary's status
	RecLost      = "lost"       // no summary within --outcome-timeout: outcome unknown
)

// Header is the journal's first line.
type Header struct {
	Format   string    `json:"format"`
	Campaign string    `json:"campaign"` // random id, the prefix of every clientRequestId
	Created  time.Time `json:"created"`
	List     string    `json:"list"` // the list's name as given, for messages
	ListHash string    `json:"listHash"`
	Menu     string    `json:"menu"`
	MenuHash string    `json:"menuHash"`
	Numbers  int       `json:"numbers"`
	Columns  []string  `json:"columns,omitempty"` // the list's CSV header
	// Outcomes name what each menu option does ("main:1": "hangup"),
	// so a report needs the journal only.
	Outcomes map[string]string `json:"outcomes,omitempty"`
}

// Record is one journal line after the header. Which fields are set
// depends on T.
type Record struct {
	T       string    `json:"t"`
	At      time.Time `json:"at,omitzero"`
	Number  string    `json:"n,omitempty"`
	Attempt int       `json:"a,omitempty"`
	// Attempt: the clientRequestId sent; Recall marks --recall-unknown.
	CRID   string `json:"crid,omitempty"`
	Recall bool   `json:"recall,omitempty"`
	// Created, Outcome, Lost, Step.
	Session string `json:"sid,omitempty"`
	// Outcome: the VSS sessionStatus; NotPlaced: refused or unsent.
	Status    string `json:"status,omitempty"`
	ErrorCode int    `json:"code,omitempty"`
	Error     string `json:"err,omitempty"`
	// Step.
	Menu    string `json:"menu,omitempty"`
	Digits  string `json:"digits,omitempty"`
	Matched string `json:"matched,omitempty"`
	// Number, Bad.
	Line   int      `json:"line,omitempty"`
	Fields []string `json:"fields,omitempty"`
	Text   string   `json:"text,omitempty"`
}

// NotPlaced statuses.
const (
	NotPlacedRefused = "refused" // 8x8 refused the request: final, not retried
	NotPlacedUnsent  = "unsent"  // never left ivrctl: placed again on resume
)

// MismatchError is a journal made for another list or menu.
type MismatchError struct {
	Path, What, Journal, Given string
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("journal %s was made for another %s (%s, %s here): use a new --journal for this %s, or the %s it was made with",
		e.Path, e.What, e.Journal, e.Given, e.What, e.What)
}

// ForeignError is a file that is not an ivrctl campaign journal.
type ForeignError struct {
	Path   string
	Reason string
}

func (e *ForeignError) Error() string {
	return fmt.Sprintf("%s is not an ivrctl campaign journal (%s): refusing to append to it; give a new --journal", e.Path, e.Reason)
}

// Journal is the append-only JSON Lines file a campaign keeps: its header,
// then one record per event that matters. It is the campaign's truth: a
// resumed campaign reads its state from it and nothing else.
//
// Durability: Append returns once its records are written and, unless
// NoSync, fsynced. Appends from concurrent workers are group-committed:
// one fsync covers every record written while the previous fsync ran, so
// ten workers pay about one fsync per round, not ten.
//
// Crash safety is the sessions file's (pkg/webhook): the file is never
// truncated or rewritten; a torn last line is skipped by readers, and the
// next append starts with a newline so the fragment stays on a line of
// its own.
type Journal struct {
	path   string
	header Header
	// NoSync skips fsync (benchmarks and tests of the cost only: a crash
	// may then lose acknowledged records).
	NoSync bool

	mu      sync.Mutex
	cond    *sync.Cond
	f       *os.File
	buf     []byte // records waiting for the next write
	queued  uint64 // records handed to Append
	synced  uint64 // records written and synced
	syncing bool
	err     error // a failed write or sync: every later Append fails
	closed  bool
	torn    bool

	records []Record // what was read at open
	skipped int
	writes  int // write calls (each with its fsync): group commit's measure
}

// Writes counts the writes (each fsynced unless NoSync) since the journal
// was opened: with group commit, fewer than the records appended.
func (j *Journal) Writes() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.writes
}

// Create makes a new journal at path with header h (and, synced with it,
// the records recs: the list's numbers and bad lines). It fails when path
// exists.
func Create(path string, h Header, recs []Record) (*Journal, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	h.Format = Format
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(h); err != nil {
		f.Close()
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	for _, r := range recs {
		if err := enc.Encode(r); err != nil {
			f.Close()
			return nil, fmt.Errorf("journal %s: %w", path, err)
		}
	}
	if _, err := f.Write(buf.Bytes()); err != nil {
		f.Close()
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, fmt.Errorf("journal %s: sync: %w", path, err)
	}
	// The file's name is durable once its directory is synced.
	if err := sessions.SyncDir(filepath.Dir(path)); err != nil {
		f.Close()
		return nil, fmt.Errorf("journal %s: syncing its directory: %w", path, err)
	}
	j := newJournal(path, f, h)
	j.records = recs
	return j, nil
}

// Open opens an existing journal for appending and reads its records.
// want, when not nil, is the header a new journal would get: a journal of
// another list or menu is refused with a *MismatchError.
func Open(path string, want *Header) (*Journal, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND, 0)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	h, recs, skipped, torn, err := read(f, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	if want != nil {
		if h.ListHash != want.ListHash {
			f.Close()
			return nil, &MismatchError{Path: path, What: "list", Journal: h.List, Given: want.List}
		}
		if h.MenuHash != want.MenuHash {
			f.Close()
			return nil, &MismatchError{Path: path, What: "menu", Journal: h.Menu, Given: want.Menu}
		}
	}
	j := newJournal(path, f, h)
	j.records, j.skipped, j.torn = recs, skipped, torn
	return j, nil
}

// ReadFile reads a journal without opening it for writing (report).
func ReadFile(path string) (Header, []Record, int, error) {
	f, err := inputfile.Open(path) // regular files only: a FIFO would block
	if err != nil {
		return Header{}, nil, 0, fmt.Errorf("journal: %w", err)
	}
	defer f.Close()
	h, recs, skipped, _, err := read(f, path)
	return h, recs, skipped, err
}

func newJournal(path string, f *os.File, h Header) *Journal {
	j := &Journal{path: path, f: f, header: h}
	j.cond = sync.NewCond(&j.mu)
	return j
}

// read parses a journal: the header, then records. A last line without
// its newline is torn (its write never finished, so it was never
// acknowledged) and skipped even if it parses; so is any other line that
// is not a record.
func read(r io.Reader, path string) (h Header, recs []Record, skipped int, torn bool, err error) {
	br := bufio.NewReaderSize(r, 64<<10)
	first := true
	for {
		line, rerr := readLine(br)
		if rerr != nil && rerr != io.EOF {
			return h, nil, 0, false, fmt.Errorf("journal %s: %w", path, rerr)
		}
		complete := rerr == nil
		if first {
			if !complete && len(line) == 0 {
				return h, nil, 0, false, &ForeignError{Path: path, Reason: "empty file"}
			}
			if !complete || json.Unmarshal(line, &h) != nil || h.Format != Format {
				return h, nil, 0, false, &ForeignError{Path: path, Reason: "its first line is no " + Format + " header"}
			}
			first = false
			continue
		}
		if !complete {
			if len(line) > 0 {
				skipped++
				torn = true
			}
			return h, recs, skipped, torn, nil
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue // the newline written after a torn fragment
		}
		var rec Record
		if json.Unmarshal(line, &rec) != nil || rec.T == "" {
			skipped++
			continue
		}
		recs = append(recs, rec)
	}
}

// readLine reads one line with its newline stripped; io.EOF with what is
// left when the file ends without one. A line over MaxLineBytes comes back
// as the invalid "{" so that it is counted as skipped.
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(line)+len(chunk) <= MaxLineBytes {
			line = append(line, chunk...)
		} else {
			line = []byte("{")
		}
		switch err {
		case nil:
			return bytes.TrimSuffix(line, []byte("\n")), nil
		case bufio.ErrBufferFull:
			continue
		default:
			return line, err
		}
	}
}

// Path returns the journal's path.
func (j *Journal) Path() string { return j.path }

// Header returns the journal's header.
func (j *Journal) Header() Header { return j.header }

// Records returns the records read when the journal was opened or made.
func (j *Journal) Records() []Record { return j.records }

// Skipped counts the lines skipped when it was opened (a torn last line).
func (j *Journal) Skipped() int { return j.skipped }

// Append writes recs, in order, and returns once they are on disk.
func (j *Journal) Append(recs ...Record) error {
	var line bytes.Buffer
	enc := json.NewEncoder(&line)
	enc.SetEscapeHTML(false)
	for _, r := range recs {
		if err := enc.Encode(r); err != nil {
			return fmt.Errorf("journal %s: encoding a %s record: %w", j.path, r.T, err)
		}
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return fmt.Errorf("journal %s: closed", j.path)
	}
	if j.err != nil {
		return j.err
	}
	j.buf = append(j.buf, line.Bytes()...)
	j.queued++
	mine := j.queued
	for j.synced < mine && j.err == nil {
		if j.syncing {
			j.cond.Wait()
			continue
		}
		// Lead a group commit: write everything queued so far.
		j.syncing = true
		buf, upto := j.buf, j.queued
		j.buf = nil
		torn := j.torn
		j.mu.Unlock()
		err := j.write(buf, torn)
		j.mu.Lock()
		j.syncing = false
		if err != nil {
			j.err = err
		} else {
			j.torn = false
			j.synced = upto
			j.writes++
		}
		j.cond.Broadcast()
	}
	return j.err
}

func (j *Journal) write(buf []byte, torn bool) error {
	if torn {
		buf = append([]byte{'\n'}, buf...) // isolate the torn fragment; never rewrite it
	}
	if _, err := j.f.Write(buf); err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	if j.NoSync {
		return nil
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("journal %s: sync: %w", j.path, err)
	}
	return nil
}

// Close syncs and closes the file. It is safe to call more than once.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	for j.syncing {
		j.cond.Wait()
	}
	if j.closed {
		return nil
	}
	j.closed = true
	err := j.f.Sync()
	if cerr := j.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	return nil
}
