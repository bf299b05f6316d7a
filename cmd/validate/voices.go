package validate

import (
	"context"
	"fmt"
	"slices"

	"github.com/ivrctl/ivrctl/cmd/account"
	"github.com/ivrctl/ivrctl/pkg/callflow"
)

// voices checks voiceProfiles against the sub-account's speech profiles,
// from the first source there is: --online (8x8), --profiles (a list
// given offline, as emulate and test take it), the list an earlier
// command cached. With none it checks nothing and says so once.
type voices struct {
	online *onlineCheck
	known  map[string]bool // offline: --profiles or the cache
	source string          // where known came from, for messages
	off    bool            // --profiles any
	used   bool            // some file names a voiceProfile
}

func newVoices(ctx context.Context, opts *ValidateOptions) (*voices, error) {
	v := &voices{}
	switch {
	case opts.Online:
		c, err := newOnlineCheck(ctx, opts)
		if err != nil {
			return nil, err
		}
		v.online = c
	case opts.Profiles != "":
		ps, err := account.ParseProfiles(opts.Profiles, opts.ReadFile)
		if err != nil {
			return nil, err
		}
		if ps == nil {
			v.off = true
			break
		}
		v.known = map[string]bool{}
		for _, p := range ps {
			v.known[p.Code] = true
		}
		v.source = "the --profiles list"
	default:
		if codes, ok := opts.Account.CachedProfileCodes(); ok {
			v.known = codes
			v.source = "the cached list of sub-account " + opts.Account.Subaccount
		}
	}
	return v, nil
}

// problems lists the file's voiceProfiles that are not the sub-account's.
func (v *voices) problems(path string, data []byte, offline callflow.Problems) (callflow.Problems, error) {
	if v.off {
		return nil, nil
	}
	uses := voiceUses(path, data, offline)
	if len(uses) == 0 {
		return nil, nil
	}
	v.used = true
	if v.online != nil {
		return v.online.problems(uses)
	}
	if v.known == nil {
		return nil, nil
	}
	var ps callflow.Problems
	for _, u := range uses {
		if !v.known[u.Code] && !slices.ContainsFunc(ps, func(p callflow.Problem) bool { return p.Path == u.Path }) {
			ps = append(ps, callflow.Problem{Code: callflow.StatusVoiceProfile, Path: u.Path,
				Message: fmt.Sprintf("%s: %q is not in %s", callflow.StatusMessage(callflow.StatusVoiceProfile), u.Code, v.source)})
		}
	}
	return ps, nil
}

// note is what to say once at the end: that voices were not checked.
func (v *voices) note() string {
	if !v.used || v.online != nil || v.known != nil || v.off {
		return ""
	}
	return account.VoicesNotChecked
}
