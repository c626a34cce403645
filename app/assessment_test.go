package app_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/assessment"
	"github.com/shanxi-water/ledger/domain/enforcement"
	"github.com/shanxi-water/ledger/domain/monitoring"
	"github.com/shanxi-water/ledger/domain/plan"
	"github.com/shanxi-water/ledger/domain/tasks"
	"github.com/shanxi-water/ledger/domain/water"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/events/jetstream"
	"github.com/shanxi-water/ledger/projections"
	"github.com/shanxi-water/ledger/projections/cards"
	"github.com/shanxi-water/ledger/projections/quality"
	"github.com/shanxi-water/ledger/projections/taskboard"
)

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

func date(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 12, 0, 0, 0, domain.CST) }

// province registers two sections in every city (targets III and V) and
// uploads 2018's monthly samples: every section meets its target except
// Yuncheng's second, which is worse than V.
func province(t *testing.T) (*jetstream.Store, *testClock) {
	ctx := context.Background()
	clock := &testClock{t: date(2016, 1, 1)}
	s, err := jetstream.Open(ctx, jetstream.Config{DataDir: t.TempDir(), Registry: app.Registry(), Clock: clock.Now})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	var regs []app.Registration
	for _, c := range domain.Cities {
		for i, target := range []water.Class{water.ClassIII, water.ClassV} {
			regs = append(regs, app.SectionRegistration(monitoring.SectionRegistered{
				ID: monitoring.SectionID(fmt.Sprintf("S%s-%d", c.ID, i)), Name: "断面", River: "河", Basin: domain.Yellow, City: c.ID,
				Kind: water.River, Level: monitoring.Provincial, Assessed: true,
				Targets: monitoring.Targets{2018: target, 2019: target, 2020: target}}))
		}
	}
	_, err = app.Register(ctx, s, admin, clock.Now(), regs...)
	require.NoError(t, err)
	_, err = app.AdoptRules(ctx, s, admin, assessment.Standard(2016, "晋环发〔2016〕1号"), clock.Now())
	require.NoError(t, err)

	var csv bytes.Buffer
	csv.WriteString("section,sampled_at,source,DO,NH3N\n")
	for _, c := range domain.Cities {
		for m := 1; m <= 12; m++ {
			fmt.Fprintf(&csv, "S%s-0,2018-%02d-10 09:00,manual,7.0,0.4\n", c.ID, m) // II, target III
			nh3 := 1.8                                                              // V, target V
			if c.ID == "140800" {
				nh3 = 3.1 // worse than V
			}
			fmt.Fprintf(&csv, "S%s-1,2018-%02d-10 09:00,manual,5.0,%.1f\n", c.ID, m, nh3)
		}
	}
	clock.Set(date(2019, 1, 15))
	_, err = app.ImportSamples(ctx, s, station, &csv, app.ImportOptions{File: "2018.csv", Now: clock.Now()})
	require.NoError(t, err)
	return s, clock
}

