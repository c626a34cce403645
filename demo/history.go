package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/enforcement"
	"github.com/shanxi-water/ledger/domain/plan"
	"github.com/shanxi-water/ledger/domain/tasks"
	"github.com/shanxi-water/ledger/events"
)

// action is one thing done on a date, recorded at a (possibly later) time.
type action struct {
	recorded time.Time
	seq      int // keeps the generation order among equal times
	run      func(ctx context.Context, s events.Store, at time.Time) error
}

// schedule holds the actions of the tasks and enforcement history, to be run
// in the order they were recorded, between the sample uploads.
type schedule struct {
	actions []action
	next    int
	Counts  map[string]int
}

func (sc *schedule) add(recorded time.Time, kind string, run func(ctx context.Context, s events.Store, at time.Time) error) {
	sc.actions = append(sc.actions, action{recorded: recorded, seq: len(sc.actions), run: func(ctx context.Context, s events.Store, at time.Time) error {
		sc.Counts[kind]++
		return run(ctx, s, at)
	}})
}

// insert adds an action while the schedule runs: it keeps the actions
// still to run in order.
func (sc *schedule) insert(recorded time.Time, kind string, run func(ctx context.Context, s events.Store, at time.Time) error) {
	sc.add(recorded, kind, run)
	rest := sc.actions[sc.next:]
	sort.SliceStable(rest, func(i, j int) bool { return rest[i].recorded.Before(rest[j].recorded) })
}

func (sc *schedule) sort() {
	sort.SliceStable(sc.actions, func(i, j int) bool {
		if !sc.actions[i].recorded.Equal(sc.actions[j].recorded) {
			return sc.actions[i].recorded.Before(sc.actions[j].recorded)
		}
		return sc.actions[i].seq < sc.actions[j].seq
	})
}

// runUntil runs the actions recorded before t, setting the clock to each.
func (sc *schedule) runUntil(ctx context.Context, s events.Store, clock *Clock, t time.Time) error {
	for ; sc.next < len(sc.actions) && sc.actions[sc.next].recorded.Before(t); sc.next++ {
		a := sc.actions[sc.next]
		clock.Set(a.recorded)
		if err := a.run(ctx, s, a.recorded); err != nil {
			return err
		}
	}
	return nil
}

var (
	taskOffice   = domain.Actor{ID: "assessment-office", Role: domain.Assessment}
	taskVerifier = domain.Actor{ID: "assessment-verification-group", Role: domain.Assessment}
)

// diligence is how reliably a city finishes its tasks on time.
var diligence = map[domain.CityID]float64{
	"140100": 0.86, "140200": 0.8, "140300": 0.84, "140400": 0.9, "140500": 0.82, "140600": 0.83,
	"140700": 0.78, "140800": 0.62, "140900": 0.88, "141000": 0.66, "141100": 0.8, "": 0.9,
}

func day(d plan.Date, hour int) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, domain.CST)
}

// end is the last moment of the demo's history.
var end = time.Date(2021, 3, 31, 0, 0, 0, 0, domain.CST)

