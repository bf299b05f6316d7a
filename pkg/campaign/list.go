package campaign

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/ivrctl/ivrctl/pkg/callflow"
	"github.com/ivrctl/ivrctl/pkg/inputfile"
)

// MaxListBytes bounds a numbers list: 10 million numbers of a CSV with a
// few columns fit; a larger file is a mistake (or a log), not a list.
const MaxListBytes = inputfile.MaxList

// Entry is one number of the list, with the other columns of its line.
type Entry struct {
	Number string   `json:"number"`
	Line   int      `json:"line"`
	Fields []string `json:"fields,omitempty"` // the CSV columns after the number
}

// BadLine is a line of the list that holds no phone number: reported with
// its line, skipped, never retried.
type BadLine struct {
	Line  int    `json:"line"`
	Text  string `json:"text"`
	Error string `json:"error"`
}

// List is a parsed numbers list.
type List struct {
	Name    string
	Entries []Entry
	Bad     []BadLine
	// Columns are the CSV header's names (the number's first), when the
	// first line is a header; nil otherwise.
	Columns []string
	// Duplicates are lines whose number was listed before: called once.
	Duplicates []BadLine
}

// Hash identifies the list's content: the numbers, in order, with their
// fields. A journal stores it so that a journal from another list is
// refused; comments, blank lines and spacing do not change it.
func (l *List) Hash() string {
	h := sha256.New()
	for _, e := range l.Entries {
		h.Write([]byte(e.Number))
		for _, f := range e.Fields {
			h.Write([]byte{0x1f})
			h.Write([]byte(f))
		}
		h.Write([]byte{'\n'})
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// HashBytes is the journal's hash of a file's content (the menu's).
func HashBytes(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}

// ParseList reads a numbers list: one number a line, or a CSV (comma or
// semicolon) whose first column is the number and whose other columns are
// kept for the report. Blank lines and # comments are skipped; a first line
// without a digit in its first column is the CSV header. A line whose first
// column is not a phone number is a BadLine; a number listed twice is
// called once (+6512345678 and 6512345678 ring the same phone).
func ParseList(name string, r io.Reader) (*List, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxListBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(data) > MaxListBytes {
		return nil, fmt.Errorf("%s: over %d MiB: not a numbers list", name, MaxListBytes>>20)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a spreadsheet's BOM
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.TrimLeadingSpace = true
	if first := data[:bytes.IndexByte(append(data, '\n'), '\n')]; bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		cr.Comma = ';'
	}
	l := &List{Name: name}
	seen := map[string]int{}
	records := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		field := strings.TrimSpace(rec[0])
		if field == "" && len(rec) == 1 {
			continue
		}
		records++
		num := callflow.NormalizeNumber(field)
		if !callflow.IsPhoneNumber(num) {
			if records == 1 && !strings.ContainsAny(field, "0123456789") {
				l.Columns = trimAll(rec) // a header: "number,name,plan"
				continue
			}
			l.Bad = append(l.Bad, BadLine{Line: line, Text: field,
				Error: "not a phone number: use E.164, e.g. +6512345678"})
			continue
		}
		key := callflow.NumberKey(num) // +6512345678 and 6512345678 ring the same phone
		if first, dup := seen[key]; dup {
			l.Duplicates = append(l.Duplicates, BadLine{Line: line, Text: field,
				Error: fmt.Sprintf("already listed on line %d: called once", first)})
			continue
		}
		seen[key] = line
		e := Entry{Number: num, Line: line}
		if len(rec) > 1 {
			e.Fields = trimAll(rec[1:])
		}
		l.Entries = append(l.Entries, e)
	}
	return l, nil
}

func trimAll(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = strings.TrimSpace(s)
	}
	return out
}
