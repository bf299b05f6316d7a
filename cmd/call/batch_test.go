package call_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ivrctl/ivrctl/cmd"
	"github.com/ivrctl/ivrctl/cmd/call"
	"github.com/ivrctl/ivrctl/cmd/cmdutil"
)

// byDestination answers each request by its destination: numbers ending
// in 13 are refused (-1017 under 400), in 77 fail with a 500, in 5 are rate
// limited once (Retry-After: 0) and then created.
func byDestination() (handle func(http.ResponseWriter, *http.Request, []byte, int), seen *sync.Map) {
	seen = &sync.Map{}
	return func(w http.ResponseWriter, r *http.Request, body []byte, _ int) {
		var req struct {
			Callflow []struct {
				Params struct{ Destination string }
			}
		}
		json.Unmarshal(body, &req)
		to := req.Callflow[0].Params.Destination
		n, _ := seen.LoadOrStore(to, new(atomic.Int32))
		tries := n.(*atomic.Int32).Add(1)
		switch {
		case strings.HasSuffix(to, "13"):
			w.WriteHeader(400)
			fmt.Fprint(w, `{"sessionStatus":"NOT_CREATED","statusCode":-1017,"statusMessage":"Invalid MSISDN format in Destination"}`)
		case strings.HasSuffix(to, "77"):
			w.WriteHeader(500)
			fmt.Fprint(w, `{"statusCode":500,"statusMessage":"Internal server error"}`)
		case strings.HasSuffix(to, "5") && tries == 1:
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(429)
		default:
			fmt.Fprintf(w, `{"sessionId":"s-%s","sessionStatus":"CREATED","statusCode":1,"statusMessage":"Created"}`, to)
		}
	}, seen
}

// A batch of 1,000 numbers at a high rate, with refusals, server errors and
// 429s: every number gets one result, in input order, and the summary adds up.
func TestBatchThousand(t *testing.T) {
	t.Parallel()
	var file strings.Builder
	file.WriteString("number,name\n# customers to call back\n\n")
	line := 3
	var numbers []string
	for i := range 1000 {
		num := fmt.Sprintf("659%07d", i)
		numbers = append(numbers, num)
		fmt.Fprintf(&file, "%s,Customer %d\n", num, i)
		line++
		if i == 500 {
			file.WriteString("12ab,typo\n")
			line++
		}
	}
	badLine := 3 + 501 + 1
	file.WriteString("+65 9000 0000,again\n") // the first number, written another way
	dupLine := line + 1
	path := filepath.Join(t.TempDir(), "numbers.csv")
	os.WriteFile(path, []byte(file.String()), 0o600)

	handle, seen := byDestination()
	fake := newFake(t, handle)
	r := run(t, runOpts{}, "call", "--config", writeConfig(t, ""), "--base-url", fake.URL, "--to-file", path,
		"--rate", "20000", "--concurrency", "8", "-o", "json", "--client-request-id", "batch42")

	results := jsonLines[call.Result](t, r.stdout)
	if len(results) != 1000 {
		t.Fatalf("%d results, want 1000", len(results))
	}
	var want []call.Result
	created, refused, failed := 0, 0, 0
	for i, num := range numbers {
		w := call.Result{Number: num, ClientRequestID: fmt.Sprintf("batch42-%d", i+1), Attempts: 1}
		switch {
		case strings.HasSuffix(num, "13"):
			refused++
			w.Status, w.StatusCode, w.StatusMessage, w.HTTPStatus = call.StatusRejected, -1017, "Invalid MSISDN format in Destination", 400
			w.Error = "8x8 did not create the call to " + num + ": -1017 Invalid MSISDN format in Destination"
			w.Hint = "write the destination in E.164, e.g. +6512345678"
		case strings.HasSuffix(num, "77"):
			failed++
			w.Status, w.StatusCode, w.StatusMessage, w.HTTPStatus, w.MaybeAccepted = call.StatusFailed, 500, "Internal server error", 500, true
			w.Error = "8x8 answered HTTP 500: Internal server error for the call to " + num + ": the platform may have accepted it, so it was not retried (nobody is rung twice)"
			w.Hint = "look for clientRequestId " + w.ClientRequestID + " in the session summary (VSS) before calling " + num + " again"
		default:
			created++
			w.Status, w.SessionID, w.StatusCode, w.StatusMessage = call.StatusCreated, "s-"+num, 1, "Created"
			if strings.HasSuffix(num, "5") {
				w.Attempts = 2
			}
		}
		want = append(want, w)
	}
	if d := cmp.Diff(want, results); d != "" {
		t.Errorf("results (-want +got):\n%s", d)
	}
	n := 0
	seen.Range(func(_, _ any) bool { n++; return true })
	if n != 1000 || int(fake.hits.Load()) != 1000+100 { // 100 numbers end in 5, each retried once
		t.Errorf("%d numbers and %d requests reached 8x8, want 1000 and 1100", n, fake.hits.Load())
	}
	if r.code != cmdutil.ExitTransport {
		t.Errorf("exit %d, want 4 (the worst failure)", r.code)
	}
	summary := regexp.MustCompile(`placed 1000 of 1000 calls in [0-9.]+m?s: ` +
		fmt.Sprintf(`%d created, %d failed \(%d refused by 8x8, %d errors\), 0 skipped`, created, refused+failed, refused, failed))
	for _, want := range []string{
		fmt.Sprintf("warning: %s:%d: \"12ab\" is not a phone number: skipped", path, badLine),
		fmt.Sprintf("warning: %s:%d: +6590000000 already listed", path, dupLine),
		"clientRequestIds: batch42-1 to batch42-1000",
		fmt.Sprintf("warning: %d call(s) may have been accepted despite the error", failed),
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if !summary.MatchString(r.stderr) {
		t.Errorf("stderr lacks the summary %s:\n%s", summary, r.stderr)
	}
	if strings.Contains(r.stderr, "\r") {
		t.Error("progress bar drawn on a pipe")
	}
}

func TestBatchText(t *testing.T) {
	t.Parallel()
	handle, _ := byDestination()
	fake := newFake(t, handle)
	r := run(t, runOpts{stdin: "6512345601\n\n# a comment\n6512345613\n6512345601\n"}, "call", "--config", writeConfig(t, ""),
		"--base-url", fake.URL, "--to", "+65 1234 5600", "--to-file", "-", "--rate", "0", "--client-request-id", "b")
	wantOut := "+6512345600      created  s-+6512345600\n" +
		"6512345601       created  s-6512345601\n" +
		"6512345613       rejected -1017 Invalid MSISDN format in Destination\n"
	if d := cmp.Diff(wantOut, r.stdout); d != "" {
		t.Errorf("stdout (-want +got):\n%s", d)
	}
	if r.code != cmdutil.ExitRejected {
		t.Errorf("exit %d, want 3", r.code)
	}
	for _, s := range []string{"warning: stdin:5: 6512345601 already listed (stdin:1): called once", "placed 3 of 3 calls", "2 created, 1 failed (1 refused by 8x8, 0 errors), 0 skipped"} {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
		}
	}
}

