package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/enforcement"
	"github.com/shanxi-water/ledger/domain/plan"
	"github.com/shanxi-water/ledger/events"
)

var inspector = domain.Actor{ID: "zhao.lei", Role: domain.Enforcement}

const ebureau = "太原市环境保护局"

func validUSCC(t *testing.T, first17 string) enforcement.USCC {
	t.Helper()
	c, err := enforcement.USCCCheck(first17)
	require.NoError(t, err)
	return enforcement.USCC(first17 + string(c))
}

func exceedance(doc, card string) enforcement.Inspected {
	return enforcement.Inspected{DocumentNo: doc, Authority: ebureau, Card: card, Findings: []enforcement.Finding{enforcement.OverStandard},
		Measurements: []enforcement.Measurement{{Item: "COD", Measured: 186, Limit: 100, Unit: "mg/L", Basis: enforcement.Standard},
			{Item: "NH3-N", Measured: 12.5, Limit: 15, Unit: "mg/L", Basis: enforcement.Standard}}}
}

func compliant(doc, card string) enforcement.Inspected {
	return enforcement.Inspected{DocumentNo: doc, Authority: ebureau, Card: card, Findings: []enforcement.Finding{enforcement.Compliant},
		Measurements: []enforcement.Measurement{{Item: "COD", Measured: 71, Limit: 100, Unit: "mg/L", Basis: enforcement.Standard}}}
}

