package accountability_test

import (
	"context"
	"encoding/json"
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
	"github.com/shanxi-water/ledger/projections"
	"github.com/shanxi-water/ledger/projections/accountability"
)

var registrar = domain.Actor{ID: "zuzhi.li", Role: domain.Assessment}

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

// ledger runs the commands of a test against a real embedded store.
type ledger struct {
	t   *testing.T
	ctx context.Context
	s   *jetstream.Store
}

func open(t *testing.T) *ledger {
	s, err := jetstream.Open(context.Background(), jetstream.Config{DataDir: t.TempDir(), Registry: app.Registry()})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return &ledger{t, context.Background(), s}
}

func (l *ledger) register(id, name string) {
	_, err := app.RegisterOfficial(l.ctx, l.s, registrar, time.Date(2015, 1, 1, 9, 0, 0, 0, domain.CST), officials.Registered{ID: officials.PersonID(id), Name: name})
	require.NoError(l.t, err)
}

func (l *ledger) appoint(id string, p officials.Position, from string) events.Event {
	e, err := app.AppointOfficial(l.ctx, l.s, registrar, officials.Appointed{Official: officials.PersonID(id), Position: p, From: day(from),
		DocumentNo: "任〔" + from + "〕", Authority: "人大常委会"})
	require.NoError(l.t, err)
	return e
}

func (l *ledger) depart(id string, p officials.Position, to string, why officials.DepartureReason) {
	_, err := app.RecordDeparture(l.ctx, l.s, registrar, officials.Departed{Official: officials.PersonID(id), Position: p, To: day(to), Reason: why})
	require.NoError(l.t, err)
}

func (l *ledger) trigger(p officials.Triggered) events.Event {
	e, _, err := app.TriggerAccountability(l.ctx, l.s, registrar, p)
	require.NoError(l.t, err)
	return e
}

func (l *ledger) decide(city domain.CityID, c officials.CaseID, who string, d officials.Decision, doc, date, authority string) events.Event {
	e, err := app.DecideAccountability(l.ctx, l.s, registrar, officials.Decided{Case: c, City: city, Official: officials.PersonID(who),
		Decision: d, DocumentNo: doc, Date: day(date), Authority: authority})
	require.NoError(l.t, err)
	return e
}

// model replays the log, as the ledger knew it at asOf (zero: now).
func (l *ledger) model(asOf time.Time) *accountability.Model {
	m := accountability.New()
	_, err := projections.Replay(l.ctx, l.s, events.Query{RecordedBy: asOf}, m)
	require.NoError(l.t, err)
	return m
}

// pause makes sure the next event is recorded strictly after the last.
func pause() { time.Sleep(3 * time.Millisecond) }

var (
	mayorTY    = officials.Position{Post: officials.Mayor, City: taiyuan}
	viceTY     = officials.Position{Post: officials.ViceMayorInCharge, City: taiyuan}
	envTY      = officials.Position{Post: officials.EnvBureauHead, City: taiyuan}
	envDT      = officials.Position{Post: officials.EnvBureauHead, City: datong}
	viceDT     = officials.Position{Post: officials.ViceMayorInCharge, City: datong}
	sangganDT  = officials.Position{Post: officials.RiverChief, City: datong, River: "桑干河"}
	viceGov    = officials.Position{Post: officials.ViceGovernorInCharge}
	failed2017 = officials.FailedAssessmentID(2017)
)

