// Package app is the ledger's application layer: it builds the registry of
// every event the product stores (names are explicit and stable, never taken
// from Go type names) and runs domain commands against an events.Store.
//
// It depends on domain and events, never on a particular backend or interface.
package app

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/assessment"
	"github.com/shanxi-water/ledger/domain/enforcement"
	"github.com/shanxi-water/ledger/domain/monitoring"
	"github.com/shanxi-water/ledger/domain/officials"
	"github.com/shanxi-water/ledger/domain/tasks"
	"github.com/shanxi-water/ledger/events"
)

// Event names. Once an event is stored under a name, the name never changes.
const (
	CityRegistered             events.Name = "city.registered"
	SectionRegistered          events.Name = "section.registered"
	SectionTargetSet           events.Name = "section.target_set"
	SamplesRecorded            events.Name = "section.samples_recorded"
	SampleCorrected            events.Name = "section.sample_corrected"
	SampleInvalidated          events.Name = "section.sample_invalidated"
	DrinkingSourceRegistered   events.Name = "drinking_source.registered"
	SourceSamplesRecorded      events.Name = "drinking_source.samples_recorded"
	GroundwaterPointRegistered events.Name = "groundwater_point.registered"
	GroundwaterGraded          events.Name = "groundwater_point.graded"
	BlackOdorousRegistered     events.Name = "black_odorous.registered"
	BlackOdorousInspected      events.Name = "black_odorous.inspected"
	ControlUnitRegistered      events.Name = "control_unit.registered"
	RulesAdopted               events.Name = "assessment_rules.adopted"
	ResultsPublished           events.Name = "assessment.results_published"
	ConsequenceImposed         events.Name = "assessment.consequence_imposed"
)

// Event names of the plan's tasks and of enforcement.
const (
	TaskListed            events.Name = "task.listed"
	TaskStatusChanged     events.Name = "task.status_changed"
	EnterpriseRegistered  events.Name = "enterprise.registered"
	EnterpriseCodeClaimed events.Name = "enterprise_code.claimed"
	EnterpriseInspected   events.Name = "enterprise.inspected"
	YellowCardIssued      events.Name = "enterprise.yellow_card_issued"
	RedCardIssued         events.Name = "enterprise.red_card_issued"
	CardLifted            events.Name = "enterprise.card_lifted"
	CardRevoked           events.Name = "enterprise.card_revoked"
	EnterpriseClosed      events.Name = "enterprise.closed"
	CardListPublished     events.Name = "card_list.published"
)

