package campaign

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/ivrctl/ivrctl/pkg/voiceapi"
	"github.com/ivrctl/ivrctl/pkg/voiceapi/voiceapitest"
)

// Each answer 8x8 can give, over real HTTP, and what it means for the
// campaign.
func TestVoicePlacerVerdicts(t *testing.T) {
	for _, c := range []struct {
		name    string
		status  int
		body    string
		want    Verdict
		session string
	}{
		{"created", 200, `{"sessionId":"s-1","sessionStatus":"CREATED","statusCode":1,"statusMessage":"Created"}`, -1, "s-1"},
		{"not created", 400, `{"sessionStatus":"NOT_CREATED","statusCode":-1002,"statusMessage":"Speech profile or language parameter invalid"}`, Refused, ""},
		{"key refused", 401, `{"statusCode":401,"statusMessage":"Authentication header not found or token invalid"}`, Halt, ""},
		{"unknown sub-account", 404, `{"statusCode":404,"statusMessage":"SubAccount not found by Id : x"}`, Halt, ""},
		{"server error", 502, `bad gateway`, Uncertain, ""},
		{"rate limited", 429, `{"statusCode":429}`, NotSent, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := voiceapitest.New(t, map[string][]voiceapitest.Answer{
				"POST /api/v1/subaccounts/acme_voice/callflows": {{Status: c.status, Body: c.body}}})
			client, err := voiceapi.New(srv.URL, "key-0123456789", srv.Client())
			if err != nil {
				t.Fatal(err)
			}
			client.Retries = 0
			p := &VoicePlacer{Client: client, Subaccount: "acme_voice",
				Body: func(number, crid string) ([]byte, error) { return []byte(`{"callflow":[]}`), nil }}
			sid, err := p.Place(context.Background(), Call{Number: "+6511110001", Attempt: 1, ClientRequestID: "c-1-1"})
			if c.want == -1 {
				if err != nil || sid != c.session {
					t.Fatalf("Place = %q, %v", sid, err)
				}
				return
			}
			var pe *PlaceError
			if !errors.As(err, &pe) || pe.Verdict != c.want {
				t.Fatalf("Place error %v (%#v), want verdict %d", err, pe, c.want)
			}
		})
	}
	// Nothing listens: never sent.
	client, _ := voiceapi.New("http://127.0.0.1:1", "key-0123456789", &http.Client{})
	client.Retries = 0
	p := &VoicePlacer{Client: client, Subaccount: "acme_voice", Body: func(string, string) ([]byte, error) { return []byte(`{}`), nil }}
	_, err := p.Place(context.Background(), Call{Number: "+6511110001"})
	if v, _ := verdict(err); v != NotSent {
		t.Errorf("connection refused: verdict %d (%v), want NotSent", v, err)
	}
}
