package sessions

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkFileAppend measures acknowledged summaries per second with 1
// and 64 concurrent clients, against BenchmarkReferenceGroupCommit: the
// smallest group-commit writer (lines in, one write and one fsync a
// batch, no dedup, no JSON) on the same disk. Targets (issue 14.3): 64
// clients >= 3x one client, and >= 0.7x the reference at 64 clients.
//
//	go test -run '^$' -bench 'FileAppend|ReferenceGroupCommit' -benchtime 2000x ./pkg/sessions/
func BenchmarkFileAppend(b *testing.B) {
	for _, clients := range []int{1, 64} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			f, err := OpenFile(filepath.Join(b.TempDir(), "sessions.jsonl"))
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			recs := make([]Record, b.N)
			for i := range recs {
				recs[i] = mustRecord(b, vss(fmt.Sprintf("bench-%d", i), "COMPLETED"))
			}
			b.ResetTimer()
			drive(b, clients, func(i int) error {
				_, err := f.Append(context.Background(), recs[i])
				return err
			})
		})
	}
}

func BenchmarkReferenceGroupCommit(b *testing.B) {
	for _, clients := range []int{1, 64} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			w, err := newRefWriter(filepath.Join(b.TempDir(), "ref.jsonl"))
			if err != nil {
				b.Fatal(err)
			}
			defer w.close()
			line := append(vss("bench-0000000000", "COMPLETED"), '\n')
			b.ResetTimer()
			drive(b, clients, func(int) error { return w.write(line) })
		})
	}
}

// drive runs b.N calls of do over clients goroutines and reports acks/s.
func drive(b *testing.B, clients int, do func(i int) error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range clients {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				if err := do(i); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "acks/s")
}

// refWriter is the reference group-commit writer.
type refWriter struct {
	f    *os.File
	reqs chan refReq
	done chan struct{}
}

type refReq struct {
	line []byte
	ack  chan error
}

func newRefWriter(path string) (*refWriter, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	w := &refWriter{f: f, reqs: make(chan refReq, maxBatch), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		var buf []byte
		var batch []refReq
		for r := range w.reqs {
			batch = append(batch[:0], r)
		more:
			for len(batch) < maxBatch {
				select {
				case r, ok := <-w.reqs:
					if !ok {
						break more
					}
					batch = append(batch, r)
				default:
					break more
				}
			}
			buf = buf[:0]
			for _, r := range batch {
				buf = append(buf, r.line...)
			}
			_, err := f.Write(buf)
			if err == nil {
				err = f.Sync()
			}
			for _, r := range batch {
				r.ack <- err
			}
		}
	}()
	return w, nil
}

func (w *refWriter) write(line []byte) error {
	ack := make(chan error, 1)
	w.reqs <- refReq{line, ack}
	return <-ack
}

func (w *refWriter) close() {
	close(w.reqs)
	<-w.done
	w.f.Close()
}
