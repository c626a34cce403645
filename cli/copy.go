package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/events"
)

// runCopy copies the log into another store: a backup into a directory
// (taken again, it stores only what is new), a restore from one, or a move
// of the embedded store onto a cluster.
func runCopy(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet("copy", env)
	var from, to storeFlags
	from.register(fs, env)
	fs.StringVar(&to.data, "to-data", "", "copy into the embedded store in this directory (a backup; created if need be)")
	fs.StringVar(&to.url, "to-nats", "", "copy into this NATS server or cluster (3 replicas on a cluster)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if from.server != "" {
		return domain.Errorf("copy", domain.Invalid, "server", "a copy reads the store itself: give --data DIR or --nats URL, not --server")
	}
	switch {
	case (to.data == "") == (to.url == ""):
		return domain.Errorf("copy", domain.Invalid, "to-data", "give one target: --to-data DIR or --to-nats URL")
	case to.url == "" && from.url == "" && sameDir(to.data, from.data):
		return domain.Errorf("copy", domain.Invalid, "to-data", "%s is the source itself", to.data)
	case to.url != "" && to.url == from.url:
		return domain.Errorf("copy", domain.Invalid, "to-nats", "%s is the source itself", to.url)
	}
	to.log = from.log
	src, err := from.open(ctx, true)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := to.open(ctx, false)
	if err != nil {
		return domain.E("copy", domain.KindOrInternal(err), "", fmt.Errorf("opening the target: %w", err))
	}
	defer dst.Close()
	end, err := src.LastPosition(ctx)
	if err != nil {
		return err
	}
	p := startProgress(env, "copying", int64(end))
	rep, err := dst.Copy(ctx, src.Backend(), func(r events.CopyReport) { p.done.Store(int64(r.LastPosition)) })
	p.finish()
	if err != nil {
		if rep.Copied > 0 {
			fmt.Fprintf(env.Stderr, "stored %d events in %d appends before stopping; the target holds positions 1 to %d, each checked\n", rep.Copied, rep.Commits, rep.LastPosition)
		}
		return err
	}
	// The proof: the target, read back on its own, verifies to the end.
	vr, err := dst.Verify(ctx)
	if err != nil {
		return err
	}
	if !vr.OK() || vr.LastPosition != rep.LastPosition {
		return &exitError{code: 3, err: fmt.Errorf("the copy does not verify: %d problem(s), last position %d of %d; first: %v", len(vr.Problems), vr.LastPosition, rep.LastPosition, vr.First())}
	}
	if *asJSON {
		b, _ := json.MarshalIndent(rep, "", "  ")
		fmt.Fprintln(env.Stdout, string(b))
		return nil
	}
	fmt.Fprintf(env.Stdout, "checked %d events; %d were already in the target, %d copied in %d appends\n", rep.Checked, rep.Kept, rep.Copied, rep.Commits)
	fmt.Fprintf(env.Stdout, "OK: the target holds positions 1 to %d, and every hash and every chain verifies\n", vr.LastPosition)
	return nil
}

// sameDir reports whether a and b name the same directory (or would).
func sameDir(a, b string) bool {
	ia, errA := os.Stat(a)
	ib, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(ia, ib)
	}
	pa, _ := filepath.Abs(a)
	pb, _ := filepath.Abs(b)
	return pa == pb
}
