package monitoring

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/shanxi-water/ledger/domain/water"
)

// The JSON form of Samples, which samples_recorded events store (schema
// version 2; version 1 stored an array of Sample objects):
//
//	{"start":"2016-01-01T00:00:00Z",   the first sample's time
//	 "at":[0,14400,28800],             each sample's time, in seconds after start
//	 "manual":[2],                     the samples taken by hand; the others are automatic
//	 "status":{"ice":[0]},             the samples not monitored, by reason
//	 "values":{"DO":[null,7.4,7.1]},   one column per item, null where a sample has none
//	 "below_dl":{"TP":[2]}}            results below the detection limit (the value is the limit)
//
// manual, status and below_dl are left out when empty; a time with a
// fraction of a second has a decimal fraction in at. Columns are written in
// the order of GB 3838 Table 1 and statuses in alphabetical order, so equal
// batches encode to equal bytes. The decoder is written for this shape
// rather than left to reflection: a replay decodes half a million samples,
// and reading a column of numbers straight into a []float64 is what makes
// that cheap. It accepts exactly this shape, in any key order, and names
// the field at fault otherwise.

// MarshalJSON encodes the samples as columns.
func (s Samples) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 64+len(s.at)*(8+6*len(s.cols)))
	b = append(b, '{')
	var start int64
	if len(s.at) > 0 {
		start = s.at[0]
		b = append(b, `"start":"`...)
		b = time.Unix(0, start).UTC().AppendFormat(b, time.RFC3339Nano)
		b = append(b, `",`...)
	}
	b = append(b, `"at":`...)
	offsets := make([]int64, len(s.at))
	for i, at := range s.at {
		offsets[i] = at - start
	}
	b = appendRuns(b, offsets, appendSeconds)
	if s.manual != nil {
		b = appendIndexes(append(b, `,"manual":`...), s.manual, func(m bool) bool { return m })
	}
	if s.status != nil {
		b = append(b, `,"status":{`...)
		first := true
		for _, st := range []Status{Dry, Fault, Ice} {
			code := codeOf(st)
			if !slices.Contains(s.status, code) {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendIndexes(append(append(append(b, '"'), st...), `":`...), s.status, func(x statusCode) bool { return x == code })
		}
		b = append(b, '}')
	}
	b = append(b, `,"values":{`...)
	for j, c := range s.cols {
		if j > 0 {
			b = append(b, ',')
		}
		b = append(append(append(b, '"'), c.Item...), `":[`...)
		for i, v := range c.Values {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendFloat(b, v)
		}
		b = append(b, ']')
	}
	b = append(b, '}')
	below := false
	for _, c := range s.cols {
		if c.BelowDL == nil {
			continue
		}
		if !below {
			b = append(b, `,"below_dl":{`...)
			below = true
		} else {
			b = append(b, ',')
		}
		b = appendIndexes(append(append(append(b, '"'), c.Item...), `":`...), c.BelowDL, func(x bool) bool { return x })
	}
	if below {
		b = append(b, '}')
	}
	return append(b, '}'), nil
}

func appendIndexes[T any](b []byte, xs []T, in func(T) bool) []byte {
	var idx []int64
	for i, x := range xs {
		if in(x) {
			idx = append(idx, int64(i))
		}
	}
	return appendRuns(b, idx, appendInt)
}

func appendInt(b []byte, v int64) []byte { return strconv.AppendInt(b, v, 10) }

// appendRuns writes a list of whole numbers (or times) whose items are
// single values or runs [first, step, count] of three or more values a
// constant step apart: an automatic station's samples 4 hours apart, or an
// upload's lines 109 apart, take one run.
func appendRuns(b []byte, xs []int64, put func([]byte, int64) []byte) []byte {
	b = append(b, '[')
	for i := 0; i < len(xs); {
		if i > 0 {
			b = append(b, ',')
		}
		j := i + 1
		if j < len(xs) {
			step := xs[j] - xs[i]
			for j+1 < len(xs) && xs[j+1]-xs[j] == step {
				j++
			}
			if j-i >= 2 {
				b = put(append(put(append(b, '['), xs[i]), ','), step)
				b = append(strconv.AppendInt(append(b, ','), int64(j-i+1), 10), ']')
				i = j + 1
				continue
			}
		}
		b = put(b, xs[i])
		i++
	}
	return append(b, ']')
}

