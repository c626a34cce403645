package cards_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/enforcement"
	"github.com/shanxi-water/ledger/domain/plan"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/events/jetstream"
	"github.com/shanxi-water/ledger/projections"
	"github.com/shanxi-water/ledger/projections/cards"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

func at(y, m, d int) time.Time  { return time.Date(y, time.Month(m), d, 10, 0, 0, 0, domain.CST) }
func day(y, m, d int) plan.Date { return plan.NewDate(y, time.Month(m), d) }
func endOf(y, m, d int) time.Time {
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, domain.CST).AddDate(0, 0, 1)
}

var (
	officer = domain.Actor{ID: "zhao.lei", Role: domain.Enforcement}
	q2      = enforcement.Quarter{Year: 2019, Q: 2}
)

const (
	taiyuan = "太原市环境保护局"
	datong  = "大同市环境保护局"
)

func code(t *testing.T, first17 string) enforcement.USCC {
	c, err := enforcement.USCCCheck(first17)
	require.NoError(t, err)
	return enforcement.USCC(first17 + string(c))
}

func over(doc, card string, basis enforcement.Basis) enforcement.Inspected {
	f, unit, measured, limit := enforcement.OverStandard, "mg/L", 164.0, 100.0
	if basis == enforcement.Quota {
		f, unit, measured, limit = enforcement.OverQuota, "t/a", 388, 350
	}
	return enforcement.Inspected{DocumentNo: doc, Authority: taiyuan, Card: card, Findings: []enforcement.Finding{f},
		Measurements: []enforcement.Measurement{{Item: "COD", Measured: measured, Limit: limit, Unit: unit, Basis: basis}}}
}

func fine(doc, card string) enforcement.Inspected {
	return enforcement.Inspected{DocumentNo: doc, Authority: taiyuan, Card: card, Findings: []enforcement.Finding{enforcement.Compliant},
		Measurements: []enforcement.Measurement{{Item: "COD", Measured: 58, Limit: 100, Unit: "mg/L", Basis: enforcement.Standard}}}
}

type province struct {
	s          events.Store
	e1, e2, e3 enforcement.EnterpriseID
}

