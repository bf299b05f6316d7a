package accountcache

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ivrctl/ivrctl/pkg/callflow"
)

const base = "https://voice.8x8.com"

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newCache(t *testing.T) (*Cache, *clock) {
	clk := &clock{time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
	return &Cache{Dir: filepath.Join(t.TempDir(), "ivrctl"), Now: clk.now}, clk
}

var profiles = []callflow.SpeechProfile{{Code: "en-US-Standard-A", Locale: "en-US", LocaleDescription: "EnglishUS", Gender: "F"}}

func TestCacheRoundTripAndExpiry(t *testing.T) {
	t.Parallel()
	c, clk := newCache(t)
	var got []callflow.SpeechProfile
	if c.Load("speech-profiles", base, "acme_voice", &got) {
		t.Fatal("hit on an empty cache")
	}
	if err := c.Store("speech-profiles", base, "acme_voice", profiles); err != nil {
		t.Fatal(err)
	}
	clk.t = clk.t.Add(DefaultTTL - time.Second)
	if !c.Load("speech-profiles", base, "acme_voice", &got) {
		t.Fatal("miss within the TTL")
	}
	if d := cmp.Diff(profiles, got); d != "" {
		t.Errorf("loaded (-stored +got):\n%s", d)
	}
	clk.t = clk.t.Add(time.Second)
	if c.Load("speech-profiles", base, "acme_voice", &got) {
		t.Error("hit after the TTL")
	}
	clk.t = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC) // the clock went back
	if c.Load("speech-profiles", base, "acme_voice", &got) {
		t.Error("hit on an entry written in the future")
	}
}

// Another base URL, another sub-account, another kind: other entries.
func TestCacheKeyed(t *testing.T) {
	t.Parallel()
	c, _ := newCache(t)
	if err := c.Store("speech-profiles", base, "acme_voice", profiles); err != nil {
		t.Fatal(err)
	}
	var got []callflow.SpeechProfile
	for _, k := range [][3]string{
		{"speech-profiles", "https://voice.wavecell.com", "acme_voice"},
		{"speech-profiles", base, "other_sub"},
		{"numbers", base, "acme_voice"},
	} {
		if c.Load(k[0], k[1], k[2], &got) {
			t.Errorf("%v: hit on another entry", k)
		}
	}
}

// A corrupt file is a miss, and the next Store replaces it.
func TestCacheCorruptFile(t *testing.T) {
	t.Parallel()
	c, _ := newCache(t)
	path := c.Path("speech-profiles", base, "acme_voice")
	os.MkdirAll(c.Dir, 0o700)
	for _, junk := range []string{"{not json", `{"version":1,"fetchedAt":"2026-11-25T10:00:00Z","baseUrl":"https://voice.8x8.com","subaccount":"acme_voice","data":{"x":1}}`, ""} {
		os.WriteFile(path, []byte(junk), 0o600)
		var got []callflow.SpeechProfile
		if c.Load("speech-profiles", base, "acme_voice", &got) {
			t.Errorf("hit on %q", junk)
		}
	}
	if err := c.Store("speech-profiles", base, "acme_voice", profiles); err != nil {
		t.Fatal(err)
	}
	var got []callflow.SpeechProfile
	if !c.Load("speech-profiles", base, "acme_voice", &got) {
		t.Error("the rewritten file is a miss")
	}
}

// The file is the user's alone, holds no temporary leftovers, and its
// name carries neither the sub-account nor anything else from the request.
func TestCacheFile(t *testing.T) {
	t.Parallel()
	c, _ := newCache(t)
	if err := c.Store("numbers", base, "acme_voice", []callflow.VirtualNumber{{MSISDN: "+6561115777"}}); err != nil {
		t.Fatal(err)
	}
	path := c.Path("numbers", base, "acme_voice")
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	if di, err := os.Stat(c.Dir); err != nil {
		t.Error(err)
	} else if di.Mode().Perm() != 0o700 {
		t.Errorf("directory mode %v, want 0700", di.Mode().Perm())
	}
	if strings.Contains(filepath.Base(path), "acme") {
		t.Errorf("file name %s names the sub-account", path)
	}
	entries, _ := os.ReadDir(c.Dir)
	if len(entries) != 1 {
		t.Errorf("%d files in the cache directory, want 1 (no temporary left)", len(entries))
	}
}

func TestCacheDisabled(t *testing.T) {
	t.Parallel()
	c := &Cache{}
	if err := c.Store("numbers", base, "acme_voice", profiles); err != nil {
		t.Error(err)
	}
	var got []callflow.SpeechProfile
	if c.Load("numbers", base, "acme_voice", &got) {
		t.Error("hit on a disabled cache")
	}
}

func TestDigits(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"+6561115777": "6561115777", "+65 6111-5777": "6561115777", "": ""} {
		if got := callflow.Digits(in); got != want {
			t.Errorf("callflow.Digits(%q) = %q, want %q", in, got, want)
		}
	}
}
