package accountcache

import (
	"context"

	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/voiceapi"
)

// Cache kinds.
const (
	kindProfiles = "speech-profiles"
	kindNumbers  = "numbers"
)

// Lister reads the sub-account's speech profiles and numbers, through the
// cache.
type Lister struct {
	Client     *voiceapi.Client
	Cache      *Cache
	Subaccount string
}

// Profiles returns the speech profiles: from the cache when it is fresh
// and cached is allowed, else from 8x8 (and then cached). A fetch that
// fails is not cached.
func (l *Lister) Profiles(ctx context.Context, cached bool) ([]callflow.SpeechProfile, error) {
	var ps []callflow.SpeechProfile
	if cached && l.Cache.Load(kindProfiles, l.Client.BaseURL(), l.Subaccount, &ps) {
		return ps, nil
	}
	ps, err := l.Client.SpeechProfiles(ctx, l.Subaccount)
	if err != nil {
		return nil, err
	}
	// A cache that cannot be written costs a request next time, never a
	// wrong answer: not worth failing or even warning about.
	_ = l.Cache.Store(kindProfiles, l.Client.BaseURL(), l.Subaccount, ps)
	return ps, nil
}

// CachedProfiles returns the cached speech profiles, if fresh.
func (l *Lister) CachedProfiles() ([]callflow.SpeechProfile, bool) {
	var ps []callflow.SpeechProfile
	ok := l.Cache.Load(kindProfiles, l.Client.BaseURL(), l.Subaccount, &ps)
	return ps, ok
}

// Numbers returns the virtual numbers, like Profiles.
func (l *Lister) Numbers(ctx context.Context, cached bool) ([]callflow.VirtualNumber, error) {
	var ns []callflow.VirtualNumber
	if cached && l.Cache.Load(kindNumbers, l.Client.BaseURL(), l.Subaccount, &ns) {
		return ns, nil
	}
	ns, err := l.Client.Numbers(ctx, l.Subaccount)
	if err != nil {
		return nil, err
	}
	_ = l.Cache.Store(kindNumbers, l.Client.BaseURL(), l.Subaccount, ns)
	return ns, nil
}

// UnknownProfiles returns the codes that are not speech profiles of the
// sub-account, in the order given. When the cached list lacks one, the
// list is fetched again before answering: a profile added since it was
// cached must not be refused for a day.
func (l *Lister) UnknownProfiles(ctx context.Context, codes []string) ([]string, error) {
	unknown := func(ps []callflow.SpeechProfile) []string {
		have := make(map[string]bool, len(ps))
		for _, p := range ps {
			have[p.Code] = true
		}
		var out []string
		for _, c := range codes {
			if !have[c] {
				out = append(out, c)
			}
		}
		return out
	}
	if cachedList, ok := l.CachedProfiles(); ok && len(unknown(cachedList)) == 0 {
		return nil, nil
	}
	ps, err := l.Profiles(ctx, false)
	if err != nil {
		return nil, err
	}
	return unknown(ps), nil
}

// HasNumber reports whether number is one of the sub-account's virtual
// numbers, comparing digits only (+6561115777 is 6561115777). A cached
// list that lacks it is fetched again first, as for profiles.
func (l *Lister) HasNumber(ctx context.Context, number string) (bool, error) {
	want := callflow.Digits(number)
	has := func(ns []callflow.VirtualNumber) bool {
		for _, n := range ns {
			if callflow.Digits(n.MSISDN) == want {
				return true
			}
		}
		return false
	}
	var cachedList []callflow.VirtualNumber
	if l.Cache.Load(kindNumbers, l.Client.BaseURL(), l.Subaccount, &cachedList) && has(cachedList) {
		return true, nil
	}
	ns, err := l.Numbers(ctx, false)
	if err != nil {
		return false, err
	}
	return has(ns), nil
}
