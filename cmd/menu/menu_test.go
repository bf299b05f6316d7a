package menucmd_test

import (
	"bytes"
	"context"
	"flag"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ivrctl/ivrctl/cmd"
	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/cmd/cmdutil/cmdtest"
	"github.com/ivrctl/ivrctl/pkg/golden"
)

func TestMain(m *testing.M) {
	flag.Parse()
	if err := os.Chdir("../.."); err != nil { // paths as a user types them
		panic(err)
	}
	os.Exit(cmdtest.Main(m))
}

type result struct {
	out, err string
	code     int
}

func run(t *testing.T, args ...string) result {
	t.Helper()
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfg, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	io, _, out, errOut := cmdutil.Test()
	code := cmd.Execute(cmd.BuildInfo{}, append([]string{"--config", cfg}, args...), io)
	return result{out.String(), errOut.String(), code}
}

var menus = map[string]string{
	"simple":   "testdata/menus/simple-ivr.yaml",
	"advanced": "testdata/menus/advanced-ivr.yaml",
}

// TestGraphGolden draws both shipped menus in every text format, with and
// without a coverage overlay.
func TestGraphGolden(t *testing.T) {
	for name, file := range menus {
		for _, format := range []string{"mermaid", "dot", "json"} {
			ext := map[string]string{"mermaid": "mmd", "dot": "dot", "json": "json"}[format]
			t.Run(name+"/"+format, func(t *testing.T) {
				r := run(t, "menu", "graph", "--format", format, file)
				if r.code != 0 || r.err != "" {
					t.Fatalf("exit %d: %s", r.code, r.err)
				}
				golden.Text(t, filepath.Join("cmd/menu/testdata", name+"."+ext), r.out)
			})
			if name == "advanced" {
				t.Run(name+"/"+format+"/cover", func(t *testing.T) {
					r := run(t, "menu", "graph", "--format", format, "--cover", "cmd/menu/testdata/advanced-partial.json", file)
					if r.code != 0 || r.err != "" {
						t.Fatalf("exit %d: %s", r.code, r.err)
					}
					golden.Text(t, filepath.Join("cmd/menu/testdata", name+"-cover."+ext), r.out)
				})
			}
		}
	}
}

// TestGraphDefaultIsSimple: no FILE is the embedded simple IVR, whose
// file testdata/menus/simple-ivr.yaml is a copy.
func TestGraphDefaultIsSimple(t *testing.T) {
	def, file := run(t, "menu", "graph"), run(t, "menu", "graph", "testdata/menus/simple-ivr.yaml")
	if def.code != 0 || file.code != 0 || def.out != file.out {
		t.Errorf("default graph differs from simple-ivr.yaml's:\n%s", cmp.Diff(file.out, def.out))
	}
}

// TestDOTAcceptedByGraphviz renders every DOT golden with Graphviz. In CI
// (CI set) a missing dot fails the test: .ci/run installs it.
func TestDOTAcceptedByGraphviz(t *testing.T) {
	if _, err := exec.LookPath("dot"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("Graphviz's dot is not on PATH; CI must install it (apt-get install graphviz)")
		}
		t.Skip("Graphviz's dot is not on PATH (apt-get install graphviz)")
	}
	files, _ := filepath.Glob("cmd/menu/testdata/*.dot")
	if len(files) < 3 {
		t.Fatalf("only %d DOT goldens", len(files))
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		c := exec.CommandContext(context.Background(), "dot", "-Tsvg")
		c.Stdin = bytes.NewReader(src)
		var stderr bytes.Buffer
		c.Stderr = &stderr
		out, err := c.Output()
		if err != nil || stderr.Len() > 0 {
			t.Errorf("%s: dot: %v: %s", f, err, stderr.String())
			continue
		}
		if !bytes.Contains(out, []byte("<svg")) {
			t.Errorf("%s: dot wrote no SVG", f)
		}
	}
}

// TestGraphSVG runs dot through the command; the coverage classes reach
// the SVG.
func TestGraphSVG(t *testing.T) {
	if _, err := exec.LookPath("dot"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("Graphviz's dot is not on PATH; CI must install it")
		}
		t.Skip("no dot")
	}
	r := run(t, "menu", "graph", "--format", "svg", "--cover", "cmd/menu/testdata/advanced-partial.json", menus["advanced"])
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	for _, want := range []string{"<svg", `id="path:main_menu:1:option"`, `class="edge covered"`, `class="edge uncovered"`, "never played"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("SVG lacks %s", want)
		}
	}
}

