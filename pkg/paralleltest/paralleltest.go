// Package paralleltest lets a test binary whose tests mostly wait
// (servers starting, real clocks, subprocesses, --duration runs) run more
// of its t.Parallel tests at once than go test's default of one per core.
//
// Choice: four per core. The waiting tests of pkg/webhook, cmd/campaign,
// cmd/call and the load packages were measured: at the default two (on
// 2 cores) they queued behind each other's sleeps and held a slot of go
// test's -p for seconds doing nothing; at eight the same tests took
// 0.2-0.7x the time. A -parallel given on the command line still decides.
package paralleltest

import (
	"flag"
	"runtime"
	"strconv"
)

// PerCore is how many parallel tests Raise lets run per core.
const PerCore = 4

// Raise sets -test.parallel's default to PerCore per core, unless the
// command line set it. Call it from TestMain, before m.Run.
func Raise() {
	f := flag.Lookup("test.parallel")
	if f == nil {
		return // not a test binary
	}
	if flag.Parsed() {
		set := false
		flag.Visit(func(g *flag.Flag) { set = set || g.Name == f.Name })
		if set {
			return
		}
	}
	n := strconv.Itoa(PerCore * runtime.GOMAXPROCS(0))
	f.Value.Set(n)
	f.DefValue = n
}