// A year in which most cities have no data is not published as if it were
// assessed: every such city would fail on missing data, and a publication
// stands once made. Said knowingly, it is published.
func TestPublishingIncompleteDataIsSaidKnowingly(t *testing.T) {
	ctx := context.Background()
	s, clock := province(t)
	var csv bytes.Buffer
	csv.WriteString("section,sampled_at,source,DO,NH3N\n")
	for _, c := range []domain.CityID{"140100", "140200"} {
		for m := 1; m <= 12; m++ {
			fmt.Fprintf(&csv, "S%s-0,2019-%02d-10 09:00,manual,7.0,0.4\n", c, m)
			fmt.Fprintf(&csv, "S%s-1,2019-%02d-10 09:00,manual,5.0,1.8\n", c, m)
		}
	}
	clock.Set(date(2020, 1, 15))
	_, err := app.ImportSamples(ctx, s, station, &csv, app.ImportOptions{File: "2019.csv", Now: clock.Now()})
	require.NoError(t, err)
	// Taiyuan's groundwater point, not graded for 2019: a gap too; so are
	// Datong's two black-odorous bodies, inspected in 2018 only, and its
	// drinking-water source, sampled in 2018 only.
	_, err = app.Register(ctx, s, admin, date(2016, 1, 2),
		app.GroundwaterPointRegistration(monitoring.GroundwaterPointRegistered{ID: "TY-GW-9", Name: "晋祠", City: "140100"}),
		app.BlackOdorousRegistration(monitoring.BlackOdorousRegistered{ID: "DT-BO-1", Name: "大同某沟渠", City: "140200", BuiltUp: true, Responsible: "张三", Deadline: date(2020, 12, 31)}),
		app.BlackOdorousRegistration(monitoring.BlackOdorousRegistered{ID: "DT-BO-2", Name: "大同某河段", City: "140200", BuiltUp: true, Responsible: "李四", Deadline: date(2020, 12, 31)}),
		app.DrinkingSourceRegistration(monitoring.DrinkingSourceRegistered{ID: "DT-DW-1", Name: "大同市水源地", City: "140200", Level: monitoring.CityLevel, Kind: water.Lake, Target: water.ClassIII}))
	require.NoError(t, err)
	clear := 40.0
	for _, id := range []events.AggregateID{"DT-BO-1", "DT-BO-2"} {
		_, err = app.Record(ctx, s, admin, date(2018, 12, 1), events.Aggregate{Scope: "140200", Type: app.BlackOdorousType, ID: id},
			monitoring.BlackOdorousInspected{Reading: water.BlackOdorReading{TransparencyCm: &clear}, Level: water.NotBlackOdor})
		require.NoError(t, err)
	}
	csv.Reset()
	csv.WriteString("section,sampled_at,source,DO,NH3N,TP\n")
	for m := 1; m <= 12; m++ {
		fmt.Fprintf(&csv, "DT-DW-1,2018-%02d-05 09:00,manual,7.5,0.3,0.02\n", m)
	}
	_, err = app.ImportSamples(ctx, s, station, &csv, app.ImportOptions{File: "2018-dw.csv", Now: clock.Now()})
	require.NoError(t, err)
	before := lastPosition(t, s)
	_, err = app.Publish(ctx, s, admin, app.Publication{Year: 2019, Document: "晋环函〔2020〕30号"}, clock.Now(), nil)
	require.Equal(t, domain.Conflict, domain.KindOf(err), "%v", err)
	require.Equal(t, "incomplete", domain.FieldOf(err))
	require.Contains(t, err.Error(), "11 of 11 cities lack data for 2019: Taiyuan (1 groundwater point not graded); Datong (2 black-odorous water bodies not inspected in the year, 1 drinking-water source not sampled in the year); Yangquan (none of its 2 sections with data enough for a class); Changzhi (")
	require.Equal(t, before, lastPosition(t, s), "nothing published")
	e, err := app.Publish(ctx, s, admin, app.Publication{Year: 2019, Document: "晋环函〔2020〕30号", Incomplete: true}, clock.Now(), nil)
	require.NoError(t, err)
	p := e.Data.(assessment.ResultsPublished)
	require.Len(t, p.Results, 11)
	require.Len(t, p.Incomplete, 11, "the publication records what was missing")
	require.Equal(t, assessment.DataGap{City: "140100", Ungraded: 1}, p.Incomplete[0])
	require.Equal(t, assessment.DataGap{City: "140200", Uninspected: 2, Unsampled: 1}, p.Incomplete[1])
	require.Equal(t, assessment.DataGap{City: "140300", Unclassed: 2}, p.Incomplete[2])
	zh, _ := p.Incomplete[1].Text()
	require.Equal(t, "大同（2 个黑臭水体年内未监测，1 个饮用水水源地年内无样品）", zh)
	zh, _ = p.Incomplete[2].Text()
	require.Equal(t, "阳泉（2 个断面均无足够数据定类）", zh)
	// Neither counts in Datong's favour: its bodies, clean when last
	// inspected in 2018, are not eliminated in 2019, and its source, at
	// class II in 2018, misses its target in 2019. Datong's 2019 quality
	// score from the raw counts: sections 2 of 2 met × 60, black-odorous 0
	// of 2 × 15, drinking 0 of 1 × 15, groundwater (none) the full 10.
	dt, ok := p.Result("140200")
	require.True(t, ok)
	require.Equal(t, []int{2, 0, 2, 1, 0, 1}, []int{dt.Inputs.BlackOdorous, dt.Inputs.BlackEliminated, dt.Inputs.BlackUninspected,
		dt.Inputs.Drinking, dt.Inputs.DrinkingMet, dt.Inputs.DrinkingUnsampled})
	require.InDelta(t, 60.0*2/2+15.0*0/2+15.0*0/1+10, dt.QualityScore, 1e-9)
	outcomes := map[string]string{}
	for _, ev := range dt.Inputs.Evidence {
		outcomes[ev.Subject] = ev.Outcome
	}
	require.Equal(t, "not inspected in the year (last inspected 2018-12-01, level 0): counted as not eliminated", outcomes["DT-BO-1"])
	require.Equal(t, "no sample in the year: counted as missed", outcomes["DT-DW-1"])
}

func result(c *app.Computation, city domain.CityID) assessment.Result {
	for _, r := range c.Results {
		if r.City == city {
			return r
		}
	}
	panic("no result for " + city)
}

