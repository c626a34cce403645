package monitoring

import (
	"fmt"
	"math"
	"time"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/water"
)

// Samples is a batch of samples at one site, held column by column: the
// times, the sources and statuses, and one column of values for each item
// reported. A station's quarter for one section is some 2,000 samples of the
// same five or six items; as columns they take a third of the space they
// take as rows, and a read model sums a column without building a map for
// every sample. Build one with NewSamples; it is not changed afterwards.
// The zero value is an empty batch.
type Samples struct {
	at     []int64      // Unix nanoseconds of each sample
	manual []bool       // nil when every sample is automatic
	status []statusCode // nil when every sample was measured
	cols   []Column     // one per item reported, in the order of GB 3838 Table 1
}

// The years a sample's time may fall in: Samples holds times as Unix
// nanoseconds, and any two of them must be less than 292 years apart.
const (
	firstYear  = 1950
	lastYear   = 2200
	yearRange  = "1950–2200"
	maxSeconds = 9_200_000_000 // seconds between two times, under 2^63 ns
)

func inRange(t time.Time) bool { y := t.UTC().Year(); return y >= firstYear && y <= lastYear }

// Column is one item's values in a batch of samples.
type Column struct {
	Item  water.Item
	Index int // the item's position in GB 3838 Table 1 (water.Item.Index)
	// Values has one entry per sample: NaN where the sample has no value of
	// the item (not reported, or the sample was not monitored).
	Values []float64
	// BelowDL is nil, or has one entry per sample: true where the value is
	// the detection limit of a result reported below it.
	BelowDL []bool
}

// NewSamples turns samples given row by row into columns, keeping their
// order. It fails, naming samples[i] and the field, on what columns cannot
// hold: an unknown item, a value that is not a number, a result flagged
// below the detection limit without its value, an unknown source or status. Whether
// the samples make sense (ranges, repeats) is Validate's.
func NewSamples(rows []Sample) (Samples, error) {
	const op = "samples"
	n := len(rows)
	s := Samples{at: make([]int64, n)}
	var byItem [water.NumItems]*Column
	col := func(it water.Item, field string) (*Column, error) {
		j, ok := it.Index()
		if !ok {
			return nil, domain.Errorf(op, domain.Invalid, field, "unknown item %q", string(it))
		}
		if byItem[j] == nil {
			c := &Column{Item: it, Index: j, Values: make([]float64, n)}
			for i := range c.Values {
				c.Values[i] = math.NaN()
			}
			byItem[j] = c
		}
		return byItem[j], nil
	}
	for i, r := range rows {
		f := fmt.Sprintf("samples[%d]", i)
		if r.At.IsZero() {
			return Samples{}, domain.Errorf(op, domain.Invalid, f+".at", "missing")
		}
		if !inRange(r.At) {
			return Samples{}, domain.Errorf(op, domain.Invalid, f+".at", "%s is outside the years %s", r.At.Format(time.RFC3339), yearRange)
		}
		s.at[i] = r.At.UnixNano()
		if err := r.Source.Validate(); err != nil {
			return Samples{}, domain.E(op, domain.Invalid, f+".source", err)
		}
		if r.Source == Manual {
			if s.manual == nil {
				s.manual = make([]bool, n)
			}
			s.manual[i] = true
		}
		if err := r.Status.Validate(); err != nil {
			return Samples{}, domain.E(op, domain.Invalid, f+".status", err)
		}
		if r.Status != Measured {
			if s.status == nil {
				s.status = make([]statusCode, n)
			}
			s.status[i] = codeOf(r.Status)
		}
		for it, v := range r.Values {
			c, err := col(it, f+".values."+string(it))
			if err != nil {
				return Samples{}, err
			}
			if math.IsNaN(v) {
				return Samples{}, domain.Errorf(op, domain.Invalid, f+".values."+string(it), "%s is not a number", it)
			}
			c.Values[i] = v
		}
		for k, it := range r.BelowDL {
			bf := fmt.Sprintf("%s.below_dl[%d]", f, k)
			if _, ok := r.Values[it]; !ok {
				return Samples{}, domain.Errorf(op, domain.Invalid, bf, "%s is flagged below the detection limit but has no value (the limit)", it)
			}
			c, err := col(it, bf)
			if err != nil {
				return Samples{}, err
			}
			if c.BelowDL == nil {
				c.BelowDL = make([]bool, n)
			}
			c.BelowDL[i] = true
		}
	}
	for _, c := range byItem {
		if c != nil {
			s.cols = append(s.cols, *c)
		}
	}
	return s, nil
}

