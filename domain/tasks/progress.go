package tasks

import (
	"time"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/plan"
)

// Entry is one stored status change with its envelope's dates and actor.
type Entry struct {
	OccurredAt time.Time    // the date the change took effect
	RecordedAt time.Time    // when the ledger stored it
	Actor      domain.Actor // who recorded it
	Change     StatusChanged
}

// Completion is the completion a unit's status rests on while it is
// completed or verified.
type Completion struct {
	OccurredAt time.Time
	RecordedAt time.Time
	Actor      domain.Actor
	Evidence   Evidence
}

// Progress is one unit of progress (see the package documentation), folded
// from its events. The zero Progress is a task not listed.
type Progress struct {
	Task       plan.Task     // the catalogue entry; zero ID if the task is not listed
	City       domain.CityID // "" for the province's own task
	Status     Status
	Reason     string      // the reason of the last change that gave one (suspension, reopening)
	Completion *Completion // the standing completion, while completed or verified
	History    []Entry     // every change, in order
}

// NewProgress returns the unit of task t for city ("" for the province),
// not started.
func NewProgress(t plan.Task, city domain.CityID) Progress {
	return Progress{Task: t, City: city, Status: NotStarted}
}

// Apply folds one stored change into the unit. It never fails: a change is
// checked before it is stored.
func (p *Progress) Apply(e Entry) {
	c := e.Change
	p.History = append(p.History, e)
	p.Status = c.To
	if c.Reason != "" {
		p.Reason = c.Reason
	}
	switch c.To {
	case Completed:
		var ev Evidence
		if c.Evidence != nil {
			ev = *c.Evidence
		}
		p.Completion = &Completion{OccurredAt: e.OccurredAt, RecordedAt: e.RecordedAt, Actor: e.Actor, Evidence: ev}
	case Verified:
	default:
		p.Completion = nil
	}
}

// Last returns the unit's last change, if any.
func (p Progress) Last() (Entry, bool) {
	if len(p.History) == 0 {
		return Entry{}, false
	}
	return p.History[len(p.History)-1], true
}

// FirstYear is the plan's year: no change to a task happened before it.
const FirstYear = 2015

// ChangeStatus is the command to change a unit's status.
type ChangeStatus struct {
	Task     plan.TaskID
	City     domain.CityID // the city whose progress changes; "" for the province's own task
	To       Status
	Evidence Evidence // required to complete or verify, and to reopen a verified task
	Reason   string   // required to suspend and to reopen
	// CompletionUntrue reopens a completed or verified unit whose completion
	// was found untrue (StatusChanged.CompletionUntrue).
	CompletionUntrue bool
}

