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
	"github.com/shanxi-water/ledger/domain/assessment"
	"github.com/shanxi-water/ledger/domain/monitoring"
	"github.com/shanxi-water/ledger/domain/water"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/projections"
	"github.com/shanxi-water/ledger/projections/quality"
)

// A city's share targets compare shares of its sections, not section by
// section: one section with a class-III target at class IV and another
// with a class-IV target at class II give one section of two at III or
// better, as required. A section whose target is 劣V is one the city may
// have worse than V. A section with twelve samples of fecal coliform
// alone has no class: it is not assessable, and not at III or better.
func TestCityShares(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, nil)
	const city domain.CityID = "140800"
	secs := []struct {
		id     monitoring.SectionID
		target water.Class
		values string // DO, NH3N, fecal_coliform
	}{
		{"Y-A", water.ClassIII, "5.5,1.22,"},   // class IV, target III: missed
		{"Y-B", water.ClassIV, "7.2,0.31,"},    // class II, target IV: met, and at III or better
		{"Y-C", water.WorseThanV, "4.1,2.64,"}, // 劣V, allowed
		{"Y-D", water.ClassIV, ",,900"},        // fecal coliform only: no class
	}
	var csv strings.Builder
	csv.WriteString("section,sampled_at,source,DO,NH3N,fecal_coliform\n")
	for i, sec := range secs {
		_, err := app.Register(ctx, s, admin, day(2019, 1, 1), app.SectionRegistration(monitoring.SectionRegistered{
			ID: sec.id, Name: fmt.Sprintf("断面%d", i+1), River: "涑水河", Basin: domain.Yellow, City: city,
			Kind: water.River, Level: monitoring.Provincial, Assessed: true, Targets: monitoring.Targets{2019: sec.target}}))
		require.NoError(t, err)
		for m := 1; m <= 12; m++ {
			fmt.Fprintf(&csv, "%s,2019-%02d-10 09:00,manual,%s\n", sec.id, m, sec.values)
		}
	}
	_, err := app.ImportSamples(ctx, s, station, bytes.NewBufferString(csv.String()), app.ImportOptions{})
	require.NoError(t, err)
	m := replay(t, s, quality.Options{})

	cy := m.City(city, 2019)
	require.Equal(t, 4, cy.Sections)
	require.Equal(t, 1, cy.SectionsInsufficient, "Y-D has no class")
	require.Equal(t, 2, cy.SectionsMet, "Y-B and Y-C")
	require.Equal(t, 1, cy.AtLeastIIIRequired, "Y-A")
	require.Equal(t, 1, cy.AtLeastIIIActual, "Y-B")
	require.Equal(t, 1, cy.WorseThanVAllowed, "Y-C")
	require.Equal(t, 1, cy.WorseThanV, "Y-C")
	d, _ := m.SectionYear("Y-D", 2019)
	require.False(t, d.Enough)
	require.True(t, d.Unclassed, "twelve samples, none of a counted item")
	a, _ := m.SectionYear("Y-A", 2019)
	require.False(t, a.Unclassed)
	require.Equal(t, water.Class(0), d.Class)
	b := m.Basin(domain.Yellow, 2019)
	require.Equal(t, 1, b.AtLeastIII, "Y-B only")
	require.Equal(t, 1, b.Insufficient, "Y-D")

	// Assessed under rules with both share rules hard, neither is missed:
	// one section of four at III or better, one required; one worse than
	// V, one allowed. A second section worse than V would be one too many.
	rules := assessment.Standard(2019, "test")
	rules.HardFail.MissWorseThanV = true
	in := app.Inputs(m, nil, city, 2019)
	res := assessment.Assess(rules, in)
	require.Empty(t, res.HardFails)
	require.Equal(t, 1, in.SectionsInsufficient, "Y-D")
	for _, ev := range in.Evidence {
		if ev.Subject == "Y-D" {
			require.Equal(t, "no item that counts toward the class among 12 samples", ev.Outcome)
		}
	}
	zh, en := res.Notes()
	require.Equal(t, []string{"1 个断面数据不足以评价类别，按未达标计"}, zh)
	require.Equal(t, []string{"1 section without data enough for a class, counted as missing the target"}, en)
	require.InDelta(t, 60.0*2/4+15+15+10, res.QualityScore, 1e-9, "half the sections met; nothing else to assess")
	in.WorseThanVActual++
	require.Equal(t, []string{"2 sections worse than class V, 1 allowed"}, assessment.Assess(rules, in).HardFails)
}

