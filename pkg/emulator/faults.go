package emulator

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Fault names, as scenarios (`faults:`) and `ivrctl emulate --fault` write
// them. Each is something 8x8's platform may do that a backend must
// survive; what exactly the emulator does for each is in choices.go.
const (
	FaultDuplicateVCA    = "duplicate-vca"     // every VCA event is delivered twice, same eventId
	FaultDuplicateVSS    = "duplicate-vss"     // the session summary is delivered twice, same sessionId
	FaultRetryVSS        = "retry-vss"         // a summary answered non-2xx is delivered again
	FaultDelayVSS        = "delay-vss"         // the summary arrives after the next call's
	FaultHangupInPrompt  = "hangup-in-prompt"  // the caller hangs up while prompt N plays (=N, default 1)
	FaultHangupInCapture = "hangup-in-capture" // the caller hangs up after the first key at prompt N
	FaultBargeIn         = "barge-in"          // keys come while the prompt is still playing
	FaultSlowNetwork     = "slow-network"      // each webhook request waits =DURATION first (default 1s)
)

// FaultNames lists every fault, for help texts and errors.
var FaultNames = []string{
	FaultDuplicateVCA, FaultDuplicateVSS, FaultRetryVSS, FaultDelayVSS,
	FaultHangupInPrompt, FaultHangupInCapture, FaultBargeIn, FaultSlowNetwork,
}

// Faults are the faults a session plays. The zero value plays none.
type Faults struct {
	DuplicateVCA bool
	DuplicateVSS bool
	RetryVSS     bool
	DelayVSS     bool
	// HangupInPrompt and HangupInCapture are the prompt (counting every
	// sayAndCapture play of the session from 1, retries included) at
	// which the caller hangs up; 0: never.
	HangupInPrompt  int
	HangupInCapture int
	BargeIn         bool
	// SlowNetwork is added (real time) before every webhook request:
	// VCA, VSS and VCS. It counts against the webhook timeout.
	SlowNetwork time.Duration
}

// Any reports whether f plays a fault.
func (f Faults) Any() bool { return f != Faults{} }

// Merge returns f with every fault of g added (g's numbers win when set).
func (f Faults) Merge(g Faults) Faults {
	f.DuplicateVCA = f.DuplicateVCA || g.DuplicateVCA
	f.DuplicateVSS = f.DuplicateVSS || g.DuplicateVSS
	f.RetryVSS = f.RetryVSS || g.RetryVSS
	f.DelayVSS = f.DelayVSS || g.DelayVSS
	f.BargeIn = f.BargeIn || g.BargeIn
	if g.HangupInPrompt > 0 {
		f.HangupInPrompt = g.HangupInPrompt
	}
	if g.HangupInCapture > 0 {
		f.HangupInCapture = g.HangupInCapture
	}
	if g.SlowNetwork > 0 {
		f.SlowNetwork = g.SlowNetwork
	}
	return f
}

// Names lists the faults f plays, as ParseFault reads them back.
func (f Faults) Names() []string {
	var out []string
	add := func(on bool, name string) {
		if on {
			out = append(out, name)
		}
	}
	add(f.DuplicateVCA, FaultDuplicateVCA)
	add(f.DuplicateVSS, FaultDuplicateVSS)
	add(f.RetryVSS, FaultRetryVSS)
	add(f.DelayVSS, FaultDelayVSS)
	if f.HangupInPrompt > 0 {
		out = append(out, fmt.Sprintf("%s=%d", FaultHangupInPrompt, f.HangupInPrompt))
	}
	if f.HangupInCapture > 0 {
		out = append(out, fmt.Sprintf("%s=%d", FaultHangupInCapture, f.HangupInCapture))
	}
	add(f.BargeIn, FaultBargeIn)
	if f.SlowNetwork > 0 {
		out = append(out, FaultSlowNetwork+"="+f.SlowNetwork.String())
	}
	return out
}

// ParseFault adds one fault, written NAME or NAME=VALUE, to f. Its error
// names the faults there are.
func (f *Faults) ParseFault(s string) error {
	name, val, hasVal := strings.Cut(strings.TrimSpace(s), "=")
	name = strings.TrimSpace(name)
	val = strings.TrimSpace(val)
	if !slices.Contains(FaultNames, name) {
		return fmt.Errorf("%q is not a fault: use one of %s", name, strings.Join(FaultNames, ", "))
	}
	noValue := func() error {
		if hasVal {
			return fmt.Errorf("%s takes no value, found %q", name, val)
		}
		return nil
	}
	prompt := func() (int, error) {
		if !hasVal {
			return 1, nil
		}
		n, err := strconv.Atoi(val)
		if err != nil || n < 1 {
			return 0, fmt.Errorf("%s=%s: the prompt number counts from 1 (%s=2 is the second prompt played)", name, val, name)
		}
		return n, nil
	}
	var err error
	switch name {
	case FaultDuplicateVCA:
		f.DuplicateVCA, err = true, noValue()
	case FaultDuplicateVSS:
		f.DuplicateVSS, err = true, noValue()
	case FaultRetryVSS:
		f.RetryVSS, err = true, noValue()
	case FaultDelayVSS:
		f.DelayVSS, err = true, noValue()
	case FaultBargeIn:
		f.BargeIn, err = true, noValue()
	case FaultHangupInPrompt:
		f.HangupInPrompt, err = prompt()
	case FaultHangupInCapture:
		f.HangupInCapture, err = prompt()
	case FaultSlowNetwork:
		f.SlowNetwork = DefaultSlowNetwork
		if hasVal {
			d, perr := time.ParseDuration(val)
			if perr != nil || d <= 0 || d > MaxSlowNetwork {
				return fmt.Errorf("%s=%s: give a duration from 1ms to %s, e.g. %s=300ms", name, val, MaxSlowNetwork, name)
			}
			f.SlowNetwork = d
		}
	}
	return err
}

// ParseFaults reads a list of faults (each NAME or NAME=VALUE).
func ParseFaults(list []string) (Faults, error) {
	var f Faults
	for _, s := range list {
		if err := f.ParseFault(s); err != nil {
			return Faults{}, err
		}
	}
	return f, nil
}

// FaultCaller is a Caller that plays faults of its own (a scenario's
// `faults:`, a callers file's entry); they add to Config.Faults.
type FaultCaller interface {
	Caller
	Faults() Faults
}

// faultsOf is the faults a session with caller plays.
func (e *Emulator) faultsOf(caller Caller) Faults {
	f := e.cfg.Faults
	if fc, ok := caller.(FaultCaller); ok {
		f = f.Merge(fc.Faults())
	}
	return f
}

// slow waits d (the slow-network fault) or until ctx is done.
func slow(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// slowWebhook delays every VCA request by d.
type slowWebhook struct {
	w Webhook
	d time.Duration
}

func (s slowWebhook) CallAction(ctx context.Context, event []byte) (int, []byte, error) {
	if err := slow(ctx, s.d); err != nil {
		return 0, nil, fmt.Errorf("slow network (%s, fault %s): %w", s.d, FaultSlowNetwork, err)
	}
	return s.w.CallAction(ctx, event)
}

// slowPost delays a summary or status post by d.
func slowPost(post func(context.Context, []byte) error, d time.Duration) func(context.Context, []byte) error {
	if post == nil || d <= 0 {
		return post
	}
	return func(ctx context.Context, body []byte) error {
		if err := slow(ctx, d); err != nil {
			return fmt.Errorf("slow network (%s, fault %s): %w", d, FaultSlowNetwork, err)
		}
		return post(ctx, body)
	}
}
