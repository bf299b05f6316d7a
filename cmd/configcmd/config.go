// Package configcmd implements `ivrctl config`: show the configuration a
// command would run with, and where each value came from.
package configcmd

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/redact"
)

// NewCmdConfig builds `ivrctl config`.
func NewCmdConfig(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Show the effective configuration",
		Long: `Show the configuration ivrctl runs with.

Every setting resolves the same way in every command: a flag beats the
environment (IVRCTL_<KEY>, - as _), which beats the config file (--config,
default $XDG_CONFIG_HOME/ivrctl/config.yaml), which beats the default.`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(NewCmdView(f, nil))
	return cmd
}

// ViewOptions are the inputs of `ivrctl config view`.
type ViewOptions struct {
	IO     *cmdutil.IOStreams
	Keys   []cmdutil.Key // the settings shown, in order
	Config *cmdutil.Config
	// File is the config file asked for: --config, or the default path.
	File   string
	Output string
}

// Setting is one key of `config view -o json`.
type Setting struct {
	Key    string `json:"key"`
	Value  string `json:"value"` // masked when secret
	Source string `json:"source"`
	Env    string `json:"env"`
	Flag   string `json:"flag,omitempty"`
	Secret bool   `json:"secret,omitempty"`
}

// View is the whole of `config view -o json`.
type View struct {
	ConfigFile     string    `json:"configFile"`
	ConfigFileRead bool      `json:"configFileRead"`
	Settings       []Setting `json:"settings"`
}

// NewCmdView builds `ivrctl config view`; runF replaces the run function in
// tests.
func NewCmdView(f *cmdutil.Factory, runF func(*ViewOptions) error) *cobra.Command {
	opts := &ViewOptions{IO: f.IO, Keys: f.Keys}
	cmd := &cobra.Command{
		Use:   "view",
		Short: "Print every setting, its value (secrets masked) and where it came from",
		Long: `Print every setting with its value and its source: flag, env, file,
default or unset. The API key is shown masked, by its last 4 characters.

The non-secret settings can be given as flags here too, to see what a
command given the same flag would use.`,
		Example: `  $ ivrctl config view
  $ IVRCTL_SUBACCOUNT=acme ivrctl config view -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Config = f.Config
			opts.File = cmdutil.DefaultConfigFile()
			if fl := cmd.Flags().Lookup("config"); fl != nil && fl.Value.String() != "" {
				opts.File = fl.Value.String()
			}
			if runF != nil {
				return runF(opts)
			}
			return runView(opts)
		},
	}
	// The same flags as the commands that read these keys, so that the
	// flag source can be seen. Secrets get none: see `ivrctl call --help`.
	for _, k := range f.Keys {
		if !k.Secret {
			cmd.Flags().String(k.Name, "", k.Help)
		}
	}
	cmdutil.AddOutputFlag(cmd, &opts.Output)
	cmdutil.CompleteNoArgs(cmd)
	return cmd
}

func (o *ViewOptions) view() View {
	v := View{ConfigFile: o.File}
	if o.Config != nil && o.Config.File != "" {
		v.ConfigFile, v.ConfigFileRead = o.Config.File, true
	}
	for _, k := range o.Keys {
		val, src := o.Config.Get(k.Name)
		if k.Secret {
			val = redact.Mask(val)
		}
		s := Setting{Key: k.Name, Value: val, Source: string(src),
			Env: cmdutil.EnvName(k.Name), Secret: k.Secret}
		if !k.Secret {
			s.Flag = "--" + k.Name
		}
		v.Settings = append(v.Settings, s)
	}
	return v
}

func runView(opts *ViewOptions) error {
	if err := cmdutil.CheckOutput(opts.Output); err != nil {
		return err
	}
	v := opts.view()
	if opts.Output == "json" {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	p := opts.IO.OutPalette()
	state := "read"
	if !v.ConfigFileRead {
		state = "not found"
	}
	fmt.Fprintf(opts.IO.Out, "config file: %s (%s)\n\n", v.ConfigFile, state)
	tw := tabwriter.NewWriter(opts.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tVALUE\tSOURCE")
	for _, s := range v.Settings {
		val, src := s.Value, s.Source
		switch cmdutil.Source(src) {
		case cmdutil.SourceEnv:
			src += " (" + s.Env + ")"
		case cmdutil.SourceFlag:
			src += " (" + s.Flag + ")"
		case cmdutil.SourceUnset:
			val = "-"
			src = p.Gray(src)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Key, val, src)
	}
	return tw.Flush()
}
