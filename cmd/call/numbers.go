package call

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/inputfile"
)

// maxWarnings bounds the input warnings printed; the rest are counted.
const maxWarnings = 20

type target struct {
	number string
	where  string
}

// collectNumbers reads --to and --to-file in order. A bad --to is a usage
// error (exit 2); a bad line of a file is reported and skipped, as one
// typo should not hold back a thousand calls. A number listed twice is
// called once.
func collectNumbers(opts *CallOptions) ([]target, []string, error) {
	var targets []target
	var warnings []string
	seen := map[string]string{}
	var bad []error
	add := func(num, where string) {
		key := callflow.NumberKey(num)
		if first, dup := seen[key]; dup {
			warnings = append(warnings, fmt.Sprintf("%s: %s already listed (%s): called once", where, num, first))
			return
		}
		seen[key] = where
		targets = append(targets, target{number: num, where: where})
	}
	for _, raw := range opts.To {
		num := callflow.NormalizeNumber(raw)
		if !callflow.IsPhoneNumber(num) {
			bad = append(bad, fmt.Errorf("--to %q is not a phone number: use E.164, e.g. +6512345678", raw))
			continue
		}
		add(num, "--to")
	}
	if len(bad) > 0 {
		return nil, nil, &cmdutil.ExitError{Code: cmdutil.ExitUsage, Err: errors.Join(bad...)}
	}

	if opts.ToFile != "" {
		data, name, err := readInput(opts)
		if err != nil {
			return nil, nil, err
		}
		records := 0
		err = readNumbers(data, func(line int, field string) {
			records++
			num := callflow.NormalizeNumber(field)
			where := fmt.Sprintf("%s:%d", name, line)
			switch {
			case callflow.IsPhoneNumber(num):
				add(num, where)
			case records == 1 && !strings.ContainsAny(field, "0123456789"):
				// a CSV header ("number,name"): not a number, not a mistake
			default:
				warnings = append(warnings, fmt.Sprintf("%s: %q is not a phone number: skipped", where, field))
			}
		})
		if err != nil {
			return nil, nil, cmdutil.Usagef("--to-file %s: %w", name, err)
		}
	}
	if len(opts.To) == 0 && opts.ToFile == "" {
		return nil, nil, cmdutil.Usagef("no number to call: use --to NUMBER or --to-file FILE")
	}
	if len(targets) == 0 {
		return nil, warnings, cmdutil.Usagef("--to-file %s: no phone number in it", opts.ToFile)
	}
	if len(warnings) > maxWarnings {
		n := len(warnings) - maxWarnings
		warnings = append(warnings[:maxWarnings], fmt.Sprintf("... and %d more input warnings", n))
	}
	return targets, warnings, nil
}

func readInput(opts *CallOptions) ([]byte, string, error) {
	if opts.ToFile == "-" {
		data, err := inputfile.ReadAll(opts.IO.In, "stdin", inputfile.MaxList)
		if err != nil {
			return nil, "stdin", cmdutil.Usagef("--to-file -: %w", err)
		}
		return data, "stdin", nil
	}
	data, err := inputfile.Read(opts.ToFile, inputfile.MaxList)
	if err != nil {
		return nil, opts.ToFile, cmdutil.Usagef("--to-file: %w", err)
	}
	return data, opts.ToFile, nil
}

// readNumbers calls fn with the first field of every record: one number a
// line, or a CSV (comma or semicolon). Blank lines and # comments are
// skipped; quoting follows RFC 4180, loosely.
func readNumbers(data []byte, fn func(line int, field string)) error {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a spreadsheet's BOM
	r := csv.NewReader(bytes.NewReader(data))
	r.Comment = '#'
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.TrimLeadingSpace = true
	r.ReuseRecord = true
	if firstLine := data[:bytes.IndexByte(append(data, '\n'), '\n')]; bytes.Count(firstLine, []byte(";")) > bytes.Count(firstLine, []byte(",")) {
		r.Comma = ';'
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		line, _ := r.FieldPos(0)
		field := strings.TrimSpace(rec[0])
		if field == "" || strings.HasPrefix(field, "#") {
			continue
		}
		fn(line, field)
	}
}
