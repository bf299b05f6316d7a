package webhook

import (
	"bytes"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// value finds the sample of family name whose labels include want.
func value(t *testing.T, fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	t.Helper()
	f, ok := fams[name]
	if !ok {
		t.Fatalf("no metric family %s", name)
	}
next:
	for _, m := range f.GetMetric() {
		for k, v := range want {
			found := false
			for _, l := range m.GetLabel() {
				if l.GetName() == k && l.GetValue() == v {
					found = true
				}
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	return 0
}

// /metrics is Prometheus text format that parses, counts what the server
// answered by route, status, menu, action and VSS outcome, bounds its
// labels, and names no session.
func TestMetricsExposition(t *testing.T) {
	t.Parallel()
	ts := start(t, Config{Metrics: true}, nil)
	ts.drain(t)
	if r := post(t, ts.URL+PathVCA, readFile(t, "testdata/dtmf3.json")); r.Status != 200 {
		t.Fatalf("VCA %d", r.Status)
	}
	if r := post(t, ts.URL+PathVCA, vcaEvent(t, "no-such-menu", "1")); r.Status != 200 {
		t.Fatalf("VCA fallback %d", r.Status)
	}
	vss := readFile(t, "testdata/vss/completed.json")
	for range 2 {
		if r := post(t, ts.URL+PathVSS, vss); r.Status != 200 {
			t.Fatalf("VSS %d", r.Status)
		}
	}
	post(t, ts.URL+"/attacker-chosen-path-1", []byte("{}"))
	post(t, ts.URL+"/attacker-chosen-path-2", []byte("{}"))

	r := do(t, newReq(t, "GET", ts.URL+PathMetrics, nil))
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatalf("exposition does not parse: %v\n%s", err, r.Body)
	}
	checks := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"ivrctl_http_requests_total", map[string]string{"route": PathVCA, "code": "200"}, 2},
		{"ivrctl_http_requests_total", map[string]string{"route": PathVSS, "code": "200"}, 2},
		{"ivrctl_http_requests_total", map[string]string{"route": "other", "code": "404"}, 2},
		{"ivrctl_http_request_duration_seconds", map[string]string{"route": PathVCA}, 2},
		{"ivrctl_vca_answers_total", map[string]string{"menu": "(unknown)"}, 1},
		{"ivrctl_vss_total", map[string]string{"status": "COMPLETED", "result": "stored"}, 1},
		{"ivrctl_vss_total", map[string]string{"status": "COMPLETED", "result": "duplicate"}, 1},
		{"ivrctl_session_store_write_duration_seconds", nil, 2},
		{"ivrctl_session_store_errors_total", nil, 0},
	}
	for _, c := range checks {
		if got := value(t, fams, c.name, c.labels); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	// The dtmf3 answer is counted under its menu and actions.
	var menus []string
	for _, m := range fams["ivrctl_vca_answers_total"].GetMetric() {
		for _, l := range m.GetLabel() {
			menus = append(menus, l.GetName()+"="+l.GetValue())
		}
	}
	if len(menus) != 4 {
		t.Errorf("vca labels %v: want two series (menu, action)", menus)
	}
	for _, secret := range []string{"d62f91ba", "attacker-chosen", "no-such-menu", "+65"} {
		if bytes.Contains(r.Body, []byte(secret)) {
			t.Errorf("/metrics carries %q", secret)
		}
	}
}

// Without Config.Metrics there is no /metrics.
func TestMetricsOff(t *testing.T) {
	t.Parallel()
	ts := start(t, Config{}, nil)
	ts.drain(t)
	if r := do(t, newReq(t, "GET", ts.URL+PathMetrics, nil)); r.Status != 404 {
		t.Errorf("GET /metrics without Metrics: %d", r.Status)
	}
}
