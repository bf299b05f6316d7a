package callflow

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestSeedValidates: 8x8's own documents are valid by definition.
func TestSeedValidates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		kind Kind
	}{
		{"request.json", KindRequest},
		{"dtmf1-hangup.json", KindWebhookResponse},
		{"dtmf2-connect.json", KindWebhookResponse},
		{"dtmf-other-repeat.json", KindWebhookResponse},
	}
	for _, tt := range tests {
		if probs := ValidateJSON(seedFile(t, tt.file), tt.kind); len(probs) > 0 {
			t.Errorf("%s: %v", tt.file, probs)
		}
	}
}

// edit is a change made to the seed request before validating it.
type edit func(doc map[string]any)

// param sets (or, with del, removes) a param of callflow[i].
func param(i int, name string, value any) edit {
	return func(doc map[string]any) {
		params := doc["callflow"].([]any)[i].(map[string]any)["params"].(map[string]any)
		if value == del {
			delete(params, name)
			return
		}
		params[name] = value
	}
}

// field sets a key of callflow[i] itself.
func field(i int, name string, value any) edit {
	return func(doc map[string]any) {
		item := doc["callflow"].([]any)[i].(map[string]any)
		if value == del {
			delete(item, name)
			return
		}
		item[name] = value
	}
}

// top sets a top-level key.
func top(name string, value any) edit {
	return func(doc map[string]any) {
		if value == del {
			delete(doc, name)
			return
		}
		doc[name] = value
	}
}

type deleted struct{}

var del any = deleted{}

// num writes a JSON number literal as is (1.0 stays 1.0).
func num(s string) json.Number { return json.Number(s) }

const (
	say     = `{"action":"say","params":{"text":"Hello","voiceProfile":"en-US-BenjaminRUS"}}`
	hangup  = `{"action":"hangup"}`
	call    = `{"action":"makeCall","params":{"source":"6561115777","destination":"6512345678"}}`
	capture = `{"action":"sayAndCapture","params":{"promptMessage":"Press 1","voiceProfile":"en-US-BenjaminRUS"}}`
	play    = `{"action":"playFile","params":{"fileUrl":"https://example.com/hello.mp3"}}`
)

// seedWith returns the seed request (makeCall + sayAndCapture) with edits.
func seedWith(t *testing.T, edits ...edit) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(seedFile(t, "request.json"), &doc); err != nil {
		t.Fatal(err)
	}
	for _, e := range edits {
		e(doc)
	}
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

const c1 = "$.callflow[1].params." // the seed's sayAndCapture

