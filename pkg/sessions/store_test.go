package sessions

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"
)

func vss(id, status string) []byte {
	return []byte(`{"eventType":"SESSION_SUMMARY","payload":{"sessionId":"` + id + `","sessionStatus":"` + status + `"}}`)
}

func mustRecord(t testing.TB, body []byte) Record {
	t.Helper()
	rec, err := NewRecord(time.Now(), body)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func openFile(t testing.TB) *File {
	t.Helper()
	f, err := OpenFile(filepath.Join(t.TempDir(), "sessions.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// A second writer on the same file is refused, naming the file and the
// way to run replicas; once the first closes, it may open.
func TestFileLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sessions.jsonl")
	first, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = OpenFile(path)
	if err == nil {
		t.Fatal("a second OpenFile of a locked file succeeded")
	}
	for _, want := range []string{path, "in use by another process", "PostgreSQL", "postgres://"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	// Readers take no lock.
	rd, err := OpenReader(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rd.Query(context.Background(), Query{}); err != nil {
		t.Errorf("reading a locked file: %v", err)
	}
	first.Close()
	second, err := OpenFile(path)
	if err != nil {
		t.Fatalf("after Close: %v", err)
	}
	second.Close()
}

// The same body is a duplicate; another body for the same sessionId is a
// revision, kept; readers see the latest unless asked for all. A restart
// remembers both.
func TestFileRevisions(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sessions.jsonl")
	f, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		body []byte
		want Outcome
	}{
		{vss("s1", "COMPLETED"), Stored},
		{vss("s1", "COMPLETED"), Duplicate},
		{[]byte(" {\"eventType\": \"SESSION_SUMMARY\", \"payload\": {\"sessionId\": \"s1\", \"sessionStatus\": \"COMPLETED\"}}\n"), Duplicate}, // only whitespace differs
		{vss("s1", "FAILED"), Revised},
		{vss("s2", "BUSY"), Stored},
		{vss("s1", "FAILED"), Duplicate},
	}
	for i, s := range steps {
		got, err := f.Append(ctx, mustRecord(t, s.body))
		if err != nil || got != s.want {
			t.Fatalf("step %d: %v, %v; want %v", i, got, err, s.want)
		}
	}
	f.Close()
	recs, _, err := ReadFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].SessionID != "s1" || recs[0].SessionStatus != "FAILED" || recs[0].Revision != 1 || recs[1].SessionID != "s2" {
		t.Errorf("latest: %+v", recs)
	}
	all, _, _ := ReadFile(path, true)
	if len(all) != 3 {
		t.Errorf("all revisions: %+v", all)
	}
	f, err = OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, b := range [][]byte{vss("s1", "COMPLETED"), vss("s1", "FAILED")} {
		if got, err := f.Append(ctx, mustRecord(t, b)); err != nil || got != Duplicate {
			t.Errorf("after restart %s: %v %v", b, got, err)
		}
	}
	if got, _ := f.Append(ctx, mustRecord(t, vss("s1", "ERROR"))); got != Revised {
		t.Errorf("third body after restart: %v", got)
	}
	q, err := f.Query(ctx, Query{SessionID: "s1"})
	if err != nil || len(q) != 1 || q[0].Revision != 2 {
		t.Errorf("query s1: %+v %v", q, err)
	}
	if q, _ := f.Query(ctx, Query{Status: "BUSY"}); len(q) != 1 || q[0].SessionID != "s2" {
		t.Errorf("query BUSY: %+v", q)
	}
}

// Invalid UTF-8 is stored as valid JSON, every byte kept, and two ids that
// differ only in invalid bytes are two sessions.
func TestFileInvalidUTF8(t *testing.T) {
	ctx := context.Background()
	f := openFile(t)
	a := []byte("{\"payload\":{\"sessionId\":\"id-\xff\",\"sessionStatus\":\"COMPLETED\",\"lastAction\":\"say \xfe\"}}")
	b := []byte("{\"payload\":{\"sessionId\":\"id-\xfe\",\"sessionStatus\":\"COMPLETED\",\"lastAction\":\"say \xfe\"}}")
	for _, body := range [][]byte{a, b} {
		if got, err := f.Append(ctx, mustRecord(t, body)); err != nil || got != Stored {
			t.Fatalf("%q: %v %v", body, got, err)
		}
	}
	data, err := os.ReadFile(f.Location())
	if err != nil {
		t.Fatal(err)
	}
	if !utf8.Valid(data) {
		t.Errorf("the file is not UTF-8:\n%q", data)
	}
	for line := range bytes.SplitSeq(bytes.TrimSpace(data), []byte("\n")) {
		if !json.Valid(line) {
			t.Errorf("not JSON: %q", line)
		}
	}
	recs, _, _ := ReadFile(f.Location(), false)
	if len(recs) != 2 || !bytes.Equal(recs[0].Body(), a) || !bytes.Equal(recs[1].Body(), b) || recs[0].Key() != "id-\xff" {
		t.Errorf("read back %+v", recs)
	}
	if recs[0].SessionID != "id-\uFFFD" || !json.Valid(recs[0].Event) {
		t.Errorf("display form %q, event %q", recs[0].SessionID, recs[0].Event)
	}
}

func TestUnquoteRaw(t *testing.T) {
	for in, want := range map[string]string{
		`"abc"`:                "abc",
		`"a\"b\\c\/d\n\t"`:     "a\"b\\c/d\n\t",
		`"\u00e9\ud83d\ude00"`: "é😀",
		"\"x\xffy\"":           "x\xffy",
		`"\u0000"`:             "\x00",
	} {
		if got, ok := unquoteRaw([]byte(in)); !ok || got != want {
			t.Errorf("unquoteRaw(%s) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{`abc`, `"\x"`, `"\u12"`, `1`} {
		if _, ok := unquoteRaw([]byte(in)); ok {
			t.Errorf("unquoteRaw(%s) accepted", in)
		}
	}
}

// Many clients at once, each summary twice: every one is acknowledged,
// and the file holds each exactly once.
func TestFileGroupCommitConcurrent(t *testing.T) {
	ctx := context.Background()
	f := openFile(t)
	const clients, each = 32, 20
	var wg sync.WaitGroup
	var mu sync.Mutex
	outcomes := map[Outcome]int{}
	for c := range clients {
		wg.Go(func() {
			for i := range each {
				id := fmt.Sprintf("s-%d", (c/2)*each+i) // client pairs send the same ids
				out, err := f.Append(ctx, mustRecord(t, vss(id, "COMPLETED")))
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				outcomes[out]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if outcomes[Stored] != clients/2*each || outcomes[Duplicate] != clients/2*each {
		t.Errorf("outcomes %v", outcomes)
	}
	data, _ := os.ReadFile(f.Location())
	if n := bytes.Count(data, []byte("\n")); n != clients/2*each {
		t.Errorf("%d lines, want %d", n, clients/2*each)
	}
	if f.Len() != clients/2*each {
		t.Errorf("Len %d", f.Len())
	}
}

// kill -9 under concurrent load: every summary acknowledged before the
// kill is in the file exactly once. The writer is this test binary run
// again (TestMain-free: an env variable selects the helper).
func TestFileKill9(t *testing.T) {
	if os.Getenv("IVRCTL_SESSIONS_KILL_HELPER") != "" {
		killHelper()
		return
	}
	path := filepath.Join(t.TempDir(), "sessions.jsonl")
	// A deadline: a helper that stalls is killed, and the test fails on
	// what it acknowledged instead of waiting forever for its output.
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestFileKill9$")
	cmd.Env = append(os.Environ(), "IVRCTL_SESSIONS_KILL_HELPER="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := map[string]bool{}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		acked[sc.Text()] = true
		if len(acked) == 300 {
			cmd.Process.Signal(syscall.SIGKILL)
			break
		}
	}
	cmd.Wait()
	if len(acked) < 300 {
		t.Fatalf("helper acknowledged only %d", len(acked))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for line := range bytes.SplitSeq(data, []byte("\n")) {
		var r Record
		if json.Unmarshal(line, &r) == nil {
			count[r.SessionID]++
		}
	}
	for id := range acked {
		if count[id] != 1 {
			t.Errorf("acknowledged %s is in the file %d times", id, count[id])
		}
	}
}

func killHelper() {
	f, err := OpenFile(os.Getenv("IVRCTL_SESSIONS_KILL_HELPER"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var mu sync.Mutex
	for c := range 16 {
		go func() {
			for i := 0; ; i++ {
				id := fmt.Sprintf("k-%d-%d", c, i)
				rec, _ := NewRecord(time.Now(), vss(id, "COMPLETED"))
				if _, err := f.Append(context.Background(), rec); err == nil {
					mu.Lock()
					fmt.Println(id)
					mu.Unlock()
				}
			}
		}()
	}
	select {}
}

func TestSummarize(t *testing.T) {
	body := func(id, status, last, start, end string) []byte {
		return []byte(`{"payload":{"sessionId":"` + id + `","sessionStatus":"` + status + `","lastAction":"` + last + `","startTime":"` + start + `","endTime":"` + end + `"}}`)
	}
	recs := []Record{
		mustRecord(t, body("a", "COMPLETED", "HANGUP", "2026-01-01T10:00:00Z", "2026-01-01T10:00:30Z")),
		mustRecord(t, body("b", "COMPLETED", "HANGUP", "2026-01-01T10:00:00Z", "2026-01-01T10:01:00Z")),
		mustRecord(t, body("c", "BUSY", "", "", "")),
		mustRecord(t, body("d", "COMPLETED", "SAY", "2026-01-01T10:00:00Z", "2026-01-01T10:02:00Z")),
	}
	s := Summarize(recs)
	if s.Sessions != 4 || s.ByStatus["COMPLETED"] != 3 || s.ByStatus["BUSY"] != 1 || s.ByLastAction["HANGUP"] != 2 || s.ByLastAction[""] != 1 {
		t.Errorf("%+v", s)
	}
	if s.Timed != 3 || s.MedianDuration != time.Minute {
		t.Errorf("median %v over %d", s.MedianDuration, s.Timed)
	}
}
