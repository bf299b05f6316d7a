package simulate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/google/go-cmp/cmp"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/menu"
)

// ExpectedSuffix names the golden answer recorded next to a payload:
// X.json is answered as X.expected.json says.
const ExpectedSuffix = ".expected.json"

// Input is one payload to replay.
type Input struct {
	Name     string
	Data     []byte
	Expected []byte // the golden answer, nil when there is none
	ExpName  string // where Expected came from
	Err      error  // the input could not be read

	// load reads Data and Expected when the input is replayed, so that
	// a directory's files are read by the replay workers in parallel.
	load func(*Input)
}

// Outcome is what replaying one input gave.
type Outcome struct {
	Input  *Input
	Event  *callflow.VCAEvent
	Result menu.Result
	Err    error  // the input could not be decoded or answered
	Diff   string // non-empty when the answer differs from the expected one
}

// Checked reports whether the outcome was compared with an expected answer.
func (o *Outcome) Checked() bool { return o.Input.Expected != nil }

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

	inputs := gather(opts)
	worst := cmdutil.ExitOK
	r := newRenderer(opts)
	var passed, failed int
	if expected != nil {
		for _, in := range inputs {
			in.Expected, in.ExpName = expected, opts.Expect
		}
	}
	outcomes := ReplayAll(eng, inputs, opts.dtmfOverride())
	for i := range outcomes {
		out := &outcomes[i]
		r.outcome(out)
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
	}
	if len(inputs) > 1 || expected != nil || anyChecked(inputs) || worst != cmdutil.ExitOK {
		r.summary(passed, failed)
	}
	if worst != cmdutil.ExitOK {
		return &cmdutil.SilentError{Code: worst}
	}
	return nil
}

func anyChecked(inputs []*Input) bool {
	for _, in := range inputs {
		if in.Expected != nil {
			return true
		}
	}
	return false
}

// dtmfOverride returns the digits --dtmf sets, or nil when it is not set.
func (o *SimulateOptions) dtmfOverride() *string {
	if !o.dtmfSet {
		return nil
	}
	return &o.DTMF
}

// ReplayAll replays inputs on every CPU and returns the outcomes in input
// order. The engine is immutable, so workers share it without locks.
func ReplayAll(eng *menu.Engine, inputs []*Input, dtmf *string) []Outcome {
	outcomes := make([]Outcome, len(inputs))
	workers := min(runtime.GOMAXPROCS(0), len(inputs)/minPerWorker+1)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(inputs) {
					return
				}
				if in := inputs[i]; in.load != nil {
					in.load(in)
					in.load = nil
				}
				outcomes[i] = Replay(eng, inputs[i], dtmf)
			}
		}()
	}
	wg.Wait()
	return outcomes
}

// minPerWorker keeps small runs on one goroutine, where starting more
// would cost more than it saves.
const minPerWorker = 256

// Replay answers one input and checks it against its expected answer.
func Replay(eng *menu.Engine, in *Input, dtmf *string) Outcome {
	out := Outcome{Input: in}
	if in.Err != nil {
		out.Err = in.Err
		return out
	}
	ev, err := callflow.DecodeVCA(in.Data)
	if err != nil {
		out.Err = describeDecodeError(ev, err)
		return out
	}
	if dtmf != nil {
		ev.Payload.EventData = nil
		ev.Payload.DTMF = callflow.Some(*dtmf)
	}
	out.Event = ev
	out.Result, err = eng.Answer(ev)
	if err != nil {
		// The engine still answered (the start menu), but a recorded
		// call that names an unknown menu means the menu and the
		// recording no longer match: that is worth failing on.
		out.Err = err
		return out
	}
	if in.Expected != nil {
		// A broken golden file is an input that cannot be read (exit 2),
		// not a changed answer (exit 1).
		if out.Diff, err = diffJSON(in.Expected, out.Result.Reply.Body); err != nil {
			out.Err = fmt.Errorf("expected answer %s: %w", in.ExpName, err)
		}
	}
	return out
}

