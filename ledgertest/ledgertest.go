// Package ledgertest writes small but complete histories into a store, for
// tests of read models, snapshots and replays: every kind of event the read
// models use (registrations of sections, a drinking-water source, a
// black-odorous body and a groundwater point; monthly manual and daily
// automatic samples uploaded month by month; corrections and
// invalidations; inspections and grades; task changes; enterprises,
// inspections, cards, lifts, revocations and quarterly lists; officials,
// terms, published results and accountability cases), each recorded on the
// date it happened, through the same commands a user runs. The same calls
// write the same history.
//
// It depends on app, domain and events (Open, on the JetStream backend);
// only tests use it.
package ledgertest

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/assessment"
	"github.com/shanxi-water/ledger/domain/enforcement"
	"github.com/shanxi-water/ledger/domain/monitoring"
	"github.com/shanxi-water/ledger/domain/officials"
	"github.com/shanxi-water/ledger/domain/plan"
	"github.com/shanxi-water/ledger/domain/tasks"
	"github.com/shanxi-water/ledger/domain/water"
	"github.com/shanxi-water/ledger/events"
)

// Clock is a settable clock: give its Now to the store.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now is the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Set moves the clock.
func (c *Clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

// Start is when a History begins: give NewClock(Start) to the store.
var Start = time.Date(2015, 12, 30, 9, 0, 0, 0, domain.CST)

// Actors of the history.
var (
	Admin     = domain.Actor{ID: "admin", Role: domain.Admin}
	Station   = domain.Actor{ID: "shanxi-monitoring-center", Role: domain.Station}
	Assessor  = domain.Actor{ID: "li.na", Role: domain.Assessment}
	Checker   = domain.Actor{ID: "wang.fang", Role: domain.Assessment}
	Inspector = domain.Actor{ID: "zhao.lei", Role: domain.Enforcement}
)

// Cities of the history: every register entry is in one of them.
const (
	Taiyuan  domain.CityID = "140100"
	Yuncheng domain.CityID = "140800"
)

// Sections of the history.
var Sections = []monitoring.SectionRegistered{
	{ID: "FH-WDB", Name: "温南社", River: "汾河", Basin: domain.Yellow, City: Taiyuan, Kind: water.River, Level: monitoring.National, Automatic: true, Assessed: true},
	{ID: "FH-XYC", Name: "小店桥", River: "汾河", Basin: domain.Yellow, City: Taiyuan, Kind: water.River, Level: monitoring.Provincial, Automatic: true, Assessed: true},
	{ID: "FH-HJDQ", Name: "河津大桥", River: "汾河", Basin: domain.Yellow, City: Yuncheng, Kind: water.River, Level: monitoring.National, Automatic: true, Assessed: true},
	{ID: "SSH-ZLC", Name: "张留庄", River: "涑水河", Basin: domain.Yellow, City: Yuncheng, Kind: water.River, Level: monitoring.Provincial, Automatic: true, Assessed: true},
}

// Register entries other than sections.
const (
	DrinkingSource = "YC-DW-1"
	BlackBody      = "YC-BO-1"
	GroundPoint    = "YC-GW-1"
)

// History writes a province's history year by year into a store.
type History struct {
	s     events.Store
	clock *Clock
	rng   *rand.Rand
	tasks []plan.Task // city tasks with deadlines, in catalogue order
	ents  []enforcement.EnterpriseRegistered
	red   string // a red card in force, to lift
}

// New returns a history over s; the store's clock must be clock.Now.
func New(s events.Store, clock *Clock, seed uint64) *History {
	h := &History{s: s, clock: clock, rng: rand.New(rand.NewPCG(seed, 8))}
	for _, t := range plan.Tasks() {
		if t.Governments.Reach == plan.AllCities && !t.Deadline.IsZero() {
			h.tasks = append(h.tasks, t)
		}
	}
	return h
}

func at(y int, m time.Month, d, hour int) time.Time {
	return time.Date(y, m, d, hour, 0, 0, 0, domain.CST)
}

// to moves the clock to t (never backwards) and returns t.
func (h *History) to(t time.Time) time.Time {
	if t.After(h.clock.Now()) {
		h.clock.Set(t)
	}
	return t
}

// Setup registers the cities, the register entries, the rules, the plan's
// catalogue, two enterprises and the officials, early in 2016.
func (h *History) Setup(ctx context.Context) error {
	t := h.to(at(2016, 1, 5, 9))
	if _, err := app.RegisterCities(ctx, h.s, Admin, t); err != nil {
		return err
	}
	var regs []app.Registration
	for i, sec := range Sections {
		sec.Targets = monitoring.Targets{}
		for y := 2016; y <= 2020; y++ {
			sec.Targets[y] = []water.Class{water.ClassIII, water.ClassIV, water.ClassIV, water.ClassV}[i]
		}
		regs = append(regs, app.SectionRegistration(sec))
	}
	regs = append(regs,
		app.DrinkingSourceRegistration(monitoring.DrinkingSourceRegistered{ID: DrinkingSource, Name: "运城市水源地", City: Yuncheng, Level: monitoring.CityLevel, Kind: water.Lake, Target: water.ClassIII}),
		app.BlackOdorousRegistration(monitoring.BlackOdorousRegistered{ID: BlackBody, Name: "运城市某沟渠", City: Yuncheng, BuiltUp: true, Responsible: "张三", Deadline: at(2017, 12, 31, 0)}),
		app.GroundwaterPointRegistration(monitoring.GroundwaterPointRegistered{ID: GroundPoint, Name: "运城市地下水1号", City: Yuncheng}))
	if _, err := app.Register(ctx, h.s, Admin, t, regs...); err != nil {
		return fmt.Errorf("registers: %w", err)
	}
	if _, err := app.AdoptRules(ctx, h.s, Admin, assessment.Standard(2016, "晋环发〔2016〕12号 (test)"), t); err != nil {
		return err
	}
	if _, err := app.LoadCatalogue(ctx, h.s, Admin, t); err != nil {
		return err
	}
	h.ents = []enforcement.EnterpriseRegistered{
		{Name: "太原市某造纸有限公司", USCC: uscc("91140100MA0K9XRB3"), City: Taiyuan, Industry: "造纸", KeyDischarger: true},
		{Name: "运城市某化工有限公司", USCC: uscc("91140800MA0K9XRC1"), City: Yuncheng, Industry: "化工"},
	}
	for _, e := range h.ents {
		if _, err := app.RegisterEnterprise(ctx, h.s, Inspector, t, e); err != nil {
			return fmt.Errorf("enterprise: %w", err)
		}
	}
	for _, p := range []officials.Registered{{ID: "li-ming", Name: "李明"}, {ID: "chen-jie", Name: "陈杰"}, {ID: "sun-li", Name: "孙丽"}} {
		if _, err := app.RegisterOfficial(ctx, h.s, Assessor, t, p); err != nil {
			return fmt.Errorf("official: %w", err)
		}
	}
	for _, a := range []officials.Appointed{
		{Official: "li-ming", Position: officials.Position{Post: officials.Mayor, City: Yuncheng}, From: plan.NewDate(2016, 1, 1), DocumentNo: "任免〔2016〕1号"},
		{Official: "chen-jie", Position: officials.Position{Post: officials.EnvBureauHead, City: Yuncheng}, From: plan.NewDate(2016, 1, 1), DocumentNo: "任免〔2016〕2号"},
	} {
		if _, err := app.AppointOfficial(ctx, h.s, Assessor, a); err != nil {
			return fmt.Errorf("appointment: %w", err)
		}
	}
	return nil
}

func uscc(first17 string) enforcement.USCC {
	c, err := enforcement.USCCCheck(first17)
	if err != nil {
		panic(err)
	}
	return enforcement.USCC(first17 + string(c))
}

// Month uploads a month's samples early in the next month: every
// section's daily automatic samples and one manual sample (the second
// section ice-bound in January), and the drinking source's manual sample.
func (h *History) Month(ctx context.Context, y int, m time.Month) error {
	var csv bytes.Buffer
	csv.WriteString("section,sampled_at,source,status,pH,DO,CODMn,NH3-N,TP\n")
	days := time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
	for i, sec := range Sections {
		level := []float64{0.6, 1.1, 1.3, 1.8}[i]
		for d := 1; d <= days; d++ {
			fmt.Fprintf(&csv, "%s,%d-%02d-%02d 08:00,auto,,%.2f,%.1f,%.1f,%.3f,%.3f\n", sec.ID, y, m, d,
				7.2+h.rng.Float64(), 4+3*h.rng.Float64(), 3+5*h.rng.Float64(), level*(0.7+0.6*h.rng.Float64()), 0.05+0.2*h.rng.Float64())
		}
		if i == 1 && m == time.January {
			fmt.Fprintf(&csv, "%s,%d-%02d-10 09:00,manual,ice,,,,,\n", sec.ID, y, m)
			continue
		}
		fmt.Fprintf(&csv, "%s,%d-%02d-10 09:00,manual,,%.2f,%.1f,%.1f,%.3f,%.3f\n", sec.ID, y, m,
			7.2+h.rng.Float64(), 4+3*h.rng.Float64(), 3+5*h.rng.Float64(), level*(0.8+0.4*h.rng.Float64()), 0.05+0.2*h.rng.Float64())
	}
	fmt.Fprintf(&csv, "%s,%d-%02d-05 09:00,manual,,7.5,7.5,2.0,0.3,0.02\n", DrinkingSource, y, m)
	up := h.to(time.Date(y, m+1, 3, 10, 0, 0, 0, domain.CST))
	_, err := app.ImportSamples(ctx, h.s, Station, &csv, app.ImportOptions{File: fmt.Sprintf("%d-%02d.csv", y, m), Now: up})
	return err
}

// Year writes a year: its months, a correction and an invalidation, an
// inspection of the black-odorous body, the groundwater grade, task
// changes, an enterprise's inspection, card and lift or revocation, the
// quarterly card lists, the results published the next March and, for a
// city that failed, an accountability case and a decision.
func (h *History) Year(ctx context.Context, y int) error {
	for m := time.January; m <= time.December; m++ {
		if err := h.Month(ctx, y, m); err != nil {
			return fmt.Errorf("%d-%02d: %w", y, m, err)
		}
		if err := h.monthly(ctx, y, m); err != nil {
			return fmt.Errorf("%d-%02d: %w", y, m, err)
		}
	}
	// Next year: the laboratory corrects June's manual sample at the third
	// section and withdraws May's at the fourth.
	t := h.to(at(y+1, 2, 20, 10))
	agg := app.SectionAggregate(Yuncheng, Sections[2].ID)
	if _, err := app.CorrectSample(ctx, h.s, Admin, agg, monitoring.Sample{At: at(y, 6, 10, 9), Source: monitoring.Manual,
		Values: water.Values{water.PH: 7.6, water.DO: 5.1, water.CODMn: 6.2, water.NH3N: 2.4, water.TP: 0.21}}, "laboratory re-analysis", t); err != nil {
		return fmt.Errorf("correction: %w", err)
	}
	if _, err := app.InvalidateSample(ctx, h.s, Admin, app.SectionAggregate(Yuncheng, Sections[3].ID),
		monitoring.Key{At: at(y, 5, 10, 9).UTC(), Source: monitoring.Manual}, "sampling not done by the standard method", t); err != nil {
		return fmt.Errorf("invalidation: %w", err)
	}
	t = h.to(at(y+1, 3, 15, 10))
	// The test province registers sections in two cities only: the others'
	// results are published knowingly without data.
	pub, err := app.Publish(ctx, h.s, Admin, app.Publication{Year: y, Document: fmt.Sprintf("晋环函〔%d〕%d号 (test)", y+1, 30+y-2016), Incomplete: true}, t, app.NewBoardFigures())
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	for _, r := range pub.Data.(assessment.ResultsPublished).Results {
		if r.City != Yuncheng || r.Grade != assessment.Fail {
			continue
		}
		h.to(at(y+1, 3, 20, 10))
		e, _, err := app.TriggerAccountability(ctx, h.s, Assessor, officials.Triggered{Kind: officials.FailedAssessment, City: Yuncheng, Year: y,
			FoundOn: plan.NewDate(y+1, 3, 20), Reference: officials.Reference{DocumentNo: fmt.Sprintf("晋政办发〔%d〕21号", y+1)}, Summary: "考核不合格"})
		if err != nil {
			return fmt.Errorf("accountability: %w", err)
		}
		h.to(at(y+1, 4, 2, 10))
		if _, err := app.DecideAccountability(ctx, h.s, Assessor, officials.Decided{Case: officials.CaseID(e.Aggregate.ID), City: Yuncheng,
			Official: "li-ming", Decision: officials.Warning, DocumentNo: fmt.Sprintf("运纪发〔%d〕8号", y+1), Date: plan.NewDate(y+1, 4, 2),
			Authority: "运城市纪委监委"}); err != nil {
			return fmt.Errorf("decision: %w", err)
		}
	}
	return nil
}

// monthly writes what happens in a month besides samples.
func (h *History) monthly(ctx context.Context, y int, m time.Month) error {
	q := (int(m)-1)/3 + 1
	switch m {
	case time.March, time.September:
		t := h.to(at(y, m, 15, 10))
		if _, err := app.Record(ctx, h.s, Admin, t, events.Aggregate{Scope: domain.CityScope(Yuncheng), Type: app.BlackOdorousType, ID: BlackBody},
			blackInspection(m == time.September || y > 2016)); err != nil {
			return fmt.Errorf("black-odorous inspection: %w", err)
		}
	case time.July:
		if y == 2017 {
			// The bureau head is transferred; another takes over.
			h.to(at(y, m, 3, 10))
			pos := officials.Position{Post: officials.EnvBureauHead, City: Yuncheng}
			if _, err := app.RecordDeparture(ctx, h.s, Assessor, officials.Departed{Official: "chen-jie", Position: pos, To: plan.NewDate(y, 7, 1), Reason: officials.Transferred}); err != nil {
				return fmt.Errorf("departure: %w", err)
			}
			if _, err := app.AppointOfficial(ctx, h.s, Assessor, officials.Appointed{Official: "sun-li", Position: pos, From: plan.NewDate(y, 7, 1), DocumentNo: "任免〔2017〕7号"}); err != nil {
				return fmt.Errorf("appointment: %w", err)
			}
		}
	case time.November:
		t := h.to(at(y, m, 20, 10))
		if _, err := app.Record(ctx, h.s, Admin, t, events.Aggregate{Scope: domain.CityScope(Yuncheng), Type: app.GroundwaterPointType, ID: GroundPoint},
			monitoring.GroundwaterGraded{Year: y, Grade: monitoring.GroundwaterGrade(3 + y%3)}); err != nil {
			return fmt.Errorf("groundwater grade: %w", err)
		}
	}
	// Task progress: a few units a month.
	for k := range 3 {
		i := (int(m)*3 + k + (y-2016)*36) % len(h.tasks)
		task := h.tasks[i]
		city := []domain.CityID{Taiyuan, Yuncheng}[k%2]
		if !task.Governments.Includes(city) {
			continue
		}
		p, _, err := app.LoadTaskProgress(ctx, h.s, task.ID, city)
		if err != nil {
			return err
		}
		var c tasks.ChangeStatus
		by := Assessor
		doc := tasks.Evidence{DocumentNo: fmt.Sprintf("并政办发〔%d〕%d号", y, int(m)*10+k)}
		switch p.Status {
		case tasks.NotStarted:
			c = tasks.ChangeStatus{To: tasks.InProgress}
		case tasks.InProgress:
			c = tasks.ChangeStatus{To: tasks.Completed, Evidence: doc}
		case tasks.Completed:
			c, by = tasks.ChangeStatus{To: tasks.Verified, Evidence: doc}, Checker
		default:
			continue
		}
		c.Task, c.City = task.ID, city
		t := h.to(at(y, m, 25, 10+k))
		if _, err := app.ChangeTaskStatus(ctx, h.s, by, t, c); err != nil {
			return fmt.Errorf("task %s/%s: %w", task.ID, city, err)
		}
	}
	// Enforcement: in the second month of each quarter an inspection finds
	// an exceedance and a yellow card follows; in the third it is lifted
	// (or, every other year in Yuncheng, revoked on appeal); after the
	// quarter each city's list is published.
	e := h.ents[q%2]
	agg := app.EnterpriseAggregate(e.City, e.ID())
	bureau := "市环境保护局"
	card := fmt.Sprintf("Y-%d-%d", y, q)
	switch (int(m) - 1) % 3 {
	case 0:
		if h.red != "" {
			ragg := app.EnterpriseAggregate(h.ents[0].City, h.ents[0].ID())
			t := h.to(at(y, m, 5, 10))
			in := enforcement.Inspected{DocumentNo: "R-" + h.red, Authority: bureau, Card: h.red, Findings: []enforcement.Finding{enforcement.Compliant},
				Measurements: []enforcement.Measurement{{Item: "COD", Measured: 60, Limit: 100, Unit: "mg/L", Basis: enforcement.Standard}}}
			if _, err := app.RecordInspection(ctx, h.s, Inspector, t, ragg, in); err != nil {
				return fmt.Errorf("re-inspection of the red card: %w", err)
			}
			if _, err := app.LiftCard(ctx, h.s, Inspector, h.to(t.Add(time.Hour)), ragg, enforcement.CardLifted{Card: h.red, DocumentNo: "解除-" + h.red,
				Authority: bureau, Reinspection: "R-" + h.red}); err != nil {
				return fmt.Errorf("lifting the red card: %w", err)
			}
			h.red = ""
		}
		if q > 1 || y > 2016 {
			pq := enforcement.Quarter{Year: y, Q: q - 1}
			if q == 1 {
				pq = enforcement.Quarter{Year: y - 1, Q: 4}
			}
			for i, c := range []domain.CityID{Taiyuan, Yuncheng} {
				t := h.to(at(y, m, 12, 10+i))
				if _, err := app.PublishCardList(ctx, h.s, Inspector, t, domain.CityScope(c), pq, bureau, fmt.Sprintf("公告〔%d〕%d%d号", y, pq.Q, i)); err != nil {
					return fmt.Errorf("card list: %w", err)
				}
			}
		}
	case 1:
		t := h.to(at(y, m, 10, 10))
		in := enforcement.Inspected{DocumentNo: "I-" + card, Authority: bureau, Findings: []enforcement.Finding{enforcement.OverStandard},
			Measurements: []enforcement.Measurement{{Item: "COD", Measured: 186, Limit: 100, Unit: "mg/L", Basis: enforcement.Standard}}}
		if _, err := app.RecordInspection(ctx, h.s, Inspector, t, agg, in); err != nil {
			return fmt.Errorf("inspection: %w", err)
		}
		t = h.to(at(y, m, 11, 10))
		if _, err := app.IssueYellowCard(ctx, h.s, Inspector, t, agg, enforcement.YellowCardIssued{DocumentNo: card, Authority: bureau,
			Inspection: "I-" + card, Measure: enforcement.LimitProduction, Deadline: plan.NewDate(y, m+1, 20)}); err != nil {
			return fmt.Errorf("yellow card: %w", err)
		}
	case 2:
		t := h.to(at(y, m, 22, 10))
		if e.City == Yuncheng && y%2 == 0 {
			if _, err := app.RevokeCard(ctx, h.s, Inspector, t, agg, enforcement.CardRevoked{Card: card, DocumentNo: "复决-" + card,
				Authority: "山西省人民政府", Reason: "sampling not done by the standard method"}); err != nil {
				return fmt.Errorf("revocation: %w", err)
			}
			break
		}
		if e.City == Taiyuan && y == 2017 && q == 4 {
			// Not rectified by the deadline, in a serious case: a red card.
			in := enforcement.Inspected{DocumentNo: "R-" + card, Authority: bureau, Card: card, Findings: []enforcement.Finding{enforcement.OverStandard},
				Measurements: []enforcement.Measurement{{Item: "COD", Measured: 240, Limit: 100, Unit: "mg/L", Basis: enforcement.Standard}}}
			if _, err := app.RecordInspection(ctx, h.s, Inspector, t, agg, in); err != nil {
				return fmt.Errorf("re-inspection: %w", err)
			}
			h.red = "RED-" + card
			if _, err := app.IssueRedCard(ctx, h.s, Inspector, h.to(t.Add(time.Hour)), agg, enforcement.RedCardIssued{DocumentNo: h.red, Authority: bureau,
				YellowCard: card, Reinspection: "R-" + card, Measure: enforcement.SuspendBusiness, Grounds: "超标两倍以上"}); err != nil {
				return fmt.Errorf("red card: %w", err)
			}
			break
		}
		in := enforcement.Inspected{DocumentNo: "R-" + card, Authority: bureau, Card: card, Findings: []enforcement.Finding{enforcement.Compliant},
			Measurements: []enforcement.Measurement{{Item: "COD", Measured: 71, Limit: 100, Unit: "mg/L", Basis: enforcement.Standard}}}
		if _, err := app.RecordInspection(ctx, h.s, Inspector, t, agg, in); err != nil {
			return fmt.Errorf("re-inspection: %w", err)
		}
		if _, err := app.LiftCard(ctx, h.s, Inspector, h.to(t.Add(time.Hour)), agg, enforcement.CardLifted{Card: card, DocumentNo: "解除-" + card,
			Authority: bureau, Reinspection: "R-" + card}); err != nil {
			return fmt.Errorf("lift: %w", err)
		}
	}
	return nil
}

func blackInspection(clear bool) monitoring.BlackOdorousInspected {
	cm := 12.0
	level := water.LightBlackOdor
	if clear {
		cm, level = 40, water.NotBlackOdor
	}
	return monitoring.BlackOdorousInspected{Reading: water.BlackOdorReading{TransparencyCm: &cm}, Level: level}
}
