// Command ivrctl places, serves and tests IVR calls on the 8x8 Voice
// Callflows API.
package main

import (
	"os"
	"runtime/debug"

	"github.com/ivrctl/ivrctl/cmd"
	"github.com/ivrctl/ivrctl/cmd/cmdutil"
)

// Stamped at link time by GoReleaser (-X main.version=...).
var (
	version = "dev"
	commit  = "none"
	date    = "unknown"
)

func main() {
	info := cmd.BuildInfo{Version: version, Commit: commit, Date: date}
	// `go install github.com/ivrctl/ivrctl@v1.2.3` stamps nothing, but the
	// module version is in the binary's build info.
	if bi, ok := debug.ReadBuildInfo(); ok && info.Version == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		info.Version = bi.Main.Version
	}
	os.Exit(cmd.Execute(info, os.Args[1:], cmdutil.System()))
}
