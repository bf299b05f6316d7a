package account

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/webhook"
)

// CheckOutput accepts text or json for -o.
func CheckOutput(o string) error {
	if o != "text" && o != "json" {
		return fmt.Errorf("--output %q: want text or json", o)
	}
	return nil
}

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

// RedactURL hides the credentials a webhook URL may carry (serve's
// ?token= and user:pass@): the password is replaced and every query
// value masked as cmdutil.Mask does, so a token can be recognised by its
// last characters but not read. Other parts are kept; a URL that does not
// parse is returned as given.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		// A URL that does not parse is still shown (it is usually in the
		// error saying so), but not whatever credential it may carry.
		if i := strings.IndexAny(raw, "?#"); i >= 0 {
			raw = raw[:i] + "?..."
		}
		if at := strings.LastIndex(raw, "@"); at >= 0 {
			scheme, _, found := strings.Cut(raw, "://")
			if !found {
				scheme = ""
			} else {
				scheme += "://"
			}
			raw = scheme + "xxxxx" + raw[at:]
		}
		return raw
	}
	if u.RawQuery != "" {
		parts := strings.Split(u.RawQuery, "&")
		for i, p := range parts {
			k, v, ok := strings.Cut(p, "=")
			if !ok || v == "" {
				continue
			}
			if uv, err := url.QueryUnescape(v); err == nil {
				v = uv
			}
			parts[i] = k + "=" + cmdutil.Mask(v)
		}
		u.RawQuery = strings.Join(parts, "&")
	}
	return u.Redacted()
}

// URLHasCredential reports whether a webhook URL carries its own
// credential (a ?token= or a password), which serve can check.
func URLHasCredential(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	if _, ok := u.User.Password(); ok {
		return true
	}
	return u.Query().Get(webhook.TokenParam) != ""
}
