package webhook

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/ivrctl/ivrctl/pkg/redact"
)

// DefaultAuthHeader carries the shared secret unless Auth.Header says
// otherwise. 8x8's Webhooks API stores an httpAuthHeader value and sends it
// with every webhook, but does not document the header's name.
const DefaultAuthHeader = "Authorization"

// Auth says how a webhook request proves it comes from 8x8. Any configured
// method that succeeds admits the request; with none configured every
// request is admitted.
type Auth struct {
	// Header names the header carrying a shared secret ("" : Authorization).
	Header string
	// Secrets are the accepted values of Header, compared whole. Two may be
	// given at once so a secret can be rotated without dropping calls.
	Secrets []string
	// Token is the accepted value of the token query parameter.
	Token string
	// BasicUser and BasicPass enable HTTP basic authentication.
	BasicUser, BasicPass string
}

// Enabled reports whether any authentication is configured.
func (a Auth) Enabled() bool {
	return len(a.Secrets) > 0 || a.Token != "" || a.BasicUser != "" || a.BasicPass != ""
}

// digest is a secret's SHA-256: comparing digests in constant time hides
// both the content and the length of the secret.
type digest [sha256.Size]byte

func digestOf(s string) digest { return sha256.Sum256([]byte(s)) }

func (d *digest) equal(s string) int {
	got := digestOf(s)
	return subtle.ConstantTimeCompare(d[:], got[:])
}

// authenticator is Auth prepared for the hot path: secrets hashed once.
type authenticator struct {
	header  string
	secrets []digest
	token   *digest
	basic   bool
	user    digest
	pass    digest
}

func newAuthenticator(a Auth) (*authenticator, error) {
	if !a.Enabled() {
		return nil, nil
	}
	au := &authenticator{header: http.CanonicalHeaderKey(a.Header)}
	if au.header == "" {
		au.header = DefaultAuthHeader
	}
	for i, s := range a.Secrets {
		if s == "" {
			return nil, fmt.Errorf("auth secret %d is empty", i+1)
		}
		au.secrets = append(au.secrets, digestOf(s))
	}
	if a.Token != "" {
		d := digestOf(a.Token)
		au.token = &d
	}
	if a.BasicUser != "" || a.BasicPass != "" {
		if a.BasicUser == "" || a.BasicPass == "" || strings.Contains(a.BasicUser, ":") {
			return nil, fmt.Errorf("basic auth needs user:pass with a non-empty user (without ':') and password")
		}
		au.basic = true
		au.user, au.pass = digestOf(a.BasicUser), digestOf(a.BasicPass)
	}
	return au, nil
}

// admit reports whether r carries a valid credential. Every configured
// secret is compared, whichever matched, so timing says nothing about which
// one (or whether an earlier one) was close.
func (au *authenticator) admit(r *http.Request) bool {
	ok := 0
	if len(au.secrets) > 0 {
		if v := r.Header.Get(au.header); v != "" {
			for i := range au.secrets {
				ok |= au.secrets[i].equal(v)
			}
		}
	}
	if au.token != nil && r.URL.RawQuery != "" {
		if q, err := url.ParseQuery(r.URL.RawQuery); err == nil {
			if v := q.Get(redact.TokenParam); v != "" {
				ok |= au.token.equal(v)
			}
		}
	}
	if au.basic {
		if u, p, found := r.BasicAuth(); found {
			ok |= au.user.equal(u) & au.pass.equal(p)
		}
	}
	return ok == 1
}

// challenge is the WWW-Authenticate header of a 401, "" when basic auth is
// off (no browser prompt for a header secret).
func (au *authenticator) challenge() string {
	if au.basic {
		return `Basic realm="ivrctl", charset="UTF-8"`
	}
	return ""
}

// ParsePrefixes parses an allow list: CIDRs ("18.140.80.0/24") or single
// addresses ("18.140.80.2", taken as /32 or /128).
func ParsePrefixes(items []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, it := range items {
		it = strings.TrimSpace(it)
		if it == "" {
			continue
		}
		if strings.Contains(it, "/") {
			p, err := netip.ParsePrefix(it)
			if err != nil {
				return nil, fmt.Errorf("allow-ip %q: not a CIDR or IP address", it)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(it)
		if err != nil {
			return nil, fmt.Errorf("allow-ip %q: not a CIDR or IP address", it)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// clientAddr returns the address a request comes from, and its text for
// logs. Without trustProxy that is the TCP peer: X-Forwarded-For is
// anyone's to write. With it, the peer is a reverse proxy we trust, and the
// client is the right-most X-Forwarded-For entry: the one our proxy
// appended. Entries further left were written by whoever connected to the
// proxy and prove nothing.
func clientAddr(r *http.Request, trustProxy bool) (netip.Addr, string) {
	if trustProxy {
		if vals := r.Header.Values("X-Forwarded-For"); len(vals) > 0 {
			last := vals[len(vals)-1]
			if i := strings.LastIndexByte(last, ','); i >= 0 {
				last = last[i+1:]
			}
			last = strings.TrimSpace(last)
			a, err := netip.ParseAddr(last)
			if err != nil {
				// An entry with a port ("1.2.3.4:5678") from some proxies.
				ap, err2 := netip.ParseAddrPort(last)
				if err2 != nil {
					return netip.Addr{}, last
				}
				a = ap.Addr()
			}
			return a.Unmap(), last
		}
	}
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}, r.RemoteAddr
	}
	return ap.Addr().Unmap(), r.RemoteAddr
}

func allowed(list []netip.Prefix, a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	for _, p := range list {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
