package serve

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/ivrctl/ivrctl/pkg/menu"
	"github.com/ivrctl/ivrctl/pkg/webhook"
)

// watchSettle is how long a menu file must stay unchanged before --watch
// reloads it: an editor's save is often several events (truncate, write,
// rename), and the first of them may see half a file.
const watchSettle = 200 * time.Millisecond

// reloadLoop reloads the menu on SIGHUP (hup) and, with watch, when the menu
// file changes, until ctx ends. A menu that fails to load is refused by
// srv.Reload (logged; the old one keeps answering).
func reloadLoop(ctx context.Context, hup <-chan os.Signal, srv *webhook.Server, path string, watch bool, load func() (*menu.Engine, error), warn func(string)) {
	var changes <-chan fsnotify.Event
	var watchErrs <-chan error
	if watch && path != "" {
		w, err := fsnotify.NewWatcher()
		if err == nil {
			// The directory, not the file: editors and `mv` replace the
			// file, and a watch on the old inode would go quiet.
			err = w.Add(filepath.Dir(path))
		}
		if err != nil {
			warn("--watch: cannot watch " + path + ": " + err.Error() + "; SIGHUP still reloads")
		} else {
			defer w.Close()
			changes, watchErrs = w.Events, w.Errors
		}
	}
	abs, _ := filepath.Abs(path)
	settle := time.NewTimer(time.Hour)
	settle.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			srv.Reload("SIGHUP", load)
		case ev := <-changes:
			if p, _ := filepath.Abs(ev.Name); p == abs && ev.Op&(fsnotify.Write|fsnotify.Create|fsnotify.Rename) != 0 {
				settle.Reset(watchSettle)
			}
		case err := <-watchErrs:
			warn("--watch: " + err.Error())
		case <-settle.C:
			srv.Reload("file changed", load)
		}
	}
}
