// Package campaign implements `ivrctl campaign`: `run` calls a list of
// numbers and follows every outcome, keeping a journal that a later run
// resumes; `report` reads that journal. The engine is pkg/campaign; this
// package only parses flags and renders its events.
package campaign

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
)

// NewCmdCampaign builds `ivrctl campaign` and its subcommands.
func NewCmdCampaign(f *cmdutil.Factory, runF func(context.Context, *RunOptions) error, reportF func(*ReportOptions) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "campaign",
		Short: "Call a list of numbers, follow every outcome, retry, resume after a crash",
		Long: `Call every number of a list with the menu, record what became of each call
(its sessionId, the menu path the caller took and the session summary's
status) in a journal, retry the outcomes you choose, and resume after a
crash without ringing anyone twice. ` + "`campaign report`" + ` reads the journal.

See docs/campaign.md for the guide.`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(NewCmdRun(f, runF), NewCmdReport(f, reportF))
	return cmd
}
