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
