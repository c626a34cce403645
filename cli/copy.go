package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/events/jetstream"
)

// runCopy copies the log into another store: a backup into a directory
// (taken again, it stores only what is new), a restore from one, or a move
// of the embedded store onto a cluster.
func runCopy(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet("copy", env)
	var from, to storeFlags
	from.register(fs, env)
	fs.StringVar(&to.data, "to-data", "", "copy into the embedded store in this directory (a backup; created if need be)")
	fs.StringVar(&to.url, "to-nats", "", "copy into this NATS server or cluster, 3 replicas on a cluster (env LEDGER_TO_NATS, when --to-data is not given)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := from.settle(); err != nil {
		return err
	}
	if to.data == "" && to.url == "" {
		to.url = env.Getenv("LEDGER_TO_NATS") // keeps a password off the command line
	}
	if from.given("server") {
		return domain.Errorf("copy", domain.Invalid, "server", "a copy reads the store itself: give --data DIR or --nats URL, not --server")
	}
	from.server = "" // an exported LEDGER_SERVER is for other commands
	if err := copyTarget(from, to); err != nil {
		return err
	}
	to.log = from.log
	src, err := from.open(ctx, true)
	if errors.Is(err, jetstream.ErrInUse) {
		return fmt.Errorf("%w: the embedded store is open to one process at a time; stop 'ledger serve' for the copy (a copy taken again takes seconds), have it take its own backups (serve --backup-to DIR), or copy a cluster while it serves", jetstream.ErrInUse)
	}
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := to.open(ctx, false)
	if err != nil {
		return domain.E("copy", domain.KindOrInternal(err), "", fmt.Errorf("opening the target: %w", err))
	}
	defer dst.Close()
	if from.url != "" || to.url != "" {
		// Two directories are told apart by their paths (copyTarget); a
		// file-level copy of one keeps its stream's name and creation time.
		if err := notTheSource(ctx, to, src, dst); err != nil {
			return err
		}
	}
	end, err := src.LastPosition(ctx)
	if err != nil {
		return err
	}
	p := startProgress(env, "copying", int64(end))
	rep, vr, err := copyVerified(ctx, src, dst, func(r events.CopyReport) { p.done.Store(int64(r.LastPosition)) })
	p.finish()
	if stopped := (*copyError)(nil); errors.As(err, &stopped) {
		return copyFailed(env, dst, rep, stopped.err)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		b, _ := json.MarshalIndent(rep, "", "  ")
		fmt.Fprintln(env.Stdout, string(b))
		return nil
	}
	fmt.Fprintf(env.Stdout, "checked %s; %d already in the target, %d copied in %s\n", count(rep.Checked, "event"), rep.Kept, rep.Copied, count(rep.Commits, "append"))
	if vr.LastPosition == 0 {
		fmt.Fprintln(env.Stdout, "OK: the source is empty, and so is the target")
		return nil
	}
	fmt.Fprintf(env.Stdout, "OK: the target holds %s, and every hash and every chain verifies\n", events.Positions(1, vr.LastPosition))
	return nil
}

// copyTarget checks that the target is one place, and not the source or
// inside it (or the source inside it): nats-server, started on a directory
// inside a store's, moved that store's files into its own layout.
// copyError is a copy that stopped: what the target holds is to be said
// (copyFailed).
type copyError struct{ err error }

func (e *copyError) Error() string { return e.err.Error() }
func (e *copyError) Unwrap() error { return e.err }

// copyVerified copies src's log into dst (events.Log.Copy) and, the proof,
// reads the target back on its own, checking that it verifies to the end:
// a *copyError if the copy stopped, an exitError with code 3 if the target
// does not verify.
func copyVerified(ctx context.Context, src, dst *jetstream.Store, progress func(events.CopyReport)) (events.CopyReport, events.Report, error) {
	rep, err := dst.Copy(ctx, src.Backend(), progress)
	if err != nil {
		return rep, events.Report{}, &copyError{err}
	}
	vr, err := dst.Verify(ctx)
	if err != nil {
		return rep, vr, err
	}
	if !vr.OK() || vr.LastPosition != rep.LastPosition {
		return rep, vr, &exitError{code: 3, err: fmt.Errorf("the copy does not verify: %s, last position %d of %d; first: %v", count(len(vr.Problems), "problem"), vr.LastPosition, rep.LastPosition, vr.First())}
	}
	return rep, vr, nil
}

func copyTarget(from, to storeFlags) error {
	switch {
	case (to.data == "") == (to.url == ""):
		return domain.Errorf("copy", domain.Invalid, "to-data", "give one target: --to-data DIR or --to-nats URL")
	case to.url != "":
		if to.url == from.url {
			return domain.Errorf("copy", domain.Invalid, "to-nats", "%s is the source itself", redactURLs(to.url))
		}
		return nil
	}
	return targetDir("copy", "to-data", from, to.data)
}

