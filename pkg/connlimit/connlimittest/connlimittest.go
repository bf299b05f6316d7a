// Package connlimittest holds what the tests of a connection cap share
// (pkg/connlimit's own and the webhook server's): idle keep-alive
// connections, and which of them the server closed.
package connlimittest

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// KeepAlive opens a connection to addr, makes one GET of path on it and
// leaves it open and idle, as a keep-alive client (or a flood of them)
// does. The answer must be 200 and keep the connection alive.
func KeepAlive(t testing.TB, addr, path string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
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
		t.Fatalf("GET %s: %d, close %v: the server did not keep the connection alive", path, resp.StatusCode, resp.Close)
	}
	return c
}

// ClosedEach reports, for each connection, whether the server closed it
// (a read sees EOF or a reset within a short wait). The connections are
// waited on at once, so the wait costs one timeout, not one each.
func ClosedEach(conns []net.Conn) []bool {
	closed := make([]bool, len(conns))
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Go(func() {
			c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
			_, err := c.Read(make([]byte, 1))
			closed[i] = err == io.EOF || (err != nil && strings.Contains(err.Error(), "reset"))
		})
	}
	wg.Wait()
	return closed
}
