package testcmd

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/coverage"
	"github.com/ivrctl/ivrctl/pkg/scenario"
)

// covering reports whether the run counts coverage: --cover, or a flag
// that needs it.
func (o *TestOptions) covering() bool {
	return o.Cover || o.CoverProfile != "" || o.coverMinSet
}

// checkCover checks the coverage flags before anything runs.
func (o *TestOptions) checkCover() error {
	if o.coverMinSet && (o.CoverMin < 0 || o.CoverMin > 100) {
		return cmdutil.Usagef("--cover-min %g: a percentage, 0 to 100", o.CoverMin)
	}
	if o.Menu != "" && o.Request != "" {
		return cmdutil.Usagef("--menu and --request both say what answers scenarios naming neither: use one (--menu for an ivrctl menu, --request for a backend of your own)")
	}
	return nil
}

// reportCoverage prints, per menu file, the paths never played and the
// coverage line, writes --coverprofile, and applies --cover-min. Its error
// is nil when all is well.
func reportCoverage(opts *TestOptions, results []*scenario.Result) error {
	if !opts.covering() {
		return nil
	}
	w, p := opts.IO.Out, opts.IO.OutPalette()
	if opts.Output == cmdutil.OutputJSON {
		w, p = opts.IO.ErrOut, opts.IO.ErrPalette()
	}
	menus, others := scenario.Coverage(results)
	if len(menus) == 0 {
		return &cmdutil.ExitError{Code: cmdutil.ExitUsage,
			Err:  errors.New("coverage cannot be computed: no scenario plays a menu file (they name a call.request, or a call.webhook without call.menu: a backend ivrctl does not know)"),
			Hint: "give the menu the backend serves with --menu FILE (or call.menu in each scenario)"}
	}
	if len(others) > 0 {
		fmt.Fprintf(w, "%s\n", p.Yellow(fmt.Sprintf("coverage: %d of %d scenarios play no menu file (call.request, or call.webhook without call.menu) and are not counted", len(others), len(results))))
	}
	var errs []error
	for _, mc := range menus {
		name := mc.File
		if name == "" {
			name = "the embedded simple IVR"
		}
		if mc.Err != nil {
			errs = append(errs, &cmdutil.ExitError{Code: cmdutil.ExitUsage, Err: fmt.Errorf("%s: %w", name, mc.Err)})
			continue
		}
		for _, msg := range mc.Counter.Problems() {
			fmt.Fprintf(w, "%s\n", p.Yellow("coverage: "+msg))
		}
		prof := mc.Counter.Profile()
		writeCoverage(w, p, prof, name, len(menus) > 1)
		if opts.coverMinSet {
			if err := coverage.Gate(prof, opts.CoverMin); err != nil {
				errs = append(errs, &cmdutil.ExitError{Code: cmdutil.ExitFailed, Err: fmt.Errorf("%s: %w", name, err)})
			}
		}
	}
	if opts.CoverProfile != "" {
		if len(menus) > 1 {
			files := make([]string, len(menus))
			for i, mc := range menus {
				files[i] = mc.File
				if files[i] == "" {
					files[i] = "(embedded simple IVR)"
				}
			}
			errs = append(errs, cmdutil.Usagef("--coverprofile: the scenarios play %d menu files (%s): a profile is of one menu, so run each menu's scenarios with its own --coverprofile",
				len(menus), strings.Join(files, ", ")))
		} else if menus[0].Err == nil {
			if err := opts.WriteFile(opts.CoverProfile, menus[0].Counter.Profile().Marshal()); err != nil {
				errs = append(errs, &cmdutil.ExitError{Code: cmdutil.ExitUsage, Err: fmt.Errorf("--coverprofile: %w", err)})
			}
		}
	}
	return firstWorst(errs)
}

// writeCoverage lists the paths never played, then the coverage line.
func writeCoverage(w io.Writer, p cmdutil.Palette, prof *coverage.Profile, name string, named bool) {
	for _, m := range prof.Missing() {
		fmt.Fprintf(w, "  %s\n", p.Red(coverage.NeverPlayed(m)))
	}
	line := prof.Summary()
	if named {
		line += " in " + name
	}
	if prof.Covered == prof.Total {
		line = p.Green(line)
	}
	fmt.Fprintln(w, line)
}

// firstWorst joins the errors, the exit code the highest of theirs.
func firstWorst(errs []error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	code := cmdutil.ExitFailed
	for _, err := range errs {
		var ee *cmdutil.ExitError
		if errors.As(err, &ee) && ee.Code > code {
			code = ee.Code
		}
	}
	return &cmdutil.ExitError{Code: code, Err: errors.Join(errs...)}
}
