package coverage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/ivrctl/ivrctl/pkg/inputfile"
	"github.com/ivrctl/ivrctl/pkg/menu"
)

// MaxProfileBytes bounds a profile read: a menu of a thousand menus with
// ten answers each is well under it.
const MaxProfileBytes = inputfile.MaxCoverage

// Profile is a coverage profile: the JSON --coverprofile writes.
type Profile struct {
	File    string     `json:"file,omitempty"` // the menu file, as given (informative)
	Covered int        `json:"covered"`
	Total   int        `json:"total"`
	Paths   []PathHits `json:"paths"`
}

// PathHits is one path and how many times it was played.
type PathHits struct {
	Menu  string        `json:"menu"`
	Input string        `json:"input"`
	Kind  menu.EdgeKind `json:"kind"`
	Hits  int           `json:"hits"`
}

// Path is the path counted.
func (h PathHits) Path() menu.Path { return menu.Path{Menu: h.Menu, Input: h.Input, Kind: h.Kind} }

func (p *Profile) count() {
	p.Covered, p.Total = 0, len(p.Paths)
	for _, h := range p.Paths {
		if h.Hits > 0 {
			p.Covered++
		}
	}
}

// Percent is the share of paths covered, 100 for a menu without paths.
func (p *Profile) Percent() float64 {
	if p.Total == 0 {
		return 100
	}
	return 100 * float64(p.Covered) / float64(p.Total)
}

// Missing returns the paths never played, in profile order.
func (p *Profile) Missing() []menu.Path {
	var out []menu.Path
	for _, h := range p.Paths {
		if h.Hits == 0 {
			out = append(out, h.Path())
		}
	}
	return out
}

// Hits returns how many times a path was played.
func (p *Profile) Hits(path menu.Path) int {
	for _, h := range p.Paths {
		if h.Path() == path {
			return h.Hits
		}
	}
	return 0
}

// Summary is the line ending a covered run: "coverage: C of T menu paths (P%)".
func (p *Profile) Summary() string {
	return fmt.Sprintf("coverage: %d of %d menu paths (%s)", p.Covered, p.Total, FormatPercent(p.Percent()))
}

// FormatPercent writes a percentage as the summary does: one decimal,
// never rounded up to 100.
func FormatPercent(pct float64) string {
	s := fmt.Sprintf("%.1f%%", pct)
	if s == "100.0%" && pct < 100 {
		s = "99.9%"
	}
	return s
}

// NeverPlayed is how an uncovered path is listed.
func NeverPlayed(p menu.Path) string { return p.String() + " never played" }

// Marshal is the profile as written to a file: indented JSON.
func (p *Profile) Marshal() []byte {
	data, _ := json.MarshalIndent(p, "", "  ") // plain data: cannot fail
	return append(data, '\n')
}

// Read reads a profile, at most MaxProfileBytes of it. name is for errors.
func Read(name string, r io.Reader) (*Profile, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxProfileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(data) > MaxProfileBytes {
		return nil, fmt.Errorf("%s: larger than %d MiB: not a coverage profile", name, MaxProfileBytes>>20)
	}
	return Parse(name, data)
}

// Parse decodes a profile and checks it is one: known fields, known kinds,
// no path twice, no negative hits. Covered and total are recomputed.
func Parse(name string, data []byte) (*Profile, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var p Profile
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%s: not a coverage profile: %w", name, err)
	}
	if p.Paths == nil {
		return nil, fmt.Errorf("%s: not a coverage profile: no paths", name)
	}
	seen := make(map[menu.Path]bool, len(p.Paths))
	for i, h := range p.Paths {
		switch {
		case h.Menu == "" || h.Input == "" || !knownKind(h.Kind):
			return nil, fmt.Errorf("%s: paths[%d]: needs a menu, an input and a kind (option, other, noInput, answered, busy, noAnswer, failed)", name, i)
		case h.Hits < 0:
			return nil, fmt.Errorf("%s: paths[%d]: hits %d is negative", name, i, h.Hits)
		case seen[h.Path()]:
			return nil, fmt.Errorf("%s: paths[%d]: %s listed twice", name, i, h.Path())
		}
		seen[h.Path()] = true
	}
	p.count()
	return &p, nil
}

