package webhook

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/sessions"
)

// Cancelling Run's context stops accepting connections, lets the request
// in flight finish with its answer, closes the sessions file and returns
// nil.
func TestShutdownDrainsInFlight(t *testing.T) {
	t.Parallel()
	entered, release := make(chan struct{}), make(chan struct{})
	hook := func(r *http.Request) {
		if r.Header.Get("X-Test-Block") != "" {
			close(entered)
			<-release
		}
	}
	ts := start(t, Config{}, hook)

	type result struct {
		r   response
		err error
	}
	got := make(chan result, 1)
	go func() {
		req, _ := http.NewRequest("POST", ts.URL+PathVSS, bytes.NewReader(readFile(t, "testdata/vss/completed.json")))
		req.Header.Set("X-Test-Block", "1")
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		body := make([]byte, 64)
		n, _ := resp.Body.Read(body)
		got <- result{r: response{Status: resp.StatusCode, Body: body[:n]}}
	}()
	recv(t, entered, "the blocked request never reached the handler")
	ts.cancel()

	// The listener closes promptly: new connections are refused while the
	// request is still in flight.
	refused := false
	for i := 0; i < 200 && !refused; i++ {
		c, err := net.Dial("tcp", ts.Addr)
		if err != nil {
			refused = true
			break
		}
		c.Close()
		time.Sleep(5 * time.Millisecond)
	}
	if !refused {
		t.Error("still accepting connections after shutdown began")
	}
	select {
	case err := <-ts.done:
		t.Fatalf("Run returned %v with a request in flight", err)
	default:
	}

	close(release)
	res := recv(t, got, "the in-flight request never got its answer")
	if res.err != nil || res.r.Status != 200 {
		t.Fatalf("in-flight request: %v, status %d", res.err, res.r.Status)
	}
	if err := recv(t, ts.done, "Run did not return after the drain"); err != nil {
		t.Fatalf("Run: %v", err)
	}
	ts.done <- nil // for the cleanup
	// Drained and closed: the summary is on disk, the file closed.
	recs, _, err := sessions.ReadFile(ts.Sessions().Location(), false)
	if err != nil || len(recs) != 1 {
		t.Errorf("sessions after shutdown: %d records, %v", len(recs), err)
	}
	if _, err := ts.Sessions().Append(context.Background(), sessions.Record{SessionID: "late", Event: []byte("{}")}); !errors.Is(err, sessions.ErrClosed) {
		t.Errorf("sessions file not closed: %v", err)
	}
}

// The drain is bounded: a request that never finishes does not hold the
// process; Run says so.
func TestShutdownDrainBounded(t *testing.T) {
	t.Parallel()
	entered, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	hook := func(r *http.Request) {
		close(entered)
		<-release
	}
	s, err := New(Config{Engine: engine(t, "testdata/menus/simple-ivr.yaml"),
		SessionsPath: filepath.Join(t.TempDir(), "s.jsonl"), DrainTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	s.hook = hook
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, ln) }()
	go postStatus("http://"+ln.Addr().String()+PathVCA, readFile(t, "testdata/dtmf1.json"))
	recv(t, entered, "the request never reached the handler")
	cancel()
	if err := recv(t, done, "Run did not return after its drain deadline"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Run: %v, want the drain deadline", err)
	}
}

func TestNewErrors(t *testing.T) {
	t.Parallel()
	e := engine(t, "testdata/menus/simple-ivr.yaml")
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for name, cfg := range map[string]Config{
		"no engine":               {SessionsPath: filepath.Join(dir, "s.jsonl")},
		"no sessions":             {Engine: e},
		"sessions under a file":   {Engine: e, SessionsPath: filepath.Join(blocker, "s.jsonl")},
		"record dir under a file": {Engine: e, SessionsPath: filepath.Join(dir, "s.jsonl"), RecordPath: filepath.Join(blocker, "rec")},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// BenchmarkVCA measures the handler alone for the seed's digit-3 event:
// decode, answer, write, and the event handed to a no-op callback.
func BenchmarkVCA(b *testing.B) {
	s, err := New(Config{Engine: engine(b, "testdata/menus/simple-ivr.yaml"),
		SessionsPath: filepath.Join(b.TempDir(), "s.jsonl"), OnEvent: func(Event) {}})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	body := readFile(b, "testdata/dtmf3.json")
	h := s.Handler()
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		req := httptest.NewRequest("POST", PathVCA, bytes.NewReader(body))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatalf("status %d", w.Code)
		}
	}
}

// BenchmarkDecodeVCA is the share of BenchmarkVCA that is decoding the
// event: what the bench script's ceiling server does too.
func BenchmarkDecodeVCA(b *testing.B) {
	body := readFile(b, "testdata/dtmf3.json")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := callflow.DecodeVCA(body); err != nil {
			b.Fatal(err)
		}
	}
}
