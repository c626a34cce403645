package tasks_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/plan"
	"github.com/shanxi-water/ledger/domain/tasks"
)

var (
	reporter = domain.Actor{ID: "li.na", Role: domain.Assessment}
	verifier = domain.Actor{ID: "wang.fang", Role: domain.Assessment}
	admin    = domain.Actor{ID: "admin", Role: domain.Admin}
	doc      = tasks.Evidence{DocumentNo: "并政办函〔2016〕88号"}
)

func day(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 10, 0, 0, 0, domain.CST) }

func task(t *testing.T, id plan.TaskID) plan.Task {
	t.Helper()
	tk, ok := plan.Lookup(id)
	require.True(t, ok, id)
	return tk
}

// cityTask is due 2016-12-31 and every city answers for it.
func cityTask(t *testing.T) plan.Task { return task(t, "T-2-1-1-1") }

// apply decides and folds one change, failing the test if it is refused.
func apply(t *testing.T, p *tasks.Progress, by domain.Actor, at time.Time, to tasks.Status, ev tasks.Evidence, reason string) {
	t.Helper()
	c, err := tasks.Decide(*p, by, at, tasks.ChangeStatus{Task: p.Task.ID, City: p.City, To: to, Evidence: ev, Reason: reason})
	require.NoError(t, err)
	p.Apply(tasks.Entry{OccurredAt: at, RecordedAt: at, Actor: by, Change: c})
}

// reach returns Taiyuan's unit of the city task brought to status s.
func reach(t *testing.T, s tasks.Status) tasks.Progress {
	t.Helper()
	p := tasks.NewProgress(cityTask(t), "140100")
	switch s {
	case tasks.InProgress:
		apply(t, &p, reporter, day(2016, 3, 1), tasks.InProgress, tasks.Evidence{}, "")
	case tasks.Completed:
		apply(t, &p, reporter, day(2016, 3, 1), tasks.InProgress, tasks.Evidence{}, "")
		apply(t, &p, reporter, day(2016, 9, 1), tasks.Completed, doc, "")
	case tasks.Verified:
		apply(t, &p, reporter, day(2016, 3, 1), tasks.InProgress, tasks.Evidence{}, "")
		apply(t, &p, reporter, day(2016, 9, 1), tasks.Completed, doc, "")
		apply(t, &p, verifier, day(2016, 10, 1), tasks.Verified, tasks.Evidence{Reference: "验收意见 2016-10"}, "")
	case tasks.Suspended:
		apply(t, &p, reporter, day(2016, 3, 1), tasks.Suspended, tasks.Evidence{}, "superseded by the national list")
	}
	require.Equal(t, s, p.Status)
	return p
}

