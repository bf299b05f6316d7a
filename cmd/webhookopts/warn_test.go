package webhookopts

import (
	"net"
	"strings"
	"testing"
)

func TestExposureWarning(t *testing.T) {
	for _, c := range []struct {
		addr string
		auth bool
		warn bool
	}{
		{"127.0.0.1:8080", false, false},
		{"[::1]:8080", false, false},
		{"0.0.0.0:8080", false, true},
		{"[::]:8080", false, true},
		{"192.168.1.10:8080", false, true},
		{"0.0.0.0:8080", true, false},
	} {
		a, err := net.ResolveTCPAddr("tcp", c.addr)
		if err != nil {
			t.Fatal(err)
		}
		msg := ExposureWarning(a, c.auth)
		if (msg != "") != c.warn {
			t.Errorf("%s auth=%v: warning %q", c.addr, c.auth, msg)
		}
		if c.warn && !strings.Contains(msg, "--auth-secret") {
			t.Errorf("warning %q does not say what to do", msg)
		}
	}
}
