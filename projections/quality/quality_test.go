package quality_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/monitoring"
	"github.com/shanxi-water/ledger/domain/water"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/events/jetstream"
	"github.com/shanxi-water/ledger/projections"
	"github.com/shanxi-water/ledger/projections/quality"
)

var (
	admin   = domain.Actor{ID: "admin", Role: domain.Admin}
	station = domain.Actor{ID: "station", Role: domain.Station}
	years   = []int{2016, 2017, 2018, 2019, 2020}
)

func openStore(t *testing.T, clock events.Clock) *jetstream.Store {
	t.Helper()
	s, err := jetstream.Open(context.Background(), jetstream.Config{DataDir: t.TempDir(), Registry: app.Registry(), Clock: clock})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// The plan's Table 1 and Table 2 as printed: percentages, to two decimals.
var printed = map[domain.Basin]map[int][2]string{
	domain.Yellow: {2016: {"41.38%", "34.48%"}, 2017: {"44.83%", "32.76%"}, 2018: {"51.72%", "27.59%"}, 2019: {"56.90%", "20.69%"}, 2020: {"62.07%", "17.24%"}},
	domain.Hai:    {2016: {"54.90%", "7.84%"}, 2017: {"56.86%", "7.84%"}, 2018: {"60.78%", "3.92%"}, 2019: {"62.75%", "1.96%"}, 2020: {"62.75%", "1.96%"}},
}

// Monthly values that put a river section in a class (NH3-N sets it).
var classValues = map[water.Class]string{
	water.ClassII:    "7.9,7.2,3.1,0.31,0.08", // pH, DO, CODMn, NH3N, TP
	water.ClassIV:    "7.8,5.5,5.2,1.22,0.18",
	water.WorseThanV: "7.6,4.1,9.8,2.64,0.36",
}

// plan builds 58 Yellow-River and 51 Hai-River sections and decides each
// section's class in each year from the counts in the plan: the first n
// sections at class II, the last w worse than V, the rest class IV.
type plan struct {
	sections []monitoring.SectionRegistered
	class    map[monitoring.SectionID]map[int]water.Class
}

func newPlan(t *testing.T, counts map[domain.Basin]map[int][2]int) plan {
	p := plan{class: map[monitoring.SectionID]map[int]water.Class{}}
	cities := map[domain.Basin][]domain.CityID{
		domain.Yellow: {"140100", "140500", "140700", "140800", "141000", "141100"},
		domain.Hai:    {"140200", "140300", "140400", "140600", "140900"},
	}
	for _, b := range []domain.Basin{domain.Yellow, domain.Hai} {
		total := monitoring.PlanSections[b]
		for i := range total {
			id := monitoring.SectionID(fmt.Sprintf("%s%02d", strings.ToUpper(string(b[:1])), i))
			p.sections = append(p.sections, monitoring.SectionRegistered{
				ID: id, Name: fmt.Sprintf("断面%s", id), River: "汾河", Basin: b, City: cities[b][i%len(cities[b])],
				Kind: "river", Level: monitoring.Provincial, Assessed: true,
				Targets: monitoring.Targets{2016: water.ClassIII, 2017: water.ClassIII, 2018: water.ClassIII, 2019: water.ClassIII, 2020: water.ClassIII},
			})
			p.class[id] = map[int]water.Class{}
			for _, y := range years {
				good, bad := counts[b][y][0], counts[b][y][1]
				switch {
				case i < good:
					p.class[id][y] = water.ClassII
				case i >= total-bad:
					p.class[id][y] = water.WorseThanV
				default:
					p.class[id][y] = water.ClassIV
				}
			}
		}
	}
	return p
}

// csv writes twelve monthly manual samples per section and year.
func (p plan) csv() []byte {
	var b bytes.Buffer
	b.WriteString("section,sampled_at,source,pH,DO,CODMn,NH3N,TP\n")
	for _, s := range p.sections {
		for _, y := range years {
			for m := 1; m <= 12; m++ {
				fmt.Fprintf(&b, "%s,%d-%02d-10 09:00,manual,%s\n", s.ID, y, m, classValues[p.class[s.ID][y]])
			}
		}
	}
	return b.Bytes()
}

func load(t *testing.T, s events.Store, p plan) {
	ctx := context.Background()
	var regs []app.Registration
	for _, sec := range p.sections {
		regs = append(regs, app.SectionRegistration(sec))
	}
	_, err := app.Register(ctx, s, admin, time.Date(2016, 1, 1, 0, 0, 0, 0, domain.CST), regs...)
	require.NoError(t, err)
	res, err := app.ImportSamples(ctx, s, station, bytes.NewReader(p.csv()), app.ImportOptions{File: "plan.csv"})
	require.NoError(t, err)
	require.Equal(t, 109*5*12, res.Stored)
	require.Equal(t, 109, res.Events, "one event per section, in one atomic append")
}

func planCounts() map[domain.Basin]map[int][2]int {
	out := map[domain.Basin]map[int][2]int{}
	for b, ys := range monitoring.PlanTargets {
		out[b] = map[int][2]int{}
		for y, t := range ys {
			out[b][y] = [2]int{t.AtLeastIII.Num, t.WorseThanV.Num}
		}
	}
	return out
}

// 58 Yellow-River and 51 Hai-River sections whose readings give exactly the
// plan's ratios for 2016–2020: every share, printed to two decimals, is the
// plan's, and every target is met.
func TestBasinSharesMatchThePlan(t *testing.T) {
	s := openStore(t, nil)
	p := newPlan(t, planCounts())
	load(t, s, p)
	m := quality.New(quality.Options{})
	_, err := projections.Replay(context.Background(), s, events.Query{}, m)
	require.NoError(t, err)

	for b, ys := range printed {
		for y, want := range ys {
			got := m.Basin(b, y)
			// Counted independently from the classes the test assigned.
			var good, bad int
			for _, sec := range p.sections {
				if sec.Basin == b {
					good += btoi(p.class[sec.ID][y] <= water.ClassIII)
					bad += btoi(p.class[sec.ID][y] == water.WorseThanV)
				}
			}
			require.Equal(t, monitoring.PlanSections[b], got.Sections)
			require.Equal(t, good, got.AtLeastIII, "%s %d", b, y)
			require.Equal(t, bad, got.WorseThanV, "%s %d", b, y)
			require.Zero(t, got.Insufficient)
			require.Equal(t, want[0], got.ShareIII.String(), "%s %d ≥III", b, y)
			require.Equal(t, want[1], got.ShareWorse.String(), "%s %d worse than V", b, y)
			require.Equal(t, want[0], got.Target.AtLeastIII.String())
			require.Equal(t, want[1], got.Target.WorseThanV.String())
			require.True(t, got.MetIII, "%s %d: a share equal to the target meets it", b, y)
			require.True(t, got.MetWorse, "%s %d", b, y)
		}
	}
}

// One section fewer at class III or better, or one more worse than V, than
// the plan allows, misses the target.
func TestBasinMissesByOneSection(t *testing.T) {
	counts := planCounts()
	c := counts[domain.Yellow][2020]
	counts[domain.Yellow][2020] = [2]int{c[0] - 1, c[1]}
	h := counts[domain.Hai][2018]
	counts[domain.Hai][2018] = [2]int{h[0], h[1] + 1}
	s := openStore(t, nil)
	load(t, s, newPlan(t, counts))
	m := quality.New(quality.Options{})
	_, err := projections.Replay(context.Background(), s, events.Query{}, m)
	require.NoError(t, err)

	y := m.Basin(domain.Yellow, 2020)
	require.Equal(t, "60.34%", y.ShareIII.String()) // 35/58
	require.False(t, y.MetIII)
	require.True(t, y.MetWorse)
	hai := m.Basin(domain.Hai, 2018)
	require.Equal(t, "5.88%", hai.ShareWorse.String()) // 3/51
	require.False(t, hai.MetWorse)
	require.True(t, hai.MetIII)
	require.True(t, m.Basin(domain.Yellow, 2019).MetIII, "other years unchanged")

	// As known before any 2016 sample: every section without data enough,
	// and no target met, not even "at most so many worse than V".
	early := quality.New(quality.Options{})
	_, err = projections.Replay(context.Background(), s, events.Query{To: 1 + 109}, early)
	require.NoError(t, err)
	e := early.Basin(domain.Yellow, 2016)
	require.Equal(t, e.Sections, e.Insufficient)
	require.False(t, e.MetWorse)
	require.False(t, e.MetIII)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