// taskHistory schedules every task unit's progress: started, completed on
// time or late (some completions recorded after their deadline), verified,
// suspended, or left undone.
func taskHistory(sc *schedule, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 9001))
	for _, t := range plan.Tasks() {
		if t.Deadline.IsZero() {
			continue
		}
		deadline := day(t.Deadline, 17)
		for _, c := range tasks.Units(t) {
			id, city := t.ID, c
			change := func(to tasks.Status, ev tasks.Evidence, reason string, by domain.Actor) func(context.Context, events.Store, time.Time) error {
				return func(ctx context.Context, s events.Store, at time.Time) error {
					_, err := app.ChangeTaskStatus(ctx, s, by, at, tasks.ChangeStatus{Task: id, City: city, To: to, Evidence: ev, Reason: reason})
					return err
				}
			}
			start := deadline.AddDate(-1, 0, r.IntN(120))
			if first := time.Date(2016, 1, 10, 10, 0, 0, 0, domain.CST); start.Before(first) {
				start = first.Add(time.Duration(r.IntN(30*24)) * time.Hour)
			}
			if start.After(end) {
				continue
			}
			sc.add(start, "task started", change(tasks.InProgress, tasks.Evidence{}, "", taskOffice))
			doc := func(at time.Time) tasks.Evidence {
				return tasks.Evidence{DocumentNo: fmt.Sprintf("%s政办〔%d〕%d号 (demo)", cityPrefix(city), at.Year(), 10+r.IntN(190))}
			}
			f := diligence[city]
			var done time.Time
			switch x := r.Float64(); {
			case x < f:
				done = deadline.AddDate(0, 0, -5-r.IntN(60))
			case x < f+0.12:
				done = deadline.AddDate(0, 0, 20+r.IntN(200))
			case x < f+0.15:
				at := deadline.AddDate(0, -2, 0)
				if at.After(start) && at.Before(end) {
					sc.add(at, "task suspended", change(tasks.Suspended, tasks.Evidence{}, "上级部门调整任务安排 (demo)", taskOffice))
				}
				continue
			default:
				continue // never done: overdue
			}
			if !done.After(start) {
				done = start.Add(48 * time.Hour)
			}
			recorded := done.Add(time.Duration(24+r.IntN(72)) * time.Hour)
			if done.Before(deadline) && r.Float64() < 0.06 {
				recorded = deadline.AddDate(0, 0, 10+r.IntN(30)) // reported after the deadline, dated before it
			}
			if recorded.After(end) {
				continue
			}
			ev := doc(done)
			sc.add(recorded, "task completed", func(ctx context.Context, s events.Store, at time.Time) error {
				_, err := app.ChangeTaskStatus(ctx, s, taskOffice, done, tasks.ChangeStatus{Task: id, City: city, To: tasks.Completed, Evidence: ev})
				return err
			})
			verified := recorded.AddDate(0, 0, 30+r.IntN(60))
			if verified.Before(end) && r.Float64() < 0.7 {
				sc.add(verified, "task verified", change(tasks.Verified, tasks.Evidence{Reference: "省考核组现场核查记录 (demo)"}, "", taskVerifier))
			}
		}
	}
}

func cityPrefix(c domain.CityID) string {
	if c == "" {
		return "晋"
	}
	city, _ := domain.LookupCity(c)
	return city.Name[:3]
}

var industries = []string{"焦化", "造纸", "化工", "印染", "制药", "食品加工"}

