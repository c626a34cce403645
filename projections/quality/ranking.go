package quality

import (
	"cmp"
	"slices"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/monitoring"
	"github.com/shanxi-water/ledger/domain/water"
)

// SectionCWQI is a section's water-quality index for a quarter.
type SectionCWQI struct {
	Section monitoring.SectionID `json:"section"`
	Samples int                  `json:"samples"` // the quarter's manual samples with values
	CWQI    float64              `json:"cwqi"`
}

// CityCWQI is a city's place in a quarter's ranking by surface-water
// quality: the mean index of its assessed sections sampled that quarter.
type CityCWQI struct {
	City     domain.CityID `json:"city"`
	Rank     int           `json:"rank"` // 1 is the cleanest; 0 when no section was sampled
	CWQI     float64       `json:"cwqi"`
	Sections []SectionCWQI `json:"sections"`
}

// QuarterRanking ranks the cities by surface-water quality for a quarter
// (1–4), as Shanxi does each quarter (DOMAIN.md §5), with the index of the
// national city ranking (water.CWQI): for each assessed section, the means
// of its manual samples of the quarter's three months; for each city, the
// mean over its sections; lowest first, equal indexes sharing a rank.
// Cities without a sampled section come last, unranked.
func (m *Model) QuarterRanking(year, quarter int) []CityCWQI {
	byCity := map[domain.CityID]*CityCWQI{}
	for _, c := range domain.Cities {
		byCity[c.ID] = &CityCWQI{City: c.ID, Sections: []SectionCWQI{}}
	}
	for id, s := range m.sections {
		if !s.Info.Assessed || byCity[s.Info.City] == nil || !m.listed(s.Registered, s.firstData, year) {
			continue
		}
		sums, counts, n := water.Values{}, map[water.Item]int{}, 0
		for k, p := range s.manual {
			mo := monthOf(k.At)
			if mo.year != year || (mo.month-1)/3+1 != quarter || p.sample.Status != monitoring.Measured || len(p.sample.Values) == 0 {
				continue
			}
			n++
			for it, v := range p.sample.Effective() {
				sums[it] += v
				counts[it]++
			}
		}
		if n == 0 {
			continue
		}
		for it := range sums {
			sums[it] /= float64(counts[it])
		}
		idx, err := water.CWQI(s.Kind, sums)
		if err != nil {
			continue // values were checked when recorded
		}
		c := byCity[s.Info.City]
		c.Sections = append(c.Sections, SectionCWQI{Section: id, Samples: n, CWQI: idx})
	}
	out := make([]CityCWQI, 0, len(byCity))
	for _, c := range byCity {
		slices.SortFunc(c.Sections, func(a, b SectionCWQI) int { return cmp.Compare(a.Section, b.Section) })
		for _, s := range c.Sections {
			c.CWQI += s.CWQI
		}
		if len(c.Sections) > 0 {
			c.CWQI /= float64(len(c.Sections))
		}
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b CityCWQI) int {
		if ea, eb := len(a.Sections) == 0, len(b.Sections) == 0; ea != eb {
			if ea {
				return 1
			}
			return -1
		}
		return cmp.Or(cmp.Compare(a.CWQI, b.CWQI), cmp.Compare(a.City, b.City))
	})
	for i := range out {
		switch {
		case len(out[i].Sections) == 0:
		case i > 0 && out[i].CWQI == out[i-1].CWQI && out[i-1].Rank > 0:
			out[i].Rank = out[i-1].Rank
		default:
			out[i].Rank = i + 1
		}
	}
	return out
}