func TestBatchAllCreated(t *testing.T) {
	t.Parallel()
	fake := newFake(t, nil)
	r := run(t, runOpts{}, "call", "--config", writeConfig(t, ""), "--base-url", fake.URL, "--to", "6512345601,6512345602", "--rate", "0")
	if r.code != 0 || strings.Count(r.stdout, "created") != 2 || fake.hits.Load() != 2 {
		t.Errorf("exit %d, %d requests\n%s%s", r.code, fake.hits.Load(), r.stdout, r.stderr)
	}
}

// On a terminal stderr, a progress bar; never on stdout.
func TestBatchProgressBar(t *testing.T) {
	t.Parallel()
	fake := newFake(t, nil)
	r := run(t, runOpts{tty: true}, "call", "--config", writeConfig(t, ""), "--base-url", fake.URL,
		"--to", "6512345601,6512345602,6512345603", "--rate", "0")
	if !regexp.MustCompile(`\r\x1b\[K\[=+ *\] [0-9]/3 placed, 0 failed, [0-9.]+ calls/s, ETA `).MatchString(r.stderr) {
		t.Errorf("no progress bar on a terminal:\n%q", r.stderr)
	}
	if strings.Contains(r.stdout, "\r") {
		t.Errorf("progress on stdout: %q", r.stdout)
	}
}