// A card's whole life through the real store: every action is one event on
// the enterprise's aggregate in its city's scope, refusals store nothing.
func TestCardLifeThroughTheStore(t *testing.T) {
	ctx := context.Background()
	s, clock := openClocked(t, when(2019, 1, 2))
	reg := enforcement.EnterpriseRegistered{Name: "太原市某造纸有限公司", USCC: validUSCC(t, "91140100MA0K9XRB3"), City: "140100", Industry: "造纸", KeyDischarger: true}
	e, err := app.RegisterEnterprise(ctx, s, inspector, when(2019, 1, 1), reg)
	require.NoError(t, err)
	agg := app.EnterpriseAggregate("140100", reg.ID())
	require.Equal(t, agg, e.Aggregate)
	require.Equal(t, app.EnterpriseRegistered, e.Name)

	_, err = app.RegisterEnterprise(ctx, s, inspector, when(2019, 1, 1), reg)
	require.Equal(t, domain.Conflict, domain.KindOf(err))
	moved := reg
	moved.City = "140700"
	_, err = app.RegisterEnterprise(ctx, s, inspector, when(2019, 1, 1), moved)
	require.Equal(t, domain.Conflict, domain.KindOf(err))
	require.Contains(t, err.Error(), "already registered in 140100")
	bad := reg
	bad.USCC = reg.USCC[:17] + "X"
	if bad.USCC == reg.USCC {
		bad.USCC = reg.USCC[:17] + "Y"
	}
	_, err = app.RegisterEnterprise(ctx, s, inspector, when(2019, 1, 1), bad)
	require.Equal(t, "uscc", domain.FieldOf(err))

	step := func(at time.Time, f func() (events.Event, error)) events.Event {
		t.Helper()
		clock.To(at.Add(time.Hour))
		e, err := f()
		require.NoError(t, err)
		return e
	}
	refused := func(at time.Time, kind domain.Kind, want string, f func() (events.Event, error)) {
		t.Helper()
		clock.To(at.Add(time.Hour))
		before := lastPosition(t, s)
		_, err := f()
		require.Error(t, err)
		require.Equal(t, kind, domain.KindOf(err), "%v", err)
		require.Contains(t, err.Error(), want)
		require.Equal(t, before, lastPosition(t, s), "nothing stored")
	}

	step(when(2019, 3, 5), func() (events.Event, error) {
		return app.RecordInspection(ctx, s, inspector, when(2019, 3, 5), agg, exceedance("并环监〔2019〕031号", ""))
	})
	refused(when(2019, 3, 8), domain.Conflict, "a red card presupposes a yellow card whose rectification failed", func() (events.Event, error) {
		return app.IssueRedCard(ctx, s, inspector, when(2019, 3, 8), agg, enforcement.RedCardIssued{DocumentNo: "并政红〔2019〕1号", Authority: "太原市人民政府",
			YellowCard: "并环黄〔2019〕1号", Reinspection: "并环监〔2019〕031号", Measure: enforcement.Close, Grounds: "repeated"})
	})
	yellow := enforcement.YellowCardIssued{DocumentNo: "并环黄〔2019〕1号", Authority: ebureau, Inspection: "并环监〔2019〕031号",
		Measure: enforcement.SuspendForRectification, Deadline: plan.NewDate(2019, time.June, 30)}
	y := step(when(2019, 3, 10), func() (events.Event, error) {
		return app.IssueYellowCard(ctx, s, inspector, when(2019, 3, 10), agg, yellow)
	})
	require.Equal(t, app.YellowCardIssued, y.Name)
	require.Equal(t, yellow, y.Data, "the payload survives the store's codec, deadline included")

	step(when(2019, 7, 3), func() (events.Event, error) {
		return app.RecordInspection(ctx, s, inspector, when(2019, 7, 3), agg, exceedance("并环监〔2019〕088号", yellow.DocumentNo))
	})
	red := enforcement.RedCardIssued{DocumentNo: "并政红〔2019〕1号", Authority: "太原市人民政府", YellowCard: yellow.DocumentNo,
		Reinspection: "并环监〔2019〕088号", Measure: enforcement.SuspendBusiness, Grounds: "COD 1.86 times the standard after the deadline"}
	refused(when(2019, 7, 10), domain.Forbidden, "role auditor may not", func() (events.Event, error) {
		return app.IssueRedCard(ctx, s, domain.Actor{ID: "audit", Role: domain.Auditor}, when(2019, 7, 10), agg, red)
	})
	step(when(2019, 7, 10), func() (events.Event, error) { return app.IssueRedCard(ctx, s, inspector, when(2019, 7, 10), agg, red) })
	refused(when(2019, 8, 1), domain.Conflict, "revoke the red card first", func() (events.Event, error) {
		return app.RevokeCard(ctx, s, inspector, when(2019, 8, 1), agg, enforcement.CardRevoked{Card: yellow.DocumentNo, DocumentNo: "复议 1", Authority: "太原市人民政府", Reason: "x"})
	})
	step(when(2019, 9, 1), func() (events.Event, error) {
		return app.RecordInspection(ctx, s, inspector, when(2019, 9, 1), agg, compliant("并环监〔2019〕120号", red.DocumentNo))
	})
	step(when(2019, 9, 5), func() (events.Event, error) {
		return app.LiftCard(ctx, s, inspector, when(2019, 9, 5), agg, enforcement.CardLifted{Card: red.DocumentNo, DocumentNo: "并政解〔2019〕3号", Authority: "太原市人民政府", Reinspection: "并环监〔2019〕120号"})
	})
	rv := step(when(2019, 12, 20), func() (events.Event, error) {
		return app.RevokeCard(ctx, s, inspector, when(2019, 12, 20), agg, enforcement.CardRevoked{Card: red.DocumentNo,
			DocumentNo: "(2019)晋01行初45号", Authority: "太原市中级人民法院", Reason: "the hearing required before suspending business was not offered"})
	})
	require.Equal(t, app.CardRevoked, rv.Name)

	st, version, err := app.LoadEnterprise(ctx, s, agg)
	require.NoError(t, err)
	require.Equal(t, uint64(8), version)
	rc, _ := st.Card(red.DocumentNo)
	require.Equal(t, enforcement.Revoked, rc.Status)
	yc, _ := st.Card(yellow.DocumentNo)
	require.Equal(t, enforcement.Lifted, yc.Status)

	// The whole life is under ledger.140100.enterprise.<code>.>.
	n := 0
	require.NoError(t, s.Read(ctx, events.Query{Aggregate: &agg}, func(e events.Event) error {
		require.Equal(t, domain.Scope("140100"), e.Aggregate.Scope)
		n++
		return nil
	}))
	require.Equal(t, 8, n)

	_, err = app.RecordInspection(ctx, s, inspector, when(2019, 12, 20), app.EnterpriseAggregate("140200", reg.ID()), compliant("x", ""))
	require.Equal(t, domain.NotFound, domain.KindOf(err), "not registered in Datong")
}