// seed enters Taiyuan's and Datong's officials 2014–2018. 李明 headed
// Datong's bureau, was Taiyuan's mayor, and left for the province in 2018.
func (l *ledger) seed() {
	for _, p := range [][2]string{{"li-ming", "李明"}, {"zhang-hua", "张华"}, {"chen-jie", "陈杰"}, {"zhao-gang", "赵刚"},
		{"wang-fang", "王芳"}, {"sun-li", "孙丽"}, {"gao-feng", "高峰"}, {"ma-lin", "马林"}} {
		l.register(p[0], p[1])
	}
	l.appoint("li-ming", envDT, "2014-02-01")
	l.depart("li-ming", envDT, "2016-02-15", officials.Promoted)
	l.appoint("li-ming", mayorTY, "2016-03-01")
	l.depart("li-ming", mayorTY, "2018-05-01", officials.Promoted)
	l.appoint("li-ming", viceGov, "2018-05-01")
	l.appoint("zhang-hua", mayorTY, "2018-05-01")
	l.appoint("chen-jie", viceTY, "2015-01-10")
	l.depart("chen-jie", viceTY, "2017-07-01", officials.Transferred)
	l.appoint("zhao-gang", viceTY, "2017-07-01")
	l.appoint("wang-fang", envTY, "2015-06-01")
	l.depart("wang-fang", envTY, "2018-01-15", officials.Retired)
	l.appoint("sun-li", envTY, "2018-01-15")
	l.appoint("gao-feng", viceDT, "2014-01-01")
}

func ids[T any](xs []T, id func(T) officials.PersonID) []officials.PersonID {
	out := []officials.PersonID{}
	for _, x := range xs {
		out = append(out, id(x))
	}
	return out
}

func holderIDs(hs []accountability.Holder) []officials.PersonID {
	return ids(hs, func(h accountability.Holder) officials.PersonID { return h.Official })
}

func namedIDs(ns []officials.Named) []officials.PersonID {
	return ids(ns, func(n officials.Named) officials.PersonID { return n.Official })
}

func TestHoldersAtADate(t *testing.T) {
	l := open(t)
	l.seed()
	m := l.model(time.Time{})
	require.Equal(t, []officials.PersonID{"li-ming"}, holderIDs(m.HoldersAt(mayorTY, day("2017-06-01"))))
	require.Equal(t, []officials.PersonID{"li-ming"}, holderIDs(m.HoldersAt(mayorTY, day("2018-04-30"))))
	require.Equal(t, []officials.PersonID{"zhang-hua"}, holderIDs(m.HoldersAt(mayorTY, day("2018-05-01"))), "the departure day is the successor's")
	require.Equal(t, []officials.PersonID{}, holderIDs(m.HoldersAt(mayorTY, day("2016-02-29"))))
	require.Equal(t, []officials.PersonID{"wang-fang"}, holderIDs(m.HoldersAt(envTY, day("2018-01-14"))))
	require.Equal(t, []officials.PersonID{"sun-li"}, holderIDs(m.HoldersAt(envTY, day("2018-01-15"))))
	require.Equal(t, []officials.PersonID{"chen-jie", "zhao-gang"}, holderIDs(m.HoldersDuring(viceTY, day("2017-01-01"), day("2017-12-31"))))
	require.Equal(t, []officials.PersonID{"li-ming"}, holderIDs(m.HoldersAt(viceGov, day("2020-01-01"))))

	h := m.HoldersAt(envTY, day("2017-01-01"))[0]
	require.Equal(t, "王芳", h.Name)
	require.Equal(t, officials.Retired, h.Reason)
	require.Equal(t, "任〔2015-06-01〕", h.DocumentNo)
	require.NotZero(t, h.Appointment.Position)
	require.NotNil(t, h.Departure)
	require.Len(t, m.Officials(), 8)
	require.Empty(t, m.Clashes())
}

