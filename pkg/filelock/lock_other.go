//go:build !unix && !windows

package filelock

import (
	"os"
)

// Lock: no file locking on this platform.
func Lock(*os.File) error { return nil }