// record builds a year of enforcement in two cities:
//
//	E1 (Taiyuan): over the standard 2019-02-10, yellow 02-15 to rectify by 05-31;
//	    still over 06-05, red card suspending business 06-10; rectified 08-20, lifted 08-25.
//	E2 (Taiyuan): compliant 03-01; over its quota 04-02, yellow 04-10 to rectify by
//	    07-31; rectified 07-20, lifted 07-25; the yellow card revoked on appeal 09-01.
//	E3 (Datong): over the standard 05-05, yellow 05-10 to rectify by 08-31; never re-inspected.
//
// Taiyuan publishes its 2019Q2 list on 07-10, the province on 07-12.
func record(t *testing.T) province {
	t.Helper()
	ctx := context.Background()
	c := &clock{t: at(2019, 1, 1)}
	s, err := jetstream.Open(ctx, jetstream.Config{DataDir: t.TempDir(), Registry: app.Registry(), Clock: c.Now})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })

	regs := []enforcement.EnterpriseRegistered{
		{Name: "太原某造纸有限公司", USCC: code(t, "91140100MA0K9XRB3"), City: "140100", Industry: "造纸", KeyDischarger: true},
		{Name: "太原某化工有限公司", USCC: code(t, "91140100MA0L2ABC4"), City: "140100", Industry: "化工"},
		{Name: "大同某焦化有限公司", USCC: code(t, "91140200MA0H7TQ5X"), City: "140200", Industry: "焦化", KeyDischarger: true},
	}
	p := province{s: s, e1: regs[0].ID(), e2: regs[1].ID(), e3: regs[2].ID()}
	for _, r := range regs {
		_, err := app.RegisterEnterprise(ctx, s, officer, at(2019, 1, 1), r)
		require.NoError(t, err)
	}
	a1, a2, a3 := app.EnterpriseAggregate("140100", p.e1), app.EnterpriseAggregate("140100", p.e2), app.EnterpriseAggregate("140200", p.e3)
	yellow := func(doc, authority, inspection string, m enforcement.Measure, deadline plan.Date) enforcement.YellowCardIssued {
		return enforcement.YellowCardIssued{DocumentNo: doc, Authority: authority, Inspection: inspection, Measure: m, Deadline: deadline}
	}
	steps := []struct {
		at time.Time
		do func(time.Time) (events.Event, error)
	}{
		{at(2019, 2, 10), func(w time.Time) (events.Event, error) {
			return app.RecordInspection(ctx, s, officer, w, a1, over("E1-I1", "", enforcement.Standard))
		}},
		{at(2019, 2, 15), func(w time.Time) (events.Event, error) {
			return app.IssueYellowCard(ctx, s, officer, w, a1, yellow("并环黄〔2019〕3号", taiyuan, "E1-I1", enforcement.LimitProduction, day(2019, 5, 31)))
		}},
		{at(2019, 3, 1), func(w time.Time) (events.Event, error) {
			return app.RecordInspection(ctx, s, officer, w, a2, fine("E2-Ia", ""))
		}},
		{at(2019, 4, 2), func(w time.Time) (events.Event, error) {
			return app.RecordInspection(ctx, s, officer, w, a2, over("E2-Ib", "", enforcement.Quota))
		}},
		{at(2019, 4, 10), func(w time.Time) (events.Event, error) {
			return app.IssueYellowCard(ctx, s, officer, w, a2, yellow("并环黄〔2019〕9号", taiyuan, "E2-Ib", enforcement.SuspendForRectification, day(2019, 7, 31)))
		}},
		{at(2019, 5, 5), func(w time.Time) (events.Event, error) {
			return app.RecordInspection(ctx, s, officer, w, a3, over("E3-I1", "", enforcement.Standard))
		}},
		{at(2019, 5, 10), func(w time.Time) (events.Event, error) {
			return app.IssueYellowCard(ctx, s, officer, w, a3, yellow("同环黄〔2019〕2号", datong, "E3-I1", enforcement.LimitProduction, day(2019, 8, 31)))
		}},
		{at(2019, 6, 5), func(w time.Time) (events.Event, error) {
			return app.RecordInspection(ctx, s, officer, w, a1, over("E1-R1", "并环黄〔2019〕3号", enforcement.Standard))
		}},
		{at(2019, 6, 10), func(w time.Time) (events.Event, error) {
			return app.IssueRedCard(ctx, s, officer, w, a1, enforcement.RedCardIssued{DocumentNo: "并政红〔2019〕1号", Authority: "太原市人民政府",
				YellowCard: "并环黄〔2019〕3号", Reinspection: "E1-R1", Measure: enforcement.SuspendBusiness, Grounds: "still 1.64 times the standard after the deadline"})
		}},
		{at(2019, 7, 10), func(w time.Time) (events.Event, error) {
			return app.PublishCardList(ctx, s, officer, w, "140100", q2, taiyuan, "并环公告〔2019〕7号")
		}},
		{at(2019, 7, 12), func(w time.Time) (events.Event, error) {
			return app.PublishCardList(ctx, s, officer, w, domain.Province, q2, "山西省环境保护厅", "晋环公告〔2019〕4号")
		}},
		{at(2019, 7, 20), func(w time.Time) (events.Event, error) {
			return app.RecordInspection(ctx, s, officer, w, a2, fine("E2-R1", "并环黄〔2019〕9号"))
		}},
		{at(2019, 7, 25), func(w time.Time) (events.Event, error) {
			return app.LiftCard(ctx, s, officer, w, a2, enforcement.CardLifted{Card: "并环黄〔2019〕9号", DocumentNo: "并环解〔2019〕4号", Authority: taiyuan, Reinspection: "E2-R1"})
		}},
		{at(2019, 8, 20), func(w time.Time) (events.Event, error) {
			return app.RecordInspection(ctx, s, officer, w, a1, fine("E1-R2", "并政红〔2019〕1号"))
		}},
		{at(2019, 8, 25), func(w time.Time) (events.Event, error) {
			return app.LiftCard(ctx, s, officer, w, a1, enforcement.CardLifted{Card: "并政红〔2019〕1号", DocumentNo: "并政解〔2019〕2号", Authority: "太原市人民政府", Reinspection: "E1-R2"})
		}},
		{at(2019, 9, 1), func(w time.Time) (events.Event, error) {
			return app.RevokeCard(ctx, s, officer, w, a2, enforcement.CardRevoked{Card: "并环黄〔2019〕9号", DocumentNo: "晋政复决〔2019〕31号",
				Authority: "山西省人民政府", Reason: "the quota was set after the period it was applied to"})
		}},
	}
	for _, st := range steps {
		c.Set(st.at.Add(time.Hour))
		_, err := st.do(st.at)
		require.NoError(t, err)
	}
	return p
}