// TestGraphSVGWithoutDot: no Graphviz on PATH is a clear error saying how
// to get it.
func TestGraphSVGWithoutDot(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	r := run(t, "menu", "graph", "--format", "svg")
	if r.code != 2 || !strings.Contains(r.err, "needs Graphviz's dot on PATH") || !strings.Contains(r.err, "apt-get install graphviz") || !strings.Contains(r.err, "brew install graphviz") {
		t.Errorf("exit %d, stderr:\n%s", r.code, r.err)
	}
}

// TestBadInput: every subcommand gives an invalid menu validate's
// file:line errors and exit 2; a profile of another menu is refused
// naming its first unknown path.
func TestBadInput(t *testing.T) {
	bad := "testdata/menus/bad/dangling-open.yaml"
	want := `testdata/menus/bad/dangling-open.yaml:7: menus.main.options["1"]: open: no menu "sales"`
	for _, args := range [][]string{
		{"menu", "graph", bad},
		{"menu", "scenarios", bad},
		{"menu", "diff", bad, menus["simple"]},
		{"menu", "diff", menus["simple"], bad},
		{"menu", "cover", "merge", "--menu", bad, "cmd/menu/testdata/advanced-partial.json"},
	} {
		r := run(t, args...)
		if r.code != 2 || !strings.Contains(r.err, want) {
			t.Errorf("%v: exit %d, stderr:\n%s", args, r.code, r.err)
		}
	}
	r := run(t, "menu", "graph", "--cover", "cmd/menu/testdata/advanced-partial.json", menus["simple"])
	if r.code != 2 || !strings.Contains(r.err, "menu main_menu: input 1 (option) is not a path of testdata/menus/simple-ivr.yaml") {
		t.Errorf("profile of another menu: exit %d, stderr:\n%s", r.code, r.err)
	}
	r = run(t, "menu", "graph", "--format", "png")
	if r.code != 2 || !strings.Contains(r.err, `--format "png": use mermaid, dot, svg or json`) {
		t.Errorf("--format png: exit %d, stderr:\n%s", r.code, r.err)
	}
}

// TestDiffPipe reads a menu through a FIFO, as <(git show ...) gives it.
func TestDiffPipe(t *testing.T) {
	data, err := os.ReadFile(menus["advanced"])
	if err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() { w.Write(data); w.Close() }()
	defer r.Close()
	res := run(t, "menu", "diff", "/dev/fd/"+strconv.Itoa(int(r.Fd())), menus["advanced"])
	if res.code != 0 || res.out != "no changes\n" {
		t.Errorf("exit %d, stdout %q, stderr %q", res.code, res.out, res.err)
	}
}

// TestCoverageSVGCurrent: docs/images/advanced-ivr-coverage.svg shows the
// advanced menu as it is, with the coverage scripts/gen-coverage-svg.sh
// records: every edge of the graph there, drawn covered or not as the
// suite says. Compared through the edge ids and classes the DOT carries
// into the SVG, so the test needs no Graphviz (and no exact version).
func TestCoverageSVGCurrent(t *testing.T) {
	profile := filepath.Join(t.TempDir(), "cover.json")
	dir := "testdata/scenarios/advanced-ivr"
	if r := run(t, "test", "--coverprofile", profile, dir+"/main-menu.yaml", dir+"/reservations.yaml", dir+"/pickup.yaml"); r.code != 0 {
		t.Fatalf("test: exit %d: %s", r.code, r.err)
	}
	r := run(t, "menu", "graph", "--format", "dot", "--cover", profile, menus["advanced"])
	if r.code != 0 {
		t.Fatalf("graph: exit %d: %s", r.code, r.err)
	}
	want := map[string]string{}
	for _, m := range regexp.MustCompile(`\[id="([^"]+)"(?:, label="[^"]*")?(?:, class="([a-z]+)")?`).FindAllStringSubmatch(r.out, -1) {
		if strings.HasPrefix(m[1], "path:") || strings.HasPrefix(m[1], "next:") {
			want[m[1]] = m[2]
		}
	}
	svg, err := os.ReadFile("docs/images/advanced-ivr-coverage.svg")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, m := range regexp.MustCompile(`<g id="([^"]+)" class="edge ?([a-z]*)"`).FindAllStringSubmatch(string(svg), -1) {
		if id := html.UnescapeString(m[1]); !strings.HasPrefix(id, "legend:") {
			got[id] = m[2]
		}
	}
	if len(want) < 27 {
		t.Fatalf("only %d edges in the DOT", len(want))
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("docs/images/advanced-ivr-coverage.svg is stale: run scripts/gen-coverage-svg.sh (-want +got):\n%s", d)
	}
}