func knownKind(k menu.EdgeKind) bool {
	switch k {
	case menu.EdgeOption, menu.EdgeOther, menu.EdgeNoInput:
		return true
	}
	return slices.Contains(menu.Outcomes, k)
}

// UnknownPathError refuses a profile of another menu: it counts a path the
// menu does not have.
type UnknownPathError struct {
	Profile string
	File    string
	Path    menu.Path
}

func (e *UnknownPathError) Error() string {
	return fmt.Sprintf("%s: %s is not a path of %s: a profile of another menu (or an older version of it)?", e.Profile, e.Path, e.File)
}

// For returns the profile laid over g: every path of g, in g's order,
// with the profile's hits (0 where it has none: a path added since). A
// path of the profile that g does not have is an *UnknownPathError
// naming the first.
func (p *Profile) For(name string, g *menu.Graph) (*Profile, error) {
	for _, h := range p.Paths {
		if _, ok := g.Edge(h.Path()); !ok {
			return nil, &UnknownPathError{Profile: name, File: g.Menu.File, Path: h.Path()}
		}
	}
	out := &Profile{File: g.Menu.File}
	for _, path := range g.Paths() {
		out.Paths = append(out.Paths, PathHits{Menu: path.Menu, Input: path.Input, Kind: path.Kind, Hits: p.Hits(path)})
	}
	out.count()
	return out, nil
}

// Merge adds profiles of the same menu: hits are summed path by path.
// Every profile must list the same paths as the first (as profiles of one
// menu do); the first path one lists and the first does not is an
// *UnknownPathError. names are for errors.
func Merge(names []string, profiles []*Profile) (*Profile, error) {
	if len(profiles) == 0 {
		return nil, errors.New("no profiles to merge")
	}
	first := profiles[0]
	out := &Profile{File: first.File}
	index := map[menu.Path]int{}
	for _, h := range first.Paths {
		index[h.Path()] = len(out.Paths)
		out.Paths = append(out.Paths, h)
	}
	for i, p := range profiles[1:] {
		for _, h := range p.Paths {
			j, ok := index[h.Path()]
			if !ok {
				return nil, &UnknownPathError{Profile: names[i+1], File: describeFile(names[0], first.File), Path: h.Path()}
			}
			out.Paths[j].Hits += h.Hits
		}
		if len(p.Paths) != len(first.Paths) {
			// Fewer paths (no path is listed twice): one of the first's
			// is missing.
			listed := make(map[menu.Path]bool, len(p.Paths))
			for _, h := range p.Paths {
				listed[h.Path()] = true
			}
			for _, h := range first.Paths {
				if !listed[h.Path()] {
					return nil, fmt.Errorf("%s: %s of %s is missing: a profile of another menu (or an older version of it)?", names[i+1], h.Path(), describeFile(names[0], first.File))
				}
			}
		}
	}
	out.count()
	return out, nil
}

func describeFile(name, file string) string {
	if file == "" {
		return name
	}
	return fmt.Sprintf("%s (the menu of %s)", file, name)
}

// GateError is a run below --cover-min: it names what is missing.
type GateError struct {
	Min     float64
	Profile *Profile
}

func (e *GateError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "coverage %s is below --cover-min %s", FormatPercent(e.Profile.Percent()), strings.TrimSuffix(strings.TrimSuffix(fmt.Sprintf("%.1f", e.Min), "0"), ".")+"%")
	missing := e.Profile.Missing()
	b.WriteString(": ")
	for i, p := range missing {
		if i > 0 {
			b.WriteString("; ")
		}
		if i == 5 && len(missing) > 6 {
			fmt.Fprintf(&b, "and %d more", len(missing)-5)
			break
		}
		b.WriteString(NeverPlayed(p))
	}
	return b.String()
}

// Gate returns a *GateError when the profile covers less than min percent.
func Gate(p *Profile, min float64) error {
	if p.Percent() < min {
		return &GateError{Min: min, Profile: p}
	}
	return nil
}
