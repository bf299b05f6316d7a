package webhook

import (
	"fmt"
	"time"

	"github.com/ivrctl/ivrctl/pkg/menu"
)

// Reload loads the menu again with load and, if it loads and checks
// clean, swaps it in: the next VCA is answered by the new engine, while a
// request already being answered finishes with the old one (each request
// takes the engine once). A menu that fails is refused: the old one keeps
// answering, and the error (the same as `ivrctl validate` gives) is
// reported as an error Event. why says what asked (SIGHUP, a file change).
//
// Calls in progress are never broken by a reload, since the engine keeps
// no per-call state: a call's next VCA carries the clientActionId of the
// menu it is in. If the new menu still has that id, the call goes on in
// the new version of that menu; if the id was removed, the event is
// answered with the new start menu (as for any unknown clientActionId,
// logged as a warning). `ivrctl menu diff` names such removals before
// they ship.
func (s *Server) Reload(why string, load func() (*menu.Engine, error)) error {
	e, err := load()
	if err == nil && e == nil {
		err = fmt.Errorf("no menu engine")
	}
	if err != nil {
		if s.metrics != nil {
			s.metrics.reloads.WithLabelValues("refused").Inc()
		}
		s.emit(Event{Time: time.Now(), Level: LevelError, Kind: KindServer,
			Message: fmt.Sprintf("menu reload (%s) refused, the old menu keeps answering: %v", why, err)})
		return err
	}
	s.engine.Store(e)
	// The action names cached per reply belong to the old engine.
	s.actions.Clear()
	if s.metrics != nil {
		s.metrics.reloads.WithLabelValues("ok").Inc()
	}
	s.emit(Event{Time: time.Now(), Level: LevelInfo, Kind: KindServer,
		Message: fmt.Sprintf("menu reloaded (%s): %d menus, start %s", why, len(e.Menu().Menus), e.Menu().Start)})
	return nil
}
