package voiceapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/ivrctl/ivrctl/pkg/callflow"
)

// The account endpoints: the sub-account's webhooks, speech profiles and
// virtual numbers. Unlike Send Callflow, every one of them can be sent
// again without harm, so they share a more forgiving retry policy (see
// retryableIdempotent).

// ListWebhooks lists the sub-account's voice webhooks.
func (c *Client) ListWebhooks(ctx context.Context, subaccount string) (*callflow.WebhookList, error) {
	var out callflow.WebhookList
	err := c.doJSON(ctx, http.MethodGet, subaccount, nil, &out, "webhooks")
	if err != nil {
		return nil, err
	}
	if out.Webhooks == nil {
		return nil, unexpected("webhooks", "webhooks")
	}
	return &out, nil
}

// SetWebhook registers a webhook URL for a type. It is retried like the
// GETs: 8x8 keeps one URL per type, so sending the same registration again
// leaves the same state; at worst a retry reports an error for a
// registration that did go through, and ListWebhooks shows the truth.
func (c *Client) SetWebhook(ctx context.Context, subaccount string, w callflow.NewWebhook) (*callflow.WebhookList, error) {
	var out callflow.WebhookList
	if err := c.doJSON(ctx, http.MethodPost, subaccount, w, &out, "webhooks"); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteWebhook removes the sub-account's webhook of a type.
func (c *Client) DeleteWebhook(ctx context.Context, subaccount, typ string) (*callflow.DeletedWebhook, error) {
	var out callflow.DeletedWebhook
	if err := c.doJSON(ctx, http.MethodDelete, subaccount, nil, &out, "webhooks", typ); err != nil {
		return nil, err
	}
	return &out, nil
}

// SpeechProfiles lists the voices the sub-account may use as voiceProfile.
func (c *Client) SpeechProfiles(ctx context.Context, subaccount string) ([]callflow.SpeechProfile, error) {
	var out struct {
		SpeechProfiles []callflow.SpeechProfile `json:"speechProfiles"`
	}
	if err := c.doJSON(ctx, http.MethodGet, subaccount, nil, &out, "speech-profiles"); err != nil {
		return nil, err
	}
	if out.SpeechProfiles == nil {
		// Without the key this is not the speech-profiles answer (a proxy's
		// page, another API): an empty list would condemn every profile.
		return nil, unexpected("speech-profiles", "speechProfiles")
	}
	return out.SpeechProfiles, nil
}

// Numbers lists the sub-account's virtual numbers.
func (c *Client) Numbers(ctx context.Context, subaccount string) ([]callflow.VirtualNumber, error) {
	var out struct {
		Numbers []callflow.VirtualNumber `json:"numbers"`
	}
	if err := c.doJSON(ctx, http.MethodGet, subaccount, nil, &out, "numbers"); err != nil {
		return nil, err
	}
	if out.Numbers == nil {
		return nil, unexpected("numbers", "numbers")
	}
	return out.Numbers, nil
}

// Number looks one number up; digits must fit callflow.NumberLookupable. A number
// that is not the sub-account's is an *APIError with HTTPStatus 404.
func (c *Client) Number(ctx context.Context, subaccount, digits string) (*callflow.NumberInfo, error) {
	if !callflow.NumberLookupable(digits) {
		return nil, fmt.Errorf("number %q: 8x8's number lookup takes 7 to 10 digits", digits)
	}
	var out struct {
		Payload *callflow.NumberInfo `json:"payload"`
	}
	if err := c.doJSON(ctx, http.MethodGet, subaccount, nil, &out, "numbers", digits); err != nil {
		return nil, err
	}
	if out.Payload == nil {
		return nil, unexpected("numbers/"+digits, "payload")
	}
	return out.Payload, nil
}

// unexpected is a 2xx answer that lacks the field the endpoint returns.
func unexpected(endpoint, field string) error {
	return &APIError{Kind: KindUnexpected, HTTPStatus: http.StatusOK, RetryAfter: -1,
		StatusMessage: fmt.Sprintf("the %s answer has no %q", endpoint, field)}
}

// AccountURL is the URL of an account endpoint of a sub-account.
func (c *Client) AccountURL(subaccount string, elem ...string) string {
	return c.base.JoinPath(append([]string{"api", "v1", "subaccounts", subaccount}, elem...)...).String()
}

// doJSON sends one account request (body encoded as JSON when not nil),
// retrying what is safe to retry, and decodes a 2xx answer into out.
func (c *Client) doJSON(ctx context.Context, method, subaccount string, body, out any, elem ...string) error {
	if !callflow.ValidSubaccount(subaccount) {
		return fmt.Errorf("sub-account %q: must be 3 to 50 of A-Z a-z 0-9 - . _ &", subaccount)
	}
	var data []byte
	if body != nil {
		var err error
		if data, err = json.Marshal(body); err != nil {
			return fmt.Errorf("encode the %s request: %w", strings.Join(elem, "/"), err)
		}
	}
	u := c.AccountURL(subaccount, elem...)
	res, err := c.retry(ctx, func(ctx context.Context, res *Result) error {
		return c.attemptAccount(ctx, method, u, data, res)
	}, c.retryableIdempotent)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(res.Body, out); err != nil {
		return &APIError{Kind: KindUnexpected, HTTPStatus: res.HTTPStatus, RetryAfter: -1, Body: res.Body,
			StatusMessage: fmt.Sprintf("unreadable answer: %v", err)}
	}
	return nil
}

// attemptAccount sends one account request and classifies the answer.
func (c *Client) attemptAccount(ctx context.Context, method, u string, body []byte, res *Result) error {
	build := func(ctx context.Context) (*http.Request, error) {
		var rd io.Reader
		if body != nil {
			rd = bytes.NewReader(body)
		}
		req, err := http.NewRequestWithContext(ctx, method, u, rd)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", method, u, err)
		}
		req.Header.Set("Authorization", "Bearer "+c.apiKey)
		req.Header.Set("Accept", "application/json")
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if c.UserAgent != "" {
			req.Header.Set("User-Agent", c.UserAgent)
		}
		return req, nil
	}
	return c.exchange(ctx, build, maxAccountBodyBytes, res, c.classifyAccount)
}

