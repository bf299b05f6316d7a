//go:build unix

package dial

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// testMainEnv, set to 1, makes the test binary run as ivrctl: its
// TestMain calls cmd.Execute as main does, in a process of its own with
// the terminal as its streams.
const testMainEnv = "IVRCTL_DIAL_TEST_MAIN"

var ansi = regexp.MustCompile(`\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-Za-z]|[=>78DEHMc])`)

// terminal is the real binary on a pseudo-terminal of 100x30.
type terminal struct {
	t    *testing.T
	cmd  *exec.Cmd
	tty  *os.File
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
}

func startTerminal(t *testing.T, dir string, args ...string) *terminal {
	t.Helper()
	cmd := ivrctlCmd(dir, args...)
	cmd.Env = append(cmd.Env, "TERM=xterm-256color")
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 30, Cols: 100})
	if err != nil {
		t.Fatal(err)
	}
	term := &terminal{t: t, cmd: cmd, tty: tty, done: make(chan struct{})}
	go func() {
		defer close(term.done)
		buf := make([]byte, 4096)
		for {
			n, err := tty.Read(buf)
			term.mu.Lock()
			term.out.Write(buf[:n])
			term.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = tty.Close()
	})
	return term
}

// screen is what was written so far, escape sequences dropped.
func (term *terminal) screen() string {
	term.mu.Lock()
	defer term.mu.Unlock()
	return ansi.ReplaceAllString(term.out.String(), "")
}

// waitFor waits until the output shows text.
func (term *terminal) waitFor(text string) {
	term.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(term.screen(), text) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	term.t.Fatalf("the screen never showed %q; it showed:\n%s", text, term.screen())
}

func (term *terminal) typeKeys(s string) {
	term.t.Helper()
	if _, err := io.WriteString(term.tty, s); err != nil {
		term.t.Fatal(err)
	}
}

// exit waits for the process and returns its exit code.
func (term *terminal) exit() int {
	term.t.Helper()
	errc := make(chan error, 1)
	go func() { errc <- term.cmd.Wait() }()
	select {
	case err := <-errc:
		<-term.done
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			term.t.Fatal(err)
		}
		return 0
	case <-time.After(30 * time.Second):
		term.t.Fatalf("dial did not exit; the screen:\n%s", term.screen())
	}
	return -1
}

// A call played end to end on a terminal: the phone rings, the prompt is
// said, 2 (typed during the prompt) is taken at the capture, the webhook
// answers with the agent's makeCall, the call ends: dial exits 0 leaving
// the last screen, with the round trip and the summary, and --save wrote
// a scenario the real `ivrctl test` passes.
func TestTerminalCallEndToEnd(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	term := startTerminal(t, dir, "dial", "--pace", "10", "--save", "call.yaml")
	term.waitFor("RINGING")
	// One word: the renderer writes only the cells that change, so the
	// words of a sentence said one by one may come with cursor moves
	// between them.
	term.waitFor("Dear")
	term.typeKeys("2")
	if code := term.exit(); code != 0 {
		t.Fatalf("exit %d, want 0; the screen:\n%s", code, term.screen())
	}
	screen := term.screen()
	for _, want := range []string{"CALL ENDED · COMPLETED", "#1 → CALL_ACTION dtmf 2", "← 200 makeCall", "Session summary (VSS)", "callB +6561115777 COMPLETED", "you      pressed 2"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the last screen lacks %q:\n%s", want, screen)
		}
	}
	out, err := ivrctlCmd(dir, "test", "call.yaml").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "1 passed, 0 failed") {
		t.Errorf("ivrctl test of the saved call: %v\n%s", err, out)
	}
}

// An inbound call on a terminal: the screen says INBOUND from the start,
// the first round trip is CALL_RECEIVED, 1 ends the call, and the saved
// inbound scenario passes the real `ivrctl test`.
func TestTerminalInboundCall(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	term := startTerminal(t, dir, "dial", "--inbound", "--pace", "10", "--save", "inbound.yaml")
	term.waitFor("INBOUND CALL")
	term.waitFor("CALL_RECEIVED")
	term.waitFor("Dear")
	term.typeKeys("1")
	if code := term.exit(); code != 0 {
		t.Fatalf("exit %d, want 0; the screen:\n%s", code, term.screen())
	}
	screen := term.screen()
	for _, want := range []string{"inbound · +6590000000 → 6512345678", "INBOUND CALL ENDED · COMPLETED", "#1 → CALL_ACTION CALL_RECEIVED", "#2 → CALL_ACTION dtmf 1", "you      pressed 1"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the last screen lacks %q:\n%s", want, screen)
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, "inbound.yaml"))
	if err != nil || !bytes.Contains(data, []byte("direction: inbound")) {
		t.Fatalf("saved: %v\n%s", err, data)
	}
	out, err := ivrctlCmd(dir, "test", "inbound.yaml").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "1 passed, 0 failed") {
		t.Errorf("ivrctl test of the saved inbound call: %v\n%s", err, out)
	}
}

// h hangs up (exit 0: the call completed, and the scenario has the
// hangup); q leaves before the end: exit 130, nothing saved.
func TestTerminalHangupAndQuit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	term := startTerminal(t, dir, "dial", "--pace", "20", "--save", "hangup.yaml")
	term.waitFor("Dear")
	term.typeKeys("h")
	if code := term.exit(); code != 0 {
		t.Fatalf("hang up: exit %d, want 0; the screen:\n%s", code, term.screen())
	}
	data, err := os.ReadFile(filepath.Join(dir, "hangup.yaml"))
	if err != nil || !bytes.Contains(data, []byte("hangup: true")) {
		t.Errorf("saved after a hangup: %v\n%s", err, data)
	}

	term = startTerminal(t, dir, "dial", "--pace", "20", "--save", "quit.yaml")
	term.waitFor("Dear")
	term.typeKeys("q")
	if code := term.exit(); code != 130 {
		t.Fatalf("quit: exit %d, want 130; the screen:\n%s", code, term.screen())
	}
	if _, err := os.Stat(filepath.Join(dir, "quit.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a call left with q was saved: %v", err)
	}

	// A signal from outside (kill -INT) is a quit too.
	term = startTerminal(t, dir, "dial", "--pace", "20")
	term.waitFor("Dear")
	if err := term.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if code := term.exit(); code != 130 {
		t.Fatalf("SIGINT: exit %d, want 130; the screen:\n%s", code, term.screen())
	}
}

// ivrctlCmd runs ivrctl (the test binary as ivrctl) in dir, with no
// config file or IVRCTL_* variable of the machine's.
func ivrctlCmd(dir string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "IVRCTL_") && !strings.HasPrefix(kv, "NO_COLOR=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, testMainEnv+"=1", "XDG_CONFIG_HOME="+dir, "HOME="+dir)
	return cmd
}
