package call_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/cmd"
	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/cmd/cmdutil/cmdtest"
	"github.com/ivrctl/ivrctl/pkg/voiceapi/voiceapitest"
)

// testKey is the API key of every test; no test output may contain it.
const testKey = "sk-live-7Hq2pX9vLm4Rt8Kw3Nz6Bc1D-WXYZ"

const (
	seedFrom = "6561115777"
	seedTo   = "6512345678"
	testSub  = "acme_voice"
)

var createdBody = mustRead("../../testdata/call/seed-created.json")

func mustRead(path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	return b
}

// TestMain keeps the developer's environment out: no IVRCTL_* variable and
// no config file but the ones a test writes.
func TestMain(m *testing.M) {
	if os.Getenv(fakeServerEnv) == "1" {
		serveFake() // the benchmark's fake 8x8, in its own process
		return
	}
	os.Exit(cmdtest.Main(m))
}

// recorded is one request the fake 8x8 received.
type recorded = voiceapitest.Request

// fake8x8 stands in for voice.8x8.com (voiceapitest's stand-in). handle
// answers the n-th Send Callflow request (from 0); nil answers CREATED.
//
// The GETs call makes before sending (speech profiles, numbers: see
// account.go) are answered apart, from profiles and numbers, and listed
// by aux, so reqs and hits count Send Callflow requests only.
type fake8x8 struct {
	*voiceapitest.Fake
	hits   atomic.Int32
	mu     sync.Mutex
	handle func(w http.ResponseWriter, r *http.Request, body []byte, n int)

	profiles, numbers string // answers of the account GETs
}

// Default answers of the account GETs: the default menu's voice and the
// tests' --from are the sub-account's.
const (
	defaultProfiles = `{"speechProfiles":[{"speechProfileCode":"en-US-BenjaminRUS","localeCode":"en-US","localeDescription":"EnglishUS","gender":"M"}],"statusCode":0,"statusMessage":"ok"}`
	defaultNumbers  = `{"totalNumbers":1,"numbers":[{"msisdn":"+6561115777","countryCode":"SG","operationalStatus":"Active"}],"statusCode":0,"statusMessage":"ok"}`
)

// reqs are the Send Callflow requests received, in order.
func (f *fake8x8) reqs() []recorded { return f.received(false) }

// aux are the account GETs received, in order.
func (f *fake8x8) aux() []recorded { return f.received(true) }

func (f *fake8x8) received(gets bool) []recorded {
	var out []recorded
	for _, r := range f.Requests() {
		if (r.Method == http.MethodGet) == gets {
			out = append(out, r)
		}
	}
	return out
}

// auxCount counts the account GETs whose path ends with suffix.
func (f *fake8x8) auxCount(suffix string) int {
	n := 0
	for _, r := range f.aux() {
		if strings.HasSuffix(r.Path, suffix) {
			n++
		}
	}
	return n
}

func newFake(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, body []byte, n int)) *fake8x8 {
	t.Helper()
	f := &fake8x8{handle: handle, profiles: defaultProfiles, numbers: defaultNumbers}
	f.Fake = voiceapitest.New(t, nil)
	f.Handle(voiceapitest.Any, func(w http.ResponseWriter, r *http.Request, req voiceapitest.Request, _ int) {
		if r.Method == http.MethodGet {
			f.mu.Lock()
			answer := f.numbers
			if strings.HasSuffix(r.URL.Path, "/speech-profiles") {
				answer = f.profiles
			}
			f.mu.Unlock()
			voiceapitest.Write(w, voiceapitest.OK(answer))
			return
		}
		n := int(f.hits.Add(1)) - 1
		if f.handle == nil {
			w.Write(createdBody)
			return
		}
		f.handle(w, r, req.Body, n)
	})
	return f
}

