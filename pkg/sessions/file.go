package sessions

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"syscall"

	"github.com/ivrctl/ivrctl/pkg/filelock"
	"github.com/ivrctl/ivrctl/pkg/inputfile"
)

// File is the JSON Lines store of session summaries: one Record a line.
//
// Durability: Append returns once its line is written and fsynced, so the
// server acknowledges a summary (HTTP 200) only once it is on disk; a
// redelivery after a crash finds it there.
//
// Group commit: one writer goroutine owns the file. It takes every append
// waiting when it is free, writes their lines in one write and syncs once,
// then answers them all; while it syncs, the next batch gathers. One
// client waits one fsync per summary as before; many clients share them.
//
// One writer: the file is locked (flock; LockFileEx on Windows) while open,
// so a second process on the same file is refused instead of recording
// every summary twice. Readers (OpenReader, `ivrctl sessions`) take no lock.
//
// Crash safety: the file is never truncated or rewritten. A crash mid-write
// can leave a torn last line (no newline, or not JSON); readers skip it, and
// the next append first writes a newline so the fragment stays on a line of
// its own and the new record is whole.
type File struct {
	path string
	f    *os.File

	mu     sync.RWMutex // guards closed against sends on reqs
	closed bool
	reqs   chan *appendReq
	done   chan error // the writer's result on Close

	// Owned by the writer goroutine after OpenFile returns.
	seen map[string][][sha256.Size]byte // session key -> digest of each revision
	torn bool                           // the file does not end in a newline
	buf  []byte

	sessions int // distinct sessions when opened, then kept by the writer
	skipped  int // lines skipped when the file was opened
	lenMu    sync.Mutex
}

type appendReq struct {
	rec   Record
	key   string
	d     [sha256.Size]byte
	line  []byte // rec encoded at revision 0, newline included
	err   error  // encoding rec failed
	reply chan appendResult
}

type appendResult struct {
	out Outcome
	err error
}

// maxBatch bounds one group commit: its lines are one write.
const maxBatch = 1024

// OpenFile opens (creating it and its directory if needed) the sessions
// file at path, locks it, and reads the sessions already in it, so a
// summary delivered twice is recorded once, across restarts too.
func OpenFile(path string) (*File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("sessions file %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sessions file: %w", err)
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("sessions file %s: not a regular file", path)
	}
	if err := filelock.Lock(f); err != nil {
		f.Close()
		if errors.Is(err, filelock.ErrLocked) {
			return nil, fmt.Errorf("sessions file %s is in use by another process (it is locked): one process writes a sessions file; for several serve replicas use PostgreSQL (--sessions postgres://...)", path)
		}
		return nil, fmt.Errorf("sessions file %s: lock: %w", path, err)
	}
	// A sync makes the file's data durable, not its name: a new file's
	// directory entry is only on disk once the directory is synced, else
	// an acknowledged summary could vanish with the file in a crash. Once
	// per open is cheap, so no need to know if it was new.
	if err := SyncDir(filepath.Dir(path)); err != nil {
		f.Close()
		return nil, fmt.Errorf("sessions file %s: syncing its directory: %w", path, err)
	}
	s := &File{path: path, f: f, seen: map[string][][sha256.Size]byte{},
		reqs: make(chan *appendReq, maxBatch), done: make(chan error, 1)}
	recs, skipped, torn, err := readRecords(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("sessions file %s: %w", path, err)
	}
	for i := range recs {
		s.remember(&recs[i])
	}
	s.sessions, s.skipped, s.torn = len(s.seen), skipped, torn
	go s.writer()
	return s, nil
}

// remember adds rec's body to its session's revisions (in revision order;
// a revision seen twice, after an unacknowledged append, is kept once).
func (s *File) remember(rec *Record) {
	k := rec.Key()
	revs := s.seen[k]
	d := rec.digest()
	if slices.Contains(revs, d) {
		return
	}
	s.seen[k] = append(revs, d)
}

// Location returns the file's path.
func (s *File) Location() string { return s.path }

// Len returns how many distinct sessions the file holds.
func (s *File) Len() int {
	s.lenMu.Lock()
	defer s.lenMu.Unlock()
	return s.sessions
}

