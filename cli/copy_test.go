package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/events/jetstream"
)

// A backup is taken, taken again with only what is new, restored, and read
// like the original; a backup altered on disk is found out by the next one.
func TestCopyBackupAndRestore(t *testing.T) {
	dir := citiesStore(t)
	backup := filepath.Join(t.TempDir(), "backup")

	code, out, errOut := run(t, "copy", "--data", dir, "--to-data", backup)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "checked 11 events; 0 already in the target, 11 copied in 1 append\n")
	require.Contains(t, out, "OK: the target holds positions 1–11, and every hash and every chain verifies")

	// A restore of this first backup, for later.
	first := filepath.Join(t.TempDir(), "first")
	code, _, errOut = run(t, "copy", "--data", backup, "--to-data", first)
	require.Equal(t, 0, code, errOut)

	// More is recorded; the next backup stores only that.
	code, _, errOut = run(t, "call", "--data", dir, "--data-json",
		`{"id":"NEW-1","name":"新断面","river":"汾河","basin":"yellow","city":"140100","kind":"river","level":"provincial","assessed":true,"targets":{"2019":3}}`,
		"POST", "/api/sections")
	require.Equal(t, 0, code, errOut)
	code, out, errOut = run(t, "copy", "--data", dir, "--to-data", backup)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "checked 12 events; 11 already in the target, 1 copied in 1 append\n")

	// Restored into a new directory, it reads as the original does.
	restored := filepath.Join(t.TempDir(), "restored")
	code, _, errOut = run(t, "copy", "--data", backup, "--to-data", restored)
	require.Equal(t, 0, code, errOut)
	_, want, _ := run(t, "events", "--data", dir, "--json")
	code, got, errOut := run(t, "events", "--data", restored, "--json")
	require.Equal(t, 0, code, errOut)
	require.Equal(t, want, got, "every event, with its position, times and hashes")
	code, out, errOut = run(t, "verify", "--data", restored)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "checked 12 events")

	// A log that lost its last event (here: the first backup's restore)
	// verifies on its own; copied to the backup that holds more, it is found out.
	code, _, errOut = run(t, "verify", "--data", first)
	require.Equal(t, 0, code, errOut)
	code, _, errOut = run(t, "copy", "--data", first, "--to-data", backup)
	require.Equal(t, 3, code, "as verify exits for a broken link")
	require.Contains(t, errOut, "the source has lost its last event (removed from its end?), or something else wrote to the target")

	// The backup's events past the source's end are checked before anything
	// is said of them: altered, they are named, not offered for a restore.
	tampered := filepath.Join(t.TempDir(), "tampered")
	require.NoError(t, os.CopyFS(tampered, os.DirFS(backup)))
	alterBlocks(t, tampered, "新断面", "新断点")
	code, _, errOut = run(t, "copy", "--data", first, "--to-data", tampered)
	require.Equal(t, 3, code)
	require.Contains(t, errOut, "the target's event after the source's end does not hold: position 12")
	require.NotContains(t, errOut, "restore")

	// A flag on the command line wins over the environment: with a
	// cluster's URL exported, --data still copies the directory given.
	code, out, errOut = runEnv(t, map[string]string{"LEDGER_NATS": "nats://127.0.0.1:1", "LEDGER_SERVER": "http://127.0.0.1:1"},
		"copy", "--data", dir, "--to-data", backup)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "checked 12 events; 12 already in the target, 0 copied in 0 appends")

	// An exported LEDGER_SERVER is for other commands; LEDGER_DATA and
	// LEDGER_NATS both exported, with neither flag, name two stores.
	code, _, errOut = runEnv(t, map[string]string{"LEDGER_SERVER": "http://127.0.0.1:1", "LEDGER_DATA": dir}, "copy", "--to-data", backup)
	require.Equal(t, 0, code, errOut)
	code, _, errOut = runEnv(t, map[string]string{"LEDGER_NATS": "nats://127.0.0.1:1", "LEDGER_DATA": dir}, "copy", "--to-data", backup)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "LEDGER_DATA and LEDGER_NATS are both set: give --data or --nats")

	// A file-level copy of the data directory (cp -a, a volume snapshot) is
	// topped up like any backup, not taken for the source itself.
	snapshot := filepath.Join(t.TempDir(), "snapshot")
	require.NoError(t, os.CopyFS(snapshot, os.DirFS(first)))
	code, out, errOut = run(t, "copy", "--data", dir, "--to-data", snapshot)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "11 already in the target, 1 copied")

	// A directory holding something else is not taken for a target.
	other := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(other, "notes.txt"), []byte("mine"), 0o600))
	code, _, errOut = run(t, "copy", "--data", dir, "--to-data", other)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "is not empty and holds no ledger")

	// Someone alters the backup; the next backup says so and stores nothing.
	alterTaiyuan(t, backup)
	code, _, errOut = run(t, "copy", "--data", dir, "--to-data", backup)
	require.Equal(t, 3, code)
	require.Contains(t, errOut, "to: the target's event at position 1")
	require.Contains(t, errOut, "was altered after it was stored")
	require.Contains(t, errOut, "keep it as evidence, and take a new copy into a new, empty directory")
}

// An empty log copies into an empty one, said so (not "positions 1 to 0").
func TestCopyEmptyLog(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "empty")
	s, err := jetstream.Open(context.Background(), jetstream.Config{DataDir: dir, Registry: app.Registry()})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	code, out, errOut := run(t, "copy", "--data", dir, "--to-data", filepath.Join(t.TempDir(), "copy"))
	require.Equal(t, 0, code, errOut)
	require.Equal(t, "checked 0 events; 0 already in the target, 0 copied in 0 appends\nOK: the source is empty, and so is the target\n", out)
}

// A target that is the source's own stream under another URL (here: one
// server reached as 127.0.0.1 and as localhost) is refused, and nothing is
// stored: copied onto itself, a log under live writes was reported as
// having lost its last events.
func TestCopyOntoItselfByAnotherURL(t *testing.T) {
	ctx := context.Background()
	s, err := jetstream.Open(ctx, jetstream.Config{DataDir: t.TempDir(), Listen: "127.0.0.1:-1", Registry: app.Registry()})
	require.NoError(t, err)
	defer s.Close()
	_, err = app.RegisterCities(ctx, s, domain.Actor{ID: "admin", Role: domain.Admin}, time.Date(2015, 12, 30, 0, 0, 0, 0, domain.CST))
	require.NoError(t, err)
	before, err := s.LastPosition(ctx)
	require.NoError(t, err)

	url := s.WriterURL()
	other := strings.Replace(url, "@127.0.0.1:", "@localhost:", 1)
	require.NotEqual(t, url, other)
	code, out, errOut := runEnv(t, map[string]string{"LEDGER_TO_NATS": other}, "copy", "--nats", url)
	require.Equal(t, 1, code, "%s%s", out, errOut)
	require.Contains(t, errOut, "to-nats: nats://ledger:xxxxx@localhost:")
	require.Contains(t, errOut, "is the source itself, reached another way: the same stream LEDGER, created ")
	require.NotContains(t, out, "OK")
	after, err := s.LastPosition(ctx)
	require.NoError(t, err)
	require.Equal(t, before, after)
}
