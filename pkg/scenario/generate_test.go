package scenario

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ivrctl/ivrctl/pkg/menu"
)

// randomMenu writes a menu file: a few menus, each opened by an option of
// an earlier one (so all are reachable), with options that open, retry,
// say and hang up, connect (with a then menu, or not), other and noInput
// written or not, one or two tries. Connects lead only to menus that ask
// nothing, so no call needs a second connect.
func randomMenu(r *rand.Rand) string {
	n := 1 + r.IntN(4)
	var b strings.Builder
	fmt.Fprintf(&b, "start: m0\nnumbers: {from: \"6512345678\", agent: \"6561115777\"}\ncapture: {voiceProfile: en-US-BenjaminRUS, minDigits: 1, maxDigits: 1, noOfTries: %d, failureMessage: Sorry}\nsay: {voiceProfile: en-US-BenjaminRUS}\nmenus:\n", 1+r.IntN(2))
	opens := make([][]int, n) // opens[i]: the menus menu i's options open
	for i := 1; i < n; i++ {
		p := r.IntN(i)
		opens[p] = append(opens[p], i)
	}
	after := r.IntN(2) == 0 // a menu that answers after a connect
	usedAfter := false
	for i := range n {
		fmt.Fprintf(&b, "  m%d:\n    prompt: \"Menu %d, choose\"\n", i, i)
		if r.IntN(2) == 0 {
			fmt.Fprintf(&b, "    retryPrompt: \"Again, menu %d\"\n", i)
		}
		b.WriteString("    options:\n")
		keys := r.Perm(9)
		k := 0
		key := func() string { k++; return fmt.Sprint(keys[k-1] + 1) }
		for _, t := range opens[i] {
			fmt.Fprintf(&b, "      \"%s\": {open: m%d}\n", key(), t)
		}
		for range 1 + r.IntN(3) {
			switch r.IntN(6) {
			case 0:
				fmt.Fprintf(&b, "      \"%s\": hangup\n", key())
			case 1:
				fmt.Fprintf(&b, "      \"%s\": [{say: \"Bye from %d\"}, hangup]\n", key(), i)
			case 2:
				fmt.Fprintf(&b, "      \"%s\": retry\n", key())
			case 3:
				fmt.Fprintf(&b, "      \"%s\": [{say: \"Back\"}, {open: m%d}]\n", key(), r.IntN(n))
			case 4:
				if after {
					fmt.Fprintf(&b, "      \"%s\": {connect: agent, then: after}\n", key())
					usedAfter = true
				} else {
					fmt.Fprintf(&b, "      \"%s\": {connect: agent}\n", key())
				}
			case 5:
				fmt.Fprintf(&b, "      \"%s\": [{say: \"Connecting\"}, {connect: \"6560000001\"}, {say: \"Done\"}]\n", key())
			}
		}
		switch r.IntN(3) {
		case 0:
			b.WriteString("    other: [{say: \"Invalid\"}, hangup]\n")
		case 1:
			b.WriteString("    other: retry\n")
		}
		if r.IntN(2) == 0 {
			fmt.Fprintf(&b, "    noInput: {open: m%d}\n", r.IntN(n))
		}
	}
	if usedAfter {
		b.WriteString("  after:\n    other: [{say: \"Thanks\"}, hangup]\n")
	}
	return b.String()
}

// TestGeneratedScenariosPassAndCover is the property: for any menu, the
// scenarios written from it, read back from YAML and played through the
// emulator against it, all pass and play every path.
func TestGeneratedScenariosPassAndCover(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for seed := range uint64(30) {
		r := rand.New(rand.NewPCG(seed, 12))
		src := randomMenu(r)
		menuFile := filepath.Join(dir, fmt.Sprintf("menu-%d.yaml", seed))
		if err := os.WriteFile(menuFile, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		m, err := menu.Parse(menuFile, []byte(src))
		if err != nil {
			t.Fatalf("seed %d: %v\n%s", seed, err, src)
		}
		eng, err := menu.Compile(m, menu.Numbers{})
		if err != nil {
			t.Fatalf("seed %d: %v\n%s", seed, err, src)
		}
		gens, skipped, err := Generate(eng)
		if err != nil || len(skipped) > 0 {
			t.Fatalf("seed %d: %v, skipped %v\n%s", seed, err, skipped, src)
		}
		var buf bytes.Buffer
		if err := WriteYAML(&buf, gens, nil, WriteOptions{Source: menuFile}); err != nil {
			t.Fatal(err)
		}
		scen := filepath.Join(dir, fmt.Sprintf("gen-%d.yaml", seed))
		if err := os.WriteFile(scen, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		ss, err := LoadWith([]string{scen}, LoadOptions{Menu: menuFile})
		if err != nil {
			t.Fatalf("seed %d: generated scenarios do not load: %v\n%s", seed, err, buf.String())
		}
		if len(ss) != len(menu.NewGraph(eng).Paths()) {
			t.Errorf("seed %d: %d scenarios for %d paths", seed, len(ss), len(menu.NewGraph(eng).Paths()))
		}
		results := (&Runner{}).Run(context.Background(), ss, nil)
		for _, res := range results {
			if !res.Passed() {
				t.Errorf("seed %d: %s failed: %v %+v\nmenu:\n%s", seed, res.Scenario.Name, res.Err, res.Failures, src)
			}
		}
		menus, _ := Coverage(results)
		if p := menus[0].Counter.Profile(); p.Covered != p.Total {
			t.Errorf("seed %d: %s, missing %v\nmenu:\n%s", seed, p.Summary(), p.Missing(), src)
		}
	}
}

// TestGenerateSkipsUnplayable: an option the capture settings cannot take
// is reported, not written as a scenario bound to fail.
func TestGenerateSkipsUnplayable(t *testing.T) {
	t.Parallel()
	src := "start: m\nnumbers: {from: \"6512345678\"}\ncapture: {voiceProfile: en-US-BenjaminRUS, maxDigits: 1}\nmenus:\n  m:\n    prompt: Choose\n    options:\n      \"12\": hangup\n      \"1\": hangup\n"
	m, err := menu.Parse("m.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	eng, err := menu.Compile(m, menu.Numbers{})
	if err != nil {
		t.Fatal(err)
	}
	gens, skipped, err := Generate(eng)
	if err != nil {
		t.Fatal(err)
	}
	if len(gens) != 3 || len(skipped) != 1 || skipped[0].Reason != `menu m: "12" cannot be entered: the prompt takes 1 to 1 digits, # ending the entry (completeOnHash)` {
		t.Errorf("%d generated, skipped %+v", len(gens), skipped)
	}
}
