package assessment

import (
	"math"

	"github.com/shanxi-water/ledger/domain"
)

// QualityPoints splits the 100 water-quality points among its parts.
type QualityPoints struct {
	Sections     float64 `json:"sections"`      // sections meeting their target
	BlackOdorous float64 `json:"black_odorous"` // black-odorous water bodies eliminated
	Drinking     float64 `json:"drinking"`      // drinking-water sources at their target, and at class III or better
	Groundwater  float64 `json:"groundwater"`   // groundwater points not graded 极差
}

// Thresholds are the lowest quality scores of each grade.
type Thresholds struct {
	Excellent float64 `json:"excellent"` // 优秀
	Good      float64 `json:"good"`      // 良好
	Pass      float64 `json:"pass"`      // 合格
}

// HardFail lists the rules that make a city 不合格 whatever its score.
type HardFail struct {
	QualityBelow   float64 `json:"quality_below"`     // a quality score under this fails (0: off)
	MissAtLeastIII bool    `json:"miss_at_least_iii"` // missing the city's class-III-or-better target fails
	MissWorseThanV bool    `json:"miss_worse_than_v"` // missing the city's worse-than-V target fails (Shanxi, 2020)
}

// Rules is how a year is assessed. Adopted by an event with the year they
// take effect; a year is assessed with the latest rules in force for it.
type Rules struct {
	EffectiveYear int           `json:"effective_year"`
	Document      string        `json:"document"` // the notice that adopted them
	Points        QualityPoints `json:"points"`
	Grades        Thresholds    `json:"grades"`
	// A task score under this lowers the grade one step (0: never).
	TaskDowngradeBelow float64 `json:"task_downgrade_below"`
	// The share of groundwater points graded 极差 allowed before the
	// groundwater points are reduced (the plan: at most 15%).
	GroundwaterVeryPoorCap float64  `json:"groundwater_very_poor_cap"`
	HardFail               HardFail `json:"hard_fail"`
}

// Validate checks that the rules make sense, naming the field at fault.
func (r Rules) Validate() error {
	const op = "assessment_rules.adopted"
	if r.EffectiveYear < 2016 || r.EffectiveYear > 2030 {
		return domain.Errorf(op, domain.Invalid, "effective_year", "%d outside 2016–2030", r.EffectiveYear)
	}
	if r.Document == "" {
		return domain.Errorf(op, domain.Invalid, "document", "missing: which notice adopts these rules?")
	}
	p := r.Points
	for name, v := range map[string]float64{"sections": p.Sections, "black_odorous": p.BlackOdorous, "drinking": p.Drinking, "groundwater": p.Groundwater} {
		if v < 0 || math.IsNaN(v) {
			return domain.Errorf(op, domain.Invalid, "points."+name, "%g is negative", v)
		}
	}
	if sum := p.Sections + p.BlackOdorous + p.Drinking + p.Groundwater; math.Abs(sum-100) > 1e-9 {
		return domain.Errorf(op, domain.Invalid, "points", "the parts add up to %g, not 100", sum)
	}
	g := r.Grades
	if !(0 < g.Pass && g.Pass < g.Good && g.Good < g.Excellent && g.Excellent <= 100) {
		return domain.Errorf(op, domain.Invalid, "grades", "want 0 < pass < good < excellent ≤ 100, got %g, %g, %g", g.Pass, g.Good, g.Excellent)
	}
	if r.TaskDowngradeBelow < 0 || r.TaskDowngradeBelow > 100 {
		return domain.Errorf(op, domain.Invalid, "task_downgrade_below", "%g is not 0–100", r.TaskDowngradeBelow)
	}
	if r.GroundwaterVeryPoorCap < 0 || r.GroundwaterVeryPoorCap >= 1 {
		return domain.Errorf(op, domain.Invalid, "groundwater_very_poor_cap", "%g is not a share in [0, 1)", r.GroundwaterVeryPoorCap)
	}
	if r.HardFail.QualityBelow < 0 || r.HardFail.QualityBelow > 100 {
		return domain.Errorf(op, domain.Invalid, "hard_fail.quality_below", "%g is not 0–100", r.HardFail.QualityBelow)
	}
	return nil
}

// InForce picks the rules in force for a year among those adopted, given in
// the order they were adopted: the latest adoption with the greatest
// effective year not after it.
func InForce(adopted []Rules, year int) (Rules, error) {
	var best *Rules
	for i := range adopted {
		r := &adopted[i]
		if r.EffectiveYear <= year && (best == nil || r.EffectiveYear >= best.EffectiveYear) {
			best = r
		}
	}
	if best == nil {
		return Rules{}, domain.Errorf("assessment", domain.NotFound, "year", "no assessment rules in force for %d: adopt rules first", year)
	}
	return *best, nil
}

// Standard are rules following the national 考核规定 (2016) and the
// thresholds commonly cited in provincial practice (DOMAIN.md §5); each
// number is configuration, adopted as data.
func Standard(effectiveYear int, document string) Rules {
	return Rules{
		EffectiveYear: effectiveYear, Document: document,
		Points:                 QualityPoints{Sections: 60, BlackOdorous: 15, Drinking: 15, Groundwater: 10},
		Grades:                 Thresholds{Excellent: 90, Good: 70, Pass: 60},
		TaskDowngradeBelow:     60,
		GroundwaterVeryPoorCap: 0.15,
		HardFail:               HardFail{QualityBelow: 60, MissAtLeastIII: true},
	}
}

// RulesAdopted records rules and the year they take effect.
// Event: assessment_rules.adopted.
type RulesAdopted struct {
	Rules Rules `json:"rules"`
}

// Validate checks the rules.
func (a RulesAdopted) Validate() error { return a.Rules.Validate() }
