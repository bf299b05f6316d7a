package sessions

import (
	"encoding/json"
	"slices"
	"time"
)

// Summary is the first look at a set of sessions: how many ended how.
type Summary struct {
	Sessions     int
	ByStatus     map[string]int // sessionStatus -> sessions ("" : none given)
	ByLastAction map[string]int // payload.lastAction -> sessions
	// MedianDuration is the median of endTime - startTime over the
	// Timed sessions that carry both.
	MedianDuration time.Duration
	Timed          int
}

// Fields reads what Summarize needs from a record's event.
func (r *Record) Fields() (lastAction string, duration time.Duration, ok bool) {
	var ev struct {
		Payload struct {
			LastAction string `json:"lastAction"`
			StartTime  string `json:"startTime"`
			EndTime    string `json:"endTime"`
		} `json:"payload"`
	}
	if json.Unmarshal(r.Event, &ev) != nil {
		return "", 0, false
	}
	p := ev.Payload
	start, err1 := time.Parse(time.RFC3339, p.StartTime)
	end, err2 := time.Parse(time.RFC3339, p.EndTime)
	if err1 != nil || err2 != nil || end.Before(start) {
		return p.LastAction, 0, false
	}
	return p.LastAction, end.Sub(start), true
}

// Summarize counts recs by status and last action and takes the median
// duration.
func Summarize(recs []Record) Summary {
	s := Summary{Sessions: len(recs), ByStatus: map[string]int{}, ByLastAction: map[string]int{}}
	var ds []time.Duration
	for i := range recs {
		s.ByStatus[recs[i].SessionStatus]++
		la, d, ok := recs[i].Fields()
		s.ByLastAction[la]++
		if ok {
			ds = append(ds, d)
		}
	}
	s.Timed = len(ds)
	if len(ds) > 0 {
		slices.Sort(ds)
		if n := len(ds); n%2 == 1 {
			s.MedianDuration = ds[n/2]
		} else {
			s.MedianDuration = (ds[n/2-1] + ds[n/2]) / 2
		}
	}
	return s
}
