package call

import (
	"sync"

	"github.com/ivrctl/ivrctl/pkg/webhook"
)

// maxQueued bounds the events held before the call's sessionId is known
// (the Send Callflow request is in flight): 8x8 may post the first VCA
// before its answer to the POST arrives, so they wait to be matched.
// Only a flood of other sessions' events could fill it.
const maxQueued = 1024

// inbox takes the webhook server's events, from its handlers'
// goroutines, and holds those of the call being waited for until the
// command's loop takes them. Until the sessionId is known every event is
// held; once it is, other sessions' events are counted and dropped (the
// server has answered them already: it is a menu server for anyone).
type inbox struct {
	mu      sync.Mutex
	session string // "" until 8x8's answer to the POST names it
	queue   []webhook.Event
	others  int // other sessions' events: answered, not shown
	dropped int // held events dropped because the queue was full
	kick    chan struct{}
}

func newInbox() *inbox { return &inbox{kick: make(chan struct{}, 1)} }

// add is the server's OnEvent.
func (b *inbox) add(e webhook.Event) {
	b.mu.Lock()
	switch {
	case b.session != "" && !b.mine(e):
	case len(b.queue) >= maxQueued:
		b.dropped++
	default:
		b.queue = append(b.queue, e)
	}
	b.mu.Unlock()
	select {
	case b.kick <- struct{}{}:
	default: // the loop is already due to look
	}
}

// setSession names the call's session and sorts what was held.
func (b *inbox) setSession(id string) {
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
	select {
	case b.kick <- struct{}{}:
	default:
	}
}

// mine reports whether e is shown: an event of the session, or a
// request refused before its session could be read (an authentication
// failure may well be 8x8's post for this call), or the server's own
// warning. Other sessions' events are counted. Called under mu.
func (b *inbox) mine(e webhook.Event) bool {
	switch {
	case e.Session == b.session:
		return e.Kind != webhook.KindServer || e.Level != webhook.LevelInfo
	case e.Session == "":
		return e.Kind == webhook.KindReject || e.Kind == webhook.KindServer && e.Level != webhook.LevelInfo
	}
	b.others++
	return false
}

// sessionID returns the session waited for ("" : not known yet).
func (b *inbox) sessionID() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.session
}

// take returns the events held, oldest first, and empties the inbox.
func (b *inbox) take() []webhook.Event {
	b.mu.Lock()
	defer b.mu.Unlock()
	q := b.queue
	b.queue = nil
	return q
}

// counts returns how many other sessions' events were answered and how
// many held events were dropped.
func (b *inbox) counts() (others, dropped int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.others, b.dropped
}
