package menu

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkAnswerJSON measures one webhook turn as serve sees it: event
// bytes in, response bytes out.
func BenchmarkAnswerJSON(b *testing.B) {
	for _, bc := range []struct{ name, menu, event string }{
		{"simple", "simple-ivr.yaml", "dtmf3.json"},
		{"advanced", "advanced-ivr.yaml", "eventdata-dtmf1.json"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			e := mustEngine(b, bc.menu)
			data, err := os.ReadFile(filepath.Join("..", "..", "testdata", bc.event))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			var out int
			for b.Loop() {
				_, r, err := e.AnswerJSON(data)
				if err != nil {
					b.Fatal(err)
				}
				out += len(r.Reply.Body)
			}
			if out == 0 {
				b.Fatal("no reply bytes")
			}
		})
	}
}

func mustEngine(tb testing.TB, name string) *Engine {
	tb.Helper()
	file := filepath.Join("..", "..", "testdata", "menus", name)
	data, err := os.ReadFile(file)
	if err != nil {
		tb.Fatal(err)
	}
	m, err := Parse(file, data)
	if err != nil {
		tb.Fatal(err)
	}
	e, err := Compile(m, Numbers{})
	if err != nil {
		tb.Fatal(err)
	}
	return e
}
