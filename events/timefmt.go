package events

import (
	"fmt"
	"time"
)

// AppendTime appends t in TimeFormat (UTC, microseconds). It is the hot path
// of every append and read, so it avoids time.Format's general machinery.
func AppendTime(b []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(b, TimeFormat)
	}
	hour, min, sec := t.Clock()
	var d [len(TimeFormat)]byte
	put := func(at, width, v int) {
		for i := at + width - 1; i >= at; i-- {
			d[i] = byte('0' + v%10)
			v /= 10
		}
	}
	put(0, 4, year)
	d[4] = '-'
	put(5, 2, int(month))
	d[7] = '-'
	put(8, 2, day)
	d[10] = 'T'
	put(11, 2, hour)
	d[13] = ':'
	put(14, 2, min)
	d[16] = ':'
	put(17, 2, sec)
	d[19] = '.'
	put(20, 6, t.Nanosecond()/1000)
	d[26] = 'Z'
	return append(b, d[:]...)
}

// FormatTime returns t in TimeFormat.
func FormatTime(t time.Time) string { return string(AppendTime(make([]byte, 0, len(TimeFormat)), t)) }

// ParseTime reads a time written in TimeFormat.
func ParseTime(s string) (time.Time, error) {
	if len(s) != len(TimeFormat) || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != '.' || s[26] != 'Z' {
		return time.Time{}, fmt.Errorf("%q is not a time of the form %s", s, TimeFormat)
	}
	var bad bool
	num := func(from, to int) int {
		v := 0
		for i := from; i < to; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				bad = true
				return 0
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	year, month, day := num(0, 4), num(5, 7), num(8, 10)
	hour, min, sec, us := num(11, 13), num(14, 16), num(17, 19), num(20, 26)
	if bad || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 59 {
		return time.Time{}, fmt.Errorf("%q is not a valid time", s)
	}
	t := time.Date(year, time.Month(month), day, hour, min, sec, us*1000, time.UTC)
	if t.Day() != day {
		return time.Time{}, fmt.Errorf("%q is not a valid date", s)
	}
	return t, nil
}
