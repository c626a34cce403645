package api

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/domain"
)

// ?day= defaults to today; with ?as_of= and no ?day=, to the as_of date
// (Shanxi time), not today's day under a heading as of that date; an as_of
// after today is today's ledger, on today.
func TestDayParamFollowsAsOf(t *testing.T) {
	s := &Server{now: func() time.Time { return time.Date(2020, 6, 1, 9, 0, 0, 0, domain.CST) }}
	for q, want := range map[string]string{
		"":                                   "2020-06-01",
		"?as_of=2016-04-01":                  "2016-04-01",
		"?as_of=2016-03-31T20:00:00Z":        "2016-04-01", // 04:00 on 1 April in Shanxi
		"?as_of=2030-01-01":                  "2020-06-01",
		"?day=2019-03-15&as_of=2016-04-01":   "2019-03-15",
		"?day=2019-03-15":                    "2019-03-15",
		"?day=2019-03-15T20:00:00Z":          "2019-03-16", // a time's Shanxi day
		"?as_of=2016-04-01&day=2015-12-31":   "2015-12-31",
		"?as_of=2020-06-01T23:00:00%2B08:00": "2020-06-01",
		"?as_of=2020-05-31T23:59:59%2B08:00": "2020-05-31",
		"?as_of=2020-05-31T16:00:00%2B00:00": "2020-06-01",
		"?lang=en&as_of=2018-12-31&city=太原":  "2018-12-31",
	} {
		d, err := s.dayParam(httptest.NewRequest("GET", "/api/cards"+q, nil), "day")
		require.NoError(t, err, q)
		require.Equal(t, want, d.String(), q)
	}
	for _, q := range []string{"2016-13-01", "20160401", "2016%2F4%2F1"} {
		_, err := s.dayParam(httptest.NewRequest("GET", "/api/cards?as_of="+q, nil), "day")
		require.Equal(t, "as_of", domain.FieldOf(err), "a wrong as_of is named as such: %s", q)
	}
}
