package webhookopts

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
)

// Sender is the other side of serve's --auth-secret: the credential a
// command that posts webhooks the way 8x8 does (emulate, test) sends, so
// one IVRCTL_AUTH_SECRET / auth-header configures the server and the
// clients that test it alike.
type Sender struct {
	Secret string // serve's value: the first of its comma-separated secrets is sent
	Header string // the header it goes in (serve's --auth-header)
}

// Check refuses a credential that cannot be sent as given. urls maps a
// flag name to the URL it posts to: Go's client sends a URL's user:pass
// only when no Authorization header is set, so a secret in Authorization
// next to basic auth would drop one credential unseen.
func (s Sender) Check(urls map[string]string) error {
	secret := s.secret()
	if secret == "" {
		return nil
	}
	if strings.ContainsFunc(secret, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return cmdutil.Usagef("--%s: no control characters: it travels in an HTTP header", KeyAuthSecret)
	}
	name := strings.TrimSpace(s.Header)
	if name == "" {
		return cmdutil.Usagef("--%s is empty: name the header the secret goes in", KeyAuthHeader)
	}
	if !isToken(name) {
		return cmdutil.Usagef("--%s %q: not a header name (letters, digits and !#$%%&'*+-.^_`|~)", KeyAuthHeader, name)
	}
	if http.CanonicalHeaderKey(name) == "Authorization" {
		for flag, u := range urls {
			if p, err := url.Parse(u); err == nil && p.User != nil {
				return cmdutil.Usagef("--%s has user:pass (basic auth) and --%s goes in Authorization too: use one, or name another --%s", flag, KeyAuthSecret, KeyAuthHeader)
			}
		}
	}
	return nil
}

// HTTPHeader is what goes with every request; nil without a secret.
func (s Sender) HTTPHeader() http.Header {
	secret := s.secret()
	if secret == "" {
		return nil
	}
	h := http.Header{}
	h.Set(strings.TrimSpace(s.Header), secret)
	return h
}

// secret is the value sent: the first of serve's comma-separated secrets
// (the new one, while rotating), as 8x8 stores one.
func (s Sender) secret() string {
	for v := range strings.SplitSeq(s.Secret, ",") {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// isToken reports whether s is an HTTP header name (RFC 9110 token).
func isToken(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", r)) {
			return false
		}
	}
	return s != ""
}
