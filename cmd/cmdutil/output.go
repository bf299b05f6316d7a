package cmdutil

import "github.com/spf13/cobra"

// The formats of every -o/--output flag.
const (
	OutputText = "text"
	OutputJSON = "json"
)

// AddOutputFlag gives cmd the -o/--output flag every command that prints
// results has: text (the default) or json, filling p. RegisterCompletions
// gives it its value completion; CheckOutput checks it.
func AddOutputFlag(cmd *cobra.Command, p *string) {
	cmd.Flags().StringVarP(p, FlagOutput, "o", OutputText, "output format: text or json")
}

// CheckOutput is the usage error for an -o that is neither text nor json.
func CheckOutput(o string) error {
	if o != OutputText && o != OutputJSON {
		return Usagef("--output %q: want text or json", o)
	}
	return nil
}
