package callflow

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// seedFile reads one of 8x8's own documents, copied verbatim from the
// simple-IVR guide into testdata/golden/seed.
func seedFile(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "golden", "seed", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func compact(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, data); err != nil {
		t.Fatalf("compact: %v", err)
	}
	return b.Bytes()
}

// TestSeedRoundTrip decodes each of 8x8's documents into the wire types and
// encodes it again: the bytes must equal the compacted original, key order,
// "successMessage": null and all. This is what lets ivrctl send exactly
// what 8x8's guide shows.
func TestSeedRoundTrip(t *testing.T) {
	tests := []struct {
		file string
		into func() any
	}{
		{"request.json", func() any { return new(Request) }},
		{"dtmf1-hangup.json", func() any { return new(WebhookResponse) }},
		{"dtmf2-connect.json", func() any { return new(WebhookResponse) }},
		{"dtmf-other-repeat.json", func() any { return new(WebhookResponse) }},
		{"response-created.json", func() any { return new(Response) }},
		{"response-not-created.json", func() any { return new(Response) }},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			want := compact(t, seedFile(t, tt.file))
			v := tt.into()
			if err := json.Unmarshal(want, v); err != nil {
				t.Fatalf("decode: %v", err)
			}
			got, err := json.Marshal(v)
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("round trip changed the document\n got: %s\nwant: %s", got, want)
			}
		})
	}
}

// TestSeedEventRoundTrip checks no field of 8x8's VCA event is lost. The
// envelope's key order differs (8x8 sends payload first), so the documents
// are compared parsed.
func TestSeedEventRoundTrip(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"vca-dtmf3.json"} {
		data := seedFile(t, name)
		var ev VCAEvent
		if err := json.Unmarshal(data, &ev); err != nil {
			t.Fatal(err)
		}
		got, err := json.Marshal(&ev)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(parseJSON(t, data), parseJSON(t, got)); diff != "" {
			t.Errorf("%s: round trip (-seed +encoded):\n%s", name, diff)
		}
	}
}

func parseJSON(t testing.TB, data []byte) any {
	t.Helper()
	var v any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("parse %s: %v", data, err)
	}
	return v
}

// TestOptAbsentNullValue proves the three states of a param survive a round
// trip separately: 8x8 treats a null maxDigits differently from an absent one.
func TestOptAbsentNullValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want Params
	}{
		{"absent", `{}`, Params{}},
		{"null", `{"successMessage":null}`, Params{SuccessMessage: Null[string]()}},
		{"value", `{"successMessage":"ok"}`, Params{SuccessMessage: Some("ok")}},
		{"empty string", `{"successMessage":""}`, Params{SuccessMessage: Some("")}},
		{"zero", `{"maxDigits":0}`, Params{MaxDigits: Some(0)}},
		{"false", `{"completeOnHash":false}`, Params{CompleteOnHash: Some(false)}},
		{"null int", `{"maxDigits":null}`, Params{MaxDigits: Null[int]()}},
		{"float speed", `{"speed":1.5}`, Params{Speed: Some(1.5)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var p Params
			if err := json.Unmarshal([]byte(tt.in), &p); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, p); diff != "" {
				t.Errorf("decode (-want +got):\n%s", diff)
			}
			out, err := json.Marshal(&p)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tt.in {
				t.Errorf("encode = %s, want %s", out, tt.in)
			}
		})
	}
}

// TestOptNullAfterValue: decoding null over a value clears it, so a reused
// struct never keeps a stale value behind a null.
func TestOptNullAfterValue(t *testing.T) {
	t.Parallel()
	p := Params{MaxDigits: Some(5)}
	if err := json.Unmarshal([]byte(`{"maxDigits":null}`), &p); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Null[int](), p.MaxDigits); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestUnknownFieldsTolerated: 8x8 adds fields over time; an unknown one in
// any incoming document must not stop ivrctl from reading it.
func TestUnknownFieldsTolerated(t *testing.T) {
	t.Parallel()
	var req Request
	in := `{"callflow":[{"action":"say","params":{"text":"hi","voiceProfile":"en-US-Jenny","newParam":{"a":[1]}},"extra":1}],"future":true}`
	if err := json.Unmarshal([]byte(in), &req); err != nil {
		t.Fatalf("request: %v", err)
	}
	want := Request{Callflow: []Action{{Action: ActionSay, Params: &Params{Text: Some("hi"), VoiceProfile: Some("en-US-Jenny")}}}}
	if diff := cmp.Diff(want, req); diff != "" {
		t.Errorf("request (-want +got):\n%s", diff)
	}
	var resp Response
	if err := json.Unmarshal([]byte(`{"statusCode":1,"sessionStatus":"CREATED","requestTime":"now"}`), &resp); err != nil {
		t.Fatalf("response: %v", err)
	}
	if !resp.Created() {
		t.Errorf("Created() = false for %+v", resp)
	}
}

func TestResponseCreated(t *testing.T) {
	t.Parallel()
	tests := []struct {
		r    Response
		want bool
	}{
		{Response{SessionStatus: SessionCreated, StatusCode: 1}, true},
		{Response{StatusCode: 1}, true},
		{Response{SessionStatus: SessionNotCreated, StatusCode: -1002}, false},
		{Response{StatusCode: 401}, false},
		{Response{SessionStatus: "NOT CREATED", StatusCode: 1}, false},
	}
	for _, tt := range tests {
		if got := tt.r.Created(); got != tt.want {
			t.Errorf("%+v.Created() = %v, want %v", tt.r, got, tt.want)
		}
	}
}

// TestStatusHintNamesTheCommand: the codes an account command answers point
// at it, rather than at a raw API path the user would have to call by hand.
func TestStatusHintNamesTheCommand(t *testing.T) {
	for code, want := range map[int]string{
		StatusVoiceProfile:     "ivrctl profiles",
		StatusNoDTMFCallback:   "ivrctl webhooks set --vca URL",
		StatusSourceNotAllowed: "ivrctl numbers",
	} {
		if got := StatusHint(code); !strings.Contains(got, want) {
			t.Errorf("StatusHint(%d) = %q, want it to name %q", code, got, want)
		}
	}
}
