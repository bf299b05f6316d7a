package callflow

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Kind says which document a callflow travels in; the rules differ slightly.
type Kind int

const (
	// KindRequest is a Send Callflow request: it must start with makeCall.
	KindRequest Kind = iota
	// KindWebhookResponse is the answer to a VCA event: any action may
	// come first, and it may carry a clientActionId.
	KindWebhookResponse
)

// Limits the validator enforces, from 8x8's docs.
const (
	MaxTextLength   = 3000 // say.text, sayAndCapture.promptMessage and messages, in characters
	MaxDigitsLimit  = 25
	MaxMakeCalls    = 2 // a session bridges at most two legs: no conferencing
	MinSpeed        = 0.5
	MaxSpeed        = 2.0
	MinRepetition   = 1
	MaxRepetition   = 3
	phoneDigitsMin  = 7
	phoneDigitsMax  = 15
	jsonPathRoot    = "$"
	missingRequired = "is missing but it is required"
)

type jsonType int

const (
	tString jsonType = iota
	tInteger
	tNumber
	tBoolean
)

func (t jsonType) String() string {
	return [...]string{"string", "integer", "number", "boolean"}[t]
}

// paramRule describes one parameter of one action.
type paramRule struct {
	name     string
	typ      jsonType
	required bool
	nullable bool
	min, max float64 // numeric range; both zero means unchecked
	maxLen   int     // string length in characters; zero means unchecked
}

// actionRules are the documented params of each action, in the seed's
// order. Deliberate choices where 8x8's docs disagree (see the README):
//   - sayAndCapture accepts repetition (absent from the spec, sent by the seed);
//   - makeCall accepts callRecording (in the docs, not in the spec);
//   - speed is a number from 0.5 to 2 (the spec types it integer, the docs
//     say Float and 1.0 is sent);
//   - the nullable sayAndCapture params accept null, as the seed sends for
//     successMessage;
//   - no defaults are assumed: the spec and the guides disagree on them
//     (maxDigits 1 vs 25, overallTimeout 5000 vs 30000, noOfTries 1 vs 3),
//     so the validator judges only what is sent, and ivrctl's menus send
//     every value explicitly, as the seed does. In particular digitTimeout
//     without overallTimeout is -1005 even though the spec names a default
//     overallTimeout: the status table has a code for exactly that case;
//   - a plain-digit source/destination (6512345678, as the guides write)
//     is accepted alongside E.164 with "+".
var actionRules = map[string][]paramRule{
	ActionMakeCall: {
		{name: "source", typ: tString, required: true},
		{name: "destination", typ: tString, required: true},
		{name: "callRecording", typ: tBoolean},
	},
	ActionSay: {
		{name: "text", typ: tString, required: true, maxLen: MaxTextLength},
		{name: "voiceProfile", typ: tString, required: true},
		{name: "repetition", typ: tInteger, min: MinRepetition, max: MaxRepetition},
		{name: "speed", typ: tNumber, min: MinSpeed, max: MaxSpeed},
	},
	ActionSayAndCapture: {
		{name: "promptMessage", typ: tString, required: true, maxLen: MaxTextLength},
		{name: "voiceProfile", typ: tString, required: true},
		{name: "repetition", typ: tInteger, min: MinRepetition, max: MaxRepetition},
		{name: "speed", typ: tNumber, min: MinSpeed, max: MaxSpeed},
		{name: "minDigits", typ: tInteger, nullable: true, min: 1, max: MaxDigitsLimit},
		{name: "maxDigits", typ: tInteger, nullable: true}, // range checked with -1008/-1009 below
		{name: "digitTimeout", typ: tInteger, nullable: true, min: 1, max: math.MaxInt32},
		{name: "overallTimeout", typ: tInteger, nullable: true, min: 1, max: math.MaxInt32},
		{name: "completeOnHash", typ: tBoolean, nullable: true},
		{name: "noOfTries", typ: tInteger, nullable: true, min: 1, max: math.MaxInt32},
		{name: "successMessage", typ: tString, nullable: true, maxLen: MaxTextLength},
		{name: "failureMessage", typ: tString, nullable: true, maxLen: MaxTextLength},
	},
	ActionPlayFile: {
		{name: "fileUrl", typ: tString, required: true},
		{name: "repetition", typ: tInteger, min: MinRepetition, max: MaxRepetition},
	},
	ActionHangup: {},
}

