package webhook

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// PathMetrics is the Prometheus scrape endpoint (Config.Metrics).
const PathMetrics = "/metrics"

// metrics are one server's Prometheus collectors, on a registry of its own
// (never the global one: two servers in a process, or a test, do not mix).
//
// Every label value is bounded: routes are the known paths or "other",
// menus the menu's own ids or "(unknown)", statuses 8x8's values or
// "OTHER". A caller cannot grow the series by sending new values, and no
// label carries a sessionId, a number or a credential.
type metrics struct {
	reg         *prometheus.Registry
	requests    *prometheus.CounterVec   // route, code
	latency     *prometheus.HistogramVec // route
	vca         *prometheus.CounterVec   // menu, action
	vss         *prometheus.CounterVec   // status, result
	storeWrite  prometheus.Histogram
	storeErrors prometheus.Counter
	reloads     *prometheus.CounterVec // result
	recDropped  prometheus.Counter
	recErrors   prometheus.Counter
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ivrctl_http_requests_total", Help: "Webhook requests answered, by route and HTTP status."},
			[]string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "ivrctl_http_request_duration_seconds", Help: "Time from a request's arrival to its answer written, by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}},
			[]string{"route"}),
		vca: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ivrctl_vca_answers_total", Help: "VCA events answered, by the menu that answered and the callflow's actions."},
			[]string{"menu", "action"}),
		vss: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ivrctl_vss_total", Help: "Session summaries received, by sessionStatus and what the store did (stored, duplicate, revision, failed, unavailable)."},
			[]string{"status", "result"}),
		storeWrite: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "ivrctl_session_store_write_duration_seconds", Help: "Time to make a session summary durable (fsync or commit).",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}}),
		storeErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ivrctl_session_store_errors_total", Help: "Session summaries the store failed to record (answered 500 or 503)."}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ivrctl_menu_reloads_total", Help: "Menu reloads (SIGHUP, --watch), by result: ok or refused."},
			[]string{"result"}),
		recDropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ivrctl_record_dropped_total", Help: "serve --record: recordings dropped because the record queue was full (the calls were answered)."}),
		recErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ivrctl_record_errors_total", Help: "serve --record: recordings that could not be written."}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.vca, m.vss, m.storeWrite, m.storeErrors, m.reloads, m.recDropped, m.recErrors,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// routeLabel bounds the route label to the server's paths.
func routeLabel(path string) string {
	switch path {
	case PathVCA, PathVSS, PathVCAAlias, PathVSSAlias, PathHealth:
		return path
	}
	return "other"
}

// vssStatuses are 8x8's sessionStatus values.
var vssStatuses = map[string]bool{"COMPLETED": true, "BUSY": true, "NO_ANSWER": true, "FAILED": true, "CANCELED": true, "ERROR": true}

// observe counts a finished request.
func (m *metrics) observe(ev *Event) {
	if m == nil || ev.Status == 0 {
		return
	}
	route := routeLabel(ev.Route)
	m.requests.WithLabelValues(route, strconv.Itoa(ev.Status)).Inc()
	m.latency.WithLabelValues(route).Observe(ev.Latency.Seconds())
	switch ev.Kind {
	case KindVCA:
		if ev.Status == http.StatusOK {
			menu := ev.Menu
			if ev.Matched == "fallback" {
				menu = "(unknown)"
			}
			m.vca.WithLabelValues(menu, ev.Action).Inc()
		}
	case KindVSS:
		status := ev.Outcome
		if !vssStatuses[status] {
			status = "OTHER"
		}
		result := "stored"
		switch {
		case ev.Status == http.StatusServiceUnavailable:
			result = "unavailable"
		case ev.Status != http.StatusOK:
			result = "failed"
		case ev.Duplicate:
			result = "duplicate"
		case ev.Revision:
			result = "revision"
		}
		m.vss.WithLabelValues(status, result).Inc()
	}
}

func (m *metrics) storeWritten(d time.Duration, err error) {
	if m == nil {
		return
	}
	m.storeWrite.Observe(d.Seconds())
	if err != nil {
		m.storeErrors.Inc()
	}
}

func (m *metrics) recordDropped() {
	if m != nil {
		m.recDropped.Inc()
	}
}

func (m *metrics) recordFailed() {
	if m != nil {
		m.recErrors.Inc()
	}
}