func TestPublishedResultsAreFrozen(t *testing.T) {
	ctx := context.Background()
	s, clock := province(t)
	comp, err := app.Compute(ctx, s, 2018, app.Basis{}, nil)
	require.NoError(t, err)
	yc := result(comp, "140800")
	// Computed here: sections 1 of 2 × 60 = 30, the other parts full (35 + 10) = 70.
	require.InDelta(t, 30+15+15+10, yc.QualityScore, 1e-9)
	require.Equal(t, assessment.Good, yc.Grade, "2016 rules: worse than V is not yet a hard fail")
	// Its section at NH3-N 3.1 (over V's 2.0) is worse than V, and the
	// English evidence says so in English, not "class 劣V".
	var worse assessment.Evidence
	for _, ev := range yc.Inputs.Evidence {
		if ev.Subject == "S140800-1" {
			worse = ev
		}
	}
	require.Equal(t, "worse than V, target V: missed", worse.Outcome)
	require.Equal(t, "劣Ⅴ类，目标Ⅴ类，未达标", worse.OutcomeZh())
	ty := result(comp, "140100")
	require.InDelta(t, 100, ty.QualityScore, 1e-9)
	require.Equal(t, assessment.Excellent, ty.Grade)
	require.Equal(t, 11, yc.Rank, "the lowest score ranks last")

	before := lastPosition(t, s)
	_, err = app.Publish(ctx, s, admin, app.Publication{Year: 2018, Document: "晋环函〔2018〕99号"}, time.Date(2018, 12, 31, 23, 59, 0, 0, domain.CST), nil)
	require.Equal(t, domain.Invalid, domain.KindOf(err), "the year has not ended: %v", err)
	require.Equal(t, "year", domain.FieldOf(err))
	_, err = app.Publish(ctx, s, admin, app.Publication{Year: 2018, Document: ""}, date(2019, 3, 1), nil)
	require.Equal(t, "document", domain.FieldOf(err), "%v", err)
	_, err = app.Publish(ctx, s, admin, app.Publication{Year: 2019, Document: "晋环函〔2020〕1号"}, date(2020, 3, 1), nil)
	require.Equal(t, domain.Conflict, domain.KindOf(err), "2019 has targets but no samples: %v", err)
	require.Contains(t, err.Error(), "nothing to assess")
	require.Equal(t, before, lastPosition(t, s), "refusals store nothing")

	clock.Set(date(2019, 3, 1))
	pub, err := app.Publish(ctx, s, admin, app.Publication{Year: 2018, Document: "晋环函〔2019〕30号"}, clock.Now(), nil)
	require.NoError(t, err)
	published := pub.Data.(assessment.ResultsPublished)
	require.Equal(t, comp.InputsHash, published.InputsHash)
	require.Equal(t, comp.Position, published.Position)
	_, err = app.Publish(ctx, s, admin, app.Publication{Year: 2018, Document: "again"}, clock.Now(), nil)
	require.Error(t, err, "a year is published once")
	require.Equal(t, domain.Conflict, domain.KindOf(err))
	require.Contains(t, err.Error(), "2018 was published on 2019-03-01 (晋环函〔2019〕30号)")

	// A late correction: Taiyuan's March sample was in fact worse than V.
	clock.Set(date(2019, 6, 1))
	for m := 1; m <= 12; m++ {
		_, err = app.CorrectSample(ctx, s, admin, app.SectionAggregate("140100", "S140100-0"),
			monitoring.Sample{At: time.Date(2018, time.Month(m), 10, 9, 0, 0, 0, domain.CST), Source: monitoring.Manual,
				Values: water.Values{water.DO: 7.0, water.NH3N: 2.9}}, "re-analysis", clock.Now())
		require.NoError(t, err)
	}
	p, _, err := app.Published(ctx, s, 2018)
	require.NoError(t, err)
	require.Equal(t, assessment.Method, p.Method, "the publication records the method it was computed with")
	frozen, _ := p.Result("140100")
	require.Equal(t, assessment.Excellent, frozen.Grade, "the published result does not change")
	today, err := app.Compute(ctx, s, 2018, app.Basis{}, nil)
	require.NoError(t, err)
	require.NotEqual(t, p.InputsHash, today.InputsHash)
	now := result(today, "140100")
	require.InDelta(t, 70, now.QualityScore, 1e-9, "as known today: one of two sections meets its target")
	require.Equal(t, assessment.Fail, now.Grade, "and the class-III target is missed: a hard fail")

	// The computation from the log up to the published position repeats it exactly.
	again, err := app.Compute(ctx, s, 2018, app.Basis{Position: p.Position}, nil)
	require.NoError(t, err)
	require.Equal(t, p.InputsHash, again.InputsHash)
	require.Equal(t, p.Results, again.Results)
}

func TestRulesInForceForTheYear(t *testing.T) {
	ctx := context.Background()
	s, clock := province(t)
	before, err := app.Compute(ctx, s, 2018, app.Basis{}, nil)
	require.NoError(t, err)
	// Shanxi, 2020: a city missing its worse-than-V target is 不合格.
	r2020 := assessment.Standard(2020, "晋环发〔2020〕9号")
	r2020.HardFail.MissWorseThanV = true
	clock.Set(date(2020, 2, 1))
	_, err = app.AdoptRules(ctx, s, admin, r2020, clock.Now())
	require.NoError(t, err)
	after, err := app.Compute(ctx, s, 2018, app.Basis{}, nil)
	require.NoError(t, err)
	require.Equal(t, before.Results, after.Results, "2018 is assessed with 2018's rules")
	require.Equal(t, 2016, after.Rules.EffectiveYear)

	// The same samples assessed under 2020's rules fail Yuncheng.
	bad := assessment.Assess(r2020, result(after, "140800").Inputs)
	require.Equal(t, assessment.Fail, bad.Grade)
	require.Contains(t, bad.HardFails[0], "worse than class V")

	_, err = app.Compute(ctx, s, 2015, app.Basis{}, nil)
	require.ErrorContains(t, err, "no assessment rules in force for 2015")
}

