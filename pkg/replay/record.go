package replay

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Recorder writes each answered VCA event and its answer as a pair (the
// format Gather reads): NAME.json (the request body, byte for byte) and
// NAME.expected.json (the response body, byte for byte). `ivrctl serve
// --record` writes with one, through a Queue; it is safe for concurrent use.
//
// NAME is <UTC time to the microsecond>-<counter>-<sessionId prefix>: the
// counter is unique within the process, so concurrent requests never
// collide, and, zero-padded and before the session, it makes names sort by
// arrival. The answer is written first, straight to NAME.expected.json;
// then NAME.json to a dot-named temporary file renamed into place, so
// whenever NAME.json is visible it and its expected answer are complete. A crash
// can leave at most a stray .tmp file or a lone NAME.expected.json, which
// simulate (reading NAME.json files) never mistakes for a test.
//
// A path ending in ArchiveSuffix (and not a directory) is an archive
// instead: each pair is a line appended to that one file.
type Recorder struct {
	dir     string
	archive *archive // nil: a directory of pairs
	n       atomic.Uint64
}

// NewRecorder records into path: a directory, created if need be, or an
// archive file when path ends in ArchiveSuffix and is not a directory.
func NewRecorder(path string) (*Recorder, error) {
	if IsArchive(path) {
		a, err := openArchive(path)
		if err != nil {
			return nil, err
		}
		return &Recorder{archive: a}, nil
	}
	if err := os.MkdirAll(path, 0o755); err != nil {
		return nil, fmt.Errorf("record directory: %w", err)
	}
	return &Recorder{dir: path}, nil
}

// IsArchive reports whether path names an archive: it ends in
// ArchiveSuffix and is not an existing directory.
func IsArchive(path string) bool {
	if !strings.HasSuffix(path, ArchiveSuffix) {
		return false
	}
	st, err := os.Stat(path)
	return err != nil || !st.IsDir()
}

// Record writes the pair of one answered event of session.
func (rc *Recorder) Record(now time.Time, session string, event, answer []byte) error {
	return rc.write(rc.name(now, session), event, answer)
}

// Close closes an archive (a directory has nothing to close). Queue.Close
// calls it.
func (rc *Recorder) Close() error {
	if rc.archive == nil {
		return nil
	}
	return rc.archive.close()
}

// write writes the pair NAME: NAME.expected.json, then NAME.json.
func (rc *Recorder) write(name string, event, answer []byte) error {
	if rc.archive != nil {
		return rc.archive.record(name, event, answer)
	}
	if err := writeNew(rc.dir, name+ExpectedSuffix, answer); err != nil {
		return err
	}
	return writeAtomic(rc.dir, name+".json", event)
}

func (rc *Recorder) name(now time.Time, session string) string {
	b := make([]byte, 0, 56)
	b = now.UTC().AppendFormat(b, "20060102T150405.000000Z")
	b = append(b, '-')
	// The counter, zero-padded, before the session: requests in the same
	// microsecond sort by arrival, not by session id.
	n := strconv.AppendUint(nil, rc.n.Add(1), 10)
	for i := len(n); i < counterDigits; i++ {
		b = append(b, '0')
	}
	b = append(b, n...)
	b = append(b, '-')
	// Only filename-safe characters of the session id (normally a UUID),
	// at most 8: enough to find a call's files by eye.
	kept := 0
	for i := 0; i < len(session) && kept < 8; i++ {
		c := session[i]
		if c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			b = append(b, c)
			kept++
		}
	}
	if kept == 0 {
		b = append(b, "nosession"...)
	}
	return string(b)
}

// counterDigits pads the counter so names sort by it: a billion events a
// process before the order breaks (names stay unique past it).
const counterDigits = 9

// writeNew writes the answer straight to its name, which must be new.
// Choice: no temporary file and rename for it, one metadata operation of
// the four a pair cost (file creation is what limits the record writer):
// it is only read as the answer of NAME.json, written after it is
// complete, so a crash mid-write leaves a lone NAME.expected.json, as
// before.
func writeNew(dir, name string, data []byte) error {
	if err := createFile(filepath.Join(dir, name), data); err != nil {
		return fmt.Errorf("recording %s: %w", name, err)
	}
	return nil
}

// writeAtomic writes name through the temporary file .NAME.tmp, renamed
// into place when complete. The temporary name is as unique as NAME (the
// process's counter) and created exclusively: a clash is an error, never a
// mixed file.
func writeAtomic(dir, name string, data []byte) error {
	tmp := filepath.Join(dir, "."+name+".tmp")
	err := createFile(tmp, data)
	if err == nil {
		err = renameFile(tmp, filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("recording %s: %w", name, err)
	}
	return nil
}
