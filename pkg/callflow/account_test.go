package callflow

import "testing"

// TestNumbers: the one normalisation the client, the emulator, the
// batch runner and the scenario checks share.
func TestNumbers(t *testing.T) {
	for in, want := range map[string]string{"+65 1234-5678": "+6512345678", " (651) 234.5678\t": "6512345678", "+65abc": "+65abc"} {
		if got := NormalizeNumber(in); got != want {
			t.Errorf("NormalizeNumber(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Digits("+65 6111-5777"); got != "6561115777" {
		t.Errorf("Digits = %q", got)
	}
	if !SameNumber("+6512345678", "6512345678") || SameNumber("+6512345678", "6512345679") {
		t.Error("SameNumber: the '+' must not matter, a digit must")
	}
}

func TestPatterns(t *testing.T) {
	for id, want := range map[string]bool{"acme_voice": true, "a.b-c&d": true, "ab": false, "a b c": false, "x/y/z": false} {
		if ValidSubaccount(id) != want {
			t.Errorf("ValidSubaccount(%q) != %v", id, want)
		}
	}
	for n, want := range map[string]bool{"6561115777": true, "1234567": true, "123456": false, "44207123456": false, "+656111577": false} {
		if NumberLookupable(n) != want {
			t.Errorf("NumberLookupable(%q) != %v", n, want)
		}
	}
}
