// Package simulate implements `ivrctl simulate`: recorded VCA payloads go
// through the very engine `serve` uses, offline, and the answers are printed
// or checked, so a phone menu can be regression-tested in CI.
package simulate

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/menu"
)

// SimulateOptions are the flags and inputs of `ivrctl simulate`.
type SimulateOptions struct {
	IO       *cmdutil.IOStreams
	ReadFile func(string) ([]byte, error)
	LoadEng  func(path string, numbers menu.Numbers) (*menu.Engine, error)

	Paths   []string
	Menu    string
	From    string
	Agent   string
	DTMF    string
	dtmfSet bool
	Output  string
	Expect  string
	Walk    string
	walkSet bool
	// CoverProfile, when set, is where the coverage profile of the
	// events replayed is written (ivrctl menu cover merge adds it up).
	CoverProfile string
	Watch        bool
}

// NewCmdSimulate builds the command; runF replaces the run function in tests.
func NewCmdSimulate(f *cmdutil.Factory, runF func(*SimulateOptions) error) *cobra.Command {
	opts := &SimulateOptions{IO: f.IO, ReadFile: f.ReadFile, LoadEng: f.LoadEngine}
	cmd := &cobra.Command{
		Use:   "simulate [flags] PATH...",
		Short: "Replay recorded VCA webhooks through the menu, offline",
		Long: `Replay recorded VCA (Voice Call Action) payloads through the menu engine that
serve uses, offline, and print or check the callflow that would be answered.

PATH is a payload file, a directory (every *.json event in it, sorted), an
archive FILE.jsonl (every recorded pair in it, in order, named FILE.jsonl:LINE),
or - for standard input. A payload X.json with a sibling X.expected.json (the
pairs 'serve --record' writes), and every pair of an archive, is checked against
its recorded answer automatically, and so is every input with --expect. A run over several inputs ends with 'N passed, N failed'.
-o json prints one JSON object per input: {"file", "verdict" (answered,
matches, differs or error), "menu", "digits", "matched", "answer" (the exact
body serve answers), "expected", "diff", "warning", "error"}; with --walk,
each answer's body.

An event whose clientActionId names no menu is answered with the start menu,
as serve answers it: the answer is shown (and checked like any other) with a
warning on stderr, and serve logs the digit pressed.

--walk plays a whole call without payload files: it starts at the start menu
(the one Send Callflow plays), feeds the digits in order, carries
clientActionId as 8x8 does, and prints the transcript until a hangup or a
connect, or until the digits run out. With --expect, the last answer of the
walk is checked.

Exit codes:
  0  every input answered and every check passed
  1  a check failed (the answer differs from the expected one)
  2  bad usage, or an input that cannot be read or decoded`,
		Example: `  $ ivrctl simulate testdata/dtmf3.json
  $ ivrctl simulate -o json testdata/
  $ ivrctl simulate --dtmf 2 --expect golden.json testdata/dtmf1.json
  $ ivrctl simulate --menu testdata/menus/advanced-ivr.yaml --walk 1,1,2
  $ ivrctl simulate --menu testdata/menus/advanced-ivr.yaml --walk 1,2,1 --coverprofile walk.json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			opts.dtmfSet = cmd.Flags().Changed("dtmf")
			opts.walkSet = cmd.Flags().Changed("walk")
			if err := cmdutil.CheckOutput(opts.Output); err != nil {
				return err
			}
			switch {
			case opts.walkSet && len(args) > 0:
				return cmdutil.Usagef("--walk plays a call from the first menu: give no PATH with it")
			case !opts.walkSet && len(args) == 0:
				return &cmdutil.ExitError{Code: cmdutil.ExitUsage, Err: fmt.Errorf("no input: give a payload file, a directory, - for stdin, or --walk DIGITS"),
					Hint: "usage: " + cmd.UseLine()}
			case opts.dtmfSet && opts.walkSet:
				return cmdutil.Usagef("--dtmf and --walk both choose the digits: use one")
			case opts.walkSet && opts.Walk == "":
				return cmdutil.Usagef(`--walk needs at least one turn: digits like 1,1,2 (write "," for two turns with no input)`)
			}
			if runF != nil {
				return runF(opts)
			}
			if opts.Watch {
				return watchRun(cmd.Context(), opts)
			}
			return run(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Menu, cmdutil.KeyMenu, "", "menu file (default: the embedded simple IVR)")
	fl.StringVar(&opts.From, cmdutil.KeyFrom, "", "virtual number connect options call from")
	fl.StringVar(&opts.Agent, cmdutil.KeyAgent, "", "number connect options ring")
	fl.StringVar(&opts.DTMF, "dtmf", "", "override the digits of every payload (\"\" for no input)")
	cmdutil.AddOutputFlag(cmd, &opts.Output)
	fl.StringVar(&opts.Expect, "expect", "", "golden webhook response every answer (with --walk: the last) must equal")
	fl.StringVar(&opts.Walk, "walk", "", "play a call: digits in order, comma-separated (1,1,2)")
	fl.StringVar(&opts.CoverProfile, "coverprofile", "", "write the menu paths the events took to `FILE` (a coverage profile)")
	_ = cmd.MarkFlagFilename("coverprofile", "json")
	fl.BoolVar(&opts.Watch, "watch", false, "run again each time a payload, the menu or --expect changes, until Ctrl-C")
	return cmd
}

// walkDigits splits --walk: "1,1,2" or "112" (one key each); an empty item
// in a comma list is a turn with no input.
func walkDigits(s string) []string {
	if strings.Contains(s, ",") {
		return strings.Split(s, ",")
	}
	return strings.Split(s, "")
}