func model(t *testing.T, s events.Store, q events.Query) *cards.Model {
	t.Helper()
	m := cards.New()
	_, err := projections.Replay(context.Background(), s, q, m)
	require.NoError(t, err)
	return m
}

func cardsOf(l enforcement.CardList) []string {
	var out []string
	for _, e := range l.Entries {
		out = append(out, e.Card)
	}
	return out
}

// Publish, then revoke a card: the published list and its hash are
// unchanged; the list recomputed as known today differs; recomputed as the
// ledger knew it on the publication day it is the published one, byte for
// byte.
func TestPublishedListsStayAsPublished(t *testing.T) {
	p := record(t)
	m := model(t, p.s, events.Query{})

	pub, ok := m.Published("140100", q2)
	require.True(t, ok)
	require.True(t, pub.HashOK)
	require.Equal(t, pub.List.Hash(), pub.SHA256)
	require.Equal(t, at(2019, 7, 10), pub.PublishedAt.In(domain.CST))
	require.Equal(t, []string{"并环黄〔2019〕3号", "并政红〔2019〕1号", "并环黄〔2019〕9号"}, cardsOf(pub.List))
	first := pub.List.Entries[0]
	require.Equal(t, enforcement.Escalated, first.Status)
	require.Equal(t, "2019-06-10", first.Ended.String())
	require.Equal(t, []enforcement.Finding{enforcement.OverStandard}, first.Findings)
	require.Equal(t, enforcement.InForce, pub.List.Entries[1].Status)
	require.Equal(t, enforcement.OverQuota, pub.List.Entries[2].Findings[0])

	// As stored in the log: the same bytes, the same hash.
	stored, ev, err := app.PublishedCardList(context.Background(), p.s, "140100", q2)
	require.NoError(t, err)
	require.Equal(t, pub.EventID, ev.ID.String())
	require.Equal(t, pub.CardListPublished, stored)

	today := m.QuarterList("140100", q2)
	require.Equal(t, []string{"并环黄〔2019〕3号", "并政红〔2019〕1号"}, cardsOf(today), "the revoked card is off the list computed today")
	require.NotEqual(t, pub.SHA256, today.Hash())

	then := model(t, p.s, events.Query{RecordedBy: endOf(2019, 7, 10)})
	require.Equal(t, pub.List, then.QuarterList("140100", q2))
	require.Equal(t, pub.SHA256, then.QuarterList("140100", q2).Hash())

	prov, ok := m.Published(domain.Province, q2)
	require.True(t, ok)
	require.Len(t, prov.List.Entries, 4)
	require.Equal(t, domain.CityID("140200"), prov.List.Entries[3].City)
	pubs := m.Publications()
	require.Len(t, pubs, 2)
	require.Equal(t, domain.Scope("140100"), pubs[0].List.Scope)
	require.Equal(t, domain.Province, pubs[1].List.Scope)
	require.False(t, pubs[0].Late, "published on 10 July, due by the end of July")
	_, ok = m.Published("140200", q2)
	require.False(t, ok)

	// 大同's list of the second quarter, published in August: late.
	_, err = app.PublishCardList(context.Background(), p.s, officer, at(2019, 8, 2), "140200", q2, "大同市环境保护局", "同环公告〔2019〕5号")
	require.NoError(t, err)
	m = model(t, p.s, events.Query{})
	late, ok := m.Published("140200", q2)
	require.True(t, ok)
	require.True(t, late.Late)
	require.Equal(t, time.Date(2019, 8, 1, 0, 0, 0, 0, domain.CST), enforcement.PublishBy(q2))
}

