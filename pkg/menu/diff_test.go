package menu

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const diffBase = `start: main
numbers: {from: "6512345678", agent: "6561115777"}
capture: {voiceProfile: en-US-BenjaminRUS, maxDigits: 1, noOfTries: 2}
say: {voiceProfile: en-US-BenjaminRUS}
menus:
  main:
    prompt: Welcome, press 1 to book, 2 for an agent
    options:
      "1": {open: book}
      "2": {connect: agent, then: after}
      "3": hangup
    other: retry
  book:
    prompt: Press 1 for today
    retryPrompt: Again, press 1 for today
    options:
      "1": [{say: Booked}, hangup]
    other: [{say: Invalid}, hangup]
  after:
    other: [{say: Thanks}, hangup]
`

func compileText(t *testing.T, name, src string) *Engine {
	t.Helper()
	m, err := Parse(name, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	e, err := Compile(m, Numbers{})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestDiff covers every kind of change, and whether each is breaking.
func TestDiff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		edit   func(string) string
		want   []Change
		break_ bool
	}{
		{name: "no change", edit: func(s string) string { return s }},
		{
			name: "menu added",
			edit: func(s string) string {
				return strings.Replace(s, `"3": hangup`, `"3": {open: help}`, 1) + "  help:\n    prompt: Help here\n    other: retry\n"
			},
			want: []Change{
				{Menu: "main", Kind: ChangeAnswer, Input: "3", Old: "hangup", New: "open help"},
				{Menu: "help", Kind: ChangeMenuAdded, New: "Help here"},
			},
		},
		{
			name: "menu removed",
			edit: func(s string) string {
				s = strings.Replace(s, `"1": {open: book}`, `"1": hangup`, 1)
				return s[:strings.Index(s, "  book:")] + s[strings.Index(s, "  after:"):]
			},
			want: []Change{
				{Menu: "main", Kind: ChangeAnswer, Input: "1", Old: "open book", New: "hangup"},
				{Menu: "book", Kind: ChangeMenuRemoved, Old: "Press 1 for today", Breaking: true, Why: whyMenuGone},
			},
			break_: true,
		},
		{
			name: "menu renamed",
			edit: func(s string) string {
				return strings.ReplaceAll(strings.ReplaceAll(s, "open: book}", "open: booking}"), "  book:", "  booking:")
			},
			want:   []Change{{Menu: "booking", Kind: ChangeMenuRenamed, Old: "book", New: "booking", Breaking: true, Why: whyMenuGone}},
			break_: true,
		},
		{
			name: "option added",
			edit: func(s string) string {
				return strings.Replace(s, `      "1": [{say: Booked}, hangup]`, "      \"1\": [{say: Booked}, hangup]\n      \"2\": hangup", 1)
			},
			want: []Change{{Menu: "book", Kind: ChangeOptionAdded, Input: "2", New: "hangup"}},
		},
		{
			name:   "option removed",
			edit:   func(s string) string { return strings.Replace(s, "      \"3\": hangup\n", "", 1) },
			want:   []Change{{Menu: "main", Kind: ChangeOptionRemoved, Input: "3", Old: "hangup", Breaking: true, Why: whyOptionGone}},
			break_: true,
		},
		{
			name: "answer changed",
			edit: func(s string) string {
				return strings.Replace(s, `[{say: Booked}, hangup]`, `[{say: Booked for today}, hangup]`, 1)
			},
			want: []Change{{Menu: "book", Kind: ChangeAnswer, Input: "1", Old: "say: Booked, hangup", New: "say: Booked for today, hangup"}},
		},
		{
			name: "other and noInput changed",
			edit: func(s string) string {
				return strings.Replace(s, "    other: retry\n", "    other: hangup\n    noInput: hangup\n", 1)
			},
			want: []Change{
				{Menu: "main", Kind: ChangeAnswer, Input: "other", Old: "retry", New: "hangup"},
				{Menu: "main", Kind: ChangeAnswer, Input: "noInput", Old: "retry", New: "hangup"},
			},
		},
		{
			name: "prompt changed",
			edit: func(s string) string {
				return strings.Replace(s, "prompt: Press 1 for today", "prompt: Press 1 for today, please", 1)
			},
			want: []Change{{Menu: "book", Kind: ChangePrompt, Old: "Press 1 for today", New: "Press 1 for today, please"}},
		},
		{
			name: "retry prompt changed",
			edit: func(s string) string { return strings.Replace(s, "    retryPrompt: Again, press 1 for today\n", "", 1) },
			want: []Change{{Menu: "book", Kind: ChangeRetryPrompt, Old: "Again, press 1 for today"}},
		},
		{
			name:   "connect number changed",
			edit:   func(s string) string { return strings.Replace(s, `agent: "6561115777"`, `agent: "6561115999"`, 1) },
			want:   []Change{{Menu: "main", Kind: ChangeNumber, Input: "2", Old: "6561115777", New: "6561115999", Breaking: true, Why: whyNumber}},
			break_: true,
		},
		{
			name: "caller ID changed",
			edit: func(s string) string { return strings.Replace(s, `from: "6512345678"`, `from: "6512345679"`, 1) },
			want: []Change{{Kind: ChangeFrom, Old: "6512345678", New: "6512345679"}},
		},
		{
			name: "file capture setting changed",
			edit: func(s string) string { return strings.Replace(s, "noOfTries: 2", "noOfTries: 3", 1) },
			want: []Change{{Kind: ChangeCapture, Input: "noOfTries", Old: "2", New: "3"}},
		},
		{
			name: "menu capture setting changed",
			edit: func(s string) string {
				return strings.Replace(s, "    prompt: Press 1 for today\n", "    prompt: Press 1 for today\n    capture: {speed: 2}\n", 1)
			},
			want: []Change{{Menu: "book", Kind: ChangeCapture, Input: "speed", New: "2"}},
		},
		{
			name: "say setting changed",
			edit: func(s string) string {
				return strings.Replace(s, "say: {voiceProfile: en-US-BenjaminRUS}", "say: {voiceProfile: en-US-BenjaminRUS, speed: 2}", 1)
			},
			want: []Change{{Kind: ChangeSay, Input: "speed", New: "2"}},
		},
		{
			name: "start changed",
			edit: func(s string) string {
				return strings.Replace(strings.Replace(s, "start: main", "start: book", 1), `"1": [{say: Booked}, hangup]`, `"1": {open: main}`, 1)
			},
			want: []Change{
				{Kind: ChangeStart, Old: "main", New: "book", Breaking: true, Why: whyStart},
				{Menu: "book", Kind: ChangeAnswer, Input: "1", Old: "say: Booked, hangup", New: "open main"},
			},
			break_: true,
		},
	}
	old := compileText(t, "old.yaml", diffBase)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Diff(old, compileText(t, "new.yaml", tt.edit(diffBase)))
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("changes (-want +got):\n%s", d)
			}
			if Breaking(got) != tt.break_ {
				t.Errorf("breaking = %v, want %v", Breaking(got), tt.break_)
			}
		})
	}
}
