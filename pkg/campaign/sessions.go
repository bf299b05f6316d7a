package campaign

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/ivrctl/ivrctl/pkg/callflow"
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
	f, err := os.Open(s.Path)
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

// SessionUpdate reads one line of a sessions file; false for a line that
// is no session record (a torn fragment, damage).
func SessionUpdate(line []byte) (Update, bool) {
	line = bytes.TrimSpace(line)
	var rec webhook.SessionRecord
	if len(line) == 0 || json.Unmarshal(line, &rec) != nil || rec.SessionID == "" {
		return Update{}, false
	}
	return RecordUpdate(rec), true
}

// RecordUpdate is the update of a session record.
func RecordUpdate(rec webhook.SessionRecord) Update {
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
