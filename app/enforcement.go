package app

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/enforcement"
	"github.com/shanxi-water/ledger/events"
)

// Aggregate types of enforcement.
const (
	EnterpriseType     events.AggregateType = "enterprise"
	EnterpriseCodeType events.AggregateType = "enterprise_code" // one per enterprise id, in the province's scope
	CardListType       events.AggregateType = "card_list"
)

// EnterpriseCodeAggregate is the claim on an enterprise's id across the
// province (enforcement.CodeClaimed).
func EnterpriseCodeAggregate(id enforcement.EnterpriseID) events.Aggregate {
	return events.Aggregate{Scope: domain.Province, Type: EnterpriseCodeType, ID: events.AggregateID(id)}
}

// EnterpriseAggregate is the aggregate of an enterprise registered in a city.
func EnterpriseAggregate(city domain.CityID, id enforcement.EnterpriseID) events.Aggregate {
	return events.Aggregate{Scope: domain.CityScope(city), Type: EnterpriseType, ID: events.AggregateID(id)}
}

// CardListAggregate is the aggregate of the published card list of a scope
// (a city, or the province) for a quarter, e.g. 140100/card_list/2019Q2.
func CardListAggregate(scope domain.Scope, q enforcement.Quarter) events.Aggregate {
	return events.Aggregate{Scope: scope, Type: CardListType, ID: events.AggregateID(q.String())}
}

// LoadEnterprise folds an enterprise's aggregate. It returns the state (the
// zero Enterprise if nothing is registered there) and the aggregate's version.
func LoadEnterprise(ctx context.Context, s events.Store, agg events.Aggregate) (enforcement.Enterprise, uint64, error) {
	const op = "enterprise.load"
	var e enforcement.Enterprise
	if agg.Type != EnterpriseType {
		return e, 0, domain.Errorf(op, domain.Invalid, "aggregate.type", "%q is not %q", agg.Type, EnterpriseType)
	}
	evs, err := s.Load(ctx, agg)
	if err != nil {
		return e, 0, err
	}
	var version uint64
	for _, ev := range evs {
		e.Apply(ev.OccurredAt, ev.Data)
		version = ev.Version
	}
	return e, version, nil
}

// enterpriseCommand loads an enterprise, decides, and appends the payload at
// the version it decided on.
func enterpriseCommand(ctx context.Context, s events.Store, actor domain.Actor, at time.Time, agg events.Aggregate,
	decide func(enforcement.Enterprise, enforcement.Action) (any, error)) (events.Event, error) {
	e, version, err := LoadEnterprise(ctx, s, agg)
	if err != nil {
		return events.Event{}, err
	}
	payload, err := decide(e, enforcement.Action{At: at, By: actor})
	if err != nil {
		return events.Event{}, err
	}
	evs, err := s.Append(ctx, events.Change{Aggregate: agg, Expect: events.ExpectedVersion(version),
		Events: []events.Draft{{OccurredAt: at, Actor: actor, Data: payload}}})
	if err != nil {
		return events.Event{}, err
	}
	return evs[0], nil
}

// RegisterEnterprise enters an enterprise in the register of its city, dated
// at (the day it came under supervision). An enterprise is registered once,
// in one city: an id registered in another city is a Conflict; so is a
// permit number another registration gave (as its id, or beside its code).
//
// The check spans cities. It is made race-free, across any number of ledger
// processes, by each code's own aggregate (EnterpriseCodeAggregate): the
// registration is appended together with an enforcement.CodeClaimed on its
// id, and one on its permit number if it also has a code, expecting no
// events, in one atomic append; of registrations made at once one is
// stored, and the others are decided again and refused. Codes registered
// before claims were recorded have none; for them the registrations
// themselves are read.
func RegisterEnterprise(ctx context.Context, s events.Store, actor domain.Actor, at time.Time, r enforcement.EnterpriseRegistered) (events.Event, error) {
	const op = "enterprise.registered"
	if err := r.Validate(); err != nil {
		return events.Event{}, err
	}
	id := r.ID()
	codes := []enforcement.EnterpriseID{id}
	if r.PermitNo != "" && enforcement.EnterpriseID(r.PermitNo) != id {
		codes = append(codes, enforcement.EnterpriseID(r.PermitNo))
	}
	return retryOnConflict(func() (events.Event, error) {
		held, err := codeHolders(ctx, s, codes)
		if err != nil {
			return events.Event{}, err
		}
		var claims []events.Change
		for i, code := range codes {
			holder, city, claimed := held[i].holder, held[i].city, held[i].claimed
			switch {
			case holder != "" && holder != id:
				return events.Event{}, domain.Errorf(op, domain.Conflict, "permit_no", "permit number %s is already registered, as enterprise %s in %s", code, holder, city)
			case city != "" && city != r.City:
				return events.Event{}, domain.Errorf(op, domain.Conflict, "city", "%s is already registered in %s", id, city)
			}
			if !claimed {
				c := enforcement.CodeClaimed{City: r.City}
				if code != id {
					c.Enterprise = id
				}
				claims = append(claims, events.Change{Aggregate: EnterpriseCodeAggregate(code), Expect: events.NoEvents,
					Events: []events.Draft{{OccurredAt: at, Actor: actor, Data: c}}})
			}
		}
		agg := EnterpriseAggregate(r.City, id)
		e, version, err := LoadEnterprise(ctx, s, agg)
		if err != nil {
			return events.Event{}, err
		}
		d, err := enforcement.DecideRegister(e, enforcement.Action{At: at, By: actor}, r)
		if err != nil {
			return events.Event{}, err
		}
		changes := append([]events.Change{{Aggregate: agg, Expect: events.ExpectedVersion(version),
			Events: []events.Draft{{OccurredAt: at, Actor: actor, Data: d}}}}, claims...)
		evs, err := s.Append(ctx, changes...)
		if err != nil {
			return events.Event{}, err
		}
		return evs[0], nil
	})
}

