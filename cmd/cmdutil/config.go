package cmdutil

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// EnvPrefix prefixes every environment variable ivrctl reads: the key
// base-url is IVRCTL_BASE_URL.
const EnvPrefix = "IVRCTL"

// Configuration keys. A key is also the flag's name, the config file's key
// and, upper-cased with - as _, the environment variable's suffix.
const (
	KeyAPIKey     = "api-key"
	KeySubaccount = "subaccount"
	KeyFrom       = "from"
	KeyAgent      = "agent"
	KeyBaseURL    = "base-url"
	KeyMenu       = "menu"
)

// DefaultBaseURL is 8x8's voice API host. The seed's voice.wavecell.com
// is the older name of the same API; the current spec and guides use this.
const DefaultBaseURL = "https://voice.8x8.com"

// Key describes one configuration key, for `config view` and masking.
type Key struct {
	Name    string
	Default string
	Secret  bool // shown masked, never in full
	Help    string
}

// CommonKeys are the settings every command shares, first in the one
// list of settings (cmd.Settings).
var CommonKeys = []Key{
	{Name: KeyAPIKey, Secret: true, Help: "8x8 API key (Bearer token)"},
	{Name: KeySubaccount, Help: "8x8 sub-account id"},
	{Name: KeyFrom, Help: "virtual number calls come from (caller ID)"},
	{Name: KeyAgent, Help: "number a connect option rings"},
	{Name: KeyBaseURL, Default: DefaultBaseURL, Help: "8x8 voice API base URL"},
	{Name: KeyMenu, Help: "menu file (default: the embedded simple IVR)"},
}

// Source says where a configuration value came from.
type Source string

const (
	SourceFlag    Source = "flag"
	SourceEnv     Source = "env"
	SourceFile    Source = "file"
	SourceDefault Source = "default"
	SourceUnset   Source = "unset"
)

// Config is the resolved configuration of one run. After Bind, commands
// read their options structs, never viper: this is for the settings that
// have no flag (the API key) and for `config view`.
type Config struct {
	File    string // the config file read, "" if none
	Keys    []Key  // the settings bound, in the order given to Bind
	values  map[string]string
	sources map[string]Source
}

// Get returns a key's value and where it came from.
func (c *Config) Get(key string) (string, Source) {
	if c == nil {
		return "", SourceUnset
	}
	s, ok := c.sources[key]
	if !ok {
		return "", SourceUnset
	}
	return c.values[key], s
}

// EnvName is the environment variable for a key.
func EnvName(key string) string {
	return EnvPrefix + "_" + strings.ToUpper(strings.ReplaceAll(key, "-", "_"))
}

// DefaultConfigFile is $XDG_CONFIG_HOME/ivrctl/config.yaml (or the OS's
// equivalent).
func DefaultConfigFile() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "ivrctl", "config.yaml")
}

// Bind resolves every key and every flag of the command with viper, as
// it is designed: one fresh viper per run (no global state between runs
// or tests), environment variables IVRCTL_KEY (- as _), the config file
// (optional unless --config names it), defaults, and the command's flags
// bound to it, so its precedence is flag > env > config file > default.
// For every flag the user did not set, the value viper found is written
// back into the flag: after Bind, commands read only their own options.
//
// What Bind adds to viper is the source of each value, for `config view`:
// viper says what a key is, not where it came from.
func Bind(flags *pflag.FlagSet, configFile string, keys []Key) (*Config, error) {
	v := viper.New()
	v.SetEnvPrefix(EnvPrefix)
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))
	v.AutomaticEnv() // an empty variable counts as unset (AllowEmptyEnv is off)
	for _, k := range keys {
		if k.Default != "" {
			v.SetDefault(k.Name, k.Default)
		}
	}
	if err := v.BindPFlags(flags); err != nil {
		return nil, fmt.Errorf("binding flags: %w", err)
	}

	cfg := &Config{Keys: keys, values: map[string]string{}, sources: map[string]Source{}}
	explicit := configFile != ""
	if !explicit {
		configFile = DefaultConfigFile()
	}
	if configFile != "" {
		v.SetConfigFile(configFile)
		if err := v.ReadInConfig(); err != nil {
			var pathErr *fs.PathError
			switch {
			case !explicit && errors.As(err, &pathErr) && errors.Is(pathErr.Err, fs.ErrNotExist):
				// no default config file: fine
			case errors.As(err, &pathErr):
				return nil, Usagef("config file: %w", err)
			default:
				return nil, Usagef("config file %s: %w", configFile, err)
			}
		} else {
			cfg.File = configFile
		}
	}

	defaults := map[string]bool{}
	names := map[string]bool{}
	for _, k := range keys {
		names[k.Name], defaults[k.Name] = true, k.Default != ""
	}
	flags.VisitAll(func(f *pflag.Flag) { names[f.Name] = true })

	var errs []error
	for name := range names {
		f := flags.Lookup(name)
		// The value is viper's; its source is looked up in viper's order
		// (viper says what a key is, not where it came from).
		var val string
		src := SourceUnset
		switch {
		case f != nil && f.Changed:
			val, src = flagString(f), SourceFlag
		case os.Getenv(EnvName(name)) != "":
			val, src = valueString(v, name), SourceEnv
		case v.InConfig(name):
			val, src = valueString(v, name), SourceFile
		case defaults[name]:
			val, src = valueString(v, name), SourceDefault
		case f != nil && f.DefValue != "" && f.DefValue != "[]":
			val, src = f.DefValue, SourceDefault
		}
		if f != nil && (src == SourceEnv || src == SourceFile) {
			if err := setFlag(f, val); err != nil {
				errs = append(errs, Usagef("%s from %s: %w", name, src, err))
			}
		}
		if src != SourceUnset {
			cfg.values[name], cfg.sources[name] = val, src
		}
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
	return cfg, errors.Join(errs...)
}

// valueString renders viper's value for name as a flag would take it: a
// YAML list (allow-ip: [a, b]) joined with commas, the way a slice flag
// prints, rather than read as "" by GetString.
func valueString(v *viper.Viper, name string) string {
	switch t := v.Get(name).(type) {
	case []any:
		items := make([]string, len(t))
		for i, it := range t {
			items[i] = fmt.Sprint(it)
		}
		return strings.Join(items, ",")
	case []string:
		return strings.Join(t, ",")
	}
	return v.GetString(name)
}

// flagString renders a flag's value; slice flags as comma-separated.
func flagString(f *pflag.Flag) string {
	if sv, ok := f.Value.(pflag.SliceValue); ok {
		return strings.Join(sv.GetSlice(), ",")
	}
	return f.Value.String()
}

func setFlag(f *pflag.Flag, val string) error {
	if sv, ok := f.Value.(pflag.SliceValue); ok {
		var items []string
		for s := range strings.SplitSeq(val, ",") {
			if s = strings.TrimSpace(s); s != "" {
				items = append(items, s)
			}
		}
		return sv.Replace(items)
	}
	return f.Value.Set(val)
}

// MissingSetting is the one-line error for a required setting left unset.
func MissingSetting(key string) error {
	return Usagef("no %s set: use --%s, %s, or %s: in the config file (%s)", key, key, EnvName(key), key, DefaultConfigFile())
}
