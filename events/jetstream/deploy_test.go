package jetstream_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/events/jetstream"
	"github.com/shanxi-water/ledger/events/storetest"
)

// deployEnv is the environment deploy/README.md asks the servers for.
func deployEnv(t *testing.T) {
	t.Setenv("LEDGER_NATS_PASSWORD", "ledger-secret")
	t.Setenv("READER_NATS_PASSWORD", "reader-secret")
	t.Setenv("ROUTE_NATS_PASSWORD", "route-secret")
	for i := 1; i <= 3; i++ {
		t.Setenv(fmt.Sprintf("NATS_ROUTE_%d", i), fmt.Sprintf("nats-route://route:route-secret@ledger-nats-%d:%d", i, 6221+i))
	}
}

// The cluster's configurations, as deploy/nats ships them: every write
// fsynced, clients and routes signing in, readers publishing nothing; and
// started from one of them (on loopback, alone), a client without a
// password is refused, a reader can neither write into the log nor delete
// it, and the ledger opens its store.
func TestDeployConfigurations(t *testing.T) {
	deployEnv(t)
	var opts []*server.Options
	for i := 1; i <= 3; i++ {
		o, err := server.ProcessConfigFile(filepath.Join("..", "..", "deploy", "nats", fmt.Sprintf("nats-%d.conf", i)))
		require.NoError(t, err, "nats-%d.conf", i)
		require.True(t, o.SyncAlways, "sync_interval: always")
		require.Equal(t, "route", o.Cluster.Username)
		require.Len(t, o.Routes, 3)
		users := map[string]*server.User{}
		for _, u := range o.Users {
			users[u.Username] = u
		}
		require.Contains(t, users, "ledger")
		require.Nil(t, users["ledger"].Permissions, "the ledger may do everything")
		require.Equal(t, []string{">"}, users["reader"].Permissions.Publish.Deny)
		opts = append(opts, o)
	}

	o := opts[0]
	o.Host, o.Port, o.HTTPPort = "127.0.0.1", -1, 0
	o.Cluster = server.ClusterOpts{}
	o.Routes = nil
	o.StoreDir = t.TempDir()
	o.NoLog, o.NoSigs = true, true
	srv, err := server.NewServer(o)
	require.NoError(t, err)
	srv.Start()
	defer srv.Shutdown()
	require.True(t, srv.ReadyForConnections(10*time.Second))
	url := srv.ClientURL()
	with := func(user, password string) string {
		return strings.Replace(url, "nats://", "nats://"+user+":"+password+"@", 1)
	}

	_, err = nats.Connect(url)
	require.Error(t, err, "no password, no connection")

	ctx := context.Background()
	s, err := jetstream.Open(ctx, jetstream.Config{URL: with("ledger", "ledger-secret"), Registry: storetest.Registry()})
	require.NoError(t, err)
	defer s.Close()

	reader, err := nats.Connect(with("reader", "reader-secret"))
	require.NoError(t, err)
	defer reader.Close()
	_, err = reader.Request("ledger.140100.section.FAKE.section.samples_recorded", []byte("{}"), time.Second)
	require.Error(t, err, "a reader writes nothing into the log")
	_, err = reader.Request("$JS.API.STREAM.DELETE."+s.StreamName(), nil, time.Second)
	require.Error(t, err, "nor deletes it")
	last, err := s.LastPosition(ctx)
	require.NoError(t, err)
	require.Zero(t, last)
	_, err = s.JetStream().Stream(ctx, s.StreamName())
	require.NoError(t, err, "the stream is still there")
}

// The Kubernetes manifest's server configuration says the same, and the
// ledger signs in to every server.
func TestDeployKubernetesConfiguration(t *testing.T) {
	deployEnv(t)
	t.Setenv("POD_NAME", "nats-0")
	b, err := os.ReadFile(filepath.Join("..", "..", "deploy", "nats", "kubernetes.yaml"))
	require.NoError(t, err)
	manifest := string(b)
	_, rest, ok := strings.Cut(manifest, "  nats.conf: |\n")
	require.True(t, ok)
	var conf strings.Builder
	for _, line := range strings.Split(rest, "\n") {
		if line != "" && !strings.HasPrefix(line, "    ") {
			break
		}
		conf.WriteString(strings.TrimPrefix(line, "    ") + "\n")
	}
	path := filepath.Join(t.TempDir(), "nats.conf")
	require.NoError(t, os.WriteFile(path, []byte(conf.String()), 0o600))
	o, err := server.ProcessConfigFile(path)
	require.NoError(t, err)
	require.True(t, o.SyncAlways)
	require.Equal(t, "route", o.Cluster.Username)
	require.Len(t, o.Routes, 3)
	require.Len(t, o.Users, 2)
	require.Equal(t, 3, strings.Count(manifest, "nats://ledger:$(NATS_PASSWORD)@nats-"), "the ledger signs in to each server")
	require.NotContains(t, manifest, "- --nats", "the URL, with its password, comes from the Secret, not the arguments")
}
