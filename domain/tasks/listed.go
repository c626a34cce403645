package tasks

import (
	"slices"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/plan"
)

// Listed enters one task of the plan's catalogue in the ledger, as the
// catalogue states it. Event: task.listed, on the task's province-scope
// aggregate. It carries the entry field by field (optional dates as
// pointers, so that an absent date is absent from the payload).
type Listed struct {
	ID              plan.TaskID       `json:"id"`
	Chapter         string            `json:"chapter"`
	Section         string            `json:"section"`
	Paragraph       string            `json:"paragraph"`
	Item            string            `json:"item,omitempty"`
	Text            string            `json:"text"`
	Deadline        *plan.Date        `json:"deadline,omitempty"`
	From            *plan.Date        `json:"from,omitempty"`
	Lead            []plan.Department `json:"lead"`
	Participants    []plan.Department `json:"participants,omitempty"`
	ParticipantsEtc bool              `json:"participants_etc,omitempty"`
	Governments     plan.Governments  `json:"governments"`
	Target          *plan.Target      `json:"target,omitempty"`
	Category        plan.Category     `json:"category"`
}

// ListedFrom returns the payload that lists t.
func ListedFrom(t plan.Task) Listed {
	l := Listed{
		ID: t.ID, Chapter: t.Chapter, Section: t.Section, Paragraph: t.Paragraph, Item: t.Item, Text: t.Text,
		Lead: slices.Clone(t.Lead), Participants: slices.Clone(t.Participants), ParticipantsEtc: t.ParticipantsEtc,
		Governments: plan.Governments{Reach: t.Governments.Reach, Cities: slices.Clone(t.Governments.Cities)},
		Category:    t.Category,
	}
	if !t.Deadline.IsZero() {
		d := t.Deadline
		l.Deadline = &d
	}
	if !t.From.IsZero() {
		d := t.From
		l.From = &d
	}
	if t.Target != nil {
		tg := *t.Target
		l.Target = &tg
	}
	return l
}

// Task returns the catalogue entry the payload carries.
func (l Listed) Task() plan.Task {
	t := plan.Task{
		ID: l.ID, Chapter: l.Chapter, Section: l.Section, Paragraph: l.Paragraph, Item: l.Item, Text: l.Text,
		Lead: slices.Clone(l.Lead), Participants: slices.Clone(l.Participants), ParticipantsEtc: l.ParticipantsEtc,
		Governments: plan.Governments{Reach: l.Governments.Reach, Cities: slices.Clone(l.Governments.Cities)},
		Category:    l.Category,
	}
	if l.Deadline != nil {
		t.Deadline = *l.Deadline
	}
	if l.From != nil {
		t.From = *l.From
	}
	if l.Target != nil {
		tg := *l.Target
		t.Target = &tg
	}
	return t
}

// Validate checks the entry as the catalogue does (plan.Task.Validate): its
// id, place, verbatim text, dates, departments, governments, target and
// category.
func (l Listed) Validate() error {
	if err := l.Task().Validate(); err != nil {
		return domain.E("task.listed", domain.KindOrInternal(err), domain.FieldOf(err), unwrap(err))
	}
	return nil
}

// unwrap returns the reason of a *domain.Error (its Err), or err itself.
func unwrap(err error) error {
	if e, ok := err.(*domain.Error); ok && e.Err != nil {
		return e.Err
	}
	return err
}

// DecideList decides whether task t is to be listed, given what the task's
// aggregate already holds (nil: nothing). It returns the payload to append,
// nil if the same entry is already listed, or a Conflict if another entry is
// listed under the same id. Listing is done by administrators or the ledger
// itself.
func DecideList(current *Listed, by domain.Actor, t plan.Task) (*Listed, error) {
	const op = "task.listed"
	if err := by.Validate(op, "actor"); err != nil {
		return nil, err
	}
	if by.Role != domain.Admin && by.Role != domain.System {
		return nil, domain.Errorf(op, domain.Forbidden, "actor.role", "role %s may not list the plan's tasks (admin or system)", by.Role)
	}
	l := ListedFrom(t)
	if err := l.Validate(); err != nil {
		return nil, err
	}
	if current == nil {
		return &l, nil
	}
	if !sameTask(current.Task(), t) {
		return nil, domain.Errorf(op, domain.Conflict, "id", "%s is already listed with other content: a listed task is not changed", t.ID)
	}
	return nil, nil
}

func sameTask(a, b plan.Task) bool {
	if (a.Target == nil) != (b.Target == nil) || (a.Target != nil && *a.Target != *b.Target) {
		return false
	}
	return a.ID == b.ID && a.Chapter == b.Chapter && a.Section == b.Section && a.Paragraph == b.Paragraph &&
		a.Item == b.Item && a.Text == b.Text && a.Deadline.Compare(b.Deadline) == 0 && a.From.Compare(b.From) == 0 &&
		slices.Equal(a.Lead, b.Lead) && slices.Equal(a.Participants, b.Participants) &&
		a.ParticipantsEtc == b.ParticipantsEtc && a.Governments.Reach == b.Governments.Reach &&
		slices.Equal(a.Governments.Cities, b.Governments.Cities) && a.Category == b.Category
}
