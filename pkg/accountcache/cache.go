// Package accountcache reads a sub-account's speech profiles and virtual
// numbers from 8x8 through a small on-disk cache, so that `call`,
// `validate --online` and `numbers` check names without a request each
// time. The cache only ever saves a request: a list that lacks a name is
// fetched again before anything is refused.
package accountcache

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// DefaultTTL is how long a cached list is trusted. Speech profiles and
// numbers change when someone changes the account, which is rare; a list
// that lacks a name is fetched again before anything is refused (see
// Lookup), so a stale cache costs one request, never a wrong refusal.
const DefaultTTL = 24 * time.Hour

// cacheVersion changes when the file's shape does: an older file is a miss.
const cacheVersion = 1

// Cache keeps account lists on disk, one file per list kind, base URL and
// sub-account. The API key is not part of the key nor of the file: the
// lists belong to the sub-account, whichever key read them.
type Cache struct {
	Dir string // "" disables the cache
	TTL time.Duration
	Now func() time.Time
}

// entry is a cache file.
type entry struct {
	Version    int             `json:"version"`
	FetchedAt  time.Time       `json:"fetchedAt"`
	BaseURL    string          `json:"baseUrl"`
	Subaccount string          `json:"subaccount"`
	Data       json.RawMessage `json:"data"`
}

// Path is the file a list is cached in: its kind plus a hash of the base
// URL and sub-account, so the name is safe whatever the sub-account holds.
func (c *Cache) Path(kind, baseURL, subaccount string) string {
	sum := sha256.Sum256([]byte(baseURL + "\x00" + subaccount))
	return filepath.Join(c.Dir, kind+"-"+hex.EncodeToString(sum[:8])+".json")
}

func (c *Cache) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

func (c *Cache) ttl() time.Duration {
	if c.TTL <= 0 {
		return DefaultTTL
	}
	return c.TTL
}

// Load fills v from a fresh cache file and reports whether it did. A
// missing, expired, future-dated, foreign or unreadable file is a miss:
// the cache only ever saves a request, it never decides anything alone.
func (c *Cache) Load(kind, baseURL, subaccount string, v any) bool {
	if c == nil || c.Dir == "" {
		return false
	}
	data, err := os.ReadFile(c.Path(kind, baseURL, subaccount))
	if err != nil {
		return false
	}
	var e entry
	if json.Unmarshal(data, &e) != nil || e.Version != cacheVersion ||
		e.BaseURL != baseURL || e.Subaccount != subaccount {
		return false
	}
	now := c.now()
	// A date in the future means a clock was wrong when it was written.
	if e.FetchedAt.After(now) || now.Sub(e.FetchedAt) >= c.ttl() {
		return false
	}
	return json.Unmarshal(e.Data, v) == nil
}

// Store writes v atomically (a temporary file renamed over the old one, so
// a reader never sees half a file), readable by the user only.
func (c *Cache) Store(kind, baseURL, subaccount string, v any) error {
	if c == nil || c.Dir == "" {
		return nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("cache %s: %w", kind, err)
	}
	file, err := json.Marshal(entry{Version: cacheVersion, FetchedAt: c.now().UTC(),
		BaseURL: baseURL, Subaccount: subaccount, Data: data})
	if err != nil {
		return fmt.Errorf("cache %s: %w", kind, err)
	}
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	tmp, err := os.CreateTemp(c.Dir, kind+"-*.tmp") // mode 0600
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	_, werr := tmp.Write(file)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("cache: %w", err)
	}
	if err := os.Rename(tmp.Name(), c.Path(kind, baseURL, subaccount)); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("cache: %w", err)
	}
	return nil
}
