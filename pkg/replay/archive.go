package replay

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/ivrctl/ivrctl/pkg/filelock"
)

// ArchiveSuffix names a recording archive: `serve --record calls.jsonl`
// appends every pair to one file, a JSON object a line:
//
//	{"name":"20261203T101500.000001Z-000000001-d62f91ba","event":{...},"answer":{...}}
//
// name is the pair's name in a directory (NAME.json); event is the VCA
// event as received and answer the answer sent, each a JSON value
// compacted to one line (8x8 sends compact JSON, so normally byte for
// byte).
//
// Choice: a directory of pairs costs two file creations a pair, and on a
// busy server file creation, not the answer, is what limits --record
// (BenchmarkServeRecord: a directory runs at about half the answers a
// second of serve without --record on a 2-core machine). An archive costs
// one append for every batch of waiting pairs. The directory stays the
// format to pick recordings from by hand and keep as test fixtures;
// simulate reads both.
const ArchiveSuffix = ".jsonl"

// archiveBatch is how many bytes of waiting pairs the writer joins into
// one write: enough that a burst costs a few system calls, small enough
// to stay in the CPU's cache. archiveGather is how long the writer lets
// pairs gather once one has come: a pair reaches the disk that much
// later, and a server answering thousands of events a second writes once
// for dozens of them.
const (
	archiveBatch  = 256 << 10
	archiveGather = 2 * time.Millisecond
)

// MaxArchiveLine bounds one line of an archive when it is read: an event
// and an answer, each at most inputfile.MaxInput, and the frame.
const MaxArchiveLine = 8<<20 + 4<<10

// archive is an archive file open for appending.
type archive struct {
	mu  sync.Mutex // Record and the queue's writer may write at once
	f   *os.File
	buf []byte
}

// openArchive opens path for appending, creating it, and locks it: one
// process writes an archive, so a second serve cannot interleave its
// lines (or cut one short, below). A line a crash cut short (no newline
// at the end) is cut off, so that the next pair starts on a line of its
// own. Choice: unlike the sessions file, which keeps a torn line and
// skips it when read, the torn bytes go: a recording was never
// acknowledged to anyone, and simulate would otherwise fail the archive
// on that line for ever.
func openArchive(path string) (*archive, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("record archive: %w", err)
	}
	if err := filelock.Lock(f); err != nil {
		f.Close()
		if errors.Is(err, filelock.ErrLocked) {
			return nil, fmt.Errorf("record archive %s is in use by another process (it is locked): give each serve its own --record file", path)
		}
		return nil, fmt.Errorf("record archive %s: lock: %w", path, err)
	}
	if err := cutTornTail(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("record archive %s: %w", path, err)
	}
	return &archive{f: f}, nil
}

// cutTornTail truncates f after its last newline, reading backwards.
func cutTornTail(f *os.File) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return errors.New("not a regular file")
	}
	end := st.Size()
	chunk := make([]byte, 64<<10)
	for pos := end; pos > 0; {
		n := min(int64(len(chunk)), pos)
		pos -= n
		if _, err := f.ReadAt(chunk[:n], pos); err != nil {
			return err
		}
		if i := bytes.LastIndexByte(chunk[:n], '\n'); i >= 0 {
			if keep := pos + int64(i) + 1; keep != end {
				return f.Truncate(keep)
			}
			return nil
		}
	}
	if end > 0 {
		return f.Truncate(0)
	}
	return nil
}

// appendLine appends the archive line of one pair to b.
func appendLine(b []byte, name string, event, answer []byte) ([]byte, error) {
	start := len(b)
	b = append(b, `{"name":`...)
	b = strconv.AppendQuote(b, name)
	b = append(b, `,"event":`...)
	var err error
	if b, err = appendCompact(b, event); err != nil {
		return b[:start], fmt.Errorf("recording %s: the event: %w", name, err)
	}
	b = append(b, `,"answer":`...)
	if b, err = appendCompact(b, answer); err != nil {
		return b[:start], fmt.Errorf("recording %s: the answer: %w", name, err)
	}
	return append(b, "}\n"...), nil
}

