// Package notify publishes notifications on plain NATS subjects, so that any
// NATS client can subscribe to what needs attention:
//
//	notify.<city>.exceedance   a sample (uploaded or corrected) worse than its
//	                           section's target class
//	notify.<city>.card_issued  a yellow or red card issued to an enterprise
//	notify.<city>.task_overdue a city's task unit newly past its deadline
//	                           (<city> is "province" for the province's own tasks)
//
// Each message is a JSON Notification. Subjects are outside the ledger's
// stream (ledger.>): notifications are not events, they are derived from
// them, and only for events stored after the notifier started.
//
// It depends on events, domain and the read models it reuses.
package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/enforcement"
	"github.com/shanxi-water/ledger/domain/monitoring"
	"github.com/shanxi-water/ledger/domain/plan"
	"github.com/shanxi-water/ledger/domain/water"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/projections/taskboard"
)

// Prefix is the first token of every notification subject.
const Prefix = "notify"

// Kinds of notification.
const (
	Exceedance  = "exceedance"
	CardIssued  = "card_issued"
	TaskOverdue = "task_overdue"
)

// Notification is the body of every message.
type Notification struct {
	Kind       string         `json:"kind"`
	Scope      domain.Scope   `json:"scope"`
	Subject    string         `json:"subject"` // section, enterprise or task
	Summary    string         `json:"summary"`
	At         time.Time      `json:"at"`
	Position   uint64         `json:"position,omitempty"` // the event behind it
	EventID    string         `json:"event_id,omitempty"`
	Details    map[string]any `json:"details,omitempty"`
	NotifiedAt time.Time      `json:"notified_at"`
}

// key is what makes a notification the same one whichever ledger process
// sends it: its kind, scope, subject and summary (which says a sample's
// source), and the event behind it with the time it is about, or for an
// overdue unit its deadline.
func (x Notification) key() string {
	k := x.Kind + "|" + string(x.Scope) + "|" + x.Subject + "|" + x.Summary + "|" + x.EventID + "|"
	if x.EventID != "" {
		return k + x.At.UTC().Format(time.RFC3339Nano)
	}
	return k + fmt.Sprint(x.Details["deadline"])
}

// Publisher sends a message; *nats.Conn's Publish fits.
type Publisher func(subject string, data []byte) error

// Notifier is a projection that publishes notifications for events after
// a start position, and checks the task board for new overdue units.
type Notifier struct {
	publish Publisher
	from    uint64 // events at or before it were there before the notifier
	now     func() time.Time

	mu       sync.Mutex
	sections map[monitoring.SectionID]monitoring.SectionRegistered
	board    *taskboard.Board
	overdue  map[string]bool // units already reported
	primed   bool
	checked  plan.Date // the last day checked for overdue units, kept in snapshots
	days     DayStore  // keeps checked as it moves, if set
	claims   Claimer   // decides which process sends each notification, if set
	outbox   outbox
	failed   atomic.Int64 // messages not published, claims not made, days not kept
}

// outbox holds the notifications waiting for their claims (UseClaims).
type outbox struct {
	mu      sync.Mutex
	queued  []Notification // waiting for their claim
	pending int            // queued or being claimed
	drained chan struct{}  // closed when pending falls to 0; nil while it is 0
	wake    chan struct{}  // something was queued
	stop    chan struct{}  // closed by Close
	exited  chan struct{}  // closed when the claiming goroutine has returned
	stopped bool
	dropped int                // not sent: queued or being claimed when closed
	cancel  context.CancelFunc // ends a claim under way, on Close
}

// Claimer decides which of the ledger processes following one log sends
// a notification: Claim is true for the first to claim its key.
type Claimer interface {
	Claim(ctx context.Context, key string) (bool, error)
}

// UseClaims has the notifier send only the notifications it is first to
// claim: several ledger servers on one log then send each once. Claims are
// made, and notifications sent, by a goroutine of the notifier's own.
func (n *Notifier) UseClaims(c Claimer) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.claims != nil {
		return
	}
	n.claims = c
	ctx, cancel := context.WithCancel(context.Background())
	n.outbox.wake, n.outbox.stop, n.outbox.exited, n.outbox.cancel = make(chan struct{}, 1), make(chan struct{}), make(chan struct{}), cancel
	go n.claimAndDeliver(ctx, c)
}

// UseDayStore keeps the last day checked in ds as soon as it moves, and
// starts from the day ds holds (rather than a snapshot's, which may be
// older).
func (n *Notifier) UseDayStore(ds DayStore) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.days = ds
}

// New returns a notifier that publishes for events after position from.
func New(publish Publisher, from uint64, now func() time.Time) *Notifier {
	if now == nil {
		now = time.Now
	}
	return &Notifier{publish: publish, from: from, now: now,
		sections: map[monitoring.SectionID]monitoring.SectionRegistered{}, board: taskboard.New(), overdue: map[string]bool{}}
}

