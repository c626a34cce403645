// Package app is the ledger's application layer: it builds the registry of
// every event the product stores (names are explicit and stable, never taken
// from Go type names) and runs domain commands against an events.Store.
//
// It depends on domain and events, never on a particular backend or interface.
package app

import (
	"context"
	"time"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/events"
)

// Event names. Once an event is stored under a name, the name never changes.
const (
	CityRegistered events.Name = "city.registered"
)

// Registry returns a registry of every event type of the product.
func Registry() *events.Registry {
	r := events.NewRegistry()
	events.Register[domain.CityRegistered](r, CityRegistered, 1)
	return r
}

// CityAggregate is the aggregate holding a city's register entry.
func CityAggregate(id domain.CityID) events.Aggregate {
	return events.Aggregate{Scope: domain.CityScope(id), Type: "city", ID: events.AggregateID(id)}
}

// RegisterCities enters the 11 cities, each as a new aggregate, in one
// atomic append. Cities already registered are left as they are.
func RegisterCities(ctx context.Context, s events.Store, actor domain.Actor, at time.Time) ([]events.Event, error) {
	var changes []events.Change
	for _, c := range domain.Cities {
		agg := CityAggregate(c.ID)
		evs, err := s.Load(ctx, agg)
		if err != nil {
			return nil, err
		}
		if len(evs) > 0 {
			continue
		}
		changes = append(changes, events.Change{Aggregate: agg, Expect: events.NoEvents, Events: []events.Draft{{
			OccurredAt: at, Actor: actor,
			Data: domain.CityRegistered{Code: c.ID, Name: c.Name, NameEn: c.NameEn},
		}}})
	}
	if len(changes) == 0 {
		return nil, nil
	}
	return s.Append(ctx, changes...)
}
