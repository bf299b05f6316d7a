package campaign

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/campaign"
)

// ReportOptions are the flags of `ivrctl campaign report`.
type ReportOptions struct {
	IO      *cmdutil.IOStreams
	Journal string
	Output  string
}

// NewCmdReport builds `ivrctl campaign report`.
func NewCmdReport(f *cmdutil.Factory, runF func(*ReportOptions) error) *cobra.Command {
	opts := &ReportOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "report --journal FILE [-o text|json|csv]",
		Short: "Report a campaign from its journal: per number its attempts, status and menu path",
		Long: `Report a campaign from its journal alone (it may still be running): per
number its attempts, final status and menu path, then the totals by status
and by menu outcome (the last menu answered and what its option does:
"main:1 hangup 412"). Unknown outcomes say what to look for in 8x8's session
summaries: the sessionId, or the clientRequestId the request carried.

-o json writes one JSON object per number (number, status, attempts, path,
outcome, sessionId, clientRequestId, fields, lookFor), then one "totals"
object; -o csv one row per number, the list's other columns last.`,
		Example: `  $ ivrctl campaign report --journal callback.journal
  $ ivrctl campaign report --journal callback.journal -o csv > results.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return RunReport(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Journal, "journal", "", "the campaign's journal `FILE`")
	fl.StringVarP(&opts.Output, "output", "o", "text", "output format: text, json or csv")
	_ = cmd.MarkFlagRequired("journal")
	_ = cmd.MarkFlagFilename("journal", "journal", "jsonl")
	cmdutil.CompleteFlagValues(cmd, []string{"text", "json", "csv"}, "output")
	return cmd
}

// RunReport prints the report.
func RunReport(opts *ReportOptions) error {
	switch opts.Output {
	case "text", "json", "csv":
	default:
		return cmdutil.Usagef("--output %q: want text, json or csv", opts.Output)
	}
	h, recs, skipped, err := campaign.ReadFile(opts.Journal)
	if err != nil {
		var fe *campaign.ForeignError
		if errors.As(err, &fe) {
			return cmdutil.Usagef("%w", err)
		}
		return cmdutil.Usagef("%w", err)
	}
	rep := campaign.MakeReport(campaign.Replay(h, recs, skipped))
	if skipped > 0 {
		fmt.Fprintf(opts.IO.ErrOut, "warning: journal %s: %d line(s) that are no record skipped (a torn last line after a crash)\n", opts.Journal, skipped)
	}
	switch opts.Output {
	case "json":
		return reportJSON(opts.IO.Out, rep)
	case "csv":
		return reportCSV(opts.IO.Out, rep)
	}
	reportText(opts.IO.Out, rep)
	return nil
}

// Totals is the last line of -o json.
type Totals struct {
	Type      string             `json:"type"` // "totals"
	Campaign  string             `json:"campaign"`
	Numbers   int                `json:"numbers"`
	Attempts  int                `json:"attempts"`
	ByStatus  []campaign.Count   `json:"byStatus"`
	ByOutcome []campaign.Count   `json:"byOutcome"`
	Bad       []campaign.BadLine `json:"bad,omitempty"`
}

func reportJSON(w io.Writer, rep *campaign.Report) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, n := range rep.Numbers {
		if err := enc.Encode(n); err != nil {
			return err
		}
	}
	return enc.Encode(Totals{Type: "totals", Campaign: rep.Campaign, Numbers: len(rep.Numbers), Attempts: rep.Attempts,
		ByStatus: rep.ByStatus, ByOutcome: rep.ByOutcome, Bad: rep.Bad})
}

func reportCSV(w io.Writer, rep *campaign.Report) error {
	cw := csv.NewWriter(w)
	head := []string{"number", "line", "status", "attempts", "path", "outcome", "sessionId", "clientRequestId", "lookFor"}
	extra := fieldNames(rep)
	cw.Write(append(head, extra...))
	for _, n := range rep.Numbers {
		row := []string{n.Number, strconv.Itoa(n.Line), string(n.Status), strconv.Itoa(len(n.Attempts)),
			strings.Join(n.Path, " "), n.Outcome, n.SessionID, n.ClientRequestID, n.LookFor}
		for _, k := range extra {
			row = append(row, n.Fields[k])
		}
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

// fieldNames are the list's other columns, in the list's order.
func fieldNames(rep *campaign.Report) []string {
	if len(rep.Columns) > 1 {
		return rep.Columns[1:]
	}
	most := 0
	for _, n := range rep.Numbers {
		most = max(most, len(n.Fields))
	}
	names := make([]string, most)
	for i := range names {
		names[i] = strconv.Itoa(i + 2)
	}
	return names
}

func reportText(w io.Writer, rep *campaign.Report) {
	fmt.Fprintf(w, "campaign %s: %s, menu %s\n\n", rep.Campaign, rep.List, rep.Menu)
	width := len("NUMBER")
	for _, n := range rep.Numbers {
		width = max(width, len(n.Number))
	}
	fmt.Fprintf(w, "%-*s  %-11s  %-8s  %s\n", width, "NUMBER", "STATUS", "ATTEMPTS", "PATH")
	for _, n := range rep.Numbers {
		path := strings.Join(n.Path, " ")
		if n.Outcome != "" {
			path += "  (" + n.Outcome + ")"
		}
		if n.LookFor != "" {
			path = strings.TrimSpace(path + "  look for " + n.LookFor)
		}
		fmt.Fprintf(w, "%-*s  %-11s  %-8d  %s\n", width, n.Number, n.Status, len(n.Attempts), cmdutil.TerminalSafe(path, false))
	}
	for _, b := range rep.Bad {
		fmt.Fprintf(w, "line %d: %q %s: skipped\n", b.Line, cmdutil.TerminalSafe(b.Text, false), b.Error)
	}
	fmt.Fprintf(w, "\n%d numbers, %d calls placed\n", len(rep.Numbers), rep.Attempts)
	var parts []string
	for _, c := range rep.ByStatus {
		parts = append(parts, fmt.Sprintf("%s %d", c.Key, c.Count))
	}
	fmt.Fprintf(w, "by status: %s\n", strings.Join(parts, ", "))
	parts = parts[:0]
	outcomes := slices.Clone(rep.ByOutcome)
	for _, c := range outcomes {
		parts = append(parts, strings.TrimSpace(c.Key+" "+c.Label)+" "+strconv.Itoa(c.Count))
	}
	if len(parts) == 0 {
		parts = append(parts, "none")
	}
	fmt.Fprintf(w, "by menu outcome (completed calls): %s\n", strings.Join(parts, ", "))
}
