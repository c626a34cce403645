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
	hour, min, sec := t.Clock()
	us := t.Nanosecond() / 1000
	if year < 0 || year > 9999 {
		return t.AppendFormat(b, TimeFormat)
	}
	b = appendInt(b, year, 4)
	b = append(b, '-')
	b = appendInt(b, int(month), 2)
	b = append(b, '-')
	b = appendInt(b, day, 2)
	b = append(b, 'T')
	b = appendInt(b, hour, 2)
	b = append(b, ':')
	b = appendInt(b, min, 2)
	b = append(b, ':')
	b = appendInt(b, sec, 2)
	b = append(b, '.')
	b = appendInt(b, us, 6)
	return append(b, 'Z')
}

// FormatTime returns t in TimeFormat.
func FormatTime(t time.Time) string { return string(AppendTime(make([]byte, 0, len(TimeFormat)), t)) }

func appendInt(b []byte, v, width int) []byte {
	var buf [8]byte
	for i := width - 1; i >= 0; i-- {
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	return append(b, buf[:width]...)
}

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
