// Package pgtest starts throwaway PostgreSQL servers for tests: a real
// server from the machine's PostgreSQL binaries, in a temporary directory,
// on a free port on 127.0.0.1, stopped and removed when the test ends.
// No mocks: the tests of the PostgreSQL session store run against it.
// Each cluster is a copy of one initdb kept in the temporary directory
// (ivrctl-pgtest-template-*; delete it to start over), made by the first
// test that needs it.
//
// Where the binaries are: /usr/lib/postgresql/*/bin (Debian's postgresql
// package), else initdb and pg_ctl on PATH. Without them a test is
// skipped, saying so, unless CI is set: in CI it fails. Set
// IVRCTL_TEST_POSTGRES=postgres://... to use a server of your own instead
// (each test gets a database of its own on it).
//
// PostgreSQL refuses to run as root, so as root the server runs as the
// postgres user (runuser), which the Debian package creates.
package pgtest

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the variable that points the tests at a server of yours.
const EnvURL = "IVRCTL_TEST_POSTGRES"

// Cluster is a running throwaway server.
type Cluster struct {
	bin  string // directory of pg_ctl, initdb
	dir  string // data directory (and socket directory)
	port int
	user string // OS user the server runs as ("" : this process's)
}

// DB returns the URL of an empty database of the test's own: on the
// server EnvURL names, or on one cluster shared by the package's tests
// when its TestMain calls Main (else on a cluster of the test's own).
func DB(t testing.TB) string {
	t.Helper()
	if base := os.Getenv(EnvURL); base != "" {
		return freshDatabase(t, base)
	}
	if !mainRunning {
		return New(t).URL()
	}
	sharedOnce.Do(func() {
		shared, sharedErr = start()
	})
	if sharedErr != nil {
		skipOrFail(t, sharedErr)
	}
	return freshDatabase(t, shared.URL())
}

var (
	mainRunning bool
	sharedOnce  sync.Once
	shared      *Cluster
	sharedErr   error
)

// Main runs the package's tests, then stops the cluster DB shared among
// them. Call it from TestMain: os.Exit(pgtest.Main(m)).
func Main(m *testing.M) int {
	mainRunning = true
	code := m.Run()
	if shared != nil {
		shared.run("pg_ctl", "-D", shared.data(), "-m", "immediate", "-w", "stop")
		os.RemoveAll(shared.dir)
	}
	return code
}

// errNoBinaries says the server binaries are missing.
type errNoBinaries struct{ msg string }

func (e errNoBinaries) Error() string { return e.msg }

func skipOrFail(t testing.TB, err error) {
	t.Helper()
	if nb, ok := err.(errNoBinaries); ok {
		if os.Getenv("CI") == "" {
			t.Skip(nb.msg)
		}
		t.Fatal(nb.msg + " (CI is set: PostgreSQL tests must run)")
	}
	t.Fatal(err)
}

// New starts a cluster of the test's own (one it may Stop and Start),
// stopped and removed when the test ends.
func New(t testing.TB) *Cluster {
	t.Helper()
	c, err := start()
	if c != nil {
		t.Cleanup(func() {
			c.run("pg_ctl", "-D", c.data(), "-m", "immediate", "-w", "stop")
			os.RemoveAll(c.dir)
		})
	}
	if err != nil {
		skipOrFail(t, err)
	}
	return c
}

