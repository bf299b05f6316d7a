// Package replay owns the recorded-pair format of `ivrctl serve --record`
// and `ivrctl simulate`: NAME.json, a VCA event as received, byte for
// byte, next to NAME.expected.json, the answer sent, or the same pairs as
// the lines of one archive file (ArchiveSuffix). Recorder writes the
// pairs; Gather reads them back (or any event files), and Replay answers
// each event with a menu engine and compares the answer with the recorded
// one. Reader and writer live together so the format has one home.
package replay

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

	"github.com/google/go-cmp/cmp"

	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/inputfile"
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
	// Warning says the event named a menu the menu file lacks: it was
	// answered with the start menu, as serve answers it, and that answer
	// is shown and checked like any other.
	Warning string
}

// Checked reports whether the outcome was compared with an expected answer.
func (o *Outcome) Checked() bool { return o.Input.Expected != nil }

// ReplayAll replays inputs on every CPU and returns the outcomes in input
// order. It holds every outcome: Stream is for runs of any size.
func ReplayAll(eng *menu.Engine, inputs []*Input, dtmf *string) []Outcome {
	outcomes := make([]Outcome, 0, len(inputs))
	stream(eng, inputs, dtmf, false, func(o *Outcome) { outcomes = append(outcomes, *o) })
	return outcomes
}

// Window is how many outcomes Stream holds at most: replayed or being
// replayed, not yet handed to its caller. Choice: enough to keep every CPU
// busy past one slow input (a large file, a long diff) without the
// recording's size showing in memory (a few KiB an outcome).
const Window = 1024

// Stream replays inputs on every CPU and calls each with the outcomes in
// input order, as soon as each and all before it are done. At most Window
// inputs are in hand at once, so memory does not grow with the number of
// inputs: after each returns, the outcome and the input's data (the event,
// the recorded answer) are dropped. The engine is immutable, so workers
// share it without locks.
func Stream(eng *menu.Engine, inputs []*Input, dtmf *string, each func(*Outcome)) {
	stream(eng, inputs, dtmf, true, each)
}

// stream is Stream; drop says whether an input's data goes once handed on.
func stream(eng *menu.Engine, inputs []*Input, dtmf *string, drop bool, each func(*Outcome)) {
	if len(inputs) == 0 {
		return
	}
	workers := min(runtime.GOMAXPROCS(0), len(inputs)/minPerWorker+1)
	var (
		mu    sync.Mutex
		ready = sync.NewCond(&mu)
		slots = make([]*Outcome, min(Window, len(inputs))) // input i in slots[i%len(slots)]
		next  int                                          // the next input to hand to each
	)
	tokens := make(chan struct{}, len(slots)) // one per input in hand
	work := make(chan int)
	go func() {
		defer close(work)
		for i := range inputs {
			tokens <- struct{}{}
			work <- i
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range work {
				in := inputs[i]
				if in.load != nil {
					in.load(in)
					in.load = nil
				}
				out := Replay(eng, in, dtmf)
				mu.Lock()
				slots[i%len(slots)] = &out
				if i == next {
					ready.Signal()
				}
				mu.Unlock()
			}
		})
	}
	for next < len(inputs) {
		mu.Lock()
		for slots[next%len(slots)] == nil {
			ready.Wait()
		}
		out := slots[next%len(slots)]
		slots[next%len(slots)] = nil
		next++
		mu.Unlock()
		each(out)
		if drop {
			out.Input.Data, out.Input.Expected = nil, nil
		}
		<-tokens
	}
	wg.Wait()
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
		// The engine answered with the start menu, as serve does (a
		// caller is never left in silence): say so, and show and check
		// that answer. A recording whose expected answer was another
		// menu's then differs, and fails as any changed answer does.
		var unknown *menu.UnknownMenuError
		if !errors.As(err, &unknown) {
			out.Err = err
			return out
		}
		out.Warning = err.Error()
	}
	if in.Expected != nil {
		// A broken golden file is an input that cannot be read (exit 2),
		// not a changed answer (exit 1).
		if out.Diff, err = DiffJSON(in.Expected, out.Result.Reply.Body); err != nil {
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

// DiffJSON compares two JSON documents as parsed values and returns a
// readable diff, or "" when they are equal; an error when want is not JSON. Recorded answers are byte-equal
// to the engine's in the usual case, which skips the parse.
func DiffJSON(want, got []byte) (string, error) {
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

// Gather expands paths (files, directories of recorded pairs, archives
// (ArchiveSuffix), "-" for src.Stdin) into inputs, in order; a
// directory's NAME.json files sort by name, which is by arrival for a
// recording, and an archive's pairs come in its order, named FILE:LINE. Unreadable paths become inputs
// that carry their error, so the others are still replayed.
// Source says how Gather reads.
type Source struct {
	Stdin    io.Reader                    // read for the path "-"
	ReadFile func(string) ([]byte, error) // nil: inputfile.Reader(inputfile.MaxInput)
	// NoExpected skips the recorded answers (NAME.expected.json): they
	// are only meaningful for the recorded digits, and --dtmf changes them.
	NoExpected bool
}

func (src Source) readFile(path string) ([]byte, error) {
	if src.ReadFile == nil {
		return inputfile.Read(path, inputfile.MaxInput)
	}
	return src.ReadFile(path)
}

func Gather(paths []string, src Source) []*Input {
	var inputs []*Input
	for _, p := range paths {
		if p == "-" {
			data, err := inputfile.ReadAll(src.Stdin, "stdin", inputfile.MaxInput)
			inputs = append(inputs, &Input{Name: "stdin", Data: data, Err: err})
			continue
		}
		st, err := os.Stat(p)
		switch {
		case err != nil:
			inputs = append(inputs, &Input{Name: p, Err: withoutPath(err)})
		case st.IsDir():
			found, err := readDir(src, p)
			if err != nil {
				inputs = append(inputs, &Input{Name: p, Err: err})
			}
			inputs = append(inputs, found...)
		case strings.HasSuffix(p, ArchiveSuffix) && st.Mode().IsRegular():
			found, err := readArchive(src, p)
			if err != nil {
				inputs = append(inputs, &Input{Name: p, Err: err})
			}
			inputs = append(inputs, found...)
		default:
			inputs = append(inputs, readInput(src, p))
		}
	}
	return inputs
}

func readDir(src Source, dir string) ([]*Input, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, withoutPath(err)
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
		inputs = append(inputs, readInput(src, filepath.Join(dir, n)))
	}
	return inputs, nil
}

// readInput returns an input that reads path, and its recorded answer if
// there is one, when it is replayed.
func readInput(src Source, path string) *Input {
	return &Input{Name: path, load: func(in *Input) {
		data, err := src.readFile(path)
		if err != nil {
			in.Err = withoutPath(err)
			return
		}
		in.Data = data
		// A recorded answer is only meaningful for the recorded digits,
		// and --expect replaces it.
		if src.NoExpected || in.Expected != nil || !strings.HasSuffix(path, ".json") || strings.HasSuffix(path, ExpectedSuffix) {
			return
		}
		exp := strings.TrimSuffix(path, ".json") + ExpectedSuffix
		data, err = src.readFile(exp)
		switch {
		case err == nil:
			in.Expected, in.ExpName = data, exp
		case !errors.Is(err, fs.ErrNotExist):
			in.Err = fmt.Errorf("expected answer %s: %w", exp, withoutPath(err))
		}
	}}
}

// withoutPath drops the path from an *fs.PathError: the input's name
// already says it.
func withoutPath(err error) error {
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		return pe.Err
	}
	return err
}