// appendSeconds writes nanoseconds as seconds, with a decimal fraction only
// when there is one.
func appendSeconds(b []byte, ns int64) []byte {
	if ns < 0 {
		b = append(b, '-')
		ns = -ns
	}
	b = strconv.AppendInt(b, ns/1e9, 10)
	frac := ns % 1e9
	if frac == 0 {
		return b
	}
	var d [9]byte
	for k := 8; k >= 0; k-- {
		d[k] = byte('0' + frac%10)
		frac /= 10
	}
	n := 9
	for d[n-1] == '0' {
		n--
	}
	return append(append(b, '.'), d[:n]...)
}

// appendFloat writes a value as encoding/json does, or null for NaN.
func appendFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) {
		return append(b, "null"...)
	}
	format := byte('f')
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' { // e-09 → e-9, as encoding/json writes it
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// MarshalJSON writes the reference with its lines as runs (see
// appendRuns): the rows of one section are usually a constant number of
// lines apart.
func (r ImportRef) MarshalJSON() ([]byte, error) {
	b := []byte(`{"file":`)
	name, err := json.Marshal(r.File)
	if err != nil {
		return nil, err
	}
	b = append(append(b, name...), `,"sha256":`...)
	sum, err := json.Marshal(r.SHA256)
	if err != nil {
		return nil, err
	}
	b = append(append(b, sum...), `,"lines":`...)
	lines := make([]int64, len(r.Lines))
	for i, l := range r.Lines {
		lines[i] = int64(l)
	}
	return append(appendRuns(b, lines, appendInt), '}'), nil
}

// UnmarshalJSON reads the reference as MarshalJSON writes it.
func (r *ImportRef) UnmarshalJSON(data []byte) error {
	return decodeWhole(data, "import", r, (*cursor).importRef)
}

// UnmarshalJSON decodes the column form.
func (s *Samples) UnmarshalJSON(data []byte) error {
	return decodeWhole(data, "samples", s, (*cursor).samples)
}

// decodeWhole reads data, all of it, with read into *into, naming the field
// in its errors.
func decodeWhole[T any](data []byte, field string, into *T, read func(*cursor) (T, error)) error {
	c := cursor{b: data}
	v, err := read(&c)
	if err == nil {
		err = c.end()
	}
	if err != nil {
		return fmt.Errorf("%s: %w", field, err)
	}
	*into = v
	return nil
}

// UnmarshalJSON decodes the event with the column form's decoder: called
// directly (events.Registry does), it reads the payload once.
func (r *SamplesRecorded) UnmarshalJSON(data []byte) error {
	c := cursor{b: data}
	var out SamplesRecorded
	has := false
	err := c.object(func(key string) error {
		switch key {
		case "samples":
			s, err := c.samples()
			if err != nil {
				return fmt.Errorf("samples: %w", err)
			}
			out.Samples, has = s, true
			return nil
		case "import":
			if c.null() {
				out.Import = nil
				return nil
			}
			ref, err := c.importRef()
			if err != nil {
				return fmt.Errorf("import: %w", err)
			}
			out.Import = &ref
			return nil
		}
		return fmt.Errorf("unknown field %q", key)
	})
	if err == nil {
		err = c.end()
	}
	if err == nil && !has {
		err = errors.New("samples: missing")
	}
	if err != nil {
		return err
	}
	*r = out
	return nil
}

// UnmarshalJSON decodes the event as SamplesRecorded does.
func (r *SourceSamplesRecorded) UnmarshalJSON(data []byte) error {
	return (*SamplesRecorded)(r).UnmarshalJSON(data)
}

func (c *cursor) null() bool {
	c.ws()
	if c.i+4 <= len(c.b) && string(c.b[c.i:c.i+4]) == "null" {
		c.i += 4
		return true
	}
	return false
}

// importRef reads an ImportRef: its lines as fast as the samples' columns,
// its file name (which may hold any character) with encoding/json.
func (c *cursor) importRef() (ImportRef, error) {
	var ref ImportRef
	err := c.object(func(key string) error {
		switch key {
		case "file":
			return c.text(&ref.File)
		case "sha256":
			return c.text(&ref.SHA256)
		case "lines":
			var err error
			ref.Lines, err = readRuns[int](c, c.integer)
			return err
		}
		return fmt.Errorf("unknown field %q", key)
	})
	return ref, err
}

