// Package webhook is ivrctl's HTTP server for 8x8's voice webhooks: it
// answers Voice Call Action (VCA) events with the menu engine's callflows,
// records Voice Session Summaries (VSS) durably in a session store
// (pkg/sessions: a JSON Lines file or PostgreSQL), and
// guards both with authentication, an IP allow list and request limits.
//
// It reports what it did as typed Events to a callback and renders
// nothing itself: the command decides between coloured text and JSON
// lines. It imports no CLI or colour library.
//
// Routes:
//
//	POST /webhooks/vca  (alias /vca_webhook, 8x8's sample backend's path)
//	POST /webhooks/vss  (alias /vss_webhook)
//	GET  /healthz       (no authentication: it reveals nothing)
//	GET  /metrics       (Config.Metrics; Prometheus text, no authentication: nothing secret in it)
//
// Status codes: 200 answered; 400 body not JSON / not an object; 401 no valid
// credential; 403 client address not in the allow list; 404 unknown path;
// 405 wrong method (with Allow); 413 body over the limit; 422 a well-formed
// event of the wrong kind; 500 a handler failed (a panic, or the session
// store refused the summary, so 8x8 may redeliver); 503 the session store
// cannot be reached (the database is down: 8x8 retries). Every error body the
// handlers write is JSON: {"error": "...", "status": N}. Requests net/http
// refuses before a handler runs are not: a malformed request (400) or
// oversized headers (431) get its plain-text answers, and an unclean path
// (/webhooks/./vca) ServeMux's 307 redirect to the cleaned one.
package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/connlimit"
	"github.com/ivrctl/ivrctl/pkg/menu"
	"github.com/ivrctl/ivrctl/pkg/replay"
	"github.com/ivrctl/ivrctl/pkg/sessions"
)

// Routes.
const (
	PathVCA      = "/webhooks/vca"
	PathVSS      = "/webhooks/vss"
	PathVCAAlias = "/vca_webhook" // 8x8's sample backend
	PathVSSAlias = "/vss_webhook"
	PathHealth   = "/healthz"
)

// Defaults for Config's zero values.
const (
	DefaultMaxBodyBytes      = 1 << 20 // 8x8's events are ~1 KiB; 1 MiB is generous and bounded
	DefaultReadHeaderTimeout = 5 * time.Second
	DefaultReadTimeout       = 15 * time.Second
	DefaultWriteTimeout      = 15 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
	DefaultDrainTimeout      = 10 * time.Second
)

// Config configures a Server.
type Config struct {
	Engine *menu.Engine // answers VCA events (required)

	// SessionsPath is where session summaries are recorded: a JSON Lines
	// file or a postgres:// URL (required; see sessions.DefaultPath).
	SessionsPath string
	// RecordPath, when set, receives every answered VCA event and its
	// answer: a directory of NAME.json / NAME.expected.json pairs, or an
	// archive file ending in replay.ArchiveSuffix; not those answered
	// with the start menu for an unknown clientActionId. The pairs are
	// written after the answer, by one writer; RecordQueue bounds how many
	// wait (replay.DefaultQueuePairs when 0; see replay.Queue).
	RecordPath  string
	RecordQueue int

	// Metrics serves GET /metrics, Prometheus text format, with no
	// authentication and no allow list, like /healthz: it carries counts
	// and latencies, never a sessionId, number or credential.
	Metrics bool

	Auth       Auth
	AllowIPs   []netip.Prefix // empty: any address
	TrustProxy bool           // take the client address from X-Forwarded-For

	// OnEvent receives one Event per request, after the response is
	// written, and the server's own notes. It is called concurrently.
	OnEvent func(Event)

	MaxBodyBytes int64
	// MaxConns caps the connections held open (<= 0:
	// connlimit.DefaultMax); at the cap the longest idle is closed to
	// admit a new one.
	MaxConns                                                  int
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// DrainTimeout bounds how long Run waits for in-flight requests once
	// its context is cancelled.
	DrainTimeout time.Duration
}

