package jetstream_test

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	njs "github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/events/jetstream"
	"github.com/shanxi-water/ledger/events/storetest"
)

// startServer runs a separate nats-server with JetStream (sync always) on a
// loopback port, as an operator would run one, and returns its URL.
func startServer(t *testing.T) string {
	t.Helper()
	srv, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(),
		SyncAlways: true, NoSigs: true, NoLog: true,
	})
	require.NoError(t, err)
	srv.Start()
	require.True(t, srv.ReadyForConnections(10*time.Second))
	t.Cleanup(srv.Shutdown)
	return srv.ClientURL()
}

// The same code against an external server by URL passes the same suite.
func TestConformanceExternalServer(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		NewLocation: startServer,
		Open: func(t *testing.T, url string, reg *events.Registry, clock events.Clock) events.Store {
			s, err := jetstream.Open(context.Background(), jetstream.Config{URL: url, Registry: reg, Clock: clock})
			require.NoError(t, err)
			return s
		},
	})
}

// An existing stream whose settings could lose or delete events is refused,
// naming every such setting, unless explicitly allowed.
func TestRefusesUnsafeStream(t *testing.T) {
	ctx := context.Background()
	url := startServer(t)
	nc, err := nats.Connect(url)
	require.NoError(t, err)
	defer nc.Close()
	js, err := njs.New(nc)
	require.NoError(t, err)
	_, err = js.CreateStream(ctx, njs.StreamConfig{
		Name: jetstream.DefaultStream, Subjects: []string{"ledger.>"}, Storage: njs.MemoryStorage,
		MaxAge: 24 * time.Hour, Discard: njs.DiscardOld, AllowRollup: true,
	})
	require.NoError(t, err)

	_, err = jetstream.Open(ctx, jetstream.Config{URL: url, Registry: storetest.Registry()})
	require.Error(t, err)
	for _, want := range []string{"storage is memory", "max_age", "deny_delete is off", "deny_purge is off", "allow_rollup", "--allow-unsafe-stream"} {
		require.Contains(t, err.Error(), want)
	}

	s, err := jetstream.Open(ctx, jetstream.Config{URL: url, Registry: storetest.Registry(), AllowUnsafeStream: true})
	require.NoError(t, err, "explicitly allowed")
	defer s.Close()
	info, err := js.Stream(ctx, jetstream.DefaultStream)
	require.NoError(t, err)
	require.True(t, info.CachedInfo().Config.AllowAtomicPublish, "atomic batches were switched on")
}

// A stream the ledger created passes its own check, and its settings are the
// ones that keep every event.
func TestCreatedStreamIsSafe(t *testing.T) {
	ctx := context.Background()
	s, err := jetstream.Open(ctx, jetstream.Config{DataDir: t.TempDir(), Registry: storetest.Registry()})
	require.NoError(t, err)
	defer s.Close()
	st, err := s.JetStream().Stream(ctx, s.StreamName())
	require.NoError(t, err)
	cfg := st.CachedInfo().Config
	require.Empty(t, jetstream.UnsafeSettings(cfg, 1))
	require.True(t, cfg.DenyDelete)
	require.True(t, cfg.DenyPurge)
	require.Equal(t, njs.FileStorage, cfg.Storage)
	// Deleting or purging a stored event is refused by the server itself.
	_, err = s.Append(ctx, events.Change{Aggregate: events.Aggregate{Scope: "140100", Type: "note", ID: "N"},
		Events: []events.Draft{{OccurredAt: time.Now(), Actor: domain.Actor{ID: "t", Role: domain.Admin}, Data: storetest.Noted{Text: "keep me"}}}})
	require.NoError(t, err)
	require.ErrorContains(t, st.DeleteMsg(ctx, 1), "delete")
	require.ErrorContains(t, st.Purge(ctx), "purge")
	evs, err := s.Load(ctx, events.Aggregate{Scope: "140100", Type: "note", ID: "N"})
	require.NoError(t, err)
	require.Len(t, evs, 1)
}

// Two processes on one data directory would corrupt it: the second is refused.
func TestDataDirectoryIsLocked(t *testing.T) {
	dir := t.TempDir()
	s, err := jetstream.Open(context.Background(), jetstream.Config{DataDir: dir, Registry: storetest.Registry()})
	require.NoError(t, err)
	defer s.Close()
	_, err = jetstream.Open(context.Background(), jetstream.Config{DataDir: dir, Registry: storetest.Registry()})
	require.ErrorIs(t, err, jetstream.ErrInUse)
}

// Opened to read only, a server without the log's stream is not found, and
// no stream is made there.
func TestMustExistCreatesNothing(t *testing.T) {
	ctx := context.Background()
	url := startServer(t)
	_, err := jetstream.Open(ctx, jetstream.Config{URL: url, Registry: storetest.Registry(), MustExist: true})
	require.Equal(t, domain.NotFound, domain.KindOf(err), "%v", err)
	require.Contains(t, err.Error(), "no stream LEDGER there")
	nc, err := nats.Connect(url)
	require.NoError(t, err)
	defer nc.Close()
	js, err := njs.New(nc)
	require.NoError(t, err)
	_, err = js.Stream(ctx, jetstream.DefaultStream)
	require.ErrorIs(t, err, njs.ErrStreamNotFound)
}
