package account

import (
	"encoding/json"
	"io"
	"text/tabwriter"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
)

// Table writes rows under a header, in aligned columns. Cells come from
// 8x8's answers: one holding a control character is written Go-quoted, so
// it can neither break the table nor drive the terminal.
func Table(w io.Writer, header []string, rows [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	line := func(cells []string) {
		for i, c := range cells {
			if i > 0 {
				io.WriteString(tw, "\t")
			}
			io.WriteString(tw, Clean(c))
		}
		io.WriteString(tw, "\n")
	}
	line(header)
	for _, r := range rows {
		line(r)
	}
	return tw.Flush()
}

// Clean quotes a string holding anything that is not printable (see
// cmdutil.TerminalSafe; a tab too, which would break the columns); ""
// becomes "-".
func Clean(s string) string {
	if s == "" {
		return "-"
	}
	return cmdutil.TerminalSafe(s, false)
}

// JSON writes v indented, as the -o json of the listing commands.
func JSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
