// Package webhooktest runs the webhook server of `ivrctl serve` on loopback
// for tests that need a real backend over HTTP: the emulator's, the
// scenario runner's and `ivrctl test`'s. One copy, so they all test
// against the same thing serve runs.
package webhooktest

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/ivrctl/ivrctl/pkg/menu"
	"github.com/ivrctl/ivrctl/pkg/webhook"
)

// Engine compiles menuFile ("": the embedded default menu) with the
// file's own numbers, as serve does without --from and --agent.
func Engine(t testing.TB, menuFile string) *menu.Engine {
	t.Helper()
	m := menu.Default()
	if menuFile != "" {
		data, err := os.ReadFile(menuFile)
		if err != nil {
			t.Fatal(err)
		}
		if m, err = menu.Parse(menuFile, data); err != nil {
			t.Fatal(err)
		}
	}
	eng, err := menu.Compile(m, menu.Numbers{})
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

// Start runs serve's webhook server for eng on 127.0.0.1:0 until the test
// ends (its sessions file in a temporary directory) and returns its VCA
// URL.
func Start(t testing.TB, eng *menu.Engine) string {
	t.Helper()
	return Run(t, webhook.Config{Engine: eng}).VCA
}

// Server is a webhook server Run started.
type Server struct {
	VCA, VSS string // the webhook URLs
	Sessions string // the sessions file, where summaries are recorded
}

// Run runs serve's webhook server with cfg (authentication, say) on
// 127.0.0.1:0 until the test ends. An empty SessionsPath is a file in a
// temporary directory.
func Run(t testing.TB, cfg webhook.Config) Server {
	t.Helper()
	if cfg.SessionsPath == "" {
		cfg.SessionsPath = filepath.Join(t.TempDir(), "sessions.jsonl")
	}
	srv, err := webhook.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	base := "http://" + ln.Addr().String()
	return Server{VCA: base + webhook.PathVCA, VSS: base + webhook.PathVSS, Sessions: cfg.SessionsPath}
}

// Menu is Start for a menu file ("": the embedded default).
func Menu(t testing.TB, menuFile string) string {
	t.Helper()
	return Start(t, Engine(t, menuFile))
}
