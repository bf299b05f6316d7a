package cmdutil

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ivrctl/ivrctl/pkg/redact"
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

// Keys are the configuration keys every command shares. Commands may bind
// more (serve's auth settings); those register with RegisterKey.
var Keys = []Key{
	{Name: KeyAPIKey, Secret: true, Help: "8x8 API key (Bearer token)"},
	{Name: KeySubaccount, Help: "8x8 sub-account id"},
	{Name: KeyFrom, Help: "virtual number calls come from (caller ID)"},
	{Name: KeyAgent, Help: "number a connect option rings"},
	{Name: KeyBaseURL, Default: DefaultBaseURL, Help: "8x8 voice API base URL"},
	{Name: KeyMenu, Help: "menu file (default: the embedded simple IVR)"},
}

// RegisterKey adds a key to Keys (called from package init of commands
// that own more settings, before any command runs).
func RegisterKey(k Key) {
	for _, have := range Keys {
		if have.Name == k.Name {
			return
		}
	}
	Keys = append(Keys, k)
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
// read their options structs, never viper: this is only for `config view`.
type Config struct {
	File    string // the config file read, "" if none
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

// Bind resolves every key with one precedence: flag > env > config file >
// default. A fresh viper per run keeps tests free of global state. For every
// flag the user did not set, the value found is written back into the flag,
// so commands read only their own options.
//
// configFile is --config: when given it must exist; the default file is
// optional.
func Bind(flags *pflag.FlagSet, configFile string) (*Config, error) {
	// viper reads the config file only; lookup reads the environment
	// itself, so it can say which source a value came from.
	v := viper.New()

	cfg := &Config{values: map[string]string{}, sources: map[string]Source{}}
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

	names := map[string]bool{}
	for _, k := range Keys {
		names[k.Name] = true
	}
	flags.VisitAll(func(f *pflag.Flag) { names[f.Name] = true })

	var errs []error
	for name := range names {
		val, src := lookup(v, flags, name)
		if src == SourceUnset {
			if d := keyDefault(name); d != "" {
				val, src = d, SourceDefault
			}
		}
		f := flags.Lookup(name)
		if f != nil && src != SourceFlag && src != SourceUnset && src != SourceDefault {
			if err := setFlag(f, val); err != nil {
				errs = append(errs, Usagef("%s from %s: %w", name, src, err))
			}
		}
		if f != nil && src == SourceUnset && f.DefValue != "" && f.DefValue != "[]" {
			val, src = f.DefValue, SourceDefault
		}
		if src != SourceUnset {
			cfg.values[name], cfg.sources[name] = val, src
		}
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
	return cfg, errors.Join(errs...)
}

func lookup(v *viper.Viper, flags *pflag.FlagSet, name string) (string, Source) {
	if f := flags.Lookup(name); f != nil && f.Changed {
		return flagString(f), SourceFlag
	}
	// An empty variable counts as unset (as viper's AutomaticEnv has it):
	// `export IVRCTL_SUBACCOUNT=` must not hide the config file's value.
	if val := os.Getenv(EnvName(name)); val != "" {
		return val, SourceEnv
	}
	if v.InConfig(name) {
		// A YAML list (allow-ip: [a, b]) reads as "" through GetString:
		// join it the way a slice flag prints, rather than drop it.
		if list, ok := v.Get(name).([]any); ok {
			items := make([]string, len(list))
			for i, it := range list {
				items[i] = fmt.Sprint(it)
			}
			return strings.Join(items, ","), SourceFile
		}
		return v.GetString(name), SourceFile
	}
	return "", SourceUnset
}

func keyDefault(name string) string {
	for _, k := range Keys {
		if k.Name == name {
			return k.Default
		}
	}
	return ""
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
		for _, s := range strings.Split(val, ",") {
			if s = strings.TrimSpace(s); s != "" {
				items = append(items, s)
			}
		}
		return sv.Replace(items)
	}
	return f.Value.Set(val)
}

// IsSecret reports whether a key holds a secret.
func IsSecret(name string) bool {
	for _, k := range Keys {
		if k.Name == name {
			return k.Secret
		}
	}
	return false
}

// MissingSetting is the one-line error for a required setting left unset.
func MissingSetting(key string) error {
	return Usagef("no %s set: use --%s, %s, or %s: in the config file (%s)", key, key, EnvName(key), key, DefaultConfigFile())
}

// Describe renders a value for display, masked when secret.
func Describe(name, val string) string {
	if IsSecret(name) {
		return redact.Mask(val)
	}
	return fmt.Sprint(val)
}
