package app

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/assessment"
	"github.com/shanxi-water/ledger/domain/officials"
	"github.com/shanxi-water/ledger/domain/tasks"
	"github.com/shanxi-water/ledger/events"
)

// Event names of the officials register and accountability (registered in
// Registry). Once an event is stored under a name, the name never changes.
const (
	OfficialRegistered      events.Name = "official.registered"
	OfficialAppointed       events.Name = "official.appointed"
	OfficialDeparted        events.Name = "official.departed"
	AccountabilityTriggered events.Name = "accountability.triggered"
	AccountabilityDecided   events.Name = "accountability.decided"
	PostFilled              events.Name = "post.filled"
)

// Aggregate types of the officials register and accountability.
const (
	OfficialType events.AggregateType = "official"            // one per person, scope province
	CaseType     events.AggregateType = "accountability_case" // one per case, scope the city
	PostType     events.AggregateType = "post"                // one per single-holder post, scope its city or the province
)

// OfficialAggregate is the aggregate of one official: their registration,
// appointments and departures, in every city.
func OfficialAggregate(id officials.PersonID) events.Aggregate {
	return events.Aggregate{Scope: domain.Province, Type: OfficialType, ID: events.AggregateID(id)}
}

// CaseAggregate is the aggregate of one accountability case in a city.
func CaseAggregate(city domain.CityID, id officials.CaseID) events.Aggregate {
	return events.Aggregate{Scope: domain.CityScope(city), Type: CaseType, ID: events.AggregateID(id)}
}

// officialsEntry is an event as the officials package folds it.
func officialsEntry(e events.Event) officials.Entry {
	return officials.Entry{Version: e.Version, Data: e.Data,
		Source: officials.Source{Position: e.Position, EventID: e.ID.String(), RecordedAt: e.RecordedAt}}
}

// officialsRetries is how often a command is re-decided and retried when
// an aggregate it appends to moved on while it was deciding.
const officialsRetries = 3

// retryOnConflict runs try until it does not fail with a stale expected
// version, at most officialsRetries more times.
func retryOnConflict(try func() (events.Event, error)) (events.Event, error) {
	for attempt := 0; ; attempt++ {
		e, err := try()
		var ce *events.ConflictError
		if errors.As(err, &ce) && attempt < officialsRetries {
			continue
		}
		return e, err
	}
}

// LoadRoster reads the whole register (every official's events) into a
// roster: who held which position when.
func LoadRoster(ctx context.Context, s events.Store) (*officials.Roster, error) {
	ro := officials.NewRoster()
	err := s.Read(ctx, events.Query{Scopes: []domain.Scope{domain.Province}, Types: []events.AggregateType{OfficialType}},
		func(e events.Event) error {
			ro.Apply(officialsEntry(e))
			return nil
		})
	return ro, err
}

// LoadOfficial folds one official's aggregate; the zero Record if the code
// is not registered.
func LoadOfficial(ctx context.Context, s events.Store, id officials.PersonID) (officials.Record, error) {
	if err := id.Validate(); err != nil {
		return officials.Record{}, domain.E("official.load", domain.Invalid, "official", err)
	}
	evs, err := s.Load(ctx, OfficialAggregate(id))
	if err != nil {
		return officials.Record{}, err
	}
	var r officials.Record
	for _, e := range evs {
		r.Apply(officialsEntry(e))
	}
	return r, nil
}

// LoadCase folds one case's aggregate; the zero Case if it was not opened.
func LoadCase(ctx context.Context, s events.Store, city domain.CityID, id officials.CaseID) (officials.Case, error) {
	const op = "accountability.load"
	if _, ok := domain.LookupCity(city); !ok {
		return officials.Case{}, domain.Errorf(op, domain.Invalid, "city", "%q is not one of Shanxi's 11 city codes", string(city))
	}
	if err := id.Validate(); err != nil {
		return officials.Case{}, domain.E(op, domain.Invalid, "case", err)
	}
	evs, err := s.Load(ctx, CaseAggregate(city, id))
	if err != nil {
		return officials.Case{}, err
	}
	var c officials.Case
	for _, e := range evs {
		c.Apply(officialsEntry(e))
	}
	return c, nil
}

