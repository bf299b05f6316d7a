// Package cmd is ivrctl's command line: the root command, configuration
// binding, and the one place errors become exit codes.
package cmd

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ivrctl/ivrctl/cmd/call"
	"github.com/ivrctl/ivrctl/cmd/campaign"
	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/cmd/configcmd"
	"github.com/ivrctl/ivrctl/cmd/dial"
	"github.com/ivrctl/ivrctl/cmd/emulate"
	loadcmd "github.com/ivrctl/ivrctl/cmd/load"
	menucmd "github.com/ivrctl/ivrctl/cmd/menu"
	"github.com/ivrctl/ivrctl/cmd/numbers"
	"github.com/ivrctl/ivrctl/cmd/profiles"
	"github.com/ivrctl/ivrctl/cmd/serve"
	sessionscmd "github.com/ivrctl/ivrctl/cmd/sessions"
	"github.com/ivrctl/ivrctl/cmd/simulate"
	testcmd "github.com/ivrctl/ivrctl/cmd/test"
	"github.com/ivrctl/ivrctl/cmd/validate"
	"github.com/ivrctl/ivrctl/cmd/webhooks"
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
	// `ivrctl --version` needs no subcommand: building the tree (flags,
	// completions, help) was 93% of its allocations (BenchmarkVersion).
	root := newRootCmd(f, info, !versionOnly(args))
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
	return newRootCmd(f, info, true)
}

// versionOnly reports whether args ask for the version and nothing else,
// which cobra answers from the root command's flags alone.
func versionOnly(args []string) bool {
	if len(args) != 1 {
		return false
	}
	switch args[0] {
	case "--version", "-v", "--version=true":
		return true
	}
	return false
}

// newRootCmd builds the root command, and its subcommands when sub is set.
func newRootCmd(f *cmdutil.Factory, info BuildInfo, sub bool) *cobra.Command {
	if f.Keys == nil {
		f.Keys = Settings()
	}
	var configFile string
	var noColor bool
	root := &cobra.Command{
		Use:   "ivrctl",
		Short: "Place, serve and test IVR calls on the 8x8 Voice Callflows API",
		Long: `ivrctl places IVR calls on the 8x8 Voice Callflows API, answers 8x8's
webhooks with a menu, and replays recorded webhooks offline so a phone menu
can be tested in CI without dialling a phone. It registers the sub-account's
webhooks and lists its voices and numbers; emulate stands in for 8x8 on your
machine, and test plays whole scenario calls through it.

` + cmdutil.ExitCodeHelp,
		Example: `  $ ivrctl simulate testdata/dtmf3.json
  $ ivrctl serve --port 8080
  $ ivrctl call --to 6512345678 --dry-run`,
		Version:       info.String(),
		SilenceErrors: true, // reportError prints, once, in one format
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			// The config file's own location cannot come from the config
			// file, so IVRCTL_CONFIG is read here: flag > env > default.
			if configFile == "" {
				configFile = os.Getenv(cmdutil.EnvName("config"))
			}
			cfg, err := cmdutil.Bind(cmd.Flags(), configFile, f.Keys)
			f.Config = cfg
			// After Bind: IVRCTL_NO_COLOR and no-color: in the config file
			// set --no-color too, and an error from Bind is printed plain.
			if noColor {
				f.IO.DisableColor()
			}
			return err
		},
	}
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	root.SetVersionTemplate("ivrctl {{.Version}}\n")
	// The help text names the default in words, not as this machine's path:
	// it ends up in the man pages and completions built at release.
	root.PersistentFlags().StringVar(&configFile, "config", "", "config file (also IVRCTL_CONFIG; default $XDG_CONFIG_HOME/ivrctl/config.yaml, usually ~/.config/ivrctl/config.yaml)")
	root.PersistentFlags().BoolVar(&noColor, "no-color", false, "disable colour (also NO_COLOR, IVRCTL_NO_COLOR)")
	_ = root.MarkPersistentFlagFilename("config", "yaml", "yml")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return &cmdutil.ExitError{Code: cmdutil.ExitUsage, Err: err, Hint: usageHint(cmd)}
	})

	if !sub {
		return root
	}
	simulateCmd := simulate.NewCmdSimulate(f, nil)
	validateCmd := validate.NewCmdValidate(f, nil)
	// Positional arguments complete to the files each command reads; a
	// command that sets its own ValidArgsFunction keeps it.
	cmdutil.CompletePayloadArgs(simulateCmd)
	cmdutil.CompleteFileArgs(validateCmd, "json", "yaml", "yml")
	root.AddCommand(
		call.NewCmdCall(f, nil),
		campaign.NewCmdCampaign(f, nil, nil),
		serve.NewCmdServe(f, nil),
		emulate.NewCmdEmulate(f, nil),
		simulateCmd,
		validateCmd,
		webhooks.NewCmdWebhooks(f),
		profiles.NewCmdProfiles(f, nil),
		numbers.NewCmdNumbers(f),
		sessionscmd.NewCmdSessions(f, nil),
		testcmd.NewCmdTest(f, nil),
		loadcmd.NewCmdLoad(f, nil),
		dial.NewCmdDial(f, nil),
		configcmd.NewCmdConfig(f),
		menucmd.NewCmdMenu(f),
		newCmdMan(root, info),
		newCmdGenDocs(root),
	)
	// Add cobra's completion command now rather than inside Execute, so the
	// tree is whole for the walks below and for tests.
	root.InitDefaultCompletionCmd()
	root.DisableAutoGenTag = true // man pages: no "Auto generated by" footer with today's date
	cmdutil.RegisterCompletions(root)
	for _, c := range root.Commands() {
		requireSubcommand(c)
	}
	markRunErrors(root)
	return root
}

