package emulate

import (
	"fmt"
	"strings"

	"github.com/ivrctl/ivrctl/cmd/account"
	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/emulator"
)

// Flags of the account endpoints: the sub-account's speech profiles and
// virtual numbers (see pkg/emulator/account.go).
const (
	FlagProfiles = account.FlagProfiles
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

// parseProfiles reads --profiles: "" for the built-in list, else what
// account.ParseProfiles reads (validate and test take the same value).
func parseProfiles(s string, readFile func(string) ([]byte, error)) ([]callflow.SpeechProfile, error) {
	if strings.TrimSpace(s) == "" {
		return emulator.DefaultProfiles(), nil
	}
	return account.ParseProfiles(s, readFile)
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