// A site counts in a year's figures from the year it entered the register:
// a section, drinking source or black-odorous body registered in 2019
// leaves 2018's figures as they were, whether read from the log or from a
// snapshot, and "as it happened" on a date before its registration
// does not count it in its own year either.
func TestSitesCountFromTheirRegistration(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, nil)
	const city domain.CityID = "140800"
	section := func(id monitoring.SectionID) app.Registration {
		return app.SectionRegistration(monitoring.SectionRegistered{ID: id, Name: string(id), River: "涑水河", Basin: domain.Yellow, City: city,
			Kind: water.River, Level: monitoring.Provincial, Assessed: true, Targets: monitoring.Targets{2018: water.ClassIV, 2019: water.ClassIV}})
	}
	_, err := app.Register(ctx, s, admin, day(2016, 1, 5), section("OLD"))
	require.NoError(t, err)
	_, err = app.Register(ctx, s, admin, day(2019, 6, 1), section("NEW"),
		app.DrinkingSourceRegistration(monitoring.DrinkingSourceRegistered{ID: "DW-NEW", Name: "新水源地", City: city, Level: monitoring.CityLevel, Kind: water.Lake, Target: water.ClassIII}),
		app.BlackOdorousRegistration(monitoring.BlackOdorousRegistered{ID: "BO-NEW", Name: "新发现沟渠", City: city, BuiltUp: true, Responsible: "张三", Deadline: day(2020, 12, 31)}))
	require.NoError(t, err)

	m := replay(t, s, quality.Options{})
	restored := roundTrip(t, m)
	happened := quality.New(quality.Options{OccurredBy: day(2019, 3, 1)})
	_, err = projections.Replay(ctx, s, events.Query{}, happened)
	require.NoError(t, err)

	for name, m := range map[string]*quality.Model{"replayed": m, "restored": restored} {
		before, after := m.City(city, 2018), m.City(city, 2019)
		require.Equal(t, []int{1, 0, 0}, []int{before.Sections, before.Drinking, before.BlackOdorous}, "%s: 2018 has OLD only", name)
		require.Equal(t, []int{2, 1, 1}, []int{after.Sections, after.Drinking, after.BlackOdorous}, "%s: 2019 has all three", name)
		require.Equal(t, 1, m.Basin(domain.Yellow, 2018).Sections, name)
		require.Equal(t, 2, m.Basin(domain.Yellow, 2019).Sections, name)
	}
	early := happened.City(city, 2019)
	require.Equal(t, []int{1, 0, 0}, []int{early.Sections, early.Drinking, early.BlackOdorous}, "as it happened on 2019-03-01, nothing new was registered yet")

	// A ledger set up in 2021 registers its sections that day and imports
	// their history after: each counts from its first data.
	_, err = app.Register(ctx, s, admin, day(2021, 3, 1), section("LIVE"))
	require.NoError(t, err)
	var csv strings.Builder
	csv.WriteString("section,sampled_at,source,DO,NH3N\n")
	for mo := 1; mo <= 12; mo++ {
		fmt.Fprintf(&csv, "LIVE,2018-%02d-10 09:00,manual,6.0,0.5\n", mo)
	}
	_, err = app.ImportSamples(ctx, s, station, strings.NewReader(csv.String()), app.ImportOptions{Now: day(2021, 3, 2)})
	require.NoError(t, err)
	m = replay(t, s, quality.Options{})
	require.Equal(t, 2, m.City(city, 2018).Sections, "OLD, and LIVE with its 2018 history")
	require.Equal(t, 1, m.City(city, 2017).Sections, "LIVE has no data before 2018")
	sy, _ := m.SectionYear("LIVE", 2018)
	require.True(t, sy.Enough)
	require.True(t, m.Assessable(2018))
}

// Twelve samples in one month do not class a section's year: the norm is
// of months sampled (Shanxi time: a sample at 23:30 on 31 January UTC is
// February's).
func TestSectionYearCountsMonthsSampled(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, nil)
	_, err := app.Register(ctx, s, admin, day(2019, 1, 1), app.SectionRegistration(monitoring.SectionRegistered{
		ID: "Y-M", Name: "断面", River: "涑水河", Basin: domain.Yellow, City: "140800",
		Kind: water.River, Level: monitoring.Provincial, Assessed: true, Targets: monitoring.Targets{2019: water.ClassIV}}))
	require.NoError(t, err)
	var csv strings.Builder
	csv.WriteString("section,sampled_at,source,DO,NH3N\n")
	for d := 1; d <= 12; d++ {
		fmt.Fprintf(&csv, "Y-M,2019-03-%02d 09:00,manual,6.0,0.5\n", d)
	}
	fmt.Fprintf(&csv, "Y-M,2019-01-31T23:30:00Z,manual,6.0,0.5\n")
	_, err = app.ImportSamples(ctx, s, station, strings.NewReader(csv.String()), app.ImportOptions{})
	require.NoError(t, err)
	m := replay(t, s, quality.Options{})
	sy, _ := m.SectionYear("Y-M", 2019)
	require.Equal(t, []int{13, 2}, []int{sy.Samples, sy.Months}, "March, and February in Shanxi")
	require.False(t, sy.Enough)
	require.False(t, m.Assessable(2019))
}

