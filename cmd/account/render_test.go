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
		// unparsable: shown, but never with the credential it may hold
		{"https://ivr example.com/x?token=abcdefgh12345678", "https://ivr example.com/x?..."},
		{"https://us er:pa55word@ivr.example.com/x", "https://xxxxx@ivr.example.com/x"},
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

// Cells come from 8x8's answers: anything that could drive or reorder the
// terminal (controls, C1 controls, bidi overrides, invalid UTF-8) is
// shown quoted, as serve and call --wait show request text.
func TestClean(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"", "-"},
		{"en-US-Standard-A", "en-US-Standard-A"},
		{"Dansk æøå", "Dansk æøå"},
		{"a\tb", `"a\tb"`},
		{"x\x1b[2Jy", `"x\x1b[2Jy"`},
		{"x\u009by", `"x\u009by"`},
		{"abc\u202edef", `"abc\u202edef"`},
		{"bad\xffutf8", `"bad\xffutf8"`},
	} {
		if got := Clean(tt.in); got != tt.want {
			t.Errorf("Clean(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
