package app

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	json "github.com/segmentio/encoding/json"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/assessment"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/projections"
	"github.com/shanxi-water/ledger/projections/cards"
	"github.com/shanxi-water/ledger/projections/quality"
	"github.com/shanxi-water/ledger/projections/taskboard"
)

// Aggregate types of the assessment.
const (
	RulesType      events.AggregateType = "assessment_rules"
	AssessmentType events.AggregateType = "assessment"
)

// RulesAggregate holds every adoption of assessment rules.
func RulesAggregate() events.Aggregate {
	return events.Aggregate{Scope: domain.Province, Type: RulesType, ID: "province"}
}

// YearAggregate holds a year's published results.
func YearAggregate(year int) events.Aggregate {
	return events.Aggregate{Scope: domain.Province, Type: AssessmentType, ID: events.AggregateID(strconv.Itoa(year))}
}

// CityYearAggregate holds the consequences of a city's year.
func CityYearAggregate(c domain.CityID, year int) events.Aggregate {
	return events.Aggregate{Scope: domain.CityScope(c), Type: AssessmentType, ID: events.AggregateID(strconv.Itoa(year))}
}

// AdoptRules records assessment rules and the year they take effect. The
// same rules as the last adopted for that year are a Conflict: a request
// sent twice (a client retrying after a timeout) adopts them once.
func AdoptRules(ctx context.Context, s events.Store, actor domain.Actor, r assessment.Rules, at time.Time) (events.Event, error) {
	return retryOnConflict(func() (events.Event, error) {
		adopted, err := s.Load(ctx, RulesAggregate())
		if err != nil {
			return events.Event{}, err
		}
		for i := len(adopted) - 1; i >= 0; i-- {
			d, ok := adopted[i].Data.(assessment.RulesAdopted)
			if !ok || d.Rules.EffectiveYear != r.EffectiveYear {
				continue
			}
			if reflect.DeepEqual(d.Rules, r) {
				return events.Event{}, domain.Errorf("assessment_rules.adopted", domain.Conflict, "rules",
					"these rules are already the last adopted for %d (position %d, %s)", r.EffectiveYear, adopted[i].Position, d.Rules.Document)
			}
			break
		}
		expect := events.NoEvents
		if n := len(adopted); n > 0 {
			expect = events.ExpectedVersion(adopted[n-1].Version)
		}
		evs, err := s.Append(ctx, events.Change{Aggregate: RulesAggregate(), Expect: expect,
			Events: []events.Draft{{OccurredAt: at, Actor: actor, Data: assessment.RulesAdopted{Rules: r}}}})
		if err != nil {
			return events.Event{}, err
		}
		return evs[0], nil
	})
}

// TaskFigures gives a city's tasks due in a year and those done on time,
// with the evidence; nil counts no tasks.
type TaskFigures interface {
	projections.Projection
	CityTasks(c domain.CityID, year int) (due, onTime int, evidence []assessment.Evidence)
}

// heads tracks every aggregate's last hash: their digest identifies the
// inputs of a computation.
type heads struct {
	last map[events.Aggregate]events.Hash
}

func (h *heads) Apply(e events.Event) { h.last[e.Aggregate] = e.Hash }