// Subject is the subject of a kind of notification about a scope.
func Subject(scope domain.Scope, kind string) string {
	return Prefix + "." + string(scope) + "." + kind
}

// send publishes a notification (n.mu held). With claims, it is handed to
// the notifier's own goroutine, which claims it and publishes it if this
// process is first: a claim is a round trip to the server, and the live
// read models are locked while events are applied.
func (n *Notifier) send(x Notification) {
	x.NotifiedAt = n.now().UTC()
	if n.claims == nil {
		n.deliver(x)
		return
	}
	// Queued without bound: the events behind it never wait (an upload of
	// 98,000 exceedances filled a bounded queue and held every read).
	o := &n.outbox
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.stopped {
		n.failed.Add(1) // after Close: not sent
		return
	}
	if o.pending == 0 {
		o.drained = make(chan struct{})
	}
	o.pending++
	o.queued = append(o.queued, x)
	select {
	case o.wake <- struct{}{}:
	default: // already woken
	}
}

// drop counts k notifications handed over as not sent, the notifier closed.
func (o *outbox) drop(k int) {
	o.mu.Lock()
	o.dropped += k
	o.mu.Unlock()
	o.done(k)
}

// done counts k notifications handed over as claimed and sent (or found
// another process's), or dropped.
func (o *outbox) done(k int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.pending -= k
	if o.pending == 0 && o.drained != nil {
		close(o.drained)
		o.drained = nil
	}
}

// deliver publishes a notification.
func (n *Notifier) deliver(x Notification) {
	b, _ := json.Marshal(x)
	if err := n.publish(Subject(x.Scope, x.Kind), b); err != nil {
		n.failed.Add(1)
	}
}

// claimAndDeliver sends what reaches the outbox, each once between the
// processes claiming in one bucket, until Close.
func (n *Notifier) claimAndDeliver(ctx context.Context, claims Claimer) {
	o := &n.outbox
	defer close(o.exited)
	for {
		select {
		case <-o.stop:
			return
		case <-o.wake:
		}
		o.mu.Lock()
		batch := o.queued
		o.queued = nil
		o.mu.Unlock()
		for i, x := range batch {
			cctx, cancel := context.WithTimeout(ctx, storeTimeout)
			first, err := claims.Claim(cctx, x.key())
			cancel()
			if ctx.Err() != nil {
				if err == nil && first {
					n.deliver(x) // claimed: no other process will send it
					i++
				}
				o.drop(len(batch) - i) // closed: the rest are not sent
				return
			}
			if err != nil {
				n.failed.Add(1) // sent anyway: twice rather than never
			}
			if first || err != nil {
				n.deliver(x)
			}
			o.done(1)
		}
	}
}

// Flush waits until every notification handed over has been claimed and
// published, or found another process's.
func (n *Notifier) Flush() { n.FlushWithin(-1) }

// FlushWithin is Flush for at most d (a server stopping; no limit if d is
// negative); it returns how many notifications were still queued or being
// claimed when it gave up.
func (n *Notifier) FlushWithin(d time.Duration) int {
	o := &n.outbox
	o.mu.Lock()
	drained := o.drained
	o.mu.Unlock()
	if drained == nil {
		return 0
	}
	var timeout <-chan time.Time
	if d >= 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-drained:
		return 0
	case <-timeout:
		o.mu.Lock()
		defer o.mu.Unlock()
		return o.pending
	}
}

// Close stops the notifier's goroutine (UseClaims), ending a claim under
// way: what is still queued is not sent, nor anything handed over after
// (a stopping server flushes first, FlushWithin). It returns how many
// notifications that leaves unsent.
func (n *Notifier) Close() int {
	o := &n.outbox
	o.mu.Lock()
	if o.stopped || o.stop == nil {
		o.mu.Unlock()
		return 0
	}
	o.stopped = true
	close(o.stop)
	o.cancel()
	queued := len(o.queued)
	o.queued = nil
	o.mu.Unlock()
	o.drop(queued)
	<-o.exited // it drops those it was claiming, and sends one it had claimed
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.dropped
}

