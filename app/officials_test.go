package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/assessment"
	"github.com/shanxi-water/ledger/domain/officials"
	"github.com/shanxi-water/ledger/domain/plan"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/events/jetstream"
)

var (
	registrar = domain.Actor{ID: "zuzhi.li", Role: domain.Assessment}
	onlooker  = domain.Actor{ID: "shenji.wu", Role: domain.Auditor}
)

const (
	taiyuan domain.CityID = "140100"
	datong  domain.CityID = "140200"
)

func day(s string) plan.Date {
	d, err := plan.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func openOfficials(t *testing.T) *jetstream.Store {
	t.Helper()
	s, err := jetstream.Open(context.Background(), jetstream.Config{DataDir: t.TempDir(), Registry: app.Registry()})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// register enters officials by code and name.
func register(t *testing.T, s events.Store, people ...string) {
	t.Helper()
	for i := 0; i < len(people); i += 2 {
		_, err := app.RegisterOfficial(context.Background(), s, registrar, time.Date(2015, 1, 1, 9, 0, 0, 0, domain.CST),
			officials.Registered{ID: officials.PersonID(people[i]), Name: people[i+1]})
		require.NoError(t, err)
	}
}

func appoint(t *testing.T, s events.Store, who string, post officials.Post, city domain.CityID, river, from string) events.Event {
	t.Helper()
	e, err := app.AppointOfficial(context.Background(), s, registrar, officials.Appointed{Official: officials.PersonID(who),
		Position: officials.Position{Post: post, City: city, River: river}, From: day(from), DocumentNo: "任免〔" + from[:4] + "〕" + from[5:7] + "号"})
	require.NoError(t, err)
	return e
}

func depart(t *testing.T, s events.Store, who string, post officials.Post, city domain.CityID, river, to string, why officials.DepartureReason) events.Event {
	t.Helper()
	e, err := app.RecordDeparture(context.Background(), s, registrar, officials.Departed{Official: officials.PersonID(who),
		Position: officials.Position{Post: post, City: city, River: river}, To: day(to), Reason: why})
	require.NoError(t, err)
	return e
}

func TestAppointmentsAndDepartures(t *testing.T) {
	ctx := context.Background()
	s := openOfficials(t)
	register(t, s, "li-ming", "李明", "zhang-hua", "张华", "chen-jie", "陈杰", "zhao-gang", "赵刚", "ayi-guli", "阿依·古丽")

	e := appoint(t, s, "li-ming", officials.Mayor, taiyuan, "", "2016-03-01")
	require.Equal(t, app.OfficialAppointed, e.Name)
	require.Equal(t, app.OfficialAggregate("li-ming"), e.Aggregate)
	require.Equal(t, domain.Province, e.Aggregate.Scope)
	require.Equal(t, uint64(2), e.Version)
	require.Equal(t, time.Date(2016, 3, 1, 0, 0, 0, 0, domain.CST), e.OccurredAt.In(domain.CST), "the first day in office, Shanxi time")

	e = depart(t, s, "li-ming", officials.Mayor, taiyuan, "", "2018-05-01", officials.Transferred)
	require.Equal(t, app.OfficialDeparted, e.Name)
	require.Equal(t, day("2016-03-01"), e.Data.(officials.Departed).Since, "the departure names the tenure it ends")

	// The successor takes office on the day the predecessor left: no overlap.
	appoint(t, s, "zhang-hua", officials.Mayor, taiyuan, "", "2018-05-01")
	// The same official in another city, the day after.
	appoint(t, s, "li-ming", officials.Mayor, datong, "", "2018-05-02")
	// Re-appointed to a post left before.
	appoint(t, s, "chen-jie", officials.EnvBureauHead, taiyuan, "", "2015-06-01")
	depart(t, s, "chen-jie", officials.EnvBureauHead, taiyuan, "", "2016-01-01", officials.Transferred)
	appoint(t, s, "chen-jie", officials.EnvBureauHead, taiyuan, "", "2017-01-01")
	// Two vice mayors may share the portfolio; one person may chair two rivers.
	appoint(t, s, "chen-jie", officials.ViceMayorInCharge, taiyuan, "", "2017-03-01")
	appoint(t, s, "zhao-gang", officials.ViceMayorInCharge, taiyuan, "", "2017-04-01")
	appoint(t, s, "zhao-gang", officials.RiverChief, taiyuan, "汾河", "2017-04-01")
	appoint(t, s, "zhao-gang", officials.RiverChief, taiyuan, "潇河", "2017-04-01")
	// Provincial posts have no city.
	appoint(t, s, "ayi-guli", officials.EnvDepartmentHead, "", "", "2016-07-01")

	r, err := app.LoadOfficial(ctx, s, "li-ming")
	require.NoError(t, err)
	require.Equal(t, "李明", r.Name)
	require.Equal(t, uint64(4), r.Version)
	require.Len(t, r.Tenures, 2)
	require.Equal(t, taiyuan, r.Tenures[0].City)
	require.Equal(t, day("2018-05-01"), *r.Tenures[0].To)
	require.Equal(t, day("2018-04-30"), *r.Tenures[0].LastDay())
	require.Equal(t, officials.Transferred, r.Tenures[0].Reason)
	require.Equal(t, datong, r.Tenures[1].City)
	require.True(t, r.Tenures[1].InOffice())

	ro, err := app.LoadRoster(ctx, s)
	require.NoError(t, err)
	mayor := officials.Position{Post: officials.Mayor, City: taiyuan}
	holders := func(d string) []officials.PersonID {
		var ids []officials.PersonID
		for _, h := range ro.HoldersOn(mayor, day(d)) {
			ids = append(ids, h.Official)
		}
		return ids
	}
	require.Equal(t, []officials.PersonID{"li-ming"}, holders("2018-04-30"))
	require.Equal(t, []officials.PersonID{"zhang-hua"}, holders("2018-05-01"))
	require.Empty(t, holders("2016-02-29"))
	require.Len(t, ro.HoldersOn(officials.Position{Post: officials.ViceMayorInCharge, City: taiyuan}, day("2017-06-01")), 2)
	require.Len(t, ro.HoldersOn(officials.Position{Post: officials.EnvBureauHead, City: taiyuan}, day("2016-06-01")), 0, "between chen-jie's two tenures")
	require.Empty(t, ro.Clashes())
}

// Every refused registration, appointment and departure: its kind and
// field, and nothing stored.
func TestOfficialsRejections(t *testing.T) {
	ctx := context.Background()
	s := openOfficials(t)
	register(t, s, "li-ming", "李明", "zhang-hua", "张华", "wang-fang", "王芳")
	appoint(t, s, "li-ming", officials.Mayor, taiyuan, "", "2016-03-01")
	depart(t, s, "li-ming", officials.Mayor, taiyuan, "", "2018-05-01", officials.Transferred)
	appoint(t, s, "zhang-hua", officials.Mayor, taiyuan, "", "2018-05-01")
	appoint(t, s, "wang-fang", officials.EnvBureauHead, taiyuan, "", "2015-06-01")

	at := time.Date(2019, 1, 1, 0, 0, 0, 0, domain.CST)
	pos := func(p officials.Post, c domain.CityID, river string) officials.Position {
		return officials.Position{Post: p, City: c, River: river}
	}
	regist := func(by domain.Actor, id, name string) func() error {
		return func() error {
			_, err := app.RegisterOfficial(ctx, s, by, at, officials.Registered{ID: officials.PersonID(id), Name: name})
			return err
		}
	}
	appt := func(by domain.Actor, who string, p officials.Position, from, doc string) func() error {
		return func() error {
			_, err := app.AppointOfficial(ctx, s, by, officials.Appointed{Official: officials.PersonID(who), Position: p, From: day(from), DocumentNo: doc})
			return err
		}
	}
	dep := func(by domain.Actor, who string, p officials.Position, to string, why officials.DepartureReason, doc, note string) func() error {
		return func() error {
			_, err := app.RecordDeparture(ctx, s, by, officials.Departed{Official: officials.PersonID(who), Position: p, To: day(to), Reason: why, DocumentNo: doc, Note: note})
			return err
		}
	}
	mayorTY := pos(officials.Mayor, taiyuan, "")
	tests := []struct {
		name   string
		run    func() error
		kind   domain.Kind
		field  string
		reason string
	}{
		{"registered twice", regist(registrar, "li-ming", "李明"), domain.Conflict, "id", "already registered"},
		{"code not ASCII", regist(registrar, "李明", "李明"), domain.Invalid, "id", "ASCII"},
		{"name not Chinese", regist(registrar, "li-ming-2", "Li Ming"), domain.Invalid, "name", "Chinese characters"},
		{"name missing", regist(registrar, "li-ming-2", ""), domain.Invalid, "name", "missing"},
		{"auditor registers", regist(onlooker, "li-ming-2", "李明"), domain.Forbidden, "actor.role", "may not"},

		{"appointee not registered", appt(registrar, "nobody", pos(officials.Mayor, datong, ""), "2017-01-01", "doc"), domain.NotFound, "official", "not registered"},
		{"no document", appt(registrar, "wang-fang", pos(officials.Mayor, datong, ""), "2017-01-01", ""), domain.Invalid, "document_no", "missing"},
		{"unknown post", appt(registrar, "wang-fang", pos("party_secretary", datong, ""), "2017-01-01", "doc"), domain.Invalid, "post", "unknown post"},
		{"river chief without a river", appt(registrar, "wang-fang", pos(officials.RiverChief, taiyuan, ""), "2017-01-01", "doc"), domain.Invalid, "river", "missing"},
		{"river named for a mayor", appt(registrar, "wang-fang", pos(officials.Mayor, datong, "汾河"), "2017-01-01", "doc"), domain.Invalid, "river", "only a river chief"},
		{"city post without a city", appt(registrar, "wang-fang", pos(officials.Mayor, "", ""), "2017-01-01", "doc"), domain.Invalid, "city", "missing"},
		{"unknown city", appt(registrar, "wang-fang", pos(officials.Mayor, "150100", ""), "2017-01-01", "doc"), domain.Invalid, "city", "not one of Shanxi's 11"},
		{"provincial post with a city", appt(registrar, "wang-fang", pos(officials.Governor, taiyuan, ""), "2017-01-01", "doc"), domain.Invalid, "city", "provincial post"},
		{"auditor appoints", appt(onlooker, "wang-fang", pos(officials.Mayor, datong, ""), "2017-01-01", "doc"), domain.Forbidden, "actor.role", "may not"},
		{"overlapping tenure of the same post", appt(registrar, "zhang-hua", mayorTY, "2019-01-01", "doc"), domain.Conflict, "from", "already holds"},
		{"inside an earlier tenure", appt(registrar, "li-ming", mayorTY, "2017-01-01", "doc"), domain.Conflict, "from", "from 2016-03-01 to 2018-04-30"},
		{"mayor of two cities at once", appt(registrar, "zhang-hua", pos(officials.Mayor, datong, ""), "2019-01-01", "doc"), domain.Conflict, "city", "one mayor at a time"},
		{"two mayors of one city", appt(registrar, "wang-fang", mayorTY, "2019-01-01", "doc"), domain.Conflict, "post", "held by 张华 (zhang-hua) since 2018-05-01"},
		{"a mayor before the predecessor left", appt(registrar, "wang-fang", mayorTY, "2018-04-01", "doc"), domain.Conflict, "post", "held by 李明"},
		{"a mayor before an open tenure", appt(registrar, "wang-fang", mayorTY, "2015-01-01", "doc"), domain.Conflict, "post", "held by"},
		{"two bureau heads of one city", appt(registrar, "li-ming", pos(officials.EnvBureauHead, taiyuan, ""), "2019-01-01", "doc"), domain.Conflict, "post", "held by 王芳"},

		{"departure from a post never held", dep(registrar, "wang-fang", mayorTY, "2019-01-01", officials.Retired, "", ""), domain.Conflict, "post", "does not hold"},
		{"departure from a post already left", dep(registrar, "li-ming", mayorTY, "2019-01-01", officials.Retired, "", ""), domain.Conflict, "post", "left on 2018-05-01"},
		{"departure before the appointment", dep(registrar, "zhang-hua", mayorTY, "2018-04-01", officials.Transferred, "", ""), domain.Conflict, "to", "not after the appointment"},
		{"departure on the appointment day", dep(registrar, "zhang-hua", mayorTY, "2018-05-01", officials.Transferred, "", ""), domain.Conflict, "to", "not after the appointment"},
		{"dismissal without its document", dep(registrar, "zhang-hua", mayorTY, "2019-01-01", officials.Dismissed, "", ""), domain.Invalid, "document_no", "dismissal"},
		{"other reason without a note", dep(registrar, "zhang-hua", mayorTY, "2019-01-01", officials.OtherReason, "", ""), domain.Invalid, "note", "missing"},
		{"unknown reason", dep(registrar, "zhang-hua", mayorTY, "2019-01-01", "fled", "", ""), domain.Invalid, "reason", "unknown reason"},
		{"departure of no one", dep(registrar, "nobody", mayorTY, "2019-01-01", officials.Retired, "", ""), domain.NotFound, "official", "not registered"},
		{"auditor records a departure", dep(onlooker, "zhang-hua", mayorTY, "2019-01-01", officials.Retired, "", ""), domain.Forbidden, "actor.role", "may not"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := lastPosition(t, s)
			err := tc.run()
			require.Error(t, err)
			require.Equal(t, tc.kind, domain.KindOf(err), "%v", err)
			require.Equal(t, tc.field, domain.FieldOf(err), "%v", err)
			require.Contains(t, err.Error(), tc.reason)
			require.Equal(t, before, lastPosition(t, s), "nothing stored")
		})
	}
}

// A city's officials in 2017, some of whom left before the case about 2017
// was found in 2019, and one who moved to another city.
func seedTaiyuan2017(t *testing.T, s events.Store) {
	t.Helper()
	register(t, s, "li-ming", "李明", "zhang-hua", "张华", "chen-jie", "陈杰", "zhao-gang", "赵刚", "wang-fang", "王芳", "sun-li", "孙丽")
	appoint(t, s, "li-ming", officials.EnvBureauHead, datong, "", "2014-02-01") // before moving to Taiyuan
	depart(t, s, "li-ming", officials.EnvBureauHead, datong, "", "2016-02-15", officials.Promoted)
	appoint(t, s, "li-ming", officials.Mayor, taiyuan, "", "2016-03-01")
	depart(t, s, "li-ming", officials.Mayor, taiyuan, "", "2018-05-01", officials.Transferred)
	appoint(t, s, "zhang-hua", officials.Mayor, taiyuan, "", "2018-05-01")
	appoint(t, s, "chen-jie", officials.ViceMayorInCharge, taiyuan, "", "2015-01-10")
	depart(t, s, "chen-jie", officials.ViceMayorInCharge, taiyuan, "", "2017-07-01", officials.Transferred)
	appoint(t, s, "zhao-gang", officials.ViceMayorInCharge, taiyuan, "", "2017-07-01")
	appoint(t, s, "wang-fang", officials.EnvBureauHead, taiyuan, "", "2015-06-01")
	depart(t, s, "wang-fang", officials.EnvBureauHead, taiyuan, "", "2018-01-15", officials.Retired)
	appoint(t, s, "sun-li", officials.EnvBureauHead, taiyuan, "", "2018-01-15")
}

type named struct {
	who        officials.PersonID
	post       officials.Post
	from, till string
}

func namesOf(ns []officials.Named) []named {
	var out []named
	for _, n := range ns {
		out = append(out, named{n.Official, n.Post, n.ServedFrom.String(), n.ServedTo.String()})
	}
	return out
}

func TestAccountabilityFoundAfterDepartureNamesTheHoldersThen(t *testing.T) {
	ctx := context.Background()
	s := openOfficials(t)
	seedTaiyuan2017(t, s)
	pub := publishResults(t, s, 2017, taiyuan)

	e, names, err := app.TriggerAccountability(ctx, s, registrar, officials.Triggered{
		Kind: officials.FailedAssessment, City: taiyuan, Year: 2017, FoundOn: day("2019-04-10"),
		Reference: officials.Reference{DocumentNo: "晋政办发〔2019〕21号"}, Summary: "2017年度水污染防治考核不合格",
	})
	require.NoError(t, err)
	require.Equal(t, app.AccountabilityTriggered, e.Name)
	require.Equal(t, app.CaseAggregate(taiyuan, "2017-failed-assessment"), e.Aggregate)
	tr := e.Data.(officials.Triggered)
	require.Equal(t, pub.Position, tr.Reference.Position, "the reference completed with the publication")
	require.Equal(t, pub.ID.String(), tr.Reference.EventID)
	require.Equal(t, day("2017-01-01"), tr.From)
	require.Equal(t, day("2017-12-31"), tr.To)
	require.Equal(t, []named{
		{"li-ming", officials.Mayor, "2017-01-01", "2017-12-31"},
		{"chen-jie", officials.ViceMayorInCharge, "2017-01-01", "2017-06-30"},
		{"zhao-gang", officials.ViceMayorInCharge, "2017-07-01", "2017-12-31"},
		{"wang-fang", officials.EnvBureauHead, "2017-01-01", "2017-12-31"},
	}, namesOf(names), "the 2017 holders, though three of them left before the case was found; not their successors")
	for _, n := range names {
		if n.Official == "wang-fang" {
			require.Equal(t, officials.Retired, n.Reason)
			require.Equal(t, "王芳", n.Name)
		}
	}

	// One case per city-year.
	_, _, err = app.TriggerAccountability(ctx, s, registrar, officials.Triggered{
		Kind: officials.FailedAssessment, City: taiyuan, Year: 2017, FoundOn: day("2019-05-01"), Reference: officials.Reference{DocumentNo: "x"}})
	require.Equal(t, domain.Conflict, domain.KindOf(err), "%v", err)

	// Decisions, with their documents, on officials who have left.
	decide := func(who officials.PersonID, d officials.Decision, doc, date, basis string) (events.Event, error) {
		return app.DecideAccountability(ctx, s, registrar, officials.Decided{Case: "2017-failed-assessment", City: taiyuan, Official: who,
			Decision: d, DocumentNo: doc, Date: day(date), Authority: "太原市纪委监委", Basis: basis})
	}
	ev, err := decide("wang-fang", officials.Demerit, "并纪发〔2019〕8号", "2019-06-01", "")
	require.NoError(t, err)
	require.Equal(t, app.AccountabilityDecided, ev.Name)
	require.Equal(t, app.CaseAggregate(taiyuan, "2017-failed-assessment"), ev.Aggregate)
	require.Equal(t, uint64(2), ev.Version)
	_, err = decide("li-ming", officials.Warning, "并纪发〔2019〕9号", "2019-06-01", "")
	require.NoError(t, err)

	try := func(who officials.PersonID, d officials.Decision, doc, date string) func() error {
		return func() error { _, err := decide(who, d, doc, date, ""); return err }
	}
	for _, tc := range []struct {
		name   string
		err    func() error
		kind   domain.Kind
		field  string
		reason string
	}{
		{"same decision twice", try("wang-fang", officials.Demerit, "并纪发〔2019〕8号", "2019-06-02"), domain.Conflict, "document_no", "already recorded"},
		{"before the case was found", try("zhao-gang", officials.Warning, "d1", "2019-04-09"), domain.Conflict, "date", "before the case was found"},
		{"not named, no basis", try("zhang-hua", officials.Warning, "d2", "2019-06-01"), domain.Invalid, "basis", "does not name 张华"},
		{"no document", try("zhao-gang", officials.Warning, "", "2019-06-01"), domain.Invalid, "document_no", "missing"},
		{"unknown decision", try("zhao-gang", "exile", "d3", "2019-06-01"), domain.Invalid, "decision", "unknown decision"},
		{"no action without reasons", try("zhao-gang", officials.NoAction, "d3", "2019-06-01"), domain.Invalid, "note", "missing"},
		{"official not registered", try("nobody", officials.Warning, "d4", "2019-06-01"), domain.NotFound, "official", "not registered"},
		{"no such case", func() error {
			_, err := app.DecideAccountability(ctx, s, registrar, officials.Decided{Case: "2016-failed-assessment", City: taiyuan, Official: "li-ming",
				Decision: officials.Warning, DocumentNo: "d5", Date: day("2019-06-01"), Authority: "a"})
			return err
		}, domain.NotFound, "case", "no case"},
		{"auditor decides", func() error {
			_, err := app.DecideAccountability(ctx, s, onlooker, officials.Decided{Case: "2017-failed-assessment", City: taiyuan, Official: "li-ming",
				Decision: officials.Warning, DocumentNo: "d6", Date: day("2019-06-01"), Authority: "a"})
			return err
		}, domain.Forbidden, "actor.role", "may not"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := lastPosition(t, s)
			err := tc.err()
			require.Error(t, err)
			require.Equal(t, tc.kind, domain.KindOf(err), "%v", err)
			require.Equal(t, tc.field, domain.FieldOf(err), "%v", err)
			require.Contains(t, err.Error(), tc.reason)
			require.Equal(t, before, lastPosition(t, s), "nothing stored")
		})
	}
	// Someone the case does not name, with a stated basis.
	_, err = decide("zhang-hua", officials.Admonishment, "并纪发〔2019〕10号", "2019-06-01", "整改不力")
	require.NoError(t, err)

	c, err := app.LoadCase(ctx, s, taiyuan, "2017-failed-assessment")
	require.NoError(t, err)
	require.Len(t, c.Decisions, 3)
	require.Equal(t, "并纪发〔2019〕8号", c.Decisions[0].DocumentNo)
	require.Equal(t, officials.Demerit, c.Decisions[0].Decision)
	require.Equal(t, uint64(4), c.Version)
}

