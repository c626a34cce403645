// Package taskboard is the read model of the plan's tasks: every unit of
// progress (a task for the province, or a task in one city) with its status
// history, and, for any day, what is overdue grouped by lead department and
// by city, and the tallies of a year's tasks done on time per category and
// per city — the figure the annual assessment's key-task score uses.
//
// It is built only from task.listed and task.status_changed events. A day's
// answers use the changes dated (occurred) on or before it; replay the log
// with events.Query{RecordedBy: …} to have them as the ledger knew them then.
// Overdue, on time, late and recorded late are derived (domain/tasks), never
// read from an event.
//
// It depends on events, domain, domain/plan and domain/tasks.
package taskboard

import (
	"cmp"
	"slices"
	"time"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/plan"
	"github.com/shanxi-water/ledger/domain/tasks"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/projections"
)

type unitKey struct {
	task plan.TaskID
	city domain.CityID
}

// Board is the read model. Build it with New and feed it events (Apply).
type Board struct {
	tasks     map[plan.TaskID]plan.Task
	order     []plan.TaskID // listing order
	units     map[unitKey]*unit
	inputs    projections.Inputs // the events applied, for snapshots
	LastEvent uint64             // position of the last event applied
}

type unit struct {
	progress tasks.Progress
	history  []Change
}

// New returns an empty board.
func New() *Board {
	return &Board{tasks: map[plan.TaskID]plan.Task{}, units: map[unitKey]*unit{}}
}

// Change is one status change in a unit's history, with where it is in the
// log.
type Change struct {
	From       tasks.Status    `json:"from"`
	To         tasks.Status    `json:"to"`
	OccurredAt time.Time       `json:"occurred_at"`
	RecordedAt time.Time       `json:"recorded_at"`
	Actor      domain.Actor    `json:"actor"`
	Evidence   *tasks.Evidence `json:"evidence,omitempty"`
	Reason     string          `json:"reason,omitempty"`
	Position   uint64          `json:"position"`
	EventID    string          `json:"event_id"`
	// RecordedLate flags a completion dated on or before the deadline but
	// recorded after it.
	RecordedLate bool `json:"recorded_late,omitempty"`
}

// Apply folds one event into the board.
func (b *Board) Apply(e events.Event) {
	b.LastEvent = e.Position
	switch d := e.Data.(type) {
	case tasks.Listed:
		b.inputs.Add(e)
		t := d.Task()
		if _, ok := b.tasks[t.ID]; !ok {
			b.order = append(b.order, t.ID)
		}
		b.tasks[t.ID] = t
		for _, c := range tasks.Units(t) {
			k := unitKey{t.ID, c}
			if b.units[k] == nil {
				b.units[k] = &unit{progress: tasks.NewProgress(t, c)}
			}
		}
	case tasks.StatusChanged:
		u := b.units[unitKey{d.Task, d.City}]
		if u == nil {
			return // a unit of no listed task: the commands never store one
		}
		b.inputs.Add(e)
		u.progress.Apply(tasks.Entry{OccurredAt: e.OccurredAt, RecordedAt: e.RecordedAt, Actor: e.Actor, Change: d})
		c := Change{From: d.From, To: d.To, OccurredAt: e.OccurredAt, RecordedAt: e.RecordedAt, Actor: e.Actor,
			Evidence: d.Evidence, Reason: d.Reason, Position: e.Position, EventID: e.ID.String()}
		if dl := u.progress.Task.Deadline; d.To == tasks.Completed && !dl.IsZero() {
			end := tasks.EndOf(dl)
			c.RecordedLate = e.OccurredAt.Before(end) && !e.RecordedAt.Before(end)
		}
		u.history = append(u.history, c)
	}
}

// Task returns a listed task.
func (b *Board) Task(id plan.TaskID) (plan.Task, bool) {
	t, ok := b.tasks[id]
	return t, ok
}

// Tasks lists the listed tasks in the order they were listed.
func (b *Board) Tasks() []plan.Task {
	out := make([]plan.Task, len(b.order))
	for i, id := range b.order {
		out[i] = b.tasks[id]
	}
	return out
}

// History returns a unit's status changes in order (city "" for the
// province's own task), and whether the unit exists.
func (b *Board) History(id plan.TaskID, city domain.CityID) ([]Change, bool) {
	u := b.units[unitKey{id, city}]
	if u == nil {
		return nil, false
	}
	return slices.Clone(u.history), true
}

