package scenario

import (
	"github.com/ivrctl/ivrctl/pkg/coverage"
	"github.com/ivrctl/ivrctl/pkg/menu"
)

// MenuCoverage is what the scenarios playing one menu file covered of it.
type MenuCoverage struct {
	File      string // the menu file ("" : the embedded default menu)
	Counter   *coverage.Counter
	Scenarios int // the scenarios that played it
	// Err, when set, says why coverage cannot be computed for this menu
	// (a *coverage.MismatchError: the backend answered otherwise).
	Err error
}

// Coverage counts, per menu file in order of first use, the paths the
// results' calls played, from their transcripts (so it works the same
// in-process and against a webhook). Scenarios that play no menu file (a
// call.request, or a call.webhook without call.menu) cannot be counted:
// they are returned as others.
func Coverage(results []*Result) (menus []*MenuCoverage, others []*Result) {
	byEngine := map[*menu.Engine]*MenuCoverage{}
	for _, res := range results {
		eng := res.Scenario.Engine()
		if eng == nil {
			others = append(others, res)
			continue
		}
		mc := byEngine[eng]
		if mc == nil {
			mc = &MenuCoverage{File: res.Scenario.MenuFile(), Counter: coverage.NewCounter(menu.NewGraph(eng))}
			byEngine[eng] = mc
			menus = append(menus, mc)
		}
		mc.Scenarios++
		if res.Transcript == nil || mc.Err != nil {
			continue
		}
		if err := mc.Counter.Transcript(res.Transcript); err != nil {
			mc.Err = err
		}
	}
	return menus, others
}
