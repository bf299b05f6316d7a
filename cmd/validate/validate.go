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

--online also asks 8x8 (with the API key and sub-account call uses) for the
sub-account's speech profiles, and reports every voiceProfile not among them
as 8x8 would refuse it (-1002). The list is cached for a day.

Exit codes: 0 valid, 1 a problem found, 2 a file could not be read or a
setting is missing, 3 (--online) the API key was refused, 4 (--online) the
profiles could not be fetched.`,
		Example: `  $ ivrctl validate request.json
  $ ivrctl validate testdata/menus/advanced-ivr.yaml
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
	account.AddFlags(cmd.Flags(), opts.Account)
	cmdutil.CompleteFlagValues(cmd, []string{"auto", "request", "response"}, "kind")
	return cmd
}

func runValidate(ctx context.Context, opts *ValidateOptions) error {
	p := opts.IO.OutPalette()
	worst := cmdutil.ExitOK
	var online *onlineCheck
	if opts.Online {
		var err error
		if online, err = newOnlineCheck(ctx, opts); err != nil {
			return err
		}
	}
	for _, path := range opts.Paths {
		data, err := opts.ReadFile(path)
		if err != nil {
			err = cmdutil.WithoutPath(err)
			if hint := cmdutil.SampleHint(path); hint != "" {
				err = fmt.Errorf("%w (%s)", err, hint)
			}
			fmt.Fprintf(opts.IO.ErrOut, "%s %s: %v\n", opts.IO.ErrPalette().Red("error"), path, err)
			worst = max(worst, cmdutil.ExitUsage)
			continue
		}
		// Each problem reads file[:line]: where: what.
		var problems []string
		var found callflow.Problems
		if isMenu(path, data) {
			problems = validateMenu(path, data, menu.Numbers{From: opts.From, Agent: opts.Agent})
		} else {
			found = callflow.ValidateJSON(data, kindOf(opts.Kind, data))
			for _, pr := range found {
				problems = append(problems, path+": "+pr.String())
			}
		}
		if online != nil {
			more, err := online.problems(path, data, found)
			if err != nil {
				return err
			}
			problems = append(problems, more...)
		}
		if len(problems) == 0 {
			fmt.Fprintf(opts.IO.Out, "%s %s\n", p.Green("ok"), path)
			continue
		}
		worst = max(worst, cmdutil.ExitFailed)
		for _, pr := range problems {
			fmt.Fprintf(opts.IO.Out, "%s %s\n", p.Red("invalid"), pr)
		}
	}
	if worst != cmdutil.ExitOK {
		return &cmdutil.SilentError{Code: worst}
	}
	return nil
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