func TestConsequencesFollowFailedYearsOnly(t *testing.T) {
	ctx := context.Background()
	s, clock := province(t)
	cons := assessment.ConsequenceImposed{Year: 2018, Kind: assessment.Interview, Document: "晋环函〔2019〕41号", Authority: "省生态环境厅"}
	_, err := app.ImposeConsequence(ctx, s, admin, "140800", cons, clock.Now())
	require.ErrorContains(t, err, "not published yet")

	// Yuncheng fails once a stricter rule for 2018 is adopted before publication.
	strict := assessment.Standard(2018, "晋环发〔2018〕3号")
	strict.HardFail.MissWorseThanV = true
	_, err = app.AdoptRules(ctx, s, admin, strict, clock.Now())
	require.NoError(t, err)
	pub, err := app.Publish(ctx, s, admin, app.Publication{Year: 2018, Document: "晋环函〔2019〕30号"}, clock.Now(), nil)
	require.NoError(t, err)

	_, err = app.ImposeConsequence(ctx, s, admin, "140100", cons, clock.Now())
	require.ErrorContains(t, err, "graded 优秀")
	require.Equal(t, domain.Conflict, domain.KindOf(err))

	e, err := app.ImposeConsequence(ctx, s, admin, "140800", cons, clock.Now())
	require.NoError(t, err)
	require.Equal(t, app.CityYearAggregate("140800", 2018), e.Aggregate)
	restrict := assessment.ConsequenceImposed{Year: 2018, Kind: assessment.Restriction, Document: "晋环函〔2019〕42号", Authority: "省生态环境厅"}
	_, err = app.ImposeConsequence(ctx, s, admin, "140800", restrict, clock.Now())
	require.Equal(t, "area", domain.FieldOf(err), "%v", err)
	from, to := date(2019, 4, 1), date(2019, 10, 1)
	restrict.Area, restrict.From, restrict.To = "运城市盐湖区", &from, &to
	_, err = app.ImposeConsequence(ctx, s, admin, "140800", restrict, clock.Now())
	require.NoError(t, err)
	before := lastPosition(t, s)
	_, err = app.ImposeConsequence(ctx, s, admin, "140800", cons, clock.Now())
	require.Equal(t, domain.Conflict, domain.KindOf(err), "the same interview twice: %v", err)
	late := assessment.ConsequenceImposed{Year: 2018, Kind: assessment.Rectification, Document: "晋环函〔2019〕43号", Authority: "省生态环境厅", Deadline: new(date(2019, 1, 1))}
	_, err = app.ImposeConsequence(ctx, s, admin, "140800", late, clock.Now())
	require.Equal(t, "deadline", domain.FieldOf(err), "a deadline before it is imposed: %v", err)
	odd := cons
	odd.Document, odd.Deadline = "晋环函〔2019〕44号", new(date(2019, 9, 1))
	_, err = app.ImposeConsequence(ctx, s, admin, "140800", odd, clock.Now())
	require.Equal(t, "deadline", domain.FieldOf(err), "an interview with a deadline: %v", err)
	_, err = app.ImposeConsequence(ctx, s, admin, "140800", assessment.ConsequenceImposed{Year: 2018, Kind: "warning", Document: "x"}, clock.Now())
	require.Equal(t, "kind", domain.FieldOf(err), "the kind first, not the authority also missing: %v", err)
	// Each once: a second interview under another document, the same
	// area restricted again for an overlapping period.
	again := cons
	again.Document = "晋环函〔2019〕51号"
	_, err = app.ImposeConsequence(ctx, s, admin, "140800", again, clock.Now())
	require.Equal(t, domain.Conflict, domain.KindOf(err), "%v", err)
	require.Equal(t, "kind", domain.FieldOf(err))
	require.Contains(t, err.Error(), "one interview for a failed year")
	overlap := restrict
	overlap.Document, overlap.From, overlap.To = "晋环函〔2019〕52号", new(date(2019, 9, 1)), new(date(2020, 3, 1))
	_, err = app.ImposeConsequence(ctx, s, admin, "140800", overlap, clock.Now())
	require.Equal(t, "area", domain.FieldOf(err), "%v", err)
	require.Contains(t, err.Error(), "运城市盐湖区 is restricted already from 2019-04-01 12:00 to 2019-10-01 12:00")
	// Imposed on a date: not before the results were published, and a
	// restriction that would be over by then is refused.
	_, err = app.ImposeConsequence(ctx, s, admin, "140800", late, date(2018, 12, 1))
	require.Equal(t, "date", domain.FieldOf(err), "%v", err)
	require.Contains(t, err.Error(), "before the year's results were published")
	over := restrict
	over.Area, over.Document, over.From, over.To = "运城市永济市", "晋环函〔2019〕60号", new(date(2018, 10, 1)), new(date(2019, 1, 10))
	_, err = app.ImposeConsequence(ctx, s, admin, "140800", over, clock.Now())
	require.Equal(t, "to", domain.FieldOf(err), "%v", err)
	require.Contains(t, err.Error(), "over before it began")
	require.Equal(t, before, lastPosition(t, s), "refusals store nothing")
	// Another area, or the same one for a later period, is a restriction
	// of its own.
	over.To = new(date(2020, 6, 1))
	_, err = app.ImposeConsequence(ctx, s, admin, "140800", over, clock.Now())
	require.Equal(t, "from", domain.FieldOf(err), "a period begun before the day it is imposed: %v", err)
	over.From = new(date(2019, 1, 15))
	_, err = app.ImposeConsequence(ctx, s, admin, "140800", over, clock.Now())
	require.NoError(t, err)
	// One decision may restrict several areas.
	second := over
	second.Area = "运城市河津市"
	_, err = app.ImposeConsequence(ctx, s, admin, "140800", second, clock.Now())
	require.NoError(t, err, "the same document for another area")
	// Not before the publication, to the hour.
	_, err = app.ImposeConsequence(ctx, s, admin, "140800", late, pub.OccurredAt.Add(-time.Hour))
	require.Equal(t, "date", domain.FieldOf(err), "an hour before the publication, the same day: %v", err)
	later := restrict
	later.Document, later.From, later.To = "晋环函〔2019〕53号", new(date(2019, 10, 1)), new(date(2020, 4, 1))
	clock.Set(date(2019, 6, 1))
	_, err = app.ImposeConsequence(ctx, s, admin, "140800", later, date(2019, 6, 1))
	require.NoError(t, err)
	// Entered after, dated before: listed by the date imposed.
	order := assessment.ConsequenceImposed{Year: 2018, Kind: assessment.Rectification, Document: "晋环函〔2019〕44号", Authority: "省生态环境厅", Deadline: new(date(2019, 12, 31))}
	_, err = app.ImposeConsequence(ctx, s, admin, "140800", order, date(2019, 3, 1))
	require.NoError(t, err)
	before = lastPosition(t, s)

	evs, err := s.Load(ctx, app.CityYearAggregate("140800", 2018))
	require.NoError(t, err)
	require.Len(t, evs, 6)
	require.Equal(t, before, lastPosition(t, s))
	require.NotContains(t, string(evs[0].Payload), `"deadline"`, "an interview stores no zero dates")
	all, err := app.Consequences(ctx, s, 2018, time.Time{})
	require.NoError(t, err)
	require.Len(t, all, 1)
	require.Len(t, all["140800"], 6)
	require.Equal(t, "晋环函〔2019〕53号", all["140800"][5].Document, "imposed last, though not entered last")
	for i := 1; i < len(all["140800"]); i++ {
		require.False(t, all["140800"][i].ImposedAt.Before(all["140800"][i-1].ImposedAt), "by the date imposed")
	}
	require.Equal(t, assessment.Interview, all["140800"][0].Kind)
	require.Equal(t, "运城市盐湖区", all["140800"][1].Area)
	require.Equal(t, evs[1].Position, all["140800"][1].Position)
	// As the ledger knew them before 1 June: not the two recorded then.
	then, err := app.Consequences(ctx, s, 2018, date(2019, 5, 31))
	require.NoError(t, err)
	require.Len(t, then["140800"], 4)
	for _, c := range then["140800"] {
		require.NotContains(t, []string{"晋环函〔2019〕53号", "晋环函〔2019〕44号"}, c.Document)
	}
}

