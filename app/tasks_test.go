package app_test

import (
	"context"
	"fmt"
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
)

// stepClock is the store's clock for recorded-at: tests move it forward to
// record history on the dates it was recorded.
type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// To moves the clock to t (never back).
func (c *stepClock) To(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.t) {
		c.t = t
	}
}

// openClocked opens a new embedded store whose clock starts at start.
func openClocked(t *testing.T, start time.Time) (*jetstream.Store, *stepClock) {
	t.Helper()
	c := &stepClock{t: start}
	s, err := jetstream.Open(context.Background(), jetstream.Config{DataDir: t.TempDir(), Registry: app.Registry(), Clock: c.Now})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s, c
}

// when is a Shanxi date at 10:00.
func when(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 10, 0, 0, 0, domain.CST) }

var (
	ledgerSystem = domain.Actor{ID: "ledger", Role: domain.System}
	assessor     = domain.Actor{ID: "li.na", Role: domain.Assessment}
	checker      = domain.Actor{ID: "wang.fang", Role: domain.Assessment}
)

func TestLoadCatalogue(t *testing.T) {
	ctx := context.Background()
	s, _ := openClocked(t, when(2016, 1, 5))
	_, err := app.LoadCatalogue(ctx, s, assessor, when(2016, 1, 4))
	require.Equal(t, domain.Forbidden, domain.KindOf(err))

	evs, err := app.LoadCatalogue(ctx, s, ledgerSystem, when(2016, 1, 4))
	require.NoError(t, err)
	catalogue := plan.Tasks()
	require.Len(t, evs, len(catalogue))
	for i, e := range evs {
		require.Equal(t, app.TaskListed, e.Name)
		require.Equal(t, app.TaskAggregate(catalogue[i].ID, ""), e.Aggregate)
		require.Equal(t, domain.Province, e.Aggregate.Scope)
		require.Equal(t, uint64(1), e.Version)
	}
	// Read back through the store's codec, every entry is the catalogue's.
	n := 0
	require.NoError(t, s.Read(ctx, events.Query{Names: []events.Name{app.TaskListed}}, func(e events.Event) error {
		l := e.Data.(tasks.Listed)
		want, ok := plan.Lookup(l.ID)
		require.True(t, ok)
		require.Equal(t, want, l.Task())
		n++
		return nil
	}))
	require.Equal(t, len(catalogue), n)

	before := lastPosition(t, s)
	again, err := app.LoadCatalogue(ctx, s, ledgerSystem, when(2016, 1, 5))
	require.NoError(t, err)
	require.Empty(t, again)
	require.Equal(t, before, lastPosition(t, s), "loading again stores nothing")
}

// cityTasks are the catalogue's tasks every city answers for, with a deadline.
func cityTasks() []plan.Task {
	var out []plan.Task
	for _, t := range plan.Tasks() {
		if t.Governments.Reach == plan.AllCities && !t.Deadline.IsZero() {
			out = append(out, t)
		}
	}
	return out
}

// Every pair of statuses through the real store: each unit (a city task in
// Taiyuan) is brought to the first status, then the second is asked for; an
// allowed change is stored on the city's aggregate, a refused one stores
// nothing and says why.
func TestTaskTransitionsThroughTheStore(t *testing.T) {
	ctx := context.Background()
	s, clock := openClocked(t, when(2016, 1, 5))
	_, err := app.LoadCatalogue(ctx, s, ledgerSystem, when(2016, 1, 4))
	require.NoError(t, err)
	clock.To(when(2016, 12, 1))

	doc := tasks.Evidence{DocumentNo: "并政办发〔2016〕12号"}
	paths := map[tasks.Status][]tasks.ChangeStatus{
		tasks.NotStarted: nil,
		tasks.InProgress: {{To: tasks.InProgress}},
		tasks.Completed:  {{To: tasks.InProgress}, {To: tasks.Completed, Evidence: doc}},
		tasks.Verified:   {{To: tasks.InProgress}, {To: tasks.Completed, Evidence: doc}, {To: tasks.Verified, Evidence: doc}},
		tasks.Suspended:  {{To: tasks.Suspended, Reason: "merged into the national programme"}},
	}
	allowed := map[[2]tasks.Status]bool{}
	for _, r := range tasks.Rules() {
		allowed[[2]tasks.Status{r.From, r.To}] = true
	}
	units := cityTasks()
	i := 0
	for _, from := range tasks.Statuses {
		for _, to := range tasks.Statuses {
			task := units[i]
			i++
			t.Run(fmt.Sprintf("%s→%s", from, to), func(t *testing.T) {
				for j, step := range paths[from] {
					step.Task, step.City = task.ID, "140100"
					by := assessor
					if step.To == tasks.Verified {
						by = checker
					}
					_, err := app.ChangeTaskStatus(ctx, s, by, when(2016, 3, 1+j), step)
					require.NoError(t, err)
				}
				before := lastPosition(t, s)
				e, err := app.ChangeTaskStatus(ctx, s, domain.Actor{ID: "admin", Role: domain.Admin}, when(2016, 6, 1),
					tasks.ChangeStatus{Task: task.ID, City: "140100", To: to, Evidence: doc, Reason: "stated"})
				if !allowed[[2]tasks.Status{from, to}] {
					require.Error(t, err)
					require.Equal(t, domain.Conflict, domain.KindOf(err), "%v", err)
					require.Equal(t, before, lastPosition(t, s), "nothing stored")
					return
				}
				require.NoError(t, err)
				require.Equal(t, app.TaskStatusChanged, e.Name)
				require.Equal(t, app.TaskAggregate(task.ID, "140100"), e.Aggregate)
				require.Equal(t, uint64(len(paths[from])+1), e.Version)
				c := e.Data.(tasks.StatusChanged)
				require.Equal(t, from, c.From)
				require.Equal(t, to, c.To)
				p, version, err := app.LoadTaskProgress(ctx, s, task.ID, "140100")
				require.NoError(t, err)
				require.Equal(t, to, p.Status)
				require.Equal(t, e.Version, version)
			})
		}
	}
}

