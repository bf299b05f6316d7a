package menucmd

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/menu"
)

// DiffOptions are the flags and inputs of `ivrctl menu diff`.
type DiffOptions struct {
	IO       *cmdutil.IOStreams
	Old, New string
	Output   string
	menuFlags
}

func newCmdDiff(f *cmdutil.Factory, runF func(*DiffOptions) error) *cobra.Command {
	opts := &DiffOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "diff [flags] OLD NEW",
		Short: "List what changed between two versions of a menu, marking what breaks calls",
		Long: `List, per menu, what changed from menu file OLD to NEW: menus added, removed
or renamed (a menu removed and one added with the same prompt), options added
or removed, answers that do something else, prompts, connect numbers, and
capture and say settings.

A change that breaks calls in progress is marked BREAKING, with why:
  - a menu id that disappears (removed or renamed): callers mid-call hold it
    in clientActionId, and their next event falls back to the start menu
  - an option removed: callers who just heard it offered get other instead
  - a connect number changed
  - the start menu changed: events without a clientActionId go elsewhere

Usable as a pull-request gate; either file may be a pipe:
  ivrctl menu diff <(git show main:menu.yaml) menu.yaml

Exit codes:
  0  nothing breaking (other changes are still listed)
  1  a breaking change
  2  bad usage, or a file that cannot be read or is not a valid menu
     (file:line errors, as 'ivrctl validate' reports them)`,
		Example: `  $ ivrctl menu diff old.yaml testdata/menus/advanced-ivr.yaml
  $ ivrctl menu diff -o json old.yaml testdata/menus/advanced-ivr.yaml`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Old, opts.New = args[0], args[1]
			if err := cmdutil.CheckOutput(opts.Output); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runDiff(opts)
		},
	}
	cmdutil.AddOutputFlag(cmd, &opts.Output)
	opts.add(cmd)
	cmdutil.CompleteFileArgs(cmd, cmdutil.MenuExts...)
	return cmd
}

func runDiff(opts *DiffOptions) error {
	oldEng, err := loadEngine(opts.Old, opts.numbers())
	if err != nil {
		return err
	}
	newEng, err := loadEngine(opts.New, opts.numbers())
	if err != nil {
		return err
	}
	changes := menu.Diff(oldEng, newEng)
	if opts.Output == cmdutil.OutputJSON {
		if changes == nil {
			changes = []menu.Change{}
		}
		data, _ := json.MarshalIndent(struct {
			Old      string        `json:"old"`
			New      string        `json:"new"`
			Breaking bool          `json:"breaking"`
			Changes  []menu.Change `json:"changes"`
		}{opts.Old, opts.New, menu.Breaking(changes), changes}, "", "  ")
		fmt.Fprintf(opts.IO.Out, "%s\n", data)
	} else {
		writeDiff(opts.IO.Out, opts.IO.OutPalette(), changes)
	}
	if menu.Breaking(changes) {
		return &cmdutil.SilentError{Code: cmdutil.ExitFailed}
	}
	return nil
}

// writeDiff lists the changes grouped by menu, file settings first.
func writeDiff(w io.Writer, p cmdutil.Palette, changes []menu.Change) {
	if len(changes) == 0 {
		fmt.Fprintln(w, "no changes")
		return
	}
	current := "\x00"
	breaking := 0
	for _, c := range changes {
		if c.Menu != current {
			current = c.Menu
			if c.Menu == "" {
				fmt.Fprintln(w, p.Bold("file settings"))
			} else {
				fmt.Fprintln(w, p.Bold("menu "+c.Menu))
			}
		}
		mark := "  "
		if c.Breaking {
			mark = p.Red("! ")
			breaking++
		}
		fmt.Fprintf(w, "  %s%s\n", mark, describeChange(c))
		if c.Breaking {
			fmt.Fprintf(w, "      %s %s\n", p.Red("BREAKING:"), c.Why)
		}
	}
	summary := fmt.Sprintf("%d changes, %d breaking", len(changes), breaking)
	if breaking > 0 {
		summary = p.Red(summary)
	}
	fmt.Fprintln(w, summary)
}

func describeChange(c menu.Change) string {
	q := func(s string) string {
		if s == "" {
			return "(unset)"
		}
		return fmt.Sprintf("%q", s)
	}
	switch c.Kind {
	case menu.ChangeStart:
		return fmt.Sprintf("start menu: %s -> %s", c.Old, c.New)
	case menu.ChangeFrom:
		return fmt.Sprintf("numbers.from: %s -> %s", q(c.Old), q(c.New))
	case menu.ChangeMenuAdded:
		return "menu added"
	case menu.ChangeMenuRemoved:
		return "menu removed"
	case menu.ChangeMenuRenamed:
		return fmt.Sprintf("renamed from %s", c.Old)
	case menu.ChangePrompt:
		return fmt.Sprintf("prompt: %s -> %s", q(c.Old), q(c.New))
	case menu.ChangeRetryPrompt:
		return fmt.Sprintf("retryPrompt: %s -> %s", q(c.Old), q(c.New))
	case menu.ChangeOptionAdded:
		return fmt.Sprintf("option %s added: %s", c.Input, c.New)
	case menu.ChangeOptionRemoved:
		return fmt.Sprintf("option %s removed (was: %s)", c.Input, c.Old)
	case menu.ChangeAnswer:
		return fmt.Sprintf("%s: %s -> %s", answerName(c.Input), c.Old, c.New)
	case menu.ChangeNumber:
		return fmt.Sprintf("%s: connect number %s -> %s", answerName(c.Input), c.Old, c.New)
	case menu.ChangeCapture:
		return fmt.Sprintf("capture %s: %s -> %s", c.Input, orUnset(c.Old), orUnset(c.New))
	case menu.ChangeSay:
		return fmt.Sprintf("say %s: %s -> %s", c.Input, orUnset(c.Old), orUnset(c.New))
	}
	return strings.TrimSpace(fmt.Sprintf("%s %s %s -> %s", c.Kind, c.Input, c.Old, c.New))
}

func answerName(input string) string {
	switch input {
	case "other", "noInput":
		return input
	}
	return "option " + input
}

func orUnset(s string) string {
	if s == "" {
		return "(unset)"
	}
	return s
}
