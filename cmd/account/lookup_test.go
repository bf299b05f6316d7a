package account_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/cmd/account"
	at "github.com/ivrctl/ivrctl/cmd/account/accounttest"
	"github.com/ivrctl/ivrctl/pkg/accountcache"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func lister(t *testing.T, fake *at.Fake, clk *clock) *accountcache.Lister {
	t.Helper()
	dir := t.TempDir()
	o := &account.Options{APIKey: at.Key, Subaccount: at.Sub, BaseURL: fake.URL, Version: "test",
		CacheDir: func() (string, error) { return dir, nil }, Now: clk.now,
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }}
	l, err := o.Lister()
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// Through the client, with an injected clock: a miss asks 8x8, a hit does
// not, an expired entry asks again.
func TestListerCacheLifecycle(t *testing.T) {
	t.Parallel()
	profiles := at.Path("speech-profiles")
	fake := at.NewFake(t, map[string][]at.Answer{"GET " + profiles: {at.OK(at.ProfilesBody)}})
	clk := &clock{time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
	l := lister(t, fake, clk)
	ctx := context.Background()
	steps := []struct {
		name  string
		after time.Duration
		want  int // requests so far
	}{
		{"miss", 0, 1},
		{"hit", time.Hour, 1},
		{"hit just before expiry", accountcache.DefaultTTL - time.Hour - time.Second, 1},
		{"expired", time.Second, 2},
		{"hit again", time.Minute, 2},
	}
	for _, s := range steps {
		clk.t = clk.t.Add(s.after)
		unknown, err := l.UnknownProfiles(ctx, []string{"en-US-BenjaminRUS"})
		if err != nil || len(unknown) != 0 {
			t.Fatalf("%s: unknown %v, err %v", s.name, unknown, err)
		}
		if n := fake.Count("GET " + profiles); n != s.want {
			t.Errorf("%s: %d requests, want %d", s.name, n, s.want)
		}
	}
	// Unknown even after the refetch the cache's miss forces.
	unknown, err := l.UnknownProfiles(ctx, []string{"en-US-BenjaminRUS", "xx-XX-Nobody"})
	if err != nil || len(unknown) != 1 || unknown[0] != "xx-XX-Nobody" {
		t.Errorf("unknown %v, err %v", unknown, err)
	}
	if n := fake.Count("GET " + profiles); n != 3 {
		t.Errorf("%d requests, want 3 (a cached list lacking a name is fetched again)", n)
	}
}

// Numbers compare by digits; a corrupt cache file is refetched and rewritten.
func TestListerNumbers(t *testing.T) {
	t.Parallel()
	numbers := at.Path("numbers")
	fake := at.NewFake(t, map[string][]at.Answer{"GET " + numbers: {at.OK(at.NumbersBody)}})
	clk := &clock{time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
	l := lister(t, fake, clk)
	path := l.Cache.Path("numbers", l.Client.BaseURL(), at.Sub)
	if err := os.MkdirAll(l.Cache.Dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		number string
		want   bool
	}{{"6561115777", true}, {"+65 6111 5777", true}, {"+442071234567", true}} {
		ok, err := l.HasNumber(context.Background(), tt.number)
		if err != nil || ok != tt.want {
			t.Errorf("HasNumber(%q) = %v, %v", tt.number, ok, err)
		}
	}
	if n := fake.Count("GET " + numbers); n != 1 {
		t.Errorf("%d requests, want 1 (the corrupt file refetched once, then hits)", n)
	}
	ok, err := l.HasNumber(context.Background(), "6500000000")
	if err != nil || ok {
		t.Errorf("absent number: %v, %v", ok, err)
	}
	if n := fake.Count("GET " + numbers); n != 2 {
		t.Errorf("%d requests, want 2 (absent from the cache: fetched again)", n)
	}
}
