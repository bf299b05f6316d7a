package emulate

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/emulator"
)

// Flags of the account endpoints: the sub-account's speech profiles and
// virtual numbers (see pkg/emulator/account.go).
const (
	FlagProfiles = "profiles"
	FlagNumbers  = "numbers"
	// anyValue turns a list's check off.
	anyValue = "any"
)

// DefaultNumbers is the virtual number emulate owns by default: the
// caller ID of 8x8's simple IVR example (the seed's makeCall source).
const DefaultNumbers = "6561115777"

// parseNumbers reads --numbers: a comma list of phone numbers, or "any"
// (nil: every source accepted, none listed).
func parseNumbers(s string) ([]string, error) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, anyValue) {
		return nil, nil
	}
	var out []string
	for n := range strings.SplitSeq(s, ",") {
		n = strings.TrimSpace(n)
		// Spaces and dashes as people write numbers: digits are compared.
		if !callflow.IsPhoneNumber(strings.NewReplacer(" ", "", "-", "").Replace(n)) {
			return nil, cmdutil.Usagef("--%s: %q is not a phone number (give virtual numbers like 6561115777, comma-separated, or any)", FlagNumbers, n)
		}
		out = append(out, n)
	}
	return out, nil
}

// parseProfiles reads --profiles: "" for the built-in list, "any" to
// accept every voiceProfile (nil), a .json file (`ivrctl profiles -o
// json`'s array, or 8x8's {"speechProfiles": [...]} answer), or a comma
// list of codes.
func parseProfiles(s string, readFile func(string) ([]byte, error)) ([]callflow.SpeechProfile, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return emulator.DefaultProfiles(), nil
	case strings.EqualFold(s, anyValue):
		return nil, nil
	case strings.HasSuffix(strings.ToLower(s), ".json"):
		data, err := readFile(s)
		if err != nil {
			return nil, cmdutil.Usagef("--%s: %w", FlagProfiles, err)
		}
		ps, err := decodeProfiles(data)
		if err != nil {
			return nil, cmdutil.Usagef("--%s %s: %w", FlagProfiles, s, err)
		}
		return ps, nil
	}
	var codes []string
	for c := range strings.SplitSeq(s, ",") {
		c = strings.TrimSpace(c)
		if c == "" {
			return nil, cmdutil.Usagef("--%s %q: an empty code (give codes like en-US-Jenny, comma-separated, a .json file, or any)", FlagProfiles, s)
		}
		codes = append(codes, c)
	}
	return emulator.ProfilesFromCodes(codes), nil
}

// decodeProfiles reads a JSON array of speech profiles or 8x8's answer.
func decodeProfiles(data []byte) ([]callflow.SpeechProfile, error) {
	var ps []callflow.SpeechProfile
	if err := json.Unmarshal(data, &ps); err != nil {
		var answer struct {
			SpeechProfiles []callflow.SpeechProfile `json:"speechProfiles"`
		}
		if err2 := json.Unmarshal(data, &answer); err2 != nil || answer.SpeechProfiles == nil {
			return nil, fmt.Errorf("want a JSON array of {speechProfileCode, localeCode, localeDescription, gender} (ivrctl profiles -o json) or 8x8's {\"speechProfiles\": [...]}: %w", err)
		}
		ps = answer.SpeechProfiles
	}
	for i, p := range ps {
		if strings.TrimSpace(p.Code) == "" {
			return nil, fmt.Errorf("profile %d has no speechProfileCode", i+1)
		}
	}
	return ps, nil
}

// accountStartup says what the account endpoints hold, at start-up.
func (l *logger) accountStartup(base string, cfg emulator.Config) {
	l.info("account endpoints: GET " + base + "/api/v1/subaccounts/{subaccount}/{speech-profiles,numbers,numbers/{number},webhooks}, POST .../webhooks, DELETE .../webhooks/{type}")
	voices := "any voiceProfile accepted"
	if cfg.Profiles != nil {
		voices = fmt.Sprintf("%d speech profile(s); others are refused -1002", len(cfg.Profiles))
	}
	numbers := "any caller ID accepted"
	if cfg.Numbers != nil {
		numbers = "caller IDs " + strings.Join(cfg.Numbers, ", ") + "; others are refused -1014"
	}
	l.info(voices + "; " + numbers)
}
