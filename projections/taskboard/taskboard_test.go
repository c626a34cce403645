package taskboard_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/plan"
	"github.com/shanxi-water/ledger/domain/tasks"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/events/jetstream"
	"github.com/shanxi-water/ledger/projections"
	"github.com/shanxi-water/ledger/projections/taskboard"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

func at(y, m, d int) time.Time  { return time.Date(y, time.Month(m), d, 10, 0, 0, 0, domain.CST) }
func day(y, m, d int) plan.Date { return plan.NewDate(y, time.Month(m), d) }

var (
	system   = domain.Actor{ID: "ledger", Role: domain.System}
	reporter = domain.Actor{ID: "li.na", Role: domain.Assessment}
	checker  = domain.Actor{ID: "wang.fang", Role: domain.Assessment}
	doc      = tasks.Evidence{DocumentNo: "并政办函〔2016〕88号"}
)

const (
	shiXiao  = plan.TaskID("T-2-1-1-1")  // 取缔“十小”: every city, 2016-12-31, 省环保厅, industry
	agri     = plan.TaskID("T-2-1-3-3a") // the province's own, 2016-12-31, 省农业厅
	twoLeads = plan.TaskID("T-2-2-1-2b") // every city, 2016-12-31, 省水利厅 and 省国土资源厅
)

// history records a small province:
//
//	Taiyuan 十小: started 2016-03-01, completed 2016-11-01, verified 2017-04-01
//	Datong 十小: completed, dated 2016-12-20 but recorded 2017-02-10
//	Yangquan 十小: completed 2017-03-01, late
//	the province's own agriculture task: suspended 2016-06-01
func history(t *testing.T) events.Store {
	t.Helper()
	ctx := context.Background()
	c := &clock{t: at(2016, 1, 5)}
	s, err := jetstream.Open(ctx, jetstream.Config{DataDir: t.TempDir(), Registry: app.Registry(), Clock: c.Now})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	_, err = app.LoadCatalogue(ctx, s, system, at(2016, 1, 4))
	require.NoError(t, err)
	steps := []struct {
		occurred, recorded time.Time
		by                 domain.Actor
		cmd                tasks.ChangeStatus
	}{
		{at(2016, 3, 1), at(2016, 3, 1), reporter, tasks.ChangeStatus{Task: shiXiao, City: "140100", To: tasks.InProgress}},
		{at(2016, 6, 1), at(2016, 6, 1), reporter, tasks.ChangeStatus{Task: agri, To: tasks.Suspended, Reason: "awaiting the national rules"}},
		{at(2016, 11, 1), at(2016, 11, 1), reporter, tasks.ChangeStatus{Task: shiXiao, City: "140100", To: tasks.Completed, Evidence: doc}},
		{at(2016, 12, 20), at(2017, 2, 10), reporter, tasks.ChangeStatus{Task: shiXiao, City: "140200", To: tasks.Completed, Evidence: tasks.Evidence{Reference: "同环函 2016-12-20"}}},
		{at(2017, 3, 1), at(2017, 3, 1), reporter, tasks.ChangeStatus{Task: shiXiao, City: "140300", To: tasks.Completed, Evidence: doc}},
		{at(2017, 4, 1), at(2017, 4, 1), checker, tasks.ChangeStatus{Task: shiXiao, City: "140100", To: tasks.Verified, Evidence: tasks.Evidence{DocumentNo: "晋环验〔2017〕5号"}}},
	}
	for _, st := range steps {
		c.Set(st.recorded)
		_, err := app.ChangeTaskStatus(ctx, s, st.by, st.occurred, st.cmd)
		require.NoError(t, err)
	}
	return s
}

func build(t *testing.T, s events.Store, q events.Query) *taskboard.Board {
	t.Helper()
	b := taskboard.New()
	q.Types = []events.AggregateType{app.TaskType}
	_, err := projections.Replay(context.Background(), s, q, b)
	require.NoError(t, err)
	return b
}

func has(rows []taskboard.Row, id plan.TaskID, scope domain.Scope) bool {
	for _, r := range rows {
		if r.Task == id && r.Scope == scope {
			return true
		}
	}
	return false
}

