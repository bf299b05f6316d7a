package webhook

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/pkg/connlimit/connlimittest"
)

// TestMaxConnsShedsIdle: a server at its connection cap, every slot held
// by an idle keep-alive connection, still answers a real webhook on a new
// connection, having closed the connection idle the longest for it.
// Without the cap the connections pile up until file descriptors run out.
func TestMaxConnsShedsIdle(t *testing.T) {
	t.Parallel()
	const max = 8
	ts := start(t, Config{MaxConns: max}, nil)
	var idle []net.Conn
	for range max {
		idle = append(idle, connlimittest.KeepAlive(t, ts.Addr, PathHealth))
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
	closed := connlimittest.ClosedEach(idle)
	if !closed[0] {
		t.Error("the longest idle connection was not closed to admit the new one")
	}
	for i := 1; i < len(closed); i++ {
		if closed[i] {
			t.Errorf("idle connection %d closed: only the longest idle should be", i)
		}
	}
}

// TestContentLengthAndTransferEncoding: a request carrying both headers
// (a request smuggling attempt, RFC 9112 §6.1) is answered and its
// connection closed, so that nothing after it on the connection is read
// as another request.
func TestContentLengthAndTransferEncoding(t *testing.T) {
	t.Parallel()
	ts := start(t, Config{}, nil)
	c, err := net.Dial("tcp", ts.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	body := string(readFile(t, "testdata/dtmf1.json"))
	smuggled := "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
	chunk := strconv.FormatInt(int64(len(body)), 16)
	raw := "POST " + PathVCA + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
		"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n" +
		chunk + "\r\n" + body + "\r\n0\r\n\r\n" + smuggled
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("answered %d, want 200 (the body read as chunked)", resp.StatusCode)
	}
	if !resp.Close {
		t.Error("the answer does not say Connection: close")
	}
	// Nothing more: the request after it was not served, the connection
	// is closed.
	if rest, err := io.ReadAll(br); err != nil || len(rest) > 0 {
		t.Errorf("after the answer: %q, %v (want EOF: the connection closed)", rest, err)
	}
}