func TestAccountabilityOtherKindsNameTheirPosts(t *testing.T) {
	ctx := context.Background()
	s := openOfficials(t)
	seedTaiyuan2017(t, s)
	appoint(t, s, "zhao-gang", officials.RiverChief, taiyuan, "汾河", "2017-07-01")

	// Data falsification on a day: the bureau head and the vice mayor then.
	e, names, err := app.TriggerAccountability(ctx, s, registrar, officials.Triggered{
		Kind: officials.DataFalsification, City: taiyuan, From: day("2017-05-20"), To: day("2017-05-20"), FoundOn: day("2018-09-01"),
		Reference: officials.Reference{DocumentNo: "晋环监〔2018〕7号"}})
	require.NoError(t, err)
	id := e.Aggregate.ID
	require.True(t, strings.HasPrefix(string(id), "20170520-data-falsification-"), id)
	require.Equal(t, []named{
		{"chen-jie", officials.ViceMayorInCharge, "2017-05-20", "2017-05-20"},
		{"wang-fang", officials.EnvBureauHead, "2017-05-20", "2017-05-20"},
	}, namesOf(names))

	// A serious incident on a river: its chief and the bureau head on the date.
	_, names, err = app.TriggerAccountability(ctx, s, registrar, officials.Triggered{Case: "2018-fenhe-incident",
		Kind: officials.SeriousIncident, City: taiyuan, River: "汾河", From: day("2018-01-20"), To: day("2018-01-20"), FoundOn: day("2018-01-21"),
		Reference: officials.Reference{DocumentNo: "并环应急〔2018〕1号"}})
	require.NoError(t, err)
	require.Equal(t, []named{
		{"sun-li", officials.EnvBureauHead, "2018-01-20", "2018-01-20"},
		{"zhao-gang", officials.RiverChief, "2018-01-20", "2018-01-20"},
	}, namesOf(names))

	// A reckless decision (the plan's own ground): the city government's
	// leaders on the day it was taken.
	_, names, err = app.TriggerAccountability(ctx, s, registrar, officials.Triggered{
		Kind: officials.RecklessDecision, City: taiyuan, From: day("2017-05-20"), To: day("2017-05-20"), FoundOn: day("2019-09-01"),
		Reference: officials.Reference{DocumentNo: "晋环督〔2019〕3号"}, Summary: "不顾生态环境盲目决策，批准汾河沿岸化工园区扩建"})
	require.NoError(t, err)
	require.Equal(t, []named{
		{"li-ming", officials.Mayor, "2017-05-20", "2017-05-20"},
		{"chen-jie", officials.ViceMayorInCharge, "2017-05-20", "2017-05-20"},
	}, namesOf(names))

	// Input the case itself refuses.
	for _, tc := range []struct {
		name  string
		p     officials.Triggered
		field string
	}{
		{"unknown kind", officials.Triggered{Kind: "rumour", City: taiyuan, From: day("2018-01-01"), To: day("2018-01-01"), FoundOn: day("2018-01-02"), Reference: officials.Reference{DocumentNo: "x"}}, "kind"},
		{"no period", officials.Triggered{Kind: officials.SeriousIncident, City: taiyuan, FoundOn: day("2018-01-02"), Reference: officials.Reference{DocumentNo: "x"}}, "from"},
		{"found before the period", officials.Triggered{Kind: officials.SeriousIncident, City: taiyuan, From: day("2018-01-01"), To: day("2018-01-01"), FoundOn: day("2017-12-31"), Reference: officials.Reference{DocumentNo: "x"}}, "found_on"},
		{"a period ending after it was found", officials.Triggered{Kind: officials.DataFalsification, City: taiyuan, From: day("2026-01-01"), To: day("2027-12-31"), FoundOn: day("2026-03-01"), Reference: officials.Reference{DocumentNo: "x"}}, "to"},
		{"no reference", officials.Triggered{Kind: officials.SeriousIncident, City: taiyuan, From: day("2018-01-01"), To: day("2018-01-01"), FoundOn: day("2018-01-02")}, "reference"},
		{"year on an incident", officials.Triggered{Kind: officials.SeriousIncident, City: taiyuan, Year: 2018, From: day("2018-01-01"), To: day("2018-01-01"), FoundOn: day("2018-01-02"), Reference: officials.Reference{DocumentNo: "x"}}, "year"},
		{"a failed assessment on one river", officials.Triggered{Kind: officials.FailedAssessment, City: taiyuan, Year: 2018, River: "汾河", FoundOn: day("2019-03-01"), Reference: officials.Reference{DocumentNo: "x"}}, "river"},
		{"a failed assessment for part of a year", officials.Triggered{Kind: officials.FailedAssessment, City: taiyuan, Year: 2018, From: day("2018-03-01"), To: day("2018-12-31"), FoundOn: day("2019-03-01"), Reference: officials.Reference{DocumentNo: "x"}}, "from"},
		{"no city", officials.Triggered{Kind: officials.SeriousIncident, From: day("2018-01-01"), To: day("2018-01-01"), FoundOn: day("2018-01-02"), Reference: officials.Reference{DocumentNo: "x"}}, "city"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := app.TriggerAccountability(ctx, s, registrar, tc.p)
			require.Equal(t, domain.Invalid, domain.KindOf(err), "%v", err)
			require.Equal(t, tc.field, domain.FieldOf(err), "%v", err)
		})
	}
}