// Skipped returns how many lines were skipped when the file was opened
// (a torn last line, or any line that is not a record).
func (s *File) Skipped() int { return s.skipped }

// Append records rec and returns once its line is synced; a duplicate of
// a line being written waits for that line.
func (s *File) Append(ctx context.Context, rec Record) (Outcome, error) {
	// The encoding and the digest are done here, by each caller, so the
	// one writer only decides, writes and syncs: with many clients the
	// batch's CPU work overlaps the previous batch's fsync.
	req := &appendReq{rec: rec, key: rec.Key(), d: rec.digest(), reply: make(chan appendResult, 1)}
	req.rec.Revision = 0
	req.line, req.err = encodeLine(&req.rec)
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return 0, ErrClosed
	}
	select {
	case s.reqs <- req:
	case <-ctx.Done():
		s.mu.RUnlock()
		return 0, ctx.Err()
	}
	s.mu.RUnlock()
	select {
	case r := <-req.reply:
		return r.out, r.err
	case <-ctx.Done():
		// Not acknowledged; the line may still be written, and a
		// redelivery then is a duplicate.
		return 0, ctx.Err()
	}
}

// writer owns the file: it commits batches until reqs is closed.
func (s *File) writer() {
	batch := make([]*appendReq, 0, maxBatch)
	for req := range s.reqs {
		batch = append(batch[:0], req)
	gather:
		for len(batch) < maxBatch {
			select {
			case r, ok := <-s.reqs:
				if !ok {
					break gather
				}
				batch = append(batch, r)
			default:
				break gather
			}
		}
		s.commit(batch)
	}
	err := s.f.Sync()
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	s.done <- err
}

// commit writes a batch's new lines with one write and one sync, then
// answers every request of the batch.
func (s *File) commit(batch []*appendReq) {
	type pendingRev struct {
		key string
		d   [sha256.Size]byte
	}
	res := make([]appendResult, len(batch))
	var added []pendingRev
	waits := make([]bool, len(batch)) // answered only after the sync
	s.buf = s.buf[:0]
	if s.torn {
		s.buf = append(s.buf, '\n') // isolate the torn fragment; never rewrite it
	}
	start := len(s.buf)
	for i, req := range batch {
		rec := &req.rec
		k, d := req.key, req.d
		revs := s.seen[k]
		dup := false
		for _, x := range revs {
			if x == d {
				dup = true
			}
		}
		n := len(revs)
		for _, p := range added {
			if p.key == k {
				if p.d == d {
					dup, waits[i] = true, true
				}
				n++
			}
		}
		if dup {
			res[i].out = Duplicate
			continue
		}
		line, err := req.line, req.err
		if n > 0 && err == nil { // a revision: rare, encoded again with its number
			rec.Revision = n
			line, err = encodeLine(rec)
		}
		if err != nil {
			res[i].err = fmt.Errorf("sessions file: encoding session %s: %w", rec.SessionID, err)
			continue
		}
		s.buf = append(s.buf, line...)
		added = append(added, pendingRev{k, d})
		waits[i] = true
		if n > 0 {
			res[i].out = Revised
		}
	}
	var err error
	if len(s.buf) > start {
		var n int
		n, err = s.f.Write(s.buf)
		if err != nil {
			s.torn = s.torn || n < len(s.buf)
			err = fmt.Errorf("sessions file %s: %w", s.path, err)
		} else {
			s.torn = false
			if err = s.f.Sync(); err != nil {
				// Not remembered: a redelivery is appended again, and
				// readers keep the last copy of a revision.
				err = fmt.Errorf("sessions file %s: sync: %w", s.path, err)
			}
		}
	}
	if err == nil {
		before := len(s.seen)
		for _, p := range added {
			s.seen[p.key] = append(s.seen[p.key], p.d)
		}
		if len(s.seen) != before {
			s.lenMu.Lock()
			s.sessions = len(s.seen)
			s.lenMu.Unlock()
		}
	}
	for i, req := range batch {
		if waits[i] && err != nil && res[i].err == nil {
			res[i] = appendResult{err: err}
		}
		req.reply <- res[i]
	}
}

