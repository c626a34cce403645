// Package cards is the enforcement read model: the register of yellow and
// red cards in force on any day, every enterprise's history folded
// (domain/enforcement), the quarterly public lists as published and as they
// would be computed now, each enterprise's 12-quarter compliance strip
// (compliant, violation, yellow, red, as on a US EPA ECHO facility report),
// and each city's enforcement figures for a year (inspections, violations,
// yellow, red, lifted, revoked) for the annual assessment.
//
// It is built only from enterprise and card_list events. Dates are the
// dates actions took effect (occurred-at); replay the log with
// events.Query{RecordedBy: …} to have the model as the ledger knew it then.
// A published list is kept exactly as published, with its hash checked
// again; recomputing it from today's events may differ (a card revoked on
// appeal since, an action recorded late).
//
// It depends on events, domain, domain/plan and domain/enforcement.
package cards

import (
	"cmp"
	"slices"
	"time"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/enforcement"
	"github.com/shanxi-water/ledger/domain/plan"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/projections"
)

type pubKey struct {
	scope   domain.Scope
	quarter enforcement.Quarter
}

// Model is the read model. Build it with New and feed it events (Apply).
type Model struct {
	enterprises map[events.Aggregate]*enforcement.Enterprise
	byID        map[enforcement.EnterpriseID]events.Aggregate
	published   map[pubKey]Publication
	inputs      projections.Inputs // the events applied, for snapshots
	LastEvent   uint64             // position of the last event applied
}

// New returns an empty model.
func New() *Model {
	return &Model{
		enterprises: map[events.Aggregate]*enforcement.Enterprise{},
		byID:        map[enforcement.EnterpriseID]events.Aggregate{},
		published:   map[pubKey]Publication{},
	}
}

// Publication is a quarterly list as published.
type Publication struct {
	enforcement.CardListPublished
	PublishedAt time.Time    `json:"published_at"` // the publication's date (occurred-at)
	RecordedAt  time.Time    `json:"recorded_at"`
	Actor       domain.Actor `json:"actor"`
	Position    uint64       `json:"position"`
	EventID     string       `json:"event_id"`
	// HashOK reports that the list as stored still has the hash it was
	// published with.
	HashOK bool `json:"hash_ok"`
	// Late reports that it was published after it was due
	// (enforcement.PublishBy: a month after the quarter's end).
	Late bool `json:"late"`
}

// Apply folds one event into the model.
func (m *Model) Apply(e events.Event) {
	m.LastEvent = e.Position
	switch d := e.Data.(type) {
	case enforcement.CardListPublished:
		m.inputs.Add(e)
		m.published[pubKey{d.List.Scope, d.List.Quarter}] = Publication{CardListPublished: d, PublishedAt: e.OccurredAt, RecordedAt: e.RecordedAt,
			Actor: e.Actor, Position: e.Position, EventID: e.ID.String(), HashOK: d.List.Hash() == d.SHA256,
			Late: !e.OccurredAt.Before(enforcement.PublishBy(d.List.Quarter))}
	case enforcement.EnterpriseRegistered, enforcement.Inspected, enforcement.YellowCardIssued, enforcement.RedCardIssued,
		enforcement.CardLifted, enforcement.CardRevoked, enforcement.EnterpriseClosed:
		m.inputs.Add(e)
		ent := m.enterprises[e.Aggregate]
		if ent == nil {
			ent = &enforcement.Enterprise{}
			m.enterprises[e.Aggregate] = ent
		}
		ent.Apply(e.OccurredAt, d)
		if r, ok := d.(enforcement.EnterpriseRegistered); ok {
			if _, dup := m.byID[r.ID()]; !dup {
				m.byID[r.ID()] = e.Aggregate
			}
		}
	}
}

// Enterprise returns an enterprise's folded history.
func (m *Model) Enterprise(id enforcement.EnterpriseID) (*enforcement.Enterprise, bool) {
	agg, ok := m.byID[id]
	if !ok {
		return nil, false
	}
	return m.enterprises[agg], true
}

