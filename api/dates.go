package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/shanxi-water/ledger/domain"
)

// parseDateOrTime is the one reader of a date or time a request gives, in
// a query parameter (as_of, at, as_happened, day, date) or a body
// (DateOrTime): a Shanxi date written one way only, 2020-03-15, or an RFC
// 3339 time. date says which it was; a time comes back in Shanxi time, so
// that what is echoed (an audit's "at", a page's as-of line) reads as the
// Shanxi clock does. The command line's domain.ParseAsOf reads more ways
// of writing a date (2020/3/15, 20200315); the API and the pages do not, so
// that a value one of them takes, every other takes as the same instant.
func parseDateOrTime(s string) (t time.Time, date bool, err error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.In(domain.CST), false, nil
	}
	d, err := time.ParseInLocation(time.DateOnly, s, domain.CST)
	var pe *time.ParseError
	switch {
	case errors.As(err, &pe) && strings.Contains(pe.Message, "out of range"):
		return time.Time{}, false, fmt.Errorf("%q is not a day of the calendar", s)
	case err != nil || d.Format(time.DateOnly) != s:
		return time.Time{}, false, fmt.Errorf("%q is neither a date written 2020-03-15 nor an RFC 3339 time (2020-03-15T08:00:00+08:00)", s)
	}
	return d, true, nil
}

// parseAsOf reads an as-of value: a date is the end of that Shanxi day.
func parseAsOf(s string) (time.Time, error) {
	t, date, err := parseDateOrTime(s)
	if date {
		t = domain.EndOfDay(t)
	}
	return t, err
}

// lastSecond is 23:59:59 of the Shanxi day that begins at start: the time
// of an action or a deadline given as a date, which the pages show as the
// date alone.
func lastSecond(start time.Time) time.Time { return start.Add(24*time.Hour - time.Second) }

// knowledgeParams are the parameters that ask what the ledger knew at a
// time: the log recorded by then. A time after today is refused, naming
// the parameter (domain.CheckAsOf, the command line's rule too).
var knowledgeParams = []string{"as_of", "at"}

// checkKnowledgeDates refuses a knowledge parameter (knowledgeParams) that
// is not a date or time, or that is after today in Shanxi; the API's routes
// and the dashboard's pages both call it before answering, so that they
// agree.
func (s *Server) checkKnowledgeDates(r *http.Request, op string) error {
	q := r.URL.Query()
	for _, name := range knowledgeParams {
		v := q.Get(name)
		if v == "" {
			continue
		}
		t, err := parseAsOf(v)
		if err != nil {
			return domain.E(op, domain.Invalid, name, err)
		}
		if err := domain.CheckAsOf(v, t, s.now()); err != nil {
			return domain.E(op, domain.Invalid, name, err)
		}
	}
	return nil
}

// asOfText is an as-of value as a page shows it: a date as given, a time
// in Shanxi time (RFC 3339, +08:00), whatever zone it was given in.
func asOfText(v string) string {
	t, date, err := parseDateOrTime(v)
	if err != nil || date {
		return v
	}
	return t.Format(time.RFC3339)
}