// requireSubcommand makes a command group (`completion`, `config`) reject
// an unknown subcommand as a usage error. cobra would print the group's
// help and exit 0, so `ivrctl completion tcsh > file` would "succeed".
// Without arguments the group still prints its help.
func requireSubcommand(c *cobra.Command) {
	if c.HasSubCommands() && !c.Runnable() {
		if c.Args == nil {
			c.Args = cobra.NoArgs
		}
		c.RunE = func(cmd *cobra.Command, args []string) error { return cmd.Help() }
	}
	for _, sub := range c.Commands() {
		requireSubcommand(sub)
	}
}

// runError marks an error returned by a command's own RunE. An error that
// reaches reportError without this mark and without an exit code came from
// cobra itself (unknown command, wrong number of arguments, a required flag
// missing): a usage error. This replaces matching cobra's message strings,
// which also matched a command's own errors ("invalid argument" is EINVAL's
// text) and overrode their exit codes.
type runError struct{ err error }

func (e *runError) Error() string { return e.err.Error() }
func (e *runError) Unwrap() error { return e.err }

// markRunErrors wraps the RunE of every command in the tree.
func markRunErrors(c *cobra.Command) {
	if run := c.RunE; run != nil {
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if err := run(cmd, args); err != nil {
				return &runError{err: err}
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		markRunErrors(sub)
	}
}

// reportError prints err as one line, `ivrctl: what failed: why`, plus a
// hint, and returns its exit code.
func reportError(f *cmdutil.Factory, cmd *cobra.Command, err error) int {
	code := cmdutil.ExitCode(err)
	var silent *cmdutil.SilentError
	if errors.As(err, &silent) {
		return code
	}
	var ee *cmdutil.ExitError
	hasCode := errors.As(err, &ee)
	hint := ""
	if hasCode {
		hint = ee.Hint
	}
	var re *runError
	if !hasCode && !errors.As(err, &re) {
		// cobra's own argument and required-flag errors
		code = cmdutil.ExitUsage
		if cmd != nil {
			hint = usageHint(cmd)
		}
	}
	p := f.IO.ErrPalette()
	for i, line := range strings.Split(err.Error(), "\n") {
		if i == 0 {
			fmt.Fprintf(f.IO.ErrOut, "%s %s\n", p.Red("ivrctl:"), line)
		} else {
			fmt.Fprintf(f.IO.ErrOut, "  %s\n", line)
		}
	}
	if hint != "" {
		fmt.Fprintf(f.IO.ErrOut, "%s\n", p.Gray(hint))
	}
	return code
}

// usageHint is the short usage shown under a usage error.
func usageHint(cmd *cobra.Command) string {
	use := cmd.UseLine()
	if !cmd.Runnable() && cmd.HasAvailableSubCommands() {
		use = cmd.CommandPath() + " <command> [flags]"
	}
	return fmt.Sprintf("usage: %s\nrun '%s --help' for more", use, cmd.CommandPath())
}
