package account

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/menu"
)

// ProfileUse is one voiceProfile in a document, and where it is written.
type ProfileUse struct {
	Path string // $.callflow[1].params.voiceProfile, or a menu file's key
	Code string
}

// CallflowProfiles finds every voiceProfile of a callflow document
// (request or webhook response), with 8x8's JSON path. A document that is
// not a callflow gives none: the offline validator reports that.
func CallflowProfiles(data []byte) []ProfileUse {
	var doc struct {
		Callflow []struct {
			Params struct {
				VoiceProfile *string `json:"voiceProfile"`
			} `json:"params"`
		} `json:"callflow"`
	}
	if json.Unmarshal(data, &doc) != nil {
		return nil
	}
	var uses []ProfileUse
	for i, a := range doc.Callflow {
		if a.Params.VoiceProfile != nil && *a.Params.VoiceProfile != "" {
			uses = append(uses, ProfileUse{fmt.Sprintf("$.callflow[%d].params.voiceProfile", i), *a.Params.VoiceProfile})
		}
	}
	return uses
}

// MenuProfiles finds the voiceProfiles a menu speaks with: the file's say
// and capture params, and a menu's capture where it overrides the file's.
func MenuProfiles(m *menu.Menu) []ProfileUse {
	var uses []ProfileUse
	str := func(params map[string]any) string {
		s, _ := params["voiceProfile"].(string)
		return s
	}
	if s := str(m.Say); s != "" {
		uses = append(uses, ProfileUse{"say.voiceProfile", s})
	}
	file := str(m.Capture)
	if file != "" {
		uses = append(uses, ProfileUse{"capture.voiceProfile", file})
	}
	for _, n := range m.Menus {
		if s := str(n.Capture); s != "" && s != file {
			uses = append(uses, ProfileUse{"menus." + n.ID + ".capture.voiceProfile", s})
		}
	}
	return uses
}

// Codes lists the distinct codes of uses.
func Codes(uses []ProfileUse) []string {
	var codes []string
	for _, u := range uses {
		if !slices.Contains(codes, u.Code) {
			codes = append(codes, u.Code)
		}
	}
	return codes
}

// ProfileProblems reports the uses of unknown codes as 8x8 would refuse
// them: -1002 at the voiceProfile's path.
func ProfileProblems(uses []ProfileUse, unknown []string, subaccount string) callflow.Problems {
	var ps callflow.Problems
	for _, u := range uses {
		if slices.Contains(unknown, u.Code) {
			ps = append(ps, callflow.Problem{Code: callflow.StatusVoiceProfile, Path: u.Path,
				Message: fmt.Sprintf("%s: %q is not a speech profile of sub-account %s",
					callflow.StatusMessage(callflow.StatusVoiceProfile), u.Code, subaccount)})
		}
	}
	return ps
}
