// Package connlimit caps the connections an HTTP server holds open, so
// that a flood of idle keep-alive connections cannot exhaust its file
// descriptors and lock real requests out. At the cap, a new connection
// is admitted by closing the connection idle the longest; when none is
// idle, it waits (the kernel's backlog holds the others) until one
// closes or goes idle.
package connlimit

import (
	"container/list"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
)

// DefaultMax is the cap serve and emulate use unless told otherwise.
//
// Choice: 4096. A webhook server holds one connection per client in
// flight (8x8 sends a few events per call, each answered in
// milliseconds), so thousands of concurrent calls fit; it stays far below
// the file descriptor limit Go raises the process to (the hard limit,
// usually 65536 or more), leaving room for the session store's files and
// database connections.
const DefaultMax = 4096

// Budget is the most connections the file descriptor limit leaves room
// for (0: no known limit). Choice: three quarters of it, the rest kept for
// the listener, the session store, the record directory and outbound
// connections; a cap above the limit would let accept fail with "too
// many open files" before any idle connection is shed.
func Budget() int {
	n := fdLimit()
	if n <= 0 {
		return 0
	}
	return max(n*3/4, 16)
}

// Listener is a net.Listener holding at most Max connections open. Give
// its ConnState to the http.Server serving it: that is how it knows which
// connections are idle.
type Listener struct {
	net.Listener
	max int

	mu      sync.Mutex
	open    int
	idle    *list.List // *conn, the longest idle first
	changed chan struct{}
	done    chan struct{}
	close   sync.Once
	shed    atomic.Int64
}

// New wraps ln with a cap of n connections (<= 0: DefaultMax), lowered
// to Budget when the file descriptor limit is lower.
func New(ln net.Listener, n int) *Listener {
	if n <= 0 {
		n = DefaultMax
	}
	if b := Budget(); b > 0 && n > b {
		n = b
	}
	return &Listener{Listener: ln, max: n, idle: list.New(),
		changed: make(chan struct{}, 1), done: make(chan struct{})}
}

// Max is the cap.
func (l *Listener) Max() int { return l.max }

// Shed counts the idle connections closed to admit new ones.
func (l *Listener) Shed() int64 { return l.shed.Load() }

// Accept waits for a connection and admits it under the cap.
func (l *Listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	for {
		l.mu.Lock()
		if l.open < l.max {
			l.open++
			l.mu.Unlock()
			return &conn{Conn: c, l: l}, nil
		}
		var victim *conn
		if e := l.idle.Front(); e != nil {
			victim = l.idle.Remove(e).(*conn)
			victim.elem = nil
		}
		l.mu.Unlock()
		if victim != nil {
			// Closing frees its slot (conn.Close); the server sees the
			// read fail and forgets it, as after its IdleTimeout.
			victim.Close()
			l.shed.Add(1)
			continue
		}
		select {
		case <-l.changed:
		case <-l.done:
			c.Close()
			return nil, net.ErrClosed
		}
	}
}

// Close closes the listener; connections already admitted stay open.
func (l *Listener) Close() error {
	l.close.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// ConnState is the http.Server ConnState hook tracking idle connections.
func (l *Listener) ConnState(nc net.Conn, state http.ConnState) {
	c, ok := nc.(*conn)
	if !ok {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	switch state {
	case http.StateIdle:
		if c.elem == nil && !c.closed {
			c.elem = l.idle.PushBack(c)
			l.signal()
		}
	default: // active, hijacked, closed: not idle
		if c.elem != nil {
			l.idle.Remove(c.elem)
			c.elem = nil
		}
	}
}

// signal wakes an Accept waiting for a slot; l.mu held.
func (l *Listener) signal() {
	select {
	case l.changed <- struct{}{}:
	default:
	}
}

// conn is an admitted connection; closing it frees its slot once.
type conn struct {
	net.Conn
	l *Listener
	// Guarded by l.mu.
	elem   *list.Element // in l.idle while idle
	closed bool
}

func (c *conn) Close() error {
	err := c.Conn.Close()
	l := c.l
	l.mu.Lock()
	if !c.closed {
		c.closed = true
		l.open--
		if c.elem != nil {
			l.idle.Remove(c.elem)
			c.elem = nil
		}
		l.signal()
	}
	l.mu.Unlock()
	return err
}
