package coverage

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ivrctl/ivrctl/pkg/menu"
)

func graph(t *testing.T, file string) *menu.Graph {
	t.Helper()
	m := menu.Default()
	if file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if m, err = menu.Parse(file, data); err != nil {
			t.Fatal(err)
		}
	}
	e, err := menu.Compile(m, menu.Numbers{})
	if err != nil {
		t.Fatal(err)
	}
	return menu.NewGraph(e)
}

// TestAnswered routes events as the engine answers them.
func TestAnswered(t *testing.T) {
	t.Parallel()
	c := NewCounter(graph(t, "../../testdata/menus/advanced-ivr.yaml"))
	c.Answered("", "1")             // main_menu 1
	c.Answered("reservations", "7") // other
	c.Answered("reservations", "")  // noInput (implicit)
	c.Answered("post_call", "")     // a menu asking nothing: its other
	c.Answered("main_menu", "3")    // main_menu 3
	c.Answered("nowhere", "1")      // not counted
	p := c.Profile()
	for path, want := range map[menu.Path]int{
		{Menu: "main_menu", Input: "1", Kind: menu.EdgeOption}:           1,
		{Menu: "main_menu", Input: "3", Kind: menu.EdgeOption}:           1,
		{Menu: "reservations", Input: "other", Kind: menu.EdgeOther}:     1,
		{Menu: "reservations", Input: "noInput", Kind: menu.EdgeNoInput}: 1,
		{Menu: "post_call", Input: "other", Kind: menu.EdgeOther}:        1,
	} {
		if got := p.Hits(path); got != want {
			t.Errorf("%s: %d hits, want %d", path, got, want)
		}
	}
	if p.Covered != 5 || p.Total != 27 || p.Summary() != "coverage: 5 of 27 menu paths (18.5%)" {
		t.Errorf("%s", p.Summary())
	}
	if got := c.Problems(); len(got) != 1 || !strings.Contains(got[0], `clientActionId "nowhere" names no menu`) {
		t.Errorf("problems %q", got)
	}
}

// TestProblemsBounded: a backend naming a new unknown menu every time
// does not grow the problems without limit.
func TestProblemsBounded(t *testing.T) {
	t.Parallel()
	c := NewCounter(graph(t, ""))
	for i := range 100 {
		c.Answered(fmt.Sprintf("menu-%d", i), "1")
		c.Answered("menu-0", "1")
	}
	got := c.Problems()
	if len(got) != maxProblems+1 || got[maxProblems] != "more events were not counted (the first are listed above)" {
		t.Errorf("%d problems, the last %q", len(got), got[len(got)-1])
	}
}

// TestMerge adds hits path by path and refuses a profile of another menu,
// naming its first unknown path.
func TestMerge(t *testing.T) {
	t.Parallel()
	g := graph(t, "")
	a, b := NewCounter(g), NewCounter(g)
	a.Answered("", "1")
	a.Answered("", "7")
	b.Answered("", "1")
	b.Answered("", "")
	m, err := Merge([]string{"a.json", "b.json"}, []*Profile{a.Profile(), b.Profile()})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, h := range m.Paths {
		got[h.Input] = h.Hits
	}
	if d := cmp.Diff(map[string]int{"1": 2, "2": 0, "other": 1, "noInput": 1}, got); d != "" || m.Covered != 3 || m.Total != 4 {
		t.Errorf("merged %s (-want +got):\n%s", m.Summary(), d)
	}
	// Read back from its JSON, it is the same profile.
	back, err := Parse("m.json", m.Marshal())
	if err != nil || !cmp.Equal(m, back) {
		t.Errorf("round trip: %v\n%s", err, cmp.Diff(m, back))
	}

	other := NewCounter(graph(t, "../../testdata/menus/advanced-ivr.yaml")).Profile()
	_, err = Merge([]string{"a.json", "adv.json"}, []*Profile{a.Profile(), other})
	var unknown *UnknownPathError
	if !errors.As(err, &unknown) || err.Error() != "adv.json: menu main_menu: input 1 (option) is not a path of simple-ivr.yaml (embedded) (the menu of a.json): a profile of another menu (or an older version of it)?" {
		t.Errorf("got %v", err)
	}
	if _, err := other.For("adv.json", g); err == nil || !strings.HasPrefix(err.Error(), "adv.json: menu main_menu: input 1 (option) is not a path of simple-ivr.yaml (embedded)") {
		t.Errorf("For: %v", err)
	}
	short := a.Profile()
	short.Paths = short.Paths[:2]
	if _, err := Merge([]string{"a.json", "short.json"}, []*Profile{a.Profile(), short}); err == nil || !strings.Contains(err.Error(), "short.json: menu main: input other (other) of simple-ivr.yaml (embedded) (the menu of a.json) is missing") {
		t.Errorf("short: %v", err)
	}
}

func TestParseRefuses(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ data, want string }{
		{`{"paths":[{"menu":"m","input":"1","kind":"option","hits":-1}]}`, "p.json: paths[0]: hits -1 is negative"},
		{`{"paths":[{"menu":"m","input":"1","kind":"sideways","hits":1}]}`, "p.json: paths[0]: needs a menu, an input and a kind"},
		{`{"paths":[{"menu":"m","input":"1","kind":"option"},{"menu":"m","input":"1","kind":"option"}]}`, "p.json: paths[1]: menu m: input 1 (option) listed twice"},
		{`{"covered":1}`, "p.json: not a coverage profile: no paths"},
		{`{"paths":[],"extra":1}`, `p.json: not a coverage profile: json: unknown field "extra"`},
		{`not json`, "p.json: not a coverage profile"},
	} {
		if _, err := Parse("p.json", []byte(tt.data)); err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want %s", tt.data, err, tt.want)
		}
	}
	if _, err := Read("big.json", strings.NewReader(strings.Repeat(" ", MaxProfileBytes+1))); err == nil || !strings.Contains(err.Error(), "larger than 8 MiB") {
		t.Errorf("big: %v", err)
	}
}

func TestGate(t *testing.T) {
	t.Parallel()
	c := NewCounter(graph(t, ""))
	c.Answered("", "1")
	p := c.Profile()
	if err := Gate(p, 25); err != nil {
		t.Errorf("25%%: %v", err)
	}
	err := Gate(p, 50)
	want := "coverage 25.0% is below --cover-min 50%: menu main: input 2 (option) never played; menu main: input other (other) never played; menu main: input noInput (noInput) never played"
	if err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
	if FormatPercent(99.96) != "99.9%" || FormatPercent(100) != "100.0%" {
		t.Errorf("%s %s", FormatPercent(99.96), FormatPercent(100))
	}
}
