//go:build unix

package connlimit

import (
	"net"
	"syscall"
	"testing"
)

// TestCapBelowFDLimit: a cap above what the file descriptor limit allows
// is lowered to Budget, else accept would fail with "too many open files"
// before any idle connection is shed.
func TestCapBelowFDLimit(t *testing.T) {
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &old); err != nil {
		t.Skip(err)
	}
	low := old
	low.Cur = 200
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Skip(err)
	}
	defer syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if got := New(ln, DefaultMax).Max(); got != 150 {
		t.Errorf("cap %d under a limit of 200 descriptors, want 150", got)
	}
	if got := New(ln, 8).Max(); got != 8 {
		t.Errorf("cap 8 changed to %d", got)
	}
}
