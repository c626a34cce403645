package demo

import (
	"fmt"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/monitoring"
	"github.com/shanxi-water/ledger/domain/water"
)

// quality says how polluted a river reach was in 2016 and how fast it improves.
type quality int

const (
	clean    quality = iota // Hai-River headwaters, reservoir outlets: I–II
	fair                    // III
	moderate                // IV–V
	poor                    // the Fen's lower reaches, 涑水河: 劣V
)

// reach is a river in a city, with the sections on it.
type reach struct {
	city    domain.CityID
	basin   domain.Basin
	river   string
	quality quality
	names   []string // real names where known; others are generated
	count   int
	lake    bool // a reservoir (TP limits for lakes)
	ice     bool // ice-bound in January and February
}

// reaches places 58 Yellow-River and 51 Hai-River sections on the rivers of
// DOMAIN.md §7, with the section names seen in public reports.
var reaches = []reach{
	// Yellow River basin: 58.
	{city: "140100", basin: domain.Yellow, river: "汾河", quality: fair, names: []string{"汾河水库出口", "河底村", "温南社"}, count: 4},
	{city: "140100", basin: domain.Yellow, river: "潇河", quality: moderate, count: 2},
	{city: "140100", basin: domain.Yellow, river: "磁窑河", quality: poor, count: 2},
	{city: "140700", basin: domain.Yellow, river: "汾河", quality: poor, count: 2},
	{city: "140700", basin: domain.Yellow, river: "潇河", quality: moderate, count: 2},
	{city: "140700", basin: domain.Yellow, river: "昌源河", quality: moderate, count: 1},
	{city: "140700", basin: domain.Yellow, river: "文峪河", quality: poor, count: 2},
	{city: "141100", basin: domain.Yellow, river: "三川河", quality: moderate, names: []string{"三川河西崖底"}, count: 2},
	{city: "141100", basin: domain.Yellow, river: "湫水河", quality: fair, count: 1},
	{city: "141100", basin: domain.Yellow, river: "屈产河", quality: fair, count: 1},
	{city: "141100", basin: domain.Yellow, river: "岚河", quality: fair, count: 1},
	{city: "141100", basin: domain.Yellow, river: "文峪河", quality: moderate, count: 1},
	{city: "141100", basin: domain.Yellow, river: "黄河干流", quality: clean, count: 2},
	{city: "141000", basin: domain.Yellow, river: "汾河", quality: poor, count: 4},
	{city: "141000", basin: domain.Yellow, river: "浍河", quality: poor, names: []string{"浍河西曲村"}, count: 1},
	{city: "141000", basin: domain.Yellow, river: "昕水河", quality: fair, count: 1},
	{city: "141000", basin: domain.Yellow, river: "黄河干流", quality: clean, count: 2},
	{city: "140800", basin: domain.Yellow, river: "汾河", quality: poor, names: []string{"河津大桥", "庙前村"}, count: 3},
	{city: "140800", basin: domain.Yellow, river: "涑水河", quality: poor, count: 4},
	{city: "140800", basin: domain.Yellow, river: "黄河干流", quality: clean, count: 2},
	{city: "140500", basin: domain.Yellow, river: "沁河", quality: clean, count: 3},
	{city: "140500", basin: domain.Yellow, river: "丹河", quality: moderate, names: []string{"丹河任庄水库出口"}, count: 3, lake: true},
	{city: "140500", basin: domain.Yellow, river: "白水河", quality: poor, count: 1},
	{city: "140400", basin: domain.Yellow, river: "沁河", quality: clean, count: 3},
	{city: "140900", basin: domain.Yellow, river: "汾河", quality: clean, count: 3},
	{city: "140900", basin: domain.Yellow, river: "黄河干流", quality: clean, count: 2},
	{city: "140600", basin: domain.Yellow, river: "苍头河", quality: fair, count: 3, ice: true},
	// Hai River basin: 51.
	{city: "140200", basin: domain.Hai, river: "桑干河", quality: moderate, count: 3, ice: true},
	{city: "140200", basin: domain.Hai, river: "御河", quality: poor, names: []string{"御河利仁皂"}, count: 3, ice: true},
	{city: "140200", basin: domain.Hai, river: "南洋河", quality: fair, count: 2, ice: true},
	{city: "140200", basin: domain.Hai, river: "壶流河", quality: fair, count: 2, ice: true},
	{city: "140200", basin: domain.Hai, river: "唐河", quality: clean, count: 2, ice: true},
	{city: "140300", basin: domain.Hai, river: "桃河", quality: moderate, count: 3},
	{city: "140300", basin: domain.Hai, river: "温河", quality: fair, count: 2},
	{city: "140300", basin: domain.Hai, river: "绵河", quality: clean, count: 2},
	{city: "140400", basin: domain.Hai, river: "浊漳河", quality: moderate, names: []string{"浊漳南源北寨"}, count: 5},
	{city: "140400", basin: domain.Hai, river: "漳泽水库", quality: fair, names: []string{"漳泽水库出口"}, count: 1, lake: true},
	{city: "140400", basin: domain.Hai, river: "绛河", quality: fair, count: 3},
	{city: "140600", basin: domain.Hai, river: "恢河", quality: moderate, count: 3, ice: true},
	{city: "140600", basin: domain.Hai, river: "源子河", quality: fair, count: 2, ice: true},
	{city: "140600", basin: domain.Hai, river: "神头泉", quality: clean, count: 2, ice: true},
	{city: "140900", basin: domain.Hai, river: "滹沱河", quality: clean, names: []string{"滹沱河南庄"}, count: 4, ice: true},
	{city: "140900", basin: domain.Hai, river: "牧马河", quality: fair, count: 2, ice: true},
	{city: "140900", basin: domain.Hai, river: "清水河", quality: clean, names: []string{"清水河坪上桥"}, count: 2, ice: true},
	{city: "140900", basin: domain.Hai, river: "桑干河", quality: fair, names: []string{"桑干河梵王寺"}, count: 2, ice: true},
	{city: "140700", basin: domain.Hai, river: "清漳河", quality: clean, count: 3},
	{city: "140700", basin: domain.Hai, river: "浊漳河北源", quality: fair, count: 3},
}

