package cmdutil

import (
	"bytes"
	"io"
	"os"

	"github.com/fatih/color"
	"github.com/mattn/go-isatty"
)

// IOStreams are a command's standard streams and what is known about them.
// Colour is decided per stream: fatih/color's global NoColor looks at
// stdout only, which is wrong for logs written to stderr.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	OutTTY, ErrTTY bool // the stream is a terminal

	noColor    bool // NO_COLOR set or --no-color
	forceColor bool // CLICOLOR_FORCE set (and not 0)
}

// System returns the process's streams with colour decided from the
// environment: NO_COLOR turns it off, CLICOLOR_FORCE on, otherwise a
// terminal gets colour.
func System() *IOStreams {
	io := &IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		OutTTY: isTerminal(os.Stdout), ErrTTY: isTerminal(os.Stderr),
	}
	io.noColor, io.forceColor = colorEnv(os.Getenv)
	return io
}

// Test returns streams backed by buffers that report "not a terminal".
func Test() (*IOStreams, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	in, out, errOut := &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut, noColor: true}, in, out, errOut
}

func colorEnv(getenv func(string) string) (noColor, force bool) {
	noColor = getenv("NO_COLOR") != ""
	if f := getenv("CLICOLOR_FORCE"); f != "" && f != "0" {
		force = true
	}
	return noColor, force
}

func isTerminal(f *os.File) bool {
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}

// SetTTY marks the streams as terminals (tests of the terminal rendering).
func (s *IOStreams) SetTTY(tty bool) { s.OutTTY, s.ErrTTY = tty, tty }

// DisableColor turns colour off for both streams (--no-color).
func (s *IOStreams) DisableColor() { s.noColor = true }

// ForceColor turns colour on for both streams whatever they are.
func (s *IOStreams) ForceColor() { s.forceColor, s.noColor = true, false }

func (s *IOStreams) colorFor(tty bool) bool {
	switch {
	case s.noColor:
		return false
	case s.forceColor:
		return true
	}
	return tty
}

// ColorOut reports whether stdout gets colour.
func (s *IOStreams) ColorOut() bool { return s.colorFor(s.OutTTY) }

// ColorErr reports whether stderr gets colour.
func (s *IOStreams) ColorErr() bool { return s.colorFor(s.ErrTTY) }

// Palette colours text for one stream.
type Palette struct{ enabled bool }

// OutPalette is the palette for stdout.
func (s *IOStreams) OutPalette() Palette { return Palette{enabled: s.ColorOut()} }

// ErrPalette is the palette for stderr.
func (s *IOStreams) ErrPalette() Palette { return Palette{enabled: s.ColorErr()} }

// Enabled reports whether the palette writes escape codes.
func (p Palette) Enabled() bool { return p.enabled }

func (p Palette) paint(s string, attrs ...color.Attribute) string {
	if !p.enabled {
		return s
	}
	c := color.New(attrs...)
	c.EnableColor() // per-Color override of the global stdout-based decision
	return c.Sprint(s)
}

func (p Palette) Bold(s string) string   { return p.paint(s, color.Bold) }
func (p Palette) Red(s string) string    { return p.paint(s, color.FgRed) }
func (p Palette) Green(s string) string  { return p.paint(s, color.FgGreen) }
func (p Palette) Yellow(s string) string { return p.paint(s, color.FgYellow) }
func (p Palette) Cyan(s string) string   { return p.paint(s, color.FgCyan) }
func (p Palette) Gray(s string) string   { return p.paint(s, color.FgHiBlack) }