// targetDir checks a directory to copy the log of from into (the flag
// field names it): not the source, inside it or holding it, and new, empty
// or an earlier copy.
func targetDir(op, field string, from storeFlags, dir string) error {
	if from.url == "" && (within(dir, from.data) || within(from.data, dir)) {
		return domain.Errorf(op, domain.Invalid, field, "%s is the source %s, or inside it, or holds it: give a directory of its own", dir, from.data)
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) == 0 {
		return nil // new or empty
	}
	if _, err := os.Stat(filepath.Join(dir, "jetstream")); err != nil {
		return domain.Errorf(op, domain.Invalid, field, "%s is not empty and holds no ledger: give a new or empty directory, or an earlier copy", dir)
	}
	return nil
}

// notTheSource refuses a target that is the source's stream itself,
// reached by another URL (another name of the host, another server of its
// cluster), which copyTarget cannot tell from the URLs: a copy onto itself
// would find every event already there, or, with the ledger writing to it,
// report that the source lost its last events. Two stores are one stream
// when the servers say so: its name, the time it was created, and its
// JetStream domain and cluster (and, on a cluster, its raft group, named at
// random) are the same.
func notTheSource(ctx context.Context, to storeFlags, src, dst *jetstream.Store) error {
	a, err := streamInfo(ctx, src)
	if err != nil {
		return domain.E("copy", domain.KindOrInternal(err), "", fmt.Errorf("asking the source about its stream: %w", err))
	}
	b, err := streamInfo(ctx, dst)
	if err != nil {
		return domain.E("copy", domain.KindOrInternal(err), "", fmt.Errorf("asking the target about its stream: %w", err))
	}
	var ca, cb natsjs.ClusterInfo
	if a.Cluster != nil {
		ca = *a.Cluster
	}
	if b.Cluster != nil {
		cb = *b.Cluster
	}
	if a.Config.Name != b.Config.Name || !a.Created.Equal(b.Created) || a.Domain != b.Domain || ca.Name != cb.Name || ca.RaftGroup != cb.RaftGroup {
		return nil
	}
	if a, b := src.Conn().ConnectedServerId(), dst.Conn().ConnectedServerId(); ca.Name == "" && a != "" && b != "" && a != b {
		// Two standalone servers, one started on a file-level copy of the
		// other's store (cp -a, a volume snapshot): the stream's name and
		// creation time are the same, the servers are not.
		return nil
	}
	field, target := "to-nats", redactURLs(to.url)
	if to.url == "" {
		field, target = "to-data", to.data
	}
	return domain.Errorf("copy", domain.Invalid, field, "%s is the source itself, reached another way: the same stream %s, created %s: give another server or cluster as the target",
		target, a.Config.Name, a.Created.UTC().Format(time.RFC3339Nano))
}

// streamInfo is what the server says of a store's stream.
func streamInfo(ctx context.Context, s *jetstream.Store) (*natsjs.StreamInfo, error) {
	st, err := s.JetStream().Stream(ctx, s.StreamName())
	if err != nil {
		return nil, err
	}
	return st.Info(ctx)
}

// within reports whether path is dir or inside it, symbolic links followed
// as far as they exist.
func within(path, dir string) bool {
	p, d := resolve(path), resolve(dir)
	rel, err := filepath.Rel(d, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// resolve is the absolute path with the symbolic links of its existing
// part followed.
func resolve(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return path
	}
	rest := ""
	for p := abs; ; p = filepath.Dir(p) {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Join(real, rest)
		}
		if filepath.Dir(p) == p {
			return abs
		}
		rest = filepath.Join(filepath.Base(p), rest)
	}
}

// copyFailed says what the target holds after a copy stopped, and what to
// do; a damaged source or target, or a target that is not a copy of the
// source, exits 3 as ledger verify does for a broken link.
func copyFailed(env Env, dst *jetstream.Store, rep events.CopyReport, err error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if held, lerr := dst.LastPosition(ctx); lerr == nil && held > 0 {
		// Read again: a commit under way when the copy stopped may have landed.
		fmt.Fprintf(env.Stderr, "stopped with %s stored by this copy; the target holds %s\n", count(rep.Copied, "event"), events.Positions(1, held))
	}
	switch domain.KindOf(err) {
	case domain.Corrupt:
		if domain.FieldOf(err) == "to" {
			what := "was altered after it was written"
			if strings.Contains(err.Error(), "inside an atomic append") {
				what = "lost its end"
			}
			fmt.Fprintf(env.Stderr, "the target %s: keep it as evidence, and take a new copy into a new, empty directory\n", what)
		}
		return &exitError{code: 3, err: err}
	case domain.Conflict:
		return &exitError{code: 3, err: err}
	}
	return err
}

// redactURLs writes a list of NATS URLs without their passwords.
func redactURLs(list string) string {
	parts := strings.Split(list, ",")
	for i, p := range parts {
		if u, err := url.Parse(strings.TrimSpace(p)); err == nil && u.User != nil {
			parts[i] = u.Redacted()
		}
	}
	return strings.Join(parts, ",")
}
