package campaign

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// instantWorld answers every call at once: created, one menu step, then
// COMPLETED, so the benchmark measures the engine and its journal only.
type instantWorld struct{ eng *Engine }

func (w *instantWorld) Place(ctx context.Context, c Call) (string, error) {
	sid := "s-" + c.ClientRequestID
	w.eng.Deliver(Update{Session: sid, ClientRequestID: c.ClientRequestID, Step: &Step{Menu: "main", Digits: "1", Matched: "1"}})
	w.eng.Deliver(Update{Session: sid, ClientRequestID: c.ClientRequestID, Outcome: &Outcome{SessionStatus: "COMPLETED"}})
	return sid, nil
}

// BenchmarkJournal runs a 10,000-number campaign against instant calls,
// with the journal fsynced (as always in use) and without (NoSync), at
// --rate 0 and 64 calls in progress: the difference is what durability
// costs per number.
//
//	go test -run - -bench Journal -benchtime 1x ./pkg/campaign/
func BenchmarkJournal(b *testing.B) {
	const numbers = 10000
	var sb strings.Builder
	for i := range numbers {
		fmt.Fprintf(&sb, "+6599%06d\n", i)
	}
	l, err := ParseList("bench.txt", strings.NewReader(sb.String()))
	if err != nil {
		b.Fatal(err)
	}
	for _, mode := range []struct {
		name   string
		noSync bool
	}{{"fsync", false}, {"nosync", true}} {
		b.Run(mode.name, func(b *testing.B) {
			var writes, size int64
			for range b.N {
				path := filepath.Join(b.TempDir(), "j.jsonl")
				j, st, _, err := OpenOrCreate(path, l, Header{MenuHash: "m"}, t0)
				if err != nil {
					b.Fatal(err)
				}
				j.NoSync = mode.noSync
				w := &instantWorld{}
				eng, err := New(Config{Journal: j, State: st, Placer: w, Concurrency: 64})
				if err != nil {
					b.Fatal(err)
				}
				w.eng = eng
				stats, err := eng.Run(context.Background(), context.Background())
				if err != nil || stats.Completed != numbers {
					b.Fatalf("%v %+v", err, stats)
				}
				writes += int64(j.Writes())
				j.Close()
				fi, _ := os.Stat(path)
				size += fi.Size()
			}
			per := float64(b.N * numbers)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/per, "ns/number")
			b.ReportMetric(per/b.Elapsed().Seconds(), "numbers/s")
			b.ReportMetric(float64(writes)/per, "writes/number")
			b.ReportMetric(float64(size)/per, "journal-B/number")
		})
	}
}
