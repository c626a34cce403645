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

// A city is found as users name it: its code, its Chinese name with or
// without 市 (as documents and the plan write it: 太原市), its English name
// in any case, ü typed as u or v; nothing else.
func TestFindCity(t *testing.T) {
	for in, want := range map[string]CityID{"141000": "141000", "临汾": "141000", "临汾市": "141000", "linfen": "141000",
		"吕梁市": "141100", "Lüliang": "141100", "Luliang": "141100", "LVLIANG": "141100", "太原市": "140100"} {
		c, ok := FindCity(in)
		require.True(t, ok, in)
		require.Equal(t, want, c.ID, in)
		sc, err := ParseScope(in)
		require.NoError(t, err, in)
		require.Equal(t, CityScope(want), sc, in)
	}
	for _, in := range []string{"", "市", "太原县", "山西省", "Taiyuan City", "1401"} {
		_, ok := FindCity(in)
		require.False(t, ok, in)
	}
	var c CityID
	require.NoError(t, json.Unmarshal([]byte(`"运城市"`), &c))
	require.Equal(t, CityID("140800"), c, "a body's city too")
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
