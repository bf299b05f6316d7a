package callflow

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func testdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestDigits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		event  string
		digits string
		ok     bool
	}{
		{"payload.dtmf", `{"payload":{"dtmf":"1"}}`, "1", true},
		{"payload.eventData.dtmf", `{"payload":{"eventData":{"dtmf":"2"}}}`, "2", true},
		{"eventData wins over dtmf", `{"payload":{"dtmf":"1","eventData":{"dtmf":"2"}}}`, "2", true},
		{"eventData null falls back to dtmf", `{"payload":{"dtmf":"1","eventData":{"dtmf":null}}}`, "1", true},
		{"eventData empty falls back to dtmf", `{"payload":{"dtmf":"1","eventData":{"dtmf":""}}}`, "1", true},
		{"eventData without dtmf falls back", `{"payload":{"dtmf":"1","eventData":{}}}`, "1", true},
		{"eventData null object", `{"payload":{"dtmf":"3","eventData":null}}`, "3", true},
		{"several digits", `{"payload":{"eventData":{"dtmf":"1234"}}}`, "1234", true},
		{"star and hash", `{"payload":{"dtmf":"*#"}}`, "*#", true},
		{"dtmf null", `{"payload":{"dtmf":null}}`, "", false},
		{"dtmf empty", `{"payload":{"dtmf":""}}`, "", false},
		{"dtmf absent", `{"payload":{"callId":"x"}}`, "", false},
		{"both null", `{"payload":{"dtmf":null,"eventData":{"dtmf":null}}}`, "", false},
		{"both empty", `{"payload":{"dtmf":"","eventData":{"dtmf":""}}}`, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ev, err := DecodeVCA([]byte(tt.event))
			if err != nil {
				t.Fatal(err)
			}
			digits, ok := ev.Digits()
			if digits != tt.digits || ok != tt.ok {
				t.Errorf("Digits() = %q, %v; want %q, %v", digits, ok, tt.digits, tt.ok)
			}
		})
	}
}

