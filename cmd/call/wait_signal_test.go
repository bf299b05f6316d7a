//go:build unix

package call_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/cmd"
	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/cmd/cmdutil/cmdtest"
	"github.com/ivrctl/ivrctl/pkg/voiceapi/voiceapitest"
)

// A Ctrl-C while --wait checks the sub-account (a speech-profiles
// endpoint that does not answer) stops the run at once, nothing sent:
// --wait's signal handler is installed by then, so the checks must end
// with it rather than run out their timeouts.
//
// Not parallel: it sends the test process a real SIGINT, which only the
// command's handler may receive (parallel tests run apart from this one).
func TestWaitInterruptDuringAccountCheck(t *testing.T) {
	release := make(chan struct{})
	asked := make(chan struct{}, 1)
	hang := func(w http.ResponseWriter, r *http.Request, _ voiceapitest.Request, _ int) {
		select {
		case asked <- struct{}{}:
		default:
		}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}
	srv := voiceapitest.New(t, nil) // anything but the account GETs fails the test
	for _, elem := range []string{"speech-profiles", "numbers"} {
		srv.Handle("GET /api/v1/subaccounts/"+testSub+"/"+elem, hang)
	}
	defer close(release) // before the cleanup's Close, which waits for the handlers

	ios, _, _, _ := cmdutil.Test()
	stdout, stderr := &cmdtest.SyncBuffer{}, &cmdtest.SyncBuffer{}
	ios.Out, ios.ErrOut = stdout, stderr
	f := cmdutil.NewFactory(ios, "test")
	cache := t.TempDir()
	f.CacheDir = func() (string, error) { return cache, nil }
	root := cmd.NewRootCmd(f, cmd.BuildInfo{Version: "test"})
	root.SetArgs([]string{"call", "--config", writeConfig(t, ""), "--base-url", srv.URL, "--to", seedTo,
		"--wait", "--listen", "127.0.0.1:0", "--sessions", filepath.Join(t.TempDir(), "sessions.jsonl")})
	done := make(chan error, 1)
	go func() {
		_, err := root.ExecuteContextC(context.Background())
		done <- err
	}()
	select {
	case <-asked:
	case err := <-done:
		t.Fatalf("ended before checking the account: %v\n%s", err, stderr)
	case <-time.After(20 * time.Second):
		t.Fatalf("no speech-profiles request\n%s", stderr)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		var ee *cmdutil.ExitError
		if code := cmdutil.ExitCode(err); code != cmdutil.ExitInterrupted || !errors.As(err, &ee) ||
			!strings.Contains(ee.Error(), "stopped before the call to "+seedTo+" was placed") {
			t.Errorf("exit %d, err %v; want 130, stopped before placed\n%s", code, err, stderr)
		}
		if strings.Contains(stderr.String(), "sending anyway") {
			t.Errorf("a stop is not a failed check:\n%s", stderr)
		}
		assertNoKey(t, stdout.String(), stderr.String())
	case <-time.After(5 * time.Second):
		// The lookups' own timeouts are 10 s each, retried: a check that
		// ignores the Ctrl-C is still running.
		t.Fatalf("still running 5s after Ctrl-C: the account check ignores it\n%s", stderr)
	}
}
