package water

import (
	"fmt"
	"math"

	"github.com/shanxi-water/ledger/domain"
)

// BlackOdorLevel is the level of an urban black-odorous water point under the
// 城市黑臭水体整治工作指南 (2015).
type BlackOdorLevel int

// The levels.
const (
	NotBlackOdor   BlackOdorLevel = 0 // out of both bands
	LightBlackOdor BlackOdorLevel = 1 // 轻度黑臭
	HeavyBlackOdor BlackOdorLevel = 2 // 重度黑臭
)

// String returns "none", "light" or "heavy".
func (l BlackOdorLevel) String() string {
	switch l {
	case NotBlackOdor:
		return "none"
	case LightBlackOdor:
		return "light"
	case HeavyBlackOdor:
		return "heavy"
	}
	return fmt.Sprintf("BlackOdorLevel(%d)", int(l))
}

// Label returns the level's name in Chinese: "", "轻度黑臭" or "重度黑臭".
func (l BlackOdorLevel) Label() string {
	switch l {
	case LightBlackOdor:
		return "轻度黑臭"
	case HeavyBlackOdor:
		return "重度黑臭"
	}
	return ""
}

// BlackOdorReading is one point's measurement. A nil field was not measured
// and plays no part.
type BlackOdorReading struct {
	TransparencyCm *float64 `json:"transparency_cm,omitempty"` // Secchi transparency, cm
	DepthCm        *float64 `json:"depth_cm,omitempty"`        // water depth, cm; below 25 cm it scales the transparency bands
	DO             *float64 `json:"do,omitempty"`              // dissolved oxygen, mg/L
	ORP            *float64 `json:"orp,omitempty"`             // oxidation-reduction potential, mV (may be negative)
	NH3N           *float64 `json:"nh3n,omitempty"`            // ammonia nitrogen, mg/L
}

// The bands of the guideline's Table 1 (DOMAIN.md §4).
const (
	transparencyLight = 25.0 // cm: light at or below (down to transparencyHeavy)
	transparencyHeavy = 10.0 // cm: heavy below
	shallowDepth      = 25.0 // cm: below this depth the transparency bands scale
	shallowShare      = 0.4  // of the depth: the light bound in shallow water

	doLight = 2.0 // mg/L: light at or below (down to doHeavy)
	doHeavy = 0.2 // mg/L: heavy below

	orpLight = 50.0   // mV: light at or below (down to orpHeavy)
	orpHeavy = -200.0 // mV: heavy below

	nh3nLight = 8.0  // mg/L: light at or above (up to nh3nHeavy)
	nh3nHeavy = 15.0 // mg/L: heavy above
)

// TransparencyBands returns the transparency bounds for a point of the given
// depth (nil: unknown): light when heavyBelow <= T <= lightAtMost, heavy when
// T < heavyBelow. In water 25 cm deep or more (or of unknown depth) they are
// 25 and 10 cm. Shallower, the bottom caps any reading, so the guideline's
// threshold becomes 40% of the depth; this package reads that as the light
// bound (25 cm → 0.4 × depth) and scales the heavy bound in the same ratio
// (10 cm → 10/25 × 0.4 × depth = 0.16 × depth). A depth that is not positive
// and finite is treated as unknown.
func TransparencyBands(depthCm *float64) (lightAtMost, heavyBelow float64) {
	if depthCm == nil || !(*depthCm > 0) || math.IsInf(*depthCm, 0) || *depthCm >= shallowDepth {
		return transparencyLight, transparencyHeavy
	}
	light := shallowShare * *depthCm
	return light, light * transparencyHeavy / transparencyLight
}

