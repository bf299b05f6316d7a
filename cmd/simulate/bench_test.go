package simulate

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/menu"
	"github.com/ivrctl/ivrctl/pkg/replay"
)

const benchPairs = 10_000

// benchCorpus returns 10,000 recorded pairs made from the testdata
// events, with answers as `serve --record` writes them.
func benchCorpus(b testing.TB, eng *menu.Engine) []*replay.Input {
	return corpus(b, eng, benchPairs)
}

// corpus returns n recorded pairs made from the testdata events, with
// answers as `serve --record` writes them.
func corpus(b testing.TB, eng *menu.Engine, n int) []*replay.Input {
	b.Helper()
	names, err := filepath.Glob("testdata/*.json") // TestMain runs from the repo root
	if err != nil || len(names) == 0 {
		b.Fatalf("no testdata events: %v", err)
	}
	var events [][]byte
	for _, n := range names {
		if filepath.Ext(n) == ".json" && !isExpected(n) {
			data, err := os.ReadFile(n)
			if err != nil {
				b.Fatal(err)
			}
			events = append(events, data)
		}
	}
	inputs := make([]*replay.Input, n)
	for i := range inputs {
		data := events[i%len(events)]
		_, res, err := eng.AnswerJSON(data)
		if err != nil {
			b.Fatal(err)
		}
		inputs[i] = &replay.Input{Name: fmt.Sprintf("%05d.json", i), Data: data, Expected: res.Reply.Body}
	}
	return inputs
}

func isExpected(name string) bool {
	return len(name) > len(replay.ExpectedSuffix) && name[len(name)-len(replay.ExpectedSuffix):] == replay.ExpectedSuffix
}

func replayAll(b *testing.B, eng *menu.Engine, inputs []*replay.Input) {
	for _, out := range replay.ReplayAll(eng, inputs, nil) {
		if out.Err != nil || out.Diff != "" {
			b.Fatalf("%s: %v %s", out.Input.Name, out.Err, out.Diff)
		}
	}
}

// BenchmarkReplayMemory replays 10,000 recorded pairs held in memory:
// decode, answer, compare with the recorded answer.
func BenchmarkReplayMemory(b *testing.B) {
	eng, err := menu.Compile(menu.Default(), menu.Numbers{})
	if err != nil {
		b.Fatal(err)
	}
	inputs := benchCorpus(b, eng)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		replayAll(b, eng, inputs)
	}
	b.ReportMetric(float64(benchPairs*b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkReplayDisk replays a directory of 10,000 recorded pairs: list,
// read both files of each pair, decode, answer, compare.
func BenchmarkReplayDisk(b *testing.B) {
	eng, err := menu.Compile(menu.Default(), menu.Numbers{})
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	writePairs(b, dir, eng, benchPairs)
	io, _, _, _ := cmdutil.Test()
	opts := &SimulateOptions{IO: io, ReadFile: os.ReadFile, Paths: []string{dir}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		inputs := replay.Gather(opts.Paths, replay.Source{Stdin: opts.IO.In, ReadFile: opts.ReadFile})
		if len(inputs) != benchPairs {
			b.Fatalf("%d inputs, want %d", len(inputs), benchPairs)
		}
		replayAll(b, eng, inputs)
	}
	b.ReportMetric(float64(benchPairs*b.N)/b.Elapsed().Seconds(), "events/s")
}

// writePairs writes n recorded pairs into dir, NAME.json and
// NAME.expected.json, as `serve --record` would.
func writePairs(b testing.TB, dir string, eng *menu.Engine, n int) {
	b.Helper()
	for _, in := range corpus(b, eng, n) {
		base := filepath.Join(dir, in.Name[:len(in.Name)-len(".json")])
		if err := os.WriteFile(base+".json", in.Data, 0o644); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(base+replay.ExpectedSuffix, in.Expected, 0o644); err != nil {
			b.Fatal(err)
		}
	}
}

// writeArchive writes n recorded pairs into the archive path, as `serve
// --record FILE.jsonl` would.
func writeArchive(b testing.TB, path string, eng *menu.Engine, n int) {
	b.Helper()
	rc, err := replay.NewRecorder(path)
	if err != nil {
		b.Fatal(err)
	}
	for _, in := range corpus(b, eng, n) {
		if err := rc.Record(time.Now(), "bench", in.Data, in.Expected); err != nil {
			b.Fatal(err)
		}
	}
	if err := rc.Close(); err != nil {
		b.Fatal(err)
	}
}

// TestWritePairs writes the 50,000 recorded pairs BenchmarkSimulate50k
// replays into $IVRCTL_WRITE_PAIRS, for measuring the real binary:
//
//	IVRCTL_WRITE_PAIRS=/tmp/pairs go test ./cmd/simulate -run TestWritePairs
//	/usr/bin/time -v ivrctl simulate /tmp/pairs >/dev/null   # Maximum resident set size
func TestWritePairs(t *testing.T) {
	dir := os.Getenv("IVRCTL_WRITE_PAIRS")
	if dir == "" {
		t.Skip("set IVRCTL_WRITE_PAIRS=DIR to write 50,000 recorded pairs there")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	eng, err := menu.Compile(menu.Default(), menu.Numbers{})
	if err != nil {
		t.Fatal(err)
	}
	writePairs(t, dir, eng, simulatePairs)
}

const simulatePairs = 50_000

// peakHeap runs f and returns the most heap its objects took meanwhile
// (live and not yet collected), sampled every millisecond.
func peakHeap(f func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	f()
	close(stop)
	<-done
	return peak.Load()
}

// BenchmarkSimulate50k is `ivrctl simulate DIR` over a directory of
// 50,000 recorded pairs (output discarded), and, as the reference, the same
// directory replayed holding every outcome until printed, as simulate did
// before it streamed (replay.ReplayAll). It reports each one's peak heap
// and their ratio (the target: under 64 MB peak RSS; see TestWritePairs
// for measuring the binary), and the peak of the same pairs replayed from
// one archive file (`serve --record FILE.jsonl`). Run:
//
//	go test ./cmd/simulate -run '^$' -bench Simulate50k -benchtime 1x
func BenchmarkSimulate50k(b *testing.B) {
	eng, err := menu.Compile(menu.Default(), menu.Numbers{})
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	writePairs(b, dir, eng, simulatePairs)
	archive := filepath.Join(b.TempDir(), "calls.jsonl")
	writeArchive(b, archive, eng, simulatePairs)
	for range b.N {
		ios, _, _, _ := cmdutil.Test()
		ios.Out, ios.ErrOut = io.Discard, io.Discard
		opts := &SimulateOptions{IO: ios, ReadFile: os.ReadFile, Paths: []string{dir},
			LoadEng: func(string, menu.Numbers) (*menu.Engine, error) { return eng, nil }}
		var runErr error
		streamed := peakHeap(func() { runErr = run(opts) })
		if runErr != nil {
			b.Fatal(runErr)
		}
		held := peakHeap(func() {
			inputs := replay.Gather([]string{dir}, replay.Source{ReadFile: os.ReadFile})
			replayAll(b, eng, inputs)
		})
		opts.Paths = []string{archive}
		archived := peakHeap(func() { runErr = run(opts) })
		if runErr != nil {
			b.Fatal(runErr)
		}
		b.ReportMetric(float64(archived)/(1<<20), "archive-peak-MiB")
		b.ReportMetric(float64(streamed)/(1<<20), "streamed-peak-MiB")
		b.ReportMetric(float64(held)/(1<<20), "held-peak-MiB")
		b.ReportMetric(float64(streamed)/float64(held), "streamed/held")
	}
}