func TestOverdue(t *testing.T) {
	s := history(t)
	b := build(t, s, events.Query{})
	require.Len(t, b.Tasks(), len(plan.Tasks()))

	o := b.Overdue(day(2017, 1, 1))
	// Every unit due by the end of 2016, less the three that are not
	// overdue: Taiyuan's and Datong's completions, the suspension.
	want := 0
	for _, tk := range plan.Tasks() {
		if !tk.Deadline.IsZero() && tk.Deadline.Compare(day(2016, 12, 31)) <= 0 {
			want += len(tasks.Units(tk))
		}
	}
	require.Len(t, o.Rows, want-3)
	require.False(t, has(o.Rows, shiXiao, "140100"))
	require.False(t, has(o.Rows, shiXiao, "140200"), "dated before the deadline, as known today")
	require.True(t, has(o.Rows, shiXiao, "140300"))
	require.False(t, has(o.Rows, agri, domain.Province), "suspended, not overdue")
	for _, r := range o.Rows {
		require.True(t, r.Overdue)
		if r.Task == shiXiao {
			require.Equal(t, 1, r.DaysOverdue)
		}
	}

	// By department: a task with two leads is under each.
	depts := map[plan.Department][]taskboard.Row{}
	for _, g := range o.ByDepartment {
		depts[g.Department] = g.Rows
	}
	require.True(t, has(depts["省水利厅"], twoLeads, "140500"))
	require.True(t, has(depts["省国土资源厅"], twoLeads, "140500"))
	require.True(t, has(depts["省环保厅"], shiXiao, "140300"))
	require.False(t, has(depts["省水利厅"], shiXiao, "140300"))
	for i := 1; i < len(o.ByDepartment); i++ {
		require.Less(t, o.ByDepartment[i-1].Department, o.ByDepartment[i].Department)
	}

	// By city, in code order; a city's group holds only its own units.
	require.Equal(t, domain.Scope("140100"), o.ByCity[0].Scope)
	require.False(t, has(o.ByCity[0].Rows, shiXiao, "140100"))
	require.True(t, has(o.ByCity[0].Rows, twoLeads, "140100"))
	require.Equal(t, domain.Scope("140300"), o.ByCity[2].Scope)
	require.True(t, has(o.ByCity[2].Rows, shiXiao, "140300"))
	total := 0
	for _, g := range o.ByCity {
		for _, r := range g.Rows {
			require.Equal(t, g.Scope, r.Scope)
		}
		total += len(g.Rows)
	}
	require.Equal(t, len(o.Rows), total)

	// On the deadline day nothing of 2016 is overdue yet; Yangquan's
	// completion on 1 March ends its overdue days.
	require.False(t, has(b.Overdue(day(2016, 12, 31)).Rows, shiXiao, "140300"))
	require.True(t, has(b.Overdue(day(2017, 2, 28)).Rows, shiXiao, "140300"))
	require.False(t, has(b.Overdue(day(2017, 3, 1)).Rows, shiXiao, "140300"))

	// As the ledger knew it on 1 January 2017, Datong's completion was not
	// recorded: it was overdue.
	then := build(t, s, events.Query{RecordedBy: tasks.EndOf(day(2017, 1, 1))})
	require.True(t, has(then.Overdue(day(2017, 1, 1)).Rows, shiXiao, "140200"))
	require.Len(t, then.Overdue(day(2017, 1, 1)).Rows, want-2)
}

func TestHistoryAndRecordedLate(t *testing.T) {
	s := history(t)
	b := build(t, s, events.Query{})
	h, ok := b.History(shiXiao, "140200")
	require.True(t, ok)
	require.Len(t, h, 1)
	require.True(t, h[0].RecordedLate, "dated 2016-12-20, recorded 2017-02-10")
	require.Equal(t, at(2016, 12, 20), h[0].OccurredAt.In(domain.CST))
	require.Equal(t, at(2017, 2, 10), h[0].RecordedAt.In(domain.CST))
	require.Equal(t, "同环函 2016-12-20", h[0].Evidence.Reference)
	require.NotZero(t, h[0].Position)
	require.NotEmpty(t, h[0].EventID)

	h, _ = b.History(shiXiao, "140100")
	require.Len(t, h, 3)
	require.Equal(t, []tasks.Status{tasks.InProgress, tasks.Completed, tasks.Verified}, []tasks.Status{h[0].To, h[1].To, h[2].To})
	require.Equal(t, checker, h[2].Actor)
	for _, c := range h {
		require.False(t, c.RecordedLate)
	}
	h, _ = b.History(agri, "")
	require.Equal(t, "awaiting the national rules", h[0].Reason)
	_, ok = b.History(agri, "140100")
	require.False(t, ok, "the province's own task has no city units")
	h, ok = b.History(twoLeads, "141100")
	require.True(t, ok)
	require.Empty(t, h)

	var datong taskboard.Row
	for _, r := range b.Rows(day(2017, 6, 30)) {
		if r.Task == shiXiao && r.City == "140200" {
			datong = r
		}
	}
	require.True(t, datong.OnTime)
	require.True(t, datong.RecordedLate)
}