// appendCompact appends the JSON value v without its insignificant
// white space; a value already on one line (the usual case) is copied as
// it is. Choice: that value is not validated again (it costs the writer
// as much as the write): serve records only events it decoded and answers
// it encoded. Were v not JSON, only its own line would be unreadable (no
// JSON value holds a raw line break, so the lines stay apart).
func appendCompact(b, v []byte) ([]byte, error) {
	if !bytes.ContainsAny(v, "\r\n") {
		return append(b, bytes.TrimSpace(v)...), nil
	}
	out := bytes.NewBuffer(b)
	if err := json.Compact(out, v); err != nil {
		return b, fmt.Errorf("not valid JSON: %w", err)
	}
	return out.Bytes(), nil
}

// write appends lines (whole lines) in one write.
func (a *archive) write(lines []byte) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, err := a.f.Write(lines); err != nil {
		return fmt.Errorf("record archive: %w", err)
	}
	return nil
}

// record appends one pair.
func (a *archive) record(name string, event, answer []byte) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	var err error
	if a.buf, err = appendLine(a.buf[:0], name, event, answer); err != nil {
		return err
	}
	if _, err := a.f.Write(a.buf); err != nil {
		return fmt.Errorf("record archive: %w", err)
	}
	return nil
}

// close syncs and closes the archive: a graceful stop leaves every pair
// on disk.
func (a *archive) close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	err := a.f.Sync()
	if cerr := a.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// archiveLine is one line of an archive, read back.
type archiveLine struct {
	Name   string          `json:"name"`
	Event  json.RawMessage `json:"event"`
	Answer json.RawMessage `json:"answer"`
}

// readArchive returns an input for each pair of the archive at path,
// named path:LINE. Only the offsets of the lines are kept; each pair is
// read when it is replayed, so memory does not grow with the archive. A
// last line without its newline is a pair still being written (or cut
// short by a crash) and is left out.
func readArchive(src Source, path string) ([]*Input, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, withoutPath(err)
	}
	defer f.Close()
	type span struct{ off, n int64 }
	var (
		spans []span
		off   int64
		r     = bufio.NewReaderSize(f, 64<<10)
		first []byte
	)
	for {
		n, err := lineLength(r, &first, len(spans) == 0)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", len(spans)+1, err)
		}
		spans = append(spans, span{off, n})
		off += n
	}
	if len(spans) == 0 {
		return nil, errors.New("no recorded pairs in this archive")
	}
	var line archiveLine
	if json.Unmarshal(first, &line) != nil || line.Event == nil {
		return nil, fmt.Errorf("line 1: not a recorded pair (%s archives are written by `ivrctl serve --record FILE%s`)", ArchiveSuffix, ArchiveSuffix)
	}
	inputs := make([]*Input, len(spans))
	for i, s := range spans {
		name := path + ":" + strconv.Itoa(i+1)
		inputs[i] = &Input{Name: name, load: func(in *Input) { loadPair(src, in, path, s.off, s.n) }}
	}
	return inputs, nil
}

// lineLength reads one line from r and returns its length with the
// newline; io.EOF when no complete line is left. keep asks for the line's
// bytes in *first.
func lineLength(r *bufio.Reader, first *[]byte, keep bool) (int64, error) {
	var n int64
	for {
		chunk, err := r.ReadSlice('\n')
		n += int64(len(chunk))
		if keep {
			*first = append(*first, chunk...)
		}
		if n > MaxArchiveLine {
			return 0, fmt.Errorf("longer than %d bytes", MaxArchiveLine)
		}
		switch {
		case err == nil:
			return n, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		default:
			return 0, err // io.EOF, also after a torn last line
		}
	}
}

// loadPair reads the pair at [off, off+n) of the archive at path.
func loadPair(src Source, in *Input, path string, off, n int64) {
	f, err := os.Open(path)
	if err != nil {
		in.Err = withoutPath(err)
		return
	}
	defer f.Close()
	b := make([]byte, n)
	if _, err := f.ReadAt(b, off); err != nil {
		in.Err = fmt.Errorf("reading the pair: %w", withoutPath(err))
		return
	}
	var line archiveLine
	if err := json.Unmarshal(b, &line); err != nil {
		in.Err = fmt.Errorf("not a recorded pair: %w", err)
		return
	}
	if line.Event == nil {
		in.Err = errors.New("not a recorded pair: no event")
		return
	}
	in.Data = line.Event
	if !src.NoExpected && line.Answer != nil {
		in.Expected, in.ExpName = line.Answer, in.Name
	}
}