// Missing data never counts in a city's favour: withdrawing one month of a
// section worse than V leaves it too few months for a class, but it still
// counts as worse than V (its samples are), in the city's count and the
// basin's, and so under a worse-than-V hard rule the city still fails.
func TestWithdrawnSampleKeepsASectionWorseThanV(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, nil)
	const city domain.CityID = "140500"
	_, err := app.Register(ctx, s, admin, day(2019, 1, 1), app.SectionRegistration(monitoring.SectionRegistered{
		ID: "Y-W", Name: "断面", River: "丹河", Basin: domain.Yellow, City: city,
		Kind: water.River, Level: monitoring.Provincial, Assessed: true, Targets: monitoring.Targets{2020: water.ClassV}}))
	require.NoError(t, err)
	var csv strings.Builder
	csv.WriteString("section,sampled_at,source,DO,NH3N\n")
	for m := 1; m <= 12; m++ {
		fmt.Fprintf(&csv, "Y-W,2020-%02d-10 09:00,manual,5.0,2.1\n", m) // NH3-N over 2.0: worse than V
	}
	_, err = app.ImportSamples(ctx, s, station, strings.NewReader(csv.String()), app.ImportOptions{Now: day(2021, 1, 5)})
	require.NoError(t, err)
	_, err = app.InvalidateSample(ctx, s, admin, app.SectionAggregate(city, "Y-W"),
		monitoring.Key{At: time.Date(2020, 2, 10, 9, 0, 0, 0, domain.CST).UTC(), Source: monitoring.Manual}, "bottle broken", day(2021, 1, 6))
	require.NoError(t, err)
	m := replay(t, s, quality.Options{})

	sy, _ := m.SectionYear("Y-W", 2020)
	require.False(t, sy.Enough, "eleven months")
	require.Equal(t, water.WorseThanV, sy.Partial)
	require.True(t, sy.WorseThanV())
	cy := m.City(city, 2020)
	require.Equal(t, []int{1, 0, 1, 0}, []int{cy.SectionsInsufficient, cy.SectionsMet, cy.WorseThanV, cy.WorseThanVAllowed})
	b := m.Basin(domain.Yellow, 2020)
	require.Equal(t, []int{1, 1}, []int{b.Insufficient, b.WorseThanV})

	rules := assessment.Standard(2016, "test")
	rules.HardFail.MissWorseThanV = true
	res := assessment.Assess(rules, app.Inputs(m, nil, city, 2020))
	require.Equal(t, assessment.Fail, res.Grade)
	require.Contains(t, res.HardFails, "1 section worse than class V, 0 allowed")

	// Withdrawing every month leaves no data at all: still counted.
	for mo := 1; mo <= 12; mo++ {
		if mo == 2 {
			continue
		}
		_, err = app.InvalidateSample(ctx, s, admin, app.SectionAggregate(city, "Y-W"),
			monitoring.Key{At: time.Date(2020, time.Month(mo), 10, 9, 0, 0, 0, domain.CST).UTC(), Source: monitoring.Manual}, "bottle broken", day(2021, 1, 6))
		require.NoError(t, err)
	}
	m = replay(t, s, quality.Options{})
	cy = m.City(city, 2020)
	require.Equal(t, 1, cy.WorseThanV, "no data is no escape")
	require.True(t, cy.Details[0].NoData)
	require.Equal(t, 0, m.Basin(domain.Yellow, 2020).WorseThanV, "the basin reports what was measured")
	in := app.Inputs(m, nil, city, 2020)
	require.Equal(t, "no sample in the year: counted as missed, and as worse than V in the share rule", in.Evidence[0].Outcome)
}

