package simulate

import (
	"context"
	"os"
	"slices"
	"strings"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
)

// watchRun is --watch: the payloads are replayed each time one of them,
// the menu or the --expect file is saved.
func watchRun(ctx context.Context, opts *SimulateOptions) error {
	if slices.Contains(opts.Paths, "-") {
		return cmdutil.Usagef("--watch reads files: standard input (-) cannot change")
	}
	paths := watchPaths(opts)
	if len(paths) == 0 {
		return cmdutil.Usagef("--watch: nothing to watch: --walk plays the embedded menu; give --menu FILE")
	}
	return cmdutil.Watch(ctx, opts.IO, paths, []string{".json"},
		func(context.Context) error { return run(opts) })
}

// watchPaths are the payload paths, the menu, --expect, and the sibling
// X.expected.json of each payload file X.json named.
func watchPaths(opts *SimulateOptions) []string {
	paths := append([]string(nil), opts.Paths...)
	for _, p := range opts.Paths {
		if exp := strings.TrimSuffix(p, ".json") + ".expected.json"; exp != p {
			if _, err := os.Stat(exp); err == nil {
				paths = append(paths, exp)
			}
		}
	}
	for _, f := range []string{opts.Menu, opts.Expect} {
		if f != "" {
			paths = append(paths, f)
		}
	}
	return paths
}