// TestValidate covers every code the validator emits: each failing case
// names code, path and message; the case after it is the nearest document
// that passes, so the test proves the boundary, not just the failure.
func TestValidate(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", MaxTextLength)
	longMB := strings.Repeat("é", MaxTextLength) // characters, not bytes
	type P = Problem
	tests := []struct {
		name  string
		raw   string // the document, when not the seed with edits
		edits []edit
		kind  Kind
		want  Problems
		warns Problems // Judge's warnings
	}{
		// -1001: not JSON, or JSON that is not an object.
		{name: "-1001 not JSON", raw: `{"callflow":`, want: []P{{-1001, "$", "Invalid JSON request body: unexpected EOF"}}},
		{name: "-1001 garbage", raw: `callflow`, want: []P{{-1001, "$", "Invalid JSON request body: invalid character 'c' looking for beginning of value"}}},
		{name: "-1001 empty", raw: ``, want: []P{{-1001, "$", "Invalid JSON request body: empty document"}}},
		{name: "-1001 two values", raw: `{"callflow":[]} {}`, want: []P{{-1001, "$", "Invalid JSON request body: invalid character '{' after top-level value"}}},
		{name: "-1001 trailing brace", raw: `{"callflow":[` + hangup + `]}}`, kind: KindWebhookResponse,
			want: []P{{-1001, "$", "Invalid JSON request body: invalid character '}' after top-level value"}}},
		{name: "-1001 array", raw: `[]`, want: []P{{-1001, "$", "Invalid JSON request body: array found, object expected"}}},
		{name: "-1001 null", raw: `null`, want: []P{{-1001, "$", "Invalid JSON request body: null found, object expected"}}},
		{name: "ok: whitespace around the object", raw: "\n {\"callflow\":[" + hangup + "]}\n", kind: KindWebhookResponse},

		// -1002: a voiceProfile that is no speech profile code.
		{name: "-1002 voiceProfile", edits: []edit{param(1, "voiceProfile", "Benjamin")},
			want: []P{{-1002, c1 + "voiceProfile", `Speech profile or language parameter invalid: "Benjamin" is not a speech profile code like en-US-BenjaminRUS`}}},
		{name: "ok: voiceProfile en-US-Neural2-C", edits: []edit{param(1, "voiceProfile", "en-US-Neural2-C")}},
		{name: "ok: voiceProfile da-DK-Naja", edits: []edit{param(1, "voiceProfile", "da-DK-Naja")}},
		{name: "ok: voiceProfile with a script part", edits: []edit{param(1, "voiceProfile", "sr-Latn-RS-NicholasNeural")}},
		{name: "-1002 say voiceProfile", raw: `{"callflow":[{"action":"say","params":{"text":"Hi","voiceProfile":"english"}}]}`, kind: KindWebhookResponse,
			want: []P{{-1002, "$.callflow[0].params.voiceProfile", `Speech profile or language parameter invalid: "english" is not a speech profile code like en-US-BenjaminRUS`}}},

		// -1003: minDigits without maxDigits.
		{name: "-1003 minDigits without maxDigits", edits: []edit{param(1, "maxDigits", del), param(1, "completeOnHash", true)},
			want: []P{{-1003, c1 + "maxDigits", "Valid maxDigits required when minDigits provided"}}},
		{name: "-1003 maxDigits null", edits: []edit{param(1, "maxDigits", nil), param(1, "completeOnHash", true)},
			want: []P{{-1003, c1 + "maxDigits", "Valid maxDigits required when minDigits provided"}}},
		{name: "ok: minDigits null without maxDigits", edits: []edit{param(1, "minDigits", nil), param(1, "maxDigits", del), param(1, "completeOnHash", true)}},
		{name: "ok: neither minDigits nor maxDigits", edits: []edit{param(1, "minDigits", del), param(1, "maxDigits", del), param(1, "completeOnHash", del)}},

		// -1005: digitTimeout without overallTimeout.
		{name: "-1005 digitTimeout alone", edits: []edit{param(1, "overallTimeout", del)},
			want: []P{{-1005, c1 + "overallTimeout", "Valid overallTimeout is required when digitTimeout provided"}}},
		{name: "-1005 overallTimeout null", edits: []edit{param(1, "overallTimeout", nil)},
			want: []P{{-1005, c1 + "overallTimeout", "Valid overallTimeout is required when digitTimeout provided"}}},
		{name: "ok: overallTimeout alone", edits: []edit{param(1, "digitTimeout", del)}},

		// -1006: digitTimeout above overallTimeout. Equal passes: the seed
		// sends 10000/10000 (8x8's table says "greater than").
		{name: "-1006 digitTimeout > overallTimeout", edits: []edit{param(1, "digitTimeout", 10001)},
			want: []P{{-1006, c1 + "digitTimeout", "OverallTimeout should be greater than digitTimeout: digitTimeout 10001 > overallTimeout 10000"}}},
		{name: "ok: digitTimeout == overallTimeout (the seed)"},
		{name: "ok: digitTimeout < overallTimeout", edits: []edit{param(1, "digitTimeout", 9999)}},

		// -1007: an unknown action.
		{name: "-1007 unknown action", edits: []edit{field(1, "action", "dial")},
			want: []P{{-1007, "$.callflow[1].action", "should be one of: makeCall,say,sayAndCapture,playFile,hangup"}}},
		{name: "-1007 wrong case", edits: []edit{field(1, "action", "sayAndcapture")},
			want: []P{{-1007, "$.callflow[1].action", "should be one of: makeCall,say,sayAndCapture,playFile,hangup"}}},
		{name: "-1007 action not a string", edits: []edit{field(1, "action", 5)},
			want: []P{{-1007, "$.callflow[1].action", "should be one of: makeCall,say,sayAndCapture,playFile,hangup"}}},
		{name: "-1007 first action unknown: no -1013 on top", edits: []edit{field(0, "action", "call")},
			want: []P{{-1007, "$.callflow[0].action", "should be one of: makeCall,say,sayAndCapture,playFile,hangup"}}},
		{name: "ok: every action", raw: `{"callflow":[` + strings.Join([]string{call, say, capture, play, hangup}, ",") + `]}`},

		// -1008: completeOnHash false needs maxDigits 1..25.
		{name: "-1008 completeOnHash false, no maxDigits", edits: []edit{param(1, "maxDigits", del), param(1, "minDigits", del)},
			want: []P{{-1008, c1 + "maxDigits", "Valid maxDigits is required when completeOnHash is false (1 to 25)"}}},
		{name: "-1008 completeOnHash false, maxDigits 26", edits: []edit{param(1, "maxDigits", 26)},
			want: []P{{-1008, c1 + "maxDigits", "Valid maxDigits is required when completeOnHash is false (1 to 25)"}}},
		{name: "-1008 completeOnHash false, maxDigits 0", edits: []edit{param(1, "maxDigits", 0), param(1, "minDigits", del)},
			want: []P{{-1008, c1 + "maxDigits", "Valid maxDigits is required when completeOnHash is false (1 to 25)"}}},
		{name: "ok: completeOnHash false, maxDigits 25", edits: []edit{param(1, "maxDigits", 25)}},
		{name: "ok: completeOnHash true, no maxDigits", edits: []edit{param(1, "maxDigits", del), param(1, "minDigits", del), param(1, "completeOnHash", true)}},
		{name: "ok: completeOnHash null, no maxDigits", edits: []edit{param(1, "maxDigits", del), param(1, "minDigits", del), param(1, "completeOnHash", nil)}},

		// -1009: missing required.
		{name: "-1009 promptMessage missing", edits: []edit{param(1, "promptMessage", del)},
			want: []P{{-1009, c1 + "promptMessage", "is missing but it is required"}}},
		{name: "-1009 voiceProfile missing", edits: []edit{param(1, "voiceProfile", del)},
			want: []P{{-1009, c1 + "voiceProfile", "is missing but it is required"}}},
		{name: "-1009 say text missing (8x8's example)", raw: `{"callflow":[{"action":"say","params":{"voiceProfile":"en-US-Jenny"}}]}`, kind: KindWebhookResponse,
			want: []P{{-1009, "$.callflow[0].params.text", "is missing but it is required"}}},
		{name: "-1009 source missing", edits: []edit{param(0, "source", del)},
			want: []P{{-1009, "$.callflow[0].params.source", "is missing but it is required"}}},
		{name: "-1009 destination missing", edits: []edit{param(0, "destination", del)},
			want: []P{{-1009, "$.callflow[0].params.destination", "is missing but it is required"}}},
		{name: "-1009 fileUrl missing", raw: `{"callflow":[{"action":"playFile","params":{}}]}`, kind: KindWebhookResponse,
			want: []P{{-1009, "$.callflow[0].params.fileUrl", "is missing but it is required"}}},
		{name: "-1009 params missing", edits: []edit{field(1, "params", del)},
			want: []P{{-1009, "$.callflow[1].params", "is missing but it is required"}}},
		{name: "-1009 action missing", edits: []edit{field(1, "action", del)},
			want: []P{{-1009, "$.callflow[1].action", "is missing but it is required"}}},
		{name: "-1009 callflow missing", raw: `{}`,
			want: []P{{-1009, "$.callflow", "is missing but it is required"}}},
		{name: "-1009 promptMessage empty", edits: []edit{param(1, "promptMessage", " ")},
			want: []P{{-1009, c1 + "promptMessage", "must not be empty"}}},
		{name: "-1009 voiceProfile empty", edits: []edit{param(1, "voiceProfile", "")},
			want: []P{{-1009, c1 + "voiceProfile", "must not be empty"}}},

		// -1009: wrong type.
		{name: "-1009 callflow not an array", raw: `{"callflow":{}}`,
			want: []P{{-1009, "$.callflow", "object found, array expected"}}},
		{name: "-1009 callflow empty", raw: `{"callflow":[]}`,
			want: []P{{-1009, "$.callflow", "there must be a minimum of 1 items in the array"}}},
		{name: "-1009 action not an object", raw: `{"callflow":[` + call + `,"hangup"]}`,
			want: []P{{-1009, "$.callflow[1]", "string found, object expected"}}},
		{name: "-1009 params not an object", edits: []edit{field(1, "params", []any{})},
			want: []P{{-1009, "$.callflow[1].params", "array found, object expected"}}},
		{name: "-1009 speed a string", edits: []edit{param(1, "speed", "1")},
			want: []P{{-1009, c1 + "speed", "string found, number expected"}}},
		{name: "-1009 maxDigits a string", edits: []edit{param(1, "maxDigits", "1"), param(1, "completeOnHash", true)},
			want: []P{{-1009, c1 + "maxDigits", "string found, integer expected"}, {-1003, c1 + "maxDigits", "Valid maxDigits required when minDigits provided"}}},
		{name: "-1009 repetition 1.5", edits: []edit{param(1, "repetition", 1.5)},
			want: []P{{-1009, c1 + "repetition", "number found, integer expected"}}},
		{name: "-1009 noOfTries 2.0", edits: []edit{param(1, "noOfTries", num("2.0"))},
			want: []P{{-1009, c1 + "noOfTries", "number found, integer expected"}}},
		{name: "-1009 completeOnHash a string", edits: []edit{param(1, "completeOnHash", "false")},
			want: []P{{-1009, c1 + "completeOnHash", "string found, boolean expected"}}},
		{name: "-1009 callRecording a string", edits: []edit{param(0, "callRecording", "yes")},
			want: []P{{-1009, "$.callflow[0].params.callRecording", "string found, boolean expected"}}},
		{name: "ok: callRecording true", edits: []edit{param(0, "callRecording", true)}},
		{name: "-1009 text a number", raw: `{"callflow":[{"action":"say","params":{"text":5,"voiceProfile":"en-US-Jenny"}}]}`, kind: KindWebhookResponse,
			want: []P{{-1009, "$.callflow[0].params.text", "number found, string expected"}}},
		{name: "-1009 validUntil a number", edits: []edit{top("validUntil", 5)},
			want: []P{{-1009, "$.validUntil", "number found, string expected"}}},
		{name: "ok: validUntil and clientRequestId", edits: []edit{top("validUntil", "2024-07-03T05:59:32.226Z"), top("clientRequestId", "r-1")}},
		{name: "-1009 clientActionId a number", raw: `{"clientActionId":1,"callflow":[` + hangup + `]}`, kind: KindWebhookResponse,
			want: []P{{-1009, "$.clientActionId", "number found, string expected"}}},

		// -1009: null where not nullable; null where nullable passes.
		{name: "-1009 voiceProfile null", edits: []edit{param(1, "voiceProfile", nil)},
			want: []P{{-1009, c1 + "voiceProfile", "null found, string expected"}}},
		{name: "-1009 speed null", edits: []edit{param(1, "speed", nil)},
			want: []P{{-1009, c1 + "speed", "null found, number expected"}}},
		{name: "-1009 repetition null", edits: []edit{param(1, "repetition", nil)},
			want: []P{{-1009, c1 + "repetition", "null found, integer expected"}}},
		{name: "-1009 destination null", edits: []edit{param(0, "destination", nil)},
			want: []P{{-1009, "$.callflow[0].params.destination", "null found, string expected"}}},
		{name: "ok: every nullable param null", edits: []edit{
			param(1, "minDigits", nil), param(1, "maxDigits", nil), param(1, "digitTimeout", nil), param(1, "overallTimeout", nil),
			param(1, "completeOnHash", nil), param(1, "noOfTries", nil), param(1, "successMessage", nil), param(1, "failureMessage", nil)}},

		// -1009: ranges.
		{name: "-1009 repetition 0", edits: []edit{param(1, "repetition", 0)},
			want: []P{{-1009, c1 + "repetition", "must be between 1 and 3, got 0"}}},
		{name: "-1009 repetition 4", edits: []edit{param(1, "repetition", 4)},
			want: []P{{-1009, c1 + "repetition", "must be between 1 and 3, got 4"}}},
		{name: "ok: repetition 3", edits: []edit{param(1, "repetition", 3)}},
		{name: "-1009 speed 0.4", edits: []edit{param(1, "speed", 0.4)},
			want: []P{{-1009, c1 + "speed", "must be between 0.5 and 2, got 0.4"}}},
		{name: "-1009 speed 2.1", edits: []edit{param(1, "speed", 2.1)},
			want: []P{{-1009, c1 + "speed", "must be between 0.5 and 2, got 2.1"}}},
		{name: "ok: speed 0.5", edits: []edit{param(1, "speed", 0.5)}},
		{name: "ok: speed 2.0", edits: []edit{param(1, "speed", num("2.0"))}},
		{name: "ok: speed 1.0", edits: []edit{param(1, "speed", num("1.0"))}},
		{name: "-1009 promptMessage 3001 characters", edits: []edit{param(1, "promptMessage", long+"a")},
			want: []P{{-1009, c1 + "promptMessage", "may only be 3000 characters long, got 3001"}}},
		{name: "ok: promptMessage 3000 characters", edits: []edit{param(1, "promptMessage", long)}},
		{name: "ok: promptMessage 3000 two-byte characters", edits: []edit{param(1, "promptMessage", longMB)}},
		{name: "-1009 failureMessage 3001 characters", edits: []edit{param(1, "failureMessage", long+"a")},
			want: []P{{-1009, c1 + "failureMessage", "may only be 3000 characters long, got 3001"}}},
		{name: "-1009 successMessage 3001 characters", edits: []edit{param(1, "successMessage", longMB+"é")},
			want: []P{{-1009, c1 + "successMessage", "may only be 3000 characters long, got 3001"}}},
		{name: "ok: successMessage 3000 characters", edits: []edit{param(1, "successMessage", long)}},
		{name: "-1009 say text 3001 characters", raw: `{"callflow":[{"action":"say","params":{"text":"` + long + `a","voiceProfile":"en-US-Jenny"}}]}`, kind: KindWebhookResponse,
			want: []P{{-1009, "$.callflow[0].params.text", "may only be 3000 characters long, got 3001"}}},
		{name: "ok: say text 3000 characters", raw: `{"callflow":[{"action":"say","params":{"text":"` + long + `","voiceProfile":"en-US-Jenny"}}]}`, kind: KindWebhookResponse},
		{name: "-1009 maxDigits 26", edits: []edit{param(1, "maxDigits", 26), param(1, "completeOnHash", true)},
			want: []P{{-1009, c1 + "maxDigits", "must be between 1 and 25, got 26"}}},
		{name: "-1009 maxDigits huge", edits: []edit{param(1, "maxDigits", num("99999999999999999999")), param(1, "completeOnHash", true)},
			want: []P{{-1009, c1 + "maxDigits", "must be between 1 and 25, got 99999999999999999999"}}},
		{name: "ok: maxDigits 25", edits: []edit{param(1, "maxDigits", 25), param(1, "completeOnHash", true)}},
		{name: "-1009 minDigits 0", edits: []edit{param(1, "minDigits", 0)},
			want: []P{{-1009, c1 + "minDigits", "must be between 1 and 25, got 0"}}},
		{name: "-1009 minDigits > maxDigits", edits: []edit{param(1, "minDigits", 3), param(1, "maxDigits", 2)},
			want: []P{{-1009, c1 + "minDigits", "must not be greater than maxDigits (2), got 3"}}},
		{name: "ok: minDigits == maxDigits", edits: []edit{param(1, "minDigits", 2), param(1, "maxDigits", 2)}},
		{name: "-1009 noOfTries 0", edits: []edit{param(1, "noOfTries", 0)},
			want: []P{{-1009, c1 + "noOfTries", "must be between 1 and 2147483647, got 0"}}},
		{name: "-1009 digitTimeout 0", edits: []edit{param(1, "digitTimeout", 0)},
			want: []P{{-1009, c1 + "digitTimeout", "must be between 1 and 2147483647, got 0"}}},
		{name: "-1009 overallTimeout -1", edits: []edit{param(1, "overallTimeout", -1), param(1, "digitTimeout", del)},
			want: []P{{-1009, c1 + "overallTimeout", "must be between 1 and 2147483647, got -1"}}},
		{name: "-1009 playFile repetition 4", raw: `{"callflow":[{"action":"playFile","params":{"fileUrl":"https://example.com/a.wav","repetition":4}}]}`, kind: KindWebhookResponse,
			want: []P{{-1009, "$.callflow[0].params.repetition", "must be between 1 and 3, got 4"}}},

		// Unknown params and keys: 8x8's spec forbids no additional
		// property, so each is a warning, unless the object then exceeds
		// the spec's maxProperties.
		{name: "warn: language param", edits: []edit{param(1, "language", "en")},
			warns: []P{{0, c1 + "language", "is not a parameter: voiceProfile sets the voice and its language (8x8's prose mentions a language code, no field exists); ignored"}}},
		{name: "warn: text on sayAndCapture", edits: []edit{param(1, "text", "hi")},
			warns: []P{{0, c1 + "text", "is not defined in 8x8's schema: ignored (a misspelt parameter?)"}}},
		{name: "warn: clientActionId in an action", edits: []edit{field(0, "clientActionId", "x")},
			warns: []P{{0, "$.callflow[0].clientActionId", "belongs at the top of a webhook answer, not in an action: ignored here"}}},
		{name: "warn: clientActionId in a request", edits: []edit{top("clientActionId", "x")},
			warns: []P{{0, "$.clientActionId", "is only used in answers to VCA events: 8x8 ignores it in a Send Callflow request (the next event carries none)"}}},
		{name: "warn: validUntil in a webhook response", raw: `{"validUntil":"2024-07-03T05:59:32.226Z","callflow":[` + hangup + `]}`, kind: KindWebhookResponse,
			warns: []P{{0, "$.validUntil", "only a Send Callflow request has a validity period: ignored in a webhook answer"}}},
		{name: "warn: hangup with params", raw: `{"callflow":[{"action":"hangup","params":{"now":true}}]}`, kind: KindWebhookResponse,
			warns: []P{{0, "$.callflow[0].params", "hangup takes no params: they are ignored"}}},
		{name: "-1009 makeCall params beyond the spec's maxProperties 2", edits: []edit{param(0, "record", true)},
			want: []P{{-1009, "$.callflow[0].params.record", "is not defined in the schema, and the object may have at most 2 properties"}}},
		{name: "-1009 say action beyond the spec's maxProperties 3", raw: `{"callflow":[{"action":"say","params":{"text":"hi","voiceProfile":"en-US-Jenny"},"a":1,"b":2}]}`, kind: KindWebhookResponse,
			want:  []P{{-1009, "$.callflow[0].b", "is not defined in the schema, and the object may have at most 3 properties"}},
			warns: []P{{0, "$.callflow[0].a", "is not defined in 8x8's schema: ignored (a misspelt parameter?)"}}},
		{name: "-1009 validUntil not a date", edits: []edit{top("validUntil", "tomorrow")},
			want: []P{{-1009, "$.validUntil", `"tomorrow" is not a date-time like 2024-07-03T05:59:32.226Z (YYYY-MM-DDTHH:MM:SS.SSSZ, UTC)`}}},
		{name: "ok: validUntil as 8x8 writes it", edits: []edit{top("validUntil", "2024-07-03T05:59:32.226Z")}},
		{name: "ok: hangup with empty params", raw: `{"callflow":[{"action":"hangup","params":{}}]}`, kind: KindWebhookResponse},
		{name: "ok: hangup with null params", raw: `{"callflow":[{"action":"hangup","params":null}]}`, kind: KindWebhookResponse},

		// -1009: fileUrl.
		{name: "-1009 fileUrl ftp", raw: `{"callflow":[{"action":"playFile","params":{"fileUrl":"ftp://example.com/a.mp3"}}]}`, kind: KindWebhookResponse,
			want: []P{{-1009, "$.callflow[0].params.fileUrl", `"ftp://example.com/a.mp3" is not a public http(s) URL`}}},
		{name: "-1009 fileUrl relative", raw: `{"callflow":[{"action":"playFile","params":{"fileUrl":"/a.mp3"}}]}`, kind: KindWebhookResponse,
			want: []P{{-1009, "$.callflow[0].params.fileUrl", `"/a.mp3" is not a public http(s) URL`}}},
		{name: "-1009 fileUrl ogg", raw: `{"callflow":[{"action":"playFile","params":{"fileUrl":"https://example.com/a.ogg"}}]}`, kind: KindWebhookResponse,
			want: []P{{-1009, "$.callflow[0].params.fileUrl", `"https://example.com/a.ogg" must name an .mp3 or .wav file`}}},
		{name: "ok: fileUrl http .WAV with query", raw: `{"callflow":[{"action":"playFile","params":{"fileUrl":"http://example.com/Hello.WAV?v=2"}}]}`, kind: KindWebhookResponse},
		{name: "ok: fileUrl https .mp3", raw: `{"callflow":[` + play + `]}`, kind: KindWebhookResponse},

		// -1009: source; -1017: destination.
		{name: "-1009 source not a number", edits: []edit{param(0, "source", "ACME")},
			want: []P{{-1009, "$.callflow[0].params.source", `"ACME" is not a phone number in E.164 format`}}},
		{name: "-1017 destination letters", edits: []edit{param(0, "destination", "65-1234-5678")},
			want: []P{{-1017, "$.callflow[0].params.destination", `Invalid MSISDN format in Destination: "65-1234-5678"`}}},
		{name: "-1017 destination too short", edits: []edit{param(0, "destination", "123456")},
			want: []P{{-1017, "$.callflow[0].params.destination", `Invalid MSISDN format in Destination: "123456"`}}},
		{name: "-1017 destination too long", edits: []edit{param(0, "destination", "+1234567890123456")},
			want: []P{{-1017, "$.callflow[0].params.destination", `Invalid MSISDN format in Destination: "+1234567890123456"`}}},
		{name: "-1017 destination leading 0", edits: []edit{param(0, "destination", "06512345678")},
			want: []P{{-1017, "$.callflow[0].params.destination", `Invalid MSISDN format in Destination: "06512345678"`}}},
		{name: "ok: destination with plus", edits: []edit{param(0, "destination", "+6590000000")}},
		{name: "ok: destination 15 digits", edits: []edit{param(0, "destination", "+123456789012345")}},

		// -1010: more than two makeCall.
		{name: "-1010 three makeCall", raw: `{"callflow":[` + call + `,` + call + `,` + call + `]}`,
			want: []P{{-1010, "$.callflow[2]", "Some actions are provided beyond the allowed count: at most 2 makeCall actions per callflow"}}},
		{name: "ok: two makeCall", raw: `{"callflow":[` + call + `,` + call + `]}`},

		// -1012: hangup not last.
		{name: "-1012 hangup then say", raw: `{"callflow":[` + hangup + `,` + say + `]}`, kind: KindWebhookResponse,
			want: []P{{-1012, "$.callflow[0]", "Invalid Callflow : Incorrect use of action Hangup: hangup must be the last action, 1 action(s) follow it"}}},
		{name: "ok: say then hangup", raw: `{"callflow":[` + say + `,` + hangup + `]}`, kind: KindWebhookResponse},

		// -1013: a request must start with makeCall; a webhook response need not.
		{name: "-1013 request starting with say", raw: `{"callflow":[` + say + `,` + hangup + `]}`, kind: KindRequest,
			want: []P{{-1013, "$.callflow[0].action", "Invalid Callflow : First action should be a MakeCall action: the first action must be makeCall, not say"}}},
		{name: "-1013 makeCall second", raw: `{"callflow":[` + capture + `,` + call + `]}`, kind: KindRequest,
			want: []P{{-1013, "$.callflow[0].action", "Invalid Callflow : First action should be a MakeCall action: the first action must be makeCall, not sayAndCapture"}}},
		{name: "ok: webhook response starting with sayAndCapture", raw: `{"clientActionId":"m","callflow":[` + capture + `]}`, kind: KindWebhookResponse},

		// Every problem in one pass.
		{name: "three problems, three reports", edits: []edit{param(0, "destination", "x"), param(1, "speed", 3), param(1, "colour", "red")},
			want: []P{
				{-1017, "$.callflow[0].params.destination", `Invalid MSISDN format in Destination: "x"`},
				{-1009, c1 + "speed", "must be between 0.5 and 2, got 3"},
			},
			warns: []P{{0, c1 + "colour", "is not defined in 8x8's schema: ignored (a misspelt parameter?)"}}},
		{name: "problems across actions and the sequence", raw: `{"callflow":[` + say + `,{"action":"say","params":{}},` + hangup + `,` + play + `]}`,
			want: []P{
				{-1009, "$.callflow[1].params.text", "is missing but it is required"},
				{-1009, "$.callflow[1].params.voiceProfile", "is missing but it is required"},
				{-1013, "$.callflow[0].action", "Invalid Callflow : First action should be a MakeCall action: the first action must be makeCall, not say"},
				{-1012, "$.callflow[2]", "Invalid Callflow : Incorrect use of action Hangup: hangup must be the last action, 1 action(s) follow it"},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data := []byte(tt.raw)
			if tt.raw == "" && !strings.HasPrefix(tt.name, "-1001") {
				data = seedWith(t, tt.edits...)
			}
			got := ValidateJSON(data, tt.kind)
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("ValidateJSON(%.200s) (-want +got):\n%s", data, diff)
			}
			probs, warns := Judge(data, tt.kind)
			if diff := cmp.Diff(got, probs, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Judge's problems differ from ValidateJSON's (-ValidateJSON +Judge):\n%s", diff)
			}
			if diff := cmp.Diff(tt.warns, warns, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Judge(%.200s) warnings (-want +got):\n%s", data, diff)
			}
		})
	}
}

