package campaign

import (
	"fmt"
	"strings"
	"time"
)

// Window is a daily time window calls are placed in, in a time zone:
// "09:00-18:00" places calls from 9 am up to (not at) 6 pm. An end before
// the start wraps past midnight ("20:00-02:00"). The zero Window is
// always open.
type Window struct {
	Start, End time.Duration // since midnight
	Loc        *time.Location
	set        bool
}

// ParseWindow reads "HH:MM-HH:MM" in loc ("" : always open).
func ParseWindow(s string, loc *time.Location) (Window, error) {
	if strings.TrimSpace(s) == "" {
		return Window{}, nil
	}
	from, to, ok := strings.Cut(s, "-")
	if !ok {
		return Window{}, fmt.Errorf("--window %q: want HH:MM-HH:MM, e.g. 09:00-18:00", s)
	}
	start, err := clockTime(from)
	if err != nil {
		return Window{}, fmt.Errorf("--window %q: %w", s, err)
	}
	end, err := clockTime(to)
	if err != nil {
		return Window{}, fmt.Errorf("--window %q: %w", s, err)
	}
	if start == end {
		return Window{}, fmt.Errorf("--window %q: start and end are the same: leave --window out to call at any time", s)
	}
	if loc == nil {
		loc = time.Local
	}
	return Window{Start: start, End: end, Loc: loc, set: true}, nil
}

func clockTime(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	t, err := time.Parse("15:04", s)
	if err != nil {
		if s == "24:00" {
			return 24 * time.Hour, nil
		}
		return 0, fmt.Errorf("%q is not a time of day HH:MM (00:00 to 24:00)", s)
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

// IsSet reports whether the window restricts anything.
func (w Window) IsSet() bool { return w.set }

// String is "09:00-18:00 Europe/Paris".
func (w Window) String() string {
	if !w.set {
		return "always"
	}
	f := func(d time.Duration) string { return fmt.Sprintf("%02d:%02d", int(d.Hours()), int(d.Minutes())%60) }
	return f(w.Start) + "-" + f(w.End) + " " + w.Loc.String()
}

// Open reports whether t is inside the window.
func (w Window) Open(t time.Time) bool {
	if !w.set {
		return true
	}
	t = t.In(w.Loc)
	// Wall-clock time of day, not time since midnight: on a
	// daylight-saving day the two differ by an hour.
	since := time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute + time.Duration(t.Second())*time.Second
	if w.Start < w.End {
		return since >= w.Start && since < w.End
	}
	return since >= w.Start || since < w.End
}

// Next returns t when the window is open, else the moment it next opens.
// Wall-clock times are resolved on the day's calendar, so a window keeps
// its local hours across a daylight-saving change.
func (w Window) Next(t time.Time) time.Time {
	if w.Open(t) {
		return t
	}
	lt := t.In(w.Loc)
	for day := 0; day <= 2; day++ {
		d := lt.AddDate(0, 0, day)
		y, m, dd := d.Date()
		open := time.Date(y, m, dd, int(w.Start.Hours()), int(w.Start.Minutes())%60, 0, 0, w.Loc)
		if open.After(t) {
			return open
		}
	}
	return t.Add(24 * time.Hour) // not reached: a window opens every day
}

// Closes returns when the window that is open at t closes (the zero
// time for an unset window).
func (w Window) Closes(t time.Time) time.Time {
	if !w.set {
		return time.Time{}
	}
	lt := t.In(w.Loc)
	for day := -1; day <= 2; day++ {
		d := lt.AddDate(0, 0, day)
		y, m, dd := d.Date()
		end := time.Date(y, m, dd, int(w.End.Hours()), int(w.End.Minutes())%60, 0, 0, w.Loc)
		if end.After(t) {
			return end
		}
	}
	return time.Time{}
}

// Clock is the engine's time: the real one, or a test's.
type Clock interface {
	Now() time.Time
	// After returns a channel that receives once d has passed.
	After(d time.Duration) <-chan time.Time
}

// RealClock is the machine's clock.
type RealClock struct{}

func (RealClock) Now() time.Time                         { return time.Now() }
func (RealClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
