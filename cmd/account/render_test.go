package account

import "testing"

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
