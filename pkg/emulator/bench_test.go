package emulator

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/pkg/webhook"
)

// benchScripts cycle through the simple menu's paths: one to three
// webhook calls each (press 1; 9 then 1; silence twice; 2 and an agent).
var benchScripts = []Script{
	{Press: []string{"1"}},
	{Press: []string{"9", "1"}},
	{Press: []string{"", ""}},
	{Press: []string{"2"}},
}

// benchRun runs complete calls, serially or on every P, and reports calls/s.
func benchRun(b *testing.B, e *Emulator, req []byte, parallel bool) {
	ctx := context.Background()
	b.ReportAllocs()
	start := time.Now()
	one := func(i int) {
		tr, err := e.Run(ctx, req, benchScripts[i%len(benchScripts)].Caller())
		if err != nil {
			b.Fatal(err)
		}
		if tr.Status() == "ERROR" || len(tr.Notes) > 0 {
			b.Fatalf("session %s: %q", tr.Status(), tr.Notes)
		}
	}
	b.ResetTimer()
	if parallel {
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				one(i)
				i++
			}
		})
	} else {
		for i := 0; i < b.N; i++ {
			one(i)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "calls/s")
}

// BenchmarkRunEngine: the menu engine in process, no HTTP.
func BenchmarkRunEngine(b *testing.B) {
	eng := simpleEngine(b)
	e := New(Config{Webhook: EngineWebhook{Engine: eng}})
	req := request(b, eng, "bench")
	b.Run("serial", func(b *testing.B) { benchRun(b, e, req, false) })
	b.Run("parallel", func(b *testing.B) { benchRun(b, e, req, true) })
}

// BenchmarkRunHTTP: a real pkg/webhook.Server (what `ivrctl serve` runs)
// over loopback HTTP with keep-alive.
func BenchmarkRunHTTP(b *testing.B) {
	eng := simpleEngine(b)
	e := New(Config{Webhook: &HTTPWebhook{URL: serveHTTP(b, eng)}})
	req := request(b, eng, "bench")
	b.Run("serial", func(b *testing.B) { benchRun(b, e, req, false) })
	b.Run("parallel", func(b *testing.B) { benchRun(b, e, req, true) })
}

// BenchmarkRunHTTPWithVSS: as BenchmarkRunHTTP, and every summary is
// posted to the same server, which syncs its sessions file before it
// answers (the fsync is most of the cost, and depends on the disk).
func BenchmarkRunHTTPWithVSS(b *testing.B) {
	eng := simpleEngine(b)
	vca := serveHTTP(b, eng)
	vss := strings.TrimSuffix(vca, webhook.PathVCA) + webhook.PathVSS
	e := New(Config{Webhook: &HTTPWebhook{URL: vca}, VSS: HTTPVSS(vss, nil, 0)})
	req := request(b, eng, "bench")
	b.Run("parallel", func(b *testing.B) { benchRun(b, e, req, true) })
}