// An auditor replays Taiyuan up to 2019-04-01 in both modes: as the ledger
// knew it then, and as it happened with the correction recorded in June.
func TestAuditReplayBothModes(t *testing.T) {
	ctx := context.Background()
	s, clock := province(t)
	clock.Set(date(2019, 6, 1))
	_, err := app.CorrectSample(ctx, s, admin, app.SectionAggregate("140100", "S140100-0"),
		monitoring.Sample{At: time.Date(2018, 3, 10, 9, 0, 0, 0, domain.CST), Source: monitoring.Manual,
			Values: water.Values{water.DO: 7.0, water.NH3N: 40}}, "re-analysis: the March bottle was mislabelled", clock.Now())
	require.NoError(t, err)

	a, err := app.AuditCity(ctx, s, "140100", date(2019, 4, 1), nil)
	require.NoError(t, err)
	require.Empty(t, a.Chain)
	require.Len(t, a.Late, 1, "the June correction is about 2018, recorded after the audit date")
	require.Equal(t, events.Name("section.sample_corrected"), a.Late[0].Name)
	require.True(t, time.Date(2018, 3, 10, 9, 0, 0, 0, domain.CST).Equal(a.Late[0].About), "about the March 2018 sample, corrected in June 2019")
	var y2018 *app.AuditYear
	for i := range a.Years {
		if a.Years[i].Year == 2018 {
			y2018 = &a.Years[i]
		}
	}
	require.NotNil(t, y2018)
	// Then: both sections met their targets. Now: the mean NH3-N of the
	// class-III section is (11 × 0.4 + 40) / 12 = 3.7, worse than V.
	require.InDelta(t, 100, y2018.KnownThen.QualityScore, 1e-9)
	require.InDelta(t, 70, y2018.AsHappened.QualityScore, 1e-9)
	require.Equal(t, assessment.Excellent, y2018.KnownThen.Grade)
	require.Equal(t, assessment.Fail, y2018.AsHappened.Grade)
	require.Contains(t, y2018.Differences, "quality score 100.00 → 70.00")
	require.Contains(t, y2018.Differences, "grade excellent → fail")
	require.Contains(t, y2018.DiffZh, "水质得分 100.00 → 70.00")
	require.Contains(t, y2018.DiffZh, "等级 优秀 → 不合格")
	fz, fe := y2018.AsHappened.FailureTexts()
	require.NotEmpty(t, fe, "the correction breaks a hard rule")
	require.Contains(t, y2018.Differences, "hard rule now broken: "+fe[0])
	require.Contains(t, y2018.DiffZh, "新增否决项："+fz[0])
	require.Len(t, y2018.Differences, len(y2018.DiffZh))
	named := false
	for _, d := range y2018.Differences {
		named = named || strings.HasPrefix(d, "S140100-0 (sections): ") && strings.Contains(d, fmt.Sprintf("events added %d", a.Late[0].Position))
	}
	require.True(t, named, "the section and the correction behind the difference: %q", y2018.Differences)

	// Rules for 2018 adopted after the audit date apply as it happened
	// (the rules known today): listed among the late events, and named.
	_, err = app.AdoptRules(ctx, s, admin, assessment.Standard(2018, "晋环发〔2019〕9号"), clock.Now())
	require.NoError(t, err)
	a, err = app.AuditCity(ctx, s, "140100", date(2019, 4, 1), nil)
	require.NoError(t, err)
	require.Len(t, a.Late, 2)
	require.Equal(t, app.RulesAdopted, a.Late[1].Name)
	for _, y := range a.Years {
		if y.Year == 2018 {
			require.Contains(t, y.Differences, "rules of 2016 → of 2018")
		}
	}

	_, err = app.AuditCity(ctx, s, "999999", date(2019, 4, 1), nil)
	require.Equal(t, domain.NotFound, domain.KindOf(err))
}

// An assessor fed the log (beside the live models it reads) gives what a
// replay gives, inputs hash included, and restores from its snapshot.
func TestAssessorEqualsCompute(t *testing.T) {
	ctx := context.Background()
	s, _ := province(t)
	q, cm, board := quality.New(quality.Options{}), cards.New(), taskboard.New()
	a := app.NewAssessor(q, cm, board)
	_, err := projections.Replay(ctx, s, events.Query{}, q, cm, board, a)
	require.NoError(t, err)
	live, err := a.Year(2018)
	require.NoError(t, err)
	replayed, err := app.Compute(ctx, s, 2018, app.Basis{}, app.NewBoardFigures())
	require.NoError(t, err)
	require.Equal(t, replayed, live)

	snap, err := a.Snapshot()
	require.NoError(t, err)
	b := app.NewAssessor(q, cm, board)
	require.NoError(t, b.Restore(snap))
	restored, err := b.Year(2018)
	require.NoError(t, err)
	require.Equal(t, replayed, restored)
	require.Error(t, b.Restore([]byte("{")))
}

