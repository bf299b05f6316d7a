// Package validate implements `ivrctl validate`: judge callflow JSON and
// menu files offline, as the platform would.
package validate

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ivrctl/ivrctl/cmd/account"
	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/menu"
)

// ValidateOptions are the inputs of `ivrctl validate`.
type ValidateOptions struct {
	IO       *cmdutil.IOStreams
	ReadFile func(string) ([]byte, error)
	Paths    []string
	From     string
	Agent    string
	Kind     string // auto, request or response

	// Online also checks every voiceProfile against the sub-account's
	// speech profiles (see online.go).
	Online  bool
	Account *account.Options
	// Profiles is --profiles: the sub-account's speech profiles, offline
	// (emulate's and test's value).
	Profiles string
	// Output is text or json.
	Output string
}

// NewCmdValidate builds the command; runF replaces the run function in tests.
func NewCmdValidate(f *cmdutil.Factory, runF func(context.Context, *ValidateOptions) error) *cobra.Command {
	opts := &ValidateOptions{IO: f.IO, ReadFile: f.ReadFile, Account: account.NewOptions(f)}
	cmd := &cobra.Command{
		Use:   "validate [flags] PATH...",
		Short: "Check callflow JSON and menu files offline",
		Long: `Check callflow JSON and menu files offline, with 8x8's own status codes.

A .json file holding a "callflow" is judged as a Send Callflow request when it
has validUntil or clientRequestId, or starts with makeCall and has no
clientActionId; otherwise as a webhook response. --kind request judges every
file as a request (which must start with makeCall, -1013), --kind response
as a webhook response. A .yaml/.yml file, or JSON with "menus", is a menu
file: it is loaded, checked, and every answer it can give is validated.

Voices: 8x8 refuses a voiceProfile the sub-account lacks (-1002), and only
its list says which it has. --profiles gives that list offline, as emulate
and test take it: codes comma-separated, or a file as 'ivrctl profiles -o
json' prints (commit one, and CI checks voices without network); any turns
the check off. Without it, a list cached by an earlier 'ivrctl profiles' for
the sub-account is used; with neither, validate says once that voices were
not checked. --online asks 8x8 (with the API key and sub-account call uses)
and caches the list for a day.

Where 8x8's spec does not forbid something (an unknown property, a
clientActionId in a Send Callflow request, params on hangup) the platform
takes it, so validate warns and the file stays valid (exit 0): see
docs/emulator.md, "Agreement". validate and the emulator give every document
the same verdict.

-o json prints one JSON object per file: {"file", "kind" (request, response,
menu), "valid", "problems": [{"code", "path", "message"}], "warnings": [...]}.

Exit codes: 0 valid, 1 a problem found, 2 a file could not be read or a
setting is missing, 3 (--online) the API key was refused, 4 (--online) the
profiles could not be fetched.`,
		Example: `  $ ivrctl validate request.json
  $ ivrctl validate testdata/menus/advanced-ivr.yaml
  $ ivrctl validate --profiles profiles.json request.json menu.yaml
  $ ivrctl validate --online request.json menu.yaml`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			if opts.Online {
				opts.Account.FromConfig(f)
			}
			switch opts.Kind {
			case "auto", "request", "response":
			default:
				return cmdutil.Usagef("--kind %q: use auto, request or response", opts.Kind)
			}
			if err := cmdutil.CheckOutput(opts.Output); err != nil {
				return err
			}
			if opts.Online && opts.Profiles != "" {
				return cmdutil.Usagef("--online and --%s: give one list of speech profiles", account.FlagProfiles)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runValidate(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.From, cmdutil.KeyFrom, "", "virtual number connect options call from")
	cmd.Flags().StringVar(&opts.Agent, cmdutil.KeyAgent, "", "number connect options ring")
	cmd.Flags().StringVar(&opts.Kind, "kind", "auto", "judge callflow JSON as a Send Callflow request, a webhook response, or auto")
	cmd.Flags().BoolVar(&opts.Online, "online", false, "also check voiceProfile against the sub-account's speech profiles (asks 8x8)")
	cmd.Flags().StringVar(&opts.Profiles, account.FlagProfiles, "", account.ProfilesHelp+" (offline; default: the cached list)")
	cmdutil.AddOutputFlag(cmd, &opts.Output)
	_ = cmd.MarkFlagFilename(account.FlagProfiles, "json")
	account.AddFlags(cmd.Flags(), opts.Account)
	cmdutil.CompleteFlagValues(cmd, []string{"auto", "request", "response"}, "kind")
	return cmd
}

// fileResult is the verdict on one file; -o json prints it.
type fileResult struct {
	File     string        `json:"file"`
	Kind     string        `json:"kind,omitempty"` // request, response or menu
	Valid    bool          `json:"valid"`
	Error    string        `json:"error,omitempty"` // the file could not be read
	Problems []jsonProblem `json:"problems,omitempty"`
	Warnings []jsonProblem `json:"warnings,omitempty"`
	lines    []string      // text: each problem as file[:line]: where: what
}

// jsonProblem is a callflow problem (code and JSON path) or a menu's
// (message only: file:line: where: what).
type jsonProblem struct {
	Code    int    `json:"code,omitempty"`
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
}

func runValidate(ctx context.Context, opts *ValidateOptions) error {
	worst := cmdutil.ExitOK
	voices, err := newVoices(ctx, opts)
	if err != nil {
		return err
	}
	var results []*fileResult
	for _, path := range opts.Paths {
		r := &fileResult{File: path}
		results = append(results, r)
		data, err := opts.ReadFile(path)
		if err != nil {
			err = cmdutil.WithoutPath(err)
			if hint := cmdutil.SampleHint(path); hint != "" {
				err = fmt.Errorf("%w (%s)", err, hint)
			}
			r.Error = err.Error()
			worst = max(worst, cmdutil.ExitUsage)
			continue
		}
		var found callflow.Problems
		if isMenu(path, data) {
			r.Kind = "menu"
			for _, line := range validateMenu(path, data, menu.Numbers{From: opts.From, Agent: opts.Agent}) {
				r.lines = append(r.lines, line)
				r.Problems = append(r.Problems, jsonProblem{Message: line})
			}
		} else {
			kind := kindOf(opts.Kind, data)
			r.Kind = map[callflow.Kind]string{callflow.KindRequest: "request", callflow.KindWebhookResponse: "response"}[kind]
			var warns callflow.Problems
			found, warns = callflow.Judge(data, kind)
			r.add(found)
			for _, w := range warns {
				r.Warnings = append(r.Warnings, jsonProblem{Path: w.Path, Message: w.Message})
			}
		}
		more, err := voices.problems(path, data, found)
		if err != nil {
			return err
		}
		r.add(more)
		r.Valid = len(r.Problems) == 0
		if !r.Valid {
			worst = max(worst, cmdutil.ExitFailed)
		}
	}
	if opts.Output == cmdutil.OutputJSON {
		for _, r := range results {
			data, _ := json.Marshal(r) // plain data
			fmt.Fprintf(opts.IO.Out, "%s\n", data)
		}
	} else {
		writeText(opts, results)
	}
	if note := voices.note(); note != "" {
		fmt.Fprintf(opts.IO.ErrOut, "%s %s\n", opts.IO.ErrPalette().Yellow("note"), note)
	}
	if worst != cmdutil.ExitOK {
		return &cmdutil.SilentError{Code: worst}
	}
	return nil
}

// add records callflow problems (path: message (code)).
func (r *fileResult) add(ps callflow.Problems) {
	for _, p := range ps {
		r.lines = append(r.lines, r.File+": "+p.String())
		r.Problems = append(r.Problems, jsonProblem{Code: p.Code, Path: p.Path, Message: p.Message})
	}
}

func writeText(opts *ValidateOptions, results []*fileResult) {
	p := opts.IO.OutPalette()
	for _, r := range results {
		switch {
		case r.Error != "":
			fmt.Fprintf(opts.IO.ErrOut, "%s %s: %s\n", opts.IO.ErrPalette().Red("error"), r.File, r.Error)
			continue
		case r.Valid:
			fmt.Fprintf(opts.IO.Out, "%s %s\n", p.Green("ok"), r.File)
		default:
			for _, line := range r.lines {
				fmt.Fprintf(opts.IO.Out, "%s %s\n", p.Red("invalid"), line)
			}
		}
		for _, w := range r.Warnings {
			fmt.Fprintf(opts.IO.Out, "%s %s: %s: %s\n", p.Yellow("warning"), r.File, w.Path, w.Message)
		}
	}
}

// isMenu tells a menu file from a callflow document.
func isMenu(path string, data []byte) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		return true
	}
	var probe struct {
		Menus json.RawMessage `json:"menus"`
	}
	return json.Unmarshal(data, &probe) == nil && probe.Menus != nil
}

