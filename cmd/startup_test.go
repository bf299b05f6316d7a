package cmd

import (
	"strings"
	"testing"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
)

// BenchmarkVersion is `ivrctl --version` after package initialisation:
// the command tree it builds and runs (allocs/op is the measure).
// GODEBUG=inittrace=1 ivrctl --version measures the initialisation.
func BenchmarkVersion(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		io, _, out, _ := cmdutil.Test()
		if code := Execute(BuildInfo{Version: "bench"}, []string{"--version"}, io); code != 0 || !strings.HasPrefix(out.String(), "ivrctl bench") {
			b.Fatalf("exit %d: %q", code, out)
		}
	}
}

// BenchmarkHelp is `ivrctl --help`, which needs the whole tree: the
// reference a lazy --version is measured against.
func BenchmarkHelp(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		io, _, out, _ := cmdutil.Test()
		if code := Execute(BuildInfo{Version: "bench"}, []string{"--help"}, io); code != 0 || !strings.Contains(out.String(), "Available Commands") {
			b.Fatalf("exit %d: %q", code, out)
		}
	}
}

// --version alone is answered without the subcommands, exactly as the
// whole tree answers it; anything more builds the whole tree.
func TestVersionWithoutTree(t *testing.T) {
	full := NewRootCmd(cmdutil.NewFactory(func() *cmdutil.IOStreams { io, _, _, _ := cmdutil.Test(); return io }(), "x"), BuildInfo{Version: "1.2.3", Commit: "c", Date: "d"})
	want := "ivrctl " + full.Version + "\n"
	for _, args := range [][]string{{"--version"}, {"-v"}, {"--version=true"}, {"--no-color", "--version"}} {
		io, _, out, errOut := cmdutil.Test()
		code := Execute(BuildInfo{Version: "1.2.3", Commit: "c", Date: "d"}, args, io)
		if code != 0 || out.String() != want || errOut.Len() != 0 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %q", args, code, out, errOut, want)
		}
	}
	if versionOnly([]string{"--version", "call"}) || versionOnly([]string{"call", "--version"}) || versionOnly(nil) {
		t.Error("versionOnly took a command line naming more than the version")
	}
}