// publishResults stores a year's published results (as app.Publish would)
// in which only city failed.
func publishResults(t *testing.T, s events.Store, year int, failed domain.CityID) events.Event {
	t.Helper()
	pub := assessment.ResultsPublished{Year: year, Document: "晋环函〔2018〕30号", Position: 1,
		InputsHash: strings.Repeat("ab", 32), Aggregates: 1, Rules: assessment.Standard(2016, "晋环发〔2016〕1号")}
	for _, c := range domain.Cities {
		g := assessment.Pass
		if c.ID == failed {
			g = assessment.Fail
		}
		pub.Results = append(pub.Results, assessment.Result{City: c.ID, Year: year, Grade: g, ScoreGrade: g})
	}
	evs, err := s.Append(context.Background(), events.Change{Aggregate: app.YearAggregate(year), Expect: events.NoEvents,
		Events: []events.Draft{{OccurredAt: time.Date(year+1, 3, 1, 0, 0, 0, 0, domain.CST), Actor: registrar, Data: pub}}})
	require.NoError(t, err)
	return evs[0]
}

func TestFailedAssessmentReferencesThePublishedResult(t *testing.T) {
	ctx := context.Background()
	s := openOfficials(t)
	seedTaiyuan2017(t, s)
	pub := publishResults(t, s, 2017, taiyuan)
	reg, err := s.Load(ctx, app.OfficialAggregate("li-ming"))
	require.NoError(t, err)

	trigger := func(city domain.CityID, year int, ref officials.Reference) error {
		_, _, err := app.TriggerAccountability(ctx, s, registrar, officials.Triggered{Kind: officials.FailedAssessment, City: city, Year: year,
			FoundOn: day("2018-03-01"), Reference: ref})
		return err
	}
	for _, tc := range []struct {
		name  string
		city  domain.CityID
		year  int
		ref   officials.Reference
		kind  domain.Kind
		field string
	}{
		{"no event there", taiyuan, 2017, officials.Reference{Position: pub.Position + 1000}, domain.NotFound, "reference.position"},
		{"another event's id", taiyuan, 2017, officials.Reference{Position: pub.Position, EventID: reg[0].ID.String()}, domain.Invalid, "reference.event_id"},
		{"not a published result", taiyuan, 2017, officials.Reference{Position: reg[0].Position}, domain.Invalid, "reference.position"},
		{"another year's results", taiyuan, 2016, officials.Reference{Position: pub.Position}, domain.Invalid, "reference.position"},
		{"a city that passed", datong, 2017, officials.Reference{Position: pub.Position}, domain.Conflict, "kind"},
		{"malformed event id", taiyuan, 2017, officials.Reference{EventID: "not-a-uuid"}, domain.Invalid, "reference.event_id"},
		{"an id no event has", taiyuan, 2017, officials.Reference{EventID: "01234567-89ab-cdef-0123-456789abcdef"}, domain.NotFound, "reference.event_id"},
		{"a city that passed, by document only", datong, 2017, officials.Reference{DocumentNo: "x"}, domain.Conflict, "kind"},
		{"a year not published", taiyuan, 2016, officials.Reference{DocumentNo: "x"}, domain.Conflict, "year"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := lastPosition(t, s)
			err := trigger(tc.city, tc.year, tc.ref)
			require.Equal(t, tc.kind, domain.KindOf(err), "%v", err)
			require.Equal(t, tc.field, domain.FieldOf(err), "%v", err)
			require.Equal(t, before, lastPosition(t, s), "nothing stored")
		})
	}
	require.NoError(t, trigger(taiyuan, 2017, officials.Reference{Position: pub.Position, EventID: pub.ID.String(), DocumentNo: "晋环函〔2018〕30号"}))
	c, err := app.LoadCase(ctx, s, taiyuan, officials.FailedAssessmentID(2017))
	require.NoError(t, err)
	require.Equal(t, pub.Position, c.Triggered.Reference.Position)
}