// Publishing a quarter's list freezes it: a later revocation changes what
// is computed today, never what was published nor its hash.
func TestPublishedListIsFrozen(t *testing.T) {
	ctx := context.Background()
	s, clock := openClocked(t, when(2019, 1, 2))
	reg := enforcement.EnterpriseRegistered{Name: "某焦化厂", PermitNo: "91140100MA0K9XRB3N001P", City: "140100", Industry: "焦化"}
	_, err := app.RegisterEnterprise(ctx, s, inspector, when(2019, 1, 1), reg)
	require.NoError(t, err)
	agg := app.EnterpriseAggregate("140100", reg.ID())
	clock.To(when(2019, 2, 11))
	_, err = app.RecordInspection(ctx, s, inspector, when(2019, 2, 10), agg, exceedance("I-1", ""))
	require.NoError(t, err)
	_, err = app.IssueYellowCard(ctx, s, inspector, when(2019, 2, 11), agg, enforcement.YellowCardIssued{DocumentNo: "Y-1", Authority: ebureau,
		Inspection: "I-1", Measure: enforcement.LimitProduction, Deadline: plan.NewDate(2019, time.May, 31)})
	require.NoError(t, err)

	q1 := enforcement.Quarter{Year: 2019, Q: 1}
	_, err = app.PublishCardList(ctx, s, inspector, when(2019, 3, 20), "140100", q1, ebureau, "并环公告〔2019〕2号")
	require.Equal(t, domain.Conflict, domain.KindOf(err), "the quarter has not ended")
	_, _, err = app.PublishedCardList(ctx, s, "140100", q1)
	require.Equal(t, domain.NotFound, domain.KindOf(err))

	clock.To(when(2019, 4, 15))
	pub, err := app.PublishCardList(ctx, s, inspector, when(2019, 4, 15), "140100", q1, ebureau, "并环公告〔2019〕2号")
	require.NoError(t, err)
	require.Equal(t, app.CardListAggregate("140100", q1), pub.Aggregate)
	require.Equal(t, "140100/card_list/2019Q1", pub.Aggregate.String())
	published := pub.Data.(enforcement.CardListPublished)
	require.Len(t, published.List.Entries, 1)
	require.Equal(t, published.List.Hash(), published.SHA256)
	_, err = app.PublishCardList(ctx, s, inspector, when(2019, 4, 15), "140100", q1, ebureau, "并环公告〔2019〕3号")
	require.Equal(t, domain.Conflict, domain.KindOf(err))
	require.Contains(t, err.Error(), "already published")
	clock.To(when(2019, 4, 16))
	prov, err := app.PublishCardList(ctx, s, inspector, when(2019, 4, 16), domain.Province, q1, "山西省环境保护厅", "晋环公告〔2019〕1号")
	require.NoError(t, err)
	require.Equal(t, published.List.Entries, prov.Data.(enforcement.CardListPublished).List.Entries)

	clock.To(when(2019, 6, 1))
	_, err = app.RevokeCard(ctx, s, inspector, when(2019, 6, 1), agg, enforcement.CardRevoked{Card: "Y-1", DocumentNo: "晋政复决〔2019〕12号", Authority: "山西省人民政府", Reason: "sampling not done by the standard method"})
	require.NoError(t, err)

	again, ev, err := app.PublishedCardList(ctx, s, "140100", q1)
	require.NoError(t, err)
	require.Equal(t, pub.ID, ev.ID)
	require.Equal(t, published, again)
	require.NoError(t, again.Validate())
	require.Equal(t, published.SHA256, again.List.Hash())

	all, err := app.LoadEnterprises(ctx, s, "140100")
	require.NoError(t, err)
	today := enforcement.BuildCardList("140100", q1, all)
	require.Empty(t, today.Entries)
	require.NotEqual(t, published.SHA256, today.Hash())
	report, err := s.Verify(ctx)
	require.NoError(t, err)
	require.True(t, report.OK(), "%v", report.Problems)
}

// Registrations of one enterprise in several cities at once: one is
// stored, with its claim on the id, and the others are refused, naming the
// city it is registered in. An id registered before claims were recorded
// (no claim) is still found in its city.
func TestConcurrentRegistrationsOfOneEnterprise(t *testing.T) {
	ctx := context.Background()
	s, _ := openClocked(t, when(2019, 1, 2))
	reg := enforcement.EnterpriseRegistered{Name: "某焦化有限公司", USCC: validUSCC(t, "91140100MA0RW0009"), Industry: "焦化"}
	cities := []domain.CityID{"140100", "140200", "140300", "140400", "140500", "140600", "140700", "140800"}
	type result struct {
		city domain.CityID
		err  error
	}
	results := make(chan result, len(cities))
	for _, c := range cities {
		go func() {
			r := reg
			r.City = c
			_, err := app.RegisterEnterprise(ctx, s, inspector, when(2019, 1, 1), r)
			results <- result{c, err}
		}()
	}
	var stored domain.CityID
	var refused []error
	for range cities {
		r := <-results
		if r.err == nil {
			require.Empty(t, stored, "a second registration was stored")
			stored = r.city
			continue
		}
		refused = append(refused, r.err)
	}
	require.NotEmpty(t, stored)
	for _, err := range refused {
		require.Equal(t, domain.Conflict, domain.KindOf(err), "%v", err)
		require.Contains(t, err.Error(), "already registered")
	}
	n := 0
	require.NoError(t, s.Read(ctx, events.Query{Names: []events.Name{app.EnterpriseRegistered}}, func(events.Event) error { n++; return nil }))
	require.Equal(t, 1, n)
	claims, err := s.Load(ctx, app.EnterpriseCodeAggregate(reg.ID()))
	require.NoError(t, err)
	require.Len(t, claims, 1)
	require.Equal(t, enforcement.CodeClaimed{City: stored}, claims[0].Data)

	old := enforcement.EnterpriseRegistered{Name: "某造纸厂", USCC: validUSCC(t, "91140100MA0RW0010"), City: "140900", Industry: "造纸"}
	_, err = s.Append(ctx, events.Change{Aggregate: app.EnterpriseAggregate(old.City, old.ID()), Expect: events.NoEvents,
		Events: []events.Draft{{OccurredAt: when(2018, 5, 1), Actor: inspector, Data: old}}})
	require.NoError(t, err)
	moved := old
	moved.City = "141000"
	_, err = app.RegisterEnterprise(ctx, s, inspector, when(2019, 1, 1), moved)
	require.Equal(t, domain.Conflict, domain.KindOf(err), "%v", err)
	require.Contains(t, err.Error(), "already registered in 140900")
}