// "As it happened" on a date leaves out the facts that happened after it,
// whenever they were recorded: a groundwater grade for 2018 given in May
// 2019 is not part of Taiyuan's 2018 figures as they had happened by
// 2019-04-01 (the point, not graded yet, counts as very poor), and is by
// 2019-06-01; an inspection on 31 December 2018,
// recorded in May 2019, is not part of them as they had happened by 30
// December 2018, and is by 2019-06-01. (2019 has no samples: nothing to
// assess.)
func TestAuditAsHappenedLeavesOutLaterFacts(t *testing.T) {
	ctx := context.Background()
	s, clock := province(t)
	_, err := app.Register(ctx, s, admin, date(2016, 1, 2),
		app.GroundwaterPointRegistration(monitoring.GroundwaterPointRegistered{ID: "TY-GW-1", Name: "晋祠", City: "140100"}))
	require.NoError(t, err)
	reg := enforcement.EnterpriseRegistered{Name: "太原市某焦化有限公司", USCC: validUSCC(t, "91140100MA0RW0011"), City: "140100", Industry: "焦化"}
	_, err = app.RegisterEnterprise(ctx, s, inspector, date(2016, 1, 2), reg)
	require.NoError(t, err)

	clock.Set(date(2019, 6, 1))
	may := date(2019, 5, 1)
	_, err = app.Record(ctx, s, admin, may, events.Aggregate{Scope: "140100", Type: app.GroundwaterPointType, ID: "TY-GW-1"},
		monitoring.GroundwaterGraded{Year: 2018, Grade: 2})
	require.NoError(t, err)
	_, err = app.RecordInspection(ctx, s, inspector, date(2018, 12, 31), app.EnterpriseAggregate("140100", reg.ID()), exceedance("晋环监〔2019〕7号", ""))
	require.NoError(t, err)

	year := func(a *app.CityAudit, y int) app.AuditYear {
		for _, ay := range a.Years {
			if ay.Year == y {
				return ay
			}
		}
		t.Fatalf("no year %d", y)
		return app.AuditYear{}
	}
	before, err := app.AuditCity(ctx, s, "140100", date(2019, 4, 1), nil)
	require.NoError(t, err)
	require.Equal(t, 1, year(before, 2018).AsHappened.Inputs.Groundwater, "listed since 2016")
	require.Equal(t, 1, year(before, 2018).AsHappened.Inputs.GroundwaterVeryPoor, "graded in May: not graded yet counts as very poor")
	var outcome string
	for _, ev := range year(before, 2018).AsHappened.Inputs.Evidence {
		if ev.Part == "groundwater" && ev.Subject == "TY-GW-1" {
			outcome = ev.Outcome
		}
	}
	require.Equal(t, "not graded for the year: counted as very poor", outcome, "the figure's evidence says why")
	require.Equal(t, 1, year(before, 2018).AsHappened.Inputs.Enforcement.Inspections, "inspected in 2018")
	require.Equal(t, []string{"inspections 0 → 1", "inspections finding an exceedance 0 → 1"}, year(before, 2018).Differences,
		"the inspection recorded in May: beside the scores, which it does not move")
	for _, y := range before.Years {
		require.NotEqual(t, 2019, y.Year, "nothing to assess in 2019")
	}
	dec30, err := app.AuditCity(ctx, s, "140100", date(2018, 12, 30), nil)
	require.NoError(t, err)
	require.Zero(t, year(dec30, 2018).AsHappened.Inputs.Enforcement.Inspections, "inspected on the 31st")

	after, err := app.AuditCity(ctx, s, "140100", date(2019, 6, 1), nil)
	require.NoError(t, err)
	require.Equal(t, 1, year(after, 2018).AsHappened.Inputs.Groundwater)
	require.Zero(t, year(after, 2018).AsHappened.Inputs.GroundwaterVeryPoor, "graded 2 (good)")
	require.Equal(t, 1, year(after, 2018).AsHappened.Inputs.Enforcement.Inspections)
}

// provinceWithCatalogue is province with the plan's task catalogue loaded
// on day, the clock left there.
func provinceWithCatalogue(t *testing.T, day time.Time) (*jetstream.Store, *testClock) {
	t.Helper()
	s, clock := province(t)
	clock.Set(day)
	_, err := app.LoadCatalogue(context.Background(), s, admin, clock.Now())
	require.NoError(t, err)
	return s, clock
}

// The task catalogue is listed when it is loaded, not when the plan's tasks
// began: loaded in 2019 with history back to 2016, "as it happened" in May
// 2019 counts 2018's tasks as today does.
func TestAsHappenedKeepsACatalogueLoadedLater(t *testing.T) {
	ctx := context.Background()
	s, _ := provinceWithCatalogue(t, date(2019, 6, 1))
	for _, c := range []struct {
		to tasks.Status
		at time.Time
	}{{tasks.InProgress, date(2016, 3, 1)}, {tasks.Completed, date(2017, 3, 1)}} {
		ch := tasks.ChangeStatus{Task: "T-2-4-2-3b", City: "140100", To: c.to}
		if c.to == tasks.Completed {
			ch.Evidence = tasks.Evidence{DocumentNo: "并环函〔2017〕5号"}
		}
		_, err := app.ChangeTaskStatus(ctx, s, admin, c.at, ch)
		require.NoError(t, err)
	}
	taiyuan := func(b app.Basis) assessment.Inputs {
		c, err := app.Compute(ctx, s, 2018, b, app.NewBoardFigures())
		require.NoError(t, err)
		return result(c, "140100").Inputs
	}
	today, then := taiyuan(app.Basis{}), taiyuan(app.Basis{OccurredBy: date(2019, 5, 1)})
	require.NotZero(t, today.TasksDue)
	require.Equal(t, today.TasksDue, then.TasksDue)
	require.Equal(t, today.TasksOnTime, then.TasksOnTime)
}

