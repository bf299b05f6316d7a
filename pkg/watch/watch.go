// Package watch reruns work when its input files change: `ivrctl test
// --watch` and `simulate --watch` replay their calls each time a menu,
// scenario or payload is saved. It watches directories (fsnotify), so an
// editor that saves by writing a new file and renaming it over the old
// one is seen like one that writes in place, and it waits for the writes
// to settle (Debounce) so one save is one rerun.
package watch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"time"

	"github.com/fsnotify/fsnotify"
)

// DefaultDebounce is how long the files must be quiet before a rerun.
const DefaultDebounce = 200 * time.Millisecond

// maxDirs bounds the directories watched: a watch of a whole home
// directory by mistake would otherwise take every inotify watch.
const maxDirs = 1000

// Watcher watches files and directories for changes.
type Watcher struct {
	// Paths are the files and directories (watched recursively) whose
	// changes count.
	Paths []string
	// Match, when set, says which changed files count (say, by
	// extension); files named in Paths always do.
	Match func(path string) bool
	// Debounce is the quiet time before a change is reported (default
	// DefaultDebounce).
	Debounce time.Duration
}

// Run calls run once at once, then again after every change, until ctx
// is done (it returns nil then). changed names the files that changed
// since the last run (nil for the first). run is never called twice at
// once; changes made while it runs make one more run after it.
func (w *Watcher) Run(ctx context.Context, run func(ctx context.Context, changed []string)) error {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watching files: %w", err)
	}
	defer fw.Close()
	files, dirs, err := w.targets()
	if err != nil {
		return err
	}
	for _, d := range dirs {
		if err := fw.Add(d); err != nil {
			return fmt.Errorf("watching %s: %w", d, err)
		}
	}
	debounce := w.Debounce
	if debounce <= 0 {
		debounce = DefaultDebounce
	}
	run(ctx, nil)
	pending := map[string]bool{}
	var quiet <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return nil
		case err, ok := <-fw.Errors:
			if !ok {
				return nil
			}
			return fmt.Errorf("watching files: %w", err)
		case ev, ok := <-fw.Events:
			if !ok {
				return nil
			}
			if ev.Has(fsnotify.Create) {
				// A new directory under a watched one is watched too.
				if st, err := os.Stat(ev.Name); err == nil && st.IsDir() && w.under(ev.Name) && len(fw.WatchList()) < maxDirs {
					_ = fw.Add(ev.Name)
				}
			}
			if ev.Op == fsnotify.Chmod || !w.counts(ev.Name, files) {
				continue
			}
			pending[ev.Name] = true
			quiet = time.After(debounce)
		case <-quiet:
			quiet = nil
			changed := make([]string, 0, len(pending))
			for f := range pending {
				changed = append(changed, f)
			}
			sort.Strings(changed)
			clear(pending)
			run(ctx, changed)
		}
	}
}

// targets are the files named and the directories to watch: every
// directory under a directory named, and the directory of a file named.
func (w *Watcher) targets() (files map[string]bool, dirs []string, err error) {
	files = map[string]bool{}
	seen := map[string]bool{}
	add := func(d string) error {
		if !seen[d] {
			if len(seen) == maxDirs {
				return fmt.Errorf("watching files: more than %d directories", maxDirs)
			}
			seen[d] = true
			dirs = append(dirs, d)
		}
		return nil
	}
	for _, p := range w.Paths {
		p = filepath.Clean(p)
		st, err := os.Stat(p)
		if err != nil {
			return nil, nil, fmt.Errorf("watching %s: %w", p, errors.Unwrap(err))
		}
		if !st.IsDir() {
			files[p] = true
			if err := add(filepath.Dir(p)); err != nil {
				return nil, nil, err
			}
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				return add(path)
			}
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
	}
	return files, dirs, nil
}

// counts says whether a change to path is one to rerun for.
func (w *Watcher) counts(path string, files map[string]bool) bool {
	path = filepath.Clean(path)
	if files[path] {
		return true
	}
	if !w.under(path) {
		return false // a sibling of a file named, in its directory
	}
	return w.Match == nil || w.Match(path)
}

// under says whether path is in a directory named in Paths.
func (w *Watcher) under(path string) bool {
	return slices.ContainsFunc(w.Paths, func(p string) bool {
		p = filepath.Clean(p)
		st, err := os.Stat(p)
		if err != nil || !st.IsDir() {
			return false
		}
		rel, err := filepath.Rel(p, path)
		return err == nil && rel != ".." && !filepath.IsAbs(rel) && (len(rel) < 3 || rel[:3] != ".."+string(filepath.Separator))
	})
}
