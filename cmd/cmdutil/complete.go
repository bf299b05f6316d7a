package cmdutil

import (
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// File extensions the shells offer for each kind of input.
var (
	MenuExts    = []string{"yaml", "yml", "json"}
	PayloadExts = []string{"json"}
	// OutputFormats are the values of every -o/--output flag.
	OutputFormats = []cobra.Completion{
		cobra.CompletionWithDesc("text", "human-readable"),
		cobra.CompletionWithDesc("json", "machine-readable JSON"),
	}
)

// FlagOutput is the name shared by every command's -o/--output flag.
const FlagOutput = "output"

// CompleteMenuFlag makes --menu, when cmd has it, offer menu files
// (*.yaml, *.yml, *.json). Safe to call more than once.
func CompleteMenuFlag(cmd *cobra.Command) {
	completeFlag(cmd, KeyMenu, fileExts(MenuExts))
}

// CompleteOutputFlag makes -o/--output, when cmd has it, offer text and json.
func CompleteOutputFlag(cmd *cobra.Command) {
	completeFlag(cmd, FlagOutput, cobra.FixedCompletions(OutputFormats, cobra.ShellCompDirectiveNoFileComp))
}

// CompletePayloadArgs makes cmd's positional arguments offer webhook payload
// files (*.json), as `simulate PAYLOAD...` takes. A command that set its own
// ValidArgsFunction keeps it.
func CompletePayloadArgs(cmd *cobra.Command) {
	CompleteFileArgs(cmd, PayloadExts...)
}

// CompleteFileArgs makes cmd's positional arguments offer files with the
// given extensions (and directories, to descend into).
func CompleteFileArgs(cmd *cobra.Command, exts ...string) {
	if cmd.ValidArgsFunction != nil {
		return
	}
	cmd.ValidArgsFunction = fileExts(exts)
}

// CompleteFlagValues makes each named flag cmd declares offer exactly
// values, and no files: a flag that takes a word (--answer busy), a number,
// a URL or a phone number would otherwise complete to the directory's files.
// With no values, the shell offers nothing. Safe to call more than once.
func CompleteFlagValues(cmd *cobra.Command, values []string, names ...string) {
	for _, name := range names {
		completeFlag(cmd, name, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
	}
}

// CompleteNoArgs makes a command that takes no positional arguments offer
// none (cobra's default is the directory's files). A command that set its
// own ValidArgsFunction keeps it.
func CompleteNoArgs(cmd *cobra.Command) {
	if cmd.ValidArgsFunction != nil {
		return
	}
	cmd.ValidArgsFunction = cobra.NoFileCompletions
}

// noFileKeys are the shared settings whose values are never files.
var noFileKeys = []string{KeySubaccount, KeyBaseURL, KeyFrom, KeyAgent}

// noFileTypes are the pflag value types that never name a file.
var noFileTypes = map[string]bool{
	"int": true, "int64": true, "uint": true, "uint64": true,
	"float64": true, "duration": true,
}

// RegisterCompletions walks the tree under root and gives every --menu and
// -o/--output flag its value completion, so a command only has to name its
// flags with the shared names. The shared settings that are not files
// (--subaccount, --base-url, --from, --agent) and every number or duration
// flag offer no files. Completions a command registered itself win.
func RegisterCompletions(root *cobra.Command) {
	CompleteMenuFlag(root)
	CompleteOutputFlag(root)
	CompleteFlagValues(root, nil, noFileKeys...)
	visit := func(f *pflag.Flag) {
		if noFileTypes[f.Value.Type()] {
			CompleteFlagValues(root, nil, f.Name)
		}
	}
	root.Flags().VisitAll(visit) // completeFlag skips the inherited ones
	root.PersistentFlags().VisitAll(visit)
	for _, c := range root.Commands() {
		RegisterCompletions(c)
	}
}

// declares reports whether cmd declares the flag name itself (local or
// persistent), not inherits it. cobra's LocalFlags answers the same but
// builds a new flag set on every call: it was a third of the allocations
// of building the command tree.
func declares(cmd *cobra.Command, name string) bool {
	if cmd.PersistentFlags().Lookup(name) != nil {
		return true
	}
	f := cmd.Flags().Lookup(name)
	if f == nil {
		return false
	}
	// An inherited flag is the parent's own *pflag.Flag, merged in.
	for p := cmd.Parent(); p != nil; p = p.Parent() {
		if p.PersistentFlags().Lookup(name) == f {
			return false
		}
	}
	return true
}

func fileExts(exts []string) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return exts, cobra.ShellCompDirectiveFilterFileExt
	}
}

// completeFlag registers fn for the flag cmd declares itself (local or
// persistent), leaving inherited flags to the command that declares them
// and keeping any completion already registered.
func completeFlag(cmd *cobra.Command, name string, fn cobra.CompletionFunc) {
	if !declares(cmd, name) {
		return
	}
	if _, ok := cmd.GetFlagCompletionFunc(name); ok {
		return
	}
	_ = cmd.RegisterFlagCompletionFunc(name, fn)
}