// Row is one unit of progress as it stood at the end of a day.
type Row struct {
	Task     plan.TaskID       `json:"task"`
	Scope    domain.Scope      `json:"scope"`          // province, or the city's code
	City     domain.CityID     `json:"city,omitempty"` // "" for the province's own task
	Category plan.Category     `json:"category"`
	Lead     []plan.Department `json:"lead"`
	tasks.Standing
}

func scopeOf(c domain.CityID) domain.Scope {
	if c == "" {
		return domain.Province
	}
	return domain.CityScope(c)
}

// Rows returns every unit as it stood at the end of day, in listing order
// and, within a task, in city code order.
func (b *Board) Rows(day plan.Date) []Row {
	var out []Row
	for _, id := range b.order {
		t := b.tasks[id]
		for _, c := range tasks.Units(t) {
			if u := b.units[unitKey{id, c}]; u != nil {
				out = append(out, row(t, c, u, day))
			}
		}
	}
	return out
}

// CityRows is Rows for one city's units only (a unit per task the city
// has), without standing the other cities' units on day.
func (b *Board) CityRows(day plan.Date, city domain.CityID) []Row {
	var out []Row
	for _, id := range b.order {
		if u := b.units[unitKey{id, city}]; u != nil {
			out = append(out, row(b.tasks[id], city, u, day))
		}
	}
	return out
}

func row(t plan.Task, c domain.CityID, u *unit, day plan.Date) Row {
	return Row{Task: t.ID, Scope: scopeOf(c), City: c, Category: t.Category, Lead: slices.Clone(t.Lead), Standing: u.progress.On(day)}
}

// DepartmentGroup is the overdue units of the tasks a department leads.
type DepartmentGroup struct {
	Department plan.Department `json:"department"`
	Rows       []Row           `json:"rows"`
}

// CityGroup is the overdue units of a city (or of the province).
type CityGroup struct {
	Scope domain.Scope `json:"scope"`
	Rows  []Row        `json:"rows"`
}

// Overdue is what was overdue at the end of a day.
type Overdue struct {
	Day          plan.Date         `json:"day"`
	Rows         []Row             `json:"rows"`          // listing order, then city order
	ByDepartment []DepartmentGroup `json:"by_department"` // a task with several leads is under each; departments in name order
	ByCity       []CityGroup       `json:"by_city"`       // cities in code order, then the province
}

// Overdue returns the units overdue at the end of day: past their deadline,
// neither completed nor verified, and not suspended.
func (b *Board) Overdue(day plan.Date) Overdue {
	out := Overdue{Day: day, Rows: []Row{}, ByDepartment: []DepartmentGroup{}, ByCity: []CityGroup{}}
	byDept := map[plan.Department][]Row{}
	byScope := map[domain.Scope][]Row{}
	for _, r := range b.Rows(day) {
		if !r.Overdue {
			continue
		}
		out.Rows = append(out.Rows, r)
		for _, d := range r.Lead {
			byDept[d] = append(byDept[d], r)
		}
		byScope[r.Scope] = append(byScope[r.Scope], r)
	}
	for d, rows := range byDept {
		out.ByDepartment = append(out.ByDepartment, DepartmentGroup{Department: d, Rows: rows})
	}
	slices.SortFunc(out.ByDepartment, func(a, b DepartmentGroup) int { return cmp.Compare(a.Department, b.Department) })
	for _, s := range scopes() {
		if rows := byScope[s]; len(rows) > 0 {
			out.ByCity = append(out.ByCity, CityGroup{Scope: s, Rows: rows})
		}
	}
	return out
}

// scopes lists the 11 cities in code order, then the province.
func scopes() []domain.Scope {
	out := make([]domain.Scope, 0, len(domain.Cities)+1)
	for _, c := range domain.Cities {
		out = append(out, domain.CityScope(c.ID))
	}
	return append(out, domain.Province)
}

