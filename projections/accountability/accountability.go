// Package accountability is the read model of lifetime accountability (记录在案
// … 已经离任的也要终身追究责任): who held which post when, the accountability
// cases with the officials they name, the decisions taken, and each
// official's record across every city and year.
//
// It is built only from events (official.registered, official.appointed,
// official.departed, accountability.triggered, accountability.decided; the
// rest are ignored). Who a case names is computed when asked, from the
// tenures the model holds (domain/officials.Roster.Named): a case found in
// 2019 about 2017 names the 2017 holders though they left in 2018, and they
// stay named, and on their record, for good. Replayed with
// events.Query{RecordedBy: t} (projections.Replay) the model is the register
// as the ledger knew it at t.
//
// It depends on events, domain, domain/plan and domain/officials.
package accountability

import (
	"slices"
	"strings"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/officials"
	"github.com/shanxi-water/ledger/domain/plan"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/projections"
)

// Model is the read model. Build it with New and feed it events (Apply).
type Model struct {
	roster    *officials.Roster
	cases     map[caseKey]*caseState
	decisions []Decision         // every decision, in log order
	inputs    projections.Inputs // the events applied, for snapshots
	LastEvent uint64             // position of the last event applied
}

type caseKey struct {
	city domain.CityID
	id   officials.CaseID
}

type caseState struct {
	triggered officials.Triggered
	source    officials.Source
	decisions []Decision
}

// New returns an empty model.
func New() *Model {
	return &Model{roster: officials.NewRoster(), cases: map[caseKey]*caseState{}}
}

func source(e events.Event) officials.Source {
	return officials.Source{Position: e.Position, EventID: e.ID.String(), RecordedAt: e.RecordedAt}
}

// Apply folds one event into the model.
func (m *Model) Apply(e events.Event) {
	m.LastEvent = e.Position
	switch e.Data.(type) {
	case officials.Registered, officials.Appointed, officials.Departed, officials.Triggered, officials.Decided:
		m.inputs.Add(e)
	}
	switch d := e.Data.(type) {
	case officials.Registered, officials.Appointed, officials.Departed:
		m.roster.Apply(officials.Entry{Version: e.Version, Source: source(e), Data: d})
	case officials.Triggered:
		m.cases[caseKey{d.City, d.Case}] = &caseState{triggered: d, source: source(e)}
	case officials.Decided:
		dec := Decision{Decided: d, Source: source(e)}
		m.decisions = append(m.decisions, dec)
		if c := m.cases[caseKey{d.City, d.Case}]; c != nil {
			c.decisions = append(c.decisions, dec)
		}
	}
}

// Holder is a tenure with its holder's name.
type Holder struct {
	officials.Tenure
	Name string `json:"name"`
}

// HoldersAt returns who held pos on day (a single-holder post has at most
// one, unless appointments clashed: see Clashes).
func (m *Model) HoldersAt(pos officials.Position, day plan.Date) []Holder {
	return m.HoldersDuring(pos, day, day)
}

// HoldersDuring returns who held pos on any day from from to to (both
// included), by appointment date.
func (m *Model) HoldersDuring(pos officials.Position, from, to plan.Date) []Holder {
	ts := m.roster.Holders(pos, from, to)
	out := make([]Holder, len(ts))
	for i, t := range ts {
		out[i] = Holder{Tenure: t, Name: m.roster.Name(t.Official)}
	}
	return out
}

// Decision is an accountability decision with the official's name and the
// event that recorded it.
type Decision struct {
	officials.Decided
	Name   string           `json:"name"`
	Source officials.Source `json:"source"`
}

// Case is an accountability case: what opened it, who it names (from the
// tenures as known to the model) and the decisions taken in it.
type Case struct {
	officials.Triggered
	Source    officials.Source  `json:"source"` // the accountability.triggered event
	Named     []officials.Named `json:"named"`
	Decisions []Decision        `json:"decisions"`
}

func (m *Model) view(c *caseState) Case {
	out := Case{Triggered: c.triggered, Source: c.source, Named: m.roster.Named(c.triggered),
		Decisions: make([]Decision, len(c.decisions))}
	for i, d := range c.decisions {
		d.Name = m.roster.Name(d.Official)
		out.Decisions[i] = d
	}
	return out
}

// Case returns a case of a city.
func (m *Model) Case(city domain.CityID, id officials.CaseID) (Case, bool) {
	c := m.cases[caseKey{city, id}]
	if c == nil {
		return Case{}, false
	}
	return m.view(c), true
}

// Cases returns the cases of a city ("" for every city), by city, then
// period, then id.
func (m *Model) Cases(city domain.CityID) []Case {
	var out []Case
	for k, c := range m.cases {
		if city == "" || k.city == city {
			out = append(out, m.view(c))
		}
	}
	slices.SortFunc(out, func(a, b Case) int {
		if c := strings.Compare(string(a.City), string(b.City)); c != 0 {
			return c
		}
		if c := a.From.Compare(b.From); c != 0 {
			return c
		}
		return strings.Compare(string(a.Case), string(b.Case))
	})
	return out
}

// NamedIn is a case that names an official, with the tenures that make
// them answerable in it.
type NamedIn struct {
	officials.Triggered
	As []officials.Named `json:"as"`
}

// Record is an official's whole record: every post held in every city, every
// case that names them and every decision on them, whether or not they are
// still in office.
type Record struct {
	Official   officials.PersonID `json:"official"`
	Name       string             `json:"name"`
	Registered officials.Source   `json:"registered"` // the official.registered event
	Tenures    []officials.Tenure `json:"tenures"`    // by appointment date
	Cases      []NamedIn          `json:"cases"`      // by period
	Decisions  []Decision         `json:"decisions"`  // in log order
}

// Official returns an official's record.
func (m *Model) Official(id officials.PersonID) (Record, bool) {
	r, ok := m.roster.Record(id)
	if !ok {
		return Record{}, false
	}
	out := Record{Official: r.ID, Name: r.Name, Registered: r.Register, Tenures: append([]officials.Tenure{}, r.Tenures...),
		Cases: []NamedIn{}, Decisions: []Decision{}}
	slices.SortStableFunc(out.Tenures, func(a, b officials.Tenure) int { return a.From.Compare(b.From) })
	for _, c := range m.Cases("") {
		var as []officials.Named
		for _, n := range c.Named {
			if n.Official == id {
				as = append(as, n)
			}
		}
		if len(as) > 0 {
			out.Cases = append(out.Cases, NamedIn{Triggered: c.Triggered, As: as})
		}
	}
	slices.SortStableFunc(out.Cases, func(a, b NamedIn) int { return a.From.Compare(b.From) })
	for _, d := range m.decisions {
		if d.Official == id {
			d.Name = r.Name
			out.Decisions = append(out.Decisions, d)
		}
	}
	return out, true
}

// Officials returns every official in the register, by code.
func (m *Model) Officials() []officials.Record { return m.roster.Records() }

// Clashes returns every time two people held a single-holder post in one
// place at once (only concurrent appointments can cause it).
func (m *Model) Clashes() []officials.Clash { return m.roster.Clashes() }