// RegisterOfficial enters an official in the register, as a new aggregate.
// It fails with kind Conflict if the code is taken.
func RegisterOfficial(ctx context.Context, s events.Store, actor domain.Actor, at time.Time, p officials.Registered) (events.Event, error) {
	if err := p.ID.Validate(); err != nil {
		return events.Event{}, domain.E("official.registered", domain.Invalid, "id", err)
	}
	r, err := LoadOfficial(ctx, s, p.ID)
	if err != nil {
		return events.Event{}, err
	}
	d, err := officials.DecideRegistration(r, actor, p)
	if err != nil {
		return events.Event{}, err
	}
	evs, err := s.Append(ctx, events.Change{Aggregate: OfficialAggregate(p.ID), Expect: events.NoEvents,
		Events: []events.Draft{{OccurredAt: at, Actor: actor, Data: d}}})
	if err != nil {
		return events.Event{}, err
	}
	return evs[0], nil
}

// PostAggregate is the register of a single-holder post's holders
// (officials.PostFilled): scope the post's city, or the province.
func PostAggregate(p officials.Position) events.Aggregate {
	scope := domain.Province
	if p.City != "" {
		scope = domain.CityScope(p.City)
	}
	return events.Aggregate{Scope: scope, Type: PostType, ID: events.AggregateID(p.Post)}
}

// AppointOfficial records an appointment, occurring at the start of its
// first day (Shanxi time), after checking it against the whole register
// (officials.DecideAppointment).
//
// The check that no one else holds a single-holder post (mayor, bureau head)
// spans aggregates. It is made race-free, across any number of ledger
// processes, by the post's own aggregate: the post's version is read first,
// then the register; the appointment is appended to the appointee's
// aggregate (at the version read, for the official's own rules) together
// with an officials.PostFilled on the post's (at the version read), in one
// atomic append. An appointment to the same post stored in between moves the
// post on, so the append fails and the appointment is decided again on the
// register as it now is.
func AppointOfficial(ctx context.Context, s events.Store, actor domain.Actor, p officials.Appointed) (events.Event, error) {
	if today := tasks.DayOf(time.Now()); p.Until != nil && p.Until.Compare(today) > 0 {
		// A tenure still running is recorded without its end, and its
		// departure when it comes: an end given ahead could not be changed.
		return events.Event{}, domain.Errorf("official.appointed", domain.Invalid, "until", "%s is after today (%s): a tenure still running has no end yet", *p.Until, today)
	}
	return retryOnConflict(func() (events.Event, error) {
		var post *events.Change
		if p.Post.SingleHolder() && p.Position.Validate("official.appointed") == nil {
			agg := PostAggregate(p.Position)
			held, err := s.Load(ctx, agg)
			if err != nil {
				return events.Event{}, err
			}
			post = &events.Change{Aggregate: agg, Expect: events.NoEvents}
			if n := len(held); n > 0 {
				post.Expect = events.ExpectedVersion(held[n-1].Version)
			}
		}
		ro, err := LoadRoster(ctx, s)
		if err != nil {
			return events.Event{}, err
		}
		d, err := officials.DecideAppointment(ro, actor, p)
		if err != nil {
			return events.Event{}, err
		}
		r, _ := ro.Record(d.Official)
		at := d.From.Start(domain.CST)
		changes := []events.Change{{Aggregate: OfficialAggregate(d.Official), Expect: events.ExpectedVersion(r.Version),
			Events: []events.Draft{{OccurredAt: at, Actor: actor, Data: d}}}}
		if post != nil {
			post.Events = []events.Draft{{OccurredAt: at, Actor: actor,
				Data: officials.PostFilled{Official: d.Official, Position: d.Position, From: d.From, DocumentNo: d.DocumentNo}}}
			changes = append(changes, *post)
		}
		evs, err := s.Append(ctx, changes...)
		if err != nil {
			return events.Event{}, err
		}
		return evs[0], nil
	})
}

// keepsNamed refuses a departure that would take its official out of a
// case that names them: the register would then no longer name, for that
// case's period, someone it held accountable, and lifetime accountability
// is not undone by a back-dated departure (one dated before a case's
// period, recorded years later, took a mayor out of three cases, with no
// trace on them). A departure within a case's period shortens the time it
// names them for, and is recorded.
func keepsNamed(ctx context.Context, s events.Store, d officials.Departed, version uint64) error {
	type namedCase struct {
		id officials.CaseID
		t  officials.Triggered
	}
	var cases []namedCase
	decided := map[officials.CaseID]officials.Decided{}
	err := s.Read(ctx, events.Query{Types: []events.AggregateType{CaseType}, Names: []events.Name{AccountabilityTriggered, AccountabilityDecided}}, func(e events.Event) error {
		switch x := e.Data.(type) {
		case officials.Triggered:
			cases = append(cases, namedCase{officials.CaseID(e.Aggregate.ID), x})
		case officials.Decided:
			if x.Official == d.Official {
				decided[x.Case] = x
			}
		}
		return nil
	})
	if err != nil || len(cases) == 0 {
		return err
	}
	ro, err := LoadRoster(ctx, s)
	if err != nil {
		return err
	}
	names := func(t officials.Triggered) bool {
		return slices.ContainsFunc(ro.Named(t), func(n officials.Named) bool { return n.Official == d.Official })
	}
	var naming []namedCase
	for _, c := range cases {
		if names(c.t) {
			naming = append(naming, c)
		}
	}
	ro.Apply(officialsEntry(events.Event{Aggregate: OfficialAggregate(d.Official), Version: version + 1, OccurredAt: d.To.Start(domain.CST), Data: d}))
	for _, c := range naming {
		if names(c.t) {
			continue
		}
		with := ""
		if dec, ok := decided[c.id]; ok {
			with = fmt.Sprintf(", with a decision (%s, %s)", dec.Decision, dec.DocumentNo)
		}
		return domain.Errorf("official.departed", domain.Conflict, "to", "%s is named in case %s for %s – %s%s; a departure on %s would take them out of it: lifetime accountability is not undone by a back-dated departure",
			d.Official, c.id, c.t.From, c.t.To, with, d.To)
	}
	return nil
}

