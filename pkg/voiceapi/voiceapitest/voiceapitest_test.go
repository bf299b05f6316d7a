package voiceapitest

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// recorder is a testing.TB that keeps the errors the stand-in reports.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Errorf(format string, args ...any) { r.errors = append(r.errors, format) }

func send(t *testing.T, f *Fake, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, f.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := f.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// A route's answers come in turn, the last repeating; Any takes what no
// route does; every request is recorded and counted by route.
func TestRoutesInTurn(t *testing.T) {
	f := New(t, map[string][]Answer{
		"GET /a": {{Status: 500, Body: `{"n":1}`}, OK(`{"n":2}`)},
		Any:      {OK(`{}`)},
	})
	f.Handle("POST /h", func(w http.ResponseWriter, _ *http.Request, req Request, n int) {
		Write(w, Answer{Status: 201, Body: string(req.Body)})
	})
	var got []string
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/a", ""}, {"GET", "/a", ""}, {"GET", "/a", ""}, {"GET", "/other", ""}, {"POST", "/h", `{"x":1}`},
	} {
		status, body := send(t, f, c.method, c.path, c.body)
		got = append(got, http.StatusText(status)+" "+body)
	}
	want := []string{`Internal Server Error {"n":1}`, `OK {"n":2}`, `OK {"n":2}`, `OK {}`, `Created {"x":1}`}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("answers (-want +got):\n%s", d)
	}
	if n, all, gets := f.Count("GET /a"), len(f.Requests()), f.Count("GET *"); n != 3 || all != 5 || gets != 4 {
		t.Errorf("counts: GET /a %d, all %d, GET * %d; want 3, 5, 4", n, all, gets)
	}
	if v, err := f.Requests()[4].JSON(); err != nil || cmp.Diff(map[string]any{"x": 1.0}, v) != "" {
		t.Errorf("recorded body: %v, %v", v, err)
	}
}

// A request no route expects, or a body that is not JSON, fails the test.
func TestUnexpectedFails(t *testing.T) {
	r := &recorder{TB: t}
	f := New(r, map[string][]Answer{"POST /a": {OK(`{}`)}})
	if status, _ := send(t, f, "GET", "/nowhere", ""); status != http.StatusTeapot {
		t.Errorf("unrouted: status %d", status)
	}
	send(t, f, "POST", "/a", "not json")
	if len(r.errors) != 2 {
		t.Errorf("reported %q, want the unexpected request and the body", r.errors)
	}
}