// holding is who holds an enterprise code or permit number: the
// enterprise registered with it and its city (empty if none), and whether
// a claim records it.
type holding struct {
	holder  enforcement.EnterpriseID
	city    domain.CityID
	claimed bool
}

// codeHolders is who holds each of codes. Codes registered before claims
// were recorded, and permit numbers before they were claimed beside a
// code, are found among the registrations, read once for all of them.
func codeHolders(ctx context.Context, s events.Store, codes []enforcement.EnterpriseID) ([]holding, error) {
	out := make([]holding, len(codes))
	unclaimed := map[enforcement.EnterpriseID]int{}
	for i, code := range codes {
		claims, err := s.Load(ctx, EnterpriseCodeAggregate(code))
		if err != nil {
			return nil, err
		}
		if len(claims) > 0 {
			c, _ := claims[len(claims)-1].Data.(enforcement.CodeClaimed)
			out[i] = holding{cmp.Or(c.Enterprise, code), c.City, true}
		} else {
			unclaimed[code] = i
		}
	}
	if len(unclaimed) == 0 {
		return out, nil
	}
	found := map[int]bool{}
	err := s.Read(ctx, events.Query{Types: []events.AggregateType{EnterpriseType}, Names: []events.Name{EnterpriseRegistered}}, func(e events.Event) error {
		r, _ := e.Data.(enforcement.EnterpriseRegistered)
		for _, code := range []enforcement.EnterpriseID{r.ID(), enforcement.EnterpriseID(r.PermitNo)} {
			if i, ok := unclaimed[code]; ok && !found[i] {
				found[i], out[i] = true, holding{r.ID(), r.City, false}
			}
		}
		return nil
	})
	return out, err
}

// RecordInspection records an inspection of the enterprise at agg, dated at
// (see enforcement.DecideInspection).
func RecordInspection(ctx context.Context, s events.Store, actor domain.Actor, at time.Time, agg events.Aggregate, in enforcement.Inspected) (events.Event, error) {
	return enterpriseCommand(ctx, s, actor, at, agg, func(e enforcement.Enterprise, a enforcement.Action) (any, error) {
		return enforcement.DecideInspection(e, a, in)
	})
}

// IssueYellowCard records a yellow card on the enterprise at agg (see
// enforcement.DecideYellowCard).
func IssueYellowCard(ctx context.Context, s events.Store, actor domain.Actor, at time.Time, agg events.Aggregate, y enforcement.YellowCardIssued) (events.Event, error) {
	return enterpriseCommand(ctx, s, actor, at, agg, func(e enforcement.Enterprise, a enforcement.Action) (any, error) {
		return enforcement.DecideYellowCard(e, a, y)
	})
}

// IssueRedCard records a red card on the enterprise at agg (see
// enforcement.DecideRedCard): it is refused unless a yellow card's
// rectification failed.
func IssueRedCard(ctx context.Context, s events.Store, actor domain.Actor, at time.Time, agg events.Aggregate, r enforcement.RedCardIssued) (events.Event, error) {
	return enterpriseCommand(ctx, s, actor, at, agg, func(e enforcement.Enterprise, a enforcement.Action) (any, error) {
		return enforcement.DecideRedCard(e, a, r)
	})
}

