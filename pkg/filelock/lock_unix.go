//go:build unix

package filelock

import (
	"os"
	"syscall"
)

// Lock takes an exclusive, non-blocking flock on f, held until f is
// closed (also by a crash: the kernel drops it with the process).
func Lock(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == syscall.EINTR {
			continue
		}
		if err == syscall.EWOULDBLOCK {
			return ErrLocked
		}
		return err
	}
}
