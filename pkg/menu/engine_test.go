package menu

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/golden"
)

func repoPath(parts ...string) string {
	return filepath.Join(append([]string{"..", ".."}, parts...)...)
}

func readFile(t testing.TB, parts ...string) []byte {
	t.Helper()
	data, err := os.ReadFile(repoPath(parts...))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// event builds a VCA event from 8x8's recorded one (testdata/dtmf1.json):
// clientActionId "" is left out, dtmf "null" is a JSON null and "absent"
// removes the key. eventData puts the digit where newer docs put it.
func event(t testing.TB, clientActionID, dtmf string, eventData bool) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(readFile(t, "testdata", "dtmf1.json"), &doc); err != nil {
		t.Fatal(err)
	}
	payload := doc["payload"].(map[string]any)
	delete(payload, "dtmf")
	var value any = dtmf
	switch dtmf {
	case "null":
		value = nil
	case "absent":
		value = del
	}
	if value != del {
		if eventData {
			payload["callStatus"] = callflow.CallStatusActionCompleted
			payload["eventData"] = map[string]any{"dtmf": value}
		} else {
			payload["dtmf"] = value
		}
	}
	if clientActionID != "" {
		payload["clientActionId"] = clientActionID
	}
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

type deleted struct{}

var del any = deleted{}

// inputs are the answers every menu is asked with: the listed digits, an
// unlisted one, and no input (dtmf null, dtmf absent).
var inputs = []string{"1", "2", "3", "9", "null", "absent"}

// answer runs one event through the engine and checks what every reply
// must be: valid for the platform, and the same bytes as its Response.
func answer(t *testing.T, e *Engine, data []byte) (Result, error) {
	t.Helper()
	_, r, err := e.AnswerJSON(data)
	if r.Reply == nil {
		t.Fatalf("no reply (err %v)", err)
	}
	if probs := callflow.ValidateJSON(r.Reply.Body, callflow.KindWebhookResponse); len(probs) > 0 {
		t.Errorf("reply refused: %v\n%s", probs, r.Reply.Body)
	}
	body, jerr := json.Marshal(&r.Reply.Response)
	if jerr != nil || !bytes.Equal(body, r.Reply.Body) {
		t.Errorf("Body and Response disagree:\n%s\n%s", r.Reply.Body, body)
	}
	return r, err
}

// menuIDs are the clientActionIds a menu is asked under: "" (the event
// answers the Send Callflow request) and every menu's own id.
func menuIDs(e *Engine) []string {
	ids := []string{""}
	for _, n := range e.Menu().Menus {
		ids = append(ids, n.ID)
	}
	return ids
}

func goldenName(id, input string) string {
	if id == "" {
		id = "start"
	}
	return id + "-" + input
}

// TestGolden answers every menu × input of both menus, plus an inbound call
// and an unknown clientActionId, and compares with testdata/golden.
func TestGolden(t *testing.T) {
	for _, name := range []string{"simple-ivr", "advanced-ivr"} {
		t.Run(name, func(t *testing.T) {
			e := mustEngine(t, name+".yaml")
			for _, id := range menuIDs(e) {
				for _, in := range inputs {
					t.Run(goldenName(id, in), func(t *testing.T) {
						r, err := answer(t, e, event(t, id, in, false))
						if err != nil {
							t.Fatal(err)
						}
						golden.JSON(t, repoPath("testdata", "golden", name, goldenName(id, in)+".json"), r.Reply.Body)
						// The newer place of the digit answers the same.
						r2, err := answer(t, e, event(t, id, in, true))
						if err != nil || r2.Reply != r.Reply || r2.Matched != r.Matched {
							t.Errorf("eventData.dtmf answered %q/%s, payload.dtmf %q/%s", r2.Matched, r2.Reply.Body, r.Matched, r.Reply.Body)
						}
					})
				}
			}
			t.Run("inbound", func(t *testing.T) {
				r, err := answer(t, e, readFile(t, "testdata", "inbound-call-received.json"))
				if err != nil {
					t.Fatal(err)
				}
				if r.Matched != "inbound" || r.Menu != e.Menu().Start || r.Fallback {
					t.Errorf("got %+v", r)
				}
				golden.JSON(t, repoPath("testdata", "golden", name, "inbound.json"), r.Reply.Body)
			})
			t.Run("unknown-menu", func(t *testing.T) {
				r, err := answer(t, e, event(t, "no_such_menu", "1", false))
				var unknown *UnknownMenuError
				if !errors.As(err, &unknown) || unknown.ID != "no_such_menu" || unknown.Start != e.Menu().Start {
					t.Fatalf("err = %v, want an *UnknownMenuError", err)
				}
				want := `clientActionId "no_such_menu" names no menu: answered with the start menu "` + e.Menu().Start + `"`
				if err.Error() != want {
					t.Errorf("err = %q, want %q", err, want)
				}
				if !r.Fallback || r.Matched != "fallback" || r.Menu != "no_such_menu" {
					t.Errorf("got %+v", r)
				}
				open, _ := e.Open(e.Menu().Start)
				if r.Reply != open {
					t.Errorf("fallback is not the start menu's prompt: %s", r.Reply.Body)
				}
				golden.JSON(t, repoPath("testdata", "golden", name, "unknown-menu.json"), r.Reply.Body)
			})
		})
	}
}

func compactJSON(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, data); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestSimpleIVRIsTheSeed: the default menu answers exactly as 8x8's guide,
// byte for byte, and its first prompt is the seed request's sayAndCapture.
// The seed files are 8x8's JSON copied from the guide, not engine output.
func TestSimpleIVRIsTheSeed(t *testing.T) {
	t.Parallel()
	e, err := Compile(Default(), Numbers{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ input, seed, matched string }{
		{"1", "dtmf1-hangup.json", "1"},
		{"2", "dtmf2-connect.json", "2"},
		{"3", "dtmf-other-repeat.json", "other"},
		{"9", "dtmf-other-repeat.json", "other"},
		{"null", "dtmf-other-repeat.json", "noInput"},
		{"absent", "dtmf-other-repeat.json", "noInput"},
	}
	for _, tt := range tests {
		want := compactJSON(t, readFile(t, "testdata", "golden", "seed", tt.seed))
		for _, eventData := range []bool{false, true} {
			r, err := answer(t, e, event(t, "", tt.input, eventData))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(r.Reply.Body, want) {
				t.Errorf("dtmf %s: got\n%s\nwant (%s)\n%s", tt.input, r.Reply.Body, tt.seed, want)
			}
			if r.Matched != tt.matched || r.Menu != "main" {
				t.Errorf("dtmf %s: matched %q in %q, want %q in main", tt.input, r.Matched, r.Menu, tt.matched)
			}
		}
	}
	// 8x8's own event, as printed in the guide (dtmf "3").
	r, err := answer(t, e, readFile(t, "testdata", "golden", "seed", "vca-dtmf3.json"))
	if err != nil {
		t.Fatal(err)
	}
	if want := compactJSON(t, readFile(t, "testdata", "golden", "seed", "dtmf-other-repeat.json")); !bytes.Equal(r.Reply.Body, want) {
		t.Errorf("seed event: got %s, want %s", r.Reply.Body, want)
	}

	// The Send Callflow request: the seed's makeCall (its own numbers, the
	// caller's side) followed by the engine's first prompt.
	req := callflow.Request{Callflow: []callflow.Action{
		{Action: callflow.ActionMakeCall, Params: &callflow.Params{Source: callflow.Some("6561115777"), Destination: callflow.Some("6512345678")}},
		e.Initial(),
	}}
	got, err := json.Marshal(&req)
	if err != nil {
		t.Fatal(err)
	}
	if want := compactJSON(t, readFile(t, "testdata", "golden", "seed", "request.json")); !bytes.Equal(got, want) {
		t.Errorf("request: got\n%s\nwant\n%s", got, want)
	}
}

// TestEmbeddedDefault keeps the embedded menu and testdata's copy equal.
func TestEmbeddedDefault(t *testing.T) {
	t.Parallel()
	if want := readFile(t, "testdata", "menus", "simple-ivr.yaml"); !bytes.Equal(DefaultYAML(), want) {
		t.Error("pkg/menu/simple-ivr.yaml and testdata/menus/simple-ivr.yaml differ: copy one over the other")
	}
	if m := Default(); m.File != DefaultFile || m.Start != "main" {
		t.Errorf("Default() = file %q start %q", m.File, m.Start)
	}
}

// Shapes of 8x8's advanced IVR backend (/work/shared/advanced-ivr.md).
func shapeOpen(id, prompt string) string {
	return `{"clientActionId":` + q(id) + `,"callflow":[{"action":"sayAndCapture","params":{"promptMessage":` + q(prompt) +
		`,"voiceProfile":"en-US-BenjaminRUS","speed":1,"minDigits":1,"maxDigits":1,"digitTimeout":10000,"overallTimeout":10000,"noOfTries":2}}]}`
}

func shapeSay(text string) string {
	return `{"callflow":[{"action":"say","params":{"text":` + q(text) + `,"voiceProfile":"en-US-BenjaminRUS","speed":1}},{"action":"hangup"}]}`
}

func shapeConnect(from, agent string) string {
	return `{"clientActionId":"post_call","callflow":[{"action":"makeCall","params":{"source":` + q(from) + `,"destination":` + q(agent) + `}}]}`
}

func q(s string) string { b, _ := json.Marshal(s); return string(b) }

// TestAdvancedIVRMatchesGuide checks every answer of the advanced menu
// against the tree of 8x8's guide, written out here independently of the
// menu file, byte for byte. The golden files hold the same answers for
// review; this test is what ties them to the guide.
func TestAdvancedIVRMatchesGuide(t *testing.T) {
	t.Parallel()
	const (
		mainPrompt   = "Welcome to ABC Restaurant, to book a table press 1, to speak to a representative press 2, to hear our restaurant hours press 3."
		resPrompt    = "Press 1 to make a new reservation, press 2 to reschedule an existing reservation, press 3 to return to main menu."
		connPrompt   = "Connecting you to the next available representative. Press 1 to connect now, press 2 to return to main menu"
		bookPrompt   = "Reserving a Table, Press 1 to reserve a table for today, Press 2 to reserve a table for tomorrow"
		reschPrompt  = "Rescheduling your reservation, Press 1 to keep your current reservation, press 2 to change your reservation to tomorrow"
		from, agent  = "6512345678", "6561115777"
		invalidInput = "Invalid input, please call again."
	)
	invalid := shapeSay(invalidInput)
	mainAnswers := map[string]string{
		"1": shapeOpen("reservations", resPrompt),
		"2": shapeOpen("connect_call", connPrompt),
		"3": shapeSay("Our restaurant hours are between 9AM and 9PM every day of the week."),
	}
	tree := map[string]map[string]string{
		"":          mainAnswers,
		"main_menu": mainAnswers,
		"reservations": {
			"1": shapeOpen("book_table", bookPrompt),
			"2": shapeOpen("reschedule_table", reschPrompt),
			"3": shapeOpen("main_menu", mainPrompt),
		},
		"connect_call": {
			"1": shapeConnect(from, agent),
			"2": shapeOpen("main_menu", mainPrompt),
		},
		"book_table": {
			"1": shapeSay("We have booked your table for today, thank you."),
			"2": shapeSay("We have booked your table for tomorrow, thank you."),
		},
		"reschedule_table": {
			"1": shapeSay("Keeping your current reservation, thank you."),
			"2": shapeSay("Changing your reservation to tomorrow thank you."),
		},
	}
	goodbye := shapeSay("Thank you for speaking to ABC Restaurant, have a great day.")
	e := mustEngine(t, "advanced-ivr.yaml")
	if got := menuIDs(e); len(got) != len(tree)+1 { // + post_call
		t.Fatalf("menus %v, want the guide's %d", got, len(tree)+1)
	}
	for _, id := range menuIDs(e) {
		for _, in := range inputs {
			want, ok := tree[id][in]
			switch {
			case id == "post_call":
				want = goodbye
			case !ok:
				want = invalid
			}
			r, err := answer(t, e, event(t, id, in, false))
			if err != nil {
				t.Fatal(err)
			}
			if string(r.Reply.Body) != want {
				t.Errorf("menu %q dtmf %s:\n got %s\nwant %s", id, in, r.Reply.Body, want)
			}
		}
	}
	// Send Callflow opens the main menu with the same params.
	initial, _ := json.Marshal(e.Initial())
	if want := `{"action":"sayAndCapture","params":{"promptMessage":` + q(mainPrompt) +
		`,"voiceProfile":"en-US-BenjaminRUS","speed":1,"minDigits":1,"maxDigits":1,"digitTimeout":10000,"overallTimeout":10000,"noOfTries":2}}`; string(initial) != want {
		t.Errorf("Initial() = %s\nwant %s", initial, want)
	}
}

// TestNumbersOverride: configuration beats the menu file's numbers.
func TestNumbersOverride(t *testing.T) {
	t.Parallel()
	e, err := Compile(Default(), Numbers{From: "+6500000001", Agent: "+6500000002"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := answer(t, e, event(t, "", "2", false))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"callflow":[{"action":"makeCall","params":{"source":"+6500000001","destination":"+6500000002"}}]}`
	if string(r.Reply.Body) != want || !r.Reply.Connects || r.Reply.Ends {
		t.Errorf("got %s (connects %v ends %v), want %s", r.Reply.Body, r.Reply.Connects, r.Reply.Ends, want)
	}
	if got := e.Numbers(); got.From != "+6500000001" || got.Agent != "+6500000002" {
		t.Errorf("Numbers() = %+v", got)
	}
	// Only the agent given: from comes from the file.
	e, err = Compile(Default(), Numbers{Agent: "+6500000002"})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Numbers(); got.From != "6512345678" {
		t.Errorf("From = %q, want the file's", got.From)
	}
}

func TestAnswerJSONErrors(t *testing.T) {
	t.Parallel()
	e := mustEngine(t, "simple-ivr.yaml")
	for _, in := range []string{"", "[]", `{"eventType":"SESSION_SUMMARY","payload":{"sessionId":"x"}}`, `{"payload":{}}`, `{`} {
		ev, r, err := e.AnswerJSON([]byte(in))
		if err == nil || r.Reply != nil {
			t.Errorf("%q: answered %+v, err %v", in, r, err)
		}
		var unknown *UnknownMenuError
		if errors.As(err, &unknown) {
			t.Errorf("%q: %v is not a decode error", in, err)
		}
		_ = ev
	}
}

func TestOpen(t *testing.T) {
	t.Parallel()
	e := mustEngine(t, "advanced-ivr.yaml")
	r, ok := e.Open("book_table")
	if !ok || r.Next != "book_table" || !strings.Contains(string(r.Body), `"clientActionId":"book_table"`) {
		t.Errorf("Open(book_table) = %+v, %v", r, ok)
	}
	if _, ok := e.Open("post_call"); ok {
		t.Error("post_call has no prompt to open")
	}
	if _, ok := e.Open("nope"); ok {
		t.Error("Open of an unknown menu")
	}
}
