package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/pkg/menu"
)

// repo is the repository root, where testdata lives.
const repo = "../.."

func readFile(t testing.TB, rel string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repo, rel))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func engine(t testing.TB, menuFile string) *menu.Engine {
	t.Helper()
	m, err := menu.Parse(menuFile, readFile(t, menuFile))
	if err != nil {
		t.Fatal(err)
	}
	e, err := menu.Compile(m, menu.Numbers{})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// testServer is a Server running on a real listener on 127.0.0.1:0.
type testServer struct {
	*Server
	URL    string
	Addr   string
	events chan Event
	cancel context.CancelFunc
	done   chan error // Run's result

	stopOnce sync.Once
}

// start runs a server for cfg (engine: the simple IVR, sessions in a temp
// dir, unless cfg says otherwise), stopped when the test ends.
func start(t *testing.T, cfg Config, hook func(*http.Request)) *testServer {
	t.Helper()
	if cfg.Engine == nil {
		cfg.Engine = engine(t, "testdata/menus/simple-ivr.yaml")
	}
	if cfg.SessionsPath == "" {
		cfg.SessionsPath = filepath.Join(t.TempDir(), "state", "sessions.jsonl")
	}
	ts := &testServer{events: make(chan Event, 4096), done: make(chan error, 1)}
	cfg.OnEvent = func(e Event) { ts.events <- e }
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.hook = hook
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ts.Server, ts.cancel = s, cancel
	ts.Addr = ln.Addr().String()
	ts.URL = "http://" + ts.Addr
	go func() { ts.done <- s.Run(ctx, ln) }()
	t.Cleanup(func() { ts.stop(t) })
	return ts
}

// stop shuts the server down as SIGTERM does (graceful: Run returns once
// requests in flight and queued recordings are done); once.
func (ts *testServer) stop(t *testing.T) {
	t.Helper()
	ts.stopOnce.Do(func() {
		// A connection the client dialed but never sent a request on
		// counts as busy for http.Server.Shutdown until it is 5 s old:
		// the tests' many concurrent posts leave some, and every test's
		// shutdown then stalled 5 s. Closing the client's idle
		// connections first lets the drain finish at once.
		testClient.CloseIdleConnections()
		ts.cancel()
		select {
		case err := <-ts.done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("Run did not return within 30s of the shutdown")
		}
	})
}

// next returns the next event the server reported. Events are emitted
// after the response is written, so a client may see the response first.
func (ts *testServer) next(t *testing.T) Event {
	t.Helper()
	select {
	case e := <-ts.events:
		return e
	case <-time.After(10 * time.Second):
		t.Fatal("no event reported")
		return Event{}
	}
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func do(t *testing.T, req *http.Request) response {
	t.Helper()
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, body}
}

func newReq(t *testing.T, method, url string, body []byte) *http.Request {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

func post(t *testing.T, url string, body []byte) response {
	t.Helper()
	return do(t, newReq(t, http.MethodPost, url, body))
}

// vcaEvent returns testdata/dtmf<N>.json-shaped events with the given
// clientActionId and digit ("" : dtmf null).
func vcaEvent(t testing.TB, clientActionID, digit string) []byte {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(readFile(t, "testdata/dtmf1.json"), &ev); err != nil {
		t.Fatal(err)
	}
	p := ev["payload"].(map[string]any)
	if digit == "" {
		p["dtmf"] = nil
	} else {
		p["dtmf"] = digit
	}
	if clientActionID != "" {
		p["clientActionId"] = clientActionID
	}
	data, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// errorJSON decodes a JSON error body, failing the test if it is not one.
func errorJSON(t *testing.T, r response, status int) errorBody {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d (body %s)", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	var e errorBody
	if err := json.Unmarshal(r.Body, &e); err != nil {
		t.Fatalf("error body %q is not JSON: %v", r.Body, err)
	}
	if e.Status != status || e.Error == "" {
		t.Errorf("error body %s: want status %d and a message", r.Body, status)
	}
	return e
}

func mustPrefixes(t *testing.T, items ...string) []netip.Prefix {
	t.Helper()
	p, err := ParsePrefixes(items)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// postStatus posts without failing the test: for use in goroutines.
func postStatus(url string, body []byte) (int, error) {
	resp, err := testClient.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// testClient is the tests' HTTP client: a request that never gets its
// answer fails the test after testDeadline's bigger sibling instead of
// hanging the run (http.DefaultClient has no timeout).
var testClient = &http.Client{Timeout: 3 * testDeadline}

// testDeadline bounds every wait of these tests: a bug shows as a failure
// naming what never happened, not as the whole run hanging until go
// test's own 10-minute timeout.
const testDeadline = 10 * time.Second

// recv receives from ch within testDeadline, or fails the test.
func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(testDeadline):
		t.Fatalf("%s: nothing within %s", what, testDeadline)
		panic("unreachable")
	}
}
