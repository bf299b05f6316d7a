package menu

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ivrctl/ivrctl/pkg/callflow"

	"github.com/google/go-cmp/cmp"
)

// load parses and compiles a menu as `validate` and `serve` do, with no
// numbers from configuration.
func load(name string, data []byte) error {
	m, err := Parse(name, data)
	if err != nil {
		return err
	}
	_, err = Compile(m, Numbers{})
	return err
}

// TestBadMenus loads every file in testdata/menus/bad; each states the
// error it must give in "# want:" lines (the empty file in the table).
func TestBadMenus(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(repoPath("testdata", "menus", "bad", "*.yaml"))
	if err != nil || len(files) < 12 {
		t.Fatalf("bad menus: %v, %v", files, err)
	}
	special := map[string][]string{
		"empty.yaml": {"testdata/menus/bad/empty.yaml: empty file: expected a menu (see the README's menu format)"},
	}
	for _, file := range files {
		base := filepath.Base(file)
		t.Run(base, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			want := special[base]
			sc := bufio.NewScanner(bytes.NewReader(data))
			for sc.Scan() {
				if w, ok := strings.CutPrefix(sc.Text(), "# want: "); ok {
					want = append(want, w)
				}
			}
			if len(want) == 0 {
				t.Fatal("no '# want:' line")
			}
			name := "testdata/menus/bad/" + base
			err = load(name, data)
			if err == nil {
				t.Fatal("loaded without error")
			}
			if diff := cmp.Diff(want, strings.Split(err.Error(), "\n")); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			var me *Error
			if !errors.As(err, &me) || me.File != name {
				t.Errorf("%v: not a *menu.Error naming the file", err)
			}
			if base != "empty.yaml" && me.Line == 0 {
				t.Errorf("%v: no line", err)
			}
		})
	}
}

// TestParseReportsAll: one load reports every problem of a file, not the
// first one only.
func TestParseReportsAll(t *testing.T) {
	t.Parallel()
	in := `menus:
  main:
    prompt: Hi
    colour: red
    options:
      "x": hangup
      "1": hangpu
      "2": {open: nowhere}
`
	err := load("m.yaml", []byte(in))
	want := []string{
		`m.yaml:4: menus.main: unknown field "colour" (known: prompt, retryPrompt, capture, options, other, noInput)`,
		`m.yaml:6: menus.main.options["x"]: "x" is not something a caller can key (digits, * and #)`,
		`m.yaml:7: menus.main.options["1"]: unknown step "hangpu": use hangup, retry, or a mapping with open, say, play or connect`,
	}
	if err == nil {
		t.Fatal("no error")
	}
	if diff := cmp.Diff(want, strings.Split(err.Error(), "\n")); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestMenuFeatures: noInput, play, aliases, multi-digit options, start,
// and a menu written as JSON.
func TestMenuFeatures(t *testing.T) {
	t.Parallel()
	in := `{
  "start": "b",
  "capture": {"voiceProfile": "en-US-Jenny", "maxDigits": 4, "completeOnHash": true},
  "say": {"voiceProfile": "en-US-Jenny"},
  "menus": {
    "a": {"prompt": "A", "options": {"1": "hangup"}, "other": "retry"},
    "b": {
      "prompt": "Enter your PIN.",
      "retryPrompt": "Again: enter your PIN.",
      "options": {"1234": [{"play": "https://example.com/ok.wav"}, {"open": "a"}], "#": "retry"},
      "noInput": [{"say": "Goodbye."}, "hangup"]
    }
  }
}`
	m, err := Parse("m.json", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	e, err := Compile(m, Numbers{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ id, dtmf, matched, body string }{
		{"", "1234", "1234", `{"clientActionId":"a","callflow":[{"action":"playFile","params":{"fileUrl":"https://example.com/ok.wav"}},{"action":"sayAndCapture","params":{"promptMessage":"A","voiceProfile":"en-US-Jenny","maxDigits":4,"completeOnHash":true}}]}`},
		{"", "null", "noInput", `{"callflow":[{"action":"say","params":{"text":"Goodbye.","voiceProfile":"en-US-Jenny"}},{"action":"hangup"}]}`},
		{"", "12", "other", `{"callflow":[{"action":"sayAndCapture","params":{"promptMessage":"Again: enter your PIN.","voiceProfile":"en-US-Jenny","maxDigits":4,"completeOnHash":true}}]}`},
		{"b", "12", "other", `{"clientActionId":"b","callflow":[{"action":"sayAndCapture","params":{"promptMessage":"Again: enter your PIN.","voiceProfile":"en-US-Jenny","maxDigits":4,"completeOnHash":true}}]}`},
		{"b", "#", "#", `{"clientActionId":"b","callflow":[{"action":"sayAndCapture","params":{"promptMessage":"Again: enter your PIN.","voiceProfile":"en-US-Jenny","maxDigits":4,"completeOnHash":true}}]}`},
		// a retry under options echoes the event's clientActionId too: none here
		{"", "#", "#", `{"callflow":[{"action":"sayAndCapture","params":{"promptMessage":"Again: enter your PIN.","voiceProfile":"en-US-Jenny","maxDigits":4,"completeOnHash":true}}]}`},
		{"a", "absent", "noInput", `{"clientActionId":"a","callflow":[{"action":"sayAndCapture","params":{"promptMessage":"A","voiceProfile":"en-US-Jenny","maxDigits":4,"completeOnHash":true}}]}`},
	}
	for _, tt := range tests {
		r, err := answer(t, e, event(t, tt.id, tt.dtmf, false))
		if err != nil {
			t.Fatal(err)
		}
		if r.Matched != tt.matched || string(r.Reply.Body) != tt.body {
			t.Errorf("%q/%s: matched %q\n got %s\nwant %s", tt.id, tt.dtmf, r.Matched, r.Reply.Body, tt.body)
		}
	}
}

// A CALL_STATUS (VCS) event asks for nothing: it is acknowledged with {},
// as serve does, whatever menu it names.
func TestStatusUpdateIsAcknowledged(t *testing.T) {
	t.Parallel()
	e := mustEngine(t, "advanced-ivr.yaml")
	ev, err := callflow.DecodeVCA(event(t, "reservations", "1", false))
	if err != nil {
		t.Fatal(err)
	}
	ev.EventType = callflow.EventCallStatus
	r, err := e.Answer(ev)
	if err != nil || r.Matched != "status" || string(r.Reply.Body) != "{}" {
		t.Fatalf("got %q %s, %v; want status {}", r.Matched, r.Reply.Body, err)
	}
}

// A prompt the platform would refuse is reported once, at its own line,
// also when the menu has a retryPrompt.
func TestRefusedPromptAtItsLine(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 3001)
	in := "capture: {voiceProfile: en-US-Jenny}\nmenus:\n  main:\n    retryPrompt: again\n    prompt: " + long + "\n    options: {\"1\": hangup}\n"
	m, err := Parse("long.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Compile(m, Numbers{})
	if err == nil {
		t.Fatal("a 3001-character prompt compiled")
	}
	want := "long.yaml:5: menus.main.prompt: the callflow would be refused: $.callflow[0].params.promptMessage: may only be 3000 characters long, got 3001 (-1009)"
	if err.Error() != want {
		t.Errorf("error:\n got %s\nwant %s", err, want)
	}
}
