package campaign_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ivrctl/ivrctl/pkg/campaign"
	"github.com/ivrctl/ivrctl/pkg/emulator"
	"github.com/ivrctl/ivrctl/pkg/menu"
	"github.com/ivrctl/ivrctl/pkg/webhook"
)

// BenchmarkRun10k runs `ivrctl campaign run` on 10,000 numbers against
// the emulator over real HTTP at --rate 0: every call is a Send Callflow,
// a VCA answered by the campaign's listener (the caller presses 1) and a
// VSS, and its attempt, created, step and outcome records in the journal.
// The reference is `ivrctl call --to-file` placing the same list with the
// same concurrency, its webhooks answered by an in-process serve: the
// platform does the same work, the batch only places and forgets.
//
//	go test -run - -bench Run10k -benchtime 1x ./cmd/campaign/
func BenchmarkRun10k(b *testing.B) {
	const numbers = 10000
	var sb strings.Builder
	p := people{}
	for i := range numbers {
		num := fmt.Sprintf("+6598%06d", i)
		sb.WriteString(num + "\n")
		p[num] = []emulator.Script{{Press: []string{"1"}}}
	}
	list := writeFile(b, "numbers.txt", sb.String())

	b.Run("campaign", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			e := newEmu(b, p)
			dir := b.TempDir()
			journal := filepath.Join(dir, "j.journal")
			b.StartTimer()
			r := runCampaign(b, context.Background(), e, "run", list, "--journal", journal, "--listen", "127.0.0.1:0",
				"--sessions", filepath.Join(dir, "sessions.jsonl"), "--rate", "0", "--concurrency", "64", "-o", "json")
			b.StopTimer()
			if r.code != 0 {
				b.Fatalf("exit %d: %s", r.code, r.stderr[:min(len(r.stderr), 2000)])
			}
			h, recs, _, err := campaign.ReadFile(journal)
			if err != nil {
				b.Fatal(err)
			}
			if st := campaign.Replay(h, recs, 0); st.Count(campaign.StatusCompleted) != numbers {
				b.Fatalf("completed %d of %d", st.Count(campaign.StatusCompleted), numbers)
			}
			fi, _ := os.Stat(journal)
			b.ReportMetric(float64(fi.Size())/numbers, "journal-B/number")
		}
		b.ReportMetric(float64(b.N*numbers)/b.Elapsed().Seconds(), "numbers/s")
	})

	b.Run("call-batch", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			e := newEmu(b, p)
			engine, err := menu.Compile(menu.Default(), menu.Numbers{From: testFrom})
			if err != nil {
				b.Fatal(err)
			}
			srv, err := webhook.New(webhook.Config{Engine: engine, SessionsPath: filepath.Join(b.TempDir(), "s.jsonl")})
			if err != nil {
				b.Fatal(err)
			}
			serve := httptest.NewServer(srv.Handler())
			e.hookBase.Store(serve.URL)
			b.StartTimer()
			r := runCall(b, e, "--to-file", list, "--rate", "0", "--concurrency", "64", "-o", "json")
			b.StopTimer()
			serve.Close()
			srv.Close()
			if r.code != 0 {
				b.Fatalf("exit %d: %s", r.code, r.stderr[:min(len(r.stderr), 2000)])
			}
		}
		b.ReportMetric(float64(b.N*numbers)/b.Elapsed().Seconds(), "numbers/s")
	})
}
