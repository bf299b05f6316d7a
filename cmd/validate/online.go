package validate

import (
	"context"
	"slices"

	"github.com/ivrctl/ivrctl/cmd/account"
	"github.com/ivrctl/ivrctl/pkg/accountcache"
	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/menu"
)

// onlineCheck judges voiceProfiles against the sub-account's speech
// profiles, which only 8x8 knows: offline, a profile can only be checked
// for its shape.
type onlineCheck struct {
	ctx    context.Context // the command's: a Ctrl-C ends a slow lookup
	opts   *ValidateOptions
	lister *accountcache.Lister
	known  map[string]bool // nil until first needed
	fresh  bool            // known came from 8x8 in this run, not the cache
}

func newOnlineCheck(ctx context.Context, opts *ValidateOptions) (*onlineCheck, error) {
	if err := opts.Account.Check(); err != nil {
		return nil, err
	}
	l, err := opts.Account.Lister()
	if err != nil {
		return nil, err
	}
	return &onlineCheck{ctx: ctx, opts: opts, lister: l}, nil
}

// voiceUses lists the file's voiceProfiles: a menu's keys, a callflow's
// JSON paths. Paths the offline validator already reported are skipped (a
// malformed profile is reported once); a menu file that does not parse has
// been reported already and gives none.
func voiceUses(path string, data []byte, offline callflow.Problems) []account.ProfileUse {
	if isMenu(path, data) {
		m, err := menu.Parse(path, data)
		if err != nil {
			return nil
		}
		return account.MenuProfiles(m)
	}
	var uses []account.ProfileUse
	for _, u := range account.CallflowProfiles(data) {
		if !slices.ContainsFunc(offline, func(p callflow.Problem) bool { return p.Path == u.Path }) {
			uses = append(uses, u)
		}
	}
	return uses
}

// problems lists the uses of voices the sub-account lacks, as -1002.
func (c *onlineCheck) problems(uses []account.ProfileUse) (callflow.Problems, error) {
	unknown, err := c.unknown(account.Codes(uses))
	if err != nil {
		return nil, account.Error("list the speech profiles of sub-account "+c.opts.Account.Subaccount, err, c.opts.Account.APIKey)
	}
	return account.ProfileProblems(uses, unknown, c.opts.Account.Subaccount), nil
}

// unknown returns the codes not among the profiles: the cached list first,
// fetched once from 8x8 when it lacks one (a voice added since it was
// cached is not refused).
func (c *onlineCheck) unknown(codes []string) ([]string, error) {
	missing := func() []string {
		var out []string
		for _, code := range codes {
			if !c.known[code] {
				out = append(out, code)
			}
		}
		return out
	}
	if c.known == nil {
		if ps, ok := c.lister.CachedProfiles(); ok {
			c.setKnown(ps)
		}
	}
	if c.known == nil || (len(missing()) > 0 && !c.fresh) {
		ctx := c.ctx
		if ctx == nil {
			ctx = context.Background()
		}
		ps, err := c.lister.Profiles(ctx, false)
		if err != nil {
			return nil, err
		}
		c.setKnown(ps)
		c.fresh = true
	}
	return missing(), nil
}

func (c *onlineCheck) setKnown(ps []callflow.SpeechProfile) {
	c.known = make(map[string]bool, len(ps))
	for _, p := range ps {
		c.known[p.Code] = true
	}
}
