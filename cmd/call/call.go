// Package call implements `ivrctl call`.
package call

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
)

// CallOptions are the flags and inputs of `ivrctl call`.
type CallOptions struct {
	IO *cmdutil.IOStreams
}

// NewCmdCall builds the command; runF replaces the run function in tests.
func NewCmdCall(f *cmdutil.Factory, runF func(*CallOptions) error) *cobra.Command {
	opts := &CallOptions{IO: f.IO}
	return &cobra.Command{
		Use:   "call",
		Short: "TODO",
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return errors.New("not implemented")
		},
	}
}
