package call

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ivrctl/ivrctl/cmd/account"
	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/menu"
	"github.com/ivrctl/ivrctl/pkg/voiceapi"
)

// accountTimeout bounds each request of the checks: they are a courtesy
// before the call, not worth holding it up for long.
const accountTimeout = 10 * time.Second

// checkAccount checks the request against the sub-account's lists before
// anything is sent: a voiceProfile 8x8 would refuse (-1002) stops the run
// with exit 2, like any invalid request; a --from that is not one of the
// sub-account's virtual numbers only warns (8x8 decides caller IDs by its
// whitelist, which the list may not mirror).
//
// The lists come from an auxiliary endpoint: when they cannot be fetched
// the call goes ahead with a warning, because refusing to call over a
// failed lookup would make that endpoint a single point of failure for
// calls that are most likely fine (8x8 still reports -1002 itself).
//
// ctx ends the checks early (Ctrl-C under --wait, whose handler is
// installed by then): they then say nothing, and the caller's runner
// reports the call as not placed.
func checkAccount(ctx context.Context, opts *CallOptions, p *plan, errOut io.Writer) error {
	ao := &account.Options{APIKey: opts.APIKey, Subaccount: opts.Subaccount, BaseURL: opts.BaseURL,
		Version: opts.Version, HTTPClient: opts.HTTPClient, CacheDir: opts.CacheDir,
		Retries: 1, Timeout: min(opts.requestTimeout(), accountTimeout), Sleep: opts.Sleep, Now: opts.Now}
	l, err := ao.Lister()
	if err != nil {
		return err
	}
	warn := func(format string, args ...any) {
		if ctx.Err() != nil {
			return // stopping: not a failed lookup
		}
		fmt.Fprintf(errOut, "%s %s\n", opts.IO.ErrPalette().Yellow("warning:"), fmt.Sprintf(format, args...))
	}

	if !opts.NoProfileCheck {
		uses := account.CallflowProfiles(p.jobs[0].body)
		menuUses := account.MenuProfiles(p.engine.Menu())
		unknown, err := l.UnknownProfiles(ctx, account.Codes(append(uses, menuUses...)))
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			warn("could not check voiceProfile against sub-account %s's speech profiles (%s): sending anyway", opts.Subaccount, brief(err))
		case len(account.ProfileProblems(uses, unknown, opts.Subaccount)) > 0:
			what := "the request for " + p.jobs[0].number
			if !p.single {
				what = "every request"
			}
			return &cmdutil.ExitError{Code: cmdutil.ExitUsage,
				Err:  fmt.Errorf("%s would be refused, nothing sent:\n%w", what, account.ProfileProblems(uses, unknown, opts.Subaccount)),
				Hint: "list the sub-account's voices with: ivrctl profiles (--no-profile-check skips this check)"}
		default:
			// Prompts served later, by `ivrctl serve`: the call can start,
			// but 8x8 will fail to speak them.
			for _, pr := range account.ProfileProblems(menuUses, unknown, opts.Subaccount) {
				warn("menu %s: %s: that prompt will fail during the call", p.engine.Menu().File, pr)
			}
		}
	}

	switch ok, err := l.HasNumber(ctx, opts.From); {
	case err != nil:
		warn("could not check --from %s against sub-account %s's virtual numbers (%s)", opts.From, opts.Subaccount, brief(err))
	case !ok:
		warn("--from %s is not one of sub-account %s's virtual numbers (ivrctl numbers lists them): 8x8 will likely refuse the call (-1014)", opts.From, opts.Subaccount)
	}
	return nil
}

// brief is a lookup's failure in a few words: 8x8's answer, or the
// transport error.
func brief(err error) string {
	var apiErr *voiceapi.APIError
	if errors.As(err, &apiErr) {
		return account.Describe(apiErr)
	}
	return err.Error()
}

// CheckAccount is call's check of a batch before sending, for the other
// commands that place calls (campaign): body is one of its requests, all
// of which play the same start prompt with the same voiceProfile.
func CheckAccount(ctx context.Context, opts *CallOptions, body []byte, engine *menu.Engine, errOut io.Writer) error {
	return checkAccount(ctx, opts, &plan{engine: engine, jobs: []job{{body: body}}}, errOut)
}