func TestRegister(t *testing.T) {
	p := record(t)
	m := model(t, p.s, events.Query{})
	reg := m.Register(day(2019, 7, 1))
	require.Len(t, reg, 2, "E2's yellow card is annulled, as known today")
	require.Equal(t, "并政红〔2019〕1号", reg[0].Card)
	require.Equal(t, enforcement.Red, reg[0].Color)
	require.Equal(t, enforcement.SuspendBusiness, reg[0].Measure)
	require.Nil(t, reg[0].Deadline)
	require.Equal(t, "同环黄〔2019〕2号", reg[1].Card)
	require.False(t, reg[1].DeadlinePassed)

	then := model(t, p.s, events.Query{RecordedBy: endOf(2019, 7, 1)})
	require.Len(t, then.Register(day(2019, 7, 1)), 3, "as the ledger knew it then")

	late := m.Register(day(2019, 12, 31))
	require.Len(t, late, 1)
	require.Equal(t, p.e3, late[0].Enterprise)
	require.True(t, late[0].DeadlinePassed, "past 2019-08-31 and never re-inspected")
	require.Zero(t, late[0].Reinspections)

	red := m.Register(day(2019, 8, 24))
	require.Equal(t, 1, red[0].Reinspections, "E1-R2 re-inspected the red card")
	require.Empty(t, m.Register(day(2018, 12, 31)))
}

func TestStrip(t *testing.T) {
	p := record(t)
	m := model(t, p.s, events.Query{})
	strip, ok := m.Strip(p.e1, enforcement.Quarter{Year: 2019, Q: 4})
	require.True(t, ok)
	require.Len(t, strip, 12)
	var got []enforcement.Compliance
	for _, q := range strip {
		got = append(got, q.Status)
	}
	nr := enforcement.NotRegistered
	require.Equal(t, []enforcement.Compliance{nr, nr, nr, nr, nr, nr, nr, nr,
		enforcement.UnderYellow, enforcement.UnderRed, enforcement.UnderRed, enforcement.NoViolation}, got)
	require.Equal(t, enforcement.Quarter{Year: 2017, Q: 1}, strip[0].Quarter)
	require.Equal(t, 1, strip[8].Violations)
	require.Equal(t, []string{"并环黄〔2019〕3号", "并政红〔2019〕1号"}, strip[9].Cards)

	// E2's yellow card was revoked: its quarters show the violation found,
	// not the card. As the ledger knew it before the appeal, they were yellow.
	strip, _ = m.Strip(p.e2, enforcement.Quarter{Year: 2019, Q: 3})
	require.Equal(t, enforcement.NoViolation, strip[9].Status, "2019Q1: inspected, compliant")
	require.Equal(t, 1, strip[9].Inspections)
	require.Equal(t, enforcement.Violation, strip[10].Status)
	require.Equal(t, enforcement.NoViolation, strip[11].Status)
	before := model(t, p.s, events.Query{RecordedBy: endOf(2019, 8, 31)})
	strip, _ = before.Strip(p.e2, enforcement.Quarter{Year: 2019, Q: 3})
	require.Equal(t, enforcement.UnderYellow, strip[10].Status)
	require.Equal(t, enforcement.UnderYellow, strip[11].Status)

	_, ok = m.Strip("91110000710926094P", enforcement.Quarter{Year: 2019, Q: 4})
	require.False(t, ok)
}

func TestYearFigures(t *testing.T) {
	p := record(t)
	m := model(t, p.s, events.Query{})
	years := m.Year(2019)
	require.Len(t, years, 12)
	ty := years[0]
	require.Equal(t, domain.Scope("140100"), ty.Scope)
	require.Equal(t, 2, ty.Enterprises)
	require.Equal(t, 1, ty.KeyDischargers)
	require.Equal(t, enforcement.Figures{Inspections: 6, Violations: 3, Yellow: 1, Red: 1, Lifted: 1, Revoked: 1}, ty.Figures)
	dt := years[1]
	require.Equal(t, enforcement.Figures{Inspections: 1, Violations: 1, Yellow: 1}, dt.Figures)
	require.Equal(t, enforcement.Figures{}, years[2].Figures)
	total := years[11]
	require.Equal(t, domain.Province, total.Scope)
	require.Equal(t, 3, total.Enterprises)
	require.Equal(t, enforcement.Figures{Inspections: 7, Violations: 4, Yellow: 2, Red: 1, Lifted: 1, Revoked: 1}, total.Figures)
	require.Zero(t, m.CityYear("140100", 2018).Enterprises)

	// Before the appeal, E2's card counted as issued and lifted.
	before := model(t, p.s, events.Query{RecordedBy: endOf(2019, 8, 31)})
	require.Equal(t, enforcement.Figures{Inspections: 6, Violations: 3, Yellow: 2, Red: 1, Lifted: 2}, before.CityYear("140100", 2019).Figures)
}
