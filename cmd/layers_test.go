package cmd_test

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// The import graph has no arrow from pkg/ back to cmd/, and only cmd/
// touches the CLI and colour libraries (docs/architecture.md): the
// engines in pkg/ run the same under every command, a test or another
// program. This fails naming the package and the import that breaks it,
// counting pkg/'s tests and everything pkg/ depends on.
func TestPkgImportsNoCLI(t *testing.T) {
	t.Parallel()
	const module = "github.com/ivrctl/ivrctl"
	forbidden := func(path string) bool {
		for _, p := range []string{module + "/cmd", "github.com/spf13/cobra", "github.com/spf13/viper",
			"github.com/spf13/pflag", "github.com/fatih/color", "github.com/mattn/go-isatty"} {
			if path == p || strings.HasPrefix(path, p+"/") {
				return true
			}
		}
		return false
	}
	// -deps: pkg/'s packages and every package they import, each with its
	// own imports (and, for pkg/'s, those of its tests).
	out, err := exec.Command("go", "list", "-deps", "-test=false", "-json=ImportPath,Imports,TestImports,XTestImports", "../pkg/...").Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	seen := 0
	for {
		var p struct {
			ImportPath                         string
			Imports, TestImports, XTestImports []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		inPkg := strings.HasPrefix(p.ImportPath, module+"/pkg/")
		if inPkg {
			seen++
		}
		if forbidden(p.ImportPath) {
			t.Errorf("pkg/ depends on %s", p.ImportPath)
			continue // its own imports say nothing more
		}
		imports := p.Imports
		if inPkg {
			imports = append(append(imports, p.TestImports...), p.XTestImports...)
		}
		for _, imp := range imports {
			if forbidden(imp) {
				t.Errorf("%s imports %s: pkg/ must not import cmd/ or a CLI/colour library", p.ImportPath, imp)
			}
		}
	}
	if seen < 10 {
		t.Fatalf("go list found %d packages under pkg/: the check saw too little", seen)
	}
}
