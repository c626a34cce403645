package jetstream_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/events/jetstream"
	"github.com/shanxi-water/ledger/events/storetest"
)

// testCluster is three nats-servers in this process forming one JetStream
// cluster on loopback ports, each with its own store directory and fsync on
// every write, as deploy/nats configures them.
//
// Every route between two servers runs through a proxy of its own, one for
// each direction (a server's routes name the proxies in front of the others),
// so that the test can cut one server off from the rest at once, as a crash
// or a pulled cable would. The servers advertise no usable route address,
// so no route is made around the proxies.
type testCluster struct {
	servers []*server.Server
	urls    []string
	cluster [3]atomic.Pointer[string] // each server's own route address, once started
	links   []*link
}

// link forwards the route connections that server from dials to server to.
type link struct {
	from, to int
	l        net.Listener
	target   func() string // "" while the server is not running

	mu    sync.Mutex
	conns []net.Conn
	cut   bool
}

func newLink(t *testing.T, from, to int, target func() string) *link {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &link{from: from, to: to, l: l, target: target}
	go p.serve()
	t.Cleanup(func() { l.Close(); p.sever() })
	return p
}

func (p *link) addr() string { return p.l.Addr().String() }

func (p *link) serve() {
	for {
		in, err := p.l.Accept()
		if err != nil {
			return
		}
		addr := p.target()
		var out net.Conn
		if addr != "" {
			out, err = net.DialTimeout("tcp", addr, time.Second)
		}
		p.mu.Lock()
		if p.cut || out == nil || err != nil {
			p.mu.Unlock()
			in.Close()
			if out != nil {
				out.Close()
			}
			continue
		}
		p.conns = append(p.conns, in, out)
		p.mu.Unlock()
		pipe := func(dst, src net.Conn) {
			_, _ = io.Copy(dst, src)
			dst.Close()
			src.Close()
		}
		go pipe(out, in)
		go pipe(in, out)
	}
}

// sever closes the link's connections and refuses new ones.
func (p *link) sever() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = true
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func startCluster(t *testing.T) *testCluster {
	t.Helper()
	c := &testCluster{}
	routes := make([][]string, 3)
	for from := range 3 {
		for to := range 3 {
			if from == to {
				continue
			}
			l := newLink(t, from, to, func() string {
				if a := c.cluster[to].Load(); a != nil {
					return *a
				}
				return ""
			})
			c.links = append(c.links, l)
			routes[from] = append(routes[from], "nats-route://"+l.addr())
		}
	}
	for i := range 3 {
		srv, err := server.NewServer(&server.Options{
			ServerName: fmt.Sprintf("ledger-nats-%d", i+1),
			Host:       "127.0.0.1", Port: -1, // clients: any free port
			JetStream: true, StoreDir: t.TempDir(), SyncAlways: true,
			NoSigs: true, NoLog: true,
			Cluster: server.ClusterOpts{Name: "ledger-test", Host: "127.0.0.1", Port: -1,
				Advertise: "127.0.0.1:1"}, // gossip leads nowhere: routes only through the links
			Routes: server.RoutesFromStr(strings.Join(routes[i], ",")),
		})
		require.NoError(t, err)
		srv.Start()
		t.Cleanup(func() { srv.Shutdown(); srv.WaitForShutdown() })
		require.True(t, srv.ReadyForConnections(10*time.Second), "server %d ready", i+1)
		addr := srv.ClusterAddr().String()
		c.cluster[i].Store(&addr)
		c.servers = append(c.servers, srv)
		c.urls = append(c.urls, srv.ClientURL())
	}
	// JetStream works once the servers have elected a meta leader.
	waitFor(t, 20*time.Second, "a JetStream meta leader", func() bool {
		for _, s := range c.servers {
			if s.JetStreamIsLeader() && len(s.JetStreamClusterPeers()) == 3 {
				return true
			}
		}
		return false
	})
	return c
}

// isolate cuts server i off from the other two: every route to or from it
// is closed, and none can be made again.
func (c *testCluster) isolate(i int) {
	for _, l := range c.links {
		if l.from == i || l.to == i {
			l.sever()
		}
	}
}

// url lists the client URLs of the servers still running.
func (c *testCluster) url() string {
	var us []string
	for i, s := range c.servers {
		if s.Running() {
			us = append(us, c.urls[i])
		}
	}
	return strings.Join(us, ",")
}