// Every pair of statuses, with everything a rule could require supplied:
// the allowed ones pass, the others fail with kind Conflict and say why.
func TestEveryTransition(t *testing.T) {
	const ok = ""
	table := []struct {
		from, to tasks.Status
		refused  string // "" if allowed
	}{
		{tasks.NotStarted, tasks.NotStarted, "cannot return a task to not_started"},
		{tasks.NotStarted, tasks.InProgress, ok},
		{tasks.NotStarted, tasks.Completed, ok},
		{tasks.NotStarted, tasks.Verified, "cannot verify a task that is not completed (it is not_started)"},
		{tasks.NotStarted, tasks.Suspended, ok},

		{tasks.InProgress, tasks.NotStarted, "cannot return a task to not_started"},
		{tasks.InProgress, tasks.InProgress, "already in_progress"},
		{tasks.InProgress, tasks.Completed, ok},
		{tasks.InProgress, tasks.Verified, "cannot verify a task that is not completed (it is in_progress)"},
		{tasks.InProgress, tasks.Suspended, ok},

		{tasks.Completed, tasks.NotStarted, "cannot return a task to not_started"},
		{tasks.Completed, tasks.InProgress, ok},
		{tasks.Completed, tasks.Completed, "already completed"},
		{tasks.Completed, tasks.Verified, ok},
		{tasks.Completed, tasks.Suspended, "cannot suspend a completed task"},

		{tasks.Verified, tasks.NotStarted, "cannot return a task to not_started"},
		{tasks.Verified, tasks.InProgress, ok},
		{tasks.Verified, tasks.Completed, "the task is verified"},
		{tasks.Verified, tasks.Verified, "already verified"},
		{tasks.Verified, tasks.Suspended, "cannot suspend a verified task"},

		{tasks.Suspended, tasks.NotStarted, "cannot return a task to not_started"},
		{tasks.Suspended, tasks.InProgress, ok},
		{tasks.Suspended, tasks.Completed, "cannot complete a suspended task: resume it"},
		{tasks.Suspended, tasks.Verified, "cannot verify a task that is not completed (it is suspended)"},
		{tasks.Suspended, tasks.Suspended, "already suspended"},
	}
	require.Len(t, table, len(tasks.Statuses)*len(tasks.Statuses))
	allowed := 0
	for _, tc := range table {
		t.Run(fmt.Sprintf("%s→%s", tc.from, tc.to), func(t *testing.T) {
			p := reach(t, tc.from)
			cmd := tasks.ChangeStatus{Task: p.Task.ID, City: "140100", To: tc.to, Evidence: doc, Reason: "stated"}
			got, err := tasks.Decide(p, admin, day(2016, 11, 1), cmd)
			_, ruleErr := tasks.Transition(tc.from, tc.to)
			if tc.refused == ok {
				require.NoError(t, err)
				require.NoError(t, ruleErr)
				require.Equal(t, tasks.StatusChanged{Task: p.Task.ID, City: "140100", From: tc.from, To: tc.to, Evidence: &doc, Reason: "stated"}, got)
				require.NoError(t, got.Validate())
				return
			}
			require.Error(t, err)
			require.Equal(t, domain.Conflict, domain.KindOf(err), "%v", err)
			require.Equal(t, "to", domain.FieldOf(err))
			require.Contains(t, err.Error(), tc.refused)
			require.Error(t, ruleErr)
			// The payload itself cannot carry a refused transition either.
			bad := tasks.StatusChanged{Task: p.Task.ID, City: "140100", From: tc.from, To: tc.to, Evidence: &doc, Reason: "stated"}
			require.Equal(t, domain.Invalid, domain.KindOf(bad.Validate()))
		})
		if tc.refused == ok {
			allowed++
		}
	}
	require.Len(t, tasks.Rules(), allowed, "the table above and the package's rules agree")
}