// encodeLine is rec's line in the file, newline included.
func encodeLine(rec *Record) ([]byte, error) {
	line, err := json.Marshal(rec)
	if err != nil {
		return nil, err
	}
	return append(line, '\n'), nil
}

// Query reads the file afresh (what other processes wrote too).
func (s *File) Query(ctx context.Context, q Query) ([]Record, error) {
	return fileReader{path: s.path}.Query(ctx, q)
}

// Close waits for the appends already queued, syncs and closes the file.
// It is safe to call more than once.
func (s *File) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.reqs)
	s.mu.Unlock()
	if err := <-s.done; err != nil {
		return fmt.Errorf("sessions file %s: %w", s.path, err)
	}
	return nil
}

// fileReader reads a sessions file without locking it.
type fileReader struct{ path string }

func (r fileReader) Location() string { return r.path }
func (r fileReader) Close() error     { return nil }

func (r fileReader) Query(ctx context.Context, q Query) ([]Record, error) {
	recs, _, err := ReadFile(r.path, q.AllRevisions)
	if err != nil {
		return nil, err
	}
	out := recs[:0]
	for i := range recs {
		if q.match(&recs[i]) {
			out = append(out, recs[i])
		}
	}
	return out, nil
}

// ReadFile reads the records of a sessions file: each session's latest
// revision, or every revision with all. skipped counts lines that are not
// records: a torn last line after a crash, or any line damaged otherwise.
func ReadFile(path string, all bool) (recs []Record, skipped int, err error) {
	// Regular files only, checked before open: opening a FIFO blocks.
	// Not size-bounded: records are streamed, each line bounded (maxLine).
	f, err := inputfile.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("sessions file: %w", err)
	}
	defer f.Close()
	recs, skipped, _, err = readRecords(f)
	if err != nil {
		return nil, 0, fmt.Errorf("sessions file %s: %w", path, err)
	}
	return latest(recs, all), skipped, nil
}

// maxLine bounds one line: a summary is at most the server's body limit
// (1 MiB) twice over (the base64 copy of invalid UTF-8), plus the record.
const maxLine = 3 << 20

// readRecords parses JSON Lines into every revision of every session. A
// last line without its newline is torn (the write that made it never
// finished) and skipped even if it parses: it was never acknowledged.
//
// Two lines for one revision of a session only arise when an append was
// not acknowledged: a torn tail that happened to be whole JSON (closed by
// the next append's newline) or a failed fsync; 8x8's redelivery then
// follows it. The later line is the acknowledged one, so it wins, in the
// earlier one's place.
func readRecords(r io.Reader) (recs []Record, skipped int, torn bool, err error) {
	br := bufio.NewReaderSize(r, 64<<10)
	type rk struct {
		key string
		rev int
	}
	seen := map[rk]int{} // session and revision -> index in recs
	for {
		line, rerr := readLine(br)
		if rerr != nil && rerr != io.EOF && rerr != errLongLine {
			return nil, 0, false, rerr
		}
		if rerr == errLongLine {
			skipped++
			continue
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
		var rec Record
		if json.Unmarshal(line, &rec) != nil || rec.Key() == "" {
			skipped++
			continue
		}
		k := rk{rec.Key(), rec.Revision}
		if i, dup := seen[k]; dup {
			recs[i] = rec
			continue
		}
		seen[k] = len(recs)
		recs = append(recs, rec)
	}
}

var errLongLine = errors.New("line too long")

// readLine reads up to and including '\n'; a line over maxLine is
// consumed and reported as errLongLine, never held whole.
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		frag, err := br.ReadSlice('\n')
		if len(line)+len(frag) > maxLine {
			for err == bufio.ErrBufferFull {
				_, err = br.ReadSlice('\n')
			}
			if err == io.EOF {
				return []byte{0}, io.EOF
			}
			return nil, errLongLine
		}
		line = append(line, frag...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == nil {
			line = line[:len(line)-1] // drop '\n': a line read whole
			return line, nil
		}
		return line, err
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