// Decide checks a status change against the unit's current state p (folded
// from the unit's events, with its task's catalogue entry) and returns the
// payload to append. It fails with kind Invalid for bad input (a city the
// task is not for, missing evidence or reason), NotFound for a task not
// listed, Forbidden for a role that may not change tasks or a verification
// by the actor who recorded the completion, and Conflict for a change the
// current status does not allow or one dated before the unit's last change.
func Decide(p Progress, by domain.Actor, at time.Time, c ChangeStatus) (StatusChanged, error) {
	const op = "task.status_changed"
	if err := c.Task.Validate(); err != nil {
		return StatusChanged{}, domain.E(op, domain.Invalid, "task", err)
	}
	if p.Task.ID == "" {
		return StatusChanged{}, domain.Errorf(op, domain.NotFound, "task", "%s is not listed: load the plan's catalogue first", c.Task)
	}
	if err := checkCity(p.Task, c.City); err != nil {
		return StatusChanged{}, err
	}
	if p.Task.ID != c.Task || p.City != c.City {
		return StatusChanged{}, domain.Errorf(op, domain.Internal, "task", "state of %s/%q given for a change of %s/%q", p.Task.ID, p.City, c.Task, c.City)
	}
	if err := by.Validate(op, "actor"); err != nil {
		return StatusChanged{}, err
	}
	if at.IsZero() {
		return StatusChanged{}, domain.Errorf(op, domain.Invalid, "occurred_at", "missing: the date the change took effect")
	}
	if first := time.Date(FirstYear, 1, 1, 0, 0, 0, 0, domain.CST); at.Before(first) {
		return StatusChanged{}, domain.Errorf(op, domain.Invalid, "occurred_at", "%s is before %d, the plan's year", stamp(at), FirstYear)
	}
	if err := c.To.Validate(); err != nil {
		return StatusChanged{}, domain.E(op, domain.Invalid, "to", err)
	}
	if err := c.Evidence.Validate(); err != nil {
		return StatusChanged{}, domain.E(op, domain.Invalid, "evidence."+domain.FieldOf(err), unwrap(err))
	}
	switch by.Role {
	case domain.Admin, domain.Assessment, domain.System:
	default:
		return StatusChanged{}, domain.Errorf(op, domain.Forbidden, "actor.role", "role %s may not change a task's status (assessment or admin)", by.Role)
	}
	rule, err := Transition(p.Status, c.To)
	if err != nil {
		return StatusChanged{}, domain.E(op, domain.Conflict, "to", unwrap(err))
	}
	if rule.Evidence && c.Evidence.IsZero() {
		return StatusChanged{}, domain.Errorf(op, domain.Invalid, "evidence", "missing: %s → %s needs a document number, a reference or the SHA-256 of an attached file", p.Status, c.To)
	}
	if rule.Reason && c.Reason == "" {
		return StatusChanged{}, domain.Errorf(op, domain.Invalid, "reason", "missing: %s → %s needs a reason", p.Status, c.To)
	}
	if last, ok := p.Last(); ok && at.Before(last.OccurredAt) {
		return StatusChanged{}, domain.Errorf(op, domain.Conflict, "occurred_at", "%s is before the unit's last change (%s, %s → %s): record changes in the order they happened",
			stamp(at), stamp(last.OccurredAt), last.Change.From, last.Change.To)
	}
	if c.To == Verified && p.Completion != nil && p.Completion.Actor.ID == by.ID {
		return StatusChanged{}, domain.Errorf(op, domain.Forbidden, "actor", "%s recorded the completion and may not verify it: verification is someone else's", by.ID)
	}
	if c.CompletionUntrue && (!p.Status.Done() || c.To.Done()) {
		return StatusChanged{}, domain.Errorf(op, domain.Invalid, "completion_untrue", "only a reopening of a completed or verified unit finds its completion untrue (%s → %s)", p.Status, c.To)
	}
	out := StatusChanged{Task: c.Task, City: c.City, From: p.Status, To: c.To, Reason: c.Reason, CompletionUntrue: c.CompletionUntrue}
	if !c.Evidence.IsZero() {
		ev := c.Evidence
		out.Evidence = &ev
	}
	if err := out.Validate(); err != nil {
		return StatusChanged{}, err
	}
	return out, nil
}

// checkCity checks that city is a unit of task t: "" for the province's own
// task, a responsible city for a city task.
func checkCity(t plan.Task, city domain.CityID) error {
	const op = "task.status_changed"
	if t.Governments.Reach == plan.Province {
		if city != "" {
			return domain.Errorf(op, domain.Invalid, "city", "%s is the province's own task (%s): record its status without a city", t.ID, leads(t))
		}
		return nil
	}
	if city == "" {
		return domain.Errorf(op, domain.Invalid, "city", "missing: the cities answer for %s, each for its own progress: name the city", t.ID)
	}
	c, ok := domain.LookupCity(city)
	if !ok {
		return domain.Errorf(op, domain.Invalid, "city", "%q is not one of Shanxi's 11 city codes", string(city))
	}
	if !t.Governments.Includes(city) {
		return domain.Errorf(op, domain.Invalid, "city", "%s (%s) does not answer for %s: its cities are %v", city, c.Name, t.ID, t.Governments.Responsible())
	}
	return nil
}

func leads(t plan.Task) string {
	s := ""
	for i, d := range t.Lead {
		if i > 0 {
			s += "、"
		}
		s += string(d)
	}
	return s
}

// Units lists the units of progress of task t: "" (the province) for the
// province's own task, else its responsible cities in code order.
func Units(t plan.Task) []domain.CityID {
	if t.Governments.Reach == plan.Province {
		return []domain.CityID{""}
	}
	return t.Governments.Responsible()
}

func stamp(t time.Time) string { return t.In(domain.CST).Format("2006-01-02 15:04") }
