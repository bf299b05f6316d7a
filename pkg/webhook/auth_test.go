package webhook

import (
	"net/http"
	"testing"
)

func TestAuth(t *testing.T) {
	t.Parallel()
	body := readFile(t, "testdata/dtmf1.json")
	cases := []struct {
		name      string
		auth      Auth
		set       func(*http.Request)
		path      string
		status    int
		challenge string
	}{
		{"no credential", Auth{Secrets: []string{"s3cret"}}, nil, "", 401, ""},
		{"secret in Authorization", Auth{Secrets: []string{"s3cret"}},
			func(r *http.Request) { r.Header.Set("Authorization", "s3cret") }, "", 200, ""},
		{"wrong secret", Auth{Secrets: []string{"s3cret"}},
			func(r *http.Request) { r.Header.Set("Authorization", "s3cre") }, "", 401, ""},
		{"secret with a prefix is not the secret", Auth{Secrets: []string{"s3cret"}},
			func(r *http.Request) { r.Header.Set("Authorization", "Bearer s3cret") }, "", 401, ""},
		{"rotation: old secret", Auth{Secrets: []string{"new-one", "old-one"}},
			func(r *http.Request) { r.Header.Set("Authorization", "old-one") }, "", 200, ""},
		{"rotation: new secret", Auth{Secrets: []string{"new-one", "old-one"}},
			func(r *http.Request) { r.Header.Set("Authorization", "new-one") }, "", 200, ""},
		{"rotation: neither", Auth{Secrets: []string{"new-one", "old-one"}},
			func(r *http.Request) { r.Header.Set("Authorization", "other") }, "", 401, ""},
		{"custom header", Auth{Header: "x-8x8-auth", Secrets: []string{"s3cret"}},
			func(r *http.Request) { r.Header.Set("X-8x8-Auth", "s3cret") }, "", 200, ""},
		{"custom header: Authorization no longer counts", Auth{Header: "X-8x8-Auth", Secrets: []string{"s3cret"}},
			func(r *http.Request) { r.Header.Set("Authorization", "s3cret") }, "", 401, ""},
		{"token", Auth{Token: "t0k3n"}, nil, "?token=t0k3n", 200, ""},
		{"wrong token", Auth{Token: "t0k3n"}, nil, "?token=t0k3", 401, ""},
		{"token in another parameter", Auth{Token: "t0k3n"}, nil, "?tok=t0k3n", 401, ""},
		{"basic", Auth{BasicUser: "eight", BasicPass: "by8"},
			func(r *http.Request) { r.SetBasicAuth("eight", "by8") }, "", 200, ""},
		{"basic: wrong password", Auth{BasicUser: "eight", BasicPass: "by8"},
			func(r *http.Request) { r.SetBasicAuth("eight", "by9") }, "", 401, `Basic realm="ivrctl", charset="UTF-8"`},
		{"basic: wrong user", Auth{BasicUser: "eight", BasicPass: "by8"},
			func(r *http.Request) { r.SetBasicAuth("nine", "by8") }, "", 401, `Basic realm="ivrctl", charset="UTF-8"`},
		{"basic: none", Auth{BasicUser: "eight", BasicPass: "by8"}, nil, "", 401, `Basic realm="ivrctl", charset="UTF-8"`},
		{"any method configured admits: token with basic on", Auth{Token: "t0k3n", BasicUser: "eight", BasicPass: "by8"},
			nil, "?token=t0k3n", 200, ""},
		{"any method configured admits: basic beside a secret in Authorization", Auth{Secrets: []string{"s3cret"}, BasicUser: "eight", BasicPass: "by8"},
			func(r *http.Request) { r.SetBasicAuth("eight", "by8") }, "", 200, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ts := start(t, Config{Auth: c.auth}, nil)
			for _, route := range []string{PathVCA, PathVSS} {
				b := body
				if route == PathVSS {
					b = readFile(t, "testdata/vss/completed.json")
				}
				req := newReq(t, "POST", ts.URL+route+c.path, b)
				if c.set != nil {
					c.set(req)
				}
				r := do(t, req)
				if c.status == 200 {
					if r.Status != 200 {
						t.Fatalf("%s: status %d: %s", route, r.Status, r.Body)
					}
				} else {
					errorJSON(t, r, c.status)
				}
				if got := r.Header.Get("WWW-Authenticate"); got != c.challenge {
					t.Errorf("%s: WWW-Authenticate %q, want %q", route, got, c.challenge)
				}
				ev := ts.next(t)
				if c.status != 200 && (ev.Kind != KindReject || ev.Status != c.status) {
					t.Errorf("%s: event %+v", route, ev)
				}
			}
		})
	}
}

