package water

import (
	"fmt"
	"math"
	"slices"

	"github.com/shanxi-water/ledger/domain"
)

// eps is the relative tolerance of comparisons with a limit, so that a mean
// that floating point leaves at 0.20000000000000004 is still at the TP limit
// of 0.2. It is far below any laboratory's precision.
const eps = 1e-9

// atMost reports v <= limit, within eps.
func atMost(v, limit float64) bool { return v <= limit+eps*math.Abs(limit) }

// atLeast reports v >= limit, within eps.
func atLeast(v, limit float64) bool { return v >= limit-eps*math.Abs(limit) }

// pH bounds: 6–9 for every class; 0–14 for a value to be a pH at all.
const (
	pHMin, pHMax           = 6.0, 9.0
	pHScaleMin, pHScaleMax = 0.0, 14.0
)

// BelowDetection returns the value that stands for a reading below the
// detection limit: half the limit, as the official evaluation does
// (未检出按检出限一半参与统计). The caller enters that value in Values; this
// package never sees the "not detected" flag itself.
func BelowDetection(limit float64) float64 { return limit / 2 }

// checkValue rejects what cannot be a measurement of item.
func checkValue(op, field string, item Item, v float64) error {
	if reason := badValue(item, v); reason != "" {
		return domain.Errorf(op, domain.Invalid, field, "%s", reason)
	}
	return nil
}

// badValue says why v cannot be a measurement of item, or "".
func badValue(item Item, v float64) string {
	switch {
	case math.IsNaN(v):
		return "not a number"
	case math.IsInf(v, 0):
		return "infinite"
	case v < 0:
		return fmt.Sprintf("negative value %g", v)
	case item == PH && (v < pHScaleMin || v > pHScaleMax):
		return fmt.Sprintf("pH %g is outside 0–14", v)
	}
	return ""
}

func unknownItem(op, field string, item Item) error {
	if info, ok := LookupItem(string(item)); ok {
		return domain.Errorf(op, domain.Invalid, field, "item %q is not a code: use %q", string(item), string(info.Item))
	}
	return domain.Errorf(op, domain.Invalid, field, "unknown item %q", string(item))
}

// classOf classifies a checked value against a spec's limits.
func classOf(s *spec, l *[5]float64, v float64) Class {
	if s.Item == PH {
		if atLeast(v, pHMin) && atMost(v, pHMax) {
			return ClassI
		}
		return WorseThanV
	}
	for k, lim := range l {
		if s.LowerBound && atLeast(v, lim) || !s.LowerBound && atMost(v, lim) {
			return Class(k + 1)
		}
	}
	return WorseThanV
}

// ClassifyValue returns the class of one item's value on a water body of the
// given kind. An upper-bound item is class k if v is at or below the class-k
// limit, taking the best such k (COD 15 is class I); DO is class k if v is at
// or above the class-k minimum. Beyond class V is WorseThanV. pH is class I
// within 6–9 (it does not separate classes I–V) and WorseThanV outside.
//
// Comparisons with limits allow a relative 1e-9 for floating point. Errors
// (kind Invalid): an unknown kind or item (codes only; see LookupItem), TN on
// a river (no limits), a negative, NaN or infinite value, pH outside 0–14.
func ClassifyValue(item Item, kind BodyKind, v float64) (Class, error) {
	const op = "water.ClassifyValue"
	if err := kind.Validate(); err != nil {
		return 0, domain.E(op, domain.Invalid, "kind", err)
	}
	s, ok := lookupSpec(item)
	if !ok {
		return 0, unknownItem(op, "item", item)
	}
	l := s.limits(kind)
	if l == nil && item != PH {
		return 0, domain.Errorf(op, domain.Invalid, "item", "GB 3838-2002 sets no %s limits for a %s", string(item), string(kind))
	}
	if err := checkValue(op, string(item), item, v); err != nil {
		return 0, err
	}
	return classOf(s, l, v), nil
}

// Values holds one value per item, in the item's unit. An item that was not
// measured is absent, never zero.
type Values map[Item]float64

// SampleResult is the class of a sample (or of a set of annual means).
type SampleResult struct {
	// Class is the worst class of the counted items; 0 when no counted item
	// was present.
	Class Class `json:"class"`
	// Worst lists the counted items whose class is Class: the items that set
	// it, in table order. When every item is class I they all do.
	Worst []Item `json:"worst,omitempty"`
	// ItemClasses holds the class of every counted item present.
	ItemClasses map[Item]Class `json:"item_classes"`
	// Uncounted holds, for reporting separately, the class of the items
	// present that do not count but have limits: TN on a lake or reservoir,
	// and fecal coliform. TN on a river has no limits and appears in neither
	// map.
	Uncounted map[Item]Class `json:"uncounted,omitempty"`
}

