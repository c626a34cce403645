package enforcement

import (
	"fmt"
	"time"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/plan"
)

// Quarter is a calendar quarter in Shanxi time, written "2019Q2".
type Quarter struct {
	Year int
	Q    int // 1–4
}

// QuarterOf returns the quarter of t (in Shanxi time).
func QuarterOf(t time.Time) Quarter {
	t = t.In(domain.CST)
	return Quarter{t.Year(), (int(t.Month())-1)/3 + 1}
}

// Validate checks the quarter number and a year in 2000–2099.
func (q Quarter) Validate() error {
	if q.Q < 1 || q.Q > 4 {
		return fmt.Errorf("quarter %d: want 1–4", q.Q)
	}
	if q.Year < 2000 || q.Year > 2099 {
		return fmt.Errorf("year %d: want 2000–2099", q.Year)
	}
	return nil
}

// Start is the quarter's first instant.
func (q Quarter) Start() time.Time {
	return time.Date(q.Year, time.Month(3*(q.Q-1)+1), 1, 0, 0, 0, 0, domain.CST)
}

// End is the first instant after the quarter.
func (q Quarter) End() time.Time { return q.Start().AddDate(0, 3, 0) }

// LastDay is the quarter's last day.
func (q Quarter) LastDay() plan.Date { return DayOf(q.End().Add(-time.Nanosecond)) }

// Next is the following quarter.
func (q Quarter) Next() Quarter { return QuarterOf(q.End()) }

// Prev is the preceding quarter.
func (q Quarter) Prev() Quarter { return QuarterOf(q.Start().Add(-time.Nanosecond)) }

// Contains reports whether t falls in the quarter.
func (q Quarter) Contains(t time.Time) bool { return !t.Before(q.Start()) && t.Before(q.End()) }

// String returns "2019Q2".
func (q Quarter) String() string { return fmt.Sprintf("%dQ%d", q.Year, q.Q) }

// ParseQuarter parses "2019Q2".
func ParseQuarter(s string) (Quarter, error) {
	var q Quarter
	if _, err := fmt.Sscanf(s, "%4dQ%1d", &q.Year, &q.Q); err != nil || q.String() != s {
		return Quarter{}, fmt.Errorf("quarter %q: want YYYYQn, e.g. 2019Q2", s)
	}
	if err := q.Validate(); err != nil {
		return Quarter{}, fmt.Errorf("quarter %q: %v", s, err)
	}
	return q, nil
}

// MarshalText writes "2019Q2".
func (q Quarter) MarshalText() ([]byte, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	return []byte(q.String()), nil
}

// UnmarshalText reads "2019Q2".
func (q *Quarter) UnmarshalText(b []byte) error {
	v, err := ParseQuarter(string(b))
	if err != nil {
		return err
	}
	*q = v
	return nil
}

// DayOf returns the Shanxi calendar day of t.
func DayOf(t time.Time) plan.Date {
	y, m, d := t.In(domain.CST).Date()
	return plan.NewDate(y, m, d)
}
