package scenario

import "testing"

// Webhook URLs in reports and JSON never show a query (serve's ?token=)
// or user info, and one that does not parse is not shown at all.
func TestRedact(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"http://127.0.0.1:8080/webhooks/vca", "http://127.0.0.1:8080/webhooks/vca"},
		{"http://127.0.0.1:8080/webhooks/vca?token=s3cret", "http://127.0.0.1:8080/webhooks/vca?REDACTED"},
		{"http://u:pw@127.0.0.1:8080/x", "http://REDACTED@127.0.0.1:8080/x"},
		{"http://h st/x?token=s3cret", "(a URL that does not parse)"},
	} {
		if got := redact(tt.in); got != tt.want {
			t.Errorf("redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