// Enterprises lists the registered enterprises of a scope (a city, or the
// province for all) in city and id order.
func (m *Model) Enterprises(scope domain.Scope) []*enforcement.Enterprise {
	var out []*enforcement.Enterprise
	for _, e := range m.enterprises {
		if e.IsRegistered() && (scope == domain.Province || domain.CityScope(e.Info.City) == scope) {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b *enforcement.Enterprise) int {
		return cmp.Or(cmp.Compare(a.Info.City, b.Info.City), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// Entry is a card in the register.
type Entry struct {
	Enterprise    enforcement.EnterpriseID `json:"enterprise"`
	Name          string                   `json:"name"`
	City          domain.CityID            `json:"city"`
	Industry      string                   `json:"industry"`
	KeyDischarger bool                     `json:"key_discharger"`
	Color         enforcement.Color        `json:"color"`
	Card          string                   `json:"card"` // the decision's document number
	Authority     string                   `json:"authority"`
	Issued        plan.Date                `json:"issued"`
	Measure       enforcement.Measure      `json:"measure"`
	Deadline      *plan.Date               `json:"rectification_deadline,omitempty"`
	// DeadlinePassed flags a yellow card in force past its rectification
	// deadline: a re-inspection is due.
	DeadlinePassed bool `json:"deadline_passed,omitempty"`
	// Reinspections counts the re-inspections of the card up to the day.
	Reinspections int `json:"reinspections"`
}

// Register returns the cards in force at the end of day, in city,
// enterprise and issue order: the card register on that day.
func (m *Model) Register(day plan.Date) []Entry {
	end := day.Start(domain.CST).AddDate(0, 0, 1)
	last := end.Add(-time.Nanosecond)
	out := []Entry{}
	for _, e := range m.Enterprises(domain.Province) {
		for _, c := range e.Cards {
			if !c.InForceAt(last) {
				continue
			}
			en := Entry{Enterprise: e.ID, Name: e.Info.Name, City: e.Info.City, Industry: e.Info.Industry, KeyDischarger: e.Info.KeyDischarger,
				Color: c.Color, Card: c.DocumentNo, Authority: c.Authority, Issued: enforcement.DayOf(c.Issued), Measure: c.Measure}
			if c.Color == enforcement.Yellow {
				d := c.Deadline
				en.Deadline = &d
				en.DeadlinePassed = day.Compare(d) > 0
			}
			for _, in := range e.Inspections {
				if in.Card == c.DocumentNo && in.At.Before(end) {
					en.Reinspections++
				}
			}
			out = append(out, en)
		}
	}
	return out
}

// QuarterList computes the public list of a scope's quarter from the events
// the model holds (see enforcement.BuildCardList): what would be published
// now.
func (m *Model) QuarterList(scope domain.Scope, q enforcement.Quarter) enforcement.CardList {
	return enforcement.BuildCardList(scope, q, m.Enterprises(scope))
}

// Published returns the list published for a scope's quarter.
func (m *Model) Published(scope domain.Scope, q enforcement.Quarter) (Publication, bool) {
	p, ok := m.published[pubKey{scope, q}]
	return p, ok
}

// Publications lists every publication in quarter, then scope order (cities
// in code order, the province last).
func (m *Model) Publications() []Publication {
	out := make([]Publication, 0, len(m.published))
	for _, p := range m.published {
		out = append(out, p)
	}
	rank := func(s domain.Scope) string {
		if s == domain.Province {
			return "~"
		}
		return string(s)
	}
	slices.SortFunc(out, func(a, b Publication) int {
		qa, qb := a.List.Quarter, b.List.Quarter
		return cmp.Or(cmp.Compare(qa.Year, qb.Year), cmp.Compare(qa.Q, qb.Q), cmp.Compare(rank(a.List.Scope), rank(b.List.Scope)))
	})
	return out
}

// Strip returns an enterprise's compliance in the 12 quarters ending with
// last, oldest first.
func (m *Model) Strip(id enforcement.EnterpriseID, last enforcement.Quarter) ([]enforcement.QuarterCompliance, bool) {
	e, ok := m.Enterprise(id)
	if !ok {
		return nil, false
	}
	return e.Strip(last), true
}

// CityYear is a city's enforcement figures for a year.
type CityYear struct {
	Scope          domain.Scope `json:"scope"` // a city, or the province for the total
	Year           int          `json:"year"`
	Enterprises    int          `json:"enterprises"`     // registered by the year's end
	KeyDischargers int          `json:"key_dischargers"` // of which key dischargers
	enforcement.Figures
}

// Year returns each city's enforcement figures for a year, in code order,
// then the province's total.
func (m *Model) Year(year int) []CityYear {
	out := make([]CityYear, 0, len(domain.Cities)+1)
	for _, c := range domain.Cities {
		out = append(out, m.CityYear(domain.CityScope(c.ID), year))
	}
	return append(out, m.CityYear(domain.Province, year))
}

// CityYear returns the enforcement figures of a scope (a city, or the
// province for all cities) for a year.
func (m *Model) CityYear(scope domain.Scope, year int) CityYear {
	out := CityYear{Scope: scope, Year: year}
	end := time.Date(year+1, 1, 1, 0, 0, 0, 0, domain.CST)
	for _, e := range m.Enterprises(scope) {
		if e.Registered.Before(end) {
			out.Enterprises++
			if e.Info.KeyDischarger {
				out.KeyDischargers++
			}
		}
		out.Add(e.Year(year))
	}
	return out
}
