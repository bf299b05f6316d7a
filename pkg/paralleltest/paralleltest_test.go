package paralleltest

import (
	"flag"
	"runtime"
	"strconv"
	"testing"
)

// go test parses the flags before TestMain's m.Run when TestMain calls
// flag.Parse (several do); Raise then keeps a -test.parallel the command
// line gave and raises one it did not.
func TestRaiseKeepsTheCommandLines(t *testing.T) {
	f := flag.Lookup("test.parallel")
	old := f.Value.String()
	t.Cleanup(func() { f.Value.Set(old) })

	explicit := false
	flag.Visit(func(g *flag.Flag) { explicit = explicit || g.Name == f.Name })
	Raise()
	want := strconv.Itoa(PerCore * runtime.GOMAXPROCS(0))
	if explicit {
		want = old
	}
	if got := f.Value.String(); got != want {
		t.Errorf("-test.parallel = %s after Raise (given on the command line: %v), want %s", got, explicit, want)
	}
}
