package scenario

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/emulator"
	"github.com/ivrctl/ivrctl/pkg/golden"
	"github.com/ivrctl/ivrctl/pkg/menu"
	"github.com/ivrctl/ivrctl/pkg/webhook/webhooktest"
)

// TestMain runs the tests from the repository root, so that scenario files
// are named in reports as a user names them: testdata/scenarios/...
func TestMain(m *testing.M) {
	flag.Parse()
	if err := os.Chdir("../.."); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	os.Exit(m.Run())
}

func TestParsePattern(t *testing.T) {
	tests := []struct {
		pattern, text string
		match         bool
		show          string
	}{
		{"Welcome", "Welcome to ABC Restaurant", true, `"Welcome"`},
		{"welcome", "Welcome to ABC Restaurant", false, `"welcome"`}, // substrings are case-sensitive
		{"ABC", "Welcome to ABC Restaurant", true, `"ABC"`},
		{"/^Welcome/", "Welcome to ABC", true, "/^Welcome/"},
		{"/^ABC/", "Welcome to ABC", false, "/^ABC/"},
		{"/(?i)WELCOME/", "Welcome to ABC", true, "/(?i)WELCOME/"},
		{"/press [0-9]/", "press 1 to book", true, "/press [0-9]/"},
		{"/", "a / b", true, `"/"`}, // one slash is text
		{"a/b/", "a/b/", true, `"a/b/"`},
		{"/9AM.", "between /9AM. and", true, `"/9AM."`},
	}
	for _, tt := range tests {
		p, err := ParsePattern(tt.pattern)
		if err != nil {
			t.Fatalf("ParsePattern(%q): %v", tt.pattern, err)
		}
		if got := p.Match(tt.text); got != tt.match {
			t.Errorf("%q matches %q = %v, want %v", tt.pattern, tt.text, got, tt.match)
		}
		if p.String() != tt.show {
			t.Errorf("%q shows as %s, want %s", tt.pattern, p.String(), tt.show)
		}
	}
	for _, bad := range []string{"", "/[a/", "/a(/", "//"} { // "//" would match anything
		if _, err := ParsePattern(bad); err == nil {
			t.Errorf("ParsePattern(%q) accepted", bad)
		}
	}
}

func TestParse(t *testing.T) {
	src := `# two scenarios
name: one
description: the first
call:
  to: "+6590000001"
  from: 6512345678
  menu: menus/x.yaml
caller:
  steps:
    - {expect: Welcome, press: 12#}
    - {expect: /^Sorry/, silence: true}
    - hangup: true
agent: {pickup: busy}
expect:
  heard: [Welcome, /Sorry/]
  connected: ["6561115777", "+6561115778"]
  status: BUSY
  webhookCalls: 2
  lastAction: MAKE_CALL
---
---
name: two
caller: {pickup: no-answer}
expect: {connected: []}
`
	got, err := Parse("x.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d scenarios, want 2", len(got))
	}
	pat := func(s string, line int) *Pattern {
		p, err := ParsePattern(s)
		if err != nil {
			t.Fatal(err)
		}
		p.Line = line
		return p
	}
	want := []*Scenario{{
		File: "x.yaml", Line: 2, Name: "one", Description: "the first",
		Call: Call{To: "+6590000001", From: "6512345678", Menu: "menus/x.yaml", ToLine: 5, MenuLine: 7},
		Caller: Caller{Party: Party{Pickup: PickupAnswer}, StepsLine: 9, Steps: []Step{
			{Expect: pat("Welcome", 10), Action: ActionPress, Keys: "12#", Line: 10},
			{Expect: pat("/^Sorry/", 11), Action: ActionSilence, Line: 11},
			{Action: ActionHangup, Line: 12},
		}},
		Agent: Party{Pickup: PickupBusy, Line: 13},
		Expect: Expect{
			Heard: []*Pattern{pat("Welcome", 15), pat("/Sorry/", 15)}, HeardSet: true, HeardLine: 15,
			Connected: []string{"6561115777", "+6561115778"}, ConnectedSet: true, ConnectedLine: 16,
			Status: "BUSY", StatusLine: 17, WebhookCalls: 2, WebhookLine: 18,
			LastAction: "MAKE_CALL", LastActionLine: 19,
		},
	}, {
		File: "x.yaml", Line: 22, Name: "two",
		Call:   Call{To: DefaultTo},
		Caller: Caller{Party: Party{Pickup: PickupNoAnswer, Line: 23}},
		Agent:  Party{Pickup: PickupAnswer},
		Expect: Expect{Connected: []string{}, ConnectedSet: true, ConnectedLine: 24, WebhookCalls: -1},
	}}
	opts := cmp.Options{
		cmp.AllowUnexported(Scenario{}),
		cmp.Comparer(func(a, b *Pattern) bool {
			return (a == nil) == (b == nil) && (a == nil || a.Source == b.Source && a.Line == b.Line && (a.Re == nil) == (b.Re == nil))
		}),
	}
	if diff := cmp.Diff(want, got, opts); diff != "" {
		t.Errorf("Parse (-want +got):\n%s", diff)
	}
}

