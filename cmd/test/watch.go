package testcmd

import (
	"context"
	"path/filepath"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/scenario"
)

// watchRun is --watch: the suite is played again each time one of its
// files is saved.
func watchRun(ctx context.Context, opts *TestOptions) error {
	return cmdutil.Watch(ctx, opts.IO, watchPaths(opts), []string{".yaml", ".yml", ".json"},
		func(ctx context.Context) error { return run(ctx, opts) })
}

// watchPaths are the scenario paths and the files they name: --request,
// and each scenario's call.menu and call.request. Choice: the files named
// when the watch starts (a suite that does not load yet is watched by its
// paths alone); a menu first named later is watched from the next start.
func watchPaths(opts *TestOptions) []string {
	paths := append([]string(nil), opts.Paths...)
	if opts.Request != "" {
		paths = append(paths, opts.Request)
	}
	scenarios, err := scenario.LoadWith(opts.Paths, scenario.LoadOptions{ReadFile: opts.ReadFile, Request: opts.Request})
	if err != nil {
		return paths
	}
	seen := map[string]bool{}
	for _, s := range scenarios {
		for _, f := range []string{s.Call.Menu, s.Call.Request} {
			if f == "" {
				continue
			}
			if !filepath.IsAbs(f) {
				f = filepath.Join(filepath.Dir(s.File), f)
			}
			if !seen[f] {
				seen[f] = true
				paths = append(paths, f)
			}
		}
	}
	return paths
}
