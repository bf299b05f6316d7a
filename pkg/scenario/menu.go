package scenario

import (
	"path/filepath"

	"github.com/ivrctl/ivrctl/pkg/menu"
)

// Engine returns the compiled menu of the scenario's call, or nil when it
// plays no menu file: it names a call.request or is given --request (a
// backend of one's own), or names a call.webhook without a call.menu. Set
// by Load.
func (s *Scenario) Engine() *menu.Engine {
	if !s.builtFromMenu || s.Call.Menu == "" && s.Call.Webhook != "" {
		return nil
	}
	return s.engine
}

// MenuFile is the menu file the scenario plays (resolved against its
// file's directory), "" for the embedded default menu.
func (s *Scenario) MenuFile() string { return s.menuFile }

// defaultMenuFile reads and checks LoadOptions.Menu once.
func (l *loader) defaultMenuFile(path string) error {
	path = filepath.Clean(path)
	data, err := l.readFile(path)
	if err != nil {
		return &Error{File: path, Where: "--menu", Msg: unpath(err).Error()}
	}
	m, err := menu.Parse(path, data)
	if err != nil {
		return err // file:line errors, as validate reports them
	}
	eng, err := menu.Compile(m, menu.Numbers{})
	if err != nil {
		return err
	}
	l.engines[path] = &loaded{engine: eng}
	l.defaultMenu = path
	return nil
}