// Appointments of different people to one single-holder post, made at the
// same time in one process: one is stored, the others are refused.
func TestConcurrentAppointmentsToOnePost(t *testing.T) {
	ctx := context.Background()
	s := openOfficials(t)
	people := []string{"a1", "甲一", "a2", "甲二", "a3", "甲三", "a4", "甲四"}
	register(t, s, people...)
	errs := make(chan error, len(people)/2)
	for i := 0; i < len(people); i += 2 {
		go func(id string) {
			_, err := app.AppointOfficial(ctx, s, registrar, officials.Appointed{Official: officials.PersonID(id),
				Position: officials.Position{Post: officials.Mayor, City: taiyuan}, From: day("2019-01-01"), DocumentNo: "d"})
			errs <- err
		}(people[i])
	}
	stored := 0
	for range len(people) / 2 {
		if err := <-errs; err == nil {
			stored++
		} else {
			require.Equal(t, domain.Conflict, domain.KindOf(err), "%v", err)
		}
	}
	require.Equal(t, 1, stored)
	ro, err := app.LoadRoster(ctx, s)
	require.NoError(t, err)
	require.Empty(t, ro.Clashes())
}

// A departure recorded after a decision, dated so that the official would
// no longer have served in the case's period, is refused: the sanctioned
// official stays named. A departure that keeps them in it is recorded.
func TestDepartureKeepsDecidedOfficialsNamed(t *testing.T) {
	ctx := context.Background()
	s := openOfficials(t)
	seedTaiyuan2017(t, s)
	e, _, err := app.TriggerAccountability(ctx, s, registrar, officials.Triggered{
		Kind: officials.DataFalsification, City: taiyuan, From: day("2019-03-01"), To: day("2019-06-30"), FoundOn: day("2019-09-01"),
		Reference: officials.Reference{DocumentNo: "晋环监〔2019〕9号"}})
	require.NoError(t, err)
	caseID := officials.CaseID(e.Aggregate.ID)
	_, err = app.DecideAccountability(ctx, s, registrar, officials.Decided{Case: caseID, City: taiyuan, Official: "sun-li",
		Decision: officials.Warning, DocumentNo: "并纪发〔2019〕30号", Date: day("2019-10-01"), Authority: "太原市纪委监委"})
	require.NoError(t, err)

	before := lastPosition(t, s)
	_, err = app.RecordDeparture(ctx, s, registrar, officials.Departed{Official: "sun-li",
		Position: officials.Position{Post: officials.EnvBureauHead, City: taiyuan}, To: day("2018-06-01"), Reason: officials.Transferred})
	require.Equal(t, domain.Conflict, domain.KindOf(err), "%v", err)
	require.Equal(t, "to", domain.FieldOf(err))
	require.Contains(t, err.Error(), "并纪发〔2019〕30号")
	require.Equal(t, before, lastPosition(t, s), "nothing stored")

	depart(t, s, "sun-li", officials.EnvBureauHead, taiyuan, "", "2019-05-01", officials.Transferred)
	c, err := app.LoadCase(ctx, s, taiyuan, caseID)
	require.NoError(t, err)
	ro, err := app.LoadRoster(ctx, s)
	require.NoError(t, err)
	require.Equal(t, []named{{"zhao-gang", officials.ViceMayorInCharge, "2019-03-01", "2019-06-30"}, {"sun-li", officials.EnvBureauHead, "2019-03-01", "2019-04-30"}},
		namesOf(ro.Named(c.Triggered)))
}

