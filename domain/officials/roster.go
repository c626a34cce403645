package officials

import (
	"slices"
	"strings"
	"time"

	"github.com/shanxi-water/ledger/domain/plan"
)

// Source is where a fact is in the log: the event that recorded it.
type Source struct {
	Position   uint64    `json:"position"`
	EventID    string    `json:"event_id"`
	RecordedAt time.Time `json:"recorded_at"`
}

// Entry is one stored event of the register, as the fold reads it: the
// aggregate version, where it is in the log, and its decoded payload.
type Entry struct {
	Version uint64
	Source  Source
	Data    any // Registered, Appointed or Departed; anything else is ignored
}

// Tenure is one period an official held a position.
type Tenure struct {
	Official PersonID `json:"official"`
	Position
	From        plan.Date       `json:"from"`                // first day in office
	To          *plan.Date      `json:"to,omitempty"`        // first day out of office; nil while in office
	DocumentNo  string          `json:"document_no"`         // the appointing document
	Authority   string          `json:"authority,omitempty"` // who appointed
	Reason      DepartureReason `json:"reason,omitempty"`    // why they left
	LeftBy      string          `json:"left_by,omitempty"`   // the departure's document
	Note        string          `json:"note,omitempty"`      // the departure's note
	Appointment Source          `json:"appointment"`         // the official.appointed event
	Departure   *Source         `json:"departure,omitempty"` // the official.departed event
}

// InOffice reports whether no departure ends the tenure.
func (t Tenure) InOffice() bool { return t.To == nil }

// Covers reports whether the official held the position on day.
func (t Tenure) Covers(day plan.Date) bool { return t.Overlaps(day, day) }

// Overlaps reports whether the official held the position on any day from
// from to to, both included.
func (t Tenure) Overlaps(from, to plan.Date) bool {
	return t.From.Compare(to) <= 0 && (t.To == nil || t.To.Compare(from) > 0)
}

// overlapsOpen reports whether t overlaps the tenure from from, ending
// before until (nil: open).
func (t Tenure) overlapsOpen(from plan.Date, until *plan.Date) bool {
	return (until == nil || t.From.Compare(*until) < 0) && (t.To == nil || t.To.Compare(from) > 0)
}

// LastDay returns the last day in office, nil while in office.
func (t Tenure) LastDay() *plan.Date {
	if t.To == nil {
		return nil
	}
	d := dayBefore(*t.To)
	return &d
}

func (t Tenure) clone() Tenure {
	if t.To != nil {
		d := *t.To
		t.To = &d
	}
	if t.Departure != nil {
		s := *t.Departure
		t.Departure = &s
	}
	return t
}

func dayBefore(d plan.Date) plan.Date { return plan.NewDate(d.Year(), d.Month(), d.Day()-1) }

// Record is one official's aggregate folded: their name and every tenure,
// in the order recorded. The zero Record is an official not registered.
type Record struct {
	ID       PersonID `json:"id"`
	Name     string   `json:"name"`
	Version  uint64   `json:"version"` // the aggregate's version: events applied
	Tenures  []Tenure `json:"tenures"`
	Register Source   `json:"registered"` // the official.registered event
}

// Registered reports whether the official is in the register.
func (r Record) Registered() bool { return r.Name != "" }

// Apply folds one of the official's events into the record. It never
// fails: events are checked before they are stored.
func (r *Record) Apply(e Entry) {
	r.Version = e.Version
	switch d := e.Data.(type) {
	case Registered:
		r.ID, r.Name, r.Register = d.ID, d.Name, e.Source
	case Appointed:
		if r.ID == "" {
			r.ID = d.Official
		}
		t := Tenure{Official: d.Official, Position: d.Position, From: d.From,
			DocumentNo: d.DocumentNo, Authority: d.Authority, Appointment: e.Source}
		if d.Until != nil { // a tenure that had ended when it was recorded
			to, src := *d.Until, e.Source
			t.To, t.Departure = &to, &src
		}
		r.Tenures = append(r.Tenures, t)
	case Departed:
		if i := r.open(d.Position); i >= 0 {
			to, src := d.To, e.Source
			t := &r.Tenures[i]
			t.To, t.Reason, t.LeftBy, t.Note, t.Departure = &to, d.Reason, d.DocumentNo, d.Note, &src
		}
	}
}

// open returns the index of the open tenure of pos, or -1.
func (r Record) open(pos Position) int {
	for i := len(r.Tenures) - 1; i >= 0; i-- {
		if r.Tenures[i].Position == pos && r.Tenures[i].InOffice() {
			return i
		}
	}
	return -1
}