// Results as it happened by a date say so, and do not share the whole
// log's identity (position and inputs hash); the rules are those known
// today for the year, adopted after the date or not.
func TestAsHappenedResultsSayTheirBasis(t *testing.T) {
	ctx := context.Background()
	s, clock := province(t)
	clock.Set(date(2019, 6, 1))
	later := assessment.Standard(2018, "晋环发〔2019〕9号")
	_, err := app.AdoptRules(ctx, s, admin, later, clock.Now())
	require.NoError(t, err)
	today, err := app.Compute(ctx, s, 2018, app.Basis{}, nil)
	require.NoError(t, err)
	cut := date(2019, 5, 1)
	then, err := app.Compute(ctx, s, 2018, app.Basis{OccurredBy: cut}, nil)
	require.NoError(t, err)
	require.Nil(t, today.OccurredBy)
	require.Equal(t, cut, *then.OccurredBy)
	require.Equal(t, today.Position, then.Position, "the same log read")
	require.NotEqual(t, today.InputsHash, then.InputsHash, "but not the same inputs")
	require.Equal(t, "晋环发〔2019〕9号", today.Rules.Document)
	require.Equal(t, today.Rules, then.Rules, "the rules known today")
}

// A year's results are provisional until the end of its last day, as of
// the date asked for or now, whichever is earlier.
func TestProvisional(t *testing.T) {
	endOf2019, err := domain.ParseAsOf("2019-12-31")
	require.NoError(t, err)
	now := date(2020, 6, 1)
	for _, tc := range []struct {
		year    int
		at      time.Time
		want    bool
		comment string
	}{
		{2019, endOf2019, false, "the end of 31 December ends the year"},
		{2019, date(2019, 12, 31), true, "noon on 31 December"},
		{2020, time.Date(2030, 1, 1, 0, 0, 0, 0, domain.CST), true, "a date after today is today"},
		{2020, time.Time{}, true, "today"},
		{2019, time.Time{}, false, "today, 2019 over"},
	} {
		require.Equal(t, tc.want, app.Provisional(tc.year, tc.at, now), tc.comment)
	}
}

// What differs between two results includes the share rules' counts even
// when no score moves: a correction that takes a city from 8 sections at
// III or better to 7, with 7 required, is shown.
func TestDiffResultsShowsShareCounts(t *testing.T) {
	rules := assessment.Standard(2016, "test")
	in := assessment.Inputs{City: "140700", Year: 2020, Sections: 10, SectionsMet: 9, AtLeastIIIRequired: 7, AtLeastIIIActual: 8,
		WorseThanVAllowed: 1, WorseThanVActual: 0, TasksDue: 2, TasksOnTime: 2}
	later := in
	later.AtLeastIIIActual = 7
	a, b := assessment.Assess(rules, in), assessment.Assess(rules, later)
	require.Equal(t, a.QualityScore, b.QualityScore)
	zh, en := app.DiffResults(a, b)
	require.Equal(t, []string{"sections at class III or better 8 → 7 (7 → 7 required)"}, en)
	require.Equal(t, []string{"达到或优于Ⅲ类的断面 8 → 7（要求 7 → 7）"}, zh)
	zh, en = app.DiffResults(a, a)
	require.Empty(t, zh)
	require.Empty(t, en)
}

// What differs also names the rules, the enforcement figures reported beside
// the scores, and each section whose outcome moved with the events behind
// the move; a section whose events changed but not its outcome is not named.
func TestDiffResultsNamesSubjectsAndEvents(t *testing.T) {
	in := assessment.Inputs{City: "141000", Year: 2018, Sections: 2, SectionsMet: 2, AtLeastIIIRequired: 1, AtLeastIIIActual: 1,
		Enforcement: assessment.EnforcementFigures{Inspections: 5, Yellow: 1},
		Evidence: []assessment.Evidence{
			{Part: "sections", Subject: "Y-141000-01", Outcome: "class IV, target IV: met", Positions: []uint64{3403, 4087}},
			{Part: "sections", Subject: "Y-141000-02", Outcome: "class III, target III: met", Positions: []uint64{3410}},
		}}
	later := in
	later.SectionsMet = 1
	later.Enforcement = assessment.EnforcementFigures{Inspections: 6, Yellow: 2}
	later.Evidence = []assessment.Evidence{
		{Part: "sections", Subject: "Y-141000-01", Outcome: "class V, target IV: not met", Positions: []uint64{3403, 4087, 4179, 4180}},
		{Part: "sections", Subject: "Y-141000-02", Outcome: "class III, target III: met", Positions: []uint64{3410, 4200}},
	}
	a, b := assessment.Assess(assessment.Standard(2016, "a"), in), assessment.Assess(assessment.Standard(2018, "b"), later)
	zh, en := app.DiffResults(a, b)
	require.Contains(t, en, "rules of 2016 → of 2018")
	require.Contains(t, en, "inspections 5 → 6")
	require.Contains(t, en, "yellow cards 1 → 2")
	require.Contains(t, en, "Y-141000-01 (sections): class IV, target IV: met → class V, target IV: not met; events added 4179, 4180")
	require.Contains(t, zh, "Y-141000-01（断面达标）：Ⅳ类，目标Ⅳ类，达标 → Ⅴ类，目标Ⅳ类，未达标；新增事件 4179, 4180")
	require.Contains(t, zh, "黄牌 1 → 2")
	for _, d := range en {
		require.NotContains(t, d, "Y-141000-02", "its outcome did not move")
	}

	// Subjects counted on one side only are said so; past ten, counted.
	many := in
	many.Evidence = nil
	for i := range 12 {
		many.Evidence = append(many.Evidence, assessment.Evidence{Part: "tasks", Subject: fmt.Sprintf("T-%02d", i), Outcome: "not_started, due 2018-12-31: overdue when the year began, not on time", Positions: []uint64{}})
	}
	zh, en = app.DiffResults(a, assessment.Assess(assessment.Standard(2016, "a"), many))
	require.Contains(t, zh, "T-00（重点任务按时完成）：新计入（未启动，期限 2018-12-31，年初已逾期，不计按时完成）")
	require.Contains(t, en, "T-00 (tasks): none → not_started, due 2018-12-31: overdue when the year began, not on time")
	require.Contains(t, en, "and 4 more subjects", "two sections and twelve tasks, ten named")
	require.NotContains(t, strings.Join(en, "\n"), "T-11")
}

