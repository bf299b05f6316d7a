// Package menucmd implements `ivrctl menu`: the menu seen as a graph
// (graph: Mermaid, DOT, SVG through Graphviz, JSON, with a coverage
// overlay), scenarios generated from it, a diff of two versions marking
// the changes that break calls in progress, and coverage profile merging.
// The graph, coverage, generation and diff live in pkg/; this package
// parses flags and renders.
package menucmd

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/coverage"
	"github.com/ivrctl/ivrctl/pkg/inputfile"
	"github.com/ivrctl/ivrctl/pkg/menu"
)

// MaxMenuBytes bounds a menu file read, a pipe included
// (`menu diff <(git show main:menu.yaml) menu.yaml`).
const MaxMenuBytes = inputfile.MaxMenu

// NewCmdMenu builds the `menu` command group.
func NewCmdMenu(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "menu <command>",
		Short: "See a menu as a graph, generate its scenarios, diff two versions",
		Long: `See a menu file as a graph, cover it with tests, and review changes to it.

  graph      draw the menu: Mermaid (default), DOT, SVG (Graphviz) or JSON,
             with --cover PROFILE marking the paths tests never played
  scenarios  write test scenarios that together play every path
  diff       list what changed between two versions, marking what breaks
             calls in progress
  cover      merge coverage profiles (ivrctl test --coverprofile)

A menu file that is not valid gets the same file:line errors as 'ivrctl
validate', and exit code 2.`,
	}
	cmd.AddCommand(newCmdGraph(f, nil), newCmdScenarios(f, nil), newCmdDiff(f, nil), newCmdCover(f))
	return cmd
}

// loadEngine reads, checks and compiles a menu file ("" : the embedded
// simple IVR). Every problem is an ExitUsage error with validate's
// file:line messages.
func loadEngine(path string, numbers menu.Numbers) (*menu.Engine, error) {
	m := menu.Default()
	if path != "" {
		data, err := readBounded(path, MaxMenuBytes)
		if err != nil {
			return nil, &cmdutil.ExitError{Code: cmdutil.ExitUsage, Err: err}
		}
		if m, err = menu.Parse(path, data); err != nil {
			return nil, &cmdutil.ExitError{Code: cmdutil.ExitUsage, Err: err}
		}
	}
	e, err := menu.Compile(m, numbers)
	if err != nil {
		return nil, &cmdutil.ExitError{Code: cmdutil.ExitUsage, Err: err}
	}
	return e, nil
}

// readBounded reads a file, a FIFO or /dev/stdin included, refusing more
// than limit bytes.
func readBounded(path string, limit int64) ([]byte, error) {
	data, err := inputfile.ReadWith(path, limit, inputfile.Options{Pipe: true})
	if err != nil {
		return nil, unpath(path, err)
	}
	return data, nil
}

func unpath(path string, err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", path, pe.Err)
	}
	return fmt.Errorf("%s: %w", path, err)
}

// readProfile reads a coverage profile and lays it over g.
func readProfile(path string, g *menu.Graph) (*coverage.Profile, error) {
	p, err := openProfile(path)
	if err != nil {
		return nil, err
	}
	over, err := p.For(path, g)
	if err != nil {
		return nil, &cmdutil.ExitError{Code: cmdutil.ExitUsage, Err: err}
	}
	return over, nil
}

func openProfile(path string) (*coverage.Profile, error) {
	f, err := inputfile.Open(path)
	if err != nil {
		return nil, &cmdutil.ExitError{Code: cmdutil.ExitUsage, Err: unpath(path, err)}
	}
	defer f.Close()
	p, err := coverage.Read(path, f)
	if err != nil {
		return nil, &cmdutil.ExitError{Code: cmdutil.ExitUsage, Err: err}
	}
	return p, nil
}

// menuFlags are the numbers flags of every subcommand reading a menu: a
// menu that connects "agent" without numbers.agent needs them.
type menuFlags struct{ From, Agent string }

func (m *menuFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&m.From, cmdutil.KeyFrom, "", "virtual number connect options call from (default: the menu's numbers.from)")
	cmd.Flags().StringVar(&m.Agent, cmdutil.KeyAgent, "", "number connect options ring (default: the menu's numbers.agent)")
}

func (m menuFlags) numbers() menu.Numbers { return menu.Numbers{From: m.From, Agent: m.Agent} }

func menuArg(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return args[0]
}
