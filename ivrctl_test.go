package main

import (
	"bufio"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/ivrctl/ivrctl/pkg/paralleltest"
)

// The values TestScripts stamps into a real build, as GoReleaser does;
// testdata/script/version.txtar expects exactly these.
const (
	stampVersion = "9.9.9-test"
	stampCommit  = "0123abc"
	stampDate    = "2026-01-02T03:04:05Z"
)

// TestMain lets testscript run ivrctl's real main() as the `ivrctl`
// command: each `exec ivrctl` in a script is a fresh process with real
// exit codes and real (non-terminal) stdout and stderr.
//
// The scripts mostly wait (servers starting, --duration runs, real
// clocks), they do not compute, so more of them run at once than go
// test's default of one per core (paralleltest.Raise).
func TestMain(m *testing.M) {
	paralleltest.Raise()
	testscript.Main(m, map[string]func(){
		"ivrctl": main,
		// ivrctl as a release build: the variables GoReleaser stamps
		// (-X main.version=...) set to stampVersion..., before main runs.
		// TestLdflagsNameStampedVariables checks that .goreleaser.yaml's
		// -X flags name these variables, and .ci/run checks a real release
		// build's --version; a build here cost every run two seconds.
		"ivrctl-stamped": func() {
			version, commit, date = stampVersion, stampCommit, stampDate
			main()
		},
	})
}

// TestScripts runs testdata/script/*.txtar. Besides `ivrctl` (the test
// binary running main), the scripts get `ivrctl-stamped`, main with the
// variables GoReleaser stamps set as -X would set them (see TestMain).
// $REPO is the repository root, for comparing with committed files.
func TestScripts(t *testing.T) {
	repo, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	// `go run` in a script (docs-setup.txtar runs the README's first line)
	// needs the module and build caches; HOME is not set in scripts.
	goEnv, err := exec.Command("go", "env", "GOCACHE", "GOMODCACHE", "GOPATH").Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	goDirs := strings.Fields(string(goEnv))
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("REPO", repo)
			// No user config file leaks in: the default file is looked up here.
			env.Setenv("XDG_CONFIG_HOME", filepath.Join(env.WorkDir, ".config"))
			// Nor the user's cache of speech profiles and numbers.
			env.Setenv("XDG_CACHE_HOME", filepath.Join(env.WorkDir, ".cache"))
			// serve's sessions file goes here, not under the missing HOME.
			env.Setenv("XDG_STATE_HOME", filepath.Join(env.WorkDir, ".state"))
			for i, name := range []string{"GOCACHE", "GOMODCACHE", "GOPATH"} {
				if i < len(goDirs) {
					env.Setenv(name, goDirs[i])
				}
			}
			env.Setenv("GOPROXY", "off") // everything go run needs is in the module cache
			// The docs show serve on 8080 and emulate on 9090; scripts run
			// them on free ports instead, so that they never meet another
			// test (or another checkout's) on a fixed port. The docs-command
			// check (cmd/doccommands_test.go) reads these back as 8080/9090.
			for _, name := range []string{"SERVE_PORT", "EMULATE_PORT"} {
				port, err := freePort()
				if err != nil {
					return err
				}
				env.Setenv(name, port)
			}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits":    cmdExits,
			"fake8x8":  cmdFake8x8,
			"waitfor":  cmdWaitFor,
			"waitfile": cmdWaitFile,
			"envfile":  cmdEnvFile,
		},
	})
}

// cmdExits is `exits CODE PROG [ARGS...]`: run PROG like exec and require
// exit status CODE (exec itself only tells zero from non-zero). stdout and
// stderr are then checked as after exec.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("usage: exits CODE PROG [ARGS...] (no '!': the code says what is expected)")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: exits CODE PROG [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: bad code %q", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exits: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with %d, want %d", args[1], got, want)
	}
}

