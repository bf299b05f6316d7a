package campaign

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/inputfile"
	"github.com/ivrctl/ivrctl/pkg/sessions"
	"github.com/ivrctl/ivrctl/pkg/webhook"
)

// Source is a session store read as it grows: each Read returns the
// summaries added since the last (all of them the first time).
type Source interface {
	Read() ([]Update, error)
}

// SessionsFile follows a sessions file (serve's JSON Lines of session
// summaries, pkg/webhook) as serve replicas append to it: each Read
// returns the summaries of the whole lines added since the last. A torn
// last line is left for the next Read, which sees it whole or, once a
// later append has closed it, skips it as the file's readers do.
type SessionsFile struct {
	Path   string
	offset int64
}

// maxSessionsRead bounds one Read: a file grown by more is read on.
const maxSessionsRead = 64 << 20

// Read returns the updates of the summaries appended since the last Read
// (all of them the first time).
func (s *SessionsFile) Read() ([]Update, error) {
	f, err := inputfile.Open(s.Path) // a FIFO would block the campaign
	if os.IsNotExist(err) {
		return nil, nil // no summary yet
	}
	if err != nil {
		return nil, fmt.Errorf("sessions file: %w", err)
	}
	defer f.Close()
	if _, err := f.Seek(s.offset, io.SeekStart); err != nil {
		return nil, fmt.Errorf("sessions file %s: %w", s.Path, err)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxSessionsRead))
	if err != nil {
		return nil, fmt.Errorf("sessions file %s: %w", s.Path, err)
	}
	end := bytes.LastIndexByte(data, '\n')
	if end < 0 {
		return nil, nil
	}
	s.offset += int64(end + 1)
	var out []Update
	for line := range bytes.SplitSeq(data[:end], []byte{'\n'}) {
		if u, ok := SessionUpdate(line); ok {
			out = append(out, u)
		}
	}
	return out, nil
}

// StoreSource follows any session store by querying it: PostgreSQL shared
// by serve replicas, or a file read whole. Each Read returns the summaries
// (and later revisions) not returned before.
//
// Choice: replicas stamp receivedAt by their own clocks and commit in any
// order, so a summary can land with a receivedAt a little before one
// already read. Each query reaches back Overlap before the newest summary
// seen, and what was already returned is skipped by session and revision.
type StoreSource struct {
	Store   sessions.Reader
	Overlap time.Duration // DefaultOverlap when zero
	Timeout time.Duration // per query; DefaultStoreTimeout when zero

	since time.Time
	seen  map[string]int // session key -> newest revision returned
}

// DefaultOverlap covers replicas' clock skew and commit order.
const DefaultOverlap = 5 * time.Minute

// DefaultStoreTimeout bounds one query of the store.
const DefaultStoreTimeout = 30 * time.Second

// Read returns the updates of the summaries stored since the last Read
// (all of them the first time).
func (s *StoreSource) Read() ([]Update, error) {
	timeout, overlap := s.Timeout, s.Overlap
	if timeout <= 0 {
		timeout = DefaultStoreTimeout
	}
	if overlap <= 0 {
		overlap = DefaultOverlap
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	recs, err := s.Store.Query(ctx, sessions.Query{Since: s.since})
	if err != nil {
		return nil, fmt.Errorf("session store %s: %w", s.Store.Location(), err)
	}
	if s.seen == nil {
		s.seen = map[string]int{}
	}
	var out []Update
	newest := s.since.Add(overlap)
	for i := range recs {
		r := &recs[i]
		if rev, ok := s.seen[r.Key()]; ok && rev >= r.Revision {
			continue
		}
		s.seen[r.Key()] = r.Revision
		out = append(out, RecordUpdate(*r))
		if r.ReceivedAt.After(newest) {
			newest = r.ReceivedAt
		}
	}
	if !newest.IsZero() && newest.Add(-overlap).After(s.since) {
		s.since = newest.Add(-overlap)
	}
	return out, nil
}

// SessionUpdate reads one line of a sessions file; false for a line that
// is no session record (a torn fragment, damage).
func SessionUpdate(line []byte) (Update, bool) {
	line = bytes.TrimSpace(line)
	var rec sessions.Record
	if len(line) == 0 || json.Unmarshal(line, &rec) != nil || rec.SessionID == "" {
		return Update{}, false
	}
	return RecordUpdate(rec), true
}

// RecordUpdate is the update of a session record.
func RecordUpdate(rec sessions.Record) Update {
	u := Update{Session: rec.SessionID, Time: rec.ReceivedAt,
		Outcome: &Outcome{SessionStatus: rec.SessionStatus}}
	if ev, err := callflow.DecodeVSS(rec.Event); err == nil {
		p := ev.Payload
		u.ClientRequestID = p.ClientRequestID
		if u.Outcome.SessionStatus == "" {
			u.Outcome.SessionStatus = p.SessionStatus
		}
		if p.ErrorDetails != nil {
			u.Outcome.ErrorCode, u.Outcome.ErrorMsg = int(p.ErrorDetails.ErrorCode), p.ErrorDetails.ErrorMsg
		}
	}
	return u
}

// WebhookUpdate turns a webhook server's event into an update: a VCA
// answered is a step, a session summary an outcome. false: nothing for a
// campaign (a refused request, a status update, a server note).
func WebhookUpdate(ev webhook.Event) (Update, bool) {
	switch {
	case ev.Kind == webhook.KindVCA && ev.Status == 200 && ev.Session != "" && ev.Menu != "":
		return Update{Session: ev.Session, Time: ev.Time,
			Step: &Step{Menu: ev.Menu, Digits: ev.Digits, Matched: ev.Matched}}, true
	case ev.Kind == webhook.KindVSS && ev.Session != "" && ev.Outcome != "":
		// Also when the sessions file could not be written (500): the
		// outcome is known; 8x8's redelivery is a duplicate then.
		return Update{Session: ev.Session, ClientRequestID: ev.ClientRequestID, Time: ev.Time,
			Outcome: &Outcome{SessionStatus: ev.Outcome, ErrorCode: ev.ErrorCode, ErrorMsg: ev.ErrorMsg}}, true
	}
	return Update{}, false
}