// A tenure of the years before the ledger is entered with its end, checked
// as that span, so it may come before a tenure already recorded; a case
// about those years then names its holder.
func TestHistoricalTenure(t *testing.T) {
	ctx := context.Background()
	s := openOfficials(t)
	register(t, s, "cai-sheng", "蔡生", "zhang-ce", "张测", "wu-yi", "吴一")
	appoint(t, s, "cai-sheng", officials.EnvBureauHead, taiyuan, "", "2016-01-06")
	head := officials.Position{Post: officials.EnvBureauHead, City: taiyuan}
	historical := func(who, from, until string) (events.Event, error) {
		u := day(until)
		return app.AppointOfficial(ctx, s, registrar, officials.Appointed{Official: officials.PersonID(who), Position: head,
			From: day(from), Until: &u, DocumentNo: "并政任〔" + from[:4] + "〕1号"})
	}

	// Open-ended, it overlaps the holder since 2016, as before.
	_, err := app.AppointOfficial(ctx, s, registrar, officials.Appointed{Official: "zhang-ce", Position: head, From: day("2015-06-01"), DocumentNo: "d"})
	require.Equal(t, domain.Conflict, domain.KindOf(err), "%v", err)

	e, err := historical("zhang-ce", "2015-06-01", "2016-01-06")
	require.NoError(t, err)
	require.Equal(t, time.Date(2015, 6, 1, 0, 0, 0, 0, domain.CST), e.OccurredAt.In(domain.CST))
	r, err := app.LoadOfficial(ctx, s, "zhang-ce")
	require.NoError(t, err)
	require.Len(t, r.Tenures, 1)
	require.Equal(t, day("2016-01-05"), *r.Tenures[0].LastDay())
	require.False(t, r.Tenures[0].InOffice())
	require.Equal(t, e.Position, r.Tenures[0].Departure.Position, "the appointment records the end too")

	before := lastPosition(t, s)
	for _, tc := range []struct {
		name, who, from, until string
		kind                   domain.Kind
		field                  string
	}{
		{"overlapping the one entered", "wu-yi", "2015-09-01", "2015-12-01", domain.Conflict, "post"},
		{"overlapping the holder since 2016", "wu-yi", "2015-12-01", "2016-02-01", domain.Conflict, "post"},
		{"the same person's, overlapping", "zhang-ce", "2015-01-01", "2015-07-01", domain.Conflict, "from"},
		{"ending before it starts", "wu-yi", "2015-01-01", "2015-01-01", domain.Invalid, "until"},
		{"ending after today", "wu-yi", "2014-01-01", "2099-01-01", domain.Invalid, "until"},
	} {
		_, err := historical(tc.who, tc.from, tc.until)
		require.Equal(t, tc.kind, domain.KindOf(err), "%s: %v", tc.name, err)
		require.Equal(t, tc.field, domain.FieldOf(err), "%s: %v", tc.name, err)
	}
	require.Equal(t, before, lastPosition(t, s), "nothing stored")
	_, err = historical("wu-yi", "2014-01-01", "2015-06-01")
	require.NoError(t, err, "the predecessor's, ending the day the next began")

	_, names, err := app.TriggerAccountability(ctx, s, registrar, officials.Triggered{
		Kind: officials.DataFalsification, City: taiyuan, From: day("2015-05-20"), To: day("2015-12-31"), FoundOn: day("2018-09-01"),
		Reference: officials.Reference{DocumentNo: "晋环监〔2018〕7号"}})
	require.NoError(t, err)
	require.Equal(t, []named{
		{"wu-yi", officials.EnvBureauHead, "2015-05-20", "2015-05-31"},
		{"zhang-ce", officials.EnvBureauHead, "2015-06-01", "2015-12-31"},
	}, namesOf(names), "the holders then, entered after the fact")
}

