package inputfile

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestReadRegular(t *testing.T) {
	p := filepath.Join(t.TempDir(), "menu.yaml")
	if err := os.WriteFile(p, []byte("12345"), 0o644); err != nil {
		t.Fatal(err)
	}
	if data, err := Read(p, 5); err != nil || string(data) != "12345" {
		t.Fatalf("at the limit: %q, %v", data, err)
	}
	_, err := Read(p, 4)
	if !errors.Is(err, ErrTooLarge) || err.Error() != "read "+p+": larger than 4 bytes limit" {
		t.Fatalf("over the limit: %v", err)
	}
}

// TestDevZero: a symlink to /dev/zero is refused at once, not read until
// memory runs out.
func TestDevZero(t *testing.T) {
	p := filepath.Join(t.TempDir(), "menu.yaml")
	if err := os.Symlink("/dev/zero", p); err != nil {
		t.Skip(err)
	}
	_, err := Read(p, MaxMenu)
	if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), p+": not a regular file (a character device)") {
		t.Fatalf("got %v", err)
	}
}

// TestFIFO: a FIFO nobody writes to is refused, without blocking; with
// Pipe it reads as empty.
func TestFIFO(t *testing.T) {
	p := filepath.Join(t.TempDir(), "scenario.yaml")
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Skip(err)
	}
	done := make(chan error, 1)
	go func() { _, err := Read(p, MaxInput); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), p+": not a regular file (a FIFO)") {
			t.Fatalf("got %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Read blocked on a FIFO")
	}
	go func() { _, err := ReadWith(p, MaxInput, Options{Pipe: true}); done <- err }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Pipe: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ReadWith Pipe blocked on a FIFO with no writer")
	}
}

func TestPipeLimit(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	go func() { w.Write(make([]byte, 2048)); w.Close() }()
	_, err = ReadWith("/dev/fd/"+strconv.Itoa(int(r.Fd())), 1024, Options{Pipe: true})
	if !errors.Is(err, ErrTooLarge) || !strings.HasSuffix(err.Error(), ": larger than 1 KiB limit") {
		t.Fatalf("got %v", err)
	}
}

func TestReadAll(t *testing.T) {
	_, err := ReadAll(strings.NewReader("abcdef"), "stdin", 3)
	if err == nil || err.Error() != "stdin: larger than 3 bytes limit" {
		t.Fatalf("got %v", err)
	}
	if d, err := ReadAll(strings.NewReader("abc"), "stdin", 3); err != nil || string(d) != "abc" {
		t.Fatalf("got %q %v", d, err)
	}
}

func TestDirectory(t *testing.T) {
	_, err := Read(t.TempDir(), MaxInput)
	if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "(a directory)") {
		t.Fatalf("got %v", err)
	}
}