// text reads any JSON string. One without escapes or control characters,
// in valid UTF-8, is taken as it is (a file name, a hash); any other is
// left to encoding/json.
func (c *cursor) text(into *string) error {
	c.ws()
	from := c.i
	if c.i >= len(c.b) || c.b[c.i] != '"' {
		return c.fail("a string")
	}
	plain := true
	for c.i++; c.i < len(c.b); c.i++ {
		switch ch := c.b[c.i]; {
		case ch == '\\':
			c.i++
			plain = false
		case ch < 0x20:
			plain = false
		case ch == '"':
			c.i++
			if s := c.b[from+1 : c.i-1]; plain && utf8.Valid(s) {
				*into = string(s)
				return nil
			}
			return json.Unmarshal(c.b[from:c.i], into)
		}
	}
	return c.fail("the closing quote")
}

// samples reads the column form.
func (c *cursor) samples() (Samples, error) {
	var (
		start    string
		hasStart bool
		at       []int64
		hasAt    bool
		manual   []int64
		status   = map[Status][]int64{}
		values   = make([]Column, 0, 8) // a station reports five or six items
		arena    []float64              // the columns' values, made at once
		below    = map[water.Item][]int64{}
	)
	err := c.object(func(key string) error {
		var err error
		switch key {
		case "start":
			start, err = c.str()
			hasStart = true
		case "at":
			at, err = c.runs(c.second)
			if at == nil {
				at = []int64{}
			}
			hasAt = true
		case "manual":
			manual, err = c.runs(c.index)
		case "status":
			err = c.object(func(k string) error {
				st := Status(k)
				if err := st.Validate(); err != nil || st == Measured {
					return fmt.Errorf("status: %q is not dry, ice or fault", k)
				}
				if _, dup := status[st]; dup {
					return fmt.Errorf("status: %s twice", k)
				}
				xs, err := c.runs(c.index)
				status[st] = xs
				return err
			})
		case "values":
			err = c.object(func(k string) error {
				it := water.Item(k)
				j, ok := it.Index()
				if !ok {
					return fmt.Errorf("values: unknown item %q", k)
				}
				for _, v := range values {
					if v.Item == it {
						return fmt.Errorf("values: %s twice", k)
					}
				}
				if len(arena) < len(at) {
					arena = make([]float64, len(at)*6) // a station reports five or six items
				}
				vs, err := c.floats(arena[:0:len(at)])
				arena = arena[len(at):] // a column longer than at (an error) was copied out
				values = append(values, Column{Item: it, Index: j, Values: vs})
				return err
			})
		case "below_dl":
			err = c.object(func(k string) error {
				if _, dup := below[water.Item(k)]; dup {
					return fmt.Errorf("below_dl: %s twice", k)
				}
				xs, err := c.runs(c.index)
				below[water.Item(k)] = xs
				return err
			})
		default:
			return fmt.Errorf("unknown field %q", key)
		}
		return err
	})
	if err != nil {
		return Samples{}, err
	}
	return assemble(start, hasStart, at, hasAt, manual, status, values, below)
}