func TestCasesNameHoldersThenAndKeepThemOnRecord(t *testing.T) {
	l := open(t)
	l.seed()
	pause()
	beforeCase := time.Now()
	pause()

	// Taiyuan's 2017 results, published 不合格.
	pub := assessment.ResultsPublished{Year: 2017, Document: "晋环函〔2018〕30号", Position: 1, InputsHash: strings.Repeat("ab", 32),
		Aggregates: 1, Rules: assessment.Standard(2016, "晋环发〔2016〕1号")}
	for _, c := range domain.Cities {
		pub.Results = append(pub.Results, assessment.Result{City: c.ID, Year: 2017, Grade: map[bool]assessment.Grade{true: assessment.Fail, false: assessment.Pass}[c.ID == taiyuan]})
	}
	_, err := l.s.Append(l.ctx, events.Change{Aggregate: app.YearAggregate(2017), Expect: events.NoEvents,
		Events: []events.Draft{{OccurredAt: day("2018-03-01").Start(domain.CST), Actor: registrar, Data: pub}}})
	require.NoError(t, err)

	// Found in 2019 about 2017: three of the four left office in 2017–2018.
	caseEv := l.trigger(officials.Triggered{Kind: officials.FailedAssessment, City: taiyuan, Year: 2017, FoundOn: day("2019-04-10"),
		Reference: officials.Reference{DocumentNo: "晋政办发〔2019〕21号"}})
	pause()
	afterCase := time.Now()
	pause()
	demerit := l.decide(taiyuan, failed2017, "wang-fang", officials.Demerit, "并纪发〔2019〕8号", "2019-06-01", "太原市纪委监委")
	l.decide(taiyuan, failed2017, "li-ming", officials.Warning, "并纪发〔2019〕9号", "2019-06-01", "太原市纪委监委")

	// Datong, 2015: data falsified while 李明 headed its bureau.
	fals := l.trigger(officials.Triggered{Case: "2015-xqs-falsification", Kind: officials.DataFalsification, City: datong,
		From: day("2015-08-01"), To: day("2015-08-31"), FoundOn: day("2019-07-01"),
		Reference: officials.Reference{DocumentNo: "晋环监〔2019〕3号"}})
	l.decide(datong, "2015-xqs-falsification", "li-ming", officials.SeriousWarning, "同纪发〔2019〕15号", "2019-08-20", "大同市纪委监委")

	m := l.model(time.Time{})
	c, ok := m.Case(taiyuan, failed2017)
	require.True(t, ok)
	require.Equal(t, officials.FailedAssessment, c.Kind)
	require.Equal(t, caseEv.Position, c.Source.Position)
	require.Equal(t, []officials.PersonID{"li-ming", "chen-jie", "zhao-gang", "wang-fang"}, namedIDs(c.Named),
		"the 2017 holders, not their successors (张华, 孙丽)")
	require.Equal(t, "王芳", c.Named[3].Name)
	require.False(t, c.Named[3].InOffice(), "retired, and still named")
	require.Equal(t, day("2017-06-30"), c.Named[1].ServedTo, "陈杰 left on 2017-07-01")
	require.Len(t, c.Decisions, 2)
	require.Equal(t, "并纪发〔2019〕8号", c.Decisions[0].DocumentNo)
	require.Equal(t, officials.Demerit, c.Decisions[0].Decision)
	require.Equal(t, "太原市纪委监委", c.Decisions[0].Authority)
	require.Equal(t, day("2019-06-01"), c.Decisions[0].Date)
	require.Equal(t, "王芳", c.Decisions[0].Name)
	require.Equal(t, demerit.Position, c.Decisions[0].Source.Position)

	dc, ok := m.Case(datong, "2015-xqs-falsification")
	require.True(t, ok)
	require.Equal(t, fals.Position, dc.Source.Position)
	require.Equal(t, []officials.PersonID{"gao-feng", "li-ming"}, namedIDs(dc.Named), "vice mayor in charge and bureau head, not the mayor")
	require.Len(t, m.Cases(""), 2)
	require.Len(t, m.Cases(datong), 1)
	require.Empty(t, m.Cases("140300"))

	// The retired bureau head's record.
	wf, ok := m.Official("wang-fang")
	require.True(t, ok)
	require.Len(t, wf.Tenures, 1)
	require.Equal(t, officials.Retired, wf.Tenures[0].Reason)
	require.Len(t, wf.Cases, 1)
	require.Equal(t, failed2017, wf.Cases[0].Case)
	require.Equal(t, officials.EnvBureauHead, wf.Cases[0].As[0].Post)
	require.Len(t, wf.Decisions, 1)
	require.Equal(t, "并纪发〔2019〕8号", wf.Decisions[0].DocumentNo)

	// 李明's record across two cities and the province.
	lm, ok := m.Official("li-ming")
	require.True(t, ok)
	require.Equal(t, "李明", lm.Name)
	var places []string
	for _, t := range lm.Tenures {
		places = append(places, t.Position.String())
	}
	require.Equal(t, []string{"140200 env_bureau_head", "140100 mayor", "province vice_governor_in_charge"}, places)
	require.Len(t, lm.Cases, 2)
	require.Equal(t, datong, lm.Cases[0].City, "by period: Datong 2015 first")
	require.Equal(t, officials.EnvBureauHead, lm.Cases[0].As[0].Post)
	require.Equal(t, taiyuan, lm.Cases[1].City)
	require.Equal(t, officials.Mayor, lm.Cases[1].As[0].Post)
	require.Len(t, lm.Decisions, 2)
	require.Equal(t, officials.Warning, lm.Decisions[0].Decision)
	require.Equal(t, "同纪发〔2019〕15号", lm.Decisions[1].DocumentNo)
	require.Equal(t, "大同市纪委监委", lm.Decisions[1].Authority)

	// The successor is on no one's case.
	zh, ok := m.Official("zhang-hua")
	require.True(t, ok)
	require.Empty(t, zh.Cases)
	_, ok = m.Official("nobody")
	require.False(t, ok)

	// The views marshal (for the API).
	_, err = json.Marshal(lm)
	require.NoError(t, err)
	_, err = json.Marshal(m.Cases(""))
	require.NoError(t, err)

	// As the ledger knew it before the case: the tenures, no case, no decision.
	before := l.model(beforeCase)
	require.Empty(t, before.Cases(""))
	wf, ok = before.Official("wang-fang")
	require.True(t, ok)
	require.Len(t, wf.Tenures, 1)
	require.Empty(t, wf.Cases)
	require.Empty(t, wf.Decisions)

	// Just after it: named, not yet decided.
	after := l.model(afterCase)
	c, ok = after.Case(taiyuan, failed2017)
	require.True(t, ok)
	require.Len(t, c.Named, 4)
	require.Empty(t, c.Decisions)
	wf, _ = after.Official("wang-fang")
	require.Len(t, wf.Cases, 1)
	require.Empty(t, wf.Decisions)
	lm, _ = after.Official("li-ming")
	require.Len(t, lm.Cases, 1, "the Datong case was not known yet")
}