// kindOf decides which rules a callflow document is judged by. auto takes
// a document with validUntil or clientRequestId, or one that starts with
// makeCall and has no clientActionId, as a Send Callflow request.
func kindOf(kind string, data []byte) callflow.Kind {
	switch kind {
	case "request":
		return callflow.KindRequest
	case "response":
		return callflow.KindWebhookResponse
	}
	var probe struct {
		ClientActionID  *string `json:"clientActionId"`
		ValidUntil      *string `json:"validUntil"`
		ClientRequestID *string `json:"clientRequestId"`
		Callflow        []struct {
			Action string `json:"action"`
		} `json:"callflow"`
	}
	if json.Unmarshal(data, &probe) != nil {
		return callflow.KindRequest
	}
	switch {
	case probe.ValidUntil != nil || probe.ClientRequestID != nil:
		return callflow.KindRequest
	case probe.ClientActionID == nil && len(probe.Callflow) > 0 && probe.Callflow[0].Action == callflow.ActionMakeCall:
		return callflow.KindRequest
	}
	return callflow.KindWebhookResponse
}

func validateMenu(path string, data []byte, numbers menu.Numbers) []string {
	m, err := menu.Parse(path, data)
	if err == nil {
		_, err = menu.Compile(m, numbers)
	}
	if err == nil {
		return nil
	}
	return strings.Split(err.Error(), "\n")
}
