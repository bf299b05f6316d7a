// Package redact is ivrctl's one policy for keeping secrets out of what it
// prints, logs and writes: the API key, webhook shared secrets, and the
// credentials a URL can carry (serve's ?token=, user:pass@). The client,
// the emulator, serve, the scenario runner and the commands all call it,
// so a secret is hidden the same way wherever it would have appeared.
//
// Choice: its own package rather than a part of pkg/callflow. callflow is
// the 8x8 wire language (what is sent and received); redaction is an
// output policy applied to anything, 8x8's answers included, and it is
// needed by packages (the client's transport, the command layer's error
// printer) that have no other reason to depend on the wire types.
//
// The policy:
//   - A secret is shown by its last four characters only, as 8x8's portal
//     shows keys (Mask); wherever the whole secret appears in a text, it is
//     replaced by that masked form (String, Bytes, Writer).
//   - A URL keeps its scheme, host, port and path (they say where) and
//     loses every credential: user info becomes REDACTED, the fragment is
//     dropped, and the query is elided to "?..." (URL), or, where the user
//     must tell which token is registered (the webhooks listing), each
//     query value is masked like a key (URLMasked).
//   - A database URL (the sessions store's PostgreSQL) keeps its user name
//     and its other parameters, and shows its password, in the user info
//     or a password= parameter, as xxxxx (DatabaseURL).
//   - A URL that does not parse cannot be redacted, so it is never shown:
//     NotParsed stands in for it.
package redact

import (
	"bytes"
	"io"
	"net/url"
	"strings"
)

// keep is how many trailing characters of a secret Mask shows.
const keep = 4

// Mask hides a secret but its last four characters, as 8x8's portal shows
// keys by their tail: "sk-abc123xyz" -> "********3xyz". A secret of 8
// characters or fewer is all stars, one per character: its tail would be
// half of it.
func Mask(secret string) string {
	if len(secret) <= keep*2 {
		return strings.Repeat("*", len(secret))
	}
	return strings.Repeat("*", 8) + secret[len(secret)-keep:]
}

// maskable reports whether a secret is long enough to be replaced in a
// text: replacing a shorter one would only garble the text (and it cannot
// be recognised by its tail anyway).
func maskable(secret string) bool { return len(secret) >= keep }

// String replaces every occurrence of secret in s with Mask(secret): 8x8
// or a proxy may echo a key back in an answer that an error quotes.
func String(s, secret string) string {
	if !maskable(secret) || !strings.Contains(s, secret) {
		return s
	}
	return strings.ReplaceAll(s, secret, Mask(secret))
}

// Bytes is String for a byte slice; b itself is returned when it holds no
// secret.
func Bytes(b []byte, secret string) []byte {
	if !maskable(secret) || !bytes.Contains(b, []byte(secret)) {
		return b
	}
	return bytes.ReplaceAll(b, []byte(secret), []byte(Mask(secret)))
}

// Writer returns a writer that masks secret in every Write before passing
// it to w: everything a command prints goes through one, so an echoed key
// cannot reach the screen. A secret too short to mask returns w itself.
// Each Write is masked on its own: a secret split across two writes is not
// seen (the callers write whole lines).
func Writer(w io.Writer, secret string) io.Writer {
	if !maskable(secret) {
		return w
	}
	return &writer{w: w, secret: []byte(secret), masked: []byte(Mask(secret))}
}

type writer struct {
	w      io.Writer
	secret []byte
	masked []byte
}

func (r *writer) Write(p []byte) (int, error) {
	if !bytes.Contains(p, r.secret) {
		return r.w.Write(p)
	}
	if _, err := r.w.Write(bytes.ReplaceAll(p, r.secret, r.masked)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// NotParsed is shown instead of a URL that does not parse.
const NotParsed = "(a URL that does not parse)"

// userRedacted replaces a URL's user info, name and password alike: a
// user name can be half of the credential.
const userRedacted = "REDACTED"

// TokenParam is the query parameter a webhook URL's token travels in
// (https://host/webhooks/vca?token=...), which serve checks.
const TokenParam = "token"

// URLHasCredential reports whether a webhook URL carries its own
// credential, a ?token= or a password, which serve can check.
func URLHasCredential(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	if _, ok := u.User.Password(); ok {
		return true
	}
	return u.Query().Get(TokenParam) != ""
}

// URL is raw without its credentials, for errors, logs and reports: user
// info REDACTED, the query "?...", no fragment. "" stays "".
func URL(raw string) string {
	return redactURL(raw, func(string) string { return "..." })
}

// URLMasked is raw without its credentials but with each query value
// masked as Mask does rather than elided, for a listing of what is
// registered: a token can be recognised by its last characters but not
// read.
func URLMasked(raw string) string {
	return redactURL(raw, func(q string) string {
		parts := strings.Split(q, "&")
		for i, p := range parts {
			k, v, ok := strings.Cut(p, "=")
			if !ok || v == "" {
				continue
			}
			if uv, err := url.QueryUnescape(v); err == nil {
				v = uv
			}
			parts[i] = k + "=" + Mask(v)
		}
		return strings.Join(parts, "&")
	})
}

func redactURL(raw string, query func(string) string) string {
	if raw == "" {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return NotParsed
	}
	if u.User != nil {
		u.User = url.User(userRedacted)
	}
	if u.RawQuery != "" {
		u.RawQuery = query(u.RawQuery)
	}
	u.ForceQuery = false
	u.Fragment, u.RawFragment = "", ""
	return u.String()
}

// Password stands for a database password in anything shown.
const Password = "xxxxx"

// passwordParams are the connection-string parameters that carry a
// password (pgx and libpq read both from a URL's query).
var passwordParams = map[string]bool{"password": true, "sslpassword": true}

// DatabaseURL is a PostgreSQL URL fit for logs, errors and listings: the
// password, in the user info or a password= or sslpassword= parameter,
// becomes xxxxx; the rest is kept.
//
// Choice: not URL's policy (user REDACTED, query "?..."): to fix a
// connection that fails, an operator needs the role it connects as and
// parameters such as sslmode, and neither is a secret.
func DatabaseURL(raw string) string {
	if raw == "" {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return NotParsed
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), Password)
	}
	if u.RawQuery != "" {
		parts := strings.Split(u.RawQuery, "&")
		for i, p := range parts {
			if k, _, ok := strings.Cut(p, "="); ok && passwordParams[strings.ToLower(k)] {
				parts[i] = k + "=" + Password
			}
		}
		u.RawQuery = strings.Join(parts, "&")
	}
	return u.String()
}
