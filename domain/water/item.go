package water

import "strings"

// Item is a GB 3838-2002 Table 1 item, named by a stable ASCII code used in
// APIs and CSV headers. Use LookupItem to read the names found in reports.
type Item string

// The items of GB 3838-2002 Table 1 (basic items), in the order of the table.
const (
	PH            Item = "pH"             // pH 值, dimensionless
	DO            Item = "DO"             // 溶解氧, a lower bound
	CODMn         Item = "CODMn"          // 高锰酸盐指数
	COD           Item = "COD"            // 化学需氧量 (CODCr)
	BOD5          Item = "BOD5"           // 五日生化需氧量
	NH3N          Item = "NH3N"           // 氨氮
	TP            Item = "TP"             // 总磷; limits differ for lakes
	TN            Item = "TN"             // 总氮; lakes and reservoirs only
	Cu            Item = "Cu"             // 铜
	Zn            Item = "Zn"             // 锌
	F             Item = "F"              // 氟化物
	Se            Item = "Se"             // 硒
	As            Item = "As"             // 砷
	Hg            Item = "Hg"             // 汞
	Cd            Item = "Cd"             // 镉
	Cr6           Item = "Cr6"            // 六价铬
	Pb            Item = "Pb"             // 铅
	CN            Item = "CN"             // 氰化物
	Phenol        Item = "phenol"         // 挥发酚
	Petroleum     Item = "petroleum"      // 石油类
	LAS           Item = "LAS"            // 阴离子表面活性剂
	Sulfide       Item = "sulfide"        // 硫化物
	FecalColiform Item = "fecal_coliform" // 粪大肠菌群, 个/L; never counts toward the class
)

// ItemInfo describes an item.
type ItemInfo struct {
	Item       Item   `json:"item"`
	NameZh     string `json:"name_zh"`
	NameEn     string `json:"name_en"`
	Unit       string `json:"unit"`        // "mg/L"; "" for pH; "个/L" for fecal coliform
	LowerBound bool   `json:"lower_bound"` // the limits are minimums (DO): higher is better
	// InClass reports whether the item counts toward a section's class: the
	// 21 items of the official evaluation. TN and fecal coliform do not: TN
	// is evaluated for lakes and reservoirs only and, like fecal coliform,
	// reported separately (SampleResult.Uncounted).
	InClass bool `json:"in_class"`
}

type spec struct {
	ItemInfo
	aliases []string
	// limits of classes I…V; river and lake differ only for TP. nil: no
	// limits (pH, which is a range rule; TN on rivers).
	river, lake *[5]float64
}

func both(l [5]float64) (r, k *[5]float64) { return &l, &l }

func mk(info ItemInfo, l [5]float64, aliases ...string) spec {
	r, k := both(l)
	return spec{ItemInfo: info, aliases: aliases, river: r, lake: k}
}

// specs is GB 3838-2002 Table 1 as DOMAIN.md §3 gives it.
var specs = []spec{
	{ItemInfo: ItemInfo{PH, "pH值", "pH", "", false, true}, aliases: []string{"pH值"}},
	mk(ItemInfo{DO, "溶解氧", "dissolved oxygen", mgL, true, true}, [5]float64{7.5, 6, 5, 3, 2}),
	mk(ItemInfo{CODMn, "高锰酸盐指数", "permanganate index", mgL, false, true}, [5]float64{2, 4, 6, 10, 15}, "COD_Mn", "IMn"),
	mk(ItemInfo{COD, "化学需氧量", "chemical oxygen demand", mgL, false, true}, [5]float64{15, 15, 20, 30, 40}, "CODCr", "COD_Cr"),
	mk(ItemInfo{BOD5, "五日生化需氧量", "five-day biochemical oxygen demand", mgL, false, true}, [5]float64{3, 3, 4, 6, 10}, "BOD₅", "BOD"),
	mk(ItemInfo{NH3N, "氨氮", "ammonia nitrogen", mgL, false, true}, [5]float64{0.15, 0.5, 1.0, 1.5, 2.0}, "NH₃-N", "NH4N", "NH4-N"),
	{ItemInfo: ItemInfo{TP, "总磷", "total phosphorus", mgL, false, true},
		river: &[5]float64{0.02, 0.1, 0.2, 0.3, 0.4},
		lake:  &[5]float64{0.01, 0.025, 0.05, 0.1, 0.2}},
	{ItemInfo: ItemInfo{TN, "总氮", "total nitrogen", mgL, false, false},
		lake: &[5]float64{0.2, 0.5, 1.0, 1.5, 2.0}},
	mk(ItemInfo{Cu, "铜", "copper", mgL, false, true}, [5]float64{0.01, 1.0, 1.0, 1.0, 1.0}),
	mk(ItemInfo{Zn, "锌", "zinc", mgL, false, true}, [5]float64{0.05, 1.0, 1.0, 2.0, 2.0}),
	mk(ItemInfo{F, "氟化物", "fluoride", mgL, false, true}, [5]float64{1.0, 1.0, 1.0, 1.5, 1.5}, "氟"),
	mk(ItemInfo{Se, "硒", "selenium", mgL, false, true}, [5]float64{0.01, 0.01, 0.01, 0.02, 0.02}),
	mk(ItemInfo{As, "砷", "arsenic", mgL, false, true}, [5]float64{0.05, 0.05, 0.05, 0.1, 0.1}),
	mk(ItemInfo{Hg, "汞", "mercury", mgL, false, true}, [5]float64{0.00005, 0.00005, 0.0001, 0.001, 0.001}),
	mk(ItemInfo{Cd, "镉", "cadmium", mgL, false, true}, [5]float64{0.001, 0.005, 0.005, 0.005, 0.01}),
	mk(ItemInfo{Cr6, "六价铬", "hexavalent chromium", mgL, false, true}, [5]float64{0.01, 0.05, 0.05, 0.05, 0.1}, "Cr(VI)", "CrVI", "Cr6+", "铬(六价)"),
	mk(ItemInfo{Pb, "铅", "lead", mgL, false, true}, [5]float64{0.01, 0.01, 0.05, 0.05, 0.1}),
	mk(ItemInfo{CN, "氰化物", "cyanide", mgL, false, true}, [5]float64{0.005, 0.05, 0.2, 0.2, 0.2}),
	mk(ItemInfo{Phenol, "挥发酚", "volatile phenol", mgL, false, true}, [5]float64{0.002, 0.002, 0.005, 0.01, 0.1}, "volatile phenols"),
	mk(ItemInfo{Petroleum, "石油类", "petroleum", mgL, false, true}, [5]float64{0.05, 0.05, 0.05, 0.5, 1.0}, "oil", "petroleum oils"),
	mk(ItemInfo{LAS, "阴离子表面活性剂", "anionic surfactant", mgL, false, true}, [5]float64{0.2, 0.2, 0.2, 0.3, 0.3}, "anionic surfactants"),
	mk(ItemInfo{Sulfide, "硫化物", "sulfide", mgL, false, true}, [5]float64{0.05, 0.1, 0.2, 0.5, 1.0}, "sulphide"),
	mk(ItemInfo{FecalColiform, "粪大肠菌群", "fecal coliform", "个/L", false, false}, [5]float64{200, 2000, 10000, 20000, 40000}, "faecal coliform", "fecal coliforms"),
}

