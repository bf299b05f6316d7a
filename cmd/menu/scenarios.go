package menucmd

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/scenario"
)

// ScenariosOptions are the flags and inputs of `ivrctl menu scenarios`.
type ScenariosOptions struct {
	IO   *cmdutil.IOStreams
	File string
	Save string
	menuFlags
}

func newCmdScenarios(f *cmdutil.Factory, runF func(*ScenariosOptions) error) *cobra.Command {
	opts := &ScenariosOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "scenarios [flags] [FILE]",
		Short: "Write test scenarios that play every path of a menu",
		Long: `Write YAML test scenarios that together play every path of a menu file
(default: the embedded simple IVR): one scenario per path, named after it, each
the shortest call from the start menu that ends with that path. Each call is
played once in-process to write what must be heard, the number connected, the
session's status and its webhook calls: review them, then commit them.

They name no menu, so 'ivrctl test --menu FILE' plays them against it (or
against your backend with --webhook); --save FILE writes them there instead of
stdout, with a call.menu relative to FILE's directory.

A path no call can play (option digits the capture settings cannot take, a
connect after a connect) is listed in a comment at the top, and on stderr.`,
		Example: `  $ ivrctl menu scenarios testdata/menus/advanced-ivr.yaml > gen.yaml
  $ ivrctl test --menu testdata/menus/advanced-ivr.yaml --cover --cover-min 100 gen.yaml
  $ ivrctl menu scenarios --save generated.yaml testdata/menus/advanced-ivr.yaml`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = menuArg(args)
			if runF != nil {
				return runF(opts)
			}
			return runScenarios(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Save, "save", "", "write the scenarios to `FILE`, naming the menu relative to it")
	opts.add(cmd)
	_ = cmd.MarkFlagFilename("save", "yaml", "yml")
	cmdutil.CompleteFileArgs(cmd, cmdutil.MenuExts...)
	return cmd
}

func runScenarios(opts *ScenariosOptions) error {
	eng, err := loadEngine(opts.File, opts.numbers())
	if err != nil {
		return err
	}
	gens, skipped, err := scenario.Generate(eng)
	if err != nil {
		return err
	}
	source := opts.File
	if source == "" {
		source = "the embedded simple IVR"
	}
	wo := scenario.WriteOptions{Source: source, From: eng.Numbers().From == ""}
	if opts.Save != "" && opts.File != "" {
		rel, err := relativeTo(opts.Save, opts.File)
		if err != nil {
			return cmdutil.Usagef("--save %s: %v", opts.Save, err)
		}
		wo.Menu = rel
	}
	var buf bytes.Buffer
	if err := scenario.WriteYAML(&buf, gens, skipped, wo); err != nil {
		return err
	}
	for _, s := range skipped {
		fmt.Fprintf(opts.IO.ErrOut, "ivrctl: not generated: %s: %s\n", s.Path, s.Reason)
	}
	if opts.Save == "" {
		_, err = opts.IO.Out.Write(buf.Bytes())
		return err
	}
	if err := os.WriteFile(opts.Save, buf.Bytes(), 0o644); err != nil {
		return &cmdutil.ExitError{Code: cmdutil.ExitUsage, Err: fmt.Errorf("--save: %w", err)}
	}
	fmt.Fprintf(opts.IO.ErrOut, "wrote %d scenarios to %s\n", len(gens), opts.Save)
	return nil
}

// relativeTo is menu's path as written in a scenario saved at file.
func relativeTo(file, menuPath string) (string, error) {
	dir, err := filepath.Abs(filepath.Dir(file))
	if err != nil {
		return "", err
	}
	abs, err := filepath.Abs(menuPath)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(dir, abs)
	if err != nil {
		return abs, nil // another volume: the absolute path
	}
	return filepath.ToSlash(rel), nil
}
