package emulator

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"

	"github.com/ivrctl/ivrctl/pkg/callflow"
)

// CALL_STATUS (VCS) callStatus values the emulator sends (the digest's
// section 5; DTMF_RECEIVED and CALL_RECEIVED are pkg/callflow's).
const (
	callStatusInitiated    = "CALL_INITIATED"
	callStatusConnected    = "CALL_CONNECTED"
	callStatusDisconnected = "CALL_DISCONNECTED"
)

// Call directions of events and summaries.
const (
	directionOutbound = "OUTBOUND"
	directionInbound  = "INBOUND"
)

// vcsFor returns where sub's CALL_STATUS events go: its enabled VCS
// registration, else Config.VCS (nil: none are built).
func (e *Emulator) vcsFor(sub string) func(context.Context, []byte) error {
	if reg := e.hooks.get(sub, "VCS"); reg != nil && reg.Enabled {
		return reg.vss // a VCS registration posts with VSSWebhook.Deliver (account.go)
	}
	return e.cfg.VCS
}

// callStatus queues a CALL_STATUS event about leg l at the session's
// virtual now. It never blocks: see vcsQueue.
func (s *session) callStatus(l *leg, status string, digits *string) {
	if s.vcsPost == nil {
		return
	}
	s.tr.StatusEvents = append(s.tr.StatusEvents, status)
	dur := 0
	if l.connected >= 0 {
		end := s.now
		if l.disconnected >= 0 {
			end = l.disconnected
		}
		dur = seconds(end - l.connected)
	}
	p := callflow.VCAPayload{
		EventID:                s.e.cfg.NewID(),
		CallID:                 l.callID,
		SessionID:              s.tr.SessionID,
		SubAccountID:           s.sub,
		CallStatus:             status,
		CallDirection:          l.direction,
		CallType:               "PSTN",
		Source:                 l.source,
		Destination:            l.destination,
		SourceFormat:           "MSISDN",
		DestinationFormat:      "MSISDN",
		SourceCountryCode:      countryCode(l.source),
		DestinationCountryCode: countryCode(l.destination),
		CallDuration:           callflow.FlexNumber(strconv.Itoa(dur)),
		SIPCode:                sipCode(l, status),
		Timestamp:              s.at(s.now).Format("2006-01-02T15:04:05.000Z"),
	}
	if status == callStatusDisconnected && l.disconnected >= 0 {
		p.Timestamp = s.at(l.disconnected).Format("2006-01-02T15:04:05.000Z")
	}
	if digits != nil {
		p.EventData = &callflow.VCAEventData{DTMF: callflow.Some(*digits)}
		p.DTMF = callflow.Some(*digits)
	}
	body, err := json.Marshal(&callflow.VCAEvent{
		Namespace: callflow.NamespaceVoice, EventType: callflow.EventCallStatus,
		Description: "Status update of a call", Payload: p,
	})
	if err != nil {
		return
	}
	s.delivered("VCS")
	if !s.e.vcs.push(s.e, vcsJob{session: s.tr.SessionID, post: s.vcsPost, body: body}) {
		s.note("a CALL_STATUS event was dropped: the status queue was full")
		s.logf(EventVCS, true, "%s dropped: %d status events queued already", status, VCSQueueSize)
	}
}

// sipCode is the final SIP code of a leg as 8x8 reads them (the digest's
// section 11): 200 when it answered, 486 busy, 480 no answer, 404 a
// number that could not be reached.
func sipCode(l *leg, status string) int {
	if status != callStatusDisconnected || l.connected >= 0 {
		return 200
	}
	switch l.status {
	case callflow.SessionBusy:
		return 486
	case callflow.SessionNoAnswer:
		return 480
	case callflow.SessionFailed:
		return 404
	}
	return 200
}

type vcsJob struct {
	session string
	post    func(context.Context, []byte) error
	body    []byte
}

// vcsQueue posts CALL_STATUS events in the background: at most
// VCSQueueSize wait, at most VCSWorkers post at once, and the workers
// exit when the queue is empty. The zero value is ready.
type vcsQueue struct {
	mu      sync.Mutex
	jobs    []vcsJob
	workers int
	pending int           // queued or being posted
	idle    chan struct{} // closed when pending drops to 0; nil while idle
}

// push queues a job; false when the queue is full (the event is lost,
// as a best-effort delivery may lose it).
func (q *vcsQueue) push(e *Emulator, j vcsJob) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.jobs) >= VCSQueueSize {
		return false
	}
	q.jobs = append(q.jobs, j)
	if q.pending == 0 {
		q.idle = make(chan struct{})
	}
	q.pending++
	if q.workers < VCSWorkers {
		q.workers++
		go q.work(e)
	}
	return true
}

func (q *vcsQueue) work(e *Emulator) {
	for {
		q.mu.Lock()
		if len(q.jobs) == 0 {
			q.workers--
			q.mu.Unlock()
			return
		}
		j := q.jobs[0]
		q.jobs[0] = vcsJob{}
		q.jobs = q.jobs[1:]
		q.mu.Unlock()

		if err := e.postOnce(context.Background(), j.post, j.body); err != nil {
			e.emit(Event{Session: j.session, Kind: EventVCS, Error: true, Message: "CALL_STATUS not delivered: " + err.Error()})
		}

		q.mu.Lock()
		q.pending--
		if q.pending == 0 {
			close(q.idle)
			q.idle = nil
		}
		q.mu.Unlock()
	}
}

// wait returns once nothing is queued or being posted, or ctx is done.
func (q *vcsQueue) wait(ctx context.Context) error {
	q.mu.Lock()
	idle := q.idle
	q.mu.Unlock()
	if idle == nil {
		return nil
	}
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