// A tenure recorded after the case names its holder from then on: the
// names come from the tenures as known, not from the case.
func TestATenureRecordedLaterNamesItsHolder(t *testing.T) {
	l := open(t)
	l.seed()
	l.trigger(officials.Triggered{Case: "2016-sanggan-spill", Kind: officials.SeriousIncident, City: datong, River: "桑干河",
		From: day("2016-01-20"), To: day("2016-01-22"), FoundOn: day("2016-01-23"), Reference: officials.Reference{DocumentNo: "同环应急〔2016〕2号"}})
	pause()
	caseKnown := time.Now()
	pause()
	l.appoint("ma-lin", sangganDT, "2015-01-01") // entered late

	then := l.model(caseKnown)
	c, ok := then.Case(datong, "2016-sanggan-spill")
	require.True(t, ok)
	require.Equal(t, []officials.PersonID{"li-ming"}, namedIDs(c.Named), "the bureau head; the river's chief not yet entered")

	now := l.model(time.Time{})
	c, _ = now.Case(datong, "2016-sanggan-spill")
	require.Equal(t, []officials.PersonID{"li-ming", "ma-lin"}, namedIDs(c.Named))
	require.Equal(t, "桑干河", c.Named[1].River)
	ml, _ := now.Official("ma-lin")
	require.Len(t, ml.Cases, 1)
}
