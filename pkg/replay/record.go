package replay

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
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
// arrival. Each file is written to a dot-named
// temporary file and renamed into place; the answer first, so whenever
// NAME.json is visible its expected answer is already complete. A crash
// can leave at most a stray .tmp file or a lone NAME.expected.json, which
// simulate (reading NAME.json files) never mistakes for a test.
type Recorder struct {
	dir string
	n   atomic.Uint64
}

// NewRecorder records into dir, creating it if need be.
func NewRecorder(dir string) (*Recorder, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("record directory: %w", err)
	}
	return &Recorder{dir: dir}, nil
}

// Record writes the pair of one answered event of session.
func (rc *Recorder) Record(now time.Time, session string, event, answer []byte) error {
	return rc.write(rc.name(now, session), event, answer)
}

func (rc *Recorder) write(name string, event, answer []byte) error {
	if err := writeAtomic(rc.dir, name+ExpectedSuffix, answer); err != nil {
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

func writeAtomic(dir, name string, data []byte) error {
	tmp, err := os.CreateTemp(dir, "."+name+".*.tmp")
	if err != nil {
		return fmt.Errorf("recording %s: %w", name, err)
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("recording %s: %w", name, err)
	}
	return nil
}
