package tasks

import (
	"time"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/plan"
)

// DayOf returns the Shanxi calendar day of t.
func DayOf(t time.Time) plan.Date {
	y, m, d := t.In(domain.CST).Date()
	return plan.NewDate(y, m, d)
}

// EndOf returns the first instant after day d in Shanxi: a deadline d is
// met by anything before it.
func EndOf(d plan.Date) time.Time { return d.Start(domain.CST).AddDate(0, 0, 1) }

// Standing is where a unit stood at the end of a day, and what that means
// against its deadline.
type Standing struct {
	Day      plan.Date `json:"day"`
	Status   Status    `json:"status"`
	Since    time.Time `json:"since,omitzero"` // the date of the change that set it; zero if never changed
	Reason   string    `json:"reason,omitempty"`
	Deadline plan.Date `json:"deadline,omitzero"` // zero: the task has none (a standing obligation or an undated target)

	// Completed is the date of the standing completion (completed or
	// verified), and CompletionRecorded when the ledger stored it.
	Completed          time.Time `json:"completed,omitzero"`
	CompletionRecorded time.Time `json:"completion_recorded,omitzero"`

	Due          bool `json:"due"`           // the deadline is on or before Day
	Overdue      bool `json:"overdue"`       // past the deadline, not done and not suspended
	DaysOverdue  int  `json:"days_overdue"`  // whole days since the deadline, when overdue
	OnTime       bool `json:"on_time"`       // done, the completion dated on or before the deadline
	Late         bool `json:"late"`          // done, the completion dated after the deadline
	RecordedLate bool `json:"recorded_late"` // on time by its date, but recorded after the deadline
}

// untrue marks the changes a later reopening found untrue: each completion
// it reopened, and the verification of it.
func (p Progress) untrue() map[int]bool {
	var out map[int]bool
	for i, e := range p.History {
		if !e.Change.CompletionUntrue {
			continue
		}
		for j := i - 1; j >= 0; j-- {
			to := p.History[j].Change.To
			if !to.Done() {
				break
			}
			if out == nil {
				out = map[int]bool{}
			}
			out[j] = true
			if to == Completed {
				break
			}
		}
	}
	return out
}

// On returns where the unit stood at the end of day, from the changes dated
// on or before it. Overdue, on time, late and recorded late are derived here
// from the deadline; none of them is ever recorded.
func (p Progress) On(day plan.Date) Standing {
	end := EndOf(day)
	st := Standing{Day: day, Status: NotStarted, Deadline: p.Task.Deadline}
	untrue := p.untrue()
	var completion *Entry
	for i := range p.History {
		e := &p.History[i]
		if !e.OccurredAt.Before(end) {
			break // changes are stored in date order
		}
		if untrue[i] {
			continue // a completion found untrue later, and its verification: it never happened
		}
		// The reason is the current status's: a suspension's reason does
		// not outlive the suspension.
		st.Status, st.Since, st.Reason = e.Change.To, e.OccurredAt, e.Change.Reason
		switch e.Change.To {
		case Completed:
			completion = e
		case Verified:
		default:
			completion = nil
		}
	}
	if completion != nil {
		st.Completed, st.CompletionRecorded = completion.OccurredAt, completion.RecordedAt
	}
	if st.Deadline.IsZero() {
		return st
	}
	deadlineEnd := EndOf(st.Deadline)
	st.Due = day.Compare(st.Deadline) >= 0
	switch {
	case st.Status.Done():
		st.OnTime = st.Completed.Before(deadlineEnd)
		st.Late = !st.OnTime
		st.RecordedLate = st.OnTime && !st.CompletionRecorded.Before(deadlineEnd)
	case st.Status == Suspended && st.Since.Before(deadlineEnd):
		// Suspended before its deadline: paused, not overdue. One suspended
		// after it stays overdue: a suspension does not undo a missed
		// deadline.
	case day.Compare(st.Deadline) > 0:
		st.Overdue = true
		st.DaysOverdue = int(end.Sub(deadlineEnd).Hours()/24 + 0.5)
	}
	return st
}