// LiftCard records the lifting of a card (see enforcement.DecideLift).
func LiftCard(ctx context.Context, s events.Store, actor domain.Actor, at time.Time, agg events.Aggregate, l enforcement.CardLifted) (events.Event, error) {
	return enterpriseCommand(ctx, s, actor, at, agg, func(e enforcement.Enterprise, a enforcement.Action) (any, error) {
		return enforcement.DecideLift(e, a, l)
	})
}

// RevokeCard records a card's revocation on appeal (see
// enforcement.DecideRevoke).
func RevokeCard(ctx context.Context, s events.Store, actor domain.Actor, at time.Time, agg events.Aggregate, r enforcement.CardRevoked) (events.Event, error) {
	return enterpriseCommand(ctx, s, actor, at, agg, func(e enforcement.Enterprise, a enforcement.Action) (any, error) {
		return enforcement.DecideRevoke(e, a, r)
	})
}

// CloseEnterprise records that the enterprise at agg was shut down for
// good, dated at (see enforcement.DecideClose).
func CloseEnterprise(ctx context.Context, s events.Store, actor domain.Actor, at time.Time, agg events.Aggregate, c enforcement.EnterpriseClosed) (events.Event, error) {
	return enterpriseCommand(ctx, s, actor, at, agg, func(e enforcement.Enterprise, a enforcement.Action) (any, error) {
		return enforcement.DecideClose(e, a, c)
	})
}

// LoadEnterprises folds every enterprise of a scope (a city, or the province
// for all), as the log stands, in city and id order.
func LoadEnterprises(ctx context.Context, s events.Store, scope domain.Scope) ([]*enforcement.Enterprise, error) {
	q := events.Query{Types: []events.AggregateType{EnterpriseType}}
	if scope != domain.Province {
		q.Scopes = []domain.Scope{scope}
	}
	byAgg := map[events.Aggregate]*enforcement.Enterprise{}
	err := s.Read(ctx, q, func(ev events.Event) error {
		e := byAgg[ev.Aggregate]
		if e == nil {
			e = &enforcement.Enterprise{}
			byAgg[ev.Aggregate] = e
		}
		e.Apply(ev.OccurredAt, ev.Data)
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]*enforcement.Enterprise, 0, len(byAgg))
	for _, e := range byAgg {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b *enforcement.Enterprise) int {
		return cmp.Or(cmp.Compare(a.Info.City, b.Info.City), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// PublishedCardList returns the list published for a scope and quarter and
// the event that published it, or NotFound.
func PublishedCardList(ctx context.Context, s events.Store, scope domain.Scope, q enforcement.Quarter) (enforcement.CardListPublished, events.Event, error) {
	const op = "card_list.load"
	if err := scope.Validate(); err != nil {
		return enforcement.CardListPublished{}, events.Event{}, domain.E(op, domain.Invalid, "scope", err)
	}
	if err := q.Validate(); err != nil {
		return enforcement.CardListPublished{}, events.Event{}, domain.E(op, domain.Invalid, "quarter", err)
	}
	evs, err := s.Load(ctx, CardListAggregate(scope, q))
	if err != nil {
		return enforcement.CardListPublished{}, events.Event{}, err
	}
	for _, e := range evs {
		if p, ok := e.Data.(enforcement.CardListPublished); ok {
			return p, e, nil
		}
	}
	return enforcement.CardListPublished{}, events.Event{}, domain.Errorf(op, domain.NotFound, "quarter", "no %s list of %s has been published", q, scope)
}

// PublishCardList computes the quarter's list of yellow- and red-card
// enterprises of a scope (a city, or the province) as the log stands now,
// and records its publication, dated at, with its SHA-256: once per scope
// and quarter, after the quarter has ended. What was published stays as
// published, whatever is recorded later.
func PublishCardList(ctx context.Context, s events.Store, actor domain.Actor, at time.Time, scope domain.Scope, q enforcement.Quarter, authority, documentNo string) (events.Event, error) {
	existing, _, err := PublishedCardList(ctx, s, scope, q)
	var prev *enforcement.CardListPublished
	switch {
	case err == nil:
		prev = &existing
	case domain.KindOf(err) != domain.NotFound:
		return events.Event{}, err
	}
	all, err := LoadEnterprises(ctx, s, scope)
	if err != nil {
		return events.Event{}, err
	}
	list := enforcement.BuildCardList(scope, q, all)
	p, err := enforcement.DecidePublish(prev, enforcement.Action{At: at, By: actor}, list, authority, documentNo)
	if err != nil {
		return events.Event{}, err
	}
	evs, err := s.Append(ctx, events.Change{Aggregate: CardListAggregate(scope, q), Expect: events.NoEvents,
		Events: []events.Draft{{OccurredAt: at, Actor: actor, Data: p}}})
	if err != nil {
		return events.Event{}, err
	}
	return evs[0], nil
}
