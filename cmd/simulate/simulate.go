// Package simulate implements `ivrctl simulate`.
package simulate

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
)

// SimulateOptions are the flags and inputs of `ivrctl simulate`.
type SimulateOptions struct {
	IO *cmdutil.IOStreams
}

// NewCmdSimulate builds the command; runF replaces the run function in tests.
func NewCmdSimulate(f *cmdutil.Factory, runF func(*SimulateOptions) error) *cobra.Command {
	opts := &SimulateOptions{IO: f.IO}
	return &cobra.Command{
		Use:   "simulate",
		Short: "TODO",
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return errors.New("not implemented")
		},
	}
}