// enforcementHistory schedules each city's enterprises, their inspections
// twice a year, yellow cards for exceedances, re-inspections at the
// deadline that lift a card or, in serious cases, lead to a red card, and
// the quarterly public lists.
func enforcementHistory(sc *schedule, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 9002))
	for ci, c := range domain.Cities {
		bureau := c.Name + "市环境保护局"
		inspector := domain.Actor{ID: fmt.Sprintf("inspector-%s", c.ID), Role: domain.Enforcement}
		for k := range 4 {
			first17 := fmt.Sprintf("91%sMA%07d", c.ID, 100*ci+k+1)
			check, err := enforcement.USCCCheck(first17)
			if err != nil {
				panic(err)
			}
			reg := enforcement.EnterpriseRegistered{Name: fmt.Sprintf("%s市%s有限公司%d (demo)", c.Name, industries[(ci+k)%len(industries)], k+1),
				USCC: enforcement.USCC(first17 + string(check)), City: c.ID, Industry: industries[(ci+k)%len(industries)], KeyDischarger: k < 2}
			agg := app.EnterpriseAggregate(c.ID, reg.ID())
			sc.add(time.Date(2016, 2, 1, 9, k, 0, 0, domain.CST), "enterprise registered", func(ctx context.Context, s events.Store, at time.Time) error {
				_, err := app.RegisterEnterprise(ctx, s, inspector, at, reg)
				return err
			})
			risk := 0.15 + 0.25*(1-diligence[c.ID])
			n := 0
			busyUntil := time.Time{}
			for _, y := range Years {
				for _, m := range []time.Month{3, 9} {
					at := time.Date(y, m, 15, 10, k, 0, 0, domain.CST)
					if at.Before(busyUntil) {
						continue // a card's rectification is still running
					}
					n++
					doc := fmt.Sprintf("%s环监〔%d〕%d号 (demo)", c.Name[:3], y, 100*k+n)
					if r.Float64() >= risk {
						in := enforcement.Inspected{DocumentNo: doc, Authority: bureau, Findings: []enforcement.Finding{enforcement.Compliant},
							Measurements: []enforcement.Measurement{{Item: "COD", Measured: float64(40 + r.IntN(50)), Limit: 100, Unit: "mg/L", Basis: enforcement.Standard}}}
						sc.add(at, "inspection", inspect(inspector, agg, in))
						continue
					}
					in := enforcement.Inspected{DocumentNo: doc, Authority: bureau, Findings: []enforcement.Finding{enforcement.OverStandard},
						Measurements: []enforcement.Measurement{{Item: "COD", Measured: float64(120 + r.IntN(200)), Limit: 100, Unit: "mg/L", Basis: enforcement.Standard}}}
					sc.add(at, "inspection", inspect(inspector, agg, in))
					yellowDoc := fmt.Sprintf("%s环罚〔%d〕%d号 (demo)", c.Name[:3], y, 100*k+n)
					deadline := at.AddDate(0, 3, 0)
					yellow := enforcement.YellowCardIssued{DocumentNo: yellowDoc, Authority: bureau, Inspection: doc, Measure: enforcement.LimitProduction,
						Deadline: plan.NewDate(deadline.Year(), deadline.Month(), deadline.Day())}
					sc.add(at.AddDate(0, 0, 10), "yellow card", func(ctx context.Context, s events.Store, at time.Time) error {
						_, err := app.IssueYellowCard(ctx, s, inspector, at, agg, yellow)
						return err
					})
					re := deadline.AddDate(0, 0, 5)
					busyUntil = re.AddDate(0, 1, 0)
					reDoc := fmt.Sprintf("%s环监〔%d〕%d号 (demo)", c.Name[:3], re.Year(), 500+100*k+n)
					if r.Float64() < 0.7 {
						sc.add(re, "inspection", inspect(inspector, agg, enforcement.Inspected{DocumentNo: reDoc, Authority: bureau, Card: yellowDoc,
							Findings: []enforcement.Finding{enforcement.Compliant}, Measurements: []enforcement.Measurement{{Item: "COD", Measured: float64(50 + r.IntN(40)), Limit: 100, Unit: "mg/L", Basis: enforcement.Standard}}}))
						lift := enforcement.CardLifted{Card: yellowDoc, DocumentNo: fmt.Sprintf("%s环函〔%d〕%d号 (demo)", c.Name[:3], re.Year(), 100*k+n), Authority: bureau, Reinspection: reDoc}
						sc.add(re.AddDate(0, 0, 3), "card lifted", func(ctx context.Context, s events.Store, at time.Time) error {
							_, err := app.LiftCard(ctx, s, inspector, at, agg, lift)
							return err
						})
						continue
					}
					sc.add(re, "inspection", inspect(inspector, agg, enforcement.Inspected{DocumentNo: reDoc, Authority: bureau, Card: yellowDoc,
						Findings: []enforcement.Finding{enforcement.OverStandard}, Measurements: []enforcement.Measurement{{Item: "COD", Measured: float64(150 + r.IntN(150)), Limit: 100, Unit: "mg/L", Basis: enforcement.Standard}}}))
					red := enforcement.RedCardIssued{DocumentNo: fmt.Sprintf("%s环罚〔%d〕%d号 (demo)", c.Name[:3], re.Year(), 500+100*k+n), Authority: bureau,
						YellowCard: yellowDoc, Reinspection: reDoc, Measure: enforcement.SuspendBusiness, Grounds: "整改期满仍超标排放, 情节严重 (demo)"}
					sc.add(re.AddDate(0, 0, 7), "red card", func(ctx context.Context, s events.Store, at time.Time) error {
						_, err := app.IssueRedCard(ctx, s, inspector, at, agg, red)
						return err
					})
					busyUntil = end // closed for business: no more inspections in the demo
				}
			}
		}
		// The quarterly public list, within a month of the quarter's end.
		for _, y := range Years {
			for q := 1; q <= 4; q++ {
				quarter := enforcement.Quarter{Year: y, Q: q}
				at := quarter.End().AddDate(0, 0, 20).Add(11 * time.Hour)
				doc := fmt.Sprintf("%s环公告〔%d〕%d号 (demo)", c.Name[:3], at.Year(), q)
				city := c.ID
				sc.add(at, "card list published", func(ctx context.Context, s events.Store, at time.Time) error {
					_, err := app.PublishCardList(ctx, s, inspector, at, domain.CityScope(city), quarter, bureau, doc)
					return err
				})
			}
		}
	}
}

func inspect(by domain.Actor, agg events.Aggregate, in enforcement.Inspected) func(context.Context, events.Store, time.Time) error {
	return func(ctx context.Context, s events.Store, at time.Time) error {
		_, err := app.RecordInspection(ctx, s, by, at, agg, in)
		return err
	}
}
