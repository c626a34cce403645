package cli

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/events/jetstream"
)

// serve --backup-to backs the embedded store up while it serves — the
// store is open to one process at a time, so `ledger copy` needed the
// server stopped — when it starts, every --backup-every, and when it
// stops: a section registered through the API while it serves is in the
// backup, which holds the whole log and verifies.
func TestServeBacksUpWhileServing(t *testing.T) {
	dir := citiesStore(t)
	backup := filepath.Join(t.TempDir(), "backup")

	// Every hour: a backup when serving starts, and one when it stops.
	url, token, errOut, stop := serveInTest(t, "--data", dir, "--backup-to", backup, "--backup-every", "1h")
	require.Eventually(t, func() bool { return strings.Contains(errOut.String(), `"msg":"backup stored"`) },
		30*time.Second, 20*time.Millisecond, "a backup when serving starts: %s", errOut.String())
	resp, err := http.Get(url + "/metrics")
	require.NoError(t, err)
	metrics, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.Contains(t, string(metrics), `ledger_backups_total{result="stored"} 1`)
	require.Contains(t, string(metrics), "ledger_backup_last_position 11")

	// A request under way when serving is told to stop: its body arrives
	// while the server shuts down, and what it stores is in the last
	// backup, taken once the requests have finished.
	body, send := io.Pipe()
	req, err := http.NewRequest("POST", url+"/api/sections", body)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	answered := make(chan int, 1)
	go func() {
		// A connection of its own: an idle one, reused, is closed by the
		// shutdown before the server reads the request.
		client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		resp, err := client.Do(req)
		if err != nil {
			t.Log(err)
			answered <- 0
			return
		}
		resp.Body.Close()
		if resp.Header.Get("Ledger-Applied") == "false" {
			t.Error("the read models had stopped before the request under way was answered")
		}
		answered <- resp.StatusCode
	}()
	_, err = send.Write([]byte(`{"id":"NEW-1","name":"新断面","river":"汾河",`))
	require.NoError(t, err)
	time.Sleep(100 * time.Millisecond) // for the server to read the request's head
	stopped := make(chan struct{})
	go func() { stop(); close(stopped) }()
	require.Eventually(t, func() bool { return strings.Contains(errOut.String(), "shutting down") },
		30*time.Second, 10*time.Millisecond)
	time.Sleep(300 * time.Millisecond) // a backup started at the signal would be over by now
	_, err = send.Write([]byte(`"basin":"yellow","city":"140100","kind":"river","level":"provincial","assessed":true,"targets":{"2019":3}}`))
	require.NoError(t, err)
	require.NoError(t, send.Close())
	require.Equal(t, http.StatusCreated, <-answered)
	<-stopped
	require.Equal(t, 2, strings.Count(errOut.String(), `"msg":"backup stored"`), "one when serving started, one when it stopped: %s", errOut.String())
	require.NotContains(t, errOut.String(), "backup failed")

	src, err := jetstream.Open(context.Background(), jetstream.Config{DataDir: dir, Registry: app.Registry()})
	require.NoError(t, err)
	want, err := src.LastPosition(context.Background())
	require.NoError(t, err)
	require.NoError(t, src.Close())
	bk, err := jetstream.Open(context.Background(), jetstream.Config{DataDir: backup, Registry: app.Registry()})
	require.NoError(t, err)
	rep, err := bk.Verify(context.Background())
	require.NoError(t, err)
	require.True(t, rep.OK(), "%v", rep.Problems)
	require.Equal(t, want, rep.LastPosition, "the backup holds the whole log, the section registered while stopping included")
	var found bool
	require.NoError(t, bk.Read(context.Background(), events.Query{Names: []events.Name{app.SectionRegistered}}, func(e events.Event) error {
		found = found || e.Aggregate.ID == "NEW-1"
		return nil
	}))
	require.True(t, found, "the section registered while stopping is in the backup")
	require.NoError(t, bk.Close())

	// Every 50 ms: backups while it serves, each storing nothing new.
	_, _, errOut, stop = serveInTest(t, "--data", dir, "--backup-to", backup, "--backup-every", "50ms")
	require.Eventually(t, func() bool { return strings.Count(errOut.String(), `"msg":"backup stored"`) >= 3 },
		30*time.Second, 20*time.Millisecond, "backups every 50 ms: %s", errOut.String())
	stop()
	require.NotContains(t, errOut.String(), "backup failed")
	require.NotContains(t, errOut.String(), `"copied":1`, "nothing new to store")
}

// serveInTest runs ledger serve with args (and an HTTP port of its own, no
// snapshots) until stop is called, and returns its URL, the administrator
// token it printed, and what it logs.
func serveInTest(t *testing.T, args ...string) (url, token string, errOut *syncBuffer, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	errOut = &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, Env{Stdout: &out, Stderr: errOut, Getenv: func(string) string { return "" }},
			append(args, "--listen", "127.0.0.1:0", "--snapshot-every", "0"))
	}()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(60 * time.Second):
			t.Fatal("serve did not stop")
		}
	}
	t.Cleanup(stop)
	require.Eventually(t, func() bool {
		m := regexp.MustCompile(`serving the ledger on (http://\S+)/ `).FindStringSubmatch(out.String())
		if m == nil {
			return false
		}
		url = m[1]
		if m := regexp.MustCompile(`one administrator token; it is shown this once:\n\n    (\S+)\n`).FindStringSubmatch(out.String()); m != nil {
			token = m[1]
		}
		return true
	}, 30*time.Second, 20*time.Millisecond, "serving: %s %s", out.String(), errOut.String())
	return url, token, errOut, stop
}
