package plan

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Date is a calendar day, written "2006-01-02" in JSON. It has no time of day
// and no zone: a deadline is a day, and it is met if the task is done by the
// end of that day wherever the assessment is made. The zero Date means "not
// stated".
type Date struct {
	t time.Time // midnight UTC of the day; the zero time for the zero Date
}

const dateLayout = "2006-01-02"

// NewDate returns the given day. It normalises like time.Date (month 13 is
// January of the next year).
func NewDate(year int, month time.Month, day int) Date {
	return Date{time.Date(year, month, day, 0, 0, 0, 0, time.UTC)}
}

// ParseDate parses "YYYY-MM-DD" strictly: the day must exist and be written
// with leading zeros.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, s)
	var pe *time.ParseError
	if errors.As(err, &pe) && strings.Contains(pe.Message, "out of range") {
		return Date{}, fmt.Errorf("date %q is not a day of the calendar", s)
	}
	if err != nil {
		return Date{}, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	if t.Format(dateLayout) != s {
		return Date{}, fmt.Errorf("date %q is not a calendar day written YYYY-MM-DD", s)
	}
	return Date{t}, nil
}

// IsZero reports whether d is the zero Date (not stated).
func (d Date) IsZero() bool { return d.t.IsZero() }

// Year returns the year of d.
func (d Date) Year() int { return d.t.Year() }

// Month returns the month of d.
func (d Date) Month() time.Month { return d.t.Month() }

// Day returns the day of the month of d.
func (d Date) Day() int { return d.t.Day() }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int { return d.t.Compare(e.t) }

// Start returns the first instant of d in loc.
func (d Date) Start(loc *time.Location) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
}

// IsMonthEnd reports whether d is the last day of its month.
func (d Date) IsMonthEnd() bool { return d.t.AddDate(0, 0, 1).Day() == 1 }

// String returns "YYYY-MM-DD", or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format(dateLayout)
}

// MarshalJSON writes "YYYY-MM-DD".
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return nil, fmt.Errorf("plan: cannot marshal the zero Date")
	}
	return json.Marshal(d.String())
}

// UnmarshalJSON reads "YYYY-MM-DD".
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("date: want a string YYYY-MM-DD: %w", err)
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}
