package notify_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/enforcement"
	"github.com/shanxi-water/ledger/domain/monitoring"
	"github.com/shanxi-water/ledger/domain/plan"
	"github.com/shanxi-water/ledger/domain/water"
	"github.com/shanxi-water/ledger/events/jetstream"
	"github.com/shanxi-water/ledger/notify"
	"github.com/shanxi-water/ledger/projections"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

var admin = domain.Actor{ID: "admin", Role: domain.Admin}

// Notifications arrive on plain NATS subjects for events stored after the
// notifier started: exceedances, cards, newly overdue tasks.
func TestNotificationsOnNATS(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, c := sectionAndCatalogue(t)
	// An old exceedance, before the notifier: not notified.
	_, err := app.ImportSamples(ctx, s, admin, strings.NewReader("section,sampled_at,source,NH3N\nFH-HJDQ,2017-01-02 09:00,manual,3.0\n"), app.ImportOptions{Now: c.Now()})
	require.NoError(t, err)

	got := make(chan notify.Notification, 1000)
	sub, err := s.Conn().Subscribe("notify.>", func(m *nats.Msg) {
		var n notify.Notification
		if json.Unmarshal(m.Data, &n) == nil && m.Subject == notify.Subject(n.Scope, n.Kind) {
			got <- n
		}
	})
	require.NoError(t, err)
	defer sub.Unsubscribe()

	from, err := s.LastPosition(ctx)
	require.NoError(t, err)
	n := notify.New(s.Conn().Publish, from, c.Now)
	live := projections.NewLive(s, n)
	go live.Run(ctx)
	require.True(t, live.WaitFor(ctx, from, 10*time.Second))
	require.Zero(t, n.CheckOverdue(), "the first check only notes what is already overdue")

	// A new upload: one sample within target (IV), one worse (劣V).
	c.Set(time.Date(2017, 2, 1, 9, 0, 0, 0, domain.CST))
	res, err := app.ImportSamples(ctx, s, admin, strings.NewReader("section,sampled_at,source,NH3N\nFH-HJDQ,2017-01-20 09:00,manual,1.4\nFH-HJDQ,2017-01-25 09:00,auto,2.6\n"), app.ImportOptions{Now: c.Now()})
	require.NoError(t, err)
	require.True(t, live.WaitFor(ctx, res.LastPosition, 10*time.Second))
	x := <-got
	require.Equal(t, notify.Exceedance, x.Kind)
	require.Equal(t, domain.Scope("140800"), x.Scope)
	require.Equal(t, "FH-HJDQ", x.Subject)
	require.Contains(t, x.Summary, "sample worse than V, target class IV")
	require.Equal(t, res.LastPosition, x.Position)

	// A yellow card.
	reg := enforcement.EnterpriseRegistered{Name: "运城市某焦化有限公司", PermitNo: "91140800PERMIT001", City: "140800", Industry: "焦化", KeyDischarger: true}
	_, err = app.RegisterEnterprise(ctx, s, admin, c.Now(), reg)
	require.NoError(t, err)
	agg := app.EnterpriseAggregate("140800", reg.ID())
	_, err = app.RecordInspection(ctx, s, admin, c.Now(), agg, enforcement.Inspected{DocumentNo: "运环监〔2017〕5号", Authority: "运城市环境保护局",
		Findings: []enforcement.Finding{enforcement.OverStandard}, Measurements: []enforcement.Measurement{{Item: "COD", Measured: 180, Limit: 100, Unit: "mg/L", Basis: enforcement.Standard}}})
	require.NoError(t, err)
	card, err := app.IssueYellowCard(ctx, s, admin, c.Now(), agg, enforcement.YellowCardIssued{DocumentNo: "运环罚〔2017〕9号", Authority: "运城市环境保护局",
		Inspection: "运环监〔2017〕5号", Measure: enforcement.LimitProduction, Deadline: plan.NewDate(2017, time.May, 31)})
	require.NoError(t, err)
	require.True(t, live.WaitFor(ctx, card.Position, 10*time.Second))
	x = <-got
	require.Equal(t, notify.CardIssued, x.Kind)
	require.Contains(t, x.Summary, "运环罚〔2017〕9号")
	require.Equal(t, card.ID.String(), x.EventID)

	// A correction that makes a sample worse than its target.
	fix, err := app.CorrectSample(ctx, s, admin, app.SectionAggregate("140800", "FH-HJDQ"), monitoring.Sample{At: time.Date(2017, 1, 20, 9, 0, 0, 0, domain.CST),
		Source: monitoring.Manual, Values: water.Values{water.NH3N: 2.4}}, "实验室复核", c.Now())
	require.NoError(t, err)
	require.True(t, live.WaitFor(ctx, fix.Position, 10*time.Second))
	x = next(t, got)
	require.Equal(t, notify.Exceedance, x.Kind)
	require.Equal(t, fix.Position, x.Position)
	require.Contains(t, x.Summary, "manual sample worse than V, target class IV")
	// Corrected again, still worse than V and no worse: not notified twice.
	again, err := app.CorrectSample(ctx, s, admin, app.SectionAggregate("140800", "FH-HJDQ"), monitoring.Sample{At: time.Date(2017, 1, 20, 9, 0, 0, 0, domain.CST),
		Source: monitoring.Manual, Values: water.Values{water.NH3N: 2.4, water.DO: 6}}, "补录溶解氧", c.Now())
	require.NoError(t, err)
	require.True(t, live.WaitFor(ctx, again.Position, 10*time.Second))

	// Time passes: tasks due by the end of 2016 and 2017 become overdue, once each.
	c.Set(time.Date(2018, 1, 2, 9, 0, 0, 0, domain.CST))
	var sent int
	live.View(func() { sent = n.CheckOverdue() })
	require.Positive(t, sent)
	live.View(func() { require.Zero(t, n.CheckOverdue(), "each unit is notified once") })
	overdue := 0
	timeout := time.After(10 * time.Second)
	for overdue < sent {
		select {
		case x := <-got:
			require.Equal(t, notify.TaskOverdue, x.Kind)
			overdue++
		case <-timeout:
			t.Fatalf("%d of %d overdue notifications arrived", overdue, sent)
		}
	}
	select {
	case x := <-got:
		t.Fatalf("one more notification than sent: %+v", x)
	case <-time.After(200 * time.Millisecond):
	}
	require.Zero(t, n.Failed())
}