func TestAuthConfigErrors(t *testing.T) {
	t.Parallel()
	for _, a := range []Auth{
		{Secrets: []string{"ok", ""}},
		{BasicUser: "user"},
		{BasicPass: "pass"},
		{BasicUser: "us:er", BasicPass: "pass"},
	} {
		if _, err := New(Config{Engine: engine(t, "testdata/menus/simple-ivr.yaml"), SessionsPath: t.TempDir() + "/s.jsonl", Auth: a}); err == nil {
			t.Errorf("%+v: no error", a)
		}
	}
}

// The allow list judges the TCP peer; X-Forwarded-For only counts with
// TrustProxy, and then only its right-most entry (the one our proxy added).
func TestAllowIP(t *testing.T) {
	t.Parallel()
	body := readFile(t, "testdata/dtmf1.json")
	eightByEight := mustPrefixes(t, "18.140.80.2", "52.220.253.234", "54.255.116.8", "52.74.232.241")
	cases := []struct {
		name   string
		allow  []string
		trust  bool
		xff    []string
		status int
		remote string
	}{
		{"loopback allowed", []string{"127.0.0.0/8"}, false, nil, 200, ""},
		{"loopback not in 8x8's list", nil, false, nil, 403, ""},
		{"forwarded header ignored without trust-proxy", nil, false, []string{"18.140.80.2"}, 403, ""},
		{"forwarded header ignored without trust-proxy (loopback allowed)", []string{"127.0.0.1"}, false, []string{"6.6.6.6"}, 200, ""},
		{"trusted proxy: 8x8 address", nil, true, []string{"18.140.80.2"}, 200, "18.140.80.2"},
		{"trusted proxy: other address", nil, true, []string{"6.6.6.6"}, 403, "6.6.6.6"},
		{"trusted proxy: spoofed left entry", nil, true, []string{"18.140.80.2, 6.6.6.6"}, 403, "6.6.6.6"},
		{"trusted proxy: right-most of several headers", nil, true, []string{"6.6.6.6", "10.0.0.1, 52.74.232.241"}, 200, "52.74.232.241"},
		{"trusted proxy: garbage", nil, true, []string{"not-an-ip"}, 403, "not-an-ip"},
		{"trusted proxy without header: the peer", []string{"127.0.0.1/32"}, true, nil, 200, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			allow := eightByEight
			if c.allow != nil {
				allow = mustPrefixes(t, c.allow...)
			}
			ts := start(t, Config{AllowIPs: allow, TrustProxy: c.trust}, nil)
			req := newReq(t, "POST", ts.URL+PathVCA, body)
			for _, v := range c.xff {
				req.Header.Add("X-Forwarded-For", v)
			}
			r := do(t, req)
			if c.status == 200 && r.Status != 200 {
				t.Fatalf("status %d: %s", r.Status, r.Body)
			}
			if c.status != 200 {
				errorJSON(t, r, c.status)
			}
			ev := ts.next(t)
			if c.remote != "" && ev.Remote != c.remote {
				t.Errorf("event remote %q, want %q", ev.Remote, c.remote)
			}
		})
	}
}

// IP and authentication both apply: an allowed address still needs a
// credential.
func TestAllowIPAndAuth(t *testing.T) {
	t.Parallel()
	ts := start(t, Config{AllowIPs: mustPrefixes(t, "127.0.0.1"), Auth: Auth{Token: "t"}}, nil)
	errorJSON(t, post(t, ts.URL+PathVCA, readFile(t, "testdata/dtmf1.json")), 401)
	if r := post(t, ts.URL+PathVCA+"?token=t", readFile(t, "testdata/dtmf1.json")); r.Status != 200 {
		t.Errorf("status %d", r.Status)
	}
}

func TestParsePrefixes(t *testing.T) {
	t.Parallel()
	p, err := ParsePrefixes([]string{"18.140.80.2", " 10.0.0.0/8 ", "", "::1", "192.168.1.7/24"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"18.140.80.2/32", "10.0.0.0/8", "::1/128", "192.168.1.0/24"}
	if len(p) != len(want) {
		t.Fatalf("got %v", p)
	}
	for i := range want {
		if p[i].String() != want[i] {
			t.Errorf("%d: %s, want %s", i, p[i], want[i])
		}
	}
	for _, bad := range []string{"18.140.80", "10.0.0.0/33", "host.example"} {
		if _, err := ParsePrefixes([]string{bad}); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
