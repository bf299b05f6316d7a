package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/ivrctl/ivrctl/pkg/watch"
)

// Watch is --watch of test and simulate: it runs run at once and again
// each time one of paths changes (files, or directories watched whole for
// the extensions exts), until the first SIGINT or SIGTERM. Each run's
// error is printed as ivrctl prints errors, and the watch goes on; the
// last run's error is returned (its exit code is the command's).
func Watch(ctx context.Context, io *IOStreams, paths []string, exts []string, run func(ctx context.Context) error) error {
	ctx, stop := SignalContext(ctx)
	defer stop()
	p := io.ErrPalette()
	var last error
	w := &watch.Watcher{Paths: paths, Match: func(path string) bool {
		for _, e := range exts {
			if strings.HasSuffix(path, e) {
				return true
			}
		}
		return false
	}}
	err := w.Run(ctx, func(ctx context.Context, changed []string) {
		if changed != nil {
			names := make([]string, len(changed))
			for i, c := range changed {
				names[i] = filepath.ToSlash(c)
			}
			fmt.Fprintf(io.ErrOut, "\n%s\n", p.Gray(fmt.Sprintf("── %s changed: running again (%s)", strings.Join(names, ", "), time.Now().Format("15:04:05"))))
		}
		last = run(ctx)
		var silent *SilentError
		if last != nil && !errors.As(last, &silent) {
			fmt.Fprintf(io.ErrOut, "%s %s\n", p.Red("ivrctl:"), strings.ReplaceAll(last.Error(), "\n", "\n  "))
		}
		if ctx.Err() == nil {
			fmt.Fprintf(io.ErrOut, "%s\n", p.Gray("watching for changes; Ctrl-C to stop"))
		}
	})
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	if last == nil {
		return nil
	}
	// Printed already: only the exit code is left to give.
	return &SilentError{Code: ExitCode(last)}
}
