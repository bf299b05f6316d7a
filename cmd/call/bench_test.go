package call_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/cmd"
	"github.com/ivrctl/ivrctl/cmd/cmdutil"
)

// fakeServerEnv makes the test binary a fake 8x8 (see TestMain), so the
// benchmark's CPU figures are the client's alone.
const fakeServerEnv = "CALLBENCH_FAKE_SERVER"

// serveFake answers every request CREATED until stdin closes, after
// printing its URL.
func serveFake() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Write(createdBody)
	}))
	fmt.Println(srv.URL)
	io.Copy(io.Discard, os.Stdin)
	srv.Close()
}

// cpuOf is a process's user+system CPU time, from /proc (Linux).
func cpuOf(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	ut, _ := strconv.Atoi(f[11])
	st, _ := strconv.Atoi(f[12])
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkBatch10k places 10,000 calls, rate limit off, against a fake
// 8x8 in another process, through the whole command (flags, validation,
// client, ordered JSON output). Run with -benchtime=1x:
//
//	go test ./cmd/call -run '^$' -bench Batch10k -benchtime 1x
func BenchmarkBatch10k(b *testing.B) {
	const calls = 10000
	server := exec.Command(os.Args[0], "-test.run=^$")
	server.Env = append(os.Environ(), fakeServerEnv+"=1")
	stdin, _ := server.StdinPipe()
	stdout, _ := server.StdoutPipe()
	if err := server.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { stdin.Close(); server.Wait() }()
	url, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		b.Fatal(err)
	}
	url = strings.TrimSpace(url)

	dir := b.TempDir()
	var numbers strings.Builder
	for i := range calls {
		fmt.Fprintf(&numbers, "65%08d\n", i)
	}
	numbersPath := filepath.Join(dir, "numbers.txt")
	os.WriteFile(numbersPath, []byte(numbers.String()), 0o600)
	cfg := filepath.Join(dir, "config.yaml")
	os.WriteFile(cfg, fmt.Appendf(nil, "api-key: %s\nsubaccount: %s\nfrom: %q\n", testKey, testSub, seedFrom), 0o600)

	for _, conc := range []int{4, 16} {
		b.Run(fmt.Sprintf("concurrency=%d", conc), func(b *testing.B) {
			var wall, clientCPU, serverCPU time.Duration
			for range b.N {
				ios, _, out, errOut := cmdutil.Test()
				root := cmd.NewRootCmd(cmdutil.NewFactory(ios, "bench"), cmd.BuildInfo{})
				root.SetArgs([]string{"call", "--config", cfg, "--base-url", url, "--to-file", numbersPath,
					"--rate", "0", "--concurrency", strconv.Itoa(conc), "-o", "json"})
				c0, s0, t0 := selfCPU(), cpuOf(server.Process.Pid), time.Now()
				_, err := root.ExecuteContextC(context.Background())
				wall += time.Since(t0)
				clientCPU += selfCPU() - c0
				serverCPU += cpuOf(server.Process.Pid) - s0
				if err != nil || strings.Count(out.String(), `"status":"created"`) != calls {
					b.Fatalf("err %v\n%s", err, errOut.String())
				}
			}
			n := float64(b.N * calls)
			b.ReportMetric(n/wall.Seconds(), "calls/s")
			b.ReportMetric(float64(clientCPU.Microseconds())/n, "client-cpu-µs/call")
			b.ReportMetric(float64(serverCPU.Microseconds())/n, "server-cpu-µs/call")
		})
	}
}
