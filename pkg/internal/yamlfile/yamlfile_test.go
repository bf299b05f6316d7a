package yamlfile

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

func TestCheckerReportsEveryProblemWhereItIs(t *testing.T) {
	var doc yaml.Node
	src := "a: 1\nb: [x]\na: 2\nz: 3\n"
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	c := &Checker{File: "f.yaml"}
	pairs := c.Pairs(doc.Content[0], "top", "a", "b")
	if len(pairs) != 2 {
		t.Errorf("%d pairs, want a and b", len(pairs))
	}
	c.Pairs(pairs[1][1], "top.b") // a list
	var got []string
	for _, e := range c.Errs {
		got = append(got, e.Error())
	}
	want := []string{
		`f.yaml:3: top: "a" is listed twice (first at line 1)`,
		`f.yaml:4: top: unknown field "z" (known: a, b)`,
		`f.yaml:2: top.b: expected a mapping, found a list`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	var e *Error
	if !errors.As(errors.Join(c.Errs...), &e) || e.Line != 3 {
		t.Errorf("errors.As: %v", e)
	}
}

func TestSyntaxError(t *testing.T) {
	var doc yaml.Node
	err := yaml.Unmarshal([]byte("a: [1, 2\nb: 3\n"), &doc)
	if err == nil {
		t.Fatal("no syntax error")
	}
	se := SyntaxError("f.yaml", err)
	if se.Line == 0 || se.Error()[:len("f.yaml:")] != "f.yaml:" {
		t.Errorf("SyntaxError = %+v", se)
	}
}
