package api

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shanxi-water/ledger/domain"
)

// maxBody bounds a JSON request body.
const maxBody = 8 << 20

// decodeJSON reads a request's body, one JSON value, into v: no unknown
// fields, nothing after it. A value of the wrong type or a time that does
// not parse is named by its field (sample.at), not as "body".
func decodeJSON(r *http.Request, v any) error {
	op := r.Method + " " + r.URL.Path
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return domain.Errorf(op, domain.Invalid, "body", "cannot be read: %v", err)
	}
	if len(body) > maxBody {
		return domain.Errorf(op, domain.Invalid, "body", "larger than %d MB", maxBody>>20)
	}
	// encoding/json would take bytes that are not UTF-8 (a client's GBK)
	// as U+FFFD: a name stored other than it was sent.
	if !utf8.Valid(body) {
		at := 0
		for at < len(body) {
			r, n := utf8.DecodeRune(body[at:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			at += n
		}
		return domain.Errorf(op, domain.Invalid, "body", "not valid UTF-8 (byte %d): a request body is JSON in UTF-8", at+1)
	}
	// So too a \u escape of half a surrogate pair (\ud800 alone).
	if at := loneSurrogate(body); at > 0 {
		return domain.Errorf(op, domain.Invalid, "body", "a \\u escape at byte %d is half a surrogate pair, not a character", at)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return bodyError(op, body, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return domain.Errorf(op, domain.Invalid, "body", "more than one JSON value: a request body is one object")
	}
	return nil
}

// loneSurrogate is where (from 1) the first \u escape in a JSON text is
// half a surrogate pair (\ud800 alone, or \udc00 first), or 0 if none is.
func loneSurrogate(b []byte) int {
	escape := func(i int) (rune, bool) { // \uXXXX at b[i:]
		if i+6 > len(b) || b[i] != '\\' || b[i+1] != 'u' {
			return 0, false
		}
		n, err := strconv.ParseUint(string(b[i+2:i+6]), 16, 16)
		return rune(n), err == nil
	}
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' {
			continue
		}
		r, ok := escape(i)
		if !ok {
			i++ // \\, \", \n…: the next byte is not an escape's start
			continue
		}
		switch {
		case r >= 0xdc00 && r <= 0xdfff:
			return i + 1
		case r >= 0xd800 && r <= 0xdbff:
			if low, ok := escape(i + 6); !ok || low < 0xdc00 || low > 0xdfff {
				return i + 1
			}
			i += 6 // the pair's second half
		}
		i += 5
	}
	return 0
}

// DateOrTime is a request's date: a plain date (2021-03-01, the start of
// that day in Shanxi) or an RFC 3339 time, as parseDateOrTime reads them.
type DateOrTime time.Time

// UnmarshalJSON reads either.
func (d *DateOrTime) UnmarshalJSON(b []byte) error {
	t, _, err := decodeDateOrTime(b)
	if err == nil {
		*d = DateOrTime(t)
	}
	return err
}

// decodeDateOrTime reads a JSON string that is a date or an RFC 3339 time
// (parseDateOrTime); date says which.
func decodeDateOrTime(b []byte) (t time.Time, date bool, err error) {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return time.Time{}, false, err
	}
	if t, date, err = parseDateOrTime(s); err != nil {
		return time.Time{}, false, &dateOrTimeError{value: s, day: err}
	}
	return t, date, nil
}

// EndDate is a request's deadline or the end of its period: an RFC 3339
// time as given, or a plain date meaning by (or through) the end of that
// day (23:59:59 Shanxi time, as a recorded action's ?date= is, and as the
// pages show a date: cstText) rather than its first instant, which would
// make a deadline of 2021-12-31 fall due as that day begins, and a
// restriction to 2021-06-30 end as 30 June begins.
type EndDate time.Time

// UnmarshalJSON reads either.
func (d *EndDate) UnmarshalJSON(b []byte) error {
	t, date, err := decodeDateOrTime(b)
	if err != nil {
		return err
	}
	if date {
		t = lastSecond(t)
	}
	*d = EndDate(t)
	return nil
}

