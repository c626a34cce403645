package benchmarks

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/events/jetstream"
	"github.com/shanxi-water/ledger/projections"
	"github.com/shanxi-water/ledger/projections/cards"
	"github.com/shanxi-water/ledger/projections/quality"
	"github.com/shanxi-water/ledger/projections/taskboard"
)

// TestReplayCount replays an existing store (LEDGER_REPLAY_DIR, made by
// `ledger demo --data DIR`) LEDGER_REPLAY_N times into the models
// BenchmarkRebuild uses, or, with LEDGER_REPLAY_RAW set, drains it as
// BenchmarkRebuild's raw client does: a fixed amount of work to run under
// `valgrind --tool=cachegrind --branch-sim=yes`, whose instruction and
// mispredicted-branch counts do not depend on what else the machine is
// doing (BENCHMARKS.md). Skipped without LEDGER_REPLAY_DIR.
func TestReplayCount(t *testing.T) {
	dir := os.Getenv("LEDGER_REPLAY_DIR")
	if dir == "" {
		t.Skip("LEDGER_REPLAY_DIR not set: a counting harness for cachegrind, see BENCHMARKS.md")
	}
	n, err := strconv.Atoi(os.Getenv("LEDGER_REPLAY_N"))
	if err != nil {
		t.Fatalf("LEDGER_REPLAY_N: %v", err)
	}
	ctx := context.Background()
	s, err := jetstream.Open(ctx, jetstream.Config{DataDir: dir, Registry: app.Registry()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for range n {
		if os.Getenv("LEDGER_REPLAY_RAW") != "" {
			rawDrain(t, s, nil)
			continue
		}
		q, tb, cm := quality.New(quality.Options{}), taskboard.New(), cards.New()
		if _, err := projections.Replay(ctx, s, events.Query{}, q, tb, cm); err != nil {
			t.Fatal(err)
		}
	}
}
