package simulate

import (
	"encoding/json"
	"fmt"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/menu"
	"github.com/ivrctl/ivrctl/pkg/replay"
)

func run(opts *SimulateOptions) error {
	eng, err := opts.LoadEng(opts.Menu, menu.Numbers{From: opts.From, Agent: opts.Agent})
	if err != nil {
		return err
	}
	var expected []byte
	if opts.Expect != "" {
		if expected, err = opts.ReadFile(opts.Expect); err != nil {
			return &cmdutil.ExitError{Code: cmdutil.ExitUsage, Err: fmt.Errorf("--expect: %w", err)}
		}
		if !json.Valid(expected) {
			return cmdutil.Usagef("--expect %s: not valid JSON", opts.Expect)
		}
	}
	if opts.walkSet {
		return walk(opts, eng, expected)
	}

	inputs := replay.Gather(opts.Paths, replay.Source{Stdin: opts.IO.In, ReadFile: opts.ReadFile, NoExpected: opts.dtmfSet})
	for _, in := range inputs {
		// A docs example run outside a clone: say where the samples are.
		if hint := cmdutil.SampleHint(in.Name); in.Err != nil && hint != "" {
			in.Err = fmt.Errorf("%w (%s)", in.Err, hint)
		}
	}
	worst := cmdutil.ExitOK
	r := newRenderer(opts)
	var passed, failed int
	if expected != nil {
		for _, in := range inputs {
			in.Expected, in.ExpName = expected, opts.Expect
		}
	}
	counter := opts.newCounter(eng)
	// Streamed: each outcome is printed and dropped as soon as it and all
	// before it are done, so a recording of any size runs in bounded memory.
	checked := false
	replay.Stream(eng, inputs, opts.dtmfOverride(), func(out *replay.Outcome) {
		checked = checked || out.Checked()
		r.outcome(out)
		if out.Err == nil {
			count(counter, out.Event, out.Result)
		}
		switch {
		case out.Err != nil:
			failed++
			worst = max(worst, cmdutil.ExitUsage)
		case out.Diff != "":
			failed++
			worst = max(worst, cmdutil.ExitFailed)
		default:
			passed++
		}
	})
	if len(inputs) > 1 || expected != nil || checked || worst != cmdutil.ExitOK {
		r.summary(passed, failed)
	}
	if err := opts.writeProfile(counter); err != nil {
		return err
	}
	if worst != cmdutil.ExitOK {
		return &cmdutil.SilentError{Code: worst}
	}
	return nil
}

// dtmfOverride returns the digits --dtmf sets, or nil when it is not set.
func (o *SimulateOptions) dtmfOverride() *string {
	if !o.dtmfSet {
		return nil
	}
	return &o.DTMF
}