// byName is the index of the server with that name, or -1.
func (c *testCluster) byName(name string) int {
	for i, s := range c.servers {
		if s.Name() == name {
			return i
		}
	}
	return -1
}

func waitFor(t *testing.T, limit time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s after %s", what, limit)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// streamLeader asks JetStream which server leads the log's stream ("" while
// there is none, or the question cannot be answered).
func streamLeader(ctx context.Context, s *jetstream.Store) string {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	st, err := s.JetStream().Stream(ctx, s.StreamName())
	if err != nil {
		return ""
	}
	info, err := st.Info(ctx)
	if err != nil || info.Cluster == nil {
		return ""
	}
	return info.Cluster.Leader
}

// clusterAppender appends to several aggregates, one atomic append after
// another, each with its expected versions and with ids chosen before the
// first try. An append that fails is retried with exactly the same changes
// until it succeeds: the ledger's idempotent retry must then return the copy
// that was stored, never store a second one.
type clusterAppender struct {
	s    *jetstream.Store
	aggs []events.Aggregate

	mu        sync.Mutex
	versions  map[events.Aggregate]events.ExpectedVersion
	acked     []events.Event         // every acknowledged event, as returned
	attempted map[uuid.UUID]bool     // every id ever sent
	failures  int                    // appends that returned an error (then retried)
	conflicts []error                // of those, the ones that said "conflict"
	unacked   map[uuid.UUID]struct{} // ids still unacknowledged when the appender gave up

	batches atomic.Int64 // acknowledged appends
}

var clusterActor = domain.Actor{ID: "station-140100-01", Role: domain.Station}

func newClusterAppender(s *jetstream.Store) *clusterAppender {
	a := &clusterAppender{s: s, versions: map[events.Aggregate]events.ExpectedVersion{},
		attempted: map[uuid.UUID]bool{}, unacked: map[uuid.UUID]struct{}{}}
	for i := range 5 {
		scope := domain.CityScope([]domain.CityID{"140100", "140200", "140800"}[i%3])
		a.aggs = append(a.aggs, events.Aggregate{Scope: scope, Type: "note", ID: events.AggregateID(fmt.Sprintf("FAIL%d", i))})
	}
	return a
}

// changes builds round's append: 1 to 3 aggregates, 1 to 3 events each, so
// that both single-message publishes and atomic batches are exercised.
func (a *clusterAppender) changes(round int) []events.Change {
	at := time.Date(2019, 3, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(round) * time.Minute)
	var out []events.Change
	for k := range 1 + round%3 {
		agg := a.aggs[(round+k)%len(a.aggs)]
		drafts := make([]events.Draft, 1+(round+k)%3)
		for j := range drafts {
			drafts[j] = events.Draft{ID: events.NewID(), OccurredAt: at, Actor: clusterActor,
				Data: storetest.Noted{Text: fmt.Sprintf("round %d, %s, event %d", round, agg.ID, j), N: round}}
			a.attempted[drafts[j].ID] = true
		}
		out = append(out, events.Change{Aggregate: agg, Expect: a.versions[agg], Events: drafts})
	}
	return out
}

// run appends until stop is closed (finishing the append in hand), maxRounds
// appends are acknowledged, or giveUp passes.
func (a *clusterAppender) run(ctx context.Context, t *testing.T, stop <-chan struct{}, maxRounds int, giveUp time.Time) {
	for round := 0; round < maxRounds; round++ {
		select {
		case <-stop:
			return
		default:
		}
		a.mu.Lock()
		changes := a.changes(round)
		a.mu.Unlock()
		for try := 0; ; try++ {
			// Shorter than an election: appends during one fail, and are
			// retried here, not only inside the store.
			actx, cancel := context.WithTimeout(ctx, 3*time.Second)
			evs, err := a.s.Append(actx, changes...)
			cancel()
			if err == nil {
				a.mu.Lock()
				a.acked = append(a.acked, evs...)
				for _, c := range changes {
					a.versions[c.Aggregate] += events.ExpectedVersion(len(c.Events))
				}
				a.mu.Unlock()
				a.batches.Add(1)
				break
			}
			a.mu.Lock()
			a.failures++
			var ce *events.ConflictError
			if errors.As(err, &ce) {
				a.conflicts = append(a.conflicts, err)
			}
			a.mu.Unlock()
			if try < 3 || try%10 == 0 {
				t.Logf("append %d, try %d: %v", round, try+1, err)
			}
			if time.Now().After(giveUp) || ctx.Err() != nil {
				a.mu.Lock()
				for _, c := range changes {
					for _, d := range c.Events {
						a.unacked[d.ID] = struct{}{}
					}
				}
				a.mu.Unlock()
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}

// The stream leader of a 3-server cluster is taken away while the ledger
// appends without pause: shut down, handing its leadership over as a server
// stopped by its operator does; or cut off from the other servers first, as
// in a crash, so that they must notice its absence and elect a new leader
// while appends fail. Either way every acknowledged event is in the log
// exactly once afterwards, at the position it was acknowledged at; the
// chains verify; and the ledger goes on writing.
func TestClusterFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 3-server JetStream clusters; skipped with -short")
	}
	t.Run("shutdown", func(t *testing.T) { testFailover(t, false) })
	t.Run("crash", func(t *testing.T) { testFailover(t, true) })
}

func testFailover(t *testing.T, crash bool) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 55*time.Second)
	defer cancel()
	c := startCluster(t)
	openReplicas := func(replicas int) *jetstream.Store {
		s, err := jetstream.Open(ctx, jetstream.Config{URL: c.url(), Replicas: replicas, Registry: storetest.Registry()})
		require.NoError(t, err)
		return s
	}
	open := func() *jetstream.Store { return openReplicas(3) }

	// The first store creates the stream: with three replicas, as it does
	// on any cluster unless told otherwise.
	setup := openReplicas(0)
	waitFor(t, 10*time.Second, "stream leader", func() bool { return streamLeader(ctx, setup) != "" })
	st, err := setup.JetStream().Stream(ctx, setup.StreamName())
	require.NoError(t, err)
	require.Equal(t, 3, st.CachedInfo().Config.Replicas)
	require.Equal(t, 3, setup.Replicas(ctx), "what buckets beside the log are made with")
	leader := streamLeader(ctx, setup)
	require.NoError(t, setup.Close())

	// The writer connects to the stream leader if it can (the client picks
	// one of the URLs at random): its connection then breaks with the leader,
	// and the failover includes the client's reconnect.
	var w *jetstream.Store
	var tried []string
	for i := range 30 {
		w = open()
		tried = append(tried, w.Conn().ConnectedServerName())
		if w.Conn().ConnectedServerName() == leader || i == 29 {
			break
		}
		require.NoError(t, w.Close())
	}
	defer w.Close()
	t.Logf("stream leader %s; the writer is connected to %s (opened on %v)", leader, w.Conn().ConnectedServerName(), tried)

	app := newClusterAppender(w)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		app.run(ctx, t, stop, 3000, start.Add(45*time.Second))
	}()
	stopped := false
	stopAppender := func() {
		if !stopped {
			stopped = true
			close(stop)
			<-done
		}
	}
	defer func() { cancel(); stopAppender() }() // on failure: stop at once

	const before, after = 40, 40
	waitFor(t, 20*time.Second, fmt.Sprintf("%d acknowledged appends before the failover", before),
		func() bool { return app.batches.Load() >= before })

	// Find the stream leader, as JetStream reports it and as the server
	// itself knows, and shut it down mid-stream.
	leader = streamLeader(ctx, w)
	require.NotEmpty(t, leader)
	vi := c.byName(leader)
	require.GreaterOrEqual(t, vi, 0, "leader %q is one of ours", leader)
	victim := c.servers[vi]
	require.True(t, victim.JetStreamIsStreamLeader(server.DEFAULT_GLOBAL_ACCOUNT, w.StreamName()),
		"%s says it leads the stream", leader)
	atKill := app.batches.Load()
	killedAt := time.Now()
	if crash {
		c.isolate(vi) // the others hear nothing more from it, not even a handover
	}
	victim.Shutdown()
	victim.WaitForShutdown()
	t.Logf("shut down %s after %d acknowledged appends", leader, atKill)

	var newLeader string
	waitFor(t, 30*time.Second, "new stream leader", func() bool {
		newLeader = streamLeader(ctx, w)
		return newLeader != "" && newLeader != leader
	})
	t.Logf("new stream leader %s after %s", newLeader, time.Since(killedAt).Round(time.Millisecond))

	waitFor(t, 30*time.Second, fmt.Sprintf("%d acknowledged appends after the failover", after),
		func() bool { return app.batches.Load() >= atKill+after })
	stopAppender()
	t.Logf("%d appends acknowledged (%d after the failover), %d events; %d tries failed and were retried",
		app.batches.Load(), app.batches.Load()-atKill, len(app.acked), app.failures)
	require.Empty(t, app.unacked, "every append was acknowledged in the end")
	require.Empty(t, app.conflicts, "the only writer was told of a conflict: the cluster's state looked stale or a retry was not recognised")

	// Writing resumes: a new append, on the same store and on a new one
	// opened against the surviving servers.
	r := open()
	defer r.Close()
	t.Cleanup(func() {
		if t.Failed() {
			logStreamState(t, r)
		}
	})
	for i, s := range []*jetstream.Store{w, r} {
		agg := events.Aggregate{Scope: "140100", Type: "note", ID: events.AggregateID(fmt.Sprintf("AFTER%d", i))}
		evs, err := s.Append(ctx, events.Change{Aggregate: agg, Expect: events.NoEvents, Events: []events.Draft{
			{ID: events.NewID(), OccurredAt: time.Now(), Actor: clusterActor, Data: storetest.Noted{Text: "after the failover"}}}})
		require.NoError(t, err, "append after failover")
		app.acked = append(app.acked, evs...)
	}

	// Every acknowledged event is in the log exactly once, where it was
	// acknowledged, and nothing is there that was never sent.
	seen := map[uuid.UUID]events.Event{}
	err = r.Read(ctx, events.Query{}, func(e events.Event) error {
		if prev, dup := seen[e.ID]; dup {
			return fmt.Errorf("event %s stored twice: positions %d and %d", e.ID, prev.Position, e.Position)
		}
		seen[e.ID] = e
		return nil
	})
	require.NoError(t, err)
	for _, e := range app.acked {
		got, ok := seen[e.ID]
		require.True(t, ok, "acknowledged event %s (%s v%d, position %d) is in the log", e.ID, e.Aggregate, e.Version, e.Position)
		require.Equal(t, e.Position, got.Position, "event %s", e.ID)
		require.Equal(t, e.Hash, got.Hash, "event %s", e.ID)
	}
	require.Len(t, seen, len(app.acked), "the log holds the acknowledged events and nothing else")

	// Each aggregate holds exactly its acknowledged events, in order.
	for _, agg := range app.aggs {
		evs, err := r.Load(ctx, agg)
		require.NoError(t, err)
		require.Len(t, evs, int(app.versions[agg]), "%s", agg)
	}

	rep, err := r.Verify(ctx)
	require.NoError(t, err)
	require.True(t, rep.OK(), "verify after failover: %v", rep.Problems)
	require.Equal(t, len(app.acked), rep.Events)
	last, err := r.LastPosition(ctx)
	require.NoError(t, err)
	require.Equal(t, uint64(len(app.acked)), last, "positions are dense: nothing lost, nothing extra")
	t.Logf("verified %d events in %d aggregates; test took %s", rep.Events, rep.Aggregates, time.Since(start).Round(time.Millisecond))
}

// logStreamState logs what the cluster says of the stream, its replicas and
// its consumers, to explain a failure.
func logStreamState(t *testing.T, s *jetstream.Store) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := s.JetStream().Stream(ctx, s.StreamName())
	if err != nil {
		t.Logf("stream: %v", err)
		return
	}
	si := st.CachedInfo()
	t.Logf("stream %+v", si.State)
	if si.Cluster != nil {
		t.Logf("stream leader %s", si.Cluster.Leader)
		for _, r := range si.Cluster.Replicas {
			t.Logf("replica %+v", *r)
		}
	}
	l := st.ListConsumers(ctx)
	for ci := range l.Info() {
		t.Logf("consumer %s on %+v: delivered %+v, pending %d, waiting %d", ci.Name, ci.Cluster, ci.Delivered, ci.NumPending, ci.NumWaiting)
	}
	if l.Err() != nil {
		t.Logf("consumers: %v", l.Err())
	}
}