// cmdFake8x8 is `fake8x8 STATUS BODYFILE`: start a stand-in for 8x8's
// voice API on 127.0.0.1 that answers every request with STATUS and the
// contents of BODYFILE, point IVRCTL_BASE_URL at it, and write each request
// it gets to $WORK/fake8x8.request (method, path, Authorization, body) for
// the script to check. It stops when the script ends.
func cmdFake8x8(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: fake8x8 STATUS BODYFILE")
	}
	status, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("fake8x8: bad status %q", args[0])
	}
	body := ts.ReadFile(args[1])
	record := ts.MkAbs("fake8x8.request")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, _ := io.ReadAll(r.Body)
		var b strings.Builder
		b.WriteString(r.Method + " " + r.URL.Path + "\n")
		b.WriteString("Authorization: " + r.Header.Get("Authorization") + "\n")
		b.WriteString("Content-Type: " + r.Header.Get("Content-Type") + "\n\n")
		b.Write(req)
		b.WriteString("\n")
		os.WriteFile(record, []byte(b.String()), 0o600)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	ts.Defer(srv.Close)
	ts.Setenv("IVRCTL_BASE_URL", srv.URL)
}

// freePort is a TCP port on 127.0.0.1 that nothing listens on now.
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	_, port, err := net.SplitHostPort(ln.Addr().String())
	return port, err
}

// waitLimit bounds waitfor and waitfile: a server that never comes up
// fails the script rather than hanging it.
const waitLimit = 30 * time.Second

// cmdWaitFor is `waitfor HOST:PORT`: wait until a server started in the
// background (`exec ivrctl serve ... &`) accepts connections there.
func cmdWaitFor(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waitfor HOST:PORT")
	}
	deadline := time.Now().Add(waitLimit)
	for {
		c, err := net.DialTimeout("tcp", args[0], time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("waitfor %s: nothing listening after %s: %v", args[0], waitLimit, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// cmdWaitFile is `waitfile FILE REGEXP`: wait until FILE exists and matches
// REGEXP, e.g. until a background serve has written a session summary.
func cmdWaitFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: waitfile FILE REGEXP")
	}
	re, err := regexp.Compile(args[1])
	if err != nil {
		ts.Fatalf("waitfile: %v", err)
	}
	path := ts.MkAbs(args[0])
	deadline := time.Now().Add(waitLimit)
	for {
		b, err := os.ReadFile(path)
		if err == nil && re.Match(b) {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("waitfile %s: no match for %q after %s (%v)", args[0], args[1], waitLimit, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// cmdEnvFile is `envfile FILE`: what `. ./FILE` does in a shell for a file
// of `export NAME=VALUE` lines (the ivr.env `webhooks set --auth-secret
// generate` writes): set each variable for the rest of the script.
func cmdEnvFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: envfile FILE")
	}
	sc := bufio.NewScanner(strings.NewReader(ts.ReadFile(args[0])))
	n := 0
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		if !ok {
			ts.Fatalf("envfile %s: not NAME=VALUE: %q", args[0], line)
		}
		ts.Setenv(name, strings.Trim(value, `'"`))
		n++
	}
	if n == 0 {
		ts.Fatalf("envfile %s: no variables", args[0])
	}
}

// TestLdflagsNameStampedVariables: every -X main.NAME=... of
// .goreleaser.yaml names a package-level string variable of main.go that
// the linker can set (declared string, or initialised to a string
// literal): a renamed variable would otherwise ship unstamped, silently.
func TestLdflagsNameStampedVariables(t *testing.T) {
	cfg, err := os.ReadFile(".goreleaser.yaml")
	if err != nil {
		t.Fatal(err)
	}
	flags := regexp.MustCompile(`-X main\.(\w+)=`).FindAllSubmatch(cfg, -1)
	if len(flags) == 0 {
		t.Fatal(".goreleaser.yaml stamps nothing (-X main.NAME=...)")
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "main.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	settable := map[string]bool{}
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.VAR {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, name := range vs.Names {
				typed := false
				if id, ok := vs.Type.(*ast.Ident); ok && id.Name == "string" {
					typed = true
				}
				literal := false
				if i < len(vs.Values) {
					lit, ok := vs.Values[i].(*ast.BasicLit)
					literal = ok && lit.Kind == token.STRING
				}
				settable[name.Name] = typed && len(vs.Values) == 0 || literal
			}
		}
	}
	for _, m := range flags {
		if name := string(m[1]); !settable[name] {
			t.Errorf(".goreleaser.yaml: -X main.%s: main.go has no package-level string variable %s initialised to a literal", name, name)
		}
	}
}
