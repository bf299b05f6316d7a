// Package serve implements `ivrctl serve`.
package serve

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
)

// ServeOptions are the flags and inputs of `ivrctl serve`.
type ServeOptions struct {
	IO *cmdutil.IOStreams
}

// NewCmdServe builds the command; runF replaces the run function in tests.
func NewCmdServe(f *cmdutil.Factory, runF func(*ServeOptions) error) *cobra.Command {
	opts := &ServeOptions{IO: f.IO}
	return &cobra.Command{
		Use:   "serve",
		Short: "TODO",
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return errors.New("not implemented")
		},
	}
}