// TestBadFiles loads each file in testdata/test/bad and compares the
// errors, one file:line: field: message per line, with NAME.err.
func TestBadFiles(t *testing.T) {
	files, err := filepath.Glob("testdata/test/bad/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no bad scenario files: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			_, err := Load([]string{f}, nil)
			if err == nil {
				t.Fatal("loaded without error")
			}
			golden.Text(t, strings.TrimSuffix(f, ".yaml")+".err", err.Error()+"\n")
		})
	}
}

// TestLoadDirectory: a directory is every scenario file under it, in
// lexical order, each with its menu and a Send Callflow request.
func TestLoadDirectory(t *testing.T) {
	ss, err := Load([]string{"testdata/scenarios"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var order []string
	for _, s := range ss {
		// An inbound call sends no Send Callflow request.
		if s.engine == nil || (len(s.request) == 0) != s.Call.Inbound {
			t.Errorf("%s: not prepared", s.ID())
		}
		if !seen[s.File] {
			seen[s.File] = true
			order = append(order, s.File)
		}
	}
	want := []string{
		"testdata/scenarios/advanced-ivr/connect-call.yaml",
		"testdata/scenarios/advanced-ivr/main-menu.yaml",
		"testdata/scenarios/advanced-ivr/pickup.yaml",
		"testdata/scenarios/advanced-ivr/reservations.yaml",
		"testdata/scenarios/inbound/advanced-ivr.yaml",
		"testdata/scenarios/inbound/simple-ivr.yaml",
		"testdata/scenarios/simple-ivr/no-input.yaml",
		"testdata/scenarios/simple-ivr/options.yaml",
		"testdata/scenarios/simple-ivr/pickup.yaml",
	}
	if diff := cmp.Diff(want, order); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	// The same menu file is compiled once for all the scenarios naming it.
	var adv *menu.Engine
	for _, s := range ss {
		if strings.Contains(s.File, "advanced-ivr") {
			if adv != nil && s.engine != adv {
				t.Fatalf("%s: a second engine for the same menu", s.ID())
			}
			adv = s.engine
		}
	}
}

func runAll(t testing.TB, r *Runner, ss []*Scenario) []*Result {
	t.Helper()
	return r.Run(context.Background(), ss, nil)
}

func requirePassed(t *testing.T, results []*Result) {
	t.Helper()
	for _, res := range results {
		if !res.Passed() {
			var b strings.Builder
			res.WriteReport(&b, "    ", Style{})
			t.Errorf("%s %q failed:\n%s", res.Scenario.ID(), res.Scenario.Name, b.String())
		}
	}
}

// The suites every menu ships with, and the menu `ivrctl serve` needs for
// each (the embedded default for the simple IVR).
var suites = []struct{ dir, menu string }{
	{"testdata/scenarios/simple-ivr", ""},
	{"testdata/scenarios/advanced-ivr", "testdata/menus/advanced-ivr.yaml"},
}

// TestSuitesInProcess: every shipped scenario passes against its menu,
// answered in-process.
func TestSuitesInProcess(t *testing.T) {
	ss, err := Load([]string{"testdata/scenarios"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) < 40 {
		t.Fatalf("only %d scenarios", len(ss))
	}
	results := runAll(t, &Runner{}, ss)
	requirePassed(t, results)
	for _, res := range results {
		if res.Webhook != "" {
			t.Errorf("%s: ran against %s, want in-process", res.Scenario.ID(), res.Webhook)
		}
	}
}

// serve runs the webhook server `ivrctl serve` runs, for menuFile ("" the
// embedded default), on 127.0.0.1:0, and returns its VCA URL.
func serve(t testing.TB, menuFile string) string { return webhooktest.Menu(t, menuFile) }

// TestSuitesAgainstServe: every shipped scenario passes against the
// webhook server of `ivrctl serve` over real HTTP, one server per menu, as
// `ivrctl test --webhook URL DIR` runs them.
func TestSuitesAgainstServe(t *testing.T) {
	for _, s := range suites {
		t.Run(filepath.Base(s.dir), func(t *testing.T) {
			ss, err := Load([]string{s.dir}, nil)
			if err != nil {
				t.Fatal(err)
			}
			url := serve(t, s.menu)
			results := runAll(t, &Runner{Webhook: url}, ss)
			requirePassed(t, results)
			for _, res := range results {
				if res.Webhook != url {
					t.Errorf("%s: ran against %q, want %s", res.Scenario.ID(), res.Webhook, url)
				}
				if res.Transcript != nil && res.Transcript.WebhookCalls > 0 && len(res.Transcript.Pressed) == 0 {
					t.Errorf("%s: webhook calls without events", res.Scenario.ID())
				}
			}
		})
	}
}

// TestWrongSuiteAgainstServe: a suite run against the wrong backend fails,
// so the serve test above can fail.
func TestWrongSuiteAgainstServe(t *testing.T) {
	ss, err := Load([]string{"testdata/scenarios/advanced-ivr"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	url := serve(t, "") // the simple IVR answers the restaurant's scenarios
	results := runAll(t, &Runner{Webhook: url}, ss)
	failed := 0
	for _, res := range results {
		if !res.Passed() {
			failed++
		}
	}
	// The pickup scenarios never reach the webhook, and a caller hanging up
	// at the first prompt (which the request carries) neither: every other
	// one must fail.
	if failed == 0 || failed < len(results)-4 {
		t.Errorf("%d of %d failed against the wrong menu", failed, len(results))
	}
}

// TestResultsInOrder: results come back, and are handed to each, in input
// order whatever the parallelism.
func TestResultsInOrder(t *testing.T) {
	ss, err := Load([]string{"testdata/scenarios"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, par := range []int{1, 3, 64} {
		var seen []*Scenario
		results := (&Runner{Parallel: par}).Run(context.Background(), ss, func(r *Result) { seen = append(seen, r.Scenario) })
		for i := range ss {
			if results[i].Scenario != ss[i] || seen[i] != ss[i] {
				t.Fatalf("parallel %d: result %d is %s, want %s", par, i, results[i].Scenario.ID(), ss[i].ID())
			}
		}
	}
}

func TestCheckHeard(t *testing.T) {
	heard := func(texts ...string) *emulator.Transcript {
		tr := &emulator.Transcript{}
		for _, s := range texts {
			tr.Heard = append(tr.Heard, emulator.Heard{Kind: "say", Text: s})
		}
		tr.Heard = append(tr.Heard, emulator.Heard{Leg: 1, Kind: "say", Text: "agent only"})
		return tr
	}
	expect := func(pats ...string) *Scenario {
		s := &Scenario{Expect: Expect{HeardSet: true, HeardLine: 1, WebhookCalls: -1}}
		for i, p := range pats {
			pat, err := ParsePattern(p)
			if err != nil {
				t.Fatal(err)
			}
			pat.Line = 10 + i
			s.Expect.Heard = append(s.Expect.Heard, pat)
		}
		return s
	}
	tests := []struct {
		name  string
		s     *Scenario
		tr    *emulator.Transcript
		field string
		line  int
		ops   string
	}{
		{"equal", expect("a", "b"), heard("a", "b"), "", 0, ""},
		{"nothing", expect(), heard(), "", 0, ""},
		{"other", expect("a", "x", "c"), heard("a", "b", "c"), "expect.heard[1]", 11, " -+ "},
		{"extra in the middle", expect("a", "c"), heard("a", "b", "c"), "expect.heard[1]", 11, " + "},
		{"extra at the end", expect("a"), heard("a", "b"), "expect.heard", 1, " +"},
		{"missing at the end", expect("a", "b"), heard("a"), "expect.heard[1]", 11, " -"},
		{"heard nothing", expect("a"), heard(), "expect.heard[0]", 10, "-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := Check(tt.s, tt.tr)
			if tt.field == "" {
				if len(fs) != 0 {
					t.Fatalf("failures: %+v", fs)
				}
				return
			}
			if len(fs) != 1 {
				t.Fatalf("%d failures, want 1: %+v", len(fs), fs)
			}
			f := fs[0]
			var ops strings.Builder
			for _, d := range f.Diff {
				ops.WriteString(d.Op)
			}
			if f.Field != tt.field || f.Line != tt.line || ops.String() != tt.ops {
				t.Errorf("got %s line %d ops %q, want %s line %d ops %q", f.Field, f.Line, ops.String(), tt.field, tt.line, tt.ops)
			}
		})
	}
}

// TestCallRequest: call.request places a Send Callflow request file as it
// is (a backend that is not an ivrctl menu); one 8x8 would refuse is a
// problem of the scenario file.
func TestCallRequest(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	write("request.json", `{"callflow": [
  {"action": "makeCall", "params": {"source": "6561115777", "destination": "6598765432"}},
  {"action": "sayAndCapture", "params": {"promptMessage": "Press 2 for an agent.", "voiceProfile": "en-US-BenjaminRUS",
    "minDigits": 1, "maxDigits": 1, "digitTimeout": 10000, "overallTimeout": 10000, "noOfTries": 1}}]}`)
	write("bad-request.json", `{"callflow": [{"action": "say", "params": {"text": "hi"}}]}`)
	ok := write("ok.yaml", `name: own request
call: {request: request.json}
caller:
  steps:
    - {expect: Press 2 for an agent., press: "2"}
expect:
  heard: [Press 2 for an agent.]
  connected: "6561115777"
  status: COMPLETED
`)
	ss, err := Load([]string{ok}, nil)
	if err != nil {
		t.Fatal(err)
	}
	res := runAll(t, &Runner{}, ss)
	requirePassed(t, res)
	if d := res[0].Transcript.Dialled; len(d) == 0 || !callflow.SameNumber(d[0].Destination, "6598765432") {
		t.Errorf("dialled %v, want the request's destination first", d)
	}

	bad := write("bad.yaml", "name: refused request\ncall:\n  request: bad-request.json\nexpect: {status: COMPLETED}\n")
	_, err = Load([]string{bad}, nil)
	want := bad + ":3: call.request: " + filepath.Join(dir, "bad-request.json") + ": not a Send Callflow request 8x8 would accept: "
	if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "-1013") {
		t.Errorf("got %v, want %s... (-1013)", err, want)
	}
}

// TestRunCancelled: once the context is done, the calls not yet placed
// are reported not run rather than placed to fail.
func TestRunCancelled(t *testing.T) {
	ss, err := Load([]string{"testdata/scenarios/simple-ivr"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a deadline: a hang fails, not stalls
	cancel()
	for _, res := range (&Runner{Parallel: 1}).Run(ctx, ss, nil) {
		if res.Passed() || res.Transcript != nil || res.Err == nil || !strings.HasPrefix(res.Err.Error(), "not run: ") {
			t.Fatalf("%s: err %v, transcript %v: want not run", res.Scenario.ID(), res.Err, res.Transcript)
		}
	}
}

// TestWebhookLikeTheEmulator: ivrctl test posts VCA events the way
// `ivrctl emulate` (and 8x8) does. A webhook that redirects is not
// followed, so a backend `ivrctl test` passes is not one the platform
// would see fail.
func TestWebhookLikeTheEmulator(t *testing.T) {
	hits := 0
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/vca" {
			http.Redirect(w, r, "/vca/", http.StatusTemporaryRedirect)
			return
		}
		hits++
		w.Write([]byte(`{"callflow":[{"action":"hangup"}]}`))
	}))
	defer backend.Close()
	ss, err := Load([]string{"testdata/scenarios/simple-ivr/options.yaml"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ss = ss[:1]
	res := runAll(t, &Runner{Webhook: backend.URL + "/vca"}, ss)[0]
	if res.Transcript == nil || res.Transcript.Status() != "ERROR" || hits != 0 {
		t.Fatalf("a redirecting webhook: status %v, %d request(s) followed; want ERROR, none followed (%s)", statusOrNil(res), hits, res.Summary())
	}
	if n := res.Transcript.Notes; len(n) == 0 || !strings.Contains(n[len(n)-1], "HTTP 307") {
		t.Errorf("notes %q, want the 307 named", n)
	}
	res = runAll(t, &Runner{Webhook: backend.URL + "/vca/"}, ss)[0]
	if res.Transcript == nil || res.Transcript.Status() != "COMPLETED" || hits != 1 {
		t.Errorf("the webhook itself: status %v, %d hit(s); want COMPLETED (%s)", statusOrNil(res), hits, res.Summary())
	}
}

func statusOrNil(r *Result) any {
	if r.Transcript == nil {
		return nil
	}
	return r.Transcript.Status()
}

// TestRunClosesItsConnections: the connections a Run opened to a webhook
// are closed when it returns, not left idle for minutes (a program or a
// test that runs suites repeatedly would pile them up).
func TestRunClosesItsConnections(t *testing.T) {
	var open atomic.Int32
	backend := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"callflow":[{"action":"hangup"}]}`))
	}))
	backend.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		switch s {
		case http.StateNew:
			open.Add(1)
		case http.StateClosed, http.StateHijacked:
			open.Add(-1)
		}
	}
	backend.Start()
	defer backend.Close()
	ss, err := Load([]string{"testdata/scenarios/simple-ivr/options.yaml"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	runAll(t, &Runner{Webhook: backend.URL}, ss)
	deadline := time.Now().Add(5 * time.Second)
	for open.Load() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := open.Load(); n > 0 {
		t.Errorf("%d connection(s) still open after Run returned", n)
	}
}

// TestRunnerHeaderAndVSS: Runner.Header goes with every VCA event to
// Runner.Webhook and every summary to Runner.VSS, never to a scenario's own
// call.webhook; a summary the backend does not take fails the scenario.
func TestRunnerHeaderAndVSS(t *testing.T) {
	type hit struct{ Path, Auth string }
	var mu sync.Mutex
	var hits []hit
	vssStatus := atomic.Int32{}
	vssStatus.Store(200)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits = append(hits, hit{r.URL.Path, r.Header.Get("X-Secret")})
		mu.Unlock()
		if r.URL.Path == "/vss" {
			w.WriteHeader(int(vssStatus.Load()))
			return
		}
		w.Write([]byte(`{"callflow":[{"action":"hangup"}]}`))
	}))
	defer backend.Close()
	load := func() []*Scenario {
		ss, err := Load([]string{"testdata/scenarios/simple-ivr/options.yaml"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return ss[:1]
	}
	hdr := http.Header{"X-Secret": {"s3cret"}}
	reset := func() []hit {
		mu.Lock()
		defer mu.Unlock()
		h := hits
		hits = nil
		return h
	}

	runAll(t, &Runner{Webhook: backend.URL + "/vca", VSS: backend.URL + "/vss", Header: hdr}, load())
	if diff := cmp.Diff([]hit{{"/vca", "s3cret"}, {"/vss", "s3cret"}}, reset()); diff != "" {
		t.Errorf("--webhook and --vss (-want +got):\n%s", diff)
	}

	// The scenario names its own webhook: no credential goes there.
	ss := load()
	ss[0].Call.Webhook = backend.URL + "/own"
	runAll(t, &Runner{Header: hdr}, ss)
	if diff := cmp.Diff([]hit{{"/own", ""}}, reset()); diff != "" {
		t.Errorf("call.webhook (-want +got):\n%s", diff)
	}

	// In-process calls have no backend: no summary is posted.
	runAll(t, &Runner{VSS: backend.URL + "/vss", Header: hdr}, load())
	if h := reset(); len(h) != 0 {
		t.Errorf("in-process with VSS set: requests %v, want none", h)
	}

	vssStatus.Store(500)
	res := runAll(t, &Runner{Webhook: backend.URL + "/vca", VSS: backend.URL + "/vss?token=s3cret"}, load())[0]
	reset()
	want := "session summary: POST " + backend.URL + "/vss?...: HTTP 500"
	if res.Passed() || res.Summary() != want {
		t.Errorf("summary not taken: passed %v, %q, want %q", res.Passed(), res.Summary(), want)
	}
	var b strings.Builder
	res.WriteReport(&b, "", Style{})
	if strings.Contains(b.String(), "s3cret") {
		t.Errorf("the report shows the token:\n%s", b.String())
	}
}
