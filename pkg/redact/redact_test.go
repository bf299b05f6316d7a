package redact

import (
	"strings"
	"testing"
)

func TestMask(t *testing.T) {
	for in, want := range map[string]string{"": "", "abcd": "****", "12345678": "********", "sk-abc123xyz": "********3xyz"} {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSecretInText(t *testing.T) {
	const key = "sk-live-ABCDWXYZ"
	if got := String("bad key Bearer "+key, key); got != "bad key Bearer ********WXYZ" {
		t.Errorf("String = %q", got)
	}
	if got := string(Bytes([]byte(`{"echo":"`+key+`"}`), key)); got != `{"echo":"********WXYZ"}` {
		t.Errorf("Bytes = %q", got)
	}
	// Too short to mask: left alone rather than garbling the text.
	if got := String("a b a", "a"); got != "a b a" {
		t.Errorf("short secret: %q", got)
	}
	var b strings.Builder
	w := Writer(&b, key)
	if n, err := w.Write([]byte("x " + key + "\n")); err != nil || n != len(key)+3 {
		t.Errorf("Write = %d, %v: want the length given", n, err)
	}
	w.Write([]byte("clean\n"))
	if b.String() != "x ********WXYZ\nclean\n" {
		t.Errorf("Writer wrote %q", b.String())
	}
}

func TestURL(t *testing.T) {
	for _, c := range []struct{ in, url, masked string }{
		{"", "", ""},
		{"https://ivr.example.com/webhooks/vca", "https://ivr.example.com/webhooks/vca", "https://ivr.example.com/webhooks/vca"},
		{"https://ivr.example.com/webhooks/vca?token=abcdefgh12345678",
			"https://ivr.example.com/webhooks/vca?...", "https://ivr.example.com/webhooks/vca?token=********5678"},
		{"https://ivr.example.com/x?token=a%2Fb%3Dcdefghij&flag", "https://ivr.example.com/x?...", "https://ivr.example.com/x?token=********ghij&flag"},
		{"https://ivr.example.com/x?token=short&flag&empty=", "https://ivr.example.com/x?...", "https://ivr.example.com/x?token=*****&flag&empty="},
		{"https://user@ivr.example.com/x", "https://REDACTED@ivr.example.com/x", "https://REDACTED@ivr.example.com/x"},
		{"https://user:pa55word@ivr.example.com/x", "https://REDACTED@ivr.example.com/x", "https://REDACTED@ivr.example.com/x"},
		{"ftp://u:s3cr3t@127.0.0.1/x", "ftp://REDACTED@127.0.0.1/x", "ftp://REDACTED@127.0.0.1/x"},
		{"http://127.0.0.1:8080/vca#token=abc", "http://127.0.0.1:8080/vca", "http://127.0.0.1:8080/vca"},
		{"https://ivr example.com/x?token=abcdefgh12345678", NotParsed, NotParsed},
		{"https://us er:pa55word@ivr.example.com/x", NotParsed, NotParsed},
	} {
		if got := URL(c.in); got != c.url {
			t.Errorf("URL(%q) = %q, want %q", c.in, got, c.url)
		}
		if got := URLMasked(c.in); got != c.masked {
			t.Errorf("URLMasked(%q) = %q, want %q", c.in, got, c.masked)
		}
	}
}

func TestDatabaseURL(t *testing.T) {
	for in, want := range map[string]string{
		"": "",
		"postgres://ivr:s3cret-pw@db.example.com:5432/ivr?sslmode=require":                             "postgres://ivr:xxxxx@db.example.com:5432/ivr?sslmode=require",
		"postgres://ivr@db.example.com/ivr":                                                            "postgres://ivr@db.example.com/ivr",
		"postgres://db.example.com/ivr?user=ivr&password=s3cret-pw&sslpassword=k3y-pw&sslmode=disable": "postgres://db.example.com/ivr?user=ivr&password=xxxxx&sslpassword=xxxxx&sslmode=disable",
		"postgres://ivr:s3cret-pw@db example.com/ivr":                                                  NotParsed,
	} {
		if got := DatabaseURL(in); got != want {
			t.Errorf("DatabaseURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestURLHasCredential(t *testing.T) {
	t.Parallel()
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
