package testcmd

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/emulator"
	"github.com/ivrctl/ivrctl/pkg/scenario"
)

// renderer prints results as they come, in input order: for people (one
// line per scenario, the report of each failure under it, coloured on a
// terminal) or for machines (-o json: one object per scenario, the summary
// on stderr so stdout stays parseable).
type renderer struct {
	out, errOut io.Writer
	json        bool
	p, ep       cmdutil.Palette
}

func newRenderer(opts *TestOptions) *renderer {
	return &renderer{
		out: opts.IO.Out, errOut: opts.IO.ErrOut,
		json: opts.Output == cmdutil.OutputJSON,
		p:    opts.IO.OutPalette(), ep: opts.IO.ErrPalette(),
	}
}

func (r *renderer) result(res *scenario.Result) {
	if r.json {
		r.jsonResult(res)
		return
	}
	s := res.Scenario
	verdict := r.p.Green("PASS")
	if !res.Passed() {
		verdict = r.p.Red("FAIL")
	}
	fmt.Fprintf(r.out, "%s  %s  %s\n", verdict, r.p.Bold(s.Name), r.p.Gray(s.ID()))
	if tr := res.Transcript; tr != nil && res.Passed() {
		// The faults played: a passing call says what it survived (a
		// failing one lists them in its report's notes).
		for _, n := range tr.Notes {
			if strings.HasPrefix(n, "fault ") {
				fmt.Fprintf(r.out, "      %s\n", r.p.Gray(n))
			}
		}
	}
	res.WriteReport(r.out, "      ", scenario.Style{
		Red: r.p.Red, Green: r.p.Green, Gray: r.p.Gray, Bold: r.p.Bold,
	})
}

// jsonResult is one scenario as a JSON object on one line.
type jsonResult struct {
	Name       string               `json:"name"`
	File       string               `json:"file"`
	Line       int                  `json:"line"`
	Passed     bool                 `json:"passed"`
	Seconds    float64              `json:"seconds"`
	Webhook    string               `json:"webhook,omitempty"`
	Error      string               `json:"error,omitempty"`
	Failures   []scenario.Failure   `json:"failures,omitempty"`
	Transcript *emulator.Transcript `json:"transcript,omitempty"`
}

func (r *renderer) jsonResult(res *scenario.Result) {
	s := res.Scenario
	j := jsonResult{
		Name: s.Name, File: s.File, Line: s.Line, Passed: res.Passed(),
		Seconds: res.Duration.Seconds(), Webhook: res.Webhook,
		Failures: res.Failures, Transcript: res.Transcript,
	}
	if res.Err != nil {
		j.Error = res.Err.Error()
	}
	data, err := json.Marshal(j)
	if err != nil { // cannot happen: plain data
		fmt.Fprintf(r.errOut, "ivrctl: %s: %v\n", s.ID(), err)
		return
	}
	fmt.Fprintf(r.out, "%s\n", data)
}

func (r *renderer) summary(passed, failed int) {
	w, p := r.out, r.p
	if r.json {
		w, p = r.errOut, r.ep
	}
	line := fmt.Sprintf("%d passed, %d failed", passed, failed)
	if failed > 0 {
		line = p.Red(line)
	} else {
		line = p.Green(line)
	}
	fmt.Fprintln(w, line)
}
