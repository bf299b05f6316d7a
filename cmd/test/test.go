// Package testcmd implements `ivrctl test`: scenario files describe whole
// calls (who answers, what the caller presses at each prompt, what must be
// heard and how the session ends), and each is played through the 8x8
// emulator against the menu in-process or against any webhook URL, with a
// pass/fail line per scenario, a summary, and JUnit XML for CI.
package testcmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"regexp"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/scenario"
)

// Output formats.
const (
	OutputText = "text"
	OutputJSON = "json"
)

// TestOptions are the flags and inputs of `ivrctl test`.
type TestOptions struct {
	IO       *cmdutil.IOStreams
	ReadFile func(string) ([]byte, error)
	// WriteFile writes the JUnit report; tests may swap it.
	WriteFile func(name string, data []byte) error

	Paths    []string
	Webhook  string
	JUnit    string
	Output   string
	Parallel int
	Timeout  time.Duration
	Run      string
}

// NewCmdTest builds the command; runF replaces the run function in tests.
func NewCmdTest(f *cmdutil.Factory, runF func(*TestOptions) error) *cobra.Command {
	opts := &TestOptions{IO: f.IO, ReadFile: f.ReadFile, WriteFile: writeFile}
	cmd := &cobra.Command{
		Use:   "test [flags] SCENARIO...",
		Short: "Play scenario calls through the 8x8 emulator and check them",
		Long: `Play the calls written in scenario files through ivrctl's 8x8 platform
emulator and check each against its expectations: the prompts heard, in order,
the number connected, the session's final status and the number of webhook
calls.

SCENARIO is a scenario file (YAML; several scenarios per file as documents
separated by ---) or a directory: every *.yaml and *.yml under it, recursively.
See the README's "Test your IVR in CI" for the format.

Without --webhook, each scenario's menu (call.menu, default the embedded
simple IVR) answers in-process, and scenarios run in parallel, one per CPU.
With --webhook URL, every VCA event is posted to that URL instead: a running
'ivrctl serve', or your own backend. The menu still gives the first prompt,
which 8x8 plays from the Send Callflow request (call.request replaces it).

Prints one line per scenario, in input order, with what was expected and
what was heard for each failure, then 'N passed, N failed'. --junit writes a
JUnit XML report for CI; -o json prints one JSON object per scenario.

Exit codes:
  0  every scenario passed
  1  a scenario failed
  2  bad usage, or a scenario file that cannot be read or is invalid
     (file:line: field: message; nothing is run)`,
		Example: `  $ ivrctl test testdata/scenarios
  $ ivrctl test --junit report.xml testdata/scenarios
  $ ivrctl serve --port 8080 --menu menu.yaml &
  $ ivrctl test --webhook http://127.0.0.1:8080/webhooks/vca scenarios/`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			if opts.Output != OutputText && opts.Output != OutputJSON {
				return cmdutil.Usagef("--output %q: use text or json", opts.Output)
			}
			if opts.Webhook != "" {
				if err := scenario.CheckWebhookURL(opts.Webhook); err != nil {
					return cmdutil.Usagef("--webhook %w", err)
				}
			}
			if opts.Parallel < 0 {
				return cmdutil.Usagef("--parallel %d: use 1 or more (0: one per CPU)", opts.Parallel)
			}
			if opts.Timeout < 0 {
				return cmdutil.Usagef("--timeout %s: must not be negative", opts.Timeout)
			}
			if opts.Run != "" {
				if _, err := regexp.Compile(opts.Run); err != nil {
					return cmdutil.Usagef("--run %q: %w", opts.Run, err)
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Webhook, "webhook", "", "post every VCA event to `URL` (a running serve or your backend) instead of answering with the menu in-process")
	fl.StringVar(&opts.JUnit, "junit", "", "write a JUnit XML report to `FILE`")
	fl.StringVarP(&opts.Output, cmdutil.FlagOutput, "o", OutputText, "output format: text or json")
	fl.IntVar(&opts.Parallel, "parallel", 0, "`N` calls in flight at once (default: one per CPU; four per CPU with webhooks)")
	fl.DurationVar(&opts.Timeout, "timeout", 5*time.Second, "time limit of each webhook round trip")
	fl.StringVar(&opts.Run, "run", "", "only the scenarios whose name matches `REGEX`")
	_ = cmd.MarkFlagFilename("junit", "xml")
	cmdutil.CompleteFileArgs(cmd, "yaml", "yml")
	return cmd
}

func writeFile(name string, data []byte) error { return os.WriteFile(name, data, 0o644) }

func run(ctx context.Context, opts *TestOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	// Ctrl-C ends the calls in flight (their webhooks are cut off) and
	// still reports what ran.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	scenarios, err := scenario.Load(opts.Paths, opts.ReadFile)
	if err != nil {
		if opts.JUnit != "" {
			// CI reads the report even when nothing ran: say why there.
			var buf bytes.Buffer
			if jerr := scenario.WriteJUnitLoadError(&buf, err); jerr == nil {
				if werr := opts.WriteFile(opts.JUnit, buf.Bytes()); werr != nil {
					err = errors.Join(err, fmt.Errorf("--junit: %w", werr))
				}
			}
		}
		return &cmdutil.ExitError{Code: cmdutil.ExitUsage, Err: err}
	}
	if opts.Run != "" {
		re := regexp.MustCompile(opts.Run) // checked in RunE
		kept := scenarios[:0]
		for _, s := range scenarios {
			if re.MatchString(s.Name) {
				kept = append(kept, s)
			}
		}
		if len(kept) == 0 {
			return cmdutil.Usagef("--run %q matches no scenario name", opts.Run)
		}
		scenarios = kept
	}
	r := newRenderer(opts)
	runner := &scenario.Runner{Webhook: opts.Webhook, Timeout: opts.Timeout, Parallel: opts.Parallel}
	start := time.Now()
	results := runner.Run(ctx, scenarios, r.result)
	total := time.Since(start)
	passed, failed := 0, 0
	for _, res := range results {
		if res.Passed() {
			passed++
		} else {
			failed++
		}
	}
	r.summary(passed, failed)
	if opts.JUnit != "" {
		if err := writeJUnit(opts, results, total); err != nil {
			return err
		}
	}
	if failed > 0 {
		return &cmdutil.SilentError{Code: cmdutil.ExitFailed}
	}
	return nil
}

func writeJUnit(opts *TestOptions, results []*scenario.Result, total time.Duration) error {
	var buf bytes.Buffer
	if err := scenario.WriteJUnit(&buf, results, total); err != nil {
		return fmt.Errorf("--junit: %w", err)
	}
	if err := opts.WriteFile(opts.JUnit, buf.Bytes()); err != nil {
		// The results were printed; the report is what CI would read.
		return &cmdutil.ExitError{Code: cmdutil.ExitUsage, Err: fmt.Errorf("--junit: %w", err)}
	}
	return nil
}