// TestDecodeVCATestdata decodes every recorded VCA event and checks the
// fields the engine and serve's log rely on.
func TestDecodeVCATestdata(t *testing.T) {
	t.Parallel()
	type summary struct {
		EventType, CallStatus, Direction, Digits, ClientActionID string
		HasDigits                                                bool
		SourceRefID, DestinationRefID                            Opt[string]
	}
	tests := []struct {
		file string
		want summary
	}{
		{"dtmf1.json", summary{EventCallAction, CallStatusDTMFReceived, "OUTBOUND", "1", "", true, Opt[string]{}, Opt[string]{}}},
		{"dtmf2.json", summary{EventCallAction, CallStatusDTMFReceived, "OUTBOUND", "2", "", true, Opt[string]{}, Opt[string]{}}},
		{"dtmf3.json", summary{EventCallAction, CallStatusDTMFReceived, "OUTBOUND", "3", "", true, Opt[string]{}, Opt[string]{}}},
		{"dtmf-null.json", summary{EventCallAction, CallStatusDTMFReceived, "OUTBOUND", "", "", false, Opt[string]{}, Opt[string]{}}},
		{"eventdata-dtmf1.json", summary{EventCallAction, CallStatusActionCompleted, "OUTBOUND", "1", "", true, Opt[string]{}, Opt[string]{}}},
		{"eventdata-dtmf2.json", summary{EventCallAction, CallStatusActionCompleted, "OUTBOUND", "2", "", true, Opt[string]{}, Opt[string]{}}},
		{"eventdata-dtmf3.json", summary{EventCallAction, CallStatusActionCompleted, "OUTBOUND", "3", "", true, Opt[string]{}, Opt[string]{}}},
		{"eventdata-dtmf-null.json", summary{EventCallAction, CallStatusActionCompleted, "OUTBOUND", "", "", false, Opt[string]{}, Opt[string]{}}},
		{"inbound-call-received.json", summary{EventCallAction, CallStatusCallReceived, "INBOUND", "", "", false,
			Null[string](), Some("a4f1c3e2-5b6d-11ee-8c99-0242ac120002")}},
		{"golden/seed/vca-dtmf3.json", summary{EventCallAction, CallStatusDTMFReceived, "OUTBOUND", "3", "", true, Opt[string]{}, Opt[string]{}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			ev, err := DecodeVCA(testdata(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			d, ok := ev.Digits()
			got := summary{ev.EventType, ev.Payload.CallStatus, ev.Payload.CallDirection, d, ev.Payload.ClientActionID, ok,
				ev.Payload.SourceRefID, ev.Payload.DestinationRefID}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if ev.Namespace != NamespaceVoice || ev.Payload.SessionID == "" || ev.Payload.SIPCode != 200 || ev.Payload.CallDuration != "0" {
				t.Errorf("envelope or payload not decoded: %+v", ev)
			}
		})
	}
}

func TestDecodeVSSTestdata(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file, status, lastAction string
		legs                     int
		errorCode                FlexInt
	}{
		{"vss/completed.json", "COMPLETED", "HANGUP", 1, 0},
		{"vss/busy.json", "BUSY", "MAKE_CALL", 2, 0},
		{"vss/no-answer.json", "NO_ANSWER", "MAKE_CALL", 1, 0},
		{"vss/error.json", "ERROR", "SAY_AND_CAPTURE", 1, -2005},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			ev, err := DecodeVSS(testdata(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			p := ev.Payload
			if p.SessionStatus != tt.status || p.LastAction != tt.lastAction || len(p.Details) != tt.legs || ev.Version != 5 {
				t.Errorf("got status %q lastAction %q legs %d version %d", p.SessionStatus, p.LastAction, len(p.Details), ev.Version)
			}
			if p.Details["callA"] == nil || p.Details["callA"].CallID == "" {
				t.Errorf("callA not decoded: %+v", p.Details)
			}
			var code FlexInt
			if p.ErrorDetails != nil {
				code = p.ErrorDetails.ErrorCode
			}
			if code != tt.errorCode {
				t.Errorf("errorCode = %d, want %d", code, tt.errorCode)
			}
		})
	}
}

func TestFlexInt(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]FlexInt{`-2005`: -2005, `"-2005"`: -2005, `null`: 0} {
		var ev VSSEvent
		doc := `{"payload":{"sessionId":"s","errorDetails":{"errorCode":` + in + `}}}`
		if err := decodeObject([]byte(doc), &ev); err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if got := ev.Payload.ErrorDetails.ErrorCode; got != want {
			t.Errorf("%s: got %d, want %d", in, got, want)
		}
	}
	for _, in := range []string{`"x"`, `1.5`, `true`} {
		var f FlexInt
		if err := f.UnmarshalJSON([]byte(in)); err == nil {
			t.Errorf("%s: no error", in)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	vss := string(testdata(t, "vss/completed.json"))
	vca := string(testdata(t, "dtmf1.json"))
	tests := []struct {
		name    string
		decode  func([]byte) error
		in      string
		is      error  // errors.Is target, or nil
		message string // the whole error text
	}{
		{"vca empty", vcaErr, "", nil, "empty: expected a JSON object"},
		{"vca blank", vcaErr, " \n\t", nil, "empty: expected a JSON object"},
		{"vca array", vcaErr, `[1,2]`, ErrNotObject, "not an event: expected a JSON object: found an array"},
		{"vca string", vcaErr, `"hi"`, ErrNotObject, "not an event: expected a JSON object: found a string"},
		{"vca null", vcaErr, `null`, ErrNotObject, "not an event: expected a JSON object: found null"},
		{"vca broken", vcaErr, `{"payload":`, nil, "invalid JSON: unexpected end of JSON input"},
		{"vca garbage", vcaErr, `hello`, nil, "invalid JSON: invalid character 'h' looking for beginning of value"},
		{"vca trailing", vcaErr, `{"payload":{"dtmf":"1"}} x`, nil, "invalid JSON: invalid character 'x' after top-level value"},
		{"vca a VSS", vcaErr, vss, ErrWrongEvent, "eventType SESSION_SUMMARY is not CALL_ACTION"},
		{"vca no payload", vcaErr, `{"eventType":"CALL_ACTION"}`, ErrNoPayload, `no "payload" object, or an empty one: not an 8x8 webhook event`},
		{"vca empty payload", vcaErr, `{"payload":{}}`, ErrNoPayload, `no "payload" object, or an empty one: not an 8x8 webhook event`},
		{"vca null payload", vcaErr, `{"payload":null}`, ErrNoPayload, `no "payload" object, or an empty one: not an 8x8 webhook event`},
		{"vca payload not object", vcaErr, `{"payload":"x"}`, nil, "invalid JSON: json: cannot unmarshal string into Go struct field VCAEvent.payload of type callflow.VCAPayload"},
		{"vss empty", vssErr, "", nil, "empty: expected a JSON object"},
		{"vss array", vssErr, `[]`, ErrNotObject, "not an event: expected a JSON object: found an array"},
		{"vss a VCA", vssErr, vca, ErrWrongEvent, "eventType CALL_ACTION is not SESSION_SUMMARY"},
		{"vss no payload", vssErr, `{"eventType":"SESSION_SUMMARY"}`, nil, "payload.sessionId: is missing but it is required"},
		{"vss no session", vssErr, `{"payload":{"sessionStatus":"COMPLETED"}}`, nil, "payload.sessionId: is missing but it is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.decode([]byte(tt.in))
			if err == nil {
				t.Fatal("no error")
			}
			if err.Error() != tt.message {
				t.Errorf("error = %q, want %q", err, tt.message)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.is)
			}
		})
	}
}

