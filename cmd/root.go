// Package cmd is ivrctl's command line: the root command, configuration
// binding, and the one place errors become exit codes.
package cmd

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ivrctl/ivrctl/cmd/call"
	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/cmd/configcmd"
	"github.com/ivrctl/ivrctl/cmd/serve"
	"github.com/ivrctl/ivrctl/cmd/simulate"
	"github.com/ivrctl/ivrctl/cmd/validate"
)

// BuildInfo is stamped into the binary at link time.
type BuildInfo struct {
	Version, Commit, Date string
}

func (b BuildInfo) String() string {
	return fmt.Sprintf("%s (commit %s, built %s)", b.Version, b.Commit, b.Date)
}

// Execute runs ivrctl with args and returns the exit code.
func Execute(info BuildInfo, args []string, io *cmdutil.IOStreams) int {
	f := cmdutil.NewFactory(io, info.Version)
	root := NewRootCmd(f, info)
	root.SetArgs(args)
	cmd, err := root.ExecuteC()
	if err == nil {
		return cmdutil.ExitOK
	}
	return reportError(f, cmd, err)
}

// NewRootCmd builds the command tree. No global state: every run (and
// every test) gets a fresh tree.
func NewRootCmd(f *cmdutil.Factory, info BuildInfo) *cobra.Command {
	var configFile string
	var noColor bool
	root := &cobra.Command{
		Use:   "ivrctl",
		Short: "Place, serve and test IVR calls on the 8x8 Voice Callflows API",
		Long: `ivrctl places IVR calls on the 8x8 Voice Callflows API, answers 8x8's
webhooks with a menu, and replays recorded webhooks offline so a phone menu
can be tested in CI without dialling a phone.

` + cmdutil.ExitCodeHelp,
		Example: `  $ ivrctl simulate testdata/dtmf3.json
  $ ivrctl serve --port 8080
  $ ivrctl call --to 6512345678 --dry-run`,
		Version:       info.String(),
		SilenceErrors: true, // reportError prints, once, in one format
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if noColor {
				f.IO.DisableColor()
			}
			cfg, err := cmdutil.Bind(cmd.Flags(), configFile)
			f.Config = cfg
			return err
		},
	}
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	root.SetVersionTemplate("ivrctl {{.Version}}\n")
	root.PersistentFlags().StringVar(&configFile, "config", "", "config file (default "+cmdutil.DefaultConfigFile()+")")
	root.PersistentFlags().BoolVar(&noColor, "no-color", false, "disable colour (also NO_COLOR)")
	_ = root.MarkPersistentFlagFilename("config", "yaml", "yml")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return &cmdutil.ExitError{Code: cmdutil.ExitUsage, Err: err, Hint: usageHint(cmd)}
	})

	root.AddCommand(
		call.NewCmdCall(f, nil),
		serve.NewCmdServe(f, nil),
		simulate.NewCmdSimulate(f, nil),
		validate.NewCmdValidate(f, nil),
		configcmd.NewCmdConfig(f),
		newCmdMan(root),
	)
	return root
}

// reportError prints err as one line, `ivrctl: what failed: why`, plus a
// hint, and returns its exit code.
func reportError(f *cmdutil.Factory, cmd *cobra.Command, err error) int {
	code := cmdutil.ExitCode(err)
	var silent *cmdutil.SilentError
	if errors.As(err, &silent) {
		return code
	}
	p := f.IO.ErrPalette()
	msg := err.Error()
	if isUsageError(msg) {
		code = cmdutil.ExitUsage
	}
	for i, line := range strings.Split(msg, "\n") {
		if i == 0 {
			fmt.Fprintf(f.IO.ErrOut, "%s %s\n", p.Red("ivrctl:"), line)
		} else {
			fmt.Fprintf(f.IO.ErrOut, "  %s\n", line)
		}
	}
	var ee *cmdutil.ExitError
	hint := ""
	if errors.As(err, &ee) {
		hint = ee.Hint
	}
	if hint == "" && code == cmdutil.ExitUsage && cmd != nil && isUsageError(msg) {
		hint = usageHint(cmd)
	}
	if hint != "" {
		fmt.Fprintf(f.IO.ErrOut, "%s\n", p.Gray(hint))
	}
	return code
}

// isUsageError recognises cobra's argument errors, which it returns as
// plain errors.
func isUsageError(msg string) bool {
	for _, s := range []string{"unknown command", "unknown flag", "unknown shorthand", "accepts ", "requires at least", "requires at most", "invalid argument"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

func usageHint(cmd *cobra.Command) string {
	return fmt.Sprintf("usage: %s\nrun '%s --help' for more", cmd.UseLine(), cmd.CommandPath())
}