// Apply follows the log.
func (n *Notifier) Apply(e events.Event) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.board.Apply(e)
	switch d := e.Data.(type) {
	case monitoring.SectionRegistered:
		n.sections[d.ID] = d
	case monitoring.SectionTargetSet:
		if s, ok := n.sections[monitoring.SectionID(e.Aggregate.ID)]; ok {
			s.Targets[d.Year] = d.Class
		}
	case monitoring.SamplesRecorded:
		if e.Position > n.from {
			n.exceedances(e, d.Samples)
		}
	case monitoring.SampleCorrected:
		// Only a correction that makes the sample worse than its target,
		// or worse than it was over it, or brings a withdrawn one back:
		// one already over it and left so was notified when uploaded.
		sec, ok := n.sections[monitoring.SectionID(e.Aggregate.ID)]
		if e.Position <= n.from || !ok {
			break
		}
		if prev, _, ok := classed(sec, d.Previous); ok && !d.Reinstated {
			if now, _, ok := classed(sec, d.Sample); !ok || now.Class <= prev.Class {
				break
			}
		}
		n.exceedance(e, sec, d.Sample)
	case enforcement.YellowCardIssued:
		if e.Position > n.from {
			n.send(Notification{Kind: CardIssued, Scope: e.Aggregate.Scope, Subject: string(e.Aggregate.ID), At: e.OccurredAt,
				Position: e.Position, EventID: e.ID.String(), Summary: fmt.Sprintf("黄牌 yellow card %s: %s", d.DocumentNo, d.Measure),
				Details: map[string]any{"color": enforcement.Yellow, "document_no": d.DocumentNo, "authority": d.Authority}})
		}
	case enforcement.RedCardIssued:
		if e.Position > n.from {
			n.send(Notification{Kind: CardIssued, Scope: e.Aggregate.Scope, Subject: string(e.Aggregate.ID), At: e.OccurredAt,
				Position: e.Position, EventID: e.ID.String(), Summary: fmt.Sprintf("红牌 red card %s: %s", d.DocumentNo, d.Measure),
				Details: map[string]any{"color": enforcement.Red, "document_no": d.DocumentNo, "authority": d.Authority}})
		}
	}
}

// classed is a measured sample's class and its section's target for the
// sample's year; ok is false when the sample has no class or the year no
// target.
func classed(sec monitoring.SectionRegistered, s monitoring.Sample) (water.SampleResult, water.Class, bool) {
	target := sec.Targets[s.At.In(domain.CST).Year()]
	if s.Status != monitoring.Measured || target == 0 {
		return water.SampleResult{}, 0, false
	}
	r, err := water.ClassifySample(sec.Kind, s.Effective())
	return r, target, err == nil && r.Class != 0
}

// exceedances notifies each sample worse than its section's target.
func (n *Notifier) exceedances(e events.Event, samples monitoring.Samples) {
	sec, ok := n.sections[monitoring.SectionID(e.Aggregate.ID)]
	if !ok {
		return
	}
	for i := range samples.Len() {
		if samples.Status(i) == monitoring.Measured {
			n.exceedance(e, sec, samples.Row(i))
		}
	}
}

// exceedance notifies a sample if it is worse than its section's target.
func (n *Notifier) exceedance(e events.Event, sec monitoring.SectionRegistered, s monitoring.Sample) {
	r, target, ok := classed(sec, s)
	if !ok || r.Class <= target {
		return
	}
	n.send(Notification{Kind: Exceedance, Scope: e.Aggregate.Scope, Subject: string(sec.ID), At: s.At, Position: e.Position, EventID: e.ID.String(),
		Summary: fmt.Sprintf("%s %s: %s sample %s, target %s", sec.ID, sec.Name, s.Source, r.Class.Phrase(), target.Phrase()),
		Details: map[string]any{"class": r.Class.String(), "target": target.String(), "worst": r.Worst, "source": s.Source}})
}

// CheckOverdue publishes the task units newly overdue today, and returns
// how many (with claims: how many it handed over to be claimed and sent). The first
// check of a notifier restored from a snapshot publishes those that became
// overdue since the last day it had checked (a deadline passed while the
// server was down is notified when it starts again); the first check of a
// new notifier only notes what is already overdue.
func (n *Notifier) CheckOverdue() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	now := n.now()
	y, m, d := now.In(domain.CST).Date()
	today := plan.NewDate(y, m, d)
	if !n.primed && n.days != nil {
		ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
		if day, ok, err := n.days.LoadDay(ctx); err != nil {
			n.failed.Add(1)
		} else if ok {
			n.checked = day
		}
		cancel()
	}
	if !n.primed && !n.checked.IsZero() {
		for _, r := range n.board.Overdue(n.checked).Rows {
			n.overdue[string(r.Task)+"/"+string(r.City)] = true // notified then
		}
		n.primed = true
	}
	n.checked = today
	sent := 0
	for _, r := range n.board.Overdue(today).Rows {
		key := string(r.Task) + "/" + string(r.City)
		if n.overdue[key] {
			continue
		}
		n.overdue[key] = true
		if !n.primed {
			continue
		}
		n.send(Notification{Kind: TaskOverdue, Scope: r.Scope, Subject: string(r.Task), At: now,
			Summary: fmt.Sprintf("task %s overdue since %s", r.Task, r.Deadline),
			Details: map[string]any{"deadline": r.Deadline.String(), "lead": r.Lead, "status": r.Status}})
		sent++
	}
	n.primed = true
	if n.days != nil {
		ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
		if err := n.days.SaveDay(ctx, today); err != nil {
			n.failed.Add(1)
		}
		cancel()
	}
	return sent
}

// Failed counts messages that could not be published, claims that could
// not be made (those notifications were sent anyway) and days not kept.
func (n *Notifier) Failed() int { return int(n.failed.Load()) }
