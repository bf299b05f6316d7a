package replay

import (
	"sync"
	"sync/atomic"
	"time"
)

// Choice: the record queue holds at most DefaultQueuePairs pairs and
// DefaultQueueBytes bytes of them, whichever comes first. A VCA pair is a
// few KB, so the count bounds the normal case (seconds of 8x8's 1,800
// calls/s limit while a slow disk catches up); the bytes bound the worst
// (every event at serve's 1 MiB body limit) to memory a server can spare.
// A pair that does not fit is dropped and counted, never waited for: a
// call matters more than its recording.
const (
	DefaultQueuePairs = 4096
	DefaultQueueBytes = 64 << 20
)

// Queue records pairs off the request path: Add hands a pair to one
// writer goroutine and returns at once; Close waits until every pair
// added is written. Names are taken when a pair is added, so recordings
// sort by arrival as with Record.
type Queue struct {
	rec      *Recorder
	pairs    chan queued
	done     chan struct{}
	onError  func(error)
	maxBytes int64
	hold     func()       // tests: runs before each write
	bytes    atomic.Int64 // bytes of the pairs waiting
	dropped  atomic.Uint64

	mu     sync.RWMutex // guards closed against sends on pairs
	closed bool
}

type queued struct {
	name          string
	event, answer []byte
}

// Queue starts a writer for rc: at most pairs pairs and maxBytes bytes
// wait (the defaults when 0); onError, when set, hears each pair that
// could not be written.
func (rc *Recorder) Queue(pairs int, maxBytes int64, onError func(error)) *Queue {
	return rc.queue(pairs, maxBytes, onError, nil)
}

func (rc *Recorder) queue(pairs int, maxBytes int64, onError func(error), hold func()) *Queue {
	if pairs <= 0 {
		pairs = DefaultQueuePairs
	}
	if maxBytes <= 0 {
		maxBytes = DefaultQueueBytes
	}
	q := &Queue{rec: rc, pairs: make(chan queued, pairs), done: make(chan struct{}),
		onError: onError, maxBytes: maxBytes, hold: hold}
	go q.write()
	return q
}

// Add queues the pair of one answered event of session and reports
// whether it was taken; false means the queue was full (or closed) and
// the pair dropped. event is copied (the caller may reuse it); answer must
// not change afterwards.
func (q *Queue) Add(now time.Time, session string, event, answer []byte) bool {
	size := int64(len(event) + len(answer))
	if q.bytes.Add(size) > q.maxBytes {
		q.bytes.Add(-size)
		q.dropped.Add(1)
		return false
	}
	q.mu.RLock()
	defer q.mu.RUnlock()
	if !q.closed {
		select {
		case q.pairs <- queued{name: q.rec.name(now, session), event: append([]byte(nil), event...), answer: answer}:
			return true
		default:
		}
	}
	q.bytes.Add(-size)
	q.dropped.Add(1)
	return false
}

// Dropped returns how many pairs Add refused.
func (q *Queue) Dropped() uint64 { return q.dropped.Load() }

// Close stops taking pairs and returns once every pair taken is written.
// It is safe to call more than once.
func (q *Queue) Close() {
	q.mu.Lock()
	if !q.closed {
		q.closed = true
		close(q.pairs)
	}
	q.mu.Unlock()
	<-q.done
}

func (q *Queue) write() {
	defer close(q.done)
	if q.rec.archive != nil {
		q.writeArchive()
		return
	}
	for p := range q.pairs {
		if q.hold != nil {
			q.hold()
		}
		err := q.rec.write(p.name, p.event, p.answer)
		q.bytes.Add(-int64(len(p.event) + len(p.answer)))
		if err != nil && q.onError != nil {
			q.onError(err)
		}
	}
}

// writeArchive appends the pairs to the archive, joining those waiting
// (up to archiveBatch bytes) into one write; Close syncs the archive once
// the queue is drained.
func (q *Queue) writeArchive() {
	var buf []byte
	for p := range q.pairs {
		// Let a batch gather: a write and a wake-up of this goroutine for
		// each pair cost a busy server more than the pairs themselves.
		time.Sleep(archiveGather)
		buf = buf[:0]
		size := int64(0)
		for {
			if q.hold != nil {
				q.hold()
			}
			var err error
			if buf, err = appendLine(buf, p.name, p.event, p.answer); err != nil && q.onError != nil {
				q.onError(err)
			}
			size += int64(len(p.event) + len(p.answer))
			if len(buf) >= archiveBatch {
				break
			}
			var more bool
			select {
			case p, more = <-q.pairs:
			default:
			}
			if !more {
				break
			}
		}
		err := q.rec.archive.write(buf)
		q.bytes.Add(-size)
		if err != nil && q.onError != nil {
			q.onError(err)
		}
	}
	if err := q.rec.Close(); err != nil && q.onError != nil {
		q.onError(err)
	}
}
