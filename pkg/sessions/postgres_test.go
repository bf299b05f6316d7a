package sessions

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/ivrctl/ivrctl/pkg/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// The PostgreSQL store keeps the file store's promises: duplicates once,
// revisions kept, invalid UTF-8 exact and distinct, queries by status,
// time and id; a reopen (a restart) finds everything.
func TestPostgresStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.DB(t)
	p, err := OpenPostgres(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		body []byte
		want Outcome
	}{
		{vss("s1", "COMPLETED"), Stored},
		{vss("s1", "COMPLETED"), Duplicate},
		{vss("s1", "FAILED"), Revised},
		{vss("s2", "BUSY"), Stored},
		{[]byte("{\"payload\":{\"sessionId\":\"id-\xff\",\"sessionStatus\":\"COMPLETED\"}}"), Stored},
		{[]byte("{\"payload\":{\"sessionId\":\"id-\xfe\",\"sessionStatus\":\"COMPLETED\"}}"), Stored},
		{[]byte("{\"payload\":{\"sessionId\":\"nul-\\u0000\",\"sessionStatus\":\"COMPLETED\"}}"), Stored},
	}
	for i, s := range steps {
		if got, err := p.Append(ctx, mustRecord(t, s.body)); err != nil || got != s.want {
			t.Fatalf("step %d %q: %v, %v; want %v", i, s.body, got, err, s.want)
		}
	}
	p.Close()

	p, err = OpenPostgres(ctx, dsn) // a restart: the schema is there already
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if got, _ := p.Append(ctx, mustRecord(t, vss("s1", "FAILED"))); got != Duplicate {
		t.Errorf("redelivery after restart: %v", got)
	}
	recs, err := p.Query(ctx, Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 5 || recs[0].SessionID != "s1" || recs[0].SessionStatus != "FAILED" || recs[0].Revision != 1 {
		t.Fatalf("latest: %+v", recs)
	}
	if recs[2].Key() != "id-\xff" || recs[3].Key() != "id-\xfe" || recs[2].SessionID != "id-\uFFFD" || recs[4].Key() != "nul-\x00" {
		t.Errorf("ids: %q %q %q", recs[2].Key(), recs[3].Key(), recs[4].Key())
	}
	if all, _ := p.Query(ctx, Query{AllRevisions: true, SessionID: "s1"}); len(all) != 2 || all[0].Revision != 0 || all[0].SessionStatus != "COMPLETED" {
		t.Errorf("revisions of s1: %+v", all)
	}
	if q, _ := p.Query(ctx, Query{Status: "BUSY"}); len(q) != 1 || q[0].SessionID != "s2" {
		t.Errorf("BUSY: %+v", q)
	}
	if q, _ := p.Query(ctx, Query{Since: recs[4].ReceivedAt}); len(q) < 1 {
		t.Errorf("since: %+v", q)
	}
}

// Replicas starting at once migrate the schema once, and the same
// summaries appended through several stores concurrently are stored once.
func TestPostgresConcurrentReplicas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.DB(t)
	const replicas, sessions = 4, 50
	stores := make([]*Postgres, replicas)
	var wg sync.WaitGroup
	for i := range stores {
		wg.Go(func() {
			p, err := OpenPostgres(ctx, dsn)
			if err != nil {
				t.Error(err)
				return
			}
			stores[i] = p
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	stored := make([]int, replicas)
	for i, p := range stores {
		defer p.Close()
		wg.Go(func() {
			for round := range 2 {
				for s := range sessions {
					out, err := p.Append(ctx, mustRecord(t, vss(fmt.Sprintf("r-%d", s), "COMPLETED")))
					if err != nil {
						t.Error(err)
						return
					}
					if out == Stored {
						stored[i]++
					}
					_ = round
				}
			}
		})
	}
	wg.Wait()
	total := 0
	for _, n := range stored {
		total += n
	}
	recs, err := stores[0].Query(ctx, Query{AllRevisions: true})
	if err != nil {
		t.Fatal(err)
	}
	if total != sessions || len(recs) != sessions {
		t.Errorf("stored %d times, %d rows; want %d", total, len(recs), sessions)
	}
}

// A password in the URL is never in Location or in an error.
func TestPostgresPasswordHidden(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DB(t)
	u, _ := url.Parse(dsn)
	u.User = url.UserPassword("nobody", "s3cret-pw")
	_, err := OpenPostgres(context.Background(), u.String())
	if err == nil {
		t.Fatal("a wrong user connected")
	}
	if strings.Contains(err.Error(), "s3cret-pw") {
		t.Errorf("the password is in the error: %v", err)
	}
	if loc := Redact(u.String()); strings.Contains(loc, "s3cret-pw") || !strings.Contains(loc, "nobody") {
		t.Errorf("Redact: %s", loc)
	}
}
