package scenario

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/inputfile"
	"github.com/ivrctl/ivrctl/pkg/menu"
)

// Load reads the scenario files paths name and prepares every call: its
// menu loaded and compiled, its Send Callflow request built (or read). A
// directory stands for every *.yaml and *.yml file under it, recursively,
// in lexical order. readFile reads files (bounded, regular files only, when nil).
//
// Every problem is reported, each as an *Error (file:line: field: message),
// joined; a scenario set with any problem is not returned, so that nothing
// runs on a half-read suite.
func Load(paths []string, readFile func(string) ([]byte, error)) ([]*Scenario, error) {
	return LoadWith(paths, LoadOptions{ReadFile: readFile})
}

// LoadOptions are Load's settings.
type LoadOptions struct {
	// Context, when set, stops loading as soon as it ends (Ctrl-C):
	// LoadWith then returns its error alone (context.Canceled), even
	// while a read is stuck on a slow or hung file system; the loading
	// itself stops at the next file.
	Context  context.Context
	ReadFile func(string) ([]byte, error) // inputfile.Reader(inputfile.MaxInput) when nil
	// Request is a Send Callflow request file placed for every scenario
	// that names neither call.menu nor call.request (`ivrctl test
	// --request`): a suite for a backend of one's own gives it once
	// instead of in every scenario. Such a scenario may not name
	// call.to or call.from either: the request's makeCall gives them.
	Request string
	// Menu is a menu file answering every scenario that names neither
	// call.menu, call.webhook nor call.request (`ivrctl test --menu`),
	// as Request does for a backend of one's own. It is read and checked
	// once; an invalid one is its own errors (file:line, as validate
	// reports them), not one per scenario.
	Menu string
}

// LoadWith is Load with options.
func LoadWith(paths []string, o LoadOptions) ([]*Scenario, error) {
	if o.Context == nil {
		return load(paths, o)
	}
	if err := o.Context.Err(); err != nil {
		return nil, err
	}
	type loaded struct {
		scenarios []*Scenario
		err       error
	}
	done := make(chan loaded, 1)
	go func() {
		s, err := load(paths, o)
		done <- loaded{s, err}
	}()
	select {
	case l := <-done:
		return l.scenarios, l.err
	case <-o.Context.Done():
		return nil, o.Context.Err()
	}
}

