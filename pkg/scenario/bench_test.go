package scenario

import (
	"context"
	"testing"
	"time"
)

// BenchmarkScenarioServe measures whole scenario calls per second that the
// emulator drives against the webhook server of `ivrctl serve` on
// loopback: each call is a Send Callflow validated, the caller's script
// played, one HTTP round trip per VCA event (1 to 7 per call), and the
// checks. One iteration is the advanced IVR's whole suite.
//
//	go test ./pkg/scenario -run '^$' -bench ScenarioServe -benchtime 20x
func BenchmarkScenarioServe(b *testing.B) {
	for _, s := range suites {
		b.Run(s.dir[len("testdata/scenarios/"):], func(b *testing.B) {
			ss, err := Load([]string{s.dir}, nil)
			if err != nil {
				b.Fatal(err)
			}
			r := &Runner{Webhook: serve(b, s.menu)}
			ctx := context.Background()
			calls, events := 0, 0
			start := time.Now()
			for b.Loop() {
				for _, res := range r.Run(ctx, ss, nil) {
					if !res.Passed() {
						b.Fatalf("%s failed: %s", res.Scenario.ID(), res.Summary())
					}
					events += res.Transcript.WebhookCalls
				}
				calls += len(ss)
			}
			sec := time.Since(start).Seconds()
			b.ReportMetric(float64(calls)/sec, "calls/s")
			b.ReportMetric(float64(events)/sec, "webhooks/s")
		})
	}
}

// BenchmarkScenarioInProcess is the same suites answered in-process: the
// emulator and the checks without HTTP.
func BenchmarkScenarioInProcess(b *testing.B) {
	ss, err := Load([]string{"testdata/scenarios"}, nil)
	if err != nil {
		b.Fatal(err)
	}
	r := &Runner{}
	ctx := context.Background()
	calls := 0
	start := time.Now()
	for b.Loop() {
		for _, res := range r.Run(ctx, ss, nil) {
			if !res.Passed() {
				b.Fatalf("%s failed: %s", res.Scenario.ID(), res.Summary())
			}
		}
		calls += len(ss)
	}
	b.ReportMetric(float64(calls)/time.Since(start).Seconds(), "calls/s")
}