// retryableIdempotent is the retry policy of the account endpoints. GET
// and DELETE are idempotent and SetWebhook's POST is as good as (one URL
// per type), so besides Send Callflow's cases (a 429, a connection that
// failed before sending) a 5xx and a transport failure after sending are
// retried too: repeating them cannot ring anyone. Not retried: a host that
// does not exist, and a request the caller abandoned.
func (c *Client) retryableIdempotent(err error, attempt int) (time.Duration, bool) {
	if wait, ok := c.retryable(err, attempt); ok {
		return wait, true
	}
	backoff := dialBackoff << min(attempt-1, 3)
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return backoff, apiErr.Kind == KindServer
	}
	var tErr *TransportError
	if !errors.As(err, &tErr) || tErr.Canceled {
		return 0, false
	}
	var dnsErr *net.DNSError
	if errors.As(tErr.Err, &dnsErr) && dnsErr.IsNotFound {
		return 0, false
	}
	return backoff, true
}

// classifyAccount sorts an account endpoint's answer: nil for a 2xx, else
// an *APIError carrying the body's status code and message in whichever
// shape 8x8 used (see decodeErrorBody).
func (c *Client) classifyAccount(resp *http.Response, res *Result) error {
	ok2xx := resp.StatusCode >= 200 && resp.StatusCode < 300
	if ok2xx && res.Truncated {
		// Cut off, it would only fail to decode, and asking again would
		// read the same.
		return &APIError{Kind: KindUnexpected, HTTPStatus: resp.StatusCode, RetryAfter: -1,
			StatusMessage: fmt.Sprintf("the answer is larger than %d MiB: not read", maxAccountBodyBytes>>20)}
	}
	if ok2xx {
		return nil
	}
	e := &APIError{HTTPStatus: resp.StatusCode, RetryAfter: -1, Body: res.Body}
	e.StatusCode, e.StatusMessage = decodeErrorBody(res.Body)
	switch {
	case isAuth(resp.StatusCode):
		e.Kind = KindAuth
	case resp.StatusCode == http.StatusTooManyRequests:
		e.Kind = KindRateLimited
		e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), c.now())
	case resp.StatusCode >= 500:
		e.Kind = KindServer
	default:
		e.Kind = KindHTTP
	}
	return e
}

// decodeErrorBody reads an error answer leniently: 8x8's bodies differ by
// endpoint. Send Callflow and most account endpoints send statusCode (an
// integer) and statusMessage; the webhooks API's 422 sends statusCode as a
// string ("1001"); the platform's generic shape is code and message.
// Anything else gives 0 and "".
func decodeErrorBody(data []byte) (int, string) {
	var b struct {
		StatusCode    json.RawMessage `json:"statusCode"`
		StatusMessage string          `json:"statusMessage"`
		Code          json.RawMessage `json:"code"`
		Message       string          `json:"message"`
	}
	if json.Unmarshal(data, &b) != nil {
		return 0, ""
	}
	code, msg := looseInt(b.StatusCode), b.StatusMessage
	if code == 0 {
		code = looseInt(b.Code)
	}
	if msg == "" {
		msg = b.Message
	}
	return code, msg
}

// looseInt reads a JSON number or a string holding one; 0 otherwise.
func looseInt(raw json.RawMessage) int {
	s := strings.Trim(strings.TrimSpace(string(raw)), `"`)
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil || fmt.Sprint(n) != s {
		return 0
	}
	return n
}
