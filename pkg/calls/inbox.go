package calls

import (
	"sync"

	"github.com/ivrctl/ivrctl/pkg/webhook"
)

// maxQueued bounds the events held before the call's sessionId is known
// (the Send Callflow request is in flight): 8x8 may post the first VCA
// before its answer to the POST arrives, so they wait to be matched.
// Only a flood of other sessions' events could fill it.
const maxQueued = 1024

// Inbox takes the webhook server's events, from its handlers'
// goroutines, and holds those of the call being waited for until the
// command's loop takes them. Until the sessionId is known every event is
// held; once it is, other sessions' events are counted and dropped (the
// server has answered them already: it is a menu server for anyone).
type Inbox struct {
	mu      sync.Mutex
	session string // "" until 8x8's answer to the POST names it
	queue   []webhook.Event
	others  int // other sessions' events: answered, not shown
	dropped int // held events dropped because the queue was full
	kick    chan struct{}
}

// NewInbox returns an empty Inbox, holding every event until SetSession.
func NewInbox() *Inbox { return &Inbox{kick: make(chan struct{}, 1)} }

// Add is the server's OnEvent: safe from any goroutine.
func (b *Inbox) Add(e webhook.Event) {
	b.mu.Lock()
	switch {
	case b.session != "" && !b.mine(e):
	case len(b.queue) >= maxQueued:
		b.dropped++
	default:
		b.queue = append(b.queue, e)
	}
	b.mu.Unlock()
	b.notify()
}

// SetSession names the call's session and drops the other sessions'
// events held so far.
func (b *Inbox) SetSession(id string) {
	b.mu.Lock()
	b.session = id
	kept := b.queue[:0]
	for _, e := range b.queue {
		if b.mine(e) {
			kept = append(kept, e)
		}
	}
	clear(b.queue[len(kept):])
	b.queue = kept
	b.mu.Unlock()
	b.notify()
}

// Ready receives a value after events were added: the reader's cue to
// Take. One value stands for any number of additions.
func (b *Inbox) Ready() <-chan struct{} { return b.kick }

func (b *Inbox) notify() {
	select {
	case b.kick <- struct{}{}:
	default: // the reader is already due to look
	}
}

// mine reports whether e is shown: an event of the session, or a
// request refused before its session could be read (an authentication
// failure may well be 8x8's post for this call), or the server's own
// warning. Other sessions' events are counted. Called under mu.
func (b *Inbox) mine(e webhook.Event) bool {
	switch {
	case e.Session == b.session:
		return e.Kind != webhook.KindServer || e.Level != webhook.LevelInfo
	case e.Session == "":
		return e.Kind == webhook.KindReject || e.Kind == webhook.KindServer && e.Level != webhook.LevelInfo
	}
	b.others++
	return false
}

// SessionID returns the session waited for ("": not known yet).
func (b *Inbox) SessionID() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.session
}

// Take returns the events held, oldest first, and empties the inbox.
func (b *Inbox) Take() []webhook.Event {
	b.mu.Lock()
	defer b.mu.Unlock()
	q := b.queue
	b.queue = nil
	return q
}

// Counts returns how many other sessions' events were answered and how
// many held events were dropped.
func (b *Inbox) Counts() (others, dropped int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.others, b.dropped
}