// Server answers 8x8's webhooks. Make one with New; serve with Run (or
// mount Handler in a server of your own and Close it after).
type Server struct {
	cfg        Config
	engine     atomic.Pointer[menu.Engine] // swapped by Reload
	auth       *authenticator              // nil: no authentication
	allow      []netip.Prefix
	trustProxy bool
	sessions   sessions.Store
	rec        *replay.Queue // nil: not recording
	recLogged  atomic.Int64  // unix ns of the last record-queue warning
	emit       func(Event)
	maxBody    int64
	handler    http.Handler
	actions    sync.Map // *menu.Reply -> string, the action names of a reply
	metrics    *metrics // nil: no /metrics

	// hook, when set (tests only), runs first in every webhook handler.
	hook func(*http.Request)
}

// New checks cfg and opens the session store (and the record directory).
func New(cfg Config) (*Server, error) {
	if cfg.Engine == nil {
		return nil, errors.New("webhook: no menu engine")
	}
	if cfg.SessionsPath == "" {
		return nil, errors.New("webhook: no session store")
	}
	au, err := newAuthenticator(cfg.Auth)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:        cfg,
		auth:       au,
		allow:      cfg.AllowIPs,
		trustProxy: cfg.TrustProxy,
		emit:       cfg.OnEvent,
		maxBody:    cfg.MaxBodyBytes,
	}
	s.engine.Store(cfg.Engine)
	if s.emit == nil {
		s.emit = func(Event) {}
	}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxBodyBytes
	}
	if cfg.Metrics {
		s.metrics = newMetrics()
	}
	if cfg.RecordPath != "" {
		rec, err := replay.NewRecorder(cfg.RecordPath)
		if err != nil {
			return nil, err
		}
		// Off the request path: the answer goes out first, one writer
		// writes the pairs, Close waits for them.
		s.rec = rec.Queue(cfg.RecordQueue, 0, s.recordFailed)
	}
	if s.sessions, err = sessions.Open(context.Background(), cfg.SessionsPath); err != nil {
		if s.rec != nil {
			s.rec.Close()
		}
		return nil, err
	}

	// Patterns carry no method: the handlers answer a wrong method
	// themselves, so the 405 has a JSON body like every other error.
	mux := http.NewServeMux()
	mux.HandleFunc(PathVCA, s.serveVCA)
	mux.HandleFunc(PathVCAAlias, s.serveVCA)
	mux.HandleFunc(PathVSS, s.serveVSS)
	mux.HandleFunc(PathVSSAlias, s.serveVSS)
	mux.HandleFunc(PathHealth, s.serveHealth)
	if s.metrics != nil {
		mux.Handle(PathMetrics, s.metricsHandler(s.metrics.handler()))
	}
	mux.HandleFunc("/", s.serveNotFound)
	s.handler = closeAfterChunked(mux)
	return s, nil
}

// Handler returns the server's routes.
func (s *Server) Handler() http.Handler { return s.handler }

// Sessions returns the session store.
func (s *Server) Sessions() sessions.Store { return s.sessions }

// AuthEnabled reports whether requests must authenticate.
func (s *Server) AuthEnabled() bool { return s.auth != nil }

// Close writes the recordings still queued and closes the session store.
// Run calls it; call it yourself only when serving Handler from a server
// of your own, once no request is in flight.
func (s *Server) Close() error {
	if s.rec != nil {
		s.rec.Close()
	}
	return s.sessions.Close()
}

