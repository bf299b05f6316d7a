package menucmd

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/coverage"
	"github.com/ivrctl/ivrctl/pkg/menu"
)

func newCmdCover(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cover <command>",
		Short: "Work with coverage profiles",
	}
	cmd.AddCommand(newCmdMerge(f, nil))
	return cmd
}

// MergeOptions are the flags and inputs of `ivrctl menu cover merge`.
type MergeOptions struct {
	IO       *cmdutil.IOStreams
	Profiles []string
	Out      string
	Menu     string
	menuFlags
}

func newCmdMerge(f *cmdutil.Factory, runF func(*MergeOptions) error) *cobra.Command {
	opts := &MergeOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "merge [flags] PROFILE...",
		Short: "Add up coverage profiles of one menu",
		Long: `Add up coverage profiles of the same menu (from 'ivrctl test --coverprofile'
and 'ivrctl simulate --coverprofile'): hits are summed path by path, as 'go
tool covdata merge' does for Go. Profiles must list the same paths; one that
lists a path the first does not is refused, naming it. --menu FILE checks them
against the menu as it is now (paths added since count as never played).

Writes the merged profile to -o FILE (default stdout) and its summary line,
'coverage: C of T menu paths (P%)', to stderr.`,
		Example: `  $ ivrctl test --coverprofile unit.json testdata/scenarios/advanced-ivr/main-menu.yaml
  $ ivrctl simulate --menu testdata/menus/advanced-ivr.yaml --walk 1,2,1 --coverprofile walk.json
  $ ivrctl menu cover merge -o all.json unit.json walk.json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Profiles = args
			if runF != nil {
				return runF(opts)
			}
			return runMerge(opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Out, "out", "o", "", "write the merged profile to `FILE` (default: stdout)")
	cmd.Flags().StringVar(&opts.Menu, cmdutil.KeyMenu, "", "check the profiles against menu `FILE`")
	opts.add(cmd)
	_ = cmd.MarkFlagFilename("out", "json")
	cmdutil.CompleteFileArgs(cmd, "json")
	return cmd
}

func runMerge(opts *MergeOptions) error {
	profiles := make([]*coverage.Profile, len(opts.Profiles))
	for i, path := range opts.Profiles {
		p, err := openProfile(path)
		if err != nil {
			return err
		}
		profiles[i] = p
	}
	if opts.Menu != "" {
		eng, err := loadEngine(opts.Menu, opts.numbers())
		if err != nil {
			return err
		}
		g := menu.NewGraph(eng)
		for i, p := range profiles {
			over, err := p.For(opts.Profiles[i], g)
			if err != nil {
				return &cmdutil.ExitError{Code: cmdutil.ExitUsage, Err: err}
			}
			profiles[i] = over
		}
	}
	merged, err := coverage.Merge(opts.Profiles, profiles)
	if err != nil {
		return &cmdutil.ExitError{Code: cmdutil.ExitUsage, Err: err}
	}
	data := merged.Marshal()
	if opts.Out == "" {
		if _, err := opts.IO.Out.Write(data); err != nil {
			return err
		}
	} else if err := os.WriteFile(opts.Out, data, 0o644); err != nil {
		return &cmdutil.ExitError{Code: cmdutil.ExitUsage, Err: fmt.Errorf("-o: %w", err)}
	}
	fmt.Fprintln(opts.IO.ErrOut, merged.Summary())
	return nil
}
