package campaign

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestJournalTornLastLineIsSkippedAndIsolated(t *testing.T) {
	l := newList(t, "+6511110001\n+6511110002\n")
	path := filepath.Join(t.TempDir(), "j.jsonl")
	j, _, _, err := OpenOrCreate(path, l, Header{MenuHash: "m"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Append(Record{T: RecAttempt, Number: "+6511110001", Attempt: 1, CRID: "x-1-1"}); err != nil {
		t.Fatal(err)
	}
	j.Close()
	// A crash mid-write: half a record, no newline.
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"t":"created","n":"+6511110001","a":1,"sid":"s1"}`) // whole JSON, but never acknowledged
	f.Close()

	j, st, created, err := OpenOrCreate(path, l, Header{MenuHash: "m"}, t0)
	if err != nil || created {
		t.Fatal(err, created)
	}
	if st.Skipped != 1 {
		t.Errorf("skipped %d, want 1", st.Skipped)
	}
	if got := st.Lookup("+6511110001").Status(); got != StatusUnknown {
		t.Errorf("status after a torn created record: %s, want unknown (the attempt record was synced, its answer not)", got)
	}
	if err := j.Append(Record{T: RecLost, Number: "+6511110001", Attempt: 1}); err != nil {
		t.Fatal(err)
	}
	j.Close()
	// The fragment, closed by the next append's newline, was a whole
	// record after all: it is read (what it says is true: the write only
	// missed its newline), as the sessions file reads such a line.
	st = reread(t, path)
	if a := st.Lookup("+6511110001").Last(); st.Skipped != 0 || len(st.Numbers) != 2 || a.SessionID != "s1" || a.Status != StatusUnknown {
		t.Errorf("after an append: skipped %d numbers %d attempt %+v", st.Skipped, len(st.Numbers), a)
	}
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), `"sid":"s1"}`+"\n"+`{"t":"lost"`) {
		t.Errorf("the torn fragment was not isolated on its own line:\n%s", data)
	}
}

func TestJournalRefusesForeignFilesAndOtherListsOrMenus(t *testing.T) {
	dir := t.TempDir()
	l := newList(t, "+6511110001\n")
	path := filepath.Join(dir, "j.jsonl")
	j, _, _, err := OpenOrCreate(path, l, Header{List: "a.txt", Menu: "m.yaml", MenuHash: "m1"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	j.Close()
	var mm *MismatchError
	_, _, _, err = OpenOrCreate(path, newList(t, "+6511110002\n"), Header{List: "b.txt", MenuHash: "m1"}, t0)
	if !errors.As(err, &mm) || mm.What != "list" || !strings.Contains(err.Error(), "a.txt") {
		t.Errorf("another list: %v", err)
	}
	_, _, _, err = OpenOrCreate(path, l, Header{List: "a.txt", Menu: "other.yaml", MenuHash: "m2"}, t0)
	if !errors.As(err, &mm) || mm.What != "menu" {
		t.Errorf("another menu: %v", err)
	}
	// Comments and spacing are not another list.
	if _, _, _, err = OpenOrCreate(path, newList(t, "# customers\n +65 1111 0001\n"), Header{MenuHash: "m1"}, t0); err != nil {
		t.Errorf("same numbers, other spelling: %v", err)
	}

	for name, content := range map[string]string{
		"sessions.jsonl": `{"receivedAt":"2026-01-01T00:00:00Z","sessionId":"s1","event":{}}` + "\n",
		"empty":          "",
		"torn-header":    `{"format":"ivrctl-campaign/1"`,
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o600)
		var fe *ForeignError
		if _, _, _, err := OpenOrCreate(p, l, Header{MenuHash: "m1"}, t0); !errors.As(err, &fe) {
			t.Errorf("%s: %v, want a ForeignError", name, err)
		}
		if got, _ := os.ReadFile(p); string(got) != content {
			t.Errorf("%s was changed", name)
		}
	}
}

func TestJournalGroupCommitKeepsEveryRecord(t *testing.T) {
	l := newList(t, "+6511110001\n")
	path := filepath.Join(t.TempDir(), "j.jsonl")
	j, _, _, err := OpenOrCreate(path, l, Header{MenuHash: "m"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 50 {
				if err := j.Append(Record{T: RecStep, Number: "+6511110001", Attempt: 1, Menu: "m", Digits: string(rune('0' + w)), Line: i}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	j.Close()
	_, recs, skipped, err := ReadFile(path)
	if err != nil || skipped != 0 || len(recs) != 1+400 {
		t.Fatalf("records %d skipped %d err %v", len(recs), skipped, err)
	}
}

func TestParseList(t *testing.T) {
	l := newList(t, "\xef\xbb\xbfnumber;name\n+65 1111 0001;Ann\n\n# comment\n6511110001;dup\n12ab;bad\n(651) 111.0002;Bob;extra\n")
	if len(l.Entries) != 2 || l.Entries[1].Number != "6511110002" || l.Entries[1].Line != 7 || len(l.Entries[1].Fields) != 2 {
		t.Errorf("entries: %+v", l.Entries)
	}
	if len(l.Bad) != 1 || l.Bad[0].Line != 6 || len(l.Duplicates) != 1 || l.Duplicates[0].Line != 5 {
		t.Errorf("bad %+v dups %+v", l.Bad, l.Duplicates)
	}
	if len(l.Columns) != 2 || l.Columns[1] != "name" {
		t.Errorf("columns %v", l.Columns)
	}
}
