package account

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/accountcache"
	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/emulator"
	"github.com/ivrctl/ivrctl/pkg/voiceapi"
)

// FlagProfiles is the flag emulate, validate and test share: the
// sub-account's speech profiles, given offline.
const FlagProfiles = "profiles"

// AnyProfiles turns the voice check off.
const AnyProfiles = "any"

// ProfilesHelp describes --profiles' value, the same for every command.
const ProfilesHelp = "speech profiles the sub-account has: `CODES` comma-separated, a .json file as ivrctl profiles -o json prints, or any"

// ParseProfiles reads a --profiles value: "any" (nil: every voiceProfile
// accepted), a .json file (`ivrctl profiles -o json`'s array, or 8x8's
// {"speechProfiles": [...]} answer), or a comma list of codes. "" is not
// a value: each command says what it means.
func ParseProfiles(s string, readFile func(string) ([]byte, error)) ([]callflow.SpeechProfile, error) {
	s = strings.TrimSpace(s)
	switch {
	case strings.EqualFold(s, AnyProfiles):
		return nil, nil
	case strings.HasSuffix(strings.ToLower(s), ".json"):
		data, err := readFile(s)
		if err != nil {
			return nil, cmdutil.Usagef("--%s: %w", FlagProfiles, cmdutil.WithoutPath(err))
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

// CachedProfileCodes returns the speech profile codes cached for the
// configured sub-account and base URL (by an earlier `ivrctl profiles`,
// `call` or `validate --online`), without asking 8x8 and without an API
// key; ok is false when there is no fresh cache.
func (o *Options) CachedProfileCodes() (codes map[string]bool, ok bool) {
	if o.Subaccount == "" {
		return nil, false
	}
	c, err := voiceapi.New(o.BaseURL, "", nil) // no request is sent: it names the cache
	if err != nil {
		return nil, false
	}
	l := &accountcache.Lister{Client: c, Cache: o.Cache(), Subaccount: o.Subaccount}
	ps, ok := l.CachedProfiles()
	if !ok {
		return nil, false
	}
	codes = make(map[string]bool, len(ps))
	for _, p := range ps {
		codes[p.Code] = true
	}
	return codes, true
}

// CachedProfilesFromConfig is CachedProfileCodes for a command without
// the account flags (test): the sub-account and base URL configured
// (IVRCTL_SUBACCOUNT, the config file).
func CachedProfilesFromConfig(f *cmdutil.Factory) (map[string]bool, string, bool) {
	o := NewOptions(f)
	o.Subaccount, _ = f.Config.Get(cmdutil.KeySubaccount)
	o.BaseURL, _ = f.Config.Get(cmdutil.KeyBaseURL)
	if o.BaseURL == "" {
		o.BaseURL = cmdutil.DefaultBaseURL
	}
	codes, ok := o.CachedProfileCodes()
	return codes, o.Subaccount, ok
}

// VoicesNotChecked is said once when no list of speech profiles was given
// or cached: 8x8 decides voiceProfiles per sub-account.
const VoicesNotChecked = "voices were not checked: give --profiles (codes, or a file as ivrctl profiles -o json prints) or --online; 8x8 refuses a voiceProfile the sub-account lacks (-1002)"