// Tally counts units whose deadline falls in a year, as they stood at the
// end of a day. OnTime + Late + Overdue + Suspended + Pending = Units.
type Tally struct {
	Units        int `json:"units"`
	Due          int `json:"due"`           // deadline on or before the day
	OnTime       int `json:"on_time"`       // done, the completion dated by the deadline
	Late         int `json:"late"`          // done after the deadline
	Overdue      int `json:"overdue"`       // past the deadline, not done, not suspended
	Suspended    int `json:"suspended"`     // suspended (never overdue)
	Pending      int `json:"pending"`       // not done, not suspended, the deadline not yet passed
	RecordedLate int `json:"recorded_late"` // of OnTime: recorded after the deadline
	Verified     int `json:"verified"`      // of OnTime and Late: verified
}

func (t *Tally) add(s tasks.Standing) {
	t.Units++
	if s.Due {
		t.Due++
	}
	switch {
	case s.OnTime:
		t.OnTime++
	case s.Late:
		t.Late++
	case s.Overdue:
		t.Overdue++
	case s.Status == tasks.Suspended:
		t.Suspended++
	default:
		t.Pending++
	}
	if s.RecordedLate {
		t.RecordedLate++
	}
	if s.Status == tasks.Verified {
		t.Verified++
	}
}

// CategoryTally is a category's tally.
type CategoryTally struct {
	Category plan.Category `json:"category"`
	Tally
}

// CityTally is a city's (or the province's own) tally, with its categories.
type CityTally struct {
	Scope domain.Scope `json:"scope"`
	Tally
	ByCategory []CategoryTally `json:"by_category"`
	Carried    Tally           `json:"carried"` // its units carried into the year (YearReport.Carried)
}

// YearReport tallies the units whose deadline falls in a year, and those
// carried into it.
type YearReport struct {
	Year       int             `json:"year"`
	Day        plan.Date       `json:"day"`
	Total      Tally           `json:"total"`
	ByCategory []CategoryTally `json:"by_category"` // in the assessment's order
	ByCity     []CityTally     `json:"by_city"`     // the 11 cities in code order, then the province
	// Carried tallies, as Total does, the units overdue when the year
	// began (CarriedInto): the assessment counts them in the year, never on
	// time, beside those due in it. ByCity carries each city's.
	Carried Tally `json:"carried"`
}

// CarriedInto reports whether a unit, as it stood when year began (r from
// Rows or CityRows of 1 January), is carried into the year: due in an
// earlier year (2015 included) and overdue, not done. The assessment
// counts such a unit in every year until it is done, never on time.
func CarriedInto(r Row, year int) bool {
	return r.Overdue && !r.Deadline.IsZero() && r.Deadline.Year() < year
}

// Year tallies the units whose deadline falls in year, as they stood at the
// end of day: per category and per city, how many were done on time. The
// assessment of a year reads it at the year's end (or later, to count
// completions dated in time but recorded after).
func (b *Board) Year(year int, day plan.Date) YearReport {
	cats := func() []CategoryTally {
		out := make([]CategoryTally, len(plan.Categories))
		for i, c := range plan.Categories {
			out[i].Category = c
		}
		return out
	}
	rep := YearReport{Year: year, Day: day, ByCategory: cats()}
	index := map[domain.Scope]int{}
	for i, s := range scopes() {
		rep.ByCity = append(rep.ByCity, CityTally{Scope: s, ByCategory: cats()})
		index[s] = i
	}
	carried := map[unitKey]bool{}
	for _, r := range b.Rows(plan.NewDate(year, time.January, 1)) {
		if CarriedInto(r, year) {
			carried[unitKey{r.Task, r.City}] = true
		}
	}
	for _, r := range b.Rows(day) {
		if carried[unitKey{r.Task, r.City}] {
			rep.Carried.add(r.Standing)
			rep.ByCity[index[r.Scope]].Carried.add(r.Standing)
			continue
		}
		if r.Deadline.IsZero() || r.Deadline.Year() != year {
			continue
		}
		ci := slices.Index(plan.Categories, r.Category)
		rep.Total.add(r.Standing)
		city := &rep.ByCity[index[r.Scope]]
		city.add(r.Standing)
		if ci >= 0 {
			rep.ByCategory[ci].add(r.Standing)
			city.ByCategory[ci].add(r.Standing)
		}
	}
	if last := rep.ByCity[len(rep.ByCity)-1]; last.Units == 0 && last.Carried.Units == 0 {
		rep.ByCity = rep.ByCity[:len(rep.ByCity)-1] // no provincial task due that year
	}
	return rep
}
