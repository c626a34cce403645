package domain

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// CityID is a prefecture-level city's GB/T 2260 administrative code, e.g. "140100".
type CityID string

// UnmarshalJSON reads a city's code, or its name (太原, Taiyuan) as its
// code, so that a request may name a city as every query parameter may.
// Any other string is kept as it is, for Validate to refuse naming the
// field; events store codes only.
func (c *CityID) UnmarshalJSON(b []byte) error {
	if code, ok := quotedDigits(b); ok { // a stored event's code: no decoder, no search by name
		*c = CityID(code)
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*c = CityID(s)
	if city, ok := FindCity(s); ok {
		*c = city.ID
	}
	return nil
}

// quotedDigits returns the digits of a JSON string holding digits only.
func quotedDigits(b []byte) (string, bool) {
	if len(b) < 3 || b[0] != '"' || b[len(b)-1] != '"' {
		return "", false
	}
	for _, d := range b[1 : len(b)-1] {
		if d < '0' || d > '9' {
			return "", false
		}
	}
	return string(b[1 : len(b)-1]), true
}

// Basin is one of the two river basins the plan sets targets for.
type Basin string

// The basins of Shanxi province.
const (
	Yellow Basin = "yellow" // 黄河流域
	Hai    Basin = "hai"    // 海河流域
)

// City is one of Shanxi's 11 prefecture-level cities.
type City struct {
	ID     CityID
	Name   string // Chinese name, e.g. 太原
	NameEn string // English name, e.g. Taiyuan
}

// Cities lists the 11 prefecture-level cities of Shanxi in code order.
var Cities = []City{
	{"140100", "太原", "Taiyuan"},
	{"140200", "大同", "Datong"},
	{"140300", "阳泉", "Yangquan"},
	{"140400", "长治", "Changzhi"},
	{"140500", "晋城", "Jincheng"},
	{"140600", "朔州", "Shuozhou"},
	{"140700", "晋中", "Jinzhong"},
	{"140800", "运城", "Yuncheng"},
	{"140900", "忻州", "Xinzhou"},
	{"141000", "临汾", "Linfen"},
	{"141100", "吕梁", "Lüliang"},
}

// LookupCity returns the city with the given code.
func LookupCity(id CityID) (City, bool) {
	i := slices.IndexFunc(Cities, func(c City) bool { return c.ID == id })
	if i < 0 {
		return City{}, false
	}
	return Cities[i], true
}

// FindCity finds a city by its code, its Chinese name, with or without
// 市 as documents write it, or its English name (in any case; ü also typed
// u or v, as a keyboard without it does): 141000, 临汾, 临汾市 and Linfen are
// the same city, and 吕梁市, Lüliang, Luliang and Lvliang another.
func FindCity(s string) (City, bool) {
	i := slices.IndexFunc(Cities, func(c City) bool {
		return s == string(c.ID) || s == c.Name || s == c.Name+"市" || strings.EqualFold(s, c.NameEn) ||
			strings.EqualFold(s, strings.ReplaceAll(c.NameEn, "ü", "u")) || strings.EqualFold(s, strings.ReplaceAll(c.NameEn, "ü", "v"))
	})
	if i < 0 {
		return City{}, false
	}
	return Cities[i], true
}

// ParseScope reads a scope as users write it: "province", or a city as
// FindCity finds it.
func ParseScope(s string) (Scope, error) {
	if s == string(Province) {
		return Province, nil
	}
	if c, ok := FindCity(s); ok {
		return CityScope(c.ID), nil
	}
	return "", fmt.Errorf("%q is not a city code, a city name or %q", s, Province)
}

// Scope is where an aggregate belongs: a city, or the province as a whole.
// Every event is filed under a scope so that one city's history can be read
// without scanning the others'.
type Scope string

// Province is the scope of province-level aggregates (rules, published results).
const Province Scope = "province"

// CityScope returns the scope of a city.
func CityScope(id CityID) Scope { return Scope(id) }

// Validate reports whether s is the province or a known city code.
func (s Scope) Validate() error {
	if s == Province {
		return nil
	}
	if _, ok := LookupCity(CityID(s)); ok {
		return nil
	}
	if s == "" {
		return fmt.Errorf("missing: want %q or a city code such as 140100", Province)
	}
	return fmt.Errorf("unknown scope %q: want %q or one of the 11 city codes 140100…141100", string(s), Province)
}

// CST is China Standard Time (UTC+8): the plan's years, months and deadlines
// are Shanxi dates.
var CST = time.FixedZone("CST", 8*3600)

// ParseAsOf reads an as-of date: RFC 3339, or a date meaning the end of that
// day in Shanxi (2019-12-31 is up to 2019-12-31 23:59:59.999999 CST),
// written 2019-12-31, 2019/12/31 or 20191231.
func ParseAsOf(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	d, err := ParseDay(s)
	if err != nil {
		return time.Time{}, err
	}
	return EndOfDay(d), nil
}

// CheckAsOf refuses an as-of time t (given as v) after today in Shanxi, the
// day of now: the ledger cannot know then what it does not know yet, and
// figures "as of" next year would be today's under that date. A date that
// is today, or a time later today, is taken: today has not ended. The API
// (as_of, at) and the command line (--as-of, --at) both refuse by it, each
// naming its own field.
func CheckAsOf(v string, t, now time.Time) error {
	y, m, d := now.In(CST).Date()
	if endOfToday := time.Date(y, m, d+1, 0, 0, 0, 0, CST); !t.Before(endOfToday) {
		return fmt.Errorf("%s is after today (%04d-%02d-%02d, Shanxi time): the ledger cannot say yet what it will know then", v, y, m, d)
	}
	return nil
}

// EndOfDay is the last instant (to the microsecond, as times are stored)
// of the Shanxi day that begins at start: what a date means as an as-of
// date, everything recorded that day included.
func EndOfDay(start time.Time) time.Time { return start.Add(24*time.Hour - time.Microsecond) }

// ParseDay reads a Shanxi date written 2019-12-31, 2019/12/31 or 20191231,
// and returns the start of that day.
func ParseDay(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02", "2006/1/2", "20060102"} {
		d, err := time.ParseInLocation(layout, s, CST)
		if err == nil {
			return d, nil
		}
		var pe *time.ParseError
		if errors.As(err, &pe) && strings.Contains(pe.Message, "out of range") {
			return time.Time{}, fmt.Errorf("%q is not a day of the calendar", s)
		}
	}
	return time.Time{}, fmt.Errorf("%q is neither a date (2019-12-31, 2019/12/31) nor an RFC 3339 time", s)
}