// Run serves on ln until ctx is cancelled, then stops accepting, waits up
// to DrainTimeout for in-flight requests, and closes the session store.
// It returns nil after a clean shutdown.
func (s *Server) Run(ctx context.Context, ln net.Listener) error {
	c := s.cfg
	limited := connlimit.New(ln, c.MaxConns)
	if c.MaxConns > limited.Max() {
		s.emit(Event{Time: time.Now(), Level: LevelWarn, Kind: KindServer,
			Message: fmt.Sprintf("at most %d connections, not %d: the file descriptor limit (ulimit -n) leaves room for no more", limited.Max(), c.MaxConns)})
	}
	ln = limited
	srv := &http.Server{
		Handler:           s.handler,
		ConnState:         limited.ConnState,
		ReadHeaderTimeout: orDefault(c.ReadHeaderTimeout, DefaultReadHeaderTimeout),
		ReadTimeout:       orDefault(c.ReadTimeout, DefaultReadTimeout),
		WriteTimeout:      orDefault(c.WriteTimeout, DefaultWriteTimeout),
		IdleTimeout:       orDefault(c.IdleTimeout, DefaultIdleTimeout),
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          log.New(serverLog{s.emit}, "", 0),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	var err error
	select {
	case err = <-errc:
		// Serve failed on its own (the listener broke).
		err = fmt.Errorf("serving on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
		drain := orDefault(c.DrainTimeout, DefaultDrainTimeout)
		s.emit(Event{Time: time.Now(), Level: LevelInfo, Kind: KindServer,
			Message: fmt.Sprintf("shutting down: no new connections, finishing requests in flight (up to %s)", drain)})
		sctx, cancel := context.WithTimeout(context.Background(), drain)
		err = srv.Shutdown(sctx)
		cancel()
		if err != nil {
			srv.Close() // cut what is left: the process is going away
			err = fmt.Errorf("shutdown: requests still in flight after %s: %w", drain, err)
		}
		<-errc // http.ErrServerClosed
	}
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	return err
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// serverLog turns net/http's own complaints (TLS junk, accept errors) into
// Events instead of a second, unformatted log stream.
type serverLog struct{ emit func(Event) }

func (l serverLog) Write(p []byte) (int, error) {
	l.emit(Event{Time: time.Now(), Level: LevelWarn, Kind: KindServer, Message: strings.TrimSpace(string(p))})
	return len(p), nil
}

// Bodies are read into pooled buffers: the hot path allocates little.
type bodyBuf struct{ b []byte }

var bodyPool = sync.Pool{New: func() any { return &bodyBuf{b: make([]byte, 0, 4096)} }}

const maxPooledBuf = 64 << 10

func putBuf(b *bodyBuf) {
	if cap(b.b) <= maxPooledBuf {
		bodyPool.Put(b)
	}
}

// readInto is io.ReadAll into buf's spare capacity.
func readInto(r io.Reader, buf []byte) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// Shared header values: assigning them avoids an allocation per response
// (net/http only reads them; Header.Set/Add replace, never mutate, them).
var (
	ctJSON     = []string{"application/json"}
	allowPost  = []string{"POST"}
	allowGet   = []string{"GET, HEAD"}
	emptyReply = []byte("{}")
)

func writeJSON(w http.ResponseWriter, ev *Event, status int, body []byte) {
	ev.Status = status
	w.Header()["Content-Type"] = ctJSON
	w.WriteHeader(status)
	w.Write(body)
}

type errorBody struct {
	Error  string `json:"error"`
	Status int    `json:"status"`
}

// fail writes a JSON error response and records why in the event.
func fail(w http.ResponseWriter, ev *Event, status int, msg string) {
	if ev.Level == "" || ev.Level == LevelInfo {
		ev.Level = LevelWarn
	}
	if ev.Message == "" {
		ev.Message = msg
	}
	body, _ := json.Marshal(errorBody{Error: msg, Status: status})
	w.Header()["X-Content-Type-Options"] = []string{"nosniff"}
	writeJSON(w, ev, status, body)
}

// begin starts a request's event.
func begin(kind Kind, r *http.Request) Event {
	return Event{Time: time.Now(), Level: LevelInfo, Kind: kind, Route: r.URL.Path, Remote: r.RemoteAddr}
}

// finish ends every webhook request: it turns a panic into a 500 (the
// server keeps serving: net/http would only drop the connection) and hands
// the event on.
func (s *Server) finish(w http.ResponseWriter, ev *Event) {
	if p := recover(); p != nil {
		if p == http.ErrAbortHandler {
			panic(p)
		}
		ev.Level = LevelError
		ev.Message = fmt.Sprintf("panic: %v", p)
		ev.Stack = string(debug.Stack())
		if ev.Status == 0 {
			body, _ := json.Marshal(errorBody{Error: "internal error", Status: http.StatusInternalServerError})
			writeJSON(w, ev, http.StatusInternalServerError, body)
		} else {
			// The answer was already sent: Status stays what the client got.
			ev.Message += " (after the response was sent)"
		}
	}
	ev.Latency = time.Since(ev.Time)
	s.metrics.observe(ev)
	s.emit(*ev)
}

// admit applies, in order, the allow list (403), authentication (401) and
// the method (405). Address and credentials come first so an outsider
// learns nothing, not even which methods a path takes.
func (s *Server) admit(w http.ResponseWriter, r *http.Request, ev *Event, method string) bool {
	if s.hook != nil {
		s.hook(r)
	}
	if len(s.allow) > 0 {
		addr, text := clientAddr(r, s.trustProxy)
		ev.Remote = text
		if !allowed(s.allow, addr) {
			ev.Kind = KindReject
			fail(w, ev, http.StatusForbidden, fmt.Sprintf("client address %s is not in the allow list", text))
			return false
		}
	} else if s.trustProxy {
		_, ev.Remote = clientAddr(r, true)
	}
	if s.auth != nil && !s.auth.admit(r) {
		ev.Kind = KindReject
		if c := s.auth.challenge(); c != "" {
			w.Header().Set("WWW-Authenticate", c)
		}
		fail(w, ev, http.StatusUnauthorized, "authentication required: no valid credential")
		return false
	}
	if r.Method != method {
		ev.Kind = KindReject
		w.Header()["Allow"] = allowPost
		fail(w, ev, http.StatusMethodNotAllowed, fmt.Sprintf("method %s not allowed: use %s", r.Method, method))
		return false
	}
	return true
}

// readBody reads the request body, at most maxBody bytes (413 beyond).
// The caller returns the buffer with putBuf.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, ev *Event) (*bodyBuf, bool) {
	if r.ContentLength > s.maxBody {
		ev.Kind = KindReject
		fail(w, ev, http.StatusRequestEntityTooLarge, fmt.Sprintf("body of %d bytes is over the limit of %d", r.ContentLength, s.maxBody))
		return nil, false
	}
	// A request with a Content-Length is already cut to it by net/http;
	// only a chunked body needs the limiting reader.
	var body io.Reader = r.Body
	if r.ContentLength < 0 {
		body = http.MaxBytesReader(w, r.Body, s.maxBody)
	}
	buf := bodyPool.Get().(*bodyBuf)
	var err error
	buf.b, err = readInto(body, buf.b[:0])
	if err != nil {
		putBuf(buf)
		ev.Kind = KindReject
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			fail(w, ev, http.StatusRequestEntityTooLarge, fmt.Sprintf("body is over the limit of %d bytes", s.maxBody))
		} else {
			fail(w, ev, http.StatusBadRequest, fmt.Sprintf("reading body: %v", err))
		}
		return nil, false
	}
	return buf, true
}

// decodeFailed answers an event that was refused: 422 when it decoded (a
// well-formed object that is not the expected event: another eventType, no
// payload, no sessionId), 400 when it is not a JSON object at all.
func decodeFailed(w http.ResponseWriter, ev *Event, decoded bool, err error) {
	ev.Kind = KindReject
	if decoded {
		fail(w, ev, http.StatusUnprocessableEntity, err.Error())
		return
	}
	fail(w, ev, http.StatusBadRequest, err.Error())
}

// serveVCA answers a Voice Call Action with the menu's callflow.
//
// Events of other kinds on this route:
//   - CALL_STATUS (VCS, a best-effort status update, maybe registered on the
//     same URL): 200 {} and logged, as 8x8's sample backend does; there is
//     nothing to answer and a 4xx would only look like a failure in 8x8's
//     delivery logs.
//   - SESSION_SUMMARY or any other eventType: 422, logged. That is a
//     misconfigured webhook URL (VSS registered on the VCA route), which an
//     empty 200 would hide.
func (s *Server) serveVCA(w http.ResponseWriter, r *http.Request) {
	ev := begin(KindVCA, r)
	defer s.finish(w, &ev)
	if !s.admit(w, r, &ev, http.MethodPost) {
		return
	}
	buf, ok := s.readBody(w, r, &ev)
	if !ok {
		return
	}
	defer putBuf(buf)
	body := buf.b

	event, err := callflow.DecodeVCA(body)
	if event != nil {
		ev.Session = event.Payload.SessionID
	}
	if err != nil {
		decodeFailed(w, &ev, event != nil, err)
		return
	}
	if event.EventType == callflow.EventCallStatus {
		ev.Kind, ev.CallStatus = KindVCS, event.Payload.CallStatus
		writeJSON(w, &ev, http.StatusOK, emptyReply)
		return
	}
	res, err := s.engine.Load().Answer(event)
	if err != nil {
		var unknown *menu.UnknownMenuError // declared here: errors.As moves it to the heap
		if !errors.As(err, &unknown) {
			panic(fmt.Sprintf("menu engine: %v", err)) // Answer never fails otherwise
		}
		// Answer the start menu anyway: a caller is never left in silence.
		ev.Level, ev.Message = LevelWarn, err.Error()
	}
	if res.Reply == nil || len(res.Reply.Body) == 0 {
		panic("menu engine: no reply")
	}
	ev.Menu, ev.Digits, ev.Matched, ev.Next = res.Menu, res.Digits, res.Matched, res.Reply.Next
	ev.Action = s.actionNames(res.Reply)
	// The answer goes out first; the recording is queued after it (the
	// event's log line is emitted later still, by finish).
	writeJSON(w, &ev, http.StatusOK, res.Reply.Body)
	switch {
	case s.rec == nil:
	case res.Fallback:
		// The start menu answered a clientActionId the menu does not
		// know: a recording of it would only test the fallback, and
		// would pass again after the menu is fixed (simulate answers it
		// with the start menu too, with a warning).
		ev.Message += "; not recorded"
	default:
		if !s.rec.Add(ev.Time, ev.Session, body, res.Reply.Body) {
			// The call matters more than its recording: answered anyway.
			ev.Message += "; not recorded: the record queue is full"
			s.recordDropped()
		}
	}
}

// recordWarnEvery spaces the record queue's warnings: a disk that cannot
// keep up would otherwise log one per call.
const recordWarnEvery = 10 * time.Second

// recordDropped counts a pair the full queue refused and warns, at most
// once per recordWarnEvery.
func (s *Server) recordDropped() {
	s.metrics.recordDropped()
	if s.warnDue() {
		s.emit(Event{Time: time.Now(), Level: LevelWarn, Kind: KindServer,
			Message: fmt.Sprintf("--record: %d recording(s) dropped so far: the record queue is full (the disk is slower than the calls); calls are still answered", s.rec.Dropped())})
	}
}

// recordFailed hears a pair the writer could not write.
func (s *Server) recordFailed(err error) {
	s.metrics.recordFailed()
	if s.warnDue() {
		s.emit(Event{Time: time.Now(), Level: LevelWarn, Kind: KindServer, Message: err.Error()})
	}
}

func (s *Server) warnDue() bool {
	now := time.Now().UnixNano()
	last := s.recLogged.Load()
	return (last == 0 || now-last >= int64(recordWarnEvery)) && s.recLogged.CompareAndSwap(last, now)
}

// actionNames names a reply's callflow, "say+hangup", computed once per
// reply (replies are the engine's, immutable and few).
func (s *Server) actionNames(r *menu.Reply) string {
	if v, ok := s.actions.Load(r); ok {
		return v.(string)
	}
	names := make([]string, len(r.Response.Callflow))
	for i, a := range r.Response.Callflow {
		names[i] = a.Action
	}
	v, _ := s.actions.LoadOrStore(r, strings.Join(names, "+"))
	return v.(string)
}

// serveVSS records a session summary in the session store, durable before
// the 200. A summary already there byte for byte is acknowledged and not
// written again (8x8 may deliver twice); one whose sessionId is there with
// another body is recorded as a revision. A CALL_STATUS gets 200 {} as on
// the VCA route; any other eventType 422.
func (s *Server) serveVSS(w http.ResponseWriter, r *http.Request) {
	ev := begin(KindVSS, r)
	defer s.finish(w, &ev)
	if !s.admit(w, r, &ev, http.MethodPost) {
		return
	}
	buf, ok := s.readBody(w, r, &ev)
	if !ok {
		return
	}
	defer putBuf(buf)
	body := buf.b

	event, err := callflow.DecodeVSS(body)
	if event != nil {
		ev.Session = event.Payload.SessionID
		if event.EventType == callflow.EventCallStatus {
			ev.Kind = KindVCS
			if vcs, err := callflow.DecodeVCA(body); err == nil {
				ev.CallStatus = vcs.Payload.CallStatus
			}
			writeJSON(w, &ev, http.StatusOK, emptyReply)
			return
		}
	}
	if err != nil {
		decodeFailed(w, &ev, event != nil, err)
		return
	}
	p := event.Payload
	ev.Outcome, ev.ClientRequestID = p.SessionStatus, p.ClientRequestID
	if p.ErrorDetails != nil {
		ev.ErrorCode, ev.ErrorMsg = int(p.ErrorDetails.ErrorCode), p.ErrorDetails.ErrorMsg
	}
	rec, err := sessions.NewRecord(ev.Time, body)
	if err != nil {
		decodeFailed(w, &ev, true, err)
		return
	}
	began := time.Now()
	out, err := s.sessions.Append(r.Context(), rec)
	s.metrics.storeWritten(time.Since(began), err)
	if err != nil {
		// Not acknowledged: 8x8 may deliver it again.
		ev.Level = LevelError
		status := http.StatusInternalServerError
		if errors.Is(err, sessions.ErrUnavailable) {
			status = http.StatusServiceUnavailable
			w.Header().Set("Retry-After", "5")
		}
		fail(w, &ev, status, "session summary not saved: "+err.Error())
		return
	}
	ev.Duplicate, ev.Revision = out == sessions.Duplicate, out == sessions.Revised
	writeJSON(w, &ev, http.StatusOK, emptyReply)
}

var healthBody = []byte(`{"status":"ok"}`)

// serveHealth answers load balancers and tunnels. It needs no credential
// and passes no allow list: it reveals nothing, and is not logged.
func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		ev := begin(KindReject, r)
		defer s.finish(w, &ev)
		w.Header()["Allow"] = allowGet
		fail(w, &ev, http.StatusMethodNotAllowed, fmt.Sprintf("method %s not allowed: use GET", r.Method))
		return
	}
	w.Header()["Content-Type"] = ctJSON
	w.Header()["Cache-Control"] = []string{"no-store"}
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		w.Write(healthBody)
	}
	if s.metrics != nil {
		s.metrics.requests.WithLabelValues(PathHealth, "200").Inc()
	}
}

// metricsHandler answers GET and HEAD with the exposition; other methods
// 405, as /healthz does.
func (s *Server) metricsHandler(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			ev := begin(KindReject, r)
			defer s.finish(w, &ev)
			w.Header()["Allow"] = allowGet
			fail(w, &ev, http.StatusMethodNotAllowed, fmt.Sprintf("method %s not allowed: use GET", r.Method))
			return
		}
		h.ServeHTTP(w, r)
	})
}

func (s *Server) serveNotFound(w http.ResponseWriter, r *http.Request) {
	ev := begin(KindReject, r)
	defer s.finish(w, &ev)
	fail(w, &ev, http.StatusNotFound, fmt.Sprintf("no route %s: the webhooks are %s and %s", r.URL.Path, PathVCA, PathVSS))
}