// next is the next notification, or a failure after ten seconds.
func next(t *testing.T, got chan notify.Notification) notify.Notification {
	t.Helper()
	select {
	case x := <-got:
		return x
	case <-time.After(10 * time.Second):
		t.Fatal("no notification")
	}
	return notify.Notification{}
}

// sectionAndCatalogue is a store on 5 January 2017 with a section of
// Yuncheng's (target IV in 2017) and the plan's task catalogue.
func sectionAndCatalogue(t *testing.T) (*jetstream.Store, *clock) {
	t.Helper()
	ctx := context.Background()
	c := &clock{t: time.Date(2017, 1, 5, 9, 0, 0, 0, domain.CST)}
	s, err := jetstream.Open(ctx, jetstream.Config{DataDir: t.TempDir(), Registry: app.Registry(), Clock: c.Now})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	_, err = app.Register(ctx, s, admin, c.Now(), app.SectionRegistration(monitoring.SectionRegistered{ID: "FH-HJDQ", Name: "河津大桥",
		River: "汾河", Basin: domain.Yellow, City: "140800", Kind: water.River, Level: monitoring.National, Assessed: true,
		Targets: monitoring.Targets{2017: water.ClassIV}}))
	require.NoError(t, err)
	_, err = app.LoadCatalogue(ctx, s, admin, c.Now())
	require.NoError(t, err)
	return s, c
}

// Two ledger servers following one log, claiming in one bucket, send each
// notification once between them: the exceedances of an upload and the
// task units newly overdue.
func TestTwoServersNotifyOnce(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, c := sectionAndCatalogue(t)
	claims, err := notify.KVClaims(ctx, s.JetStream(), "test-notify-sent", 1)
	require.NoError(t, err)
	from, err := s.LastPosition(ctx)
	require.NoError(t, err)

	var mu sync.Mutex
	sent := map[string]int{} // subject and body's summary: times sent
	var servers []*notify.Notifier
	var lives []*projections.Live
	for range 2 {
		n := notify.New(func(subject string, data []byte) error {
			var x notify.Notification
			require.NoError(t, json.Unmarshal(data, &x))
			mu.Lock()
			sent[subject+" "+x.Subject+" "+x.Summary]++
			mu.Unlock()
			return nil
		}, from, c.Now)
		n.UseClaims(claims)
		live := projections.NewLive(s, n)
		go live.Run(ctx)
		require.True(t, live.WaitFor(ctx, from, 10*time.Second))
		require.Zero(t, n.CheckOverdue())
		servers, lives = append(servers, n), append(lives, live)
	}

	c.Set(time.Date(2017, 2, 1, 9, 0, 0, 0, domain.CST))
	// Two samples at the same time, manual and automatic: two notifications.
	res, err := app.ImportSamples(ctx, s, admin, strings.NewReader("section,sampled_at,source,NH3N\nFH-HJDQ,2017-01-20 09:00,manual,2.6\nFH-HJDQ,2017-01-20 09:00,auto,2.7\n"), app.ImportOptions{Now: c.Now()})
	require.NoError(t, err)
	for _, l := range lives {
		require.True(t, l.WaitFor(ctx, res.LastPosition, 10*time.Second))
	}
	c.Set(time.Date(2018, 1, 2, 9, 0, 0, 0, domain.CST))
	overdue := 0
	for i, n := range servers {
		lives[i].View(func() { overdue = n.CheckOverdue() }) // the same units on both
	}
	for _, n := range servers {
		n.Flush() // claimed and sent off the models' lock
	}
	mu.Lock()
	defer mu.Unlock()
	exceedances := 0
	for k, times := range sent {
		require.Equal(t, 1, times, "sent once: %s", k)
		if strings.Contains(k, notify.Exceedance) {
			exceedances++
		}
	}
	require.Equal(t, 2, exceedances, "the two samples worse than their target")
	require.Positive(t, overdue)
	require.Len(t, sent, exceedances+overdue)
}
