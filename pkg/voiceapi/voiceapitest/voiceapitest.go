// Package voiceapitest is the one scripted stand-in for 8x8's Voice API
// that tests share, in cmd/ and pkg/ alike (as net/http/httptest is for
// servers): an httptest.Server that gives canned answers, or a test's own
// handler, per route, records every request, and fails the test on a
// request no route expects or a body that is not JSON (8x8 takes JSON
// only).
//
// It is for tests about what the client sends and how the commands react
// to each answer (errors, retries, odd bodies). A test that needs 8x8's
// behaviour (sessions, webhooks, callers) uses pkg/emulator's Handler
// instead.
package voiceapitest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// Any is the route key that matches every request no other route does.
const Any = "*"

// Answer is one canned answer. A JSON Content-Type is set unless Header
// names another.
type Answer struct {
	Status int
	Body   string
	Header map[string]string
}

// OK is a 200 with body.
func OK(body string) Answer { return Answer{Status: http.StatusOK, Body: body} }

// Request is one request the stand-in received.
type Request struct {
	Method string
	Path   string // escaped, without the query
	Header http.Header
	Body   []byte
}

// Key is the request's route key, "METHOD /path".
func (r Request) Key() string { return r.Method + " " + r.Path }

// JSON decodes the body; nil when it is empty.
func (r Request) JSON() (any, error) {
	if len(r.Body) == 0 {
		return nil, nil
	}
	var v any
	err := json.Unmarshal(r.Body, &v)
	return v, err
}

// HandlerFunc answers a routed request itself; n counts the earlier
// requests of the same route (from 0).
type HandlerFunc func(w http.ResponseWriter, r *http.Request, req Request, n int)

// Fake is the stand-in. Routes are keyed "METHOD /path" (the escaped
// path, no query) or Any.
type Fake struct {
	*httptest.Server
	t      testing.TB
	mu     sync.Mutex
	reqs   []Request
	routes map[string]HandlerFunc
	hits   map[string]int
}

// New starts a stand-in that answers each route with its answers in turn
// (the last repeats); more routes can be added with Answer and Handle.
// It is closed when the test ends.
func New(t testing.TB, routes map[string][]Answer) *Fake {
	t.Helper()
	f := &Fake{t: t, routes: map[string]HandlerFunc{}, hits: map[string]int{}}
	for key, answers := range routes {
		f.Answer(key, answers...)
	}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

// Answer routes key to answers, given in turn (the last repeats).
func (f *Fake) Answer(key string, answers ...Answer) {
	if len(answers) == 0 {
		panic("voiceapitest: no answers for " + key)
	}
	f.Handle(key, func(w http.ResponseWriter, _ *http.Request, _ Request, n int) {
		Write(w, answers[min(n, len(answers)-1)])
	})
}

// Handle routes key to h.
func (f *Fake) Handle(key string, h HandlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.routes[key] = h
}

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	req := Request{Method: r.Method, Path: r.URL.EscapedPath(), Header: r.Header.Clone(), Body: body}
	if _, err := req.JSON(); err != nil {
		f.t.Errorf("voiceapitest: %s: the body is not JSON: %q", req.Key(), body)
	}
	f.mu.Lock()
	key := req.Key()
	h, ok := f.routes[key]
	if !ok {
		key = Any
		h, ok = f.routes[Any]
	}
	n := f.hits[key]
	f.hits[key]++
	f.reqs = append(f.reqs, req)
	f.mu.Unlock()
	if !ok {
		f.t.Errorf("voiceapitest: unexpected request %s", req.Key())
		w.WriteHeader(http.StatusTeapot)
		return
	}
	h(w, r, req, n)
}

// Write sends a as the answer.
func Write(w http.ResponseWriter, a Answer) {
	w.Header().Set("Content-Type", "application/json")
	for k, v := range a.Header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(a.Status)
	io.WriteString(w, a.Body)
}

// Requests returns what the stand-in received, in order.
func (f *Fake) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.reqs...)
}

// Count is how many requests had the route key "METHOD /path"; a key
// ending in "*" ("GET *") counts every request it prefixes.
func (f *Fake) Count(key string) int {
	prefix, wild := strings.CutSuffix(key, "*")
	n := 0
	for _, r := range f.Requests() {
		if k := r.Key(); k == key || wild && strings.HasPrefix(k, prefix) {
			n++
		}
	}
	return n
}
