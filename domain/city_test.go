package domain

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A city in a JSON body may be named as in a query: code, Chinese or
// English name; anything else is kept for Validate to refuse.
func TestCityIDUnmarshalJSON(t *testing.T) {
	for in, want := range map[string]CityID{`"140800"`: "140800", `"运城"`: "140800", `"yuncheng"`: "140800", `"Beijing"`: "Beijing", `""`: "", `null`: ""} {
		var c CityID
		require.NoError(t, json.Unmarshal([]byte(in), &c), in)
		require.Equal(t, want, c, in)
	}
	var c CityID
	require.Error(t, json.Unmarshal([]byte(`140800`), &c), "a number is not a city")
}

// An as-of date is the end of that Shanxi day, written as users write it;
// a day that is not in the calendar says so.
func TestParseAsOf(t *testing.T) {
	end := time.Date(2019, 3, 20, 23, 59, 59, 999999000, CST)
	for _, s := range []string{"2019-03-20", "2019/03/20", "2019/3/20", "20190320", " 2019-03-20 "} {
		got, err := ParseAsOf(s)
		require.NoError(t, err, s)
		require.True(t, end.Equal(got), "%s: %s", s, got)
	}
	got, err := ParseAsOf("2019-03-20T08:00:00+08:00")
	require.NoError(t, err)
	require.True(t, time.Date(2019, 3, 20, 8, 0, 0, 0, CST).Equal(got))
	_, err = ParseAsOf("2019-02-30")
	require.EqualError(t, err, `"2019-02-30" is not a day of the calendar`)
	_, err = ParseAsOf("March 2019")
	require.ErrorContains(t, err, "is neither a date")
}

// An as-of time after today in Shanxi is refused; today, to its last
// instant, is taken. Today is Shanxi's, whatever zone now is in: at 01:00
// on 16 March in Shanxi it is still 15 March in UTC.
func TestCheckAsOf(t *testing.T) {
	for _, now := range []time.Time{time.Date(2020, 3, 16, 1, 0, 0, 0, CST), time.Date(2020, 3, 15, 17, 0, 0, 0, time.UTC), time.Date(2020, 3, 16, 23, 59, 0, 0, CST)} {
		for _, s := range []string{"2020-03-16", "2020-03-15", "2020-03-16T23:59:59+08:00", "2020-03-16T15:59:59Z"} {
			at, err := ParseAsOf(s)
			require.NoError(t, err)
			require.NoError(t, CheckAsOf(s, at, now), "%s at %s", s, now)
		}
		for _, s := range []string{"2020-03-17", "2020-03-17T00:00:00+08:00", "2020-03-16T16:00:00Z", "2999-01-01"} {
			at, err := ParseAsOf(s)
			require.NoError(t, err)
			require.EqualError(t, CheckAsOf(s, at, now), s+" is after today (2020-03-16, Shanxi time): the ledger cannot say yet what it will know then", "at %s", now)
		}
	}
}
