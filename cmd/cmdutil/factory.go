package cmdutil

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/ivrctl/ivrctl/pkg/inputfile"
	"github.com/ivrctl/ivrctl/pkg/menu"
)

// Factory hands every command what it shares, lazily: streams, the
// resolved configuration, the HTTP client, and the menu loader.
type Factory struct {
	IO      *IOStreams
	Version string

	// Keys are the settings bound and shown by `config view`: the root
	// command's one list (cmd.Settings).
	Keys []Key

	// Config is set by the root command once flags, env and the config
	// file are bound (before any RunE).
	Config *Config

	// HTTPClient returns the client outbound requests use; tests swap it.
	HTTPClient func() *http.Client

	// ReadFile reads input files, bounded (inputfile.MaxInput) and regular
	// files only; tests may swap it.
	ReadFile func(name string) ([]byte, error)

	// CacheDir returns the directory of ivrctl's caches (the account's
	// speech profiles and numbers); tests point it at a temporary one.
	CacheDir func() (string, error)

	// RetrySleep, when set, replaces the wait between an account
	// request's retries (tests: no real backoff); nil is a real timer.
	RetrySleep func(ctx context.Context, d time.Duration) error
}

// NewFactory returns a factory over the given streams.
func NewFactory(io *IOStreams, version string) *Factory {
	return &Factory{
		IO:         io,
		Version:    version,
		HTTPClient: func() *http.Client { return &http.Client{} },
		ReadFile:   inputfile.Reader(inputfile.MaxInput),
		CacheDir:   DefaultCacheDir,
	}
}

// DefaultCacheDir is os.UserCacheDir()/ivrctl: $XDG_CACHE_HOME/ivrctl,
// usually ~/.cache/ivrctl, on Linux.
func DefaultCacheDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "ivrctl"), nil
}

// LoadMenu reads a menu file, or the embedded default when path is "".
func (f *Factory) LoadMenu(path string) (*menu.Menu, error) {
	if path == "" {
		return menu.Default(), nil
	}
	data, err := f.ReadFile(path)
	if err != nil {
		return nil, &ExitError{Code: ExitUsage, Err: fmt.Errorf("menu: %w", err), Hint: SampleHint(path)}
	}
	m, err := menu.Parse(path, data)
	if err != nil {
		return nil, &ExitError{Code: ExitUsage, Err: fmt.Errorf("menu: %w", err)}
	}
	return m, nil
}

// LoadEngine loads a menu and compiles it with the given numbers.
func (f *Factory) LoadEngine(path string, numbers menu.Numbers) (*menu.Engine, error) {
	m, err := f.LoadMenu(path)
	if err != nil {
		return nil, err
	}
	e, err := menu.Compile(m, numbers)
	if err != nil {
		return nil, &ExitError{Code: ExitUsage, Err: fmt.Errorf("menu: %w", err)}
	}
	return e, nil
}
