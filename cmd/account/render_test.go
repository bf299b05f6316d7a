package account

import "testing"

func TestRedactURL(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"https://ivr.example.com/webhooks/vca", "https://ivr.example.com/webhooks/vca"},
		{"https://ivr.example.com/webhooks/vca?token=abcdefgh12345678", "https://ivr.example.com/webhooks/vca?token=********5678"},
		{"https://ivr.example.com/x?token=short&flag&empty=", "https://ivr.example.com/x?token=*****&flag&empty="},
		{"https://ivr.example.com/x?token=a%2Fb%3Dcdefghij", "https://ivr.example.com/x?token=********ghij"},
		{"https://user:pa55word@ivr.example.com/x", "https://user:xxxxx@ivr.example.com/x"},
		{"https://user@ivr.example.com/x", "https://user@ivr.example.com/x"},
	} {
		if got := RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{"https://ivr.example.com/x", false},
		{"https://ivr.example.com/x?token=", false},
		{"https://ivr.example.com/x?other=1", false},
		{"https://ivr.example.com/x?token=abc", true},
		{"https://u:p@ivr.example.com/x", true},
		{"https://u@ivr.example.com/x", false},
	} {
		if got := URLHasCredential(tt.in); got != tt.want {
			t.Errorf("URLHasCredential(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
