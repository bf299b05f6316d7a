// Package inputfile is how ivrctl reads every file a user hands it (menus,
// scenarios, requests, callers lists, payloads, profiles, coverage
// profiles, stdin): with a size limit, and only from a regular file, so
// that a symlink to /dev/zero is refused at once instead of read until
// memory runs out, and a FIFO nobody writes to is refused instead of
// blocking the command forever.
package inputfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// The limits, one per kind of input, in one place.
//
// Choice: a limit is generous for any real input of its kind, and small
// enough that reading it can never exhaust memory: menus and the files
// written by hand next to them (scenarios, requests, profiles, recorded
// payloads) are a few KiB in practice, so 4 MiB is a thousand times that;
// callers lists (campaign, call --to-file) may hold millions of numbers,
// so they get 512 MiB; coverage profiles are generated per menu path and
// stay well under 8 MiB.
const (
	MaxMenu     = 4 << 20   // menu files
	MaxInput    = 4 << 20   // scenarios, requests, payloads, profiles, --expect: every other hand-written file
	MaxList     = 512 << 20 // callers lists: campaign numbers, call --to-file
	MaxCoverage = 8 << 20   // coverage profiles (test --coverprofile)
)

// ErrTooLarge is the cause of a refused file larger than its limit.
var ErrTooLarge = errors.New("larger than limit")

// ErrNotRegular is the cause of a refused file that is not a regular file.
var ErrNotRegular = errors.New("not a regular file")

// LimitError says a file is larger than its limit.
type LimitError struct{ Limit int64 }

func (e *LimitError) Error() string { return "larger than " + Size(e.Limit) + " limit" }

// Is makes errors.Is(err, ErrTooLarge) true.
func (e *LimitError) Is(target error) bool { return target == ErrTooLarge }

// NotRegularError says what a refused file is instead.
type NotRegularError struct{ What string }

func (e *NotRegularError) Error() string { return "not a regular file (" + e.What + ")" }

// Is makes errors.Is(err, ErrNotRegular) true.
func (e *NotRegularError) Is(target error) bool { return target == ErrNotRegular }

// Options are how Read may relax its checks.
type Options struct {
	// Pipe accepts a pipe or FIFO as well (`menu diff <(git show
	// main:menu.yaml) menu.yaml`). It is opened without blocking, so a
	// FIFO with no writer reads as empty rather than hanging; the limit
	// still holds.
	Pipe bool
}

// Read reads the file name, at most limit bytes of it. Errors are
// *fs.PathError, as os.ReadFile's: "open menu.yaml: not a regular file (a
// FIFO)", "read menu.yaml: larger than 4 MiB limit".
func Read(name string, limit int64) ([]byte, error) { return ReadWith(name, limit, Options{}) }

// Reader returns Read with a fixed limit, for a ReadFile func field.
func Reader(limit int64) func(string) ([]byte, error) {
	return func(name string) ([]byte, error) { return Read(name, limit) }
}

// ReadWith is Read with options.
func ReadWith(name string, limit int64, o Options) ([]byte, error) {
	f, err := open(name, o)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := readAll(f, limit)
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	return data, nil
}

// Open opens the file name for reading if it is a regular file, for
// readers that stream it; bound what is read with Limit.
func Open(name string) (*os.File, error) { return open(name, Options{}) }

func open(name string, o Options) (*os.File, error) {
	// Stat first (following symlinks: the target is what is read), so
	// that a FIFO is refused before open, which would block on it.
	st, err := os.Stat(name)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			pe.Op = "open" // as os.ReadFile says it: "open x: no such file or directory"
		}
		return nil, err
	}
	if err := check(name, st.Mode(), o); err != nil {
		return nil, err
	}
	// O_NONBLOCK as well: the file may have been swapped for a FIFO since
	// the Stat, and opening one must not block. Regular files ignore it.
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	if st, err = f.Stat(); err != nil {
		f.Close()
		return nil, err
	}
	if err := check(name, st.Mode(), o); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func check(name string, m fs.FileMode, o Options) error {
	if m.IsRegular() || (o.Pipe && m&fs.ModeNamedPipe != 0) {
		return nil
	}
	what := "a special file"
	switch {
	case m.IsDir():
		what = "a directory"
	case m&fs.ModeNamedPipe != 0:
		what = "a FIFO"
	case m&fs.ModeSocket != 0:
		what = "a socket"
	case m&fs.ModeCharDevice != 0:
		what = "a character device"
	case m&fs.ModeDevice != 0:
		what = "a device"
	}
	return &fs.PathError{Op: "open", Path: name, Err: &NotRegularError{What: what}}
}

// ReadAll reads r (stdin, a file given as "-") up to limit bytes; name
// says what r is in the error ("stdin: larger than 4 MiB limit").
func ReadAll(r io.Reader, name string, limit int64) ([]byte, error) {
	data, err := readAll(r, limit)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return data, nil
}

func readAll(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &LimitError{Limit: limit}
	}
	return data, nil
}

// Size renders a limit for people: "4 MiB", "512 KiB", "100 bytes".
func Size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
