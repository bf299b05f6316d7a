package menucmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/coverage"
	"github.com/ivrctl/ivrctl/pkg/menu"
)

// Graph formats.
const (
	FormatMermaid = "mermaid"
	FormatDOT     = "dot"
	FormatSVG     = "svg"
	FormatJSON    = "json"
)

var formats = []string{FormatMermaid, FormatDOT, FormatSVG, FormatJSON}

// GraphOptions are the flags and inputs of `ivrctl menu graph`.
type GraphOptions struct {
	IO     *cmdutil.IOStreams
	File   string
	Format string
	Cover  string
	menuFlags
	// Dot runs Graphviz (tests swap it); nil: the dot on PATH.
	Dot func(ctx context.Context, dotSource []byte) ([]byte, error)
}

func newCmdGraph(f *cmdutil.Factory, runF func(*GraphOptions) error) *cobra.Command {
	opts := &GraphOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "graph [flags] [FILE]",
		Short: "Draw a menu: Mermaid, DOT, SVG or JSON",
		Long: `Draw a menu file (default: the embedded simple IVR) as a graph.

Nodes are the menus (the start menu drawn as a stadium) and the steps that end
a call or lead on: say, play and hangup sequences, and connects with the
number they ring. Edges are every way out of a menu: each option, other (any
other keys), noInput (silence, after the prompt's tries; a menu that does not
write noInput answers it with other, drawn dotted), a retry back to the menu,
and what follows a connect (answered, busy, noAnswer, failed) when the menu
says: a then menu, or steps after the connect.

--format mermaid (default) renders on GitHub in a fenced mermaid block; dot is
Graphviz source; svg runs Graphviz's dot (it must be on PATH); json lists
nodes and edges (from, input, to, kind).

--cover PROFILE (from 'ivrctl test --coverprofile') draws the paths played in
green and those never played in red, dashed, with a legend: what your tests
miss. A profile of another menu is refused, naming its first unknown path.`,
		Example: `  $ ivrctl menu graph testdata/menus/advanced-ivr.yaml
  $ ivrctl menu graph --format dot testdata/menus/advanced-ivr.yaml > menu.dot
  $ ivrctl test --coverprofile unit.json testdata/scenarios/advanced-ivr/main-menu.yaml
  $ ivrctl menu graph --format svg --cover unit.json testdata/menus/advanced-ivr.yaml > menu.svg`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = menuArg(args)
			if !contains(formats, opts.Format) {
				return cmdutil.Usagef("--format %q: use mermaid, dot, svg or json", opts.Format)
			}
			if runF != nil {
				return runF(opts)
			}
			return runGraph(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Format, "format", "f", FormatMermaid, "`FORMAT`: mermaid, dot, svg or json")
	cmd.Flags().StringVar(&opts.Cover, "cover", "", "coverage `PROFILE` to draw (ivrctl test --coverprofile)")
	opts.add(cmd)
	_ = cmd.MarkFlagFilename("cover", "json")
	cmdutil.CompleteFlagValues(cmd, formats, "format")
	cmdutil.CompleteFileArgs(cmd, cmdutil.MenuExts...)
	return cmd
}

func contains(list []string, s string) bool {
	return slices.Contains(list, s)
}

func runGraph(ctx context.Context, opts *GraphOptions) error {
	eng, err := loadEngine(opts.File, opts.numbers())
	if err != nil {
		return err
	}
	g := menu.NewGraph(eng)
	var prof *coverage.Profile
	if opts.Cover != "" {
		if prof, err = readProfile(opts.Cover, g); err != nil {
			return err
		}
	}
	var out []byte
	switch opts.Format {
	case FormatMermaid:
		out = Mermaid(g, prof)
	case FormatDOT:
		out = DOT(g, prof)
	case FormatJSON:
		out = GraphJSON(g, prof)
	case FormatSVG:
		dot := opts.Dot
		if dot == nil {
			dot = runDot
		}
		if out, err = dot(ctx, DOT(g, prof)); err != nil {
			return err
		}
	}
	_, err = opts.IO.Out.Write(out)
	return err
}

// ErrNoDot says Graphviz is not installed.
var ErrNoDot = errors.New("--format svg needs Graphviz's dot on PATH")

// dotTimeout bounds a Graphviz run: a menu renders in well under a second.
const dotTimeout = 30 * time.Second

// maxSVG bounds what dot may write.
const maxSVG = 32 << 20

// runDot renders DOT source as SVG with Graphviz.
func runDot(ctx context.Context, src []byte) ([]byte, error) {
	path, err := exec.LookPath("dot")
	if err != nil {
		return nil, &cmdutil.ExitError{Code: cmdutil.ExitUsage, Err: ErrNoDot,
			Hint: "install Graphviz (apt-get install graphviz, brew install graphviz, or https://graphviz.org/download/), or use --format dot or mermaid"}
	}
	ctx, cancel := context.WithTimeout(ctx, dotTimeout)
	defer cancel()
	c := exec.CommandContext(ctx, path, "-Tsvg")
	c.Stdin = bytes.NewReader(src)
	var stderr bytes.Buffer
	c.Stderr = &limitedBuffer{max: 64 << 10, buf: &stderr}
	var stdout bytes.Buffer
	c.Stdout = &limitedBuffer{max: maxSVG, buf: &stdout}
	if err := c.Run(); err != nil {
		return nil, fmt.Errorf("dot -Tsvg: %w: %s", err, bytes.TrimSpace(stderr.Bytes()))
	}
	return stdout.Bytes(), nil
}

// limitedBuffer keeps at most max bytes and fails past them.
type limitedBuffer struct {
	max int
	buf *bytes.Buffer
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if l.buf.Len()+len(p) > l.max {
		return 0, io.ErrShortWrite
	}
	return l.buf.Write(p)
}
