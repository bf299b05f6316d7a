//go:build unix

package replay

import (
	"os"
	"syscall"
)

// createFile creates path, which must not exist, with data. Raw system
// calls, not os.OpenFile: os registers every file with the runtime's poller
// (four fcntl and an epoll_ctl that fails for a regular file), which more
// than doubled the system calls of a recorded pair; file creation is what
// limits `serve --record` (BenchmarkServeRecord).
func createFile(path string, data []byte) error {
	fd, err := syscall.Open(path, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_EXCL|syscall.O_CLOEXEC, 0o600)
	for err == syscall.EINTR {
		fd, err = syscall.Open(path, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_EXCL|syscall.O_CLOEXEC, 0o600)
	}
	if err != nil {
		return &os.PathError{Op: "open", Path: path, Err: err}
	}
	for len(data) > 0 {
		n, err := syscall.Write(fd, data)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			syscall.Close(fd)
			os.Remove(path)
			return &os.PathError{Op: "write", Path: path, Err: err}
		}
		data = data[n:]
	}
	if err := syscall.Close(fd); err != nil {
		os.Remove(path)
		return &os.PathError{Op: "close", Path: path, Err: err}
	}
	return nil
}

// renameFile is rename(2) alone: os.Rename first stats the target, a
// system call more per pair.
func renameFile(from, to string) error {
	if err := syscall.Rename(from, to); err != nil {
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: err}
	}
	return nil
}
