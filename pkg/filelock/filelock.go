// Package filelock holds an exclusive lock on an open file for as long as
// it is open: the one writer of an append-only file (the sessions file, a
// record archive) keeps a second process from interleaving its lines.
package filelock

import "errors"

// ErrLocked says another process holds the lock.
var ErrLocked = errors.New("locked by another process")
