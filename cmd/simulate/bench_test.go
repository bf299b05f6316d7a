package simulate

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/menu"
	"github.com/ivrctl/ivrctl/pkg/replay"
)

const benchPairs = 10_000

// benchCorpus returns 10,000 recorded pairs made from the testdata
// events, with answers as `serve --record` writes them.
func benchCorpus(b *testing.B, eng *menu.Engine) []*replay.Input {
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
	inputs := make([]*replay.Input, benchPairs)
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
	for _, in := range benchCorpus(b, eng) {
		base := filepath.Join(dir, in.Name[:len(in.Name)-len(".json")])
		if err := os.WriteFile(base+".json", in.Data, 0o644); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(base+replay.ExpectedSuffix, in.Expected, 0o644); err != nil {
			b.Fatal(err)
		}
	}
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
