package campaign

import (
	"context"
	"errors"
	"fmt"

	"github.com/ivrctl/ivrctl/pkg/calls"
	"github.com/ivrctl/ivrctl/pkg/voiceapi"
)

// VoicePlacer places calls with 8x8's Send Callflow API.
type VoicePlacer struct {
	Client     *voiceapi.Client
	Subaccount string
	// Body encodes the request for a number and its clientRequestId.
	Body func(number, clientRequestID string) ([]byte, error)
}

// Place sends the call's request and sorts its failures into verdicts:
// the key refused or the sub-account unknown halt the campaign; NOT_CREATED
// is refused; a request that may have reached 8x8 (timeout after sending,
// 5xx, an unreadable 2xx) is uncertain; one that never left (a failed dial
// after retries, still rate limited, stopped while waiting to retry) is
// not sent.
func (p *VoicePlacer) Place(ctx context.Context, c Call) (string, error) {
	body, err := p.Body(c.Number, c.ClientRequestID)
	if err != nil {
		return "", &PlaceError{Verdict: Halt, Err: err}
	}
	res, err := p.Client.Send(ctx, p.Subaccount, body)
	if err == nil {
		if res == nil || res.Response == nil || res.Response.SessionID == "" {
			return "", errors.New("8x8 answered CREATED without a sessionId")
		}
		return res.Response.SessionID, nil
	}
	return "", classify(err)
}

func classify(err error) error {
	if calls.ConfigFailure(err) {
		return &PlaceError{Verdict: Halt, Err: err}
	}
	var apiErr *voiceapi.APIError
	if errors.As(err, &apiErr) {
		switch apiErr.Kind {
		case voiceapi.KindNotCreated:
			return &PlaceError{Verdict: Refused, Code: apiErr.StatusCode, Err: err}
		case voiceapi.KindRateLimited:
			return &PlaceError{Verdict: NotSent, Code: apiErr.HTTPStatus,
				Err: fmt.Errorf("%w: still rate limited after every retry; lower --rate", err)}
		case voiceapi.KindHTTP:
			// Nothing placed, and every call would meet it (410, 426, a
			// redirect): stop.
			return &PlaceError{Verdict: Halt, Code: apiErr.HTTPStatus, Err: err}
		}
		return &PlaceError{Verdict: Uncertain, Code: apiErr.HTTPStatus, Err: err}
	}
	if voiceapi.MaybeAccepted(err) {
		return &PlaceError{Verdict: Uncertain, Err: err}
	}
	var stopped *voiceapi.StoppedError
	var tr *voiceapi.TransportError
	if errors.As(err, &stopped) || errors.As(err, &tr) {
		return &PlaceError{Verdict: NotSent, Err: err}
	}
	return &PlaceError{Verdict: Uncertain, Err: err}
}