// digest is SHA-256 over "scope/type/id=hash" lines in order.
func (h *heads) digest(occurredBy time.Time) string {
	keys := make([]events.Aggregate, 0, len(h.last))
	for a := range h.last {
		keys = append(keys, a)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
	d := sha256.New()
	for _, a := range keys {
		fmt.Fprintf(d, "%s=%s\n", a, h.last[a])
	}
	if !occurredBy.IsZero() {
		fmt.Fprintf(d, "occurred_by=%s\n", occurredBy.UTC().Format(time.RFC3339Nano))
	}
	return hex.EncodeToString(d.Sum(nil))
}

// rulesLog collects the rules adopted, in order.
type rulesLog struct{ adopted []assessment.Rules }

func (r *rulesLog) Apply(e events.Event) {
	if d, ok := e.Data.(assessment.RulesAdopted); ok {
		r.adopted = append(r.adopted, d.Rules)
	}
}

// Computation is a year's results computed from the log.
type Computation struct {
	Method     int                 `json:"method"` // assessment.Method
	Year       int                 `json:"year"`
	Rules      assessment.Rules    `json:"rules"`
	Position   uint64              `json:"position"`
	InputsHash string              `json:"inputs_hash"`
	Aggregates int                 `json:"aggregates"`
	Results    []assessment.Result `json:"results"`
	// Provisional is set when the year had not ended at the time the
	// results are as of: they may still change, and cannot be published.
	Provisional bool `json:"provisional,omitempty"`
	// OccurredBy is set for results as it happened by a time: from the
	// facts that occurred by then, however late recorded, under the rules
	// known today for the year. Position is then the log read, and the
	// inputs hash includes the time, so that such results never share
	// their identity with the whole log's.
	OccurredBy *time.Time `json:"occurred_by,omitempty"`
}

// YearEnd is the first instant after a year, Shanxi time.
func YearEnd(year int) time.Time { return time.Date(year+1, 1, 1, 0, 0, 0, 0, domain.CST) }

// Provisional reports whether results of a year as of at (as of now, if at
// is later) are provisional: the year had not ended. A date's end (an as-of
// date, 23:59:59.999999 on 31 December) counts as the year's end.
func Provisional(year int, at, now time.Time) bool {
	if at.IsZero() || now.Before(at) {
		at = now
	}
	return at.Before(YearEnd(year).Add(-time.Second))
}

// Basis says which state of the log to assess: all of it (zero), as the
// ledger knew it on a date (RecordedBy), or as it happened by a date with
// every correction known today (OccurredBy).
type Basis struct {
	RecordedBy time.Time
	OccurredBy time.Time
	Position   uint64 // if set, only the log up to this position (a publication's)
}

// Provisional reports whether a year's results on this basis, computed at
// now, are provisional (see Provisional).
func (b Basis) Provisional(year int, now time.Time) bool {
	return Provisional(year, cmp.Or(b.RecordedBy, b.OccurredBy), now)
}

// Compute assesses every city for a year from the log, with the rules in
// force for that year. tasks, if not nil, is a fresh task read model to
// feed; without it no task is counted.
func Compute(ctx context.Context, s events.Store, year int, basis Basis, tasks TaskFigures) (*Computation, error) {
	m := newComputeModels(basis.OccurredBy, tasks)
	pos, err := projections.Replay(ctx, s, events.Query{RecordedBy: basis.RecordedBy, To: basis.Position}, m.list()...)
	if err != nil {
		return nil, err
	}
	return m.year(year, pos)
}

// ErrNothingToAssess is why a year has no results: no section has a
// target for it and data enough for a class (a year not begun, or one
// whose samples are still to come). A city's score would be made of
// missing data alone, every city 不合格.
var ErrNothingToAssess = errors.New("no section has a target and data enough for a class")

// computeModels are the read models a computation reads.
type computeModels struct {
	q     *quality.Model
	cm    *cards.Model
	rl    *rulesLog
	hd    *heads // nil when not replayed (the computation then has no inputs hash)
	tasks TaskFigures
	// occurredBy, if set, keeps the facts that happened after it out of
	// every model. The rules are read from the whole log, as corrections
	// are: the rules known today for the year (a ledger set up after the
	// fact adopts them after the years they govern); an audit names a
	// change of rules among the differences.
	occurredBy time.Time
}

func newComputeModels(occurredBy time.Time, tasks TaskFigures) *computeModels {
	return &computeModels{q: quality.New(quality.Options{OccurredBy: occurredBy}), cm: cards.New(), rl: &rulesLog{},
		hd: &heads{last: map[events.Aggregate]events.Hash{}}, tasks: tasks, occurredBy: occurredBy}
}

func (m *computeModels) list() []projections.Projection {
	ps := []projections.Projection{m.q, projections.OccurredBy(m.occurredBy, m.cm), m.rl}
	if m.hd != nil {
		ps = append(ps, m.hd)
	}
	if m.tasks != nil {
		ps = append(ps, projections.OccurredBy(m.occurredBy, m.tasks, TaskListed)) // listed when the catalogue was loaded
	}
	return ps
}

// year assesses every city for a year from the models, which hold the log
// up to position pos. It only reads them: several years can be assessed
// from one replay.
func (m *computeModels) year(year int, pos uint64) (*Computation, error) {
	rules, err := assessment.InForce(m.rl.adopted, year)
	if err != nil {
		return nil, err
	}
	if !m.q.Assessable(year) {
		return nil, domain.E("assess", domain.NotFound, "year", fmt.Errorf("%w in %d: there is nothing to assess yet", ErrNothingToAssess, year))
	}
	c := &Computation{Method: assessment.Method, Year: year, Rules: rules, Position: pos}
	if !m.occurredBy.IsZero() {
		t := m.occurredBy
		c.OccurredBy = &t
	}
	if m.hd != nil {
		c.InputsHash, c.Aggregates = m.hd.digest(m.occurredBy), len(m.hd.last)
	}
	for _, city := range domain.Cities {
		in := Inputs(m.q, m.tasks, city.ID, year)
		f := m.cm.CityYear(domain.CityScope(city.ID), year)
		in.Enforcement = assessment.EnforcementFigures{Inspections: f.Inspections, Violations: f.Violations,
			Yellow: f.Yellow, Red: f.Red, Lifted: f.Lifted, Revoked: f.Revoked}
		c.Results = append(c.Results, assessment.Assess(rules, in))
	}
	assessment.Rank(c.Results)
	return c, nil
}

// Inputs gathers a city-year's figures from the read models.
func Inputs(q *quality.Model, tasks TaskFigures, c domain.CityID, year int) assessment.Inputs {
	cy := q.City(c, year)
	in := assessment.Inputs{
		City: c, Year: year,
		Sections: cy.Sections, SectionsMet: cy.SectionsMet, SectionsInsufficient: cy.SectionsInsufficient,
		AtLeastIIIRequired: cy.AtLeastIIIRequired, AtLeastIIIActual: cy.AtLeastIIIActual,
		WorseThanVAllowed: cy.WorseThanVAllowed, WorseThanVActual: cy.WorseThanV,
		Drinking: cy.Drinking, DrinkingMet: cy.DrinkingMet, DrinkingUnsampled: cy.DrinkingUnsampled,
		BlackOdorous: cy.BlackOdorous, BlackEliminated: cy.BlackEliminated, BlackUninspected: cy.BlackUninspected,
		Groundwater: cy.Groundwater, GroundwaterVeryPoor: cy.GroundwaterVeryPoor, GroundwaterUngraded: cy.GroundwaterUngraded,
	}
	for _, sy := range cy.Details {
		outcome := fmt.Sprintf("too few months sampled (%d samples in %d months)", sy.Samples, sy.Months)
		if sy.Unclassed {
			outcome = fmt.Sprintf("no item that counts toward the class among %d samples", sy.Samples)
		} else if !sy.Enough && sy.WorseThanV() {
			outcome += "; its samples are worse than class V: counted as worse than V"
		} else if sy.NoData {
			outcome = "no sample in the year: counted as missed, and as worse than V in the share rule"
		}
		if sy.Enough {
			verdict := "missed"
			if sy.Met {
				verdict = "met"
			}
			outcome = fmt.Sprintf("%s, target %s: %s", sy.Class.Phrase(), sy.Target.English(), verdict)
			if sy.Target == 0 {
				outcome = fmt.Sprintf("%s, no target for the year: counted as missed", sy.Class.Phrase())
			}
		}
		ev := assessment.Evidence{Part: "sections", Subject: string(sy.Section), Outcome: outcome, Positions: []uint64{}}
		for _, e := range sy.Evidence {
			ev.Positions = append(ev.Positions, e.Position)
		}
		in.Evidence = append(in.Evidence, ev)
	}
	for _, part := range []struct {
		name  string
		sites []quality.SiteYear
	}{{"drinking", cy.DrinkingDetails}, {"black_odorous", cy.BlackDetails}, {"groundwater", cy.GroundDetails}} {
		for _, sy := range part.sites {
			in.Evidence = append(in.Evidence, assessment.Evidence{Part: part.name, Subject: sy.ID, Outcome: sy.Outcome, Positions: sy.Positions})
		}
	}
	if tasks != nil {
		var ev []assessment.Evidence
		in.TasksDue, in.TasksOnTime, ev = tasks.CityTasks(c, year)
		in.Evidence = append(in.Evidence, ev...)
	}
	return in
}

// Publish computes a year's results from the whole log and freezes them
// in an event. A year is published once.
// Publication is what a publication of a year's results says.
type Publication struct {
	Year     int
	Document string // the notice publishing the results
	// Incomplete says that the publication knowingly includes cities none
	// of whose sections has data enough for a class: without it such a
	// publication is refused, since it stands once made.
	Incomplete bool
}

func Publish(ctx context.Context, s events.Store, actor domain.Actor, pub Publication, at time.Time, tasks TaskFigures) (events.Event, error) {
	const op = "assessment.results_published"
	year, document := pub.Year, pub.Document
	if end := YearEnd(year); at.Before(end) {
		return events.Event{}, domain.Errorf(op, domain.Invalid, "year", "%d has not ended (it ends %s): a year's results are published after it", year, end.Format("2006-01-02 15:04 MST"))
	}
	if p, e, err := Published(ctx, s, year); err != nil {
		return events.Event{}, err
	} else if p != nil {
		return events.Event{}, domain.Errorf(op, domain.Conflict, "year", "%d was published on %s (%s); a publication stands once made",
			year, e.OccurredAt.In(domain.CST).Format("2006-01-02"), p.Document)
	}
	c, err := Compute(ctx, s, year, Basis{}, tasks)
	if errors.Is(err, ErrNothingToAssess) {
		return events.Event{}, domain.E(op, domain.Conflict, "year", errors.Unwrap(err))
	}
	if err != nil {
		return events.Event{}, err
	}
	gaps := assessment.Gaps(c.Results)
	if len(gaps) > 0 && !pub.Incomplete {
		var texts []string
		for _, g := range gaps {
			_, en := g.Text()
			texts = append(texts, en)
		}
		return events.Event{}, domain.Errorf(op, domain.Conflict, "incomplete", "%d of %d cities lack data for %d: %s; their results would be partly made of missing data, and a publication stands once made: publish once the data is in, or say that it is knowingly incomplete (\"incomplete\": true; ledger publish --incomplete), which the publication records",
			len(gaps), len(c.Results), year, strings.Join(texts, "; "))
	}
	rp := assessment.ResultsPublished{Method: c.Method, Year: year, Document: document, Position: c.Position, InputsHash: c.InputsHash,
		Aggregates: c.Aggregates, Rules: c.Rules, Results: c.Results, Incomplete: gaps}
	if err := rp.Validate(); err != nil {
		return events.Event{}, err
	}
	evs, err := s.Append(ctx, events.Change{Aggregate: YearAggregate(year), Expect: events.NoEvents, Events: []events.Draft{{
		OccurredAt: at, Actor: actor, Data: rp}}})
	if err != nil {
		return events.Event{}, err
	}
	return evs[0], nil
}

// Published returns a year's published results, or nil.
func Published(ctx context.Context, s events.Store, year int) (*assessment.ResultsPublished, *events.Event, error) {
	evs, err := s.Load(ctx, YearAggregate(year))
	if err != nil {
		return nil, nil, err
	}
	for _, e := range evs {
		if p, ok := e.Data.(assessment.ResultsPublished); ok {
			return &p, &e, nil
		}
	}
	return nil, nil, nil
}

// ImposeConsequence records a consequence of a failed, published city-year,
// imposed at at (not before the results were published): once (see
// assessment.ConsequenceImposed.Repeats), with a rectification's deadline,
// after the day it is imposed, and a restriction's end on that day or after.
func ImposeConsequence(ctx context.Context, s events.Store, actor domain.Actor, c domain.CityID, cons assessment.ConsequenceImposed, at time.Time) (events.Event, error) {
	const op = "assessment.consequence_imposed"
	if err := cons.Validate(); err != nil {
		return events.Event{}, err
	}
	p, pe, err := Published(ctx, s, cons.Year)
	if err != nil {
		return events.Event{}, err
	}
	if err := assessment.CanImpose(p, c); err != nil {
		return events.Event{}, err
	}
	day := func(t time.Time) string { return t.In(domain.CST).Format(time.DateOnly) }
	if at.Before(pe.OccurredAt) {
		when := day(at)
		if when == day(pe.OccurredAt) {
			when = at.In(domain.CST).Format("2006-01-02 15:04")
		}
		return events.Event{}, domain.Errorf(op, domain.Conflict, "date", "%s is before the year's results were published (%s, %s)",
			when, pe.OccurredAt.In(domain.CST).Format("2006-01-02 15:04"), p.Document)
	}
	from, to, deadline := cons.Dates()
	if cons.Kind == assessment.Rectification && day(*deadline) <= day(at) {
		return events.Event{}, domain.Errorf(op, domain.Invalid, "deadline", "%s is not after the day it is imposed (%s)", day(*deadline), day(at))
	}
	// A restriction ending on the day it is imposed runs that day (its
	// from is that day too): only one ending before it is over before it
	// began.
	if cons.Kind == assessment.Restriction && day(*to) < day(at) {
		end, _ := assessment.PeriodEnd(*to)
		return events.Event{}, domain.Errorf(op, domain.Invalid, "to", "%s is before the day the restriction is imposed (%s): it would be over before it began", end, day(at))
	}
	if cons.Kind == assessment.Restriction && day(*from) < day(at) {
		return events.Event{}, domain.Errorf(op, domain.Invalid, "from", "%s is before the day the restriction is imposed (%s)", day(*from), day(at))
	}
	agg := CityYearAggregate(c, cons.Year)
	evs, err := s.Load(ctx, agg)
	if err != nil {
		return events.Event{}, err
	}
	version := uint64(0)
	for _, e := range evs {
		version = e.Version
		if d, ok := e.Data.(assessment.ConsequenceImposed); ok {
			if field, reason := cons.Repeats(d); reason != "" {
				return events.Event{}, domain.Errorf(op, domain.Conflict, field, "%s (position %d)", reason, e.Position)
			}
		}
	}
	stored, err := s.Append(ctx, events.Change{Aggregate: agg, Expect: events.ExpectedVersion(version),
		Events: []events.Draft{{OccurredAt: at, Actor: actor, Data: cons}}})
	if err != nil {
		return events.Event{}, err
	}
	return stored[0], nil
}

// Consequence is a consequence imposed on a city for a year, where it
// stands in the log.
type Consequence struct {
	assessment.ConsequenceImposed
	City       domain.CityID `json:"city"`
	ImposedAt  time.Time     `json:"imposed_at"`
	RecordedAt time.Time     `json:"recorded_at"` // when the ledger recorded it, perhaps long after
	Position   uint64        `json:"position"`
	RecordedBy domain.Actor  `json:"recorded_by"`
}

// Consequences lists the consequences imposed for a year, by city, by the
// date imposed (in the order recorded, for one date): those the ledger had
// recorded by recordedBy, or all if it is zero.
func Consequences(ctx context.Context, s events.Store, year int, recordedBy time.Time) (map[domain.CityID][]Consequence, error) {
	out := map[domain.CityID][]Consequence{}
	err := s.Read(ctx, events.Query{Types: []events.AggregateType{AssessmentType}, Names: []events.Name{ConsequenceImposed}, RecordedBy: recordedBy}, func(e events.Event) error {
		if d, ok := e.Data.(assessment.ConsequenceImposed); ok && d.Year == year {
			d.From, d.To, d.Deadline = d.Dates()
			c := domain.CityID(e.Aggregate.Scope)
			out[c] = append(out[c], Consequence{ConsequenceImposed: d, City: c, ImposedAt: e.OccurredAt, RecordedAt: e.RecordedAt, Position: e.Position, RecordedBy: e.Actor})
		}
		return nil
	})
	for _, cs := range out {
		// By the date imposed (a consequence may be entered after a later one).
		slices.SortStableFunc(cs, func(a, b Consequence) int { return a.ImposedAt.Compare(b.ImposedAt) })
	}
	return out, err
}

// Assessor assesses any year from read models that are kept live, without
// replaying the log: give it the live quality, card and task models, and
// feed it the log too (it keeps the adopted rules and the chain heads).
type Assessor struct {
	m   *computeModels
	pos uint64
}

// NewAssessor assesses from the given live models.
func NewAssessor(q *quality.Model, cm *cards.Model, board *taskboard.Board) *Assessor {
	return &Assessor{m: &computeModels{q: q, cm: cm, rl: &rulesLog{}, hd: &heads{last: map[events.Aggregate]events.Hash{}}, tasks: BoardFigures{board}}}
}

// Apply follows the log for the rules and the chain heads; the models it
// was given are fed by their own runner.
func (a *Assessor) Apply(e events.Event) {
	a.m.rl.Apply(e)
	a.m.hd.Apply(e)
	a.pos = e.Position
}

// Year assesses every city for a year as the models stand. Read it while
// no event is applied (projections.Live.View).
func (a *Assessor) Year(year int) (*Computation, error) { return a.m.year(year, a.pos) }

type assessorState struct {
	Position uint64                      `json:"position"`
	Rules    []assessment.Rules          `json:"rules"`
	Heads    map[string]events.Hash      `json:"heads"`
	Aggs     map[string]events.Aggregate `json:"aggregates"`
}

// SnapshotKind names the assessor's snapshots.
func (a *Assessor) SnapshotKind() (string, int) { return "assessor", 1 }

// Snapshot encodes the adopted rules and the chain heads.
func (a *Assessor) Snapshot() ([]byte, error) {
	st := assessorState{Position: a.pos, Rules: a.m.rl.adopted, Heads: map[string]events.Hash{}, Aggs: map[string]events.Aggregate{}}
	for agg, h := range a.m.hd.last {
		st.Heads[agg.String()], st.Aggs[agg.String()] = h, agg
	}
	return json.Marshal(st)
}

// Restore replaces the rules and chain heads with a snapshot's.
func (a *Assessor) Restore(data []byte) error {
	var st assessorState
	if err := json.Unmarshal(data, &st); err != nil {
		return fmt.Errorf("assessor snapshot: %w", err)
	}
	last := make(map[events.Aggregate]events.Hash, len(st.Heads))
	for k, h := range st.Heads {
		agg, ok := st.Aggs[k]
		if !ok {
			return fmt.Errorf("assessor snapshot: head of %s without its aggregate", k)
		}
		last[agg] = h
	}
	a.m.rl.adopted, a.m.hd.last, a.pos = st.Rules, last, st.Position
	return nil
}