// ClassifySample applies the single-factor rule: the class of a sample is the
// class of its worst counted item. The counted items are the 21 of the
// official evaluation; TN (lakes and reservoirs only) and fecal coliform are
// classed and reported separately, in Uncounted. Items absent from v are skipped; an empty sample has Class 0. pH
// outside 6–9 makes the sample WorseThanV. Every value present, counted or
// not, is checked as ClassifyValue checks it; unknown items are errors.
func ClassifySample(kind BodyKind, v Values) (SampleResult, error) {
	return classifySample("water.ClassifySample", field{index: -1}, kind, v)
}

// field names an item of a sample in errors: prefix and the item, or with
// an index, prefix[index].item. It is formatted only when there is an error.
type field struct {
	prefix string
	index  int // < 0: none
}

func (f field) of(item Item) string {
	if f.index >= 0 {
		return fmt.Sprintf("%s[%d].%s", f.prefix, f.index, item)
	}
	return f.prefix + string(item)
}

// eachValue calls fn with each value of v in table order, after checking it
// as ClassifyValue does; an unknown item is an error, reported after the
// known ones.
func eachValue(op string, f field, v Values, fn func(s *spec, val float64)) error {
	known := 0
	for i := range specs {
		s := &specs[i]
		val, ok := v[s.Item]
		if !ok {
			continue
		}
		known++
		if reason := badValue(s.Item, val); reason != "" {
			return domain.Errorf(op, domain.Invalid, f.of(s.Item), "%s", reason)
		}
		if fn != nil {
			fn(s, val)
		}
	}
	if known < len(v) {
		for _, item := range sortedKeys(v) {
			if _, ok := lookupSpec(item); !ok {
				return unknownItem(op, f.of(item), item)
			}
		}
	}
	return nil
}

func classifySample(op string, f field, kind BodyKind, v Values) (SampleResult, error) {
	if err := kind.Validate(); err != nil {
		return SampleResult{}, domain.E(op, domain.Invalid, "kind", err)
	}
	res := SampleResult{ItemClasses: make(map[Item]Class, len(v)), Uncounted: map[Item]Class{}}
	err := eachValue(op, f, v, func(s *spec, val float64) {
		item := s.Item
		l := s.limits(kind)
		if l == nil && item != PH {
			return // TN on a river
		}
		c := classOf(s, l, val)
		if !s.InClass {
			res.Uncounted[item] = c
			return
		}
		res.ItemClasses[item] = c
		switch {
		case c > res.Class:
			res.Class, res.Worst = c, []Item{item}
		case c == res.Class:
			res.Worst = append(res.Worst, item)
		}
	})
	if err != nil {
		return SampleResult{}, err
	}
	return res, nil
}

// sortedKeys returns v's items in table order, unknown items last (sorted).
func sortedKeys(v Values) []Item {
	items := make([]Item, 0, len(v))
	for it := range v {
		items = append(items, it)
	}
	slices.SortFunc(items, func(a, b Item) int {
		if d := order(a) - order(b); d != 0 {
			return d
		}
		switch {
		case a < b:
			return -1
		case a > b:
			return 1
		}
		return 0
	})
	return items
}

// Exceedance is an item worse than class III and by how much.
type Exceedance struct {
	Item     Item    `json:"item"`
	Value    float64 `json:"value"`
	Limit    float64 `json:"limit"`    // the class-III limit
	Multiple float64 `json:"multiple"` // (Value − Limit) / Limit
}

// maxMainPollutants is how many main pollutants the official evaluation
// names.
const maxMainPollutants = 3

// MainPollutants names the main pollutants of a sample (or of annual means)
// whose class is worse than III: up to three counted items worse than class
// III, by exceedance multiple (C − C_III) / C_III, largest first, ties in
// table order. pH and DO have no multiple and are never listed, though they
// can set the class. It returns nil when the class is III or better, and when
// v is invalid (ClassifySample reports why).
func MainPollutants(kind BodyKind, v Values) []Exceedance {
	res, err := ClassifySample(kind, v)
	if err != nil {
		return nil
	}
	return mainPollutants(kind, v, res)
}

func mainPollutants(kind BodyKind, v Values, res SampleResult) []Exceedance {
	if res.Class <= ClassIII {
		return nil
	}
	var out []Exceedance
	for item, c := range res.ItemClasses {
		if c <= ClassIII || item == PH || item == DO {
			continue
		}
		lim, _ := Limit(item, kind, ClassIII)
		out = append(out, Exceedance{Item: item, Value: v[item], Limit: lim, Multiple: (v[item] - lim) / lim})
	}
	slices.SortFunc(out, func(a, b Exceedance) int {
		switch {
		case a.Multiple > b.Multiple:
			return -1
		case a.Multiple < b.Multiple:
			return 1
		}
		return order(a.Item) - order(b.Item)
	})
	if len(out) > maxMainPollutants {
		out = out[:maxMainPollutants]
	}
	return out
}
