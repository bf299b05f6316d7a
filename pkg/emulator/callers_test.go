package emulator

import (
	"strings"
	"testing"
)

func TestParseCallers(t *testing.T) {
	t.Parallel()
	file := `"+6512345678": {pickup: answer, agent: busy, press: "2,,1", faults: [barge-in]}
"6598765432": {pickup: no-answer}
"+65 9111 2222": {press: ["1", ""]}
`
	got, err := ParseCallers("callers.yaml", []byte(file))
	if err != nil {
		t.Fatal(err)
	}
	c := &Callers{Default: Script{Press: []string{"9"}}, ByDigit: got}
	s := got["6512345678"]
	if s.Agent != PickupBusy || strings.Join(s.Press, ",") != "2,,1" || !s.Faults.BargeIn {
		t.Errorf("+6512345678: %+v", s)
	}
	if p := c.CallerFor("+6598765432").Dial(0, ""); p != PickupNoAnswer {
		t.Errorf("6598765432 picks up %s", p)
	}
	if keys, _ := c.CallerFor("+6591112222").Capture("", 1); keys != "1" {
		t.Errorf("+65 9111 2222 pressed %q", keys)
	}
	if keys, _ := c.CallerFor("+6500000001").Capture("", 1); keys != "9" {
		t.Errorf("a number not in the file pressed %q, want the default's 9", keys)
	}
}

func TestParseCallersErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ file, want string }{
		{"", "callers.yaml: no callers"},
		{"{}\n", "callers.yaml:1: names no callers"},
		{`"+6512345678": {pickup: maybe}` + "\n", "callers.yaml:1: +6512345678.pickup: must be answer"},
		{`"+6512345678": {faults: [flood]}` + "\n", `callers.yaml:1: +6512345678.faults[0]: "flood" is not a fault`},
		{"\"+6512345678\": {}\nhello: {}\n", "callers.yaml:2: hello: not a phone number"},
		{`"+6512345678": {press: "2x"}` + "\n", `+6512345678.press[0]: "2x"`},
	} {
		_, err := ParseCallers("callers.yaml", []byte(tc.file))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.file, err, tc.want)
		}
	}
}
