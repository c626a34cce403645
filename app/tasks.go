package app

import (
	"context"
	"time"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/plan"
	"github.com/shanxi-water/ledger/domain/tasks"
	"github.com/shanxi-water/ledger/events"
)

// TaskType is the aggregate type of the plan's tasks.
const TaskType events.AggregateType = "task"

// TaskAggregate is the aggregate of one unit of a task's progress: for city
// "" the province's, which also holds the task's listing; otherwise the
// city's, in the city's scope (see domain/tasks).
func TaskAggregate(id plan.TaskID, city domain.CityID) events.Aggregate {
	scope := domain.Province
	if city != "" {
		scope = domain.CityScope(city)
	}
	return events.Aggregate{Scope: scope, Type: TaskType, ID: events.AggregateID(id)}
}

// LoadCatalogue lists every task of the plan's catalogue (domain/plan), each
// as a task.listed event opening the task's province aggregate, all in one
// atomic append. Tasks already listed as they are are left alone, so loading
// again stores nothing; a task listed with other content fails the load
// (Conflict) and nothing is stored. It returns the events stored.
func LoadCatalogue(ctx context.Context, s events.Store, actor domain.Actor, at time.Time) ([]events.Event, error) {
	listed := map[plan.TaskID]*tasks.Listed{}
	err := s.Read(ctx, events.Query{Scopes: []domain.Scope{domain.Province}, Types: []events.AggregateType{TaskType}, Names: []events.Name{TaskListed}},
		func(e events.Event) error {
			if d, ok := e.Data.(tasks.Listed); ok {
				listed[d.ID] = &d
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	var changes []events.Change
	for _, t := range plan.Tasks() {
		l, err := tasks.DecideList(listed[t.ID], actor, t)
		if err != nil {
			return nil, err
		}
		if l == nil {
			continue
		}
		changes = append(changes, events.Change{Aggregate: TaskAggregate(t.ID, ""), Expect: events.NoEvents,
			Events: []events.Draft{{OccurredAt: at, Actor: actor, Data: *l}}})
	}
	if len(changes) == 0 {
		return nil, nil
	}
	return s.Append(ctx, changes...)
}

// LoadTaskProgress folds a unit of progress (city "" for the province's own
// task) from the log: its task's listing and its status changes. It returns
// the unit and the version of the unit's aggregate; a task not listed gives
// the zero Progress.
func LoadTaskProgress(ctx context.Context, s events.Store, id plan.TaskID, city domain.CityID) (tasks.Progress, uint64, error) {
	const op = "task.load"
	if err := id.Validate(); err != nil {
		return tasks.Progress{}, 0, domain.E(op, domain.Invalid, "task", err)
	}
	if city != "" {
		if _, ok := domain.LookupCity(city); !ok {
			return tasks.Progress{}, 0, domain.Errorf(op, domain.Invalid, "city", "%q is not one of Shanxi's 11 city codes", string(city))
		}
	}
	own, err := s.Load(ctx, TaskAggregate(id, ""))
	if err != nil {
		return tasks.Progress{}, 0, err
	}
	if len(own) == 0 {
		return tasks.Progress{}, 0, nil
	}
	l, ok := own[0].Data.(tasks.Listed)
	if !ok {
		return tasks.Progress{}, 0, domain.Errorf(op, domain.Corrupt, "task", "%s opens with %s, not %s", TaskAggregate(id, ""), own[0].Name, TaskListed)
	}
	p := tasks.NewProgress(l.Task(), city)
	unit := own
	if city != "" {
		if unit, err = s.Load(ctx, TaskAggregate(id, city)); err != nil {
			return tasks.Progress{}, 0, err
		}
	}
	var version uint64
	for _, e := range unit {
		version = e.Version
		if c, ok := e.Data.(tasks.StatusChanged); ok {
			p.Apply(tasks.Entry{OccurredAt: e.OccurredAt, RecordedAt: e.RecordedAt, Actor: e.Actor, Change: c})
		}
	}
	return p, version, nil
}

// ChangeTaskStatus records a change of a unit's status dated at (the day it
// took effect), after checking it against the unit's history (see
// tasks.Decide). A concurrent change of the same unit makes it fail with a
// Conflict, never fork the history.
func ChangeTaskStatus(ctx context.Context, s events.Store, actor domain.Actor, at time.Time, c tasks.ChangeStatus) (events.Event, error) {
	p, version, err := LoadTaskProgress(ctx, s, c.Task, c.City)
	if err != nil {
		return events.Event{}, err
	}
	change, err := tasks.Decide(p, actor, at, c)
	if err != nil {
		return events.Event{}, err
	}
	evs, err := s.Append(ctx, events.Change{Aggregate: TaskAggregate(c.Task, c.City), Expect: events.ExpectedVersion(version),
		Events: []events.Draft{{OccurredAt: at, Actor: actor, Data: change}}})
	if err != nil {
		return events.Event{}, err
	}
	return evs[0], nil
}