func vcaErr(b []byte) error { _, err := DecodeVCA(b); return err }
func vssErr(b []byte) error { _, err := DecodeVSS(b); return err }

// TestDecodeVCAAccepts: events without an envelope (hand-written payloads)
// and VCS status events carry the same payload and are accepted.
func TestDecodeVCAAccepts(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		`{"payload":{"dtmf":"1"}}`,
		`{"eventType":"CALL_STATUS","payload":{"callStatus":"CALL_RECEIVED"}}`,
		`{"eventType":"CALL_ACTION","payload":{"clientActionId":"x"},"brandNew":[{"nested":true}]}`,
	} {
		if _, err := DecodeVCA([]byte(in)); err != nil {
			t.Errorf("%s: %v", in, err)
		}
	}
	var target *EventTypeError
	_, err := DecodeVCA([]byte(`{"eventType":"","payload":{"dtmf":"1"}}`))
	if errors.As(err, &target) {
		t.Errorf("empty eventType refused: %v", err)
	}
	_, err = DecodeVCA([]byte(`{"eventType":"CALL_RECORDING_STATUS","payload":{"dtmf":"1"}}`))
	if !errors.As(err, &target) || target.Got != "CALL_RECORDING_STATUS" || target.Want != EventCallAction {
		t.Errorf("got %v, want an *EventTypeError", err)
	}
}

// callDuration is "String" in 8x8's table and a number in its examples;
// the engine does not use it, so no value of it may fail an event.
func TestCallDurationIsLenient(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]FlexNumber{`0`: "0", `12.5`: "12.5", `"7"`: "7", `""`: "", `null`: "", `true`: "", `{"a":1}`: ""} {
		ev, err := DecodeVCA([]byte(`{"payload":{"dtmf":"1","callDuration":` + in + `}}`))
		if err != nil {
			t.Errorf("callDuration %s: %v", in, err)
			continue
		}
		if ev.Payload.CallDuration != want {
			t.Errorf("callDuration %s decoded as %q, want %q", in, ev.Payload.CallDuration, want)
		}
	}
}

// Only JSON's own white space surrounds a document.
func TestOnlyJSONWhiteSpaceIsTrimmed(t *testing.T) {
	t.Parallel()
	if _, err := DecodeVCA([]byte(" \t\r\n{\"payload\":{\"dtmf\":\"1\"}}\n")); err != nil {
		t.Errorf("JSON white space: %v", err)
	}
	if _, err := DecodeVCA([]byte("\v{\"payload\":{\"dtmf\":\"1\"}}")); err == nil {
		t.Error(`"\v{...}" decoded: it is not JSON`)
	}
}
