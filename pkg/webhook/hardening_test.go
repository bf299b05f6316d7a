package webhook

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// keepAliveConn opens a connection, makes one GET /healthz on it and
// leaves it open and idle, as a keep-alive client (or a flood of them).
func keepAliveConn(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Close {
		t.Fatalf("healthz: %d, close %v", resp.StatusCode, resp.Close)
	}
	return c
}

// serverClosed reports whether the server closed c: a read sees EOF.
func serverClosed(c net.Conn) bool {
	c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	_, err := c.Read(make([]byte, 1))
	return err == io.EOF || (err != nil && strings.Contains(err.Error(), "reset"))
}

// TestMaxConnsShedsIdle: a server at its connection cap, every slot held
// by an idle keep-alive connection, still answers a real webhook on a new
// connection, having closed the connection idle the longest for it.
// Without the cap the connections pile up until file descriptors run out.
func TestMaxConnsShedsIdle(t *testing.T) {
	const max = 8
	ts := start(t, Config{MaxConns: max}, nil)
	var idle []net.Conn
	for range max {
		idle = append(idle, keepAliveConn(t, ts.Addr))
		time.Sleep(5 * time.Millisecond) // an order of idleness
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	req := newReq(t, http.MethodPost, ts.URL+PathVCA, readFile(t, "testdata/dtmf1.json"))
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("a real webhook at the cap: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("VCA at the cap: %d", resp.StatusCode)
	}
	if !serverClosed(idle[0]) {
		t.Error("the longest idle connection was not closed to admit the new one")
	}
	for i, c := range idle[1:] {
		if serverClosed(c) {
			t.Errorf("idle connection %d closed: only the longest idle should be", i+1)
		}
	}
}
