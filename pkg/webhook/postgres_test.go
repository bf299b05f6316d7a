package webhook

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/pkg/paralleltest"
	"github.com/ivrctl/ivrctl/pkg/pgtest"
	"github.com/ivrctl/ivrctl/pkg/sessions"
)

// Most of these tests wait on servers and clocks: more run at once.
func TestMain(m *testing.M) {
	paralleltest.Raise()
	os.Exit(pgtest.Main(m))
}

func summary(id string) []byte {
	return []byte(`{"eventType":"SESSION_SUMMARY","payload":{"sessionId":"` + id + `","sessionStatus":"COMPLETED","lastAction":"say"}}`)
}

// drain discards a server's events so a long test never fills the
// channel (emit would block the server).
func (ts *testServer) drain(t *testing.T) {
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-ts.events:
			case <-stop:
				return
			}
		}
	}()
	t.Cleanup(func() { close(stop) })
}

// Two servers on one database (two replicas behind a load balancer): the
// same summaries posted to both, concurrently and repeatedly, are each
// stored once, and every post is acknowledged.
func TestPostgresTwoReplicas(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DB(t)
	a := start(t, Config{SessionsPath: dsn}, nil)
	b := start(t, Config{SessionsPath: dsn}, nil)
	a.drain(t)
	b.drain(t)
	const ids, rounds = 40, 3
	var wg sync.WaitGroup
	var failed atomic.Int32
	for _, ts := range []*testServer{a, b, a, b} {
		wg.Go(func() {
			for range rounds {
				for i := range ids {
					if st, err := postStatus(ts.URL+PathVSS, summary(fmt.Sprintf("rep-%d", i))); err != nil || st != 200 {
						failed.Add(1)
					}
				}
			}
		})
	}
	wg.Wait()
	if n := failed.Load(); n > 0 {
		t.Errorf("%d posts not acknowledged", n)
	}
	recs, err := a.Sessions().Query(context.Background(), sessions.Query{AllRevisions: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != ids {
		t.Errorf("%d rows, want %d (each summary once)", len(recs), ids)
	}
}

// The database down: summaries are answered 503 (8x8 retries), not lost
// and not acknowledged; back up: 200 again. A restarted server finds
// everything acknowledged before.
func TestPostgresDownThenUp(t *testing.T) {
	t.Parallel()
	c := pgtest.New(t)
	ts := start(t, Config{SessionsPath: c.URL()}, nil)
	ts.drain(t)
	if r := post(t, ts.URL+PathVSS, summary("before")); r.Status != 200 {
		t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	c.Stop(t)
	r := post(t, ts.URL+PathVSS, summary("during"))
	if r.Status != 503 || r.Header.Get("Retry-After") == "" {
		t.Fatalf("database down: status %d (Retry-After %q): %s", r.Status, r.Header.Get("Retry-After"), r.Body)
	}
	c.Start(t)
	if r := post(t, ts.URL+PathVSS, summary("during")); r.Status != 200 {
		t.Fatalf("database back: status %d: %s", r.Status, r.Body)
	}
	ts.cancel()
	if err := <-ts.done; err != nil {
		t.Fatal(err)
	}
	ts.done <- nil

	ts2 := start(t, Config{SessionsPath: c.URL()}, nil)
	ts2.drain(t)
	recs, err := ts2.Sessions().Query(context.Background(), sessions.Query{})
	if err != nil || len(recs) != 2 || recs[0].SessionID != "before" || recs[1].SessionID != "during" {
		t.Errorf("after restart: %+v %v", recs, err)
	}
}

// BenchmarkVSSAcknowledged: summaries acknowledged per second through the
// server, PostgreSQL against the JSON Lines file, 16 concurrent clients.
//
//	go test -run '^$' -bench VSSAcknowledged -benchtime 2000x ./pkg/webhook/
func BenchmarkVSSAcknowledged(b *testing.B) {
	for _, store := range []string{"jsonl", "postgres"} {
		b.Run(store, func(b *testing.B) {
			loc := filepath.Join(b.TempDir(), "sessions.jsonl")
			if store == "postgres" {
				loc = pgtest.DB(b)
			}
			srv, err := New(Config{Engine: engine(b, "testdata/menus/simple-ivr.yaml"), SessionsPath: loc})
			if err != nil {
				b.Fatal(err)
			}
			url := serveBench(b, srv) + PathVSS
			http.DefaultTransport.(*http.Transport).MaxIdleConnsPerHost = 16
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			begin := time.Now()
			for range 16 {
				wg.Go(func() {
					for {
						i := next.Add(1)
						if i > int64(b.N) {
							return
						}
						if st, err := postStatus(url, summary(fmt.Sprintf("bench-%d", i))); err != nil || st != 200 {
							b.Errorf("status %d, %v", st, err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/time.Since(begin).Seconds(), "acks/s")
		})
	}
}

// serveBench runs srv on 127.0.0.1:0 until the benchmark ends and returns
// its base URL.
func serveBench(b *testing.B, srv *Server) string {
	srv.emit = func(Event) {}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx, ln) }()
	b.Cleanup(func() {
		cancel()
		<-done
	})
	return "http://" + ln.Addr().String()
}
