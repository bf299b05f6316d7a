// Package configcmd implements `ivrctl config`.
package configcmd

import (
	"github.com/spf13/cobra"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
)

// NewCmdConfig builds `ivrctl config`.
func NewCmdConfig(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{Use: "config", Short: "Show the effective configuration"}
}
