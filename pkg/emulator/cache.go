package emulator

import (
	"encoding/json"
	"strings"
	"sync"

	"github.com/ivrctl/ivrctl/pkg/callflow"
)

// responseCache remembers what the validator said about the bodies seen:
// a menu answers with a handful of fixed bodies and a test sends the same
// request thousands of times, and the validator (a generic JSON walk) was
// most of a call's cost. Entries are immutable once stored; the cache is
// cleared when full, which keeps it bounded without bookkeeping.
type responseCache struct {
	mu        sync.RWMutex
	requests  map[string]*parsedRequest
	responses map[string]*parsedResponse
}

// The cache holds at most maxCached bodies of each kind, none larger than
// maxCachedBody: a flood of distinct or huge bodies cannot grow it.
const (
	maxCached     = 1024
	maxCachedBody = 16 << 10
)

type parsedRequest struct {
	req      *callflow.Request
	problems callflow.Problems
	captures bool // the callflow has a sayAndCapture
}

type parsedResponse struct {
	flow     *callflow.WebhookResponse
	problems callflow.Problems
	names    string // "say+hangup", for logs
}

func (c *responseCache) request(body []byte) *parsedRequest {
	c.mu.RLock()
	p, ok := c.requests[string(body)] // no allocation: the compiler reads the map in place
	c.mu.RUnlock()
	if ok {
		return p
	}
	p = &parsedRequest{problems: callflow.ValidateJSON(body, callflow.KindRequest)}
	if len(p.problems) == 0 {
		p.req = new(callflow.Request)
		if err := json.Unmarshal(body, p.req); err != nil {
			// The validator accepted what encoding/json refuses: a
			// defect, reported as the platform's generic refusal.
			p.problems = callflow.Problems{{Code: callflow.StatusInvalidJSON, Path: "$",
				Message: callflow.StatusMessage(callflow.StatusInvalidJSON) + ": " + err.Error()}}
			p.req = nil
		}
	}
	if p.req != nil {
		for _, a := range p.req.Callflow {
			p.captures = p.captures || a.Action == callflow.ActionSayAndCapture
		}
	}
	if len(body) > maxCachedBody {
		return p
	}
	c.mu.Lock()
	if c.requests == nil || len(c.requests) >= maxCached {
		c.requests = make(map[string]*parsedRequest)
	}
	c.requests[string(body)] = p
	c.mu.Unlock()
	return p
}

func (c *responseCache) response(body []byte) *parsedResponse {
	c.mu.RLock()
	p, ok := c.responses[string(body)]
	c.mu.RUnlock()
	if ok {
		return p
	}
	p = &parsedResponse{problems: callflow.ValidateJSON(body, callflow.KindWebhookResponse)}
	if len(p.problems) == 0 {
		p.flow = new(callflow.WebhookResponse)
		if err := json.Unmarshal(body, p.flow); err != nil {
			p.problems = callflow.Problems{{Code: callflow.StatusInvalidJSON, Path: "$",
				Message: callflow.StatusMessage(callflow.StatusInvalidJSON) + ": " + err.Error()}}
			return p
		}
		names := make([]string, len(p.flow.Callflow))
		for i, a := range p.flow.Callflow {
			names[i] = a.Action
		}
		p.names = strings.Join(names, "+")
	}
	if len(body) > maxCachedBody {
		return p
	}
	c.mu.Lock()
	if c.responses == nil || len(c.responses) >= maxCached {
		c.responses = make(map[string]*parsedResponse)
	}
	c.responses[string(body)] = p
	c.mu.Unlock()
	return p
}
