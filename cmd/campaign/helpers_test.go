package campaign_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/cmd"
	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/cmd/cmdutil/cmdtest"
	"github.com/ivrctl/ivrctl/pkg/emulator"
)

const (
	testKey  = "test-key-0123456789"
	testSub  = "acme_voice"
	testFrom = "6561115777"
)

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "1" {
		os.Exit(cmd.Execute(cmd.BuildInfo{Version: "test"}, os.Args[1:], cmdutil.System()))
	}
	os.Exit(cmdtest.Main(m))
}

// helperEnv makes the test binary run ivrctl itself: the kill -9 test's
// subprocess is the real command, not a goroutine.
const helperEnv = "IVRCTL_CAMPAIGN_TEST_MAIN"

func writeConfig(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	content := fmt.Sprintf("api-key: %s\nsubaccount: %s\nfrom: %q\nno-profile-check: true\n", testKey, testSub, testFrom)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// people scripts every number's callers: one Script per attempt (the
// last repeats). A number not listed answers and hangs up at the prompt.
type people map[string][]emulator.Script

// emu is the emulator over real HTTP: Send Callflow on its URL, webhooks
// posted to the campaign's listener once it says where it listens.
type emu struct {
	*httptest.Server
	em       *emulator.Emulator
	hookBase atomic.Value // string: the listener's base URL
	mu       sync.Mutex
	created  map[string]int // sessions created per number
	people   people
	crids    map[string]int // sessions created per clientRequestId
	// delay holds every Send Callflow request this long before the
	// emulator sees it: requests are then in flight when a test kills
	// the campaign.
	delay time.Duration
}

func newEmu(t testing.TB, p people) *emu {
	e := &emu{created: map[string]int{}, people: p, crids: map[string]int{}}
	e.hookBase.Store("")
	e.em = emulator.New(emulator.Config{
		Webhook: lazyWebhook{e},
		VSS: func(ctx context.Context, body []byte) error {
			return emulator.HTTPVSS(e.base()+"/webhooks/vss", nil, 5*time.Second)(ctx, body)
		},
		SubAccount: testSub,
		OnEvent: func(ev emulator.Event) {
			if m := createdRe.FindStringSubmatch(ev.Message); ev.Kind == emulator.EventRequest && m != nil {
				e.mu.Lock()
				e.crids[m[1]]++
				e.mu.Unlock()
			}
		},
	})
	h := e.em.Handler(testKey, e.caller)
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if e.delay > 0 {
			time.Sleep(e.delay)
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		e.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		e.em.Shutdown(ctx)
	})
	return e
}

// base waits for the listener's address (the campaign prints it before
// its first call, the test reads it a moment later).
func (e *emu) base() string {
	for range 5000 {
		if b := e.hookBase.Load().(string); b != "" {
			return b
		}
		time.Sleep(time.Millisecond)
	}
	return "http://127.0.0.1:1"
}

func (e *emu) caller(to string) emulator.Caller {
	e.mu.Lock()
	defer e.mu.Unlock()
	i := e.created[to]
	e.created[to]++
	scripts := e.people[to]
	if len(scripts) == 0 {
		return emulator.Script{}.Caller()
	}
	return scripts[min(i, len(scripts)-1)].Caller()
}

func (e *emu) counts() map[string]int {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := map[string]int{}
	maps.Copy(out, e.created)
	return out
}

type lazyWebhook struct{ e *emu }

func (w lazyWebhook) CallAction(ctx context.Context, event []byte) (int, []byte, error) {
	h := &emulator.HTTPWebhook{URL: w.e.base() + "/webhooks/vca"}
	return h.CallAction(ctx, event)
}

var createdRe = regexp.MustCompile(`^CREATED: call to \S+, clientRequestId "([^"]*)"`)

// createdCRIDs returns the sessions created per clientRequestId.
func (e *emu) createdCRIDs() map[string]int {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := map[string]int{}
	maps.Copy(out, e.crids)
	return out
}

var listeningRe = regexp.MustCompile(`listening on (http://\S+)`)

// result is how a command ended.
type result struct {
	code   int
	err    error
	stdout string
	stderr string
}

// runCampaign runs `ivrctl campaign ARGS...` in process; the emulator's
// webhooks go to its listener as soon as it prints its address.
func runCampaign(t testing.TB, ctx context.Context, e *emu, args ...string) result {
	t.Helper()
	return runCampaignTTY(t, ctx, e, false, args...)
}

// runCampaignTTY is runCampaign with streams that say whether they are
// a terminal.
func runCampaignTTY(t testing.TB, ctx context.Context, e *emu, tty bool, args ...string) result {
	t.Helper()
	ios, _, _, _ := cmdutil.Test()
	ios.SetTTY(tty)
	stdout, stderr := &cmdtest.SyncBuffer{}, &cmdtest.SyncBuffer{}
	ios.Out, ios.ErrOut = stdout, stderr
	root := cmd.NewRootCmd(cmdutil.NewFactory(ios, "test"), cmd.BuildInfo{Version: "test"})
	full := append([]string{"campaign"}, args...)
	if e != nil {
		full = append(full, "--base-url", e.URL)
		if !slices.Contains(args, "--config") {
			full = append(full, "--config", writeConfig(t))
		}
	}
	root.SetArgs(full)
	done := make(chan error, 1)
	go func() {
		_, err := root.ExecuteContextC(ctx)
		done <- err
	}()
	if e != nil {
		go func() {
			for range 2000 {
				if m := listeningRe.FindStringSubmatch(stderr.String()); m != nil {
					e.hookBase.Store(m[1])
					return
				}
				time.Sleep(2 * time.Millisecond)
			}
		}()
	}
	var err error
	select {
	case err = <-done:
	case <-time.After(5 * time.Minute):
		t.Fatalf("campaign did not end; stderr:\n%s", stderr.String())
	}
	r := result{code: cmdutil.ExitCode(err), err: err, stdout: stdout.String(), stderr: stderr.String()}
	var silent *cmdutil.SilentError
	if err != nil && !errors.As(err, &silent) {
		r.stderr += err.Error()
	}
	return r
}

// runCall runs `ivrctl call ARGS...` against the emulator.
func runCall(t testing.TB, e *emu, args ...string) result {
	t.Helper()
	ios, _, _, _ := cmdutil.Test()
	stdout, stderr := &cmdtest.SyncBuffer{}, &cmdtest.SyncBuffer{}
	ios.Out, ios.ErrOut = stdout, stderr
	root := cmd.NewRootCmd(cmdutil.NewFactory(ios, "test"), cmd.BuildInfo{Version: "test"})
	root.SetArgs(append([]string{"call", "--base-url", e.URL, "--config", writeConfig(t)}, args...))
	_, err := root.ExecuteContextC(context.Background())
	return result{code: cmdutil.ExitCode(err), err: err, stdout: stdout.String(), stderr: stderr.String()}
}