// Each rule's requirements, one refusal each.
func TestRequirements(t *testing.T) {
	table := []struct {
		name   string
		from   tasks.Status
		to     tasks.Status
		ev     tasks.Evidence
		reason string
		field  string
		want   string
	}{
		{"complete without evidence", tasks.InProgress, tasks.Completed, tasks.Evidence{}, "", "evidence", "needs a document number"},
		{"complete at once without evidence", tasks.NotStarted, tasks.Completed, tasks.Evidence{}, "", "evidence", "needs a document number"},
		{"verify without evidence", tasks.Completed, tasks.Verified, tasks.Evidence{}, "", "evidence", "needs a document number"},
		{"suspend without reason", tasks.InProgress, tasks.Suspended, tasks.Evidence{}, "", "reason", "needs a reason"},
		{"suspend before start without reason", tasks.NotStarted, tasks.Suspended, tasks.Evidence{}, "", "reason", "needs a reason"},
		{"reopen without reason", tasks.Completed, tasks.InProgress, doc, "", "reason", "needs a reason"},
		{"withdraw verification without reason", tasks.Verified, tasks.InProgress, doc, "", "reason", "needs a reason"},
		{"withdraw verification without evidence", tasks.Verified, tasks.InProgress, tasks.Evidence{}, "falsified", "evidence", "needs a document number"},
		{"malformed file hash", tasks.InProgress, tasks.Completed, tasks.Evidence{SHA256: "abc"}, "", "evidence.sha256", "64 lower-case hex"},
		{"file without hash", tasks.InProgress, tasks.Completed, tasks.Evidence{File: "report.pdf"}, "", "evidence.sha256", "identified by its SHA-256"},
		{"control character", tasks.InProgress, tasks.Completed, tasks.Evidence{DocumentNo: "a\nb"}, "", "evidence.document_no", "control character"},
	}
	for _, tc := range table {
		t.Run(tc.name, func(t *testing.T) {
			p := reach(t, tc.from)
			_, err := tasks.Decide(p, admin, day(2016, 11, 1), tasks.ChangeStatus{Task: p.Task.ID, City: "140100", To: tc.to, Evidence: tc.ev, Reason: tc.reason})
			require.Error(t, err)
			require.Equal(t, domain.Invalid, domain.KindOf(err), "%v", err)
			require.Equal(t, tc.field, domain.FieldOf(err))
			require.Contains(t, err.Error(), tc.want)
		})
	}
	// Any one kind of evidence is enough.
	for _, ev := range []tasks.Evidence{{DocumentNo: "晋环函〔2016〕1号"}, {Reference: "archive 2016-77"},
		{SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", File: "验收报告.pdf"}} {
		p := reach(t, tasks.InProgress)
		_, err := tasks.Decide(p, admin, day(2016, 11, 1), tasks.ChangeStatus{Task: p.Task.ID, City: "140100", To: tasks.Completed, Evidence: ev})
		require.NoError(t, err, "%+v", ev)
	}
}

func TestWhoMayChange(t *testing.T) {
	p := reach(t, tasks.InProgress)
	for _, role := range []domain.Role{domain.Auditor, domain.Station, domain.Enforcement} {
		_, err := tasks.Decide(p, domain.Actor{ID: "x", Role: role}, day(2016, 11, 1), tasks.ChangeStatus{Task: p.Task.ID, City: "140100", To: tasks.Completed, Evidence: doc})
		require.Equal(t, domain.Forbidden, domain.KindOf(err), role)
	}
	for _, role := range []domain.Role{domain.Assessment, domain.Admin, domain.System} {
		_, err := tasks.Decide(p, domain.Actor{ID: "x", Role: role}, day(2016, 11, 1), tasks.ChangeStatus{Task: p.Task.ID, City: "140100", To: tasks.Completed, Evidence: doc})
		require.NoError(t, err, role)
	}
	// Separation of duties: the reporter of the completion may not verify it.
	c := reach(t, tasks.Completed)
	_, err := tasks.Decide(c, reporter, day(2016, 11, 1), tasks.ChangeStatus{Task: c.Task.ID, City: "140100", To: tasks.Verified, Evidence: doc})
	require.Equal(t, domain.Forbidden, domain.KindOf(err))
	require.Contains(t, err.Error(), "li.na recorded the completion and may not verify it")
	_, err = tasks.Decide(c, domain.Actor{ID: "", Role: domain.Admin}, day(2016, 11, 1), tasks.ChangeStatus{Task: c.Task.ID, City: "140100", To: tasks.Verified, Evidence: doc})
	require.Equal(t, "actor.id", domain.FieldOf(err))
}

func TestUnitsAndDates(t *testing.T) {
	city := cityTask(t)
	own := task(t, "T-2-1-3-3a") // a provincial department's own plan
	require.Equal(t, plan.Province, own.Governments.Reach)
	taiyuanOnly := task(t, "T-2-4-4-1c")

	table := []struct {
		name  string
		p     tasks.Progress
		city  domain.CityID
		kind  domain.Kind
		field string
		want  string
	}{
		{"not listed", tasks.Progress{}, "140100", domain.NotFound, "task", "is not listed"},
		{"province task with a city", tasks.NewProgress(own, ""), "140100", domain.Invalid, "city", "the province's own task"},
		{"city task without a city", tasks.NewProgress(city, ""), "", domain.Invalid, "city", "name the city"},
		{"unknown city", tasks.NewProgress(city, "990000"), "990000", domain.Invalid, "city", "not one of Shanxi's 11"},
		{"city not responsible", tasks.NewProgress(taiyuanOnly, "140200"), "140200", domain.Invalid, "city", "140200 (大同) does not answer for T-2-4-4-1c"},
	}
	for _, tc := range table {
		t.Run(tc.name, func(t *testing.T) {
			id := tc.p.Task.ID
			if id == "" {
				id = city.ID
			}
			_, err := tasks.Decide(tc.p, admin, day(2016, 5, 1), tasks.ChangeStatus{Task: id, City: tc.city, To: tasks.InProgress})
			require.Equal(t, tc.kind, domain.KindOf(err), "%v", err)
			require.Equal(t, tc.field, domain.FieldOf(err))
			require.Contains(t, err.Error(), tc.want)
		})
	}
	_, err := tasks.Decide(tasks.NewProgress(own, ""), admin, day(2016, 5, 1), tasks.ChangeStatus{Task: own.ID, To: tasks.InProgress})
	require.NoError(t, err)
	require.Equal(t, []domain.CityID{""}, tasks.Units(own))
	require.Equal(t, []domain.CityID{"140100"}, tasks.Units(taiyuanOnly))
	require.Len(t, tasks.Units(city), 11)

	// A change dated before the last one is refused; the same date is fine.
	p := reach(t, tasks.InProgress)
	_, err = tasks.Decide(p, admin, day(2016, 2, 1), tasks.ChangeStatus{Task: p.Task.ID, City: "140100", To: tasks.Completed, Evidence: doc})
	require.Equal(t, domain.Conflict, domain.KindOf(err))
	require.Contains(t, err.Error(), "record changes in the order they happened")
	_, err = tasks.Decide(p, admin, day(2016, 3, 1), tasks.ChangeStatus{Task: p.Task.ID, City: "140100", To: tasks.Completed, Evidence: doc})
	require.NoError(t, err)
	_, err = tasks.Decide(p, admin, time.Time{}, tasks.ChangeStatus{Task: p.Task.ID, City: "140100", To: tasks.Completed, Evidence: doc})
	require.Equal(t, "occurred_at", domain.FieldOf(err))
	_, err = tasks.Decide(p, admin, day(2016, 3, 1), tasks.ChangeStatus{Task: p.Task.ID, City: "140100", To: "done"})
	require.Equal(t, domain.Invalid, domain.KindOf(err))
	require.Equal(t, "to", domain.FieldOf(err))
}

func d(y, m, dd int) plan.Date { return plan.NewDate(y, time.Month(m), dd) }

// Overdue, on time, late and recorded late are derived from the deadline
// (2016-12-31) and the day asked about.
func TestTiming(t *testing.T) {
	p := tasks.NewProgress(cityTask(t), "140100")
	st := p.On(d(2016, 12, 31))
	require.True(t, st.Due)
	require.False(t, st.Overdue, "due by the end of the deadline day")
	st = p.On(d(2017, 1, 1))
	require.True(t, st.Overdue)
	require.Equal(t, 1, st.DaysOverdue)
	require.Equal(t, 31, p.On(d(2017, 1, 31)).DaysOverdue)
	require.False(t, p.On(d(2016, 6, 1)).Due)

	// Completed on the deadline day, recorded a month later: on time, recorded late.
	done := tasks.NewProgress(cityTask(t), "140100")
	c, err := tasks.Decide(done, reporter, day(2016, 12, 31), tasks.ChangeStatus{Task: done.Task.ID, City: "140100", To: tasks.Completed, Evidence: doc})
	require.NoError(t, err)
	done.Apply(tasks.Entry{OccurredAt: day(2016, 12, 31), RecordedAt: day(2017, 2, 1), Actor: reporter, Change: c})
	st = done.On(d(2017, 6, 1))
	require.True(t, st.OnTime)
	require.True(t, st.RecordedLate)
	require.False(t, st.Overdue || st.Late)
	require.Equal(t, tasks.NotStarted, done.On(d(2016, 12, 30)).Status, "the completion is dated the 31st")

	// Completed after the deadline: late, not overdue; verification keeps the completion's date.
	late := tasks.NewProgress(cityTask(t), "140100")
	apply(t, &late, reporter, day(2017, 3, 1), tasks.Completed, doc, "")
	require.True(t, late.On(d(2017, 2, 1)).Overdue)
	st = late.On(d(2017, 3, 1))
	require.True(t, st.Late)
	require.False(t, st.Overdue || st.OnTime || st.RecordedLate)
	apply(t, &late, verifier, day(2017, 4, 1), tasks.Verified, doc, "")
	st = late.On(d(2017, 5, 1))
	require.Equal(t, tasks.Verified, st.Status)
	require.True(t, st.Late)
	require.Equal(t, day(2017, 3, 1), st.Completed)

	// Reopened: no longer done, overdue again; completed again late.
	re := reach(t, tasks.Completed)
	require.True(t, re.On(d(2017, 1, 5)).OnTime)
	apply(t, &re, verifier, day(2017, 1, 10), tasks.InProgress, tasks.Evidence{}, "verification found the plan not carried out")
	st = re.On(d(2017, 1, 10))
	require.True(t, st.Overdue)
	require.Nil(t, re.Completion)
	require.Equal(t, "verification found the plan not carried out", st.Reason)
	require.True(t, re.On(d(2017, 1, 9)).OnTime, "as it stood before the reopening")

	// Suspended: not overdue. Resumed: the suspension's reason goes with it.
	s := reach(t, tasks.Suspended)
	require.False(t, s.On(d(2018, 1, 1)).Overdue)
	// Suspended only after its deadline: still overdue, a missed deadline is
	// not undone.
	missed := tasks.NewProgress(cityTask(t), "140100")
	apply(t, &missed, reporter, day(2019, 3, 1), tasks.Suspended, tasks.Evidence{}, "superseded")
	require.Equal(t, tasks.Suspended, missed.On(d(2019, 3, 2)).Status)
	require.True(t, missed.On(d(2019, 3, 2)).Overdue)
	require.Equal(t, "superseded by the national list", s.On(d(2016, 4, 1)).Reason)
	apply(t, &s, reporter, day(2016, 5, 1), tasks.InProgress, tasks.Evidence{}, "")
	require.Empty(t, s.On(d(2016, 5, 2)).Reason)

	// A task without a deadline is never due.
	standing := tasks.NewProgress(task(t, "T-2-1-1-2"), "140100")
	require.True(t, standing.Task.Deadline.IsZero())
	st = standing.On(d(2030, 1, 1))
	require.False(t, st.Due || st.Overdue)
}

func TestListed(t *testing.T) {
	for _, tk := range plan.Tasks() {
		l := tasks.ListedFrom(tk)
		require.NoError(t, l.Validate(), tk.ID)
		b, err := json.Marshal(l)
		require.NoError(t, err)
		var back tasks.Listed
		require.NoError(t, json.Unmarshal(b, &back))
		require.Equal(t, tk, back.Task(), tk.ID)
	}
	tk := cityTask(t)
	l := tasks.ListedFrom(tk)
	l.Text = "并非计划原文"
	err := l.Validate()
	require.Equal(t, "text", domain.FieldOf(err))
	require.Contains(t, err.Error(), "task.listed: text: not found verbatim")

	sys := domain.Actor{ID: "ledger", Role: domain.System}
	got, err := tasks.DecideList(nil, sys, tk)
	require.NoError(t, err)
	require.Equal(t, tasks.ListedFrom(tk), *got)
	got, err = tasks.DecideList(got, sys, tk)
	require.NoError(t, err)
	require.Nil(t, got, "already listed as it is")
	other := tasks.ListedFrom(task(t, "T-2-1-1-3"))
	other.ID = tk.ID
	_, err = tasks.DecideList(&other, sys, tk)
	require.Equal(t, domain.Conflict, domain.KindOf(err))
	_, err = tasks.DecideList(nil, reporter, tk)
	require.Equal(t, domain.Forbidden, domain.KindOf(err))
}

// A reopening that finds the completion untrue takes its credit away from
// every day, the deadline's included; one that does not keeps it. Only a
// done unit's reopening may say so.
func TestCompletionFoundUntrue(t *testing.T) {
	reopen := func(untrue bool) tasks.Progress {
		p := reach(t, tasks.Verified) // completed 2016-09-01, verified 2016-10-01, due 2016-12-31
		c, err := tasks.Decide(p, verifier, day(2017, 2, 1), tasks.ChangeStatus{Task: p.Task.ID, City: p.City, To: tasks.InProgress,
			Evidence: doc, Reason: "验收核查发现完成报告不实", CompletionUntrue: untrue})
		require.NoError(t, err)
		require.Equal(t, untrue, c.CompletionUntrue)
		p.Apply(tasks.Entry{OccurredAt: day(2017, 2, 1), RecordedAt: day(2017, 2, 1), Actor: verifier, Change: c})
		return p
	}
	kept := reopen(false)
	require.True(t, kept.On(d(2016, 12, 31)).OnTime, "a true completion, reopened later, was on time")

	found := reopen(true)
	st := found.On(d(2016, 12, 31))
	require.False(t, st.OnTime)
	require.Equal(t, tasks.InProgress, st.Status, "as if never completed")
	require.True(t, found.On(d(2017, 1, 5)).Overdue)
	require.True(t, found.On(d(2017, 3, 1)).Overdue)

	p := reach(t, tasks.InProgress)
	_, err := tasks.Decide(p, verifier, day(2017, 2, 1), tasks.ChangeStatus{Task: p.Task.ID, City: p.City, To: tasks.Suspended, Reason: "x", CompletionUntrue: true})
	require.Equal(t, domain.Invalid, domain.KindOf(err), "%v", err)
	require.Equal(t, "completion_untrue", domain.FieldOf(err))
}