// warmCache fills a fresh cache directory with fake's speech profiles and
// numbers (through `ivrctl profiles` and `ivrctl numbers`), so a call run
// with it makes no account request.
func warmCache(t *testing.T, fake *fake8x8, config string) string {
	t.Helper()
	dir := t.TempDir()
	for _, cmd := range []string{"profiles", "numbers"} {
		if r := run(t, runOpts{cacheDir: dir}, cmd, "--config", config, "--base-url", fake.URL); r.code != 0 {
			t.Fatalf("ivrctl %s: exit %d: %s", cmd, r.code, r.stderr)
		}
	}
	return dir
}

// untouchable is a server that fails the test when anything reaches it.
func untouchable(t *testing.T) *httptest.Server {
	return voiceapitest.New(t, nil).Server
}

// answer writes a status and a JSON body.
func answer(status int, body string) func(http.ResponseWriter, *http.Request, []byte, int) {
	return func(w http.ResponseWriter, r *http.Request, _ []byte, _ int) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// writeConfig writes a config file holding the key, sub-account and from.
func writeConfig(t *testing.T, extra string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	content := fmt.Sprintf("api-key: %s\nsubaccount: %s\nfrom: %q\n%s", testKey, testSub, seedFrom, extra)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

type runOpts struct {
	ctx        context.Context
	cacheDir   string // "": the process's (XDG_CACHE_HOME, set by Isolate)
	stdin      string
	tty        bool
	httpClient *http.Client
}

type runResult struct {
	code         int
	stdout       string
	stderr       string // what the command wrote, then the error as ivrctl prints it
	err          error
	errMsg, hint string
}

// run executes `ivrctl args...` through the real command tree. The error is
// rendered as cmd.Execute does (message, then hint), so assertions about
// stderr cover it; the API key must appear nowhere.
func run(t *testing.T, o runOpts, args ...string) runResult {
	t.Helper()
	io, in, out, errOut := cmdutil.Test()
	in.WriteString(o.stdin)
	if o.tty {
		io.SetTTY(true)
	}
	f := cmdutil.NewFactory(io, "test")
	if o.httpClient != nil {
		f.HTTPClient = func() *http.Client { return o.httpClient }
	}
	if o.cacheDir != "" {
		f.CacheDir = func() (string, error) { return o.cacheDir, nil }
	}
	root := cmd.NewRootCmd(f, cmd.BuildInfo{Version: "test"})
	root.SetArgs(args)
	ctx := o.ctx
	if ctx == nil {
		// A deadline, so that a command that never ends stops (as on
		// Ctrl-C) and fails its test instead of hanging the run.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
	}
	_, err := root.ExecuteContextC(ctx)
	r := runResult{code: cmdutil.ExitCode(err), stdout: out.String(), err: err}
	if err != nil {
		var silent *cmdutil.SilentError
		if !errors.As(err, &silent) {
			r.errMsg = err.Error()
			var ee *cmdutil.ExitError
			if errors.As(err, &ee) {
				r.hint = ee.Hint
			}
			fmt.Fprintf(errOut, "ivrctl: %s\n%s\n", r.errMsg, r.hint)
		}
	}
	r.stderr = errOut.String()
	assertNoKey(t, r.stdout, r.stderr)
	return r
}

func assertNoKey(t *testing.T, outputs ...string) {
	t.Helper()
	for _, s := range outputs {
		if strings.Contains(s, testKey) {
			t.Fatalf("the API key leaked into the output:\n%s", s)
		}
		// nor any long piece of it
		if strings.Contains(s, testKey[:12]) || strings.Contains(s, testKey[8:24]) {
			t.Fatalf("part of the API key leaked into the output:\n%s", s)
		}
	}
}

// jsonLines decodes one JSON object per line.
func jsonLines[T any](t *testing.T, s string) []T {
	t.Helper()
	var out []T
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	for dec.More() {
		var v T
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("decode %q: %v", s, err)
		}
		out = append(out, v)
	}
	return out
}
