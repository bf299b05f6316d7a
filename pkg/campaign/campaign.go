// Package campaign is ivrctl's outbound dialer engine: it calls every
// number of a list, follows each call's menu path and session summary,
// retries the outcomes asked for after a delay, places calls only inside
// a daily window, and keeps all of it in a journal that survives kill -9.
//
// The journal is the truth. An attempt is written and fsynced before its
// request is sent, so a crash at any point leaves each attempt either
// never sent or known to be in doubt; a resumed campaign reads its state
// from the journal alone and never places an attempt in doubt again on
// its own (Config.RecallUnknown does, when asked). Each attempt's
// clientRequestId names the campaign, the number and the attempt, so a
// session summary that arrives after a crash still finds its attempt.
//
// The engine emits typed Events and renders nothing; placing (Placer) and
// outcomes (Engine.Deliver, from a webhook listener or a session store)
// are the command's to plug in. Time comes from a Clock, so retries and
// windows are tested on a FakeClock.
package campaign

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"time"
)

// NewCampaignID returns a random id for a new journal: "c" and 8 hex
// digits, the prefix of its clientRequestIds.
func NewCampaignID() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return "c" + hex.EncodeToString(b[:])
}

// InitialRecords are the records a new journal starts with: every
// number of the list and every bad line.
func InitialRecords(l *List, now time.Time) []Record {
	recs := make([]Record, 0, len(l.Entries)+len(l.Bad))
	for _, e := range l.Entries {
		recs = append(recs, Record{T: RecNumber, At: now, Number: e.Number, Line: e.Line, Fields: e.Fields})
	}
	for _, b := range l.Bad {
		recs = append(recs, Record{T: RecBad, At: now, Line: b.Line, Text: b.Text, Error: b.Error})
	}
	return recs
}

// OpenOrCreate opens the journal at path and replays it, refusing one
// made for another list or menu (h's hashes), or creates it for l with
// header h (its Campaign id, when empty, is made up). created says which.
func OpenOrCreate(path string, l *List, h Header, now time.Time) (j *Journal, st *State, created bool, err error) {
	h.ListHash = l.Hash()
	if _, serr := os.Stat(path); serr == nil {
		j, err = Open(path, &h)
		if err != nil {
			return nil, nil, false, err
		}
		return j, Replay(j.Header(), j.Records(), j.Skipped()), false, nil
	} else if !errors.Is(serr, fs.ErrNotExist) {
		return nil, nil, false, serr
	}
	if h.Campaign == "" {
		h.Campaign = NewCampaignID()
	}
	h.Created, h.Numbers, h.Columns = now.UTC(), len(l.Entries), l.Columns
	j, err = Create(path, h, InitialRecords(l, now.UTC()))
	if err != nil {
		return nil, nil, false, err
	}
	return j, Replay(j.Header(), j.Records(), 0), true, nil
}
