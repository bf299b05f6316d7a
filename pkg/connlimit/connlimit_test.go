package connlimit

import (
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/pkg/connlimit/connlimittest"
)

// serve runs an HTTP server on a capped listener; handler nil answers ok.
func serve(t *testing.T, max int, handler http.Handler) (*Listener, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if handler == nil {
		handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	}
	l := New(ln, max)
	srv := &http.Server{Handler: handler, ConnState: l.ConnState, IdleTimeout: time.Minute}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return l, ln.Addr().String()
}

// TestIdleShedFirst: with the cap held by idle keep-alive connections, a
// real request on a new connection is still answered, and the connection
// idle the longest is the one closed for it.
func TestIdleShedFirst(t *testing.T) {
	t.Parallel()
	const max = 8
	l, addr := serve(t, max, nil)
	var idle []net.Conn
	for range max {
		idle = append(idle, connlimittest.KeepAlive(t, addr, "/"))
		time.Sleep(5 * time.Millisecond) // an order of idleness
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get("http://" + addr + "/")
	if err != nil {
		t.Fatalf("a real request at the cap: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "ok" {
		t.Fatalf("body %q", body)
	}
	closed := connlimittest.ClosedEach(idle)
	if !closed[0] {
		t.Error("the longest idle connection was not closed")
	}
	for i := 1; i < len(closed); i++ {
		if closed[i] {
			t.Errorf("idle connection %d closed: only the longest idle should be", i)
		}
	}
	if l.Shed() < 1 {
		t.Errorf("Shed() = %d", l.Shed())
	}
}

// TestWaitsWhenAllBusy: at the cap with every connection in a request, a
// new connection waits (it is not refused, nothing is cut off) and is
// served once one of them ends.
func TestWaitsWhenAllBusy(t *testing.T) {
	t.Parallel()
	const max = 2
	release := make(chan struct{})
	entered := make(chan struct{}, 10)
	_, addr := serve(t, max, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		if r.URL.Path == "/slow" {
			<-release
		}
		io.WriteString(w, "ok")
	}))
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	errs := make(chan error, max+1)
	get := func(path string) {
		resp, err := client.Get("http://" + addr + path)
		if err == nil {
			resp.Body.Close()
		}
		errs <- err
	}
	for range max {
		go get("/slow")
		<-entered
	}
	go get("/fast")
	select {
	case <-entered:
		t.Fatal("a connection beyond the cap was served while every slot was busy")
	case <-time.After(300 * time.Millisecond):
	}
	close(release)
	for range max + 1 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
