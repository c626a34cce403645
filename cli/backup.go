package cli

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/events/jetstream"
)

// backups copies the served log into an embedded store in a directory of
// its own, as `ledger copy --to-data` does, while the ledger serves: the
// embedded store is open to one process at a time, so a backup taken by
// another process would need the server stopped. Each backup stores only
// what is new since the last, and reads the whole target back, checking
// every hash and chain. The target is opened for each backup and closed
// after, so that between backups it can be copied or restored from.
type backups struct {
	src     *jetstream.Store
	dir     string
	every   time.Duration
	log     *slog.Logger
	metrics backupMetrics
}

// backupMetrics say on GET /metrics how the backups go, for an alert on a
// backup failing or too old.
type backupMetrics struct {
	taken    *prometheus.CounterVec // by result: stored, failed, interrupted
	lastOK   prometheus.Gauge       // when the last backup was stored (Unix seconds)
	position prometheus.Gauge       // the last position it holds
}

func newBackupMetrics() backupMetrics {
	m := backupMetrics{
		taken: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ledger_backups_total", Help: "Backups taken by serve --backup-to, by result (stored, failed, interrupted: by serving stopping, the last backup copying the rest).",
		}, []string{"result"}),
		lastOK: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "ledger_backup_last_stored_timestamp_seconds", Help: "When the last backup was stored (Unix time; 0: none yet).",
		}),
		position: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "ledger_backup_last_position", Help: "The last log position the last backup stored holds.",
		}),
	}
	for _, r := range []string{"stored", "failed", "interrupted"} {
		m.taken.WithLabelValues(r) // 0 from the start, for an alert on an increase
	}
	return m
}

func (m backupMetrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.taken, m.lastOK, m.position}
}

// run takes a backup now, then every b.every, until ctx is done; then a
// last one, within backupLastWait, so that a server stopped in order leaves
// a backup holding every event it stored. A backup under way when ctx is
// done is interrupted, and the last one copies the rest (a copy stores
// only what the target lacks, one whole append at a time).
func (b backups) run(ctx context.Context) {
	b.once(ctx)
	t := time.NewTicker(b.every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			b.once(ctx)
		case <-ctx.Done():
			lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), backupLastWait)
			b.once(lctx)
			cancel()
			return
		}
	}
}

// backupLastWait is how long a stopping server waits for its last backup.
const backupLastWait = 30 * time.Second

// once takes one backup and logs what it did: stored (with how many events
// were new), failed, and why, or interrupted by ctx. A failure does not stop
// the server; the next backup tries again.
func (b backups) once(ctx context.Context) {
	start := time.Now()
	dst, err := jetstream.Open(ctx, jetstream.Config{DataDir: b.dir, Registry: app.Registry(), Logger: b.log})
	if err == nil {
		defer dst.Close()
	}
	var rep events.CopyReport
	var vr events.Report
	if err == nil {
		rep, vr, err = copyVerified(ctx, b.src, dst, nil)
	}
	switch {
	case err != nil && ctx.Err() != nil:
		b.metrics.taken.WithLabelValues("interrupted").Inc()
		b.log.Info("backup interrupted: serving stops", "dir", b.dir, "copied", rep.Copied)
		return
	case err != nil:
		b.metrics.taken.WithLabelValues("failed").Inc()
		b.log.Error("backup failed", "dir", b.dir, "copied", rep.Copied, "error", err)
		return
	}
	b.metrics.taken.WithLabelValues("stored").Inc()
	b.metrics.lastOK.Set(float64(time.Now().Unix()))
	b.metrics.position.Set(float64(vr.LastPosition))
	b.log.Info("backup stored", "dir", b.dir, "last_position", vr.LastPosition, "copied", rep.Copied, "kept", rep.Kept,
		"duration_ms", time.Since(start).Milliseconds())
}