// A permit number is one enterprise's: registered as an id, or beside a
// code, it cannot be registered again as another enterprise, in any city;
// registrations made before permit numbers were claimed are read.
func TestPermitNumberRegisteredOnce(t *testing.T) {
	ctx := context.Background()
	s, _ := openClocked(t, when(2019, 1, 2))
	register := func(city domain.CityID, uscc, permit string) error {
		r := enforcement.EnterpriseRegistered{Name: "测试化工厂", PermitNo: permit, City: city, Industry: "化工"}
		if uscc != "" {
			r.USCC = validUSCC(t, uscc)
		}
		_, err := app.RegisterEnterprise(ctx, s, inspector, when(2019, 1, 1), r)
		return err
	}
	conflict := func(err error, says string) {
		t.Helper()
		require.Equal(t, domain.Conflict, domain.KindOf(err), "%v", err)
		require.Contains(t, err.Error(), says)
	}
	require.NoError(t, register("140100", "", "PX-TEST-0001"))
	conflict(register("140100", "91140100MA0RW0011", "PX-TEST-0001"), "permit number PX-TEST-0001 is already registered, as enterprise PX-TEST-0001 in 140100")
	conflict(register("140200", "", "PX-TEST-0001"), "already registered in 140100")

	require.NoError(t, register("140100", "91140100MA0RW0012", "PX-TEST-0002"))
	claims, err := s.Load(ctx, app.EnterpriseCodeAggregate("PX-TEST-0002"))
	require.NoError(t, err)
	require.Len(t, claims, 1)
	require.Equal(t, enforcement.CodeClaimed{City: "140100", Enterprise: enforcement.EnterpriseID(validUSCC(t, "91140100MA0RW0012"))}, claims[0].Data)
	conflict(register("140100", "", "PX-TEST-0002"), "as enterprise "+string(validUSCC(t, "91140100MA0RW0012")))
	conflict(register("140300", "91140100MA0RW0013", "PX-TEST-0002"), "permit number PX-TEST-0002 is already registered")

	old := enforcement.EnterpriseRegistered{Name: "某造纸厂", USCC: validUSCC(t, "91140100MA0RW0014"), PermitNo: "PX-TEST-0004", City: "140900", Industry: "造纸"}
	_, err = s.Append(ctx, events.Change{Aggregate: app.EnterpriseAggregate(old.City, old.ID()), Expect: events.NoEvents,
		Events: []events.Draft{{OccurredAt: when(2018, 5, 1), Actor: inspector, Data: old}}})
	require.NoError(t, err)
	conflict(register("140900", "", "PX-TEST-0004"), "as enterprise "+string(old.USCC)+" in 140900")

	n := 0
	require.NoError(t, s.Read(ctx, events.Query{Names: []events.Name{app.EnterpriseRegistered}}, func(events.Event) error { n++; return nil }))
	require.Equal(t, 3, n, "two registered here, one before claims")
}

// A quarter's list not yet published is NotFound, said in Chinese too (no
// API request gives it: the API's list view shows an unpublished list as
// it stands today).
func TestUnpublishedListInChinese(t *testing.T) {
	ctx := context.Background()
	s, _ := openClocked(t, when(2019, 4, 2))
	for _, tc := range []struct {
		scope domain.Scope
		zh    string
	}{
		{domain.CityScope("140800"), "运城 140800 2019 年第 1 季度的名单尚未公布"},
		{domain.Province, "全省 2019 年第 1 季度的名单尚未公布"},
	} {
		_, _, err := app.PublishedCardList(ctx, s, tc.scope, enforcement.Quarter{Year: 2019, Q: 1})
		require.Equal(t, domain.NotFound, domain.KindOf(err), "%v", err)
		require.Equal(t, tc.zh, enforcement.ReasonZh(domain.ReasonOf(err)), "%v", err)
	}
}