var (
	// phoneRe accepts E.164 with or without the plus, as 8x8's guides write
	// both (+6590000000, 6512345678).
	phoneRe = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^\+?[1-9][0-9]{` + strconv.Itoa(phoneDigitsMin-1) + `,` + strconv.Itoa(phoneDigitsMax-1) + `}$`)
	})
	// voiceProfileRe is the shape of every speechProfileCode 8x8 shows
	// (en-US-BenjaminRUS, en-US-Standard-A, da-DK-Naja). Whether a profile
	// exists on an account can only be decided online.
	// Kept loose: Azure-style codes carry a script part
	// (sr-Latn-RS-NicholasNeural) and a false -1002 would stop a menu
	// from loading.
	voiceProfileRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]+)+$`) })
)

// IsPhoneNumber reports whether s is a phone number as 8x8 takes it:
// E.164 digits, with or without a leading plus.
func IsPhoneNumber(s string) bool { return phoneRe().MatchString(s) }

// Validate judges a typed request or webhook response.
func Validate(v any, kind Kind) Problems {
	data, err := json.Marshal(v)
	if err != nil {
		return Problems{{Code: StatusInvalidJSON, Path: jsonPathRoot, Message: err.Error()}}
	}
	return ValidateJSON(data, kind)
}

// ValidateJSON judges a callflow document as the platform would and reports
// every problem found, each with 8x8's status code and a JSON path. It is
// the one verdict: `ivrctl validate`, the emulator, serve's menus and the
// test runner all take it.
func ValidateJSON(data []byte, kind Kind) Problems {
	probs, _ := Judge(data, kind)
	return probs
}

// Judge is ValidateJSON with the warnings: things 8x8's spec does not
// forbid (so the platform takes them, and real backends send them) but
// that do nothing or are likely mistakes. A warning's Code is 0.
func Judge(data []byte, kind Kind) (problems, warnings Problems) {
	if len(bytes.TrimSpace(data)) == 0 {
		return Problems{{Code: StatusInvalidJSON, Path: jsonPathRoot, Message: StatusMessage(StatusInvalidJSON) + ": empty document"}}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return Problems{{Code: StatusInvalidJSON, Path: jsonPathRoot, Message: StatusMessage(StatusInvalidJSON) + ": " + err.Error()}}, nil
	}
	// Decoder.More is false before a stray '}' or ']', so ask for the next
	// token instead: anything but EOF after the document is an error, and
	// json.Unmarshal words it best ("invalid character '}' after top-level
	// value").
	if _, err := dec.Token(); err != io.EOF {
		msg := "more than one JSON value"
		if err := json.Unmarshal(data, new(json.RawMessage)); err != nil {
			msg = err.Error()
		}
		return Problems{{Code: StatusInvalidJSON, Path: jsonPathRoot, Message: StatusMessage(StatusInvalidJSON) + ": " + msg}}, nil
	}
	v := &validator{kind: kind}
	v.document(doc)
	return v.problems, v.warnings
}

type validator struct {
	kind     Kind
	problems Problems
	warnings Problems
}

func (v *validator) add(code int, path, format string, args ...any) {
	v.problems = append(v.problems, Problem{Code: code, Path: path, Message: fmt.Sprintf(format, args...)})
}