// TestValidateCodes makes sure the table above keeps covering every code
// the validator can emit.
func TestValidateCodes(t *testing.T) {
	t.Parallel()
	emitted := []int{-1001, -1002, -1003, -1005, -1006, -1007, -1008, -1009, -1010, -1012, -1013, -1017}
	for _, code := range emitted {
		if StatusMessage(code) == "" {
			t.Errorf("code %d has no status message", code)
		}
	}
}

func TestProblemRendering(t *testing.T) {
	t.Parallel()
	probs := ValidateJSON([]byte(`{"callflow":[{"action":"say","params":{"voiceProfile":"en-US-Jenny"}},{"action":"dial"}]}`), KindWebhookResponse)
	want := []struct{ str, status string }{
		{"$.callflow[0].params.text: is missing but it is required (-1009)",
			"Invalid call flow entry provided. $.callflow[0].params.text: is missing but it is required"},
		{"$.callflow[1].action: should be one of: makeCall,say,sayAndCapture,playFile,hangup (-1007)",
			"$.callflow[1].action should be one of: makeCall,say,sayAndCapture,playFile,hangup"},
	}
	if len(probs) != len(want) {
		t.Fatalf("got %v", probs)
	}
	for i, w := range want {
		if got := probs[i].String(); got != w.str {
			t.Errorf("String() = %q, want %q", got, w.str)
		}
		if got := probs[i].StatusMessage(); got != w.status {
			t.Errorf("StatusMessage() = %q, want %q", got, w.status)
		}
	}
	if got, want := probs.Error(), want[0].str+"\n"+want[1].str; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if Problems(nil).Err() != nil {
		t.Error("no problems must be a nil error")
	}
	if probs.Err() == nil {
		t.Error("problems must be an error")
	}
	if got := (Problem{Code: -1006, Path: "$"}).StatusMessage(); got != "OverallTimeout should be greater than digitTimeout" {
		t.Errorf("StatusMessage() = %q", got)
	}
}

// TestValidateTyped: Validate on the wire types agrees with ValidateJSON.
func TestValidateTyped(t *testing.T) {
	t.Parallel()
	var req Request
	if err := json.Unmarshal(seedFile(t, "request.json"), &req); err != nil {
		t.Fatal(err)
	}
	if probs := Validate(&req, KindRequest); len(probs) > 0 {
		t.Errorf("seed request: %v", probs)
	}
	req.Callflow[1].Params.Speed = Some(3.0)
	want := Problems{{-1009, c1 + "speed", "must be between 0.5 and 2, got 3"}}
	if diff := cmp.Diff(want, Validate(&req, KindRequest)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestIsPhoneNumber(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"+6590000000": true, "6512345678": true, "1234567": true, "+123456789012345": true,
		"123456": false, "+1234567890123456": false, "0651234567": false, "+": false, "": false,
		"65 1234 5678": false, "+65-1234": false, "６５12345678": false,
	} {
		if got := IsPhoneNumber(s); got != want {
			t.Errorf("IsPhoneNumber(%q) = %v, want %v", s, got, want)
		}
	}
}
