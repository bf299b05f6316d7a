// Package sessions implements `ivrctl sessions`: the session summaries a
// serve recorded (a JSON Lines file or PostgreSQL), listed and counted.
// The store and its queries are pkg/sessions'; this only renders.
package sessions

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ivrctl/ivrctl/cmd/account"
	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/cmd/webhookopts"
	"github.com/ivrctl/ivrctl/pkg/sessions"
)

// SessionsOptions are the flags of `ivrctl sessions`.
type SessionsOptions struct {
	IO       *cmdutil.IOStreams
	Context  context.Context
	Sessions string // file or URL ("": the default file)
	Status   string
	Since    string
	Output   string
	All      bool
	now      func() time.Time
}

// NewCmdSessions builds the command; runF replaces the run function in
// tests.
func NewCmdSessions(f *cmdutil.Factory, runF func(*SessionsOptions) error) *cobra.Command {
	opts := &SessionsOptions{IO: f.IO, now: time.Now}
	cmd := &cobra.Command{
		Use:   "sessions [flags]",
		Short: "List the session summaries serve recorded, and count them",
		Long: `List the Voice Session Summaries (VSS) that serve recorded, oldest first, and
count them: sessions by status, by last action, and the median duration
(endTime - startTime, over the sessions that carry both).

--sessions names the store as serve does: a JSON Lines file (default
$XDG_STATE_HOME/ivrctl/sessions.jsonl; read without locking, so while serve
writes it) or a postgres:// URL. Each session shows its latest revision (a
summary 8x8 sent again with another body); --all-revisions lists every one.

--status keeps one sessionStatus (COMPLETED, BUSY, NO_ANSWER, FAILED,
CANCELED, ERROR); --since keeps summaries received at or after a time:
RFC 3339 (2026-01-13T08:00:00Z), a date (2026-01-13, UTC) or a duration back
from now (90m, 24h).

-o json prints one JSON object per line, the record as stored: sessionId,
sessionStatus, receivedAt, revision and the event; no table.

Exit codes: 0 listed (also when none matched), 1 the store could not be read
(the database is unreachable), 2 bad usage or no such file.`,
		Example: `  $ ivrctl sessions
  $ ivrctl sessions --status COMPLETED --since 24h
  $ ivrctl sessions --sessions postgres://ivrctl@db.invalid/ivrctl -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Context = cmd.Context()
			if runF != nil {
				return runF(opts)
			}
			return runSessions(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Sessions, webhookopts.KeySessions, "", "session store: a JSON Lines `FILE` (default $XDG_STATE_HOME/ivrctl/sessions.jsonl) or a postgres:// URL")
	fl.StringVar(&opts.Status, "status", "", "only sessions with this sessionStatus (COMPLETED, BUSY, NO_ANSWER, FAILED, CANCELED, ERROR)")
	fl.StringVar(&opts.Since, "since", "", "only summaries received since `T`: RFC 3339, a date, or a duration back from now (24h)")
	fl.BoolVar(&opts.All, "all-revisions", false, "list every revision of a session, not only its latest")
	fl.StringVarP(&opts.Output, "output", "o", "text", "output format: text or json")
	_ = cmd.MarkFlagFilename(webhookopts.KeySessions, "jsonl")
	_ = cmd.RegisterFlagCompletionFunc("status", cobra.FixedCompletions(
		[]string{"COMPLETED", "BUSY", "NO_ANSWER", "FAILED", "CANCELED", "ERROR"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"text", "json"}, cobra.ShellCompDirectiveNoFileComp))
	cmdutil.CompleteNoArgs(cmd)
	cmdutil.CompleteFlagValues(cmd, nil, "since")
	return cmd
}

// parseSince reads --since.
func parseSince(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("--since %q: want RFC 3339 (2026-01-13T08:00:00Z), a date (2026-01-13) or a duration (24h)", s)
}

func runSessions(opts *SessionsOptions) error {
	if opts.Output != "text" && opts.Output != "json" {
		return cmdutil.Usagef("--output %q: use text or json", opts.Output)
	}
	since, err := parseSince(opts.Since, opts.now())
	if err != nil {
		return cmdutil.Usagef("%w", err)
	}
	loc := opts.Sessions
	if loc == "" {
		if loc, err = sessions.DefaultPath(); err != nil {
			return cmdutil.Usagef("%w: set --sessions", err)
		}
	}
	ctx := opts.Context
	if ctx == nil {
		ctx = context.Background()
	}
	rd, err := sessions.OpenReader(ctx, loc)
	if err != nil {
		if sessions.IsURL(loc) {
			return &cmdutil.ExitError{Code: cmdutil.ExitFailed, Err: err}
		}
		return cmdutil.Usagef("%w", err)
	}
	defer rd.Close()
	recs, err := rd.Query(ctx, sessions.Query{Status: opts.Status, Since: since, AllRevisions: opts.All})
	if err != nil {
		return &cmdutil.ExitError{Code: cmdutil.ExitFailed, Err: err}
	}
	if opts.Output == "json" {
		enc := json.NewEncoder(opts.IO.Out)
		for i := range recs {
			if err := enc.Encode(&recs[i]); err != nil {
				return err
			}
		}
		return nil
	}
	return renderText(opts.IO.Out, recs, opts.All)
}

func renderText(w io.Writer, recs []sessions.Record, all bool) error {
	if len(recs) == 0 {
		_, err := fmt.Fprintln(w, "no sessions")
		return err
	}
	header := []string{"RECEIVED", "SESSION", "STATUS", "LAST ACTION", "DURATION"}
	if all {
		header = append(header, "REVISION")
	}
	rows := make([][]string, len(recs))
	for i := range recs {
		r := &recs[i]
		last, d, ok := r.Fields()
		dur := "-"
		if ok {
			dur = d.String()
		}
		rows[i] = []string{r.ReceivedAt.UTC().Format(time.RFC3339), cmdutil.TerminalSafe(r.SessionID, false),
			cmdutil.TerminalSafe(r.SessionStatus, false), cmdutil.TerminalSafe(last, false), dur}
		if all {
			rows[i] = append(rows[i], strconv.Itoa(r.Revision))
		}
	}
	if err := account.Table(w, header, rows); err != nil {
		return err
	}
	s := sessions.Summarize(recs)
	fmt.Fprintf(w, "\n%d session(s)", s.Sessions)
	if all {
		fmt.Fprint(w, " (revisions)")
	}
	if s.Timed > 0 {
		fmt.Fprintf(w, "; median duration %s over %d with start and end", s.MedianDuration, s.Timed)
	}
	fmt.Fprint(w, "\n\n")
	if err := account.Table(w, []string{"STATUS", "SESSIONS"}, counts(s.ByStatus)); err != nil {
		return err
	}
	fmt.Fprintln(w)
	return account.Table(w, []string{"LAST ACTION", "SESSIONS"}, counts(s.ByLastAction))
}

// counts are rows of a count table, most first, then by name.
func counts(m map[string]int) [][]string {
	keys := slices.Collect(maps.Keys(m))
	slices.SortFunc(keys, func(a, b string) int {
		if m[a] != m[b] {
			return m[b] - m[a]
		}
		return strings.Compare(a, b)
	})
	rows := make([][]string, len(keys))
	for i, k := range keys {
		rows[i] = []string{cmdutil.TerminalSafe(k, false), strconv.Itoa(m[k])}
	}
	return rows
}
