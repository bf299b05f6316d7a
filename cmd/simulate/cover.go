package simulate

import (
	"fmt"
	"os"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/coverage"
	"github.com/ivrctl/ivrctl/pkg/menu"
)

// newCounter is the coverage counter of --coverprofile, nil without it.
func (o *SimulateOptions) newCounter(eng *menu.Engine) *coverage.Counter {
	if o.CoverProfile == "" {
		return nil
	}
	return coverage.NewCounter(menu.NewGraph(eng))
}

// count notes the path an answered event took. Status updates, inbound
// greetings and events naming an unknown menu take none.
func count(c *coverage.Counter, ev *callflow.VCAEvent, res menu.Result) {
	if c == nil || ev == nil || res.Reply == nil {
		return
	}
	switch res.Matched {
	case "status", "inbound", "fallback":
		return
	}
	digits, _ := ev.Digits()
	c.Answered(ev.Payload.ClientActionID, digits)
}

// writeProfile writes --coverprofile and says what it covers on stderr.
func (o *SimulateOptions) writeProfile(c *coverage.Counter) error {
	if c == nil {
		return nil
	}
	p := c.Profile()
	if err := os.WriteFile(o.CoverProfile, p.Marshal(), 0o644); err != nil {
		return &cmdutil.ExitError{Code: cmdutil.ExitUsage, Err: fmt.Errorf("--coverprofile: %w", err)}
	}
	fmt.Fprintln(o.IO.ErrOut, p.Summary())
	return nil
}
