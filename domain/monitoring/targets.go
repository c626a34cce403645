package monitoring

import (
	"fmt"

	"github.com/shanxi-water/ledger/domain"
)

// Fraction is an exact share: a count of sections out of a total.
type Fraction struct {
	Num int `json:"num"`
	Den int `json:"den"`
}

// MarshalJSON writes the count, the total and the share as printed.
func (f Fraction) MarshalJSON() ([]byte, error) {
	return []byte(fmt.Sprintf(`{"num":%d,"den":%d,"percent":%q}`, f.Num, f.Den, f.String())), nil
}

// Percent is the share in percent.
func (f Fraction) Percent() float64 {
	if f.Den == 0 {
		return 0
	}
	return 100 * float64(f.Num) / float64(f.Den)
}

// String prints the share to two decimals, e.g. "41.38%".
func (f Fraction) String() string { return fmt.Sprintf("%.2f%%", f.Percent()) }

// AtLeast reports whether f ≥ g, exactly (no rounding).
func (f Fraction) AtLeast(g Fraction) bool { return f.Num*g.Den >= g.Num*f.Den }

// AtMost reports whether f ≤ g, exactly.
func (f Fraction) AtMost(g Fraction) bool { return f.Num*g.Den <= g.Num*f.Den }

// BasinTarget is a basin's yearly target from the plan: the share of
// sections at class III or better (表1), and the share worse than class V (表2).
type BasinTarget struct {
	AtLeastIII Fraction `json:"at_least_iii"` // met when the share is at or above it
	WorseThanV Fraction `json:"worse_than_v"` // met when the share is at or below it
}

// PlanSections is the number of assessed river sections per basin: every
// figure in Table 1 and Table 2 is a fraction of these.
var PlanSections = map[domain.Basin]int{domain.Yellow: 58, domain.Hai: 51}

// PlanTargets are Table 1 and Table 2 of the plan, as counts of sections:
// 41.38% = 24/58, 54.90% = 28/51, 34.48% = 20/58, 7.84% = 4/51, …
var PlanTargets = map[domain.Basin]map[int]BasinTarget{
	domain.Yellow: {
		2016: {Fraction{24, 58}, Fraction{20, 58}},
		2017: {Fraction{26, 58}, Fraction{19, 58}},
		2018: {Fraction{30, 58}, Fraction{16, 58}},
		2019: {Fraction{33, 58}, Fraction{12, 58}},
		2020: {Fraction{36, 58}, Fraction{10, 58}},
	},
	domain.Hai: {
		2016: {Fraction{28, 51}, Fraction{4, 51}},
		2017: {Fraction{29, 51}, Fraction{4, 51}},
		2018: {Fraction{31, 51}, Fraction{2, 51}},
		2019: {Fraction{32, 51}, Fraction{1, 51}},
		2020: {Fraction{32, 51}, Fraction{1, 51}},
	},
}