// A black-odorous body is eliminated in a year when its points stayed out
// of both bands through it: inspected during the year, and none of the
// year's inspections in a band. Black in June and clean in December 2019
// is not eliminated in 2019. Missing data never counts in a city's favour:
// a body not inspected in a year (2018, registered and never inspected; and
// 2020, clean when last inspected in 2019) is not eliminated in it, and
// says so; inspected clean again in 2021, it is.
func TestBlackOdorousEliminatedWhenItStaysClean(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, nil)
	const city domain.CityID = "140100"
	body := func(id string) app.Registration {
		return app.BlackOdorousRegistration(monitoring.BlackOdorousRegistered{ID: id, Name: id, City: city, BuiltUp: true, Responsible: "张三", Deadline: day(2020, 12, 31)})
	}
	_, err := app.Register(ctx, s, admin, day(2018, 1, 1), body("BO-A"), body("BO-B"))
	require.NoError(t, err)
	clear, murky, low := 40.0, 8.0, 1.1
	inspect := func(id string, at time.Time, r water.BlackOdorReading) {
		t.Helper()
		_, err := app.Record(ctx, s, admin, at, events.Aggregate{Scope: domain.CityScope(city), Type: app.BlackOdorousType, ID: events.AggregateID(id)},
			monitoring.BlackOdorousInspected{Reading: r, Level: water.BlackOdor(r)})
		require.NoError(t, err)
	}
	inspect("BO-A", day(2019, 6, 1), water.BlackOdorReading{TransparencyCm: &murky, DO: &low})
	inspect("BO-A", day(2019, 12, 1), water.BlackOdorReading{TransparencyCm: &clear})
	inspect("BO-B", day(2019, 6, 1), water.BlackOdorReading{TransparencyCm: &clear})
	inspect("BO-B", day(2019, 12, 1), water.BlackOdorReading{TransparencyCm: &clear})
	inspect("BO-A", day(2021, 6, 1), water.BlackOdorReading{TransparencyCm: &clear})
	m := replay(t, s, quality.Options{})
	// [bodies, eliminated, not inspected in the year]
	for year, want := range map[int][3]int{2018: {2, 0, 2}, 2019: {2, 1, 0}, 2020: {2, 0, 2}, 2021: {2, 1, 1}} {
		cy := m.City(city, year)
		require.Equal(t, want, [3]int{cy.BlackOdorous, cy.BlackEliminated, cy.BlackUninspected}, "%d", year)
	}
	// Each body's outcome, with the inspections it rests on: the year's,
	// or the latest before a year without one.
	evs, err := s.Load(ctx, events.Aggregate{Scope: domain.CityScope(city), Type: app.BlackOdorousType, ID: "BO-A"})
	require.NoError(t, err)
	june, december := evs[1].Position, evs[2].Position
	d := m.City(city, 2019).BlackDetails
	require.Equal(t, "BO-A", d[0].ID)
	require.False(t, d[0].Met)
	require.Equal(t, []uint64{june, december}, d[0].Positions)
	require.Equal(t, "2 inspections in the year, 1 in a black-odorous band; the last on 2019-12-01, level 0: not eliminated", d[0].Outcome)
	require.Equal(t, "2 inspections in the year, 0 in a black-odorous band; the last on 2019-12-01, level 0: eliminated", d[1].Outcome)
	d = m.City(city, 2020).BlackDetails
	require.False(t, d[0].Met, "clean when last inspected, but not inspected in 2020")
	require.Equal(t, []uint64{december}, d[0].Positions)
	require.Equal(t, "not inspected in the year (last inspected 2019-12-01, level 0): counted as not eliminated", d[0].Outcome)
	require.Equal(t, "not inspected yet: not eliminated", m.City(city, 2018).BlackDetails[0].Outcome)
	require.True(t, m.City(city, 2021).BlackDetails[0].Met)
	restored := roundTrip(t, m)
	require.Equal(t, m.City(city, 2019), restored.City(city, 2019), "the positions survive a snapshot")
	require.Equal(t, m.City(city, 2020), restored.City(city, 2020))

	// The black-odorous part of the city's score, from the raw counts:
	// 15 points × eliminated ÷ bodies.
	rules := assessment.Standard(2016, "test")
	for year, eliminated := range map[int]float64{2019: 1, 2020: 0} {
		res := assessment.Assess(rules, app.Inputs(m, nil, city, year))
		require.Equal(t, "black_odorous", res.Parts[1].Name)
		require.InDelta(t, 15*eliminated/2, res.Parts[1].Points, 1e-9, "%d", year)
	}
}

// replay builds a quality model from the whole log.
func replay(t *testing.T, s events.Store, opts quality.Options) *quality.Model {
	t.Helper()
	m := quality.New(opts)
	_, err := projections.Replay(context.Background(), s, events.Query{}, m)
	require.NoError(t, err)
	return m
}

// roundTrip is the model restored from its own snapshot.
func roundTrip(t *testing.T, m *quality.Model) *quality.Model {
	t.Helper()
	snap, err := m.Snapshot()
	require.NoError(t, err)
	restored := quality.New(quality.Options{})
	require.NoError(t, restored.Restore(snap))
	return restored
}
