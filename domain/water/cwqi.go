package water

import (
	"github.com/shanxi-water/ledger/domain"
)

// CWQI is the water-quality index that ranks cities (城市水质指数, as the
// national 城市地表水环境质量排名技术规定(试行), 2017, defines it): over the
// items that count toward the class, the sum of each item's mean over its
// class-III limit; for DO the limit over the mean, since more is better;
// for pH its distance from 7 over the distance to the limit of 6–9 on that
// side. Lower is cleaner: a section exactly at the class-III limits of 21
// items scores 21 less the items absent. means are a period's means
// (below-detection results at half the limit, as Sample.Effective gives
// them); items that do not count (TN, fecal coliform) are left out, and so
// is a DO mean of zero, which has no ratio.
func CWQI(kind BodyKind, means Values) (float64, error) {
	const op = "water.CWQI"
	if err := kind.Validate(); err != nil {
		return 0, domain.E(op, domain.Invalid, "kind", err)
	}
	total := 0.0
	err := eachValue(op, field{"means.", -1}, means, func(s *spec, v float64) {
		if !s.InClass {
			return
		}
		switch s.Item {
		case PH:
			if v > 7 {
				total += (v - 7) / (9 - 7)
			} else {
				total += (7 - v) / (7 - 6)
			}
		case DO:
			lim, _ := Limit(DO, kind, ClassIII)
			if v > 0 {
				total += lim / v
			}
		default:
			lim, _ := Limit(s.Item, kind, ClassIII)
			total += v / lim
		}
	})
	return total, err
}