// Registry returns a registry of every event type of the product.
func Registry() *events.Registry {
	r := events.NewRegistry()
	events.Register[domain.CityRegistered](r, CityRegistered, 1)
	events.Register[monitoring.SectionRegistered](r, SectionRegistered, 1)
	events.Register[monitoring.SectionTargetSet](r, SectionTargetSet, 1)
	events.Register[monitoring.SamplesRecorded](r, SamplesRecorded, 2)
	r.RegisterUpcaster(SamplesRecorded, 1, monitoring.UpcastSamplesRecordedV1)
	events.Register[monitoring.SampleCorrected](r, SampleCorrected, 2)
	r.RegisterUpcaster(SampleCorrected, 1, monitoring.UpcastSampleCorrectedV1)
	events.Register[monitoring.SampleInvalidated](r, SampleInvalidated, 2)
	r.RegisterUpcaster(SampleInvalidated, 1, monitoring.UpcastSampleInvalidatedV1)
	events.Register[monitoring.DrinkingSourceRegistered](r, DrinkingSourceRegistered, 1)
	events.Register[monitoring.SourceSamplesRecorded](r, SourceSamplesRecorded, 2)
	r.RegisterUpcaster(SourceSamplesRecorded, 1, monitoring.UpcastSamplesRecordedV1)
	events.Register[monitoring.GroundwaterPointRegistered](r, GroundwaterPointRegistered, 1)
	events.Register[monitoring.GroundwaterGraded](r, GroundwaterGraded, 1)
	events.Register[monitoring.BlackOdorousRegistered](r, BlackOdorousRegistered, 1)
	events.Register[monitoring.BlackOdorousInspected](r, BlackOdorousInspected, 1)
	events.Register[monitoring.ControlUnitRegistered](r, ControlUnitRegistered, 1)
	events.Register[assessment.RulesAdopted](r, RulesAdopted, 1)
	events.Register[assessment.ResultsPublished](r, ResultsPublished, 1)
	events.Register[assessment.ConsequenceImposed](r, ConsequenceImposed, 2)
	r.RegisterUpcaster(ConsequenceImposed, 1, assessment.UpcastConsequenceImposedV1)
	events.Register[tasks.Listed](r, TaskListed, 1)
	events.Register[tasks.StatusChanged](r, TaskStatusChanged, 1)
	events.Register[enforcement.EnterpriseRegistered](r, EnterpriseRegistered, 1)
	events.Register[enforcement.CodeClaimed](r, EnterpriseCodeClaimed, 1)
	events.Register[enforcement.Inspected](r, EnterpriseInspected, 1)
	events.Register[enforcement.YellowCardIssued](r, YellowCardIssued, 1)
	events.Register[enforcement.RedCardIssued](r, RedCardIssued, 1)
	events.Register[enforcement.CardLifted](r, CardLifted, 1)
	events.Register[enforcement.CardRevoked](r, CardRevoked, 1)
	events.Register[enforcement.EnterpriseClosed](r, EnterpriseClosed, 1)
	events.Register[enforcement.CardListPublished](r, CardListPublished, 1)
	events.Register[officials.Registered](r, OfficialRegistered, 1)
	events.Register[officials.Appointed](r, OfficialAppointed, 1)
	events.Register[officials.Departed](r, OfficialDeparted, 1)
	events.Register[officials.Triggered](r, AccountabilityTriggered, 1)
	events.Register[officials.Decided](r, AccountabilityDecided, 1)
	events.Register[officials.PostFilled](r, PostFilled, 1)
	return r
}

// CityType is the aggregate type of a city's register entry.
const CityType events.AggregateType = "city"

// CityAggregate is the aggregate holding a city's register entry.
func CityAggregate(id domain.CityID) events.Aggregate {
	return events.Aggregate{Scope: domain.CityScope(id), Type: CityType, ID: events.AggregateID(id)}
}

// AggregateTypes are the aggregate types the ledger writes: what a query's
// type filter may name.
var AggregateTypes = []events.AggregateType{CityType, ControlUnitType, SectionType, DrinkingSourceType, GroundwaterPointType,
	BlackOdorousType, TaskType, EnterpriseType, EnterpriseCodeType, CardListType, RulesType, AssessmentType, OfficialType, PostType, CaseType}

// CheckTypes reports the first of types the ledger does not write, naming
// field[i]: a filter on it would match nothing, silently.
func CheckTypes(op, field string, types []events.AggregateType) error {
	for i, t := range types {
		if !slices.Contains(AggregateTypes, t) {
			return domain.Errorf(op, domain.Invalid, fmt.Sprintf("%s[%d]", field, i), "%q is not an aggregate type of the ledger (%v)", t, AggregateTypes)
		}
	}
	return nil
}

// registry is the ledger's registry, made once, for CheckNames.
var registry = sync.OnceValue(Registry)

// CheckNames reports the first of names the ledger has no event of, naming
// field[i]: a filter on it would match nothing, silently.
func CheckNames(op, field string, names []events.Name) error {
	for i, n := range names {
		if !registry().Known(n) {
			return domain.Errorf(op, domain.Invalid, fmt.Sprintf("%s[%d]", field, i), "%q is not an event name of the ledger (e.g. section.samples_recorded, task.status_changed)", n)
		}
	}
	return nil
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
