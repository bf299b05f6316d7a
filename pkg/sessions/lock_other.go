//go:build !unix && !windows

package sessions

import (
	"errors"
	"os"
)

var errLocked = errors.New("locked by another process")

// lockFile: no file locking on this platform.
func lockFile(*os.File) error { return nil }
