package webhook

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ivrctl/ivrctl/pkg/menu"
)

func loader(t *testing.T, file string) func() (*menu.Engine, error) {
	return func() (*menu.Engine, error) {
		m, err := menu.Parse(file, readFile(t, file))
		if err != nil {
			return nil, err
		}
		return menu.Compile(m, menu.Numbers{})
	}
}

// A good menu is swapped in: the next call is answered by it.
func TestReloadGood(t *testing.T) {
	t.Parallel()
	ts := start(t, Config{}, nil)
	before := post(t, ts.URL+PathVCA, vcaEvent(t, "", ""))
	if err := ts.Reload("test", loader(t, "testdata/menus/advanced-ivr.yaml")); err != nil {
		t.Fatal(err)
	}
	after := post(t, ts.URL+PathVCA, vcaEvent(t, "", ""))
	if before.Status != 200 || after.Status != 200 || bytes.Equal(before.Body, after.Body) {
		t.Fatalf("start menu not swapped: %d %s / %d %s", before.Status, before.Body, after.Status, after.Body)
	}
	// A call in progress in a menu the new one lacks (simple's "main")
	// gets the new start menu, not an error.
	r := post(t, ts.URL+PathVCA, vcaEvent(t, "main", "1"))
	if r.Status != 200 {
		t.Errorf("removed menu id: %d %s", r.Status, r.Body)
	}
	var last Event
	for range 4 { // before, reloaded, after, the removed id
		last = ts.next(t)
	}
	if last.Matched != "fallback" || last.Level != LevelWarn {
		t.Errorf("removed menu id answered %+v", last)
	}
}

// A broken menu is refused with the error validate gives, reported as an
// error event, and the old menu keeps answering.
func TestReloadBroken(t *testing.T) {
	t.Parallel()
	ts := start(t, Config{Metrics: true}, nil)
	before := post(t, ts.URL+PathVCA, vcaEvent(t, "", ""))
	ts.next(t)
	bad := "testdata/menus/bad/dangling-open.yaml"
	_, wantErr := loader(t, bad)()
	if wantErr == nil {
		t.Fatal("the broken fixture loads")
	}
	err := ts.Reload("SIGHUP", loader(t, bad))
	if err == nil || err.Error() != wantErr.Error() {
		t.Fatalf("Reload: %v, want %v", err, wantErr)
	}
	ev := ts.next(t)
	if ev.Level != LevelError || !strings.Contains(ev.Message, "refused, the old menu keeps answering") || !strings.Contains(ev.Message, wantErr.Error()) {
		t.Errorf("event %+v", ev)
	}
	after := post(t, ts.URL+PathVCA, vcaEvent(t, "", ""))
	if after.Status != 200 || !bytes.Equal(before.Body, after.Body) {
		t.Errorf("after a refused reload: %d %s", after.Status, after.Body)
	}
	if err := ts.Reload("x", func() (*menu.Engine, error) { return nil, errors.New("boom") }); err == nil {
		t.Error("a failing loader was accepted")
	}
	m := do(t, newReq(t, "GET", ts.URL+PathMetrics, nil))
	if !bytes.Contains(m.Body, []byte(`ivrctl_menu_reloads_total{result="refused"} 2`)) {
		t.Errorf("reloads not counted:\n%s", m.Body)
	}
}

// Under load, reloads back and forth fail no request: every answer is
// complete and from one menu or the other.
func TestReloadUnderLoad(t *testing.T) {
	t.Parallel()
	ts := start(t, Config{}, nil)
	ts.drain(t)
	simple, advanced := loader(t, "testdata/menus/simple-ivr.yaml"), loader(t, "testdata/menus/advanced-ivr.yaml")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var sent, failed atomic.Int64
	for range 8 {
		wg.Go(func() {
			body := vcaEvent(t, "", "")
			for {
				select {
				case <-stop:
					return
				default:
				}
				st, err := postStatus(ts.URL+PathVCA, body)
				sent.Add(1)
				if err != nil || st != 200 {
					failed.Add(1)
				}
			}
		})
	}
	for i := range 40 {
		l := simple
		if i%2 == 0 {
			l = advanced
		}
		if err := ts.Reload("test", l); err != nil {
			t.Fatal(err)
		}
		if i%10 == 0 {
			ts.Reload("test", loader(t, "testdata/menus/bad/empty.yaml"))
		}
	}
	close(stop)
	wg.Wait()
	if failed.Load() > 0 || sent.Load() == 0 {
		t.Errorf("%d of %d requests failed during reloads", failed.Load(), sent.Load())
	}
}
