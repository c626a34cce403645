package enforcement

import "time"

// Compliance is an enterprise's status in one quarter of its compliance
// strip, as on a US EPA ECHO facility report: the worst that applied at any
// time in the quarter.
type Compliance string

// The quarter statuses, from best to worst, and the status of a quarter
// that ended before the enterprise came under supervision.
const (
	NotRegistered Compliance = "not_registered" // the quarter ended before the enterprise was registered
	ClosedDown    Compliance = "closed"         // the quarter began after the enterprise closed
	NoViolation   Compliance = "compliant"      // no violation identified (inspected compliant, or not inspected)
	Violation     Compliance = "violation"      // an inspection found it over its standard or quota
	UnderYellow   Compliance = "yellow"         // a yellow card was in force
	UnderRed      Compliance = "red"            // a red card was in force
)

var severity = map[Compliance]int{NotRegistered: 0, NoViolation: 1, Violation: 2, UnderYellow: 3, UnderRed: 4}

// StripQuarters is the length of a compliance strip.
const StripQuarters = 12

// QuarterCompliance is one quarter of an enterprise's strip.
type QuarterCompliance struct {
	Quarter     Quarter    `json:"quarter"`
	Status      Compliance `json:"status"`
	Inspections int        `json:"inspections"` // inspections dated in the quarter
	Violations  int        `json:"violations"`  // of which found an exceedance
	Cards       []string   `json:"cards,omitempty"`
}

// Strip returns the enterprise's compliance in the StripQuarters quarters
// ending with last, oldest first. Revoked cards do not count.
func (e *Enterprise) Strip(last Quarter) []QuarterCompliance {
	out := make([]QuarterCompliance, StripQuarters)
	q := last
	for i := StripQuarters - 1; i >= 0; i-- {
		out[i] = e.quarter(q)
		q = q.Prev()
	}
	return out
}

func (e *Enterprise) quarter(q Quarter) QuarterCompliance {
	qc := QuarterCompliance{Quarter: q, Status: NotRegistered}
	if !e.IsRegistered() || !e.Registered.Before(q.End()) {
		return qc
	}
	if !e.Closed.IsZero() && !e.Closed.After(q.Start()) {
		qc.Status = ClosedDown
		return qc
	}
	qc.Status = NoViolation
	worse := func(c Compliance) {
		if severity[c] > severity[qc.Status] {
			qc.Status = c
		}
	}
	for _, in := range e.Inspections {
		if q.Contains(in.At) {
			qc.Inspections++
			if in.Exceedance() {
				qc.Violations++
				worse(Violation)
			}
		}
	}
	for _, c := range e.Cards {
		if c.InForceDuring(q.Start(), q.End()) {
			qc.Cards = append(qc.Cards, c.DocumentNo)
			if c.Color == Red {
				worse(UnderRed)
			} else {
				worse(UnderYellow)
			}
		}
	}
	return qc
}

// Figures are an enterprise's (or a city's) enforcement figures for a year,
// by the dates actions took effect. Revoked cards are not counted as issued
// or lifted; their revocations are counted in the year of the revocation.
type Figures struct {
	Inspections int `json:"inspections"`
	Violations  int `json:"violations"` // inspections that found an exceedance
	Yellow      int `json:"yellow"`     // yellow cards issued
	Red         int `json:"red"`        // red cards issued
	Lifted      int `json:"lifted"`     // cards lifted
	Revoked     int `json:"revoked"`    // cards revoked on appeal
}

// Add adds g to f.
func (f *Figures) Add(g Figures) {
	f.Inspections += g.Inspections
	f.Violations += g.Violations
	f.Yellow += g.Yellow
	f.Red += g.Red
	f.Lifted += g.Lifted
	f.Revoked += g.Revoked
}

// Year returns the enterprise's figures for a calendar year (Shanxi time).
func (e *Enterprise) Year(year int) Figures {
	in := func(t time.Time) bool { return !t.IsZero() && DayOf(t).Year() == year }
	var f Figures
	for _, i := range e.Inspections {
		if in(i.At) {
			f.Inspections++
			if i.Exceedance() {
				f.Violations++
			}
		}
	}
	for _, c := range e.Cards {
		if c.Status == Revoked {
			if in(c.Revocation.At) {
				f.Revoked++
			}
			continue
		}
		if in(c.Issued) {
			if c.Color == Red {
				f.Red++
			} else {
				f.Yellow++
			}
		}
		if c.Status == Lifted && in(c.Ended) {
			f.Lifted++
		}
	}
	return f
}

// Compliances lists the quarter statuses from best to worst.
func Compliances() []Compliance {
	return []Compliance{NotRegistered, NoViolation, Violation, UnderYellow, UnderRed}
}