// RecordDeparture records that an official left a position, occurring at
// the start of the day they left (Shanxi time). It ends their open tenure
// of that position (officials.DecideDeparture).
func RecordDeparture(ctx context.Context, s events.Store, actor domain.Actor, p officials.Departed) (events.Event, error) {
	if err := p.Official.Validate(); err != nil {
		return events.Event{}, domain.E("official.departed", domain.Invalid, "official", err)
	}
	return retryOnConflict(func() (events.Event, error) {
		r, err := LoadOfficial(ctx, s, p.Official)
		if err != nil {
			return events.Event{}, err
		}
		d, err := officials.DecideDeparture(r, actor, p)
		if err != nil {
			return events.Event{}, err
		}
		if err := keepsNamed(ctx, s, d, r.Version); err != nil {
			return events.Event{}, err
		}
		evs, err := s.Append(ctx, events.Change{Aggregate: OfficialAggregate(d.Official), Expect: events.ExpectedVersion(r.Version),
			Events: []events.Draft{{OccurredAt: d.To.Start(domain.CST), Actor: actor, Data: d}}})
		if err != nil {
			return events.Event{}, err
		}
		return evs[0], nil
	})
}

// TriggerAccountability opens an accountability case, occurring at the
// start of the day it was found (Shanxi time), as a new aggregate in the
// case's city. A case without an id gets one: "2018-failed-assessment" for a
// failed assessment (one per city-year), "20190314-data-falsification-3fa9c1"
// otherwise. The reference is checked and completed (resolveReference): for
// a failed assessment it is the year's published results
// (assessment.results_published), which must grade the city 不合格. It returns the stored event and the officials the
// case names, as the register knows them now.
func TriggerAccountability(ctx context.Context, s events.Store, actor domain.Actor, p officials.Triggered) (events.Event, []officials.Named, error) {
	if p.Case == "" {
		p.Case = newCaseID(p)
	}
	// Check the payload before reading anything (the case's aggregate is
	// named by its city and id).
	if _, err := officials.DecideTrigger(officials.Case{}, actor, p); err != nil {
		return events.Event{}, nil, err
	}
	ref, err := resolveReference(ctx, s, p)
	if err != nil {
		return events.Event{}, nil, err
	}
	p.Reference = ref
	c, err := LoadCase(ctx, s, p.City, p.Case)
	if err != nil {
		return events.Event{}, nil, err
	}
	d, err := officials.DecideTrigger(c, actor, p)
	if err != nil {
		return events.Event{}, nil, err
	}
	evs, err := s.Append(ctx, events.Change{Aggregate: CaseAggregate(d.City, d.Case), Expect: events.NoEvents,
		Events: []events.Draft{{OccurredAt: d.FoundOn.Start(domain.CST), Actor: actor, Data: d}}})
	if err != nil {
		return events.Event{}, nil, err
	}
	ro, err := LoadRoster(ctx, s)
	if err != nil {
		return evs[0], nil, err
	}
	return evs[0], ro.Named(d), nil
}

// newCaseID names a case opened without an id.
func newCaseID(p officials.Triggered) officials.CaseID {
	if p.Kind == officials.FailedAssessment && p.Year != 0 {
		return officials.FailedAssessmentID(p.Year)
	}
	if p.From.IsZero() || p.Kind.Validate() != nil {
		return "" // the payload's check names what is missing
	}
	id := events.NewID()
	return officials.CaseID(strings.ReplaceAll(p.From.String(), "-", "") + "-" +
		strings.ReplaceAll(string(p.Kind), "_", "-") + "-" + hex.EncodeToString(id[13:16]))
}