func start() (*Cluster, error) {
	bin := findBin()
	if bin == "" {
		return nil, errNoBinaries{"no PostgreSQL server binaries (initdb, pg_ctl) in /usr/lib/postgresql/*/bin or on PATH: install Debian's postgresql package, or set " + EnvURL + "=postgres://..."}
	}
	c := &Cluster{bin: bin}
	if os.Geteuid() == 0 {
		if _, err := user.Lookup("postgres"); err != nil {
			return nil, fmt.Errorf("running as root: PostgreSQL refuses root and there is no postgres user to run it as: %w", err)
		}
		c.user = "postgres"
	}
	dir, err := os.MkdirTemp("", "ivrctl-pgtest-")
	if err != nil {
		return nil, err
	}
	c.dir = dir
	if c.user != "" {
		if out, err := exec.Command("chown", c.user, dir).CombinedOutput(); err != nil {
			return c, fmt.Errorf("chown %s: %v: %s", dir, err, out)
		}
	}
	tmpl, err := template(c)
	if err != nil {
		return c, err
	}
	// cp -a keeps the owner (the postgres user when run as root) and the
	// data directory's 0700, which the server insists on.
	if out, err := exec.Command("cp", "-a", tmpl, c.data()).CombinedOutput(); err != nil {
		return c, fmt.Errorf("copying the initdb template: %v: %s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return c, err
	}
	c.port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return c, c.start()
}

func (c *Cluster) data() string { return filepath.Join(c.dir, "data") }

// template returns the data directory of a cluster initdb made once for
// this user and these binaries, kept in the temporary directory and
// copied for every cluster: initdb takes a second or more of CPU, a copy
// a fraction of it, and the tests start several clusters. Concurrent test
// binaries may each make one; the first to rename it into place wins.
func template(c *Cluster) (string, error) {
	templateOnce.Do(func() { templateDir, templateErr = makeTemplate(c) })
	return templateDir, templateErr
}

var (
	templateOnce sync.Once
	templateDir  string
	templateErr  error
)

// templateDone marks a complete template (initdb writes PG_VERSION
// early, so its presence says nothing).
const templateDone = "ivrctl-template-complete"

func makeTemplate(c *Cluster) (string, error) {
	sum := sha256.Sum256([]byte(c.bin))
	final := filepath.Join(os.TempDir(), fmt.Sprintf("ivrctl-pgtest-template-%d-%x", os.Geteuid(), sum[:6]))
	data := filepath.Join(final, "data")
	if _, err := os.Stat(filepath.Join(final, templateDone)); err == nil {
		return data, nil
	}
	// Never remove final here: another test binary may have renamed its
	// complete template into place since the check, and be copying it.
	tmp, err := os.MkdirTemp("", "ivrctl-pgtest-template-")
	if err != nil {
		return "", err
	}
	build := &Cluster{bin: c.bin, dir: tmp, user: c.user}
	if c.user != "" {
		if out, err := exec.Command("chown", c.user, tmp).CombinedOutput(); err != nil {
			os.RemoveAll(tmp)
			return "", fmt.Errorf("chown %s: %v: %s", tmp, err, out)
		}
	}
	if out, err := build.run("initdb", "-D", build.data(), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync", "--locale=C"); err != nil {
		os.RemoveAll(tmp)
		return "", fmt.Errorf("initdb: %v\n%s", err, out)
	}
	if err := os.WriteFile(filepath.Join(tmp, templateDone), nil, 0o644); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	if err := os.Rename(tmp, final); err != nil {
		if _, serr := os.Stat(filepath.Join(final, templateDone)); serr == nil {
			// Another test binary got there first: use its template.
			os.RemoveAll(tmp)
			return data, nil
		}
		// Something incomplete holds the name: this process keeps its
		// own template where initdb made it.
		return build.data(), nil
	}
	return data, nil
}

// URL is the cluster's postgres database as superuser postgres.
func (c *Cluster) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

// Start starts the server again and waits until it accepts connections.
func (c *Cluster) Start(t testing.TB) {
	t.Helper()
	if err := c.start(); err != nil {
		t.Fatal(err)
	}
}

func (c *Cluster) start() error {
	opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -c unix_socket_directories=%s -c max_connections=200", c.port, c.dir)
	if out, err := c.run("pg_ctl", "-D", c.data(), "-o", opts, "-l", filepath.Join(c.dir, "log"), "-w", "-t", "60", "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "log"))
		return fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	return nil
}

// Stop stops the server (fast: sessions cut, no waiting for clients).
func (c *Cluster) Stop(t testing.TB) {
	t.Helper()
	if out, err := c.run("pg_ctl", "-D", c.data(), "-m", "fast", "-w", "stop"); err != nil {
		t.Fatalf("pg_ctl stop: %v\n%s", err, out)
	}
}

func (c *Cluster) run(tool string, args ...string) ([]byte, error) {
	path := filepath.Join(c.bin, tool)
	var cmd *exec.Cmd
	if c.user != "" {
		cmd = exec.Command("runuser", append([]string{"-u", c.user, "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	cmd.Dir = c.dir
	return cmd.CombinedOutput()
}

// findBin returns the directory holding initdb and pg_ctl, the newest
// version first; "" when there is none.
func findBin() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "pg_ctl")) {
			return d
		}
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		d := filepath.Dir(p)
		if isExec(filepath.Join(d, "initdb")) {
			return d
		}
	}
	return ""
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func isExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

var dbSeq atomic.Int64

// freshDatabase creates a database on the server at base and drops it
// when the test ends.
func freshDatabase(t testing.TB, base string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("%s: %v", EnvURL, err)
	}
	defer conn.Close(ctx)
	name := fmt.Sprintf("ivrctl_test_%d_%d", os.Getpid(), dbSeq.Add(1))
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("%s: creating a test database: %v", EnvURL, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if c, err := pgx.Connect(ctx, base); err == nil {
			c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			c.Close(ctx)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvURL, err)
	}
	u.Path = "/" + name
	return u.String()
}
