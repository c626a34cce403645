package app

import (
	"fmt"
	"time"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/assessment"
	"github.com/shanxi-water/ledger/domain/plan"
	"github.com/shanxi-water/ledger/projections/taskboard"
)

// BoardFigures gives the assessment a city's task figures from the task
// board, as they stood at the end of the year: the city's units of tasks
// due in the year, and those done on time; and the units overdue when the
// year began (due in an earlier year, 2015 included, and not done), which
// count in every year until they are done, never on time. A city with
// overdue units no longer scores full marks in a year with nothing new due.
type BoardFigures struct {
	*taskboard.Board
}

// NewBoardFigures is a fresh task read model for one computation.
func NewBoardFigures() TaskFigures { return BoardFigures{taskboard.New()} }

// CityTasks counts a city's tasks due in year and done on time.
func (b BoardFigures) CityTasks(c domain.CityID, year int) (due, onTime int, evidence []assessment.Evidence) {
	day := plan.NewDate(year, time.December, 31)
	carried := map[plan.TaskID]bool{} // overdue when the year began
	for _, r := range b.CityRows(plan.NewDate(year, time.January, 1), c) {
		if taskboard.CarriedInto(r, year) {
			carried[r.Task] = true
		}
	}
	for _, r := range b.CityRows(day, c) {
		if r.Deadline.IsZero() || (r.Deadline.Year() != year && !carried[r.Task]) {
			continue
		}
		due++
		outcome := fmt.Sprintf("%s, due %s", r.Status, r.Deadline)
		if carried[r.Task] {
			outcome += ": overdue when the year began, not on time"
		} else if r.OnTime {
			onTime++
			outcome += ": done on time"
			if r.RecordedLate {
				outcome += " (recorded late)"
			}
		}
		ev := assessment.Evidence{Part: "tasks", Subject: string(r.Task), Outcome: outcome, Positions: []uint64{}}
		hist, _ := b.History(r.Task, c)
		for _, h := range hist {
			ev.Positions = append(ev.Positions, h.Position)
		}
		evidence = append(evidence, ev)
	}
	return due, onTime, evidence
}