func load(paths []string, o LoadOptions) ([]*Scenario, error) {
	readFile := o.ReadFile
	if readFile == nil {
		readFile = inputfile.Reader(inputfile.MaxInput)
	}
	l := &loader{readFile: readFile, engines: map[string]*loaded{}, requests: map[string]*loaded{}}
	if o.Request != "" {
		// Checked once, reported once, before any scenario.
		if r := l.request(o.Request); r.err != "" {
			// r.err names the file already, as call.request's errors do.
			return nil, &Error{File: o.Request, Where: "--request", Msg: strings.TrimPrefix(r.err, o.Request+": ")}
		}
		l.defaultRequest = o.Request
	}
	if o.Menu != "" {
		if err := l.defaultMenuFile(o.Menu); err != nil {
			return nil, err
		}
	}
	var errs []error
	var out []*Scenario
	for _, p := range paths {
		files, err := expand(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, f := range files {
			if o.Context != nil && o.Context.Err() != nil {
				return nil, o.Context.Err()
			}
			data, err := readFile(f)
			if err != nil {
				errs = append(errs, &Error{File: f, Msg: unpath(err).Error()})
				continue
			}
			ss, err := Parse(f, data)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			for _, s := range ss {
				if err := l.prepare(s); err != nil {
					errs = append(errs, err)
					continue
				}
				out = append(out, s)
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// expand turns a path into the scenario files it names.
func expand(p string) ([]string, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, &Error{File: p, Msg: unpath(err).Error()}
	}
	if !st.IsDir() {
		return []string{p}, nil
	}
	var files []string
	err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return nil, &Error{File: p, Msg: unpath(err).Error()}
	}
	if len(files) == 0 {
		return nil, &Error{File: p, Msg: "no scenario files (*.yaml, *.yml) in this directory"}
	}
	sort.Strings(files)
	return files, nil
}

func unpath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// loaded is a menu engine or request file, read once however many
// scenarios name it.
type loaded struct {
	engine  *menu.Engine
	request []byte
	err     string // the problem, to report against each scenario naming it
}

type loader struct {
	readFile       func(string) ([]byte, error)
	engines        map[string]*loaded
	requests       map[string]*loaded
	defaultRequest string // LoadOptions.Request, already read and valid
	defaultMenu    string // LoadOptions.Menu, already read and valid
}

// relative resolves a path written in a scenario file against the
// directory of that file, so suites run from anywhere.
func relative(file, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(filepath.Dir(file), p)
}

func (l *loader) prepare(s *Scenario) error {
	c := &s.Call
	path := ""
	switch {
	case c.Menu != "":
		path = relative(s.File, c.Menu)
	case c.Webhook == "" && c.Request == "" && l.defaultMenu != "":
		path = l.defaultMenu
	}
	s.menuFile = path
	e := l.engine(path)
	if e.err != "" {
		return &Error{File: s.File, Line: c.MenuLine, Where: "call.menu", Msg: e.err}
	}
	s.engine = e.engine
	if c.Inbound {
		// No Send Callflow request: the webhook answers CALL_RECEIVED.
		if c.From == "" {
			c.From = DefaultTo
		}
		return nil
	}
	if c.Request == "" && c.Menu == "" && l.defaultRequest != "" {
		if c.ToLine != 0 || c.From != "" {
			return &Error{File: s.File, Line: s.Line, Where: "call",
				Msg: "to and from are not used with --request: the request's makeCall gives the numbers; drop them, or name a call.menu"}
		}
		s.request = l.requests[l.defaultRequest].request
		return nil
	}
	if c.Request != "" {
		r := l.request(relative(s.File, c.Request))
		if r.err != "" {
			return &Error{File: s.File, Line: c.RequestLine, Where: "call.request", Msg: r.err}
		}
		s.request = r.request
		return nil
	}
	from := c.From
	if from == "" {
		from = s.engine.Numbers().From
	}
	if from == "" {
		return &Error{File: s.File, Line: s.Line, Where: "call.from", Msg: "missing: the menu sets no numbers.from, so give the caller ID the call is placed from"}
	}
	body, err := MenuRequest(s.engine, from, c.To)
	if err != nil {
		return &Error{File: s.File, Line: s.Line, Where: "call", Msg: fmt.Sprintf("building the Send Callflow request: %v", err)}
	}
	s.request, s.builtFromMenu = body, true
	return nil
}

func (l *loader) engine(path string) *loaded {
	if path != "" {
		path = filepath.Clean(path)
	}
	if e, ok := l.engines[path]; ok {
		return e
	}
	e := &loaded{}
	l.engines[path] = e
	m := menu.Default()
	if path != "" {
		data, err := l.readFile(path)
		if err != nil {
			e.err = fmt.Sprintf("%s: %v", path, unpath(err))
			return e
		}
		if m, err = menu.Parse(path, data); err != nil {
			e.err = oneLine(err)
			return e
		}
	}
	eng, err := menu.Compile(m, menu.Numbers{})
	if err != nil {
		e.err = oneLine(err)
		return e
	}
	e.engine = eng
	return e
}

func (l *loader) request(path string) *loaded {
	if r, ok := l.requests[path]; ok {
		return r
	}
	r := &loaded{}
	l.requests[path] = r
	data, err := l.readFile(path)
	if err != nil {
		r.err = fmt.Sprintf("%s: %v", path, unpath(err))
		return r
	}
	if probs := callflow.ValidateJSON(data, callflow.KindRequest); len(probs) > 0 {
		r.err = fmt.Sprintf("%s: not a Send Callflow request 8x8 would accept: %v", path, oneLine(probs))
		return r
	}
	r.request = data
	return r
}

// oneLine joins a multi-line error (errors.Join) with "; ".
func oneLine(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}