// section is a generated section and how its water behaves.
type section struct {
	monitoring.SectionRegistered
	quality quality
	ice     bool
}

// sections lays the reaches out as registered sections with stable codes:
// B-CITY-NN, B the basin's initial. A poor section's target is V; a poor
// provincial section's is 劣V (allowed worse than V) while its basin's
// allowance in Table 2 lasts: each year the allowance shrinks, and the
// sections laid out last lose theirs first. The first section of a reach
// is a national one, whose target stays V.
func sections() []section {
	var out []section
	n := map[string]int{}
	poorSoFar := map[domain.Basin]int{} // poor sections laid out so far
	for _, r := range reaches {
		for i := range r.count {
			prefix := fmt.Sprintf("%s-%s", map[domain.Basin]string{domain.Yellow: "Y", domain.Hai: "H"}[r.basin], r.city)
			n[prefix]++
			name := fmt.Sprintf("%s%d号断面", r.river, i+1)
			if i < len(r.names) {
				name = r.names[i]
			}
			kind := water.River
			if r.lake && i == 0 {
				kind = water.Lake
			}
			level := monitoring.Provincial
			if i == 0 {
				level = monitoring.National
			}
			target := map[quality]water.Class{clean: water.ClassII, fair: water.ClassIII, moderate: water.ClassIV, poor: water.ClassV}[r.quality]
			t := monitoring.Targets{}
			allowed := r.quality == poor && level == monitoring.Provincial
			if allowed {
				poorSoFar[r.basin]++
			}
			for y := 2016; y <= 2020; y++ {
				t[y] = target
				if allowed && poorSoFar[r.basin] <= monitoring.PlanTargets[r.basin][y].WorseThanV.Num {
					t[y] = water.WorseThanV
				}
			}
			s := section{quality: r.quality, ice: r.ice}
			s.SectionRegistered = monitoring.SectionRegistered{
				ID:   monitoring.SectionID(fmt.Sprintf("%s-%02d", prefix, n[prefix])),
				Name: name, River: r.river, Basin: r.basin, City: r.city, Kind: kind, Level: level,
				Automatic: level == monitoring.National, Assessed: true, Targets: t,
			}
			if r.ice {
				s.MinSamples = 8 // ice-bound: January and February are not sampled
			}
			out = append(out, s)
		}
	}
	return out
}
