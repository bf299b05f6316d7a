package campaign

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ivrctl/ivrctl/pkg/menu"
)

// OutcomeLabels names what every option of m does, keyed "menu:digits"
// ("main:1": "hangup", "main:2": "connect agent", "main:other": "retry"):
// the journal's header keeps them for the report's totals.
func OutcomeLabels(m *menu.Menu) map[string]string {
	out := map[string]string{}
	for _, n := range m.Menus {
		opts := append([]*menu.Option(nil), n.Options...)
		if n.Other != nil {
			opts = append(opts, n.Other)
		}
		if n.NoInput != nil {
			opts = append(opts, n.NoInput)
		}
		for _, o := range opts {
			out[n.ID+":"+o.Digits] = describe(o.Steps)
		}
	}
	return out
}

func describe(steps []menu.Step) string {
	parts := make([]string, 0, len(steps))
	for _, s := range steps {
		switch s.Kind {
		case menu.StepOpen, menu.StepConnect:
			parts = append(parts, string(s.Kind)+" "+s.Arg)
		default:
			parts = append(parts, string(s.Kind))
		}
	}
	return strings.Join(parts, "+")
}

// NumberReport is one number of a report: one JSON object per number.
type NumberReport struct {
	Number string `json:"number"`
	Line   int    `json:"line,omitempty"`
	Status Status `json:"status"`
	// Path is the menus the caller answered in the last attempt that
	// reached one: "main:3", "main:1".
	Path []string `json:"path"`
	// Outcome is the path's last step with what it did: "main:1 hangup".
	Outcome         string    `json:"outcome,omitempty"`
	SessionID       string    `json:"sessionId,omitempty"`
	ClientRequestID string    `json:"clientRequestId,omitempty"`
	Attempts        []Attempt `json:"attempts"`
	// Fields are the list's other columns, by the CSV header's names
	// when it had one ("2", "3", ... otherwise).
	Fields map[string]string `json:"fields,omitempty"`
	// LookFor says, for an unknown outcome, what to search 8x8's session
	// summaries for before calling again.
	LookFor string `json:"lookFor,omitempty"`
	Error   string `json:"error,omitempty"`
}

// Count is one total.
type Count struct {
	Key   string `json:"key"`
	Label string `json:"label,omitempty"`
	Count int    `json:"count"`
}

// Report is a campaign's result, from its journal alone.
type Report struct {
	Campaign string         `json:"campaign"`
	List     string         `json:"list"`
	Menu     string         `json:"menu"`
	Numbers  []NumberReport `json:"numbers"`
	Bad      []BadLine      `json:"bad,omitempty"`
	ByStatus []Count        `json:"byStatus"`
	// ByOutcome counts the numbers by their path's last step
	// ("main:1"); completed calls that answered no menu are "none".
	ByOutcome []Count  `json:"byOutcome"`
	Attempts  int      `json:"attempts"` // placed, in all
	Columns   []string `json:"columns,omitempty"`
	Skipped   int      `json:"skippedLines,omitempty"` // journal lines that were not records
}

// statusOrder is the order totals are shown in.
var statusOrder = []Status{StatusCompleted, StatusBusy, StatusNoAnswer, StatusFailed, StatusCanceled, StatusError,
	StatusNotCreated, StatusUnknown, StatusInFlight, StatusRetry, StatusPending, StatusBad}

// MakeReport reports the state.
func MakeReport(st *State) *Report {
	h := st.Header
	r := &Report{Campaign: h.Campaign, List: h.List, Menu: h.Menu, Bad: st.Bad, Columns: h.Columns, Skipped: st.Skipped}
	byStatus := map[Status]int{}
	byOutcome := map[string]int{}
	for _, n := range st.Numbers {
		nr := NumberReport{Number: n.Number, Line: n.Line, Status: n.Status(), Path: []string{}, Attempts: []Attempt{}}
		for _, a := range n.Attempts {
			if a.Status == StatusPending {
				continue // never left ivrctl
			}
			nr.Attempts = append(nr.Attempts, *a)
			r.Attempts++
		}
		if nr.Status == StatusInFlight {
			// A report of a stopped campaign: placed, no summary yet.
			nr.LookFor = lookFor(n.Last())
		}
		if last := n.Last(); last != nil {
			nr.SessionID, nr.ClientRequestID, nr.Error = last.SessionID, last.ClientRequestID, last.Error
			if nr.Status == StatusUnknown {
				nr.LookFor = lookFor(last)
			}
			if nr.Status == StatusPending {
				nr.SessionID, nr.ClientRequestID = "", ""
			}
		}
		// The path of the last attempt that answered a menu.
		for i := len(n.Attempts) - 1; i >= 0; i-- {
			if steps := n.Attempts[i].Steps; len(steps) > 0 {
				for _, s := range steps {
					nr.Path = append(nr.Path, s.String())
				}
				last := steps[len(steps)-1]
				key := last.Menu + ":" + last.Matched
				nr.Outcome = strings.TrimSpace(last.String() + " " + h.Outcomes[key])
				if nr.Status == StatusCompleted {
					byOutcome[key]++
				}
				break
			}
		}
		if nr.Status == StatusCompleted && nr.Outcome == "" {
			byOutcome["none"]++
		}
		if len(n.Fields) > 0 {
			nr.Fields = map[string]string{}
			for i, f := range n.Fields {
				name := fmt.Sprint(i + 2)
				if i+1 < len(h.Columns) && h.Columns[i+1] != "" {
					name = h.Columns[i+1]
				}
				nr.Fields[name] = f
			}
		}
		byStatus[nr.Status]++
		r.Numbers = append(r.Numbers, nr)
	}
	if len(st.Bad) > 0 {
		byStatus[StatusBad] = len(st.Bad)
	}
	for _, s := range statusOrder {
		if c := byStatus[s]; c > 0 {
			r.ByStatus = append(r.ByStatus, Count{Key: string(s), Count: c})
		}
	}
	for k, c := range byOutcome {
		r.ByOutcome = append(r.ByOutcome, Count{Key: k, Label: h.Outcomes[k], Count: c})
	}
	slices.SortFunc(r.ByOutcome, func(a, b Count) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Key, b.Key)
	})
	if r.ByOutcome == nil {
		r.ByOutcome = []Count{}
	}
	return r
}

// lookFor says what identifies an attempt in 8x8's session summaries.
func lookFor(a *Attempt) string {
	if a == nil {
		return ""
	}
	if a.SessionID != "" {
		return fmt.Sprintf("sessionId %s (clientRequestId %s)", a.SessionID, a.ClientRequestID)
	}
	return "clientRequestId " + a.ClientRequestID
}
