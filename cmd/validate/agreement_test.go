package validate_test

import (
	"context"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/emulator"
)

// callflowFixtures lists every JSON file in the repository holding a
// top-level "callflow": requests, webhook answers, goldens, 8x8's own
// examples.
func callflowFixtures(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, root := range []string{"testdata", "pkg", "cmd"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			var probe map[string]json.RawMessage
			if json.Unmarshal(data, &probe) == nil && probe["callflow"] != nil {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(files) < 80 {
		t.Fatalf("only %d callflow fixtures found: the walk is broken", len(files))
	}
	return files
}

// validateVerdict is `ivrctl validate --kind KIND FILE`'s verdict: valid
// (exit 0) or not (exit 1), and the first problem's code.
func validateVerdict(t *testing.T, kind, file string) (bool, int) {
	t.Helper()
	stdout, stderr, code := run(t, "--profiles", "any", "--kind", kind, "-o", "json", file)
	if code != cmdutil.ExitOK && code != cmdutil.ExitFailed {
		t.Fatalf("validate %s: exit %d: %s", file, code, stderr)
	}
	var r struct {
		Valid    bool `json:"valid"`
		Problems []struct {
			Code int `json:"code"`
		} `json:"problems"`
	}
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("validate -o json %s: %v: %q", file, err, stdout)
	}
	if r.Valid != (code == cmdutil.ExitOK) {
		t.Fatalf("validate %s: valid %t but exit %d", file, r.Valid, code)
	}
	first := 0
	if len(r.Problems) > 0 {
		first = r.Problems[0].Code
	}
	return r.Valid, first
}

// epoch is before every validUntil of the fixtures: whether a request has
// expired depends on when it arrives, which validate cannot know.
var epoch = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// TestValidateAndEmulatorAgree is the differential test: every callflow
// fixture in the repository gets the same verdict from `ivrctl validate`
// and from the emulator, judged as a Send Callflow request (POSTed to the
// emulator over HTTP: CREATED or NOT_CREATED with the same first code)
// and as the answer to a VCA event (played: refused means ERROR -2003).
func TestValidateAndEmulatorAgree(t *testing.T) {
	files := callflowFixtures(t)
	hangup := []byte(`{"callflow":[{"action":"hangup"}]}`)
	var answer atomic.Value // the body the webhook answers first
	var served atomic.Int64
	webhook := emulator.WebhookFunc(func(ctx context.Context, event []byte) (int, []byte, error) {
		if served.Add(1) == 1 {
			return http.StatusOK, answer.Load().([]byte), nil
		}
		return http.StatusOK, hangup, nil
	})
	cfg := emulator.Config{Webhook: webhook, Start: func() time.Time { return epoch }}
	em := emulator.New(cfg)
	srv := httptest.NewServer(em.Handler("", nil))
	defer srv.Close()
	defer em.Shutdown(context.Background())

	valid := 0
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			// As a Send Callflow request.
			wantOK, wantCode := validateVerdict(t, "request", f)
			post, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/subaccounts/agree-01/callflows", strings.NewReader(string(data)))
			post.Header.Set("Authorization", "Bearer any-key")
			resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(post) // a deadline: a hang fails
			if err != nil {
				t.Fatal(err)
			}
			var got callflow.Response
			json.NewDecoder(resp.Body).Decode(&got)
			resp.Body.Close()
			created := got.StatusCode == callflow.StatusCreated
			if created != wantOK || (!created && got.StatusCode != wantCode) {
				t.Errorf("as a request: validate says valid %t (first code %d), the emulator answered %d %s",
					wantOK, wantCode, got.StatusCode, got.StatusMessage)
			}
			if wantOK {
				valid++
			}

			// As the answer to a VCA event.
			wantOK, _ = validateVerdict(t, "response", f)
			answer.Store(data)
			served.Store(0)
			tr, err := em.Ring(context.Background(), emulator.Inbound{To: "+6561115777", From: "+6512345678"}, emulator.Script{Press: []string{"1", "1", "1"}}.Caller())
			if err != nil {
				t.Fatal(err)
			}
			refused := tr.Status() == callflow.SessionError && strings.Contains(strings.Join(tr.Notes, "\n"), "webhook answer refused (call received)")
			if refused == wantOK {
				t.Errorf("as a webhook answer: validate says valid %t, the emulator ended %s: %v", wantOK, tr.Status(), tr.Notes)
			}
		})
	}
	if valid == 0 {
		t.Error("no fixture was valid: the test proves nothing")
	}
}

// TestDocExamples: every 8x8 documentation example the repository carries
// validates as 8x8's docs intend: the seed's request and answers, the
// spec's and the guides' requests are valid, judged as what the docs show
// them as, and the callflows behind the spec's error examples
// are refused with the code and path 8x8 shows.
func TestDocExamples(t *testing.T) {
	for _, tc := range []struct {
		file, kind string
		code       int    // 0: valid
		path       string // of the first problem
	}{
		{"testdata/golden/seed/request.json", "request", 0, ""},
		{"testdata/golden/seed/dtmf1-hangup.json", "response", 0, ""},
		{"testdata/golden/seed/dtmf2-connect.json", "response", 0, ""},
		{"testdata/golden/seed/dtmf-other-repeat.json", "response", 0, ""},
		{"testdata/call/seed-request.json", "request", 0, ""},
		{"testdata/validate/8x8/spec-default-request.json", "request", 0, ""},
		{"testdata/validate/8x8/voice-messaging-tts.json", "request", 0, ""},
		{"testdata/validate/8x8/spec-1009-missing-text.json", "response", callflow.StatusInvalidEntry, "$.callflow[0].params.text"},
		{"testdata/validate/8x8/spec-1007-action.json", "response", callflow.StatusInvalidAction, "$.callflow[0].action"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			stdout, stderr, code := run(t, "--profiles", "any", "-o", "json", "--kind", tc.kind, tc.file)
			var r struct {
				Kind     string `json:"kind"`
				Valid    bool   `json:"valid"`
				Problems []struct {
					Code int    `json:"code"`
					Path string `json:"path"`
				} `json:"problems"`
				Warnings []any `json:"warnings"`
			}
			if err := json.Unmarshal([]byte(stdout), &r); err != nil {
				t.Fatalf("exit %d: %v: %q %s", code, err, stdout, stderr)
			}
			if r.Kind != tc.kind {
				t.Errorf("judged as a %s, the docs show a %s", r.Kind, tc.kind)
			}
			if tc.code == 0 {
				if !r.Valid || code != 0 || len(r.Warnings) != 0 {
					t.Errorf("exit %d: %s: want valid, no warning", code, stdout)
				}
				return
			}
			if r.Valid || len(r.Problems) == 0 || r.Problems[0].Code != tc.code || r.Problems[0].Path != tc.path {
				t.Errorf("exit %d: %s: want %d at %s first", code, stdout, tc.code, tc.path)
			}
		})
	}
}