func TestYear(t *testing.T) {
	s := history(t)
	b := build(t, s, events.Query{})
	rep := b.Year(2016, day(2017, 6, 30))
	units := 0
	for _, tk := range plan.Tasks() {
		if tk.Deadline.Year() == 2016 {
			units += len(tasks.Units(tk))
		}
	}
	tt := rep.Total
	require.Equal(t, units, tt.Units)
	require.Equal(t, units, tt.Due)
	require.Equal(t, tt.Units, tt.OnTime+tt.Late+tt.Overdue+tt.Suspended+tt.Pending)
	require.Equal(t, 2, tt.OnTime)
	require.Equal(t, 1, tt.Late)
	require.Equal(t, 1, tt.Suspended)
	require.Equal(t, 1, tt.RecordedLate)
	require.Equal(t, 1, tt.Verified)
	require.Equal(t, units-4, tt.Overdue)

	city := map[domain.Scope]taskboard.CityTally{}
	for _, c := range rep.ByCity {
		city[c.Scope] = c
	}
	require.Len(t, rep.ByCity, 12, "11 cities and the province's own tasks")
	require.Equal(t, domain.Province, rep.ByCity[11].Scope)
	require.Equal(t, 1, city["140100"].OnTime)
	require.Equal(t, 1, city["140100"].Verified)
	require.Equal(t, 1, city["140200"].OnTime)
	require.Equal(t, 1, city["140200"].RecordedLate)
	require.Equal(t, 1, city["140300"].Late)
	require.Zero(t, city["140300"].OnTime)
	require.Equal(t, 1, city[domain.Province].Suspended)
	require.Equal(t, 1, city[domain.Province].Units)
	industry := rep.ByCategory[0]
	require.Equal(t, plan.Industry, industry.Category)
	require.Equal(t, 2, industry.OnTime)
	require.Equal(t, 1, industry.Late)
	require.Equal(t, plan.Industry, city["140100"].ByCategory[0].Category)
	require.Equal(t, 1, city["140100"].ByCategory[0].OnTime)

	// On the last day of the year only the tasks due before it are overdue:
	// Yangquan's 十小 is still within its deadline day.
	end := b.Year(2016, day(2016, 12, 31))
	early := 0
	for _, tk := range plan.Tasks() {
		if tk.Deadline.Year() == 2016 && tk.Deadline.Compare(day(2016, 12, 31)) < 0 {
			early += len(tasks.Units(tk))
		}
	}
	require.NotZero(t, early, "the plan has tasks due by the end of June 2016")
	require.Equal(t, early, end.Total.Overdue)
	for _, r := range b.Rows(day(2016, 12, 31)) {
		if r.Task == shiXiao && r.City == "140300" {
			require.True(t, r.Due)
			require.False(t, r.Overdue || r.OnTime || r.Late, "Yangquan's 十小 on its deadline day")
		}
	}
	require.Equal(t, 2, end.Total.OnTime, "Datong's, dated 20 December, counts as known today")

	// As the ledger knew it at the end of 2016, Datong had nothing on time.
	then := build(t, s, events.Query{RecordedBy: tasks.EndOf(day(2016, 12, 31))})
	require.Equal(t, 1, then.Year(2016, day(2016, 12, 31)).Total.OnTime)

	// 2018: two tasks, one of them Taiyuan's alone; no provincial task due
	// in it, but the province's own unit of 2016 is carried into it.
	y18 := b.Year(2018, day(2019, 1, 1))
	require.Len(t, y18.ByCity, 12)
	require.Equal(t, 12, y18.Total.Units)
	require.Equal(t, 12, y18.Total.Overdue)
	require.Zero(t, y18.ByCity[11].Units)

	// Carried into a year: every unit of an earlier year overdue when it
	// began, as it stood on the day asked; none of the year's own.
	for _, y := range []int{2017, 2018} {
		rep := b.Year(y, day(y, 6, 30))
		want := 0
		for _, r := range b.Rows(day(y, 1, 1)) {
			if r.Overdue && r.Deadline.Year() < y {
				want++
			}
		}
		require.NotZero(t, want)
		require.Equal(t, want, rep.Carried.Units, "%d", y)
		require.Zero(t, rep.Carried.OnTime, "never on time")
		sum := 0
		for _, c := range rep.ByCity {
			sum += c.Carried.Units
		}
		require.Equal(t, want, sum, "the cities' carried units add up")
	}
	require.Equal(t, 1, b.Year(2017, day(2017, 6, 30)).ByCity[2].Carried.Late, "Yangquan's 十小, done late in 2017")
}

// A city's rows are the rows of its units, in the same order.
func TestCityRows(t *testing.T) {
	b := build(t, history(t), events.Query{})
	d := day(2017, 6, 30)
	all := b.Rows(d)
	seen := 0
	cities := []domain.CityID{""} // the province's own tasks
	for _, c := range domain.Cities {
		cities = append(cities, c.ID)
	}
	for _, c := range cities {
		var want []taskboard.Row
		for _, r := range all {
			if r.City == c {
				want = append(want, r)
			}
		}
		require.Equal(t, want, b.CityRows(d, c), "city %q", c)
		seen += len(want)
	}
	require.Equal(t, len(all), seen, "every row is some city's or the province's")
}
