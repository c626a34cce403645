package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/shanxi-water/ledger/api"
	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/demo"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/events/jetstream"
	"github.com/shanxi-water/ledger/notify"
	"github.com/shanxi-water/ledger/projections"
	"github.com/shanxi-water/ledger/projections/snapstore"
)

func runServe(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet("serve", env)
	var sf storeFlags
	sf.register(fs, env)
	listen := fs.String("listen", "127.0.0.1:8080", "HTTP address to serve the API and dashboard on")
	tokensPath := fs.String("tokens", "", "token file (default DATA/tokens.json, or ./ledger-tokens.json with --nats)")
	natsListen := fs.String("nats-listen", "", "also open the embedded NATS server to other clients here (e.g. 127.0.0.1:4222), for notifications")
	withDemo := fs.Bool("demo", false, "load the demo province into a new store first (as 'ledger demo'): into --data if given (a new or empty directory), else a temporary one; then serve it")
	snapEvery := fs.Uint64("snapshot-every", projections.DefaultSnapshotEvery, "snapshot the read models after this many events (0: no snapshots)")
	snapInterval := fs.Duration("snapshot-interval", projections.DefaultSnapshotInterval, "or after this long, if any event came since the last")
	backupTo := fs.String("backup-to", "", "while serving, copy the log into the embedded store in this directory (a backup, as 'ledger copy --to-data'): when serving starts, every --backup-every, and when it stops")
	backupEvery := fs.Duration("backup-every", time.Hour, "how often to take the --backup-to backup")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(env.Stderr, nil))
	sf.log = log
	if err := sf.settle(); err != nil {
		return err
	}
	if sf.given("server") {
		// settle took --server over LEDGER_NATS: serve would quietly start
		// the embedded store instead.
		return domain.Errorf("serve", domain.Invalid, "server", "serve is a server: give --data DIR or --nats URL, not --server")
	}
	if *withDemo {
		if sf.url != "" {
			return fmt.Errorf("--demo creates a new embedded store; it cannot be used with --nats")
		}
		dir := ""
		if sf.envData || sf.given("data") {
			dir = sf.data
		}
		dir, err := demoDir("serve", dir)
		if err != nil {
			return err
		}
		sf.data = dir
		clock := demo.NewClock()
		s, err := jetstream.Open(ctx, jetstream.Config{DataDir: dir, Registry: app.Registry(), Clock: clock.Now})
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stderr, "loading the demo province into %s …\n", dir)
		_, err = demo.Load(ctx, s, clock, 2015, env.Stderr)
		s.Close()
		if err != nil {
			return err
		}
	}
	if *backupTo != "" {
		if *backupEvery <= 0 {
			return domain.Errorf("serve", domain.Invalid, "backup-every", "%s: give a positive duration, e.g. 1h", *backupEvery)
		}
		if err := targetDir("serve", "backup-to", sf, *backupTo); err != nil {
			return err
		}
	}
	if *tokensPath == "" {
		*tokensPath = "ledger-tokens.json"
		if sf.url == "" {
			*tokensPath = filepath.Join(sf.data, "tokens.json")
		}
	}
	s, err := jetstream.Open(ctx, jetstream.Config{DataDir: sf.data, URL: sf.url, Listen: *natsListen,
		AllowUnsafeStream: sf.allowUnsafe, Registry: app.Registry(), Logger: log})
	if err != nil {
		return err
	}
	defer s.Close()
	tokens, adminToken, err := api.OpenTokens(*tokensPath)
	if err != nil {
		return err
	}
	if adminToken != "" {
		fmt.Fprintf(env.Stdout, "created %s with one administrator token; it is shown this once:\n\n    %s\n\n", *tokensPath, adminToken)
	}
	var snaps *projections.SnapshotOptions
	if *snapEvery > 0 {
		snaps = &projections.SnapshotOptions{Store: snapstore.New(ctx, s.JetStream(), s.StreamName()),
			Every: *snapEvery, Interval: *snapInterval, Logger: log}
	}
	// The notifier's last day checked: without it (its bucket unreachable)
	// the ledger still serves, and a deadline passed while it was down may
	// go unnotified.
	var days notify.DayStore
	if d, err := notify.KVDays(ctx, s.JetStream(), "ledger-notify", s.Replicas(ctx)); err != nil {
		log.Warn("notifications: the last day checked for overdue tasks is not kept", "error", err)
	} else {
		days = d
	}
	// Which server sends each notification, when several follow one log.
	var claims notify.Claimer
	if c, err := notify.KVClaims(ctx, s.JetStream(), "ledger-notify-sent", s.Replicas(ctx)); err != nil {
		log.Warn("notifications: not claimed; another server on this log would send them again", "error", err)
	} else {
		claims = c
	}
	var backup *backups
	cfg := api.Config{Store: s, Tokens: tokens, Logger: log, Notify: s.Conn().Publish, NotifyDays: days, NotifyClaims: claims, Snapshots: snaps}
	if *backupTo != "" {
		backup = &backups{src: s, dir: *backupTo, every: *backupEvery, log: log, metrics: newBackupMetrics()}
		cfg.Metrics = backup.metrics.collectors()
	}
	srv := api.New(cfg)
	// The projections run until serving has stopped, not only until the
	// signal: a request under way waits for them to show what it stored
	// (they stopped at the signal, and each such request waited 10 s).
	pctx, pcancel := context.WithCancel(context.WithoutCancel(ctx))
	defer pcancel()
	running := make(chan struct{})
	go func() {
		defer close(running)
		if err := srv.Run(pctx); err != nil && pctx.Err() == nil {
			log.Error("projections stopped", "error", err)
		}
	}()
	defer func() {
		// The projections take their last snapshot before the store
		// closes, and the notifications queued are sent.
		pcancel()
		<-running
		if left := srv.StopNotifications(30 * time.Second); left > 0 {
			log.Warn("stopped with notifications not sent: the next start does not send them", "left", left)
		}
	}()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	if backup != nil {
		// The backups stop when serve returns, after the requests under
		// way have finished (hs.Shutdown below), and before the store
		// closes: the last backup holds every event stored.
		bctx, bcancel := context.WithCancel(context.WithoutCancel(ctx))
		backedUp := make(chan struct{})
		go func() {
			defer close(backedUp)
			backup.run(bctx)
		}()
		defer func() { bcancel(); <-backedUp }()
	}
	// Timeouts, so that idle or trickling connections cannot hold the
	// server's descriptors (shared with the embedded NATS server): a whole
	// request may take 15 minutes (a 256 MB upload on a slow line), an
	// idle keep-alive connection is closed after 2.
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 15 * time.Minute, IdleTimeout: 2 * time.Minute}
	fmt.Fprintf(env.Stdout, "serving the ledger on http://%s/ (API: /api/openapi.json)\n", ln.Addr())
	if u := s.ClientURL(); u != "" {
		fmt.Fprintf(env.Stdout, "NATS clients: %s\n", u)
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Requests under way (an upload, a replay) are given time to finish;
	// one cut off stores nothing, and is said so.
	log.Info("shutting down: finishing the requests under way", "wait", shutdownWait)
	sctx, scancel := context.WithTimeout(context.Background(), shutdownWait)
	defer scancel()
	if err := hs.Shutdown(sctx); errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("stopped after %s with requests still under way: they were cut off, and an upload cut off stores nothing (send it again)", shutdownWait)
	} else if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// shutdownWait is how long serve, stopping, waits for requests under way
// (deploy/nats/kubernetes.yaml gives the pod longer to stop).
const shutdownWait = 60 * time.Second
