package replay

import (
	"fmt"
	"os"
	"sync/atomic"
	"testing"

	"github.com/ivrctl/ivrctl/pkg/menu"
)

// Stream hands the outcomes on in input order while never holding more
// than Window inputs, and drops each input's data once handed on.
func TestStreamOrderAndWindow(t *testing.T) {
	t.Parallel()
	eng, err := menu.Compile(menu.Default(), menu.Numbers{})
	if err != nil {
		t.Fatal(err)
	}
	event, err := os.ReadFile("../../testdata/dtmf1.json")
	if err != nil {
		t.Fatal(err)
	}
	const n = 3*Window + 17
	var loaded atomic.Int64
	inputs := make([]*Input, n)
	for i := range inputs {
		inputs[i] = &Input{Name: fmt.Sprintf("%05d.json", i), load: func(in *Input) {
			loaded.Add(1)
			in.Data = event
		}}
	}
	delivered := 0
	Stream(eng, inputs, nil, func(o *Outcome) {
		if want := fmt.Sprintf("%05d.json", delivered); o.Input.Name != want {
			t.Fatalf("outcome %d is %s, want %s", delivered, o.Input.Name, want)
		}
		if o.Err != nil {
			t.Fatalf("%s: %v", o.Input.Name, o.Err)
		}
		if inHand := loaded.Load() - int64(delivered); inHand > Window {
			t.Fatalf("%d inputs in hand at outcome %d, window %d", inHand, delivered, Window)
		}
		delivered++
	})
	if delivered != n {
		t.Fatalf("%d outcomes, want %d", delivered, n)
	}
	for _, in := range inputs {
		if in.Data != nil {
			t.Fatalf("%s: data kept after it was handed on", in.Name)
		}
	}
}