// A departure dated before a case's period, recorded later, would take an
// official the case names out of it, decided on or not: refused. One
// within the period is recorded, and the case names them until then.
func TestDepartureKeepsNamedOfficialsNamed(t *testing.T) {
	ctx := context.Background()
	s := openOfficials(t)
	seedTaiyuan2017(t, s)
	publishResults(t, s, 2018, taiyuan)
	_, names, err := app.TriggerAccountability(ctx, s, registrar, officials.Triggered{
		Kind: officials.FailedAssessment, City: taiyuan, Year: 2018, FoundOn: day("2019-04-10"),
		Reference: officials.Reference{DocumentNo: "晋政办发〔2019〕21号"}})
	require.NoError(t, err)
	require.Contains(t, namesOf(names), named{"zhao-gang", officials.ViceMayorInCharge, "2018-01-01", "2018-12-31"})
	vice := officials.Position{Post: officials.ViceMayorInCharge, City: taiyuan}

	before := lastPosition(t, s)
	_, err = app.RecordDeparture(ctx, s, registrar, officials.Departed{Official: "zhao-gang", Position: vice, To: day("2017-12-01"), Reason: officials.Transferred})
	require.Equal(t, domain.Conflict, domain.KindOf(err), "%v", err)
	require.Equal(t, "to", domain.FieldOf(err))
	require.Contains(t, err.Error(), "zhao-gang is named in case 2018-failed-assessment")
	require.Equal(t, before, lastPosition(t, s), "nothing stored")

	depart(t, s, "zhao-gang", officials.ViceMayorInCharge, taiyuan, "", "2018-09-01", officials.Transferred)
	c, err := app.LoadCase(ctx, s, taiyuan, "2018-failed-assessment")
	require.NoError(t, err)
	ro, err := app.LoadRoster(ctx, s)
	require.NoError(t, err)
	require.Contains(t, namesOf(ro.Named(c.Triggered)), named{"zhao-gang", officials.ViceMayorInCharge, "2018-01-01", "2018-08-31"})
}