// MarshalJSON writes an RFC 3339 time.
func (d EndDate) MarshalJSON() ([]byte, error) { return time.Time(d).MarshalJSON() }

func (d *EndDate) time() *time.Time {
	if d == nil {
		return nil
	}
	t := time.Time(*d)
	return &t
}

// MarshalJSON writes an RFC 3339 time.
func (d DateOrTime) MarshalJSON() ([]byte, error) { return time.Time(d).MarshalJSON() }

func (d *DateOrTime) time() *time.Time {
	if d == nil {
		return nil
	}
	t := time.Time(*d)
	return &t
}

// dateOrTimeError is a value that is neither a date nor an RFC 3339 time.
type dateOrTimeError struct {
	value string
	day   error // why it is not a date, as domain.ParseDay says
}

func (e *dateOrTimeError) Error() string { return e.day.Error() }

// bodyError names the field a decoding error is about, where it can.
func bodyError(op string, body []byte, err error) error {
	var te *json.UnmarshalTypeError
	var pe *time.ParseError
	switch {
	case errors.As(err, &te) && te.Field != "":
		return domain.Errorf(op, domain.Invalid, te.Field, "a JSON %s where %s is expected", te.Value, kindOf(te.Type))
	case errors.As(err, &pe):
		field := "body"
		if p := pathOf(body, pe.Value); p != "" {
			field = p
		}
		return domain.Errorf(op, domain.Invalid, field, "%q is not an RFC 3339 time (e.g. 2021-03-01T08:00:00+08:00)", pe.Value)
	}
	var dte *dateOrTimeError
	if errors.As(err, &dte) {
		return domain.Errorf(op, domain.Invalid, cmp.Or(pathOf(body, dte.value), "body"), "%v", dte)
	}
	var de *domain.Error
	if errors.As(err, &de) {
		// A type's own decoder (TokenCities) named the field and the reason.
		return domain.E(op, de.Kind, de.Field, de.Err)
	}
	if name, ok := strings.CutPrefix(err.Error(), `json: unknown field "`); ok {
		name = strings.TrimSuffix(name, `"`)
		return domain.Errorf(op, domain.Invalid, name, "unknown field (see the request's schema in /api/openapi.json)")
	}
	return domain.Errorf(op, domain.Invalid, "body", "not valid JSON for this request: %v", err)
}

// kindOf says what JSON a Go type takes.
func kindOf(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "a list"
	}
	return "an object"
}

// pathOf finds the path (a.b[2].c) of the first string equal to s in a
// JSON document, in the document's order; "" if none.
func pathOf(doc []byte, s string) string {
	dec := json.NewDecoder(bytes.NewReader(doc))
	type level struct {
		object bool
		key    string // an object's current key
		index  int    // a list's next index
		expect bool   // an object expects a key next
	}
	var stack []level
	path := func() string {
		var b strings.Builder
		for _, l := range stack {
			if l.object {
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(l.key)
			} else {
				fmt.Fprintf(&b, "[%d]", l.index-1)
			}
		}
		return b.String()
	}
	// value notes that a value was read at the top of the stack.
	value := func() {
		if n := len(stack); n > 0 {
			if stack[n-1].object {
				stack[n-1].expect = true
			}
		}
	}
	for {
		t, err := dec.Token()
		if err != nil {
			return ""
		}
		n := len(stack)
		if n > 0 && stack[n-1].object && stack[n-1].expect {
			if k, ok := t.(string); ok {
				stack[n-1].key, stack[n-1].expect = k, false
				continue
			}
		}
		if n > 0 && !stack[n-1].object {
			if d, ok := t.(json.Delim); !ok || d != ']' {
				stack[n-1].index++
			}
		}
		switch t := t.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, level{object: true, expect: true})
			case '[':
				stack = append(stack, level{})
			default:
				stack = stack[:len(stack)-1]
				value()
			}
		case string:
			if t == s {
				return path()
			}
			value()
		default:
			value()
		}
	}
}