// MustSamples is NewSamples for samples known to be well-formed (tests,
// seeded data); it panics on an error.
func MustSamples(rows ...Sample) Samples {
	s, err := NewSamples(rows)
	if err != nil {
		panic(err)
	}
	return s
}

// Len is the number of samples.
func (s Samples) Len() int { return len(s.at) }

// At is the time sample i was taken, in UTC.
func (s Samples) At(i int) time.Time { return time.Unix(0, s.at[i]).UTC() }

// UnixNano is the time sample i was taken, in Unix nanoseconds.
func (s Samples) UnixNano(i int) int64 { return s.at[i] }

// Source is how sample i was taken.
func (s Samples) Source(i int) Source {
	if s.manual != nil && s.manual[i] {
		return Manual
	}
	return Auto
}

// Status is why sample i has no values, or Measured.
func (s Samples) Status(i int) Status {
	if s.status == nil {
		return Measured
	}
	return statuses[s.status[i]]
}

// Measured reports whether sample i was measured: Status(i) == Measured,
// without comparing strings (a replay asks it of every sample).
func (s Samples) Measured(i int) bool { return s.status == nil || s.status[i] == 0 }

// statusCode is a Status in a byte, its index in statuses: Samples holds
// one for every sample, and bytes (unlike strings) hold no pointers for the
// collector to follow.
type statusCode uint8

var statuses = [...]Status{Measured, Dry, Ice, Fault}

// codeOf is the code of a valid status (Measured for any other).
func codeOf(st Status) statusCode {
	for i, x := range statuses {
		if x == st {
			return statusCode(i)
		}
	}
	return 0
}

// Key identifies sample i within its site.
func (s Samples) Key(i int) Key { return Key{s.At(i), s.Source(i)} }

// Columns are the items' values, in the order of GB 3838 Table 1. They
// share the batch's storage: the caller must not change them.
func (s Samples) Columns() []Column { return s.cols }

// Row is sample i as a Sample, with BelowDL in the order of the table.
func (s Samples) Row(i int) Sample {
	r := Sample{At: s.At(i), Source: s.Source(i), Status: s.Status(i)}
	for _, c := range s.cols {
		v := c.Values[i]
		if math.IsNaN(v) {
			continue
		}
		if r.Values == nil {
			r.Values = water.Values{}
		}
		r.Values[c.Item] = v
		if c.BelowDL != nil && c.BelowDL[i] {
			r.BelowDL = append(r.BelowDL, c.Item)
		}
	}
	return r
}

// Rows are the samples as Samples, in order.
func (s Samples) Rows() []Sample {
	out := make([]Sample, s.Len())
	for i := range out {
		out[i] = s.Row(i)
	}
	return out
}

// Find returns the last sample with the key, if there is one.
func (s Samples) Find(k Key) (Sample, bool) {
	at := k.At.UnixNano()
	for i := len(s.at) - 1; i >= 0; i-- {
		if s.at[i] == at && s.Source(i) == k.Source {
			return s.Row(i), true
		}
	}
	return Sample{}, false
}

// TakenBy reports whether any sample was taken at or before t.
func (s Samples) TakenBy(t time.Time) bool {
	n := t.UnixNano()
	for _, at := range s.at {
		if at <= n {
			return true
		}
	}
	return false
}

// Validate checks every sample as Sample.Validate does, naming
// samples[i] and the field at fault, and that no two have the same time
// and source.
func (s Samples) Validate(op string) error {
	seen := make(map[Key]int, s.Len())
	for i := range s.at {
		f := fmt.Sprintf("samples[%d]", i)
		st := s.Status(i)
		if err := st.Validate(); err != nil {
			return domain.E(op, domain.Invalid, f+".status", err)
		}
		values := 0
		for _, c := range s.cols {
			v := c.Values[i]
			if math.IsNaN(v) {
				continue
			}
			values++
			if st != Measured {
				return domain.Errorf(op, domain.Invalid, f+".values", "a sample not monitored (%s) has no values", st)
			}
			if err := CheckValue(c.Item, v); err != nil {
				return domain.E(op, domain.Invalid, f+".values."+string(c.Item), err)
			}
			if c.BelowDL != nil && c.BelowDL[i] {
				if err := CheckBelowLimit(c.Item, v); err != nil {
					return domain.E(op, domain.Invalid, f+".below_dl", err)
				}
			}
		}
		if st == Measured && values == 0 {
			return domain.Errorf(op, domain.Invalid, f+".values", "a measured sample needs at least one value (or a status: dry, ice, fault)")
		}
		k := s.Key(i)
		if j, dup := seen[k]; dup {
			return domain.Errorf(op, domain.Invalid, f, "same time and source as samples[%d]", j)
		}
		seen[k] = i
	}
	return nil
}
