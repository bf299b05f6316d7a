package scenario

import (
	"encoding/json"

	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/menu"
)

// MenuRequest is the Send Callflow request a scenario naming a menu
// places: makeCall from from to to, then the start menu's prompt.
func MenuRequest(eng *menu.Engine, from, to string) ([]byte, error) {
	return json.Marshal(callflow.Request{Callflow: []callflow.Action{
		{Action: callflow.ActionMakeCall, Params: &callflow.Params{Source: callflow.Some(from), Destination: callflow.Some(to)}},
		eng.Initial(),
	}})
}
