package emulator

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/ivrctl/ivrctl/pkg/menu"
	"github.com/ivrctl/ivrctl/pkg/redact"
)

// EngineWebhook answers VCA events in process with a menu engine, as
// `ivrctl serve` would over HTTP (200 and the engine's reply), so
// scenarios run without a server. Like serve, an event naming an unknown
// menu gets the start menu, and one that cannot be decoded a 400.
type EngineWebhook struct {
	Engine *menu.Engine
}

var emptyObject = []byte("{}")

// CallAction answers one event.
func (w EngineWebhook) CallAction(ctx context.Context, event []byte) (int, []byte, error) {
	if err := ctx.Err(); err != nil {
		return 0, nil, err
	}
	ev, res, err := w.Engine.AnswerJSON(event)
	if ev == nil || (err != nil && !isUnknownMenu(err)) {
		return http.StatusBadRequest, fmt.Appendf(nil, `{"error":%q,"status":400}`, err), nil
	}
	if res.Reply == nil || len(res.Reply.Body) == 0 {
		return http.StatusOK, emptyObject, nil
	}
	return http.StatusOK, res.Reply.Body, nil
}

func isUnknownMenu(err error) bool {
	var u *menu.UnknownMenuError
	return errors.As(err, &u)
}

// HTTPWebhook posts VCA events to a URL, as 8x8 does.
type HTTPWebhook struct {
	URL string
	// Client sends the requests; nil: a shared client that keeps
	// connections alive (many per host, for parallel sessions).
	Client *http.Client
	// Timeout bounds one request, connecting to reading the whole answer
	// (default DefaultWebhookTimeout).
	Timeout time.Duration
	// Header is added to every request: the httpAuthHeader 8x8 would send
	// (whose header name 8x8 does not document), for instance.
	Header http.Header
}

// maxAnswerBytes bounds a webhook answer read: 8x8's callflows are a few
// KiB. A longer answer is cut, which the validator then refuses (-2003).
const maxAnswerBytes = 1 << 20

// DefaultClient is the keep-alive client HTTPWebhook and HTTPVSS use when
// given none. It never follows redirects: 8x8 documents none, and a POST
// must not turn into a GET elsewhere.
var DefaultClient = &http.Client{
	Transport: &http.Transport{
		Proxy:               nil, // the webhook is local or named exactly; no proxy from the environment
		DialContext:         (&net.Dialer{Timeout: DefaultWebhookTimeout, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        256,
		MaxIdleConnsPerHost: 256,
		IdleConnTimeout:     90 * time.Second,
		ForceAttemptHTTP2:   false,
	},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

var ctJSON = []string{"application/json"}

// CallAction posts one event and returns the answer.
func (w *HTTPWebhook) CallAction(ctx context.Context, event []byte) (int, []byte, error) {
	return post(ctx, w.Client, w.URL, w.Header, w.Timeout, event)
}

// VSSWebhook posts session summaries to a URL, as 8x8 does; its Deliver
// is a Config.VSS. A status other than 2xx is an error, which never shows
// the URL's query or user info (credentials).
type VSSWebhook struct {
	URL string
	// Client sends the requests; nil: DefaultClient.
	Client *http.Client
	// Timeout bounds one request (default DefaultWebhookTimeout).
	Timeout time.Duration
	// Header is added to every request: the httpAuthHeader, for instance.
	Header http.Header
}

// Deliver posts one summary.
func (w *VSSWebhook) Deliver(ctx context.Context, body []byte) error {
	status, _, err := post(ctx, w.Client, w.URL, w.Header, w.Timeout, body)
	if err != nil {
		return err
	}
	if status < 200 || status > 299 {
		return &StatusError{URL: redact.URL(w.URL), Status: status}
	}
	return nil
}

// HTTPVSS returns a Config.VSS that posts session summaries to url; a
// status other than 2xx is an error.
func HTTPVSS(url string, client *http.Client, timeout time.Duration) func(ctx context.Context, body []byte) error {
	return (&VSSWebhook{URL: url, Client: client, Timeout: timeout}).Deliver
}

// post sends body as JSON and reads the answer.
func post(ctx context.Context, client *http.Client, to string, header http.Header, timeout time.Duration, body []byte) (int, []byte, error) {
	if client == nil {
		client = DefaultClient
	}
	if timeout <= 0 {
		timeout = DefaultWebhookTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, to, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	maps.Copy(req.Header, header)
	req.Header["Content-Type"] = ctJSON
	resp, err := client.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			// Its Op and URL are known to the caller; keep the cause, and
			// never a query string that may hold a ?token= secret.
			err = uerr.Err
		}
		return 0, nil, fmt.Errorf("POST %s: %w", redact.URL(to), err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("POST %s: reading the answer: %w", redact.URL(to), err)
	}
	return resp.StatusCode, data, nil
}

// NewUUID returns a random (version 4) UUID, as 8x8's ids are.
func NewUUID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand, Go 1.24+)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}

// WebhookFunc is a Webhook written as a function (tests, embedded
// backends).
type WebhookFunc func(ctx context.Context, event []byte) (status int, body []byte, err error)

// CallAction calls f.
func (f WebhookFunc) CallAction(ctx context.Context, event []byte) (int, []byte, error) {
	return f(ctx, event)
}