// Rules sent twice (a client retrying, or two at once) are adopted once;
// other rules for the year are adopted, and the first ones again after
// them.
func TestAdoptRulesOnce(t *testing.T) {
	ctx := context.Background()
	s, clock := province(t)
	r2019 := assessment.Standard(2019, "晋环发〔2019〕2号")
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			_, err := app.AdoptRules(ctx, s, admin, r2019, clock.Now())
			errs <- err
		}()
	}
	adopted := 0
	for range 8 {
		if err := <-errs; err == nil {
			adopted++
		} else {
			require.Equal(t, domain.Conflict, domain.KindOf(err), "%v", err)
			require.Contains(t, err.Error(), "already the last adopted for 2019")
		}
	}
	require.Equal(t, 1, adopted)
	other := r2019
	other.Document = "晋环发〔2019〕3号"
	_, err := app.AdoptRules(ctx, s, admin, other, clock.Now())
	require.NoError(t, err)
	_, err = app.AdoptRules(ctx, s, admin, r2019, clock.Now())
	require.NoError(t, err, "back to the first, after other rules")
	evs, err := s.Load(ctx, app.RulesAggregate())
	require.NoError(t, err)
	require.Len(t, evs, 4, "the province's 2016 rules and three for 2019")
}

// A city's task units overdue when a year began count in that year, never
// on time, until they are done; a 2015 deadline is carried into 2016. The
// figures, computed here from the plan's catalogue and the one completion
// recorded, are those the assessment gives.
func TestOverdueTasksCountUntilDone(t *testing.T) {
	ctx := context.Background()
	s, clock := provinceWithCatalogue(t, date(2016, 1, 1))
	var err error
	// One unit of Taiyuan's, due in 2017, completed in May 2019.
	var late plan.Task
	for _, task := range plan.Tasks() {
		if task.Deadline.Year() == 2017 && slices.Contains(tasks.Units(task), domain.CityID("140100")) {
			late = task
			break
		}
	}
	require.NotEmpty(t, late.ID)
	clock.Set(date(2019, 6, 1))
	_, err = app.ChangeTaskStatus(ctx, s, admin, date(2019, 5, 1), tasks.ChangeStatus{Task: late.ID, City: "140100", To: tasks.Completed,
		Evidence: tasks.Evidence{DocumentNo: "并环函〔2019〕5号"}})
	require.NoError(t, err)

	board := app.NewBoardFigures()
	_, err = projections.Replay(ctx, s, events.Query{}, board)
	require.NoError(t, err)
	for year := 2016; year <= 2020; year++ {
		want := 0
		for _, task := range plan.Tasks() {
			if task.Deadline.IsZero() || !slices.Contains(tasks.Units(task), domain.CityID("140100")) {
				continue
			}
			doneBy := func(y int) bool { return task.ID == late.ID && y > 2019 } // done in May 2019
			if y := task.Deadline.Year(); y == year || (y < year && !doneBy(year)) {
				want++
			}
		}
		due, onTime, evidence := board.CityTasks("140100", year)
		require.Equal(t, want, due, "%d", year)
		require.Zero(t, onTime, "nothing done on time")
		require.Len(t, evidence, due)
		// The year's task report (GET /api/task-years/{year}) reconciles
		// with it: the units due in the year and those carried into it.
		rep := board.(app.BoardFigures).Year(year, plan.NewDate(year, time.December, 31))
		require.Equal(t, domain.Scope("140100"), rep.ByCity[0].Scope)
		require.Equal(t, want, rep.ByCity[0].Due+rep.ByCity[0].Carried.Units, "%d", year)
	}
	due2016, _, ev := board.CityTasks("140100", 2016)
	carried := 0
	for _, e := range ev {
		if strings.Contains(e.Outcome, "overdue when the year began") {
			carried++
			require.Contains(t, e.Outcome, "due 2015-")
		}
	}
	require.Positive(t, carried, "the plan's 2015 deadlines, carried into 2016")
	require.Less(t, carried, due2016)
}

// A section classed in a year it has no target for counts as missed, and
// its evidence says why (it read "class II, target : missed").
func TestSectionWithoutATargetForTheYear(t *testing.T) {
	ctx := context.Background()
	s, clock := province(t)
	var csv bytes.Buffer
	csv.WriteString("section,sampled_at,source,DO,NH3N\n")
	for m := 1; m <= 12; m++ {
		fmt.Fprintf(&csv, "S140100-0,2021-%02d-10 09:00,manual,7.0,0.4\nS140200-0,2021-%02d-10 09:00,manual,7.0,0.4\n", m, m)
	}
	clock.Set(date(2022, 1, 15))
	_, err := app.ImportSamples(ctx, s, station, &csv, app.ImportOptions{File: "2021.csv", Now: clock.Now()})
	require.NoError(t, err)
	// Datong's section has a 2021 target; Taiyuan's has none.
	_, err = app.SetSectionTarget(ctx, s, admin, clock.Now(), app.SectionAggregate("140200", "S140200-0"),
		monitoring.SectionTargetSet{Year: 2021, Class: water.ClassIII, Reason: "晋环发〔2021〕5号"})
	require.NoError(t, err)
	comp, err := app.Compute(ctx, s, 2021, app.Basis{}, nil)
	require.NoError(t, err)
	var outcome string
	for _, ev := range result(comp, "140100").Inputs.Evidence {
		if ev.Subject == "S140100-0" {
			outcome = ev.Outcome
		}
	}
	require.Equal(t, "class II, no target for the year: counted as missed", outcome)
	zh, ok := assessment.OutcomeZh(outcome)
	require.True(t, ok)
	require.Equal(t, "Ⅱ类，本年度无目标，按未达标计", zh)
}