func assemble(start string, hasStart bool, at []int64, hasAt bool, manual []int64, status map[Status][]int64, values []Column, below map[water.Item][]int64) (Samples, error) {
	if !hasAt {
		return Samples{}, errors.New("at: missing")
	}
	n := len(at)
	s := Samples{at: at}
	if n > 0 {
		if !hasStart {
			return Samples{}, errors.New("start: missing")
		}
		t0, err := time.Parse(time.RFC3339Nano, start)
		if err != nil {
			return Samples{}, fmt.Errorf("start: %v", err)
		}
		if !inRange(t0) {
			return Samples{}, fmt.Errorf("start: %s is outside the years %s", start, yearRange)
		}
		base := t0.UnixNano()
		lo, hi := time.Date(firstYear, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano(), time.Date(lastYear+1, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
		for i, off := range at {
			if off > hi-base || off < lo-base {
				return Samples{}, fmt.Errorf("at[%d]: out of range", i)
			}
			at[i] = base + off
		}
	}
	flags := func(field string, xs []int64) ([]bool, error) {
		if len(xs) == 0 {
			return nil, nil
		}
		out := make([]bool, n)
		for k, i := range xs {
			if i < 0 || i >= int64(n) {
				return nil, fmt.Errorf("%s[%d]: %d is not a sample (there are %d)", field, k, i, n)
			}
			if out[i] {
				return nil, fmt.Errorf("%s[%d]: sample %d twice", field, k, i)
			}
			out[i] = true
		}
		return out, nil
	}
	var err error
	if s.manual, err = flags("manual", manual); err != nil {
		return Samples{}, err
	}
	for _, st := range []Status{Dry, Fault, Ice} {
		f, err := flags("status."+string(st), status[st])
		if err != nil {
			return Samples{}, err
		}
		for i, in := range f {
			if !in {
				continue
			}
			if s.status == nil {
				s.status = make([]statusCode, n)
			}
			if s.status[i] != 0 {
				return Samples{}, fmt.Errorf("status.%s: sample %d is also %s", st, i, statuses[s.status[i]])
			}
			s.status[i] = codeOf(st)
		}
	}
	sortColumns(values)
	for j := range values {
		c := &values[j]
		if len(c.Values) != n {
			return Samples{}, fmt.Errorf("values.%s: %d values for %d samples", c.Item, len(c.Values), n)
		}
		if xs, ok := below[c.Item]; ok {
			if c.BelowDL, err = flags("below_dl."+string(c.Item), xs); err != nil {
				return Samples{}, err
			}
			for i, b := range c.BelowDL {
				if b && math.IsNaN(c.Values[i]) {
					return Samples{}, fmt.Errorf("below_dl.%s: sample %d has no value (the limit)", c.Item, i)
				}
			}
			delete(below, c.Item)
		}
	}
	for it := range below {
		return Samples{}, fmt.Errorf("below_dl.%s: no values of the item", it)
	}
	s.cols = values
	return s, nil
}

func sortColumns(cs []Column) {
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && cs[j].Index < cs[j-1].Index; j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
}

// cursor reads the column form; see UnmarshalJSON.
type cursor struct {
	b []byte
	i int
}

func (c *cursor) ws() {
	for c.i < len(c.b) {
		switch c.b[c.i] {
		case ' ', '\t', '\n', '\r':
			c.i++
		default:
			return
		}
	}
}

func (c *cursor) fail(want string) error {
	if c.i >= len(c.b) {
		return fmt.Errorf("unexpected end, want %s", want)
	}
	return fmt.Errorf("offset %d: unexpected %q, want %s", c.i, c.b[c.i], want)
}

func (c *cursor) eat(ch byte) bool {
	c.ws()
	if c.i < len(c.b) && c.b[c.i] == ch {
		c.i++
		return true
	}
	return false
}

func (c *cursor) end() error {
	c.ws()
	if c.i != len(c.b) {
		return c.fail("the end")
	}
	return nil
}

// str reads a string without escapes: every string of the form is a code
// or a time.
func (c *cursor) str() (string, error) {
	if !c.eat('"') {
		return "", c.fail("a string")
	}
	from := c.i
	for c.i < len(c.b) {
		switch ch := c.b[c.i]; {
		case ch == '"':
			c.i++
			return string(c.b[from : c.i-1]), nil
		case ch == '\\' || ch < 0x20:
			return "", c.fail("a code or a time (no escapes)")
		}
		c.i++
	}
	return "", c.fail("the closing quote")
}

// object reads {"key": value, …}, calling fn to read each value.
func (c *cursor) object(fn func(key string) error) error {
	if !c.eat('{') {
		return c.fail("an object")
	}
	if c.eat('}') {
		return nil
	}
	for {
		k, err := c.str()
		if err != nil {
			return err
		}
		if !c.eat(':') {
			return c.fail("a colon")
		}
		c.ws()
		if err := fn(k); err != nil {
			return err
		}
		if c.eat('}') {
			return nil
		}
		if !c.eat(',') {
			return c.fail("a comma or }")
		}
	}
}

// open reads the [ of an array and reports whether the array is empty.
func (c *cursor) open() (empty bool, err error) {
	if !c.eat('[') {
		return false, c.fail("an array")
	}
	if c.eat(']') {
		return true, nil
	}
	c.ws()
	return false, nil
}

// more reads what follows an array's item: true after a comma (another
// item follows), false after the closing ].
func (c *cursor) more() (bool, error) {
	if c.i < len(c.b) && c.b[c.i] == ',' { // the common case, without spaces
		c.i++
		c.ws()
		return true, nil
	}
	c.ws()
	if c.i < len(c.b) {
		switch c.b[c.i] {
		case ',':
			c.i++
			c.ws()
			return true, nil
		case ']':
			c.i++
			return false, nil
		}
	}
	return false, c.fail("a comma or ]")
}

var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// digits reads a run of decimal digits, at most 18 of them into v; n is how
// many there were.
func (c *cursor) digits() (v uint64, n int) {
	for c.i < len(c.b) {
		d := c.b[c.i] - '0'
		if d > 9 {
			break
		}
		if n < 18 {
			v = v*10 + uint64(d)
		}
		n++
		c.i++
	}
	return v, n
}

// number reads a JSON number. Most are short decimals: their digits, read
// as an integer below 2^53, divided by a power of ten at most 10^22 is the
// correctly rounded value (both are exact in a float64, and one division
// rounds correctly), which is what strconv.ParseFloat gives; the others go
// to strconv.ParseFloat.
func (c *cursor) number() (float64, error) {
	if f, next, ok := fastNumber(c.b, c.i); ok {
		c.i = next
		return f, nil
	}
	return c.slowNumber()
}

// fastNumber reads [-]digits[.digits] of 15 digits at most (below 2^53)
// at b[i:], returning the value and where it ends; false for anything else.
func fastNumber(b []byte, i int) (f float64, next int, ok bool) {
	neg := i < len(b) && b[i] == '-'
	if neg {
		i++
	}
	var m uint64
	start := i
	for ; i < len(b); i++ {
		d := b[i] - '0'
		if d > 9 {
			break
		}
		m = m*10 + uint64(d)
	}
	ints, dec := i-start, 0
	if i < len(b) && b[i] == '.' {
		i++
		fs := i
		for ; i < len(b); i++ {
			d := b[i] - '0'
			if d > 9 {
				break
			}
			m = m*10 + uint64(d)
		}
		if dec = i - fs; dec == 0 {
			return 0, 0, false // "1." is not a number: the slow path says so
		}
	}
	if ints == 0 || ints+dec > 15 || (ints > 1 && b[start] == '0') || (i < len(b) && (b[i] == 'e' || b[i] == 'E')) {
		return 0, 0, false
	}
	f = float64(int64(m)) / pow10[dec] // m < 2^53: a signed conversion is exact, and cheaper
	if neg {
		f = -f
	}
	return f, i, true
}

// slowNumber reads any JSON number; see number.
func (c *cursor) slowNumber() (float64, error) {
	from := c.i
	neg := c.i < len(c.b) && c.b[c.i] == '-'
	if neg {
		c.i++
	}
	intFrom := c.i
	m, n := c.digits()
	if n == 0 || (n > 1 && c.b[intFrom] == '0') {
		c.i = intFrom
		return 0, c.fail("a number")
	}
	total, dec := n, 0
	if c.i < len(c.b) && c.b[c.i] == '.' {
		c.i++
		f, k := c.digits()
		if k == 0 {
			return 0, c.fail("a digit")
		}
		total, dec = n+k, k
		if total <= 18 {
			m = m*uint64(pow10[k]) + f
		}
	}
	exp := false
	if c.i < len(c.b) && (c.b[c.i] == 'e' || c.b[c.i] == 'E') {
		exp = true
		c.i++
		if c.i < len(c.b) && (c.b[c.i] == '+' || c.b[c.i] == '-') {
			c.i++
		}
		if _, k := c.digits(); k == 0 {
			return 0, c.fail("a digit")
		}
	}
	if !exp && total <= 18 && m < 1<<53 && dec < len(pow10) {
		f := float64(int64(m)) / pow10[dec] // m < 2^53: a signed conversion is exact and cheaper
		if neg {
			f = -f
		}
		return f, nil
	}
	return strconv.ParseFloat(string(c.b[from:c.i]), 64)
}

// floats reads an array of numbers and nulls, null as NaN, appending them
// to out.
func (c *cursor) floats(out []float64) ([]float64, error) {
	empty, err := c.open()
	if empty || err != nil {
		return nil, err
	}
	b, i := c.b, c.i
	for {
		if i+72 <= len(b) {
			var s int
			if out, s = shortNumbers(b[i:i+72], out); s > 0 {
				i += s
				continue
			}
		}
		c.i = i
		c.ws() // after a comma, in JSON laid out with spaces
		i = c.i
		if i+4 <= len(b) && b[i] == 'n' && string(b[i:i+4]) == "null" {
			i += 4
			out = append(out, math.NaN())
		} else if f, next, ok := fastNumber(b, i); ok {
			i = next
			out = append(out, f)
		} else {
			c.i = i
			f, err := c.slowNumber()
			if err != nil {
				return nil, err
			}
			i = c.i
			out = append(out, f)
		}
		if i < len(b) && b[i] == ',' { // the common case, without spaces
			i++
			continue
		}
		c.i = i
		if more, err := c.more(); !more || err != nil {
			return out, err
		}
		i = c.i
	}
}

// commas64 has bit k set where b[k] is a comma, for the 64 bytes of b.
func commas64(b []byte) uint64 {
	_ = b[63]
	return commas8(b[0:])<<0 | commas8(b[8:])<<8 | commas8(b[16:])<<16 | commas8(b[24:])<<24 |
		commas8(b[32:])<<32 | commas8(b[40:])<<40 | commas8(b[48:])<<48 | commas8(b[56:])<<56
}

// commas8 has bit k set where b[k] is a comma, for the 8 bytes of b.
func commas8(b []byte) uint64 {
	const ones, low7 = 0x0101010101010101, 0x7f7f7f7f7f7f7f7f
	t := binary.LittleEndian.Uint64(b) ^ (ones * ',') // a comma's byte is now 0
	z := ^(t&low7 + low7 | t | low7)                  // the top bit of each 0 byte, exactly
	return z >> 7 * 0x0102040810204080 >> 56          // one bit a byte, gathered
}

// shortNumbers reads the short numbers, each followed by a comma, that
// begin the first 64 bytes of b (72 bytes: a number read may run past the
// 64), appended to out; s is how many bytes they took. A short
// number has up to eight bytes of the form digits[.digits]: what most
// readings are (7.74, 0.215). The commas are found first, with masks, so
// that each number is read on its own rather than after the one before it
// has been read to its end; the digits are read with three
// multiplications (the eight-digit parse of Lemire's fast_float), and the
// value is fastNumber's, by the same division by a power of ten. It stops
// at anything else (a sign, an exponent, null, a leading zero, a point
// without digits on both sides, a space, the array's end), which the
// byte-by-byte reader then reads or rejects.
func shortNumbers(b []byte, out []float64) (_ []float64, s int) {
	const ones = 0x0101010101010101
	_ = b[71]
	for commas := commas64(b[:64]); commas != 0; commas &= commas - 1 {
		e := bits.TrailingZeros64(commas)
		l := uint(e - s) // the number's length, 1 to 8
		if l-1 > 7 {
			break
		}
		x := binary.LittleEndian.Uint64(b[s&63:]) // s < 64 here: a comma follows
		d := x ^ (ones * '0')                     // a digit's byte is now its value
		// The top bit of each of the l bytes that is not a digit (a byte
		// above 0x89 carries into the next, which only marks more).
		nonDigit := (d + ones*0x76 | d) & (ones * 0x80) & (^uint64(0) >> ((64 - 8*l) & 63))
		// A first digit 0 only alone or before the point.
		if byte(x) == '0' && l > 1 && byte(x>>8) != '.' {
			break
		}
		digits, k, dec := d, l, uint(0)
		if nonDigit != 0 {
			// One byte that is not a digit: a point with digits on both
			// sides.
			p := uint(bits.TrailingZeros64(nonDigit)) >> 3
			if nonDigit&(nonDigit-1) != 0 || byte(d>>((8*p)&63)) != '.'^'0' || p-1 >= l-2 {
				break
			}
			low := uint64(1)<<((8*p)&63) - 1
			digits, k, dec = d&low|(d>>8)&^low, l-1, l-1-p // the point taken out
		}
		v := digits << ((64 - 8*k) & 63) // the k digits at the top, behind zeros
		v = v*10 + v>>8
		v = ((v&0x000000ff000000ff)*(100+1000000<<32) + (v>>16&0x000000ff000000ff)*(1+10000<<32)) >> 32
		out = append(out, float64(int64(v))/pow10[dec&15])
		s = e + 1
	}
	return out, s
}

// maxRun bounds the values a list of runs may expand to, so that a
// malformed payload cannot ask for any amount of memory or time: far more
// than an event holds (MaxSamplesPerEvent) or a site's manual samples in a
// snapshot.
const maxRun = 1 << 16

// runs reads a list written by appendRuns, each value with read.
func (c *cursor) runs(read func() (int64, error)) ([]int64, error) {
	return readRuns[int64](c, read)
}

// readRuns is runs into a slice of any integer type. It reads the whole
// list before expanding it, so that the slice is made once, at its length.
func readRuns[T int | int64](c *cursor, read func() (int64, error)) ([]T, error) {
	empty, err := c.open()
	if empty || err != nil {
		return nil, err
	}
	type run struct{ first, step, count int64 }
	var buf [16]run // a station's times take a few runs; its statuses fewer
	rs, total := buf[:0], 0
	for {
		if c.i < len(c.b) && c.b[c.i] == '[' {
			c.i++
			var fs [2]int64 // first, step
			for k := range fs {
				c.ws()
				if fs[k], err = read(); err != nil {
					return nil, err
				}
				if !c.eat(',') {
					return nil, c.fail("a comma: a run is [first, step, count]")
				}
			}
			first, step := fs[0], fs[1]
			c.ws()
			from := c.i
			n, k := c.digits()
			if k == 0 || k > 7 || n < 1 || total+int(n) > maxRun {
				c.i = from
				return nil, c.fail(fmt.Sprintf("a count of at most %d values", maxRun))
			}
			if !c.eat(']') {
				return nil, c.fail("the ] of a run")
			}
			if !runFits(first, step, int64(n)) {
				return nil, c.fail("a run within range")
			}
			rs, total = append(rs, run{first, step, int64(n)}), total+int(n)
		} else {
			v, err := read()
			if err != nil {
				return nil, err
			}
			rs, total = append(rs, run{v, 0, 1}), total+1
		}
		if more, err := c.more(); !more || err != nil {
			if err != nil {
				return nil, err
			}
			out := make([]T, 0, total)
			for _, r := range rs {
				for v, k := r.first, int64(0); k < r.count; v, k = v+r.step, k+1 {
					out = append(out, T(v))
				}
			}
			return out, nil
		}
	}
}

// runFits reports whether a run's last value, first + step·(count−1),
// is an int64.
func runFits(first, step, count int64) bool {
	if count <= 1 || step == 0 {
		return true
	}
	hi, span := bits.Mul64(absInt64(step), uint64(count-1))
	if hi != 0 {
		return false
	}
	if step > 0 {
		return span <= uint64(math.MaxInt64)-uint64(first) // the room above first
	}
	return span <= uint64(first)+1<<63 // the room below first: first − MinInt64
}

// absInt64 is |x| as a uint64 (MinInt64 included).
func absInt64(x int64) uint64 {
	if x < 0 {
		return -uint64(x)
	}
	return uint64(x)
}

// integer reads a whole number, with an optional minus sign.
func (c *cursor) integer() (int64, error) {
	neg := c.i < len(c.b) && c.b[c.i] == '-'
	if neg {
		c.i++
	}
	from := c.i
	v, n := c.digits()
	if n == 0 || n > 12 || (n > 1 && c.b[from] == '0') {
		c.i = from
		return 0, c.fail("a whole number of at most 12 digits")
	}
	if neg {
		return -int64(v), nil
	}
	return int64(v), nil
}

// index reads a sample's index: a whole number, not negative.
func (c *cursor) index() (int64, error) {
	if c.i < len(c.b) && c.b[c.i] == '-' {
		return 0, c.fail("an index (not negative)")
	}
	return c.integer()
}

// second reads seconds, with an optional sign and a fraction of at most
// nine digits, as nanoseconds.
func (c *cursor) second() (int64, error) {
	neg := c.i < len(c.b) && c.b[c.i] == '-'
	if neg {
		c.i++
	}
	from := c.i
	v, n := c.digits()
	if n == 0 || n > 10 || v > maxSeconds || (n > 1 && c.b[from] == '0') {
		c.i = from
		return 0, c.fail("a number of seconds within the years " + yearRange)
	}
	ns := int64(v) * 1e9
	if c.i < len(c.b) && c.b[c.i] == '.' {
		c.i++
		f, k := c.digits()
		if k == 0 || k > 9 {
			return 0, c.fail("a fraction of at most nine digits")
		}
		ns += int64(f) * int64(pow10[9-k])
	}
	if neg {
		ns = -ns
	}
	return ns, nil
}