// Ctrl-C stops placing calls, lets those in flight finish and prints the
// summary; every number still gets its result.
func TestBatchInterrupt(t *testing.T) {
	t.Parallel()
	ctx, stop := context.WithTimeout(context.Background(), time.Minute)
	defer stop()
	const concurrency = 3
	release := make(chan struct{})
	var arrived atomic.Int32
	fake := newFake(t, func(w http.ResponseWriter, r *http.Request, _ []byte, _ int) {
		if arrived.Add(1) == concurrency {
			stop() // Ctrl-C while three calls are in flight
			close(release)
		}
		select {
		case <-release:
		case <-r.Context().Done():
		case <-time.After(time.Minute): // never: the test fails on the count
		}
		w.Write(createdBody)
	})
	var to []string
	for i := range 20 {
		to = append(to, fmt.Sprintf("65123456%02d", i))
	}
	r := run(t, runOpts{ctx: ctx}, "call", "--config", writeConfig(t, ""), "--base-url", fake.URL, "--to", strings.Join(to, ","),
		"--rate", "0", "--concurrency", fmt.Sprint(concurrency), "-o", "json")
	results := jsonLines[call.Result](t, r.stdout)
	if len(results) != 20 {
		t.Fatalf("%d results, want 20", len(results))
	}
	placed := 0
	for i, res := range results {
		if res.Number != to[i] {
			t.Errorf("result %d is %s, want %s", i, res.Number, to[i])
		}
		switch res.Status {
		case call.StatusCreated:
			placed++
		case call.StatusSkipped:
			if res.Attempts != 0 {
				t.Errorf("skipped %s has %d attempts", res.Number, res.Attempts)
			}
		default:
			t.Errorf("result %+v", res)
		}
	}
	// The stop came before any worker was free: no call starts after it.
	if placed != int(fake.hits.Load()) || placed != concurrency {
		t.Errorf("%d created, %d requests; want the %d in flight", placed, fake.hits.Load(), concurrency)
	}
	if r.code != cmdutil.ExitInterrupted {
		t.Errorf("exit %d, want %d", r.code, cmdutil.ExitInterrupted)
	}
	for _, s := range []string{"stopping: no new calls; waiting for those in flight",
		fmt.Sprintf("placed %d of 20 calls", placed), fmt.Sprintf("%d created, 0 failed, %d skipped", placed, 20-placed)} {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
		}
	}
}

// A dial that fails is retried through the command; the call is placed once.
func TestCallDialRetried(t *testing.T) {
	t.Parallel()
	fake := newFake(t, nil)
	var dials atomic.Int32
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if dials.Add(1) == 1 {
			return nil, &net.OpError{Op: "dial", Net: network, Err: syscall.ECONNREFUSED}
		}
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
	// The account lists come from the cache, so the first dial is the
	// first Send Callflow's.
	cfg := writeConfig(t, "")
	r := run(t, runOpts{httpClient: &http.Client{Transport: tr}, cacheDir: warmCache(t, fake, cfg)}, "call", "--config", cfg,
		"--base-url", fake.URL, "--to", seedTo, "--to", "6512345600", "-o", "json", "--concurrency", "1")
	results := jsonLines[call.Result](t, r.stdout)
	if r.code != 0 || len(results) != 2 || results[0].Attempts != 2 || results[1].Attempts != 1 || fake.hits.Load() != 2 {
		t.Errorf("exit %d, %d requests, results %+v\n%s", r.code, fake.hits.Load(), results, r.stderr)
	}
}

// A refused key would fail every call: the batch stops at the first.
func TestBatchStopsOnAuthFailure(t *testing.T) {
	t.Parallel()
	fake := newFake(t, answer(401, `{"statusCode":401,"statusMessage":"Authentication header not found or token invalid"}`))
	var to []string
	for i := range 50 {
		to = append(to, fmt.Sprintf("65123456%02d", i))
	}
	r := run(t, runOpts{}, "call", "--config", writeConfig(t, ""), "--base-url", fake.URL, "--to", strings.Join(to, ","),
		"--rate", "0", "--concurrency", "1", "-o", "json")
	results := jsonLines[call.Result](t, r.stdout)
	if len(results) != 50 || results[0].Status != call.StatusRejected || results[49].Status != call.StatusSkipped {
		t.Fatalf("%d results: %+v", len(results), results)
	}
	if r.code != cmdutil.ExitRejected || fake.hits.Load() != 1 {
		t.Errorf("exit %d, %d requests; want 3 and 1", r.code, fake.hits.Load())
	}
	if !strings.Contains(r.stderr, "stopping: the rest would fail the same way: 8x8 refused the API key ********WXYZ") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
}

// An unknown sub-account would fail every call: 8x8's spec answers it with
// a 404 saying NOT_CREATED, and the batch stops at the first.
func TestBatchStopsOnUnknownSubaccount(t *testing.T) {
	t.Parallel()
	fake := newFake(t, answer(404, `{"sessionStatus":"NOT_CREATED","statusCode":404,"statusMessage":"SubAccount not found by Id : acme_voice"}`))
	var to []string
	for i := range 50 {
		to = append(to, fmt.Sprintf("65123456%02d", i))
	}
	r := run(t, runOpts{}, "call", "--config", writeConfig(t, ""), "--base-url", fake.URL, "--to", strings.Join(to, ","),
		"--rate", "0", "--concurrency", "1", "-o", "json")
	results := jsonLines[call.Result](t, r.stdout)
	if len(results) != 50 || results[0].Status != call.StatusFailed || results[0].HTTPStatus != 404 || results[49].Status != call.StatusSkipped {
		t.Fatalf("%d results: %+v", len(results), results)
	}
	if r.code != cmdutil.ExitTransport || fake.hits.Load() != 1 {
		t.Errorf("exit %d, %d requests; want 4 and 1", r.code, fake.hits.Load())
	}
	if !strings.Contains(r.stderr, "stopping: the rest would fail the same way: 8x8 answered HTTP 404: SubAccount not found by Id : acme_voice") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
}