// BlackOdor returns the level of a point: heavy if any measured indicator is
// in its heavy band, else light if any is in its light band, else none.
//
//	indicator         light                 heavy
//	transparency cm   10 ≤ T ≤ 25           T < 10     (shallow: see TransparencyBands)
//	DO mg/L           0.2 ≤ DO ≤ 2.0        DO < 0.2
//	ORP mV            −200 ≤ ORP ≤ 50       ORP < −200
//	NH3-N mg/L        8.0 ≤ N ≤ 15          N > 15
//
// The light bands are closed at both ends as the guideline writes them
// ("25~10", "0.2~2.0", "-200~50", "8.0~15"), the heavy bands strict. A
// measured value that is NaN or infinite, or negative where it cannot be
// (transparency, DO, NH3-N), is ignored: use Validate to reject it.
func BlackOdor(r BlackOdorReading) BlackOdorLevel {
	level := NotBlackOdor
	raise := func(l BlackOdorLevel) {
		if l > level {
			level = l
		}
	}
	if t, ok := usable(r.TransparencyCm, false); ok {
		lightAtMost, heavyBelow := TransparencyBands(r.DepthCm)
		switch {
		case !atLeast(t, heavyBelow):
			raise(HeavyBlackOdor)
		case atMost(t, lightAtMost):
			raise(LightBlackOdor)
		}
	}
	if v, ok := usable(r.DO, false); ok {
		switch {
		case v < doHeavy:
			raise(HeavyBlackOdor)
		case v <= doLight:
			raise(LightBlackOdor)
		}
	}
	if v, ok := usable(r.ORP, true); ok {
		switch {
		case v < orpHeavy:
			raise(HeavyBlackOdor)
		case v <= orpLight:
			raise(LightBlackOdor)
		}
	}
	if v, ok := usable(r.NH3N, false); ok {
		switch {
		case v > nh3nHeavy:
			raise(HeavyBlackOdor)
		case v >= nh3nLight:
			raise(LightBlackOdor)
		}
	}
	return level
}

func usable(p *float64, negativeOK bool) (float64, bool) {
	if p == nil || math.IsNaN(*p) || math.IsInf(*p, 0) || (!negativeOK && *p < 0) {
		return 0, false
	}
	return *p, true
}

// Validate rejects a reading BlackOdor would partly ignore: a NaN or
// infinite value, a negative transparency, DO or NH3-N, a depth that is not
// positive, a transparency deeper than the water; and one that measures no
// indicator, which would read as not black-odorous. Fields are named as in JSON: transparency_cm, depth_cm, do, orp,
// nh3n.
func (r BlackOdorReading) Validate() error {
	for _, f := range []struct {
		name       string
		p          *float64
		negativeOK bool
	}{
		{"transparency_cm", r.TransparencyCm, false},
		{"depth_cm", r.DepthCm, false},
		{"do", r.DO, false},
		{"orp", r.ORP, true},
		{"nh3n", r.NH3N, false},
	} {
		switch {
		case f.p == nil:
		case math.IsNaN(*f.p):
			return domain.Errorf("", domain.Invalid, f.name, "not a number")
		case math.IsInf(*f.p, 0):
			return domain.Errorf("", domain.Invalid, f.name, "infinite")
		case !f.negativeOK && *f.p < 0:
			return domain.Errorf("", domain.Invalid, f.name, "negative value %g", *f.p)
		case f.name == "depth_cm" && *f.p == 0:
			return domain.Errorf("", domain.Invalid, f.name, "zero: a dry point has no reading")
		}
	}
	if r.TransparencyCm == nil && r.DO == nil && r.ORP == nil && r.NH3N == nil {
		return domain.Errorf("", domain.Invalid, "transparency_cm", "no indicator measured: give at least one of transparency_cm, do, orp, nh3n")
	}
	if r.TransparencyCm != nil && r.DepthCm != nil && *r.TransparencyCm > *r.DepthCm {
		return domain.Errorf("", domain.Invalid, "transparency_cm", "%g cm is deeper than the water (%g cm): where the disk reaches the bottom, the transparency is the depth", *r.TransparencyCm, *r.DepthCm)
	}
	return nil
}
