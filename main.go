// Command ivrctl places, serves and tests IVR calls on the 8x8 Voice
// Callflows API.
package main

import (
	"os"

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
	os.Exit(cmd.Execute(cmd.BuildInfo{Version: version, Commit: commit, Date: date}, os.Args[1:], cmdutil.System()))
}