// Clone returns a deep copy of r.
func (r Record) Clone() Record {
	r.Tenures = slices.Clone(r.Tenures)
	for i := range r.Tenures {
		r.Tenures[i] = r.Tenures[i].clone()
	}
	return r
}

// Roster is every official's record: the register folded from the log, in
// log order. Build it with NewRoster and Apply.
type Roster struct {
	records map[PersonID]*Record
}

// NewRoster returns an empty roster.
func NewRoster() *Roster { return &Roster{records: map[PersonID]*Record{}} }

// Apply folds one event of the register into the roster.
func (ro *Roster) Apply(e Entry) {
	var id PersonID
	switch d := e.Data.(type) {
	case Registered:
		id = d.ID
	case Appointed:
		id = d.Official
	case Departed:
		id = d.Official
	default:
		return
	}
	r := ro.records[id]
	if r == nil {
		r = &Record{ID: id}
		ro.records[id] = r
	}
	r.Apply(e)
}

// Record returns a copy of the official's record; the zero Record and false
// if the official is unknown.
func (ro *Roster) Record(id PersonID) (Record, bool) {
	r := ro.records[id]
	if r == nil {
		return Record{}, false
	}
	return r.Clone(), true
}

// Records returns a copy of every record, by code.
func (ro *Roster) Records() []Record {
	out := make([]Record, 0, len(ro.records))
	for _, r := range ro.records {
		out = append(out, r.Clone())
	}
	slices.SortFunc(out, func(a, b Record) int { return strings.Compare(string(a.ID), string(b.ID)) })
	return out
}

// Name returns the official's name, "" if unknown.
func (ro *Roster) Name(id PersonID) string {
	if r := ro.records[id]; r != nil {
		return r.Name
	}
	return ""
}

// Holders returns the tenures of pos that cover any day from from to to
// (both included), by appointment date.
func (ro *Roster) Holders(pos Position, from, to plan.Date) []Tenure {
	var out []Tenure
	for _, r := range ro.records {
		for _, t := range r.Tenures {
			if t.Position == pos && t.Overlaps(from, to) {
				out = append(out, t.clone())
			}
		}
	}
	sortTenures(out)
	return out
}

// HoldersOn returns the tenures of pos that cover day.
func (ro *Roster) HoldersOn(pos Position, day plan.Date) []Tenure { return ro.Holders(pos, day, day) }

// tenuresOf returns every tenure of pos by anyone, by appointment date.
func (ro *Roster) tenuresOf(pos Position) []Tenure {
	var out []Tenure
	for _, r := range ro.records {
		for _, t := range r.Tenures {
			if t.Position == pos {
				out = append(out, t)
			}
		}
	}
	sortTenures(out)
	return out
}

// Clash is two people holding a single-holder post in one place at the same
// time. The decisions refuse it; it can only arise from two appointments
// checked concurrently (see app.AppointOfficial), and is reported so that it
// is never silent.
type Clash struct {
	Position Position `json:"position"`
	First    Tenure   `json:"first"`
	Second   Tenure   `json:"second"`
}

// Clashes returns every clash in the roster.
func (ro *Roster) Clashes() []Clash {
	byPos := map[Position][]Tenure{}
	for _, r := range ro.records {
		for _, t := range r.Tenures {
			if t.Post.SingleHolder() {
				byPos[t.Position] = append(byPos[t.Position], t)
			}
		}
	}
	var out []Clash
	for pos, ts := range byPos {
		sortTenures(ts)
		for i := range ts {
			for j := i + 1; j < len(ts); j++ {
				if ts[i].Official != ts[j].Official && ts[j].overlapsOpen(ts[i].From, ts[i].To) {
					out = append(out, Clash{Position: pos, First: ts[i].clone(), Second: ts[j].clone()})
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b Clash) int {
		if c := strings.Compare(a.Position.String(), b.Position.String()); c != 0 {
			return c
		}
		return a.Second.From.Compare(b.Second.From)
	})
	return out
}

// sortTenures orders tenures by post, place, appointment date and official.
func sortTenures(ts []Tenure) {
	slices.SortFunc(ts, func(a, b Tenure) int {
		if c := a.Post.order() - b.Post.order(); c != 0 {
			return c
		}
		if c := strings.Compare(string(a.City), string(b.City)); c != 0 {
			return c
		}
		if c := strings.Compare(a.River, b.River); c != 0 {
			return c
		}
		if c := a.From.Compare(b.From); c != 0 {
			return c
		}
		return strings.Compare(string(a.Official), string(b.Official))
	})
}