func TestTaskCommandsThroughTheStore(t *testing.T) {
	ctx := context.Background()
	s, clock := openClocked(t, when(2016, 1, 5))
	_, err := app.ChangeTaskStatus(ctx, s, assessor, when(2016, 1, 5), tasks.ChangeStatus{Task: "T-2-1-1-1", City: "140100", To: tasks.InProgress})
	require.Equal(t, domain.NotFound, domain.KindOf(err), "not listed yet")
	_, err = app.LoadCatalogue(ctx, s, ledgerSystem, when(2016, 1, 4))
	require.NoError(t, err)
	clock.To(when(2017, 6, 1))

	// The province's own task: its progress follows its listing in one aggregate.
	own := plan.TaskID("T-2-1-3-3a")
	e, err := app.ChangeTaskStatus(ctx, s, assessor, when(2016, 4, 1), tasks.ChangeStatus{Task: own, To: tasks.InProgress})
	require.NoError(t, err)
	require.Equal(t, app.TaskAggregate(own, ""), e.Aggregate)
	require.Equal(t, uint64(2), e.Version)
	_, err = app.ChangeTaskStatus(ctx, s, assessor, when(2016, 4, 1), tasks.ChangeStatus{Task: own, City: "140100", To: tasks.InProgress})
	require.Equal(t, domain.Invalid, domain.KindOf(err))
	require.Equal(t, "city", domain.FieldOf(err))

	// A city task's unit is the city's aggregate, filed under the city's scope.
	city := plan.TaskID("T-2-1-1-1")
	_, err = app.ChangeTaskStatus(ctx, s, assessor, when(2016, 4, 1), tasks.ChangeStatus{Task: city, To: tasks.InProgress})
	require.Equal(t, "city", domain.FieldOf(err))
	_, err = app.ChangeTaskStatus(ctx, s, assessor, when(2016, 4, 1), tasks.ChangeStatus{Task: city, City: "999999", To: tasks.InProgress})
	require.Equal(t, domain.Invalid, domain.KindOf(err))
	_, err = app.ChangeTaskStatus(ctx, s, assessor, when(2016, 11, 1), tasks.ChangeStatus{Task: city, City: "140800", To: tasks.Completed,
		Evidence: tasks.Evidence{SHA256: "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae", File: "取缔十小企业验收报告.pdf"}})
	require.NoError(t, err)
	_, err = app.ChangeTaskStatus(ctx, s, assessor, when(2016, 12, 1), tasks.ChangeStatus{Task: city, City: "140800", To: tasks.Verified, Evidence: tasks.Evidence{DocumentNo: "验收 2016-12"}})
	require.Equal(t, domain.Forbidden, domain.KindOf(err), "the reporter may not verify")
	_, err = app.ChangeTaskStatus(ctx, s, checker, when(2016, 12, 1), tasks.ChangeStatus{Task: city, City: "140800", To: tasks.Verified, Evidence: tasks.Evidence{DocumentNo: "验收 2016-12"}})
	require.NoError(t, err)
	var yuncheng []events.Event
	require.NoError(t, s.Read(ctx, events.Query{Scopes: []domain.Scope{"140800"}, Types: []events.AggregateType{app.TaskType}}, func(e events.Event) error {
		yuncheng = append(yuncheng, e)
		return nil
	}))
	require.Len(t, yuncheng, 2, "one city's progress is a scope filter")
	require.Equal(t, assessor, yuncheng[0].Actor)
	require.Equal(t, when(2016, 11, 1), yuncheng[0].OccurredAt.In(domain.CST))

	// Occurred-at in the store's future is refused by the store.
	_, err = app.ChangeTaskStatus(ctx, s, assessor, when(2018, 1, 1), tasks.ChangeStatus{Task: city, City: "140100", To: tasks.InProgress})
	require.Error(t, err)
}

// Two people record the same change of one unit at once: one is stored, the
// other is refused as a conflict (the version moved, or the status is
// already what it asks for); the unit's history never forks.
func TestConcurrentChangesOfOneUnit(t *testing.T) {
	ctx := context.Background()
	s, clock := openClocked(t, when(2016, 1, 5))
	_, err := app.LoadCatalogue(ctx, s, ledgerSystem, when(2016, 1, 4))
	require.NoError(t, err)
	clock.To(when(2016, 6, 1))
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = app.ChangeTaskStatus(ctx, s, assessor, when(2016, 5, 1), tasks.ChangeStatus{Task: "T-2-1-1-1", City: "140900", To: tasks.InProgress})
		}()
	}
	wg.Wait()
	stored := 0
	for _, err := range errs {
		if err == nil {
			stored++
			continue
		}
		require.Equal(t, domain.Conflict, domain.KindOf(err), "%v", err)
	}
	require.Equal(t, 1, stored)
	p, version, err := app.LoadTaskProgress(ctx, s, "T-2-1-1-1", "140900")
	require.NoError(t, err)
	require.Equal(t, uint64(1), version)
	require.Len(t, p.History, 1)
}