// The real entry point (cmd.Execute, its error printing) never shows the
// key, even when 8x8 echoes it back.
func TestExecuteMasksEchoedKey(t *testing.T) {
	t.Parallel()
	fake := newFake(t, func(w http.ResponseWriter, r *http.Request, _ []byte, _ int) {
		w.WriteHeader(500)
		fmt.Fprintf(w, `{"statusCode":500,"statusMessage":"upstream said %s"}`, r.Header.Get("Authorization"))
	})
	for _, output := range []string{"text", "json"} {
		io, _, out, errOut := cmdutil.Test()
		code := cmd.Execute(cmd.BuildInfo{Version: "test"}, []string{"call", "--config", writeConfig(t, ""),
			"--base-url", fake.URL, "--to", seedTo, "-o", output}, io)
		assertNoKey(t, out.String(), errOut.String())
		if code != cmdutil.ExitTransport || !strings.Contains(out.String()+errOut.String(), "upstream said Bearer ********WXYZ") {
			t.Errorf("%s: exit %d\n%s%s", output, code, out, errOut)
		}
	}
}

// Workers waiting out 429s at the same time share the retry wait: under
// -race this fails if the wait writes shared state.
func TestBatchConcurrentRetryWaits(t *testing.T) {
	t.Parallel()
	const n = 8
	// Every first request waits for the others, so the n 429s arrive, and
	// their waits start, together.
	var arrived sync.WaitGroup
	arrived.Add(n)
	fake := newFake(t, func(w http.ResponseWriter, r *http.Request, _ []byte, hit int) {
		if hit < n {
			arrived.Done()
			arrived.Wait()
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Write(createdBody)
	})
	var to []string
	for i := range n {
		to = append(to, fmt.Sprintf("65123456%02d", i))
	}
	r := run(t, runOpts{}, "call", "--config", writeConfig(t, ""), "--base-url", fake.URL, "--to", strings.Join(to, ","),
		"--rate", "0", "--concurrency", fmt.Sprint(n), "--retries", "10", "-o", "json")
	results := jsonLines[call.Result](t, r.stdout)
	if r.code != 0 || len(results) != n || int(fake.hits.Load()) != 2*n {
		t.Errorf("exit %d, %d results, %d requests\n%s", r.code, len(results), fake.hits.Load(), r.stderr)
	}
}

// Ctrl-C while calls wait out a 429's Retry-After: they were never placed,
// so they are skipped (exit 130), not failed, and not sent again.
func TestBatchStoppedDuringRetryWait(t *testing.T) {
	t.Parallel()
	ctx, stop := context.WithTimeout(context.Background(), time.Minute)
	defer stop()
	var arrived sync.WaitGroup
	arrived.Add(2)
	fake := newFake(t, func(w http.ResponseWriter, r *http.Request, _ []byte, hit int) {
		if hit < 2 {
			arrived.Done()
			arrived.Wait()
			stop() // both answers are on their way; the waits will be cut
		}
		w.Header().Set("Retry-After", "5")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	r := run(t, runOpts{ctx: ctx}, "call", "--config", writeConfig(t, ""), "--base-url", fake.URL,
		"--to", seedTo+",6512345600", "--rate", "0", "--concurrency", "2", "-o", "json")
	results := jsonLines[call.Result](t, r.stdout)
	if r.code != cmdutil.ExitInterrupted || fake.hits.Load() != 2 || len(results) != 2 {
		t.Fatalf("exit %d, %d requests, %d results; want 130, 2, 2\n%s", r.code, fake.hits.Load(), len(results), r.stderr)
	}
	for _, res := range results {
		if res.Status != call.StatusSkipped || res.Attempts != 1 || res.HTTPStatus != 0 || !strings.Contains(res.Error, "while waiting to retry") {
			t.Errorf("result %+v", res)
		}
	}
	if !strings.Contains(r.stderr, "placed 0 of 2 calls") || !strings.Contains(r.stderr, "2 skipped") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
}