// findEvent returns the first event of q that match accepts, nil if none.
func findEvent(ctx context.Context, s events.Store, q events.Query, match func(*events.Event) bool) (*events.Event, error) {
	var found *events.Event
	err := s.Read(ctx, q, func(e events.Event) error {
		if found == nil && match(&e) {
			found = &e
		}
		return nil
	})
	return found, err
}

// resolveReference checks a case's reference against the log and returns
// it with the position filled in where the log names it. A reference by
// position must name an event (the same as its id, if given); one by id
// alone must name an event of the log. A failed assessment's reference is
// the year's published results, which must grade the city 不合格: without a
// position or an id it is that publication.
func resolveReference(ctx context.Context, s events.Store, p officials.Triggered) (officials.Reference, error) {
	const op = "accountability.triggered"
	ref := p.Reference
	var found *events.Event
	var err error
	switch {
	case ref.Position != 0:
		if found, err = findEvent(ctx, s, events.Query{From: ref.Position, To: ref.Position}, func(e *events.Event) bool { return e.Position == ref.Position }); err != nil {
			return ref, err
		}
		if found == nil {
			return ref, domain.Errorf(op, domain.NotFound, "reference.position", "no event at position %d", ref.Position)
		}
		if ref.EventID != "" && found.ID.String() != ref.EventID {
			return ref, domain.Errorf(op, domain.Invalid, "reference.event_id", "position %d holds event %s (%s), not %s", ref.Position, found.ID, found.Name, ref.EventID)
		}
	case ref.EventID != "":
		if found, err = findEvent(ctx, s, events.Query{}, func(e *events.Event) bool { return e.ID.String() == ref.EventID }); err != nil {
			return ref, err
		}
		if found == nil {
			return ref, domain.Errorf(op, domain.NotFound, "reference.event_id", "no event %s in the log", ref.EventID)
		}
		ref.Position = found.Position
	case p.Kind == officials.FailedAssessment:
		_, e, err := Published(ctx, s, p.Year)
		if err != nil {
			return ref, err
		}
		if e == nil {
			return ref, domain.Errorf(op, domain.Conflict, "year", "the results of %d are not published: a failed-assessment case follows a published 不合格", p.Year)
		}
		found, ref.Position, ref.EventID = e, e.Position, e.ID.String()
	}
	if p.Kind != officials.FailedAssessment {
		return ref, nil
	}
	field := "reference.position" // the field the request named the event by
	if p.Reference.Position == 0 {
		field = "reference.event_id"
	}
	pub, ok := found.Data.(assessment.ResultsPublished)
	if !ok {
		return ref, domain.Errorf(op, domain.Invalid, field, "position %d holds %s, not the published results of %d", found.Position, found.Name, p.Year)
	}
	if pub.Year != p.Year {
		return ref, domain.Errorf(op, domain.Invalid, field, "position %d publishes the results of %d, not %d", found.Position, pub.Year, p.Year)
	}
	r, ok := pub.Result(p.City)
	if !ok {
		return ref, domain.Errorf(op, domain.NotFound, "city", "the results of %d published at position %d have none for %s", p.Year, found.Position, p.City)
	}
	if r.Grade != assessment.Fail {
		zh, _ := r.Grade.Label()
		return ref, domain.Errorf(op, domain.Conflict, "kind", "%s was graded %s (%s) in %d: not a failed assessment", p.City, zh, r.Grade, p.Year)
	}
	return ref, nil
}

// DecideAccountability records an accountability decision on an official
// in a case, occurring at the start of its date (Shanxi time), on the case's
// aggregate at the version it read (officials.DecideAccountability).
func DecideAccountability(ctx context.Context, s events.Store, actor domain.Actor, p officials.Decided) (events.Event, error) {
	return retryOnConflict(func() (events.Event, error) {
		c, err := LoadCase(ctx, s, p.City, p.Case)
		if err != nil {
			return events.Event{}, err
		}
		ro, err := LoadRoster(ctx, s)
		if err != nil {
			return events.Event{}, err
		}
		d, err := officials.DecideAccountability(c, ro, actor, p)
		if err != nil {
			return events.Event{}, err
		}
		evs, err := s.Append(ctx, events.Change{Aggregate: CaseAggregate(d.City, d.Case), Expect: events.ExpectedVersion(c.Version),
			Events: []events.Draft{{OccurredAt: d.Date.Start(domain.CST), Actor: actor, Data: d}}})
		if err != nil {
			return events.Event{}, err
		}
		return evs[0], nil
	})
}