func (v *validator) warn(path, format string, args ...any) {
	v.warnings = append(v.warnings, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

// validUntilLayout is the one form 8x8 documents for validUntil.
const validUntilLayout = "YYYY-MM-DDTHH:MM:SS.SSSZ"

// checkValidUntil refuses a validUntil that is not a date-time. Whether
// it has passed depends on when the request arrives, which only the
// platform (or the emulator) knows.
func (v *validator) checkValidUntil(val any) {
	s, ok := val.(string)
	if !ok {
		return // the type check reported it
	}
	if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
		v.add(StatusInvalidEntry, "$.validUntil", "%q is not a date-time like 2024-07-03T05:59:32.226Z (%s, UTC)", s, validUntilLayout)
	}
}

func (v *validator) document(doc any) {
	obj, ok := doc.(map[string]any)
	if !ok {
		v.add(StatusInvalidJSON, jsonPathRoot, "%s: %s found, object expected", StatusMessage(StatusInvalidJSON), typeName(doc))
		return
	}
	allowed := []string{"callflow", "validUntil", "clientRequestId"}
	if v.kind == KindWebhookResponse {
		allowed = []string{"callflow", "clientActionId"}
	}
	v.unknownKeys(obj, jsonPathRoot, allowed, 0)
	for _, k := range allowed[1:] {
		if val, ok := obj[k]; ok {
			v.checkType(val, jsonPathRoot+"."+k, paramRule{typ: tString})
		}
	}
	if val, ok := obj["validUntil"]; ok && v.kind == KindRequest {
		v.checkValidUntil(val)
	}
	raw, ok := obj["callflow"]
	if !ok {
		v.add(StatusInvalidEntry, "$.callflow", missingRequired)
		return
	}
	list, ok := raw.([]any)
	if !ok {
		v.add(StatusInvalidEntry, "$.callflow", "%s found, array expected", typeName(raw))
		return
	}
	if len(list) == 0 {
		v.add(StatusInvalidEntry, "$.callflow", "there must be a minimum of 1 items in the array")
		return
	}
	names := make([]string, len(list))
	for i, item := range list {
		names[i] = v.action(item, fmt.Sprintf("$.callflow[%d]", i))
	}
	v.sequence(names)
}

// sequence applies the rules about the order and count of actions.
func (v *validator) sequence(names []string) {
	if v.kind == KindRequest && names[0] != ActionMakeCall && names[0] != "" {
		v.add(StatusFirstNotMakeCall, "$.callflow[0].action", "%s: the first action must be makeCall, not %s",
			StatusMessage(StatusFirstNotMakeCall), names[0])
	}
	calls := 0
	for i, name := range names {
		switch name {
		case ActionMakeCall:
			calls++
			if calls > MaxMakeCalls {
				v.add(StatusTooManyActions, fmt.Sprintf("$.callflow[%d]", i),
					"%s: at most %d makeCall actions per callflow", StatusMessage(StatusTooManyActions), MaxMakeCalls)
			}
		case ActionHangup:
			// hangup ends the session, so nothing after it could run.
			// 8x8 does not publish what -1012 covers; this is the case
			// that is certainly a mistake.
			if i < len(names)-1 {
				v.add(StatusHangupMisuse, fmt.Sprintf("$.callflow[%d]", i),
					"%s: hangup must be the last action, %d action(s) follow it", StatusMessage(StatusHangupMisuse), len(names)-1-i)
			}
		}
	}
}

// action checks one callflow entry and returns its action name, or "" when
// it has none that is valid.
func (v *validator) action(item any, path string) string {
	obj, ok := item.(map[string]any)
	if !ok {
		v.add(StatusInvalidEntry, path, "%s found, object expected", typeName(item))
		return ""
	}
	rawName, ok := obj["action"]
	name0, _ := rawName.(string)
	v.unknownKeys(obj, path, []string{"action", "params"}, specMaxProperties[name0])
	if !ok {
		v.add(StatusInvalidEntry, path+".action", missingRequired)
		return ""
	}
	name, _ := rawName.(string)
	rules, known := actionRules[name]
	if !known {
		v.add(StatusInvalidAction, path+".action", "should be one of: %s", strings.Join(ActionNames, ","))
		return ""
	}
	rawParams, hasParams := obj["params"]
	if name == ActionHangup {
		if p, ok := rawParams.(map[string]any); hasParams && rawParams != nil && (!ok || len(p) > 0) {
			// Choice: the spec's Hangup schema defines no params and does
			// not forbid them, so 8x8 takes and ignores them.
			v.warn(path+".params", "hangup takes no params: they are ignored")
		}
		return name
	}
	if !hasParams {
		v.add(StatusInvalidEntry, path+".params", missingRequired)
		return name
	}
	params, ok := rawParams.(map[string]any)
	if !ok {
		v.add(StatusInvalidEntry, path+".params", "%s found, object expected", typeName(rawParams))
		return name
	}
	v.params(name, rules, params, path+".params")
	return name
}

func (v *validator) params(action string, rules []paramRule, params map[string]any, path string) {
	names := make([]string, len(rules))
	for i, r := range rules {
		names[i] = r.name
	}
	v.unknownKeys(params, path, names, specMaxProperties[action+".params"])
	for _, r := range rules {
		val, present := params[r.name]
		p := path + "." + r.name
		if !present {
			if r.required {
				v.add(StatusInvalidEntry, p, missingRequired)
			}
			continue
		}
		v.checkType(val, p, r)
	}
	switch action {
	case ActionMakeCall:
		if s, ok := params["source"].(string); ok && !IsPhoneNumber(s) {
			v.add(StatusInvalidEntry, path+".source", "%q is not a phone number in E.164 format", s)
		}
		if s, ok := params["destination"].(string); ok && !IsPhoneNumber(s) {
			v.add(StatusInvalidDestination, path+".destination", "%s: %q", StatusMessage(StatusInvalidDestination), s)
		}
	case ActionPlayFile:
		if s, ok := params["fileUrl"].(string); ok {
			if reason := checkFileURL(s); reason != "" {
				v.add(StatusInvalidEntry, path+".fileUrl", "%s", reason)
			}
		}
	case ActionSayAndCapture:
		v.capture(params, path)
	}
	// An empty voiceProfile is already a -1009 ("must not be empty").
	if s, ok := params["voiceProfile"].(string); ok && strings.TrimSpace(s) != "" && !voiceProfileRe().MatchString(s) {
		v.add(StatusVoiceProfile, path+".voiceProfile", "%s: %q is not a speech profile code like en-US-BenjaminRUS",
			StatusMessage(StatusVoiceProfile), s)
	}
}

// capture applies sayAndCapture's rules that relate one param to another.
func (v *validator) capture(params map[string]any, path string) {
	minD, hasMin := intParam(params, "minDigits")
	maxD, hasMax := intParam(params, "maxDigits")
	digitT, hasDigitT := intParam(params, "digitTimeout")
	overallT, hasOverallT := intParam(params, "overallTimeout")
	onHash, hashSet := params["completeOnHash"].(bool)

	if hasMin && !hasMax { // a null minDigits is not a minDigits: hasMin is false
		v.add(StatusMaxDigitsWithMin, path+".maxDigits", "%s", StatusMessage(StatusMaxDigitsWithMin))
	}
	hashFalse := hashSet && !onHash
	switch {
	case hashFalse && (!hasMax || maxD < 1 || maxD > MaxDigitsLimit):
		v.add(StatusMaxDigitsOnHashFalse, path+".maxDigits", "%s (1 to %d)", StatusMessage(StatusMaxDigitsOnHashFalse), MaxDigitsLimit)
	case hasMax && (maxD < 1 || maxD > MaxDigitsLimit):
		v.add(StatusInvalidEntry, path+".maxDigits", "must be between 1 and %d, got %s", MaxDigitsLimit, params["maxDigits"])
	}
	// The platform's docs leave open whether minDigits > maxDigits is
	// refused; such a capture can never succeed, so ivrctl reports it.
	if hasMin && hasMax && minD > maxD && maxD >= 1 {
		v.add(StatusInvalidEntry, path+".minDigits", "must not be greater than maxDigits (%d), got %d", maxD, minD)
	}
	if hasDigitT && !hasOverallT {
		v.add(StatusOverallTimeoutNeeded, path+".overallTimeout", "%s", StatusMessage(StatusOverallTimeoutNeeded))
	}
	// 8x8's table says overallTimeout "should be greater than" digitTimeout,
	// yet the seed and both IVR samples send 10000 and 10000: equal values
	// are accepted, only a larger digitTimeout is refused.
	if hasDigitT && hasOverallT && digitT > overallT {
		v.add(StatusDigitTimeoutTooLarge, path+".digitTimeout", "%s: digitTimeout %d > overallTimeout %d",
			StatusMessage(StatusDigitTimeoutTooLarge), digitT, overallT)
	}
}

// checkType checks a value against its rule and reports a -1009 when the
// type, nullability, range or length is wrong.
func (v *validator) checkType(val any, path string, r paramRule) {
	if val == nil {
		if !r.nullable {
			v.add(StatusInvalidEntry, path, "null found, %s expected", r.typ)
		}
		return
	}
	switch r.typ {
	case tString:
		s, ok := val.(string)
		if !ok {
			v.add(StatusInvalidEntry, path, "%s found, string expected", typeName(val))
			return
		}
		if r.maxLen > 0 {
			if n := utf8.RuneCountInString(s); n > r.maxLen {
				v.add(StatusInvalidEntry, path, "may only be %d characters long, got %d", r.maxLen, n)
			}
		}
		if r.required && strings.TrimSpace(s) == "" {
			v.add(StatusInvalidEntry, path, "must not be empty")
		}
	case tBoolean:
		if _, ok := val.(bool); !ok {
			v.add(StatusInvalidEntry, path, "%s found, boolean expected", typeName(val))
		}
	case tInteger, tNumber:
		n, ok := val.(json.Number)
		if !ok {
			v.add(StatusInvalidEntry, path, "%s found, %s expected", typeName(val), r.typ)
			return
		}
		f, err := n.Float64()
		if err != nil {
			v.add(StatusInvalidEntry, path, "%s is not a number", n)
			return
		}
		if r.typ == tInteger && !isIntegerLiteral(string(n)) {
			v.add(StatusInvalidEntry, path, "number found, integer expected")
			return
		}
		if (r.min != 0 || r.max != 0) && (f < r.min || f > r.max) {
			v.add(StatusInvalidEntry, path, "must be between %s and %s, got %s", fmtNum(r.min), fmtNum(r.max), n)
		}
	}
}

// specMaxProperties are the maxProperties of 8x8's OpenAPI schema
// (voice_v1_api.json, Send Callflow): the say action object at most 3, its
// params at most 5, makeCall's params at most 2. No schema in it sets
// additionalProperties false.
var specMaxProperties = map[string]int{
	ActionSay:                  3,
	ActionSay + ".params":      5,
	ActionMakeCall + ".params": 2,
}

// unknownKeys reports the keys of obj outside allowed. The spec forbids no
// additional property anywhere, so 8x8 takes and ignores them: each is a
// warning, unless the object then has more properties than the spec's
// maxProperties for it (max > 0), which 8x8's schema check refuses (-1009).
// Documented properties never count against max: makeCall's callRecording
// is in the guides though the spec allows two params (a choice, see
// actionRules).
func (v *validator) unknownKeys(obj map[string]any, path string, allowed []string, max int) {
	var extra []string
	documented := 0
	for k := range obj {
		if slices.Contains(allowed, k) {
			documented++
		} else {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra) // map order is random; reports must be stable
	for i, k := range extra {
		if max > 0 && documented+i+1 > max {
			v.add(StatusInvalidEntry, path+"."+k, "is not defined in the schema, and the object may have at most %d properties", max)
			continue
		}
		v.warn(path+"."+k, "%s", unknownKeyReason(path, k))
	}
}

// unknownKeyReason says why an unknown key is only a warning: the
// decisions, each written down (docs/emulator.md, "Agreement").
func unknownKeyReason(path, key string) string {
	switch {
	case path == jsonPathRoot && key == "clientActionId":
		// 8x8's docs: clientActionId "is only supported in Voice Call
		// Action webhook"; the spec's request schema does not forbid it,
		// and a public backend sends it on every call.
		return "is only used in answers to VCA events: 8x8 ignores it in a Send Callflow request (the next event carries none)"
	case path == jsonPathRoot && key == "validUntil":
		return "only a Send Callflow request has a validity period: ignored in a webhook answer"
	case key == "language":
		// The spec's prose asks for "a language code or a voice
		// profile", but no language field exists in its schema, tables
		// or any example; voiceProfile is required and sets the language.
		return "is not a parameter: voiceProfile sets the voice and its language (8x8's prose mentions a language code, no field exists); ignored"
	case key == "clientActionId":
		return "belongs at the top of a webhook answer, not in an action: ignored here"
	}
	return "is not defined in 8x8's schema: ignored (a misspelt parameter?)"
}

// checkFileURL returns why a playFile URL would fail, or "".
func checkFileURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Sprintf("%q is not a public http(s) URL", s)
	}
	p := strings.ToLower(u.Path)
	if !strings.HasSuffix(p, ".mp3") && !strings.HasSuffix(p, ".wav") {
		return fmt.Sprintf("%q must name an .mp3 or .wav file", s)
	}
	return ""
}

// intParam returns an integer param. A literal too large for int64 is
// clamped rather than dropped, so that maxDigits 99999999999999999999 is
// reported out of range instead of passing as if it were absent.
func intParam(params map[string]any, name string) (int64, bool) {
	n, ok := params[name].(json.Number)
	if !ok || !isIntegerLiteral(string(n)) {
		return 0, false
	}
	i, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, false
	}
	return i, true // ParseInt clamps on ErrRange
}

func isIntegerLiteral(s string) bool {
	return !strings.ContainsAny(s, ".eE")
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number:
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}