const mgL = "mg/L"

var (
	specIndex = map[Item]int{}    // canonical code -> index in specs
	aliasKey  = map[string]Item{} // normalised code, names and aliases -> item
)

func init() {
	if len(specs) != NumItems {
		panic("water: NumItems is not the number of specs")
	}
	for i, s := range specs {
		specIndex[s.Item] = i
		for _, name := range append([]string{string(s.Item), s.NameZh, s.NameEn}, s.aliases...) {
			k := normalise(name)
			if prev, dup := aliasKey[k]; dup && prev != s.Item {
				panic("water: alias " + name + " names both " + string(prev) + " and " + string(s.Item))
			}
			aliasKey[k] = s.Item
		}
	}
}

// normalise folds case and drops the spaces, hyphens, underscores, dots and
// brackets that reports put in item names, so "NH3-N", "nh3_n" and "NH3N"
// are one key.
func normalise(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '_', '.', '(', ')', '（', '）', '\t':
			return -1
		}
		return r
	}, strings.ToLower(strings.TrimSpace(s)))
}

func lookupSpec(i Item) (*spec, bool) {
	n, ok := specIndex[i]
	if !ok {
		return nil, false
	}
	return &specs[n], true
}

// Items lists the 23 items of GB 3838-2002 Table 1 in the order of the
// table. The slice is the caller's to keep.
func Items() []ItemInfo {
	out := make([]ItemInfo, len(specs))
	for i, s := range specs {
		out[i] = s.ItemInfo
	}
	return out
}

// LookupItem finds an item by its code or by a name found in reports,
// ignoring case, spaces, hyphens, underscores and brackets: "NH3-N", "氨氮",
// "ammonia nitrogen", "CODMn", "高锰酸盐指数", "CODCr", "Cr(VI)", "六价铬" …
func LookupItem(s string) (ItemInfo, bool) {
	it, ok := aliasKey[normalise(s)]
	if !ok {
		return ItemInfo{}, false
	}
	sp, _ := lookupSpec(it)
	return sp.ItemInfo, true
}

// NumItems is the number of items in GB 3838-2002 Table 1.
const NumItems = 23

// Index is the item's position in GB 3838-2002 Table 1 (0 for pH … 22 for
// fecal coliform), for code that keeps one slot per item instead of a map;
// false for an unknown code.
func (i Item) Index() (int, bool) {
	n, ok := specIndex[i]
	return n, ok
}

// ItemAt is the item at position n of the table (see Index).
func ItemAt(n int) Item { return specs[n].Item }

// order is an item's position in the table, for deterministic ordering.
func order(i Item) int {
	if n, ok := specIndex[i]; ok {
		return n
	}
	return len(specs)
}

func (s *spec) limits(kind BodyKind) *[5]float64 {
	switch kind {
	case River:
		return s.river
	case Lake:
		return s.lake
	}
	return nil
}

// Limit returns the class-c limit of item for a water body of the given
// kind, in the item's unit: a maximum, or for DO a minimum. It reports false
// for pH (a 6–9 range for every class), TN on rivers (GB 3838 sets TN limits
// for lakes and reservoirs only), an unknown item or kind, and a class that
// is not I … V.
func Limit(item Item, kind BodyKind, c Class) (float64, bool) {
	if c < ClassI || c > ClassV {
		return 0, false
	}
	s, ok := lookupSpec(item)
	if !ok {
		return 0, false
	}
	l := s.limits(kind)
	if l == nil {
		return 0, false
	}
	return l[c-1], true
}