func describeDecodeError(ev *callflow.VCAEvent, err error) error {
	var te *callflow.EventTypeError
	switch {
	case errors.As(err, &te) && te.Got == callflow.EventSessionSummary:
		return fmt.Errorf("a session summary (VSS), not a call action (VCA): nothing to answer")
	case errors.As(err, &te):
		return fmt.Errorf("%w: nothing to answer", err)
	}
	return err
}

// diffJSON compares two JSON documents as parsed values and returns a
// readable diff, or "" when they are equal; an error when want is not JSON. Recorded answers are byte-equal
// to the engine's in the usual case, which skips the parse.
func diffJSON(want, got []byte) (string, error) {
	var compact bytes.Buffer
	if err := json.Compact(&compact, want); err != nil {
		return "", fmt.Errorf("not valid JSON: %w", err)
	}
	if bytes.Equal(compact.Bytes(), got) {
		return "", nil
	}
	var w, g any
	if err := json.Unmarshal(want, &w); err != nil {
		return "", fmt.Errorf("not valid JSON: %w", err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		return "", fmt.Errorf("the answer is not valid JSON: %w", err) // cannot happen: replies are validated
	}
	// go-cmp mixes in non-breaking spaces at random to keep programs from
	// depending on its format; people read this one, so make it plain.
	return strings.ReplaceAll(cmp.Diff(w, g), "\u00a0", " "), nil
}

// gather expands the paths into inputs. Unreadable paths become inputs
// that carry their error, so the others are still replayed.
func gather(opts *SimulateOptions) []*Input {
	var inputs []*Input
	for _, p := range opts.Paths {
		if p == "-" {
			data, err := io.ReadAll(opts.IO.In)
			inputs = append(inputs, &Input{Name: "stdin", Data: data, Err: err})
			continue
		}
		st, err := os.Stat(p)
		switch {
		case err != nil:
			inputs = append(inputs, &Input{Name: p, Err: cmdutil.WithoutPath(err)})
		case st.IsDir():
			found, err := readDir(opts, p)
			if err != nil {
				inputs = append(inputs, &Input{Name: p, Err: err})
			}
			inputs = append(inputs, found...)
		default:
			inputs = append(inputs, readInput(opts, p))
		}
	}
	return inputs
}

func readDir(opts *SimulateOptions, dir string) ([]*Input, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, cmdutil.WithoutPath(err)
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".json") || strings.HasSuffix(n, ExpectedSuffix) {
			continue
		}
		names = append(names, n)
	}
	if len(names) == 0 {
		return nil, errors.New("no *.json events in this directory")
	}
	sort.Strings(names)
	inputs := make([]*Input, 0, len(names))
	for _, n := range names {
		inputs = append(inputs, readInput(opts, filepath.Join(dir, n)))
	}
	return inputs, nil
}

// readInput returns an input that reads path, and its recorded answer if
// there is one, when it is replayed.
func readInput(opts *SimulateOptions, path string) *Input {
	return &Input{Name: path, load: func(in *Input) {
		data, err := opts.ReadFile(path)
		if err != nil {
			in.Err = cmdutil.WithoutPath(err)
			return
		}
		in.Data = data
		// A recorded answer is only meaningful for the recorded digits,
		// and --expect replaces it.
		if opts.dtmfSet || in.Expected != nil || !strings.HasSuffix(path, ".json") || strings.HasSuffix(path, ExpectedSuffix) {
			return
		}
		exp := strings.TrimSuffix(path, ".json") + ExpectedSuffix
		data, err = opts.ReadFile(exp)
		switch {
		case err == nil:
			in.Expected, in.ExpName = data, exp
		case !errors.Is(err, fs.ErrNotExist):
			in.Err = fmt.Errorf("expected answer %s: %w", exp, cmdutil.WithoutPath(err))
		}
	}}
}
