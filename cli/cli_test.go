package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(args, Env{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }})
	return code, out.String(), errb.String()
}

func TestDemoEventsVerify(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	code, out, errOut := run(t, "demo", "--data", dir)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "registered 11 cities")
	require.Contains(t, out, "141100 吕梁")
	require.Contains(t, out, "verified 11 events in 11 hash chains")

	code, out, errOut = run(t, "demo", "--data", dir)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "data: "+dir+" is not empty")

	// One city by its Chinese name, as a table.
	code, out, errOut = run(t, "events", "--data", dir, "--city", "运城")
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 2, out)
	require.Contains(t, lines[0], "POSITION")
	require.Contains(t, lines[1], "140800/city/140800")
	require.Contains(t, lines[1], "运城")

	// JSON lines, two cities by code and English name.
	code, out, errOut = run(t, "events", "--data", dir, "--city", "140100,Datong", "--json")
	require.Equal(t, 0, code, errOut)
	var got []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m))
		got = append(got, m)
	}
	require.Len(t, got, 2)
	require.Equal(t, "city.registered", got[0]["name"])
	require.Equal(t, "太原", got[0]["payload"].(map[string]any)["name"])
	require.NotEmpty(t, got[1]["hash"])

	// Position range and limit.
	code, out, _ = run(t, "events", "--data", dir, "--from", "3", "--to", "5", "--json")
	require.Equal(t, 0, code)
	require.Equal(t, 3, strings.Count(out, "\n"))
	code, out, _ = run(t, "events", "--data", dir, "--limit", "4", "--json")
	require.Equal(t, 0, code)
	require.Equal(t, 4, strings.Count(out, "\n"))

	// As of a date before anything was recorded: nothing.
	code, out, errOut = run(t, "events", "--data", dir, "--as-of", "2016-01-01")
	require.Equal(t, 0, code, errOut)
	require.Empty(t, out)

	code, out, errOut = run(t, "verify", "--data", dir)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "checked 11 events of 11 aggregates")
	require.Contains(t, out, "OK")

	// Someone edits Taiyuan's entry on disk while the ledger is stopped.
	blocks, err := filepath.Glob(filepath.Join(dir, "jetstream", "*", "streams", "LEDGER", "msgs", "*.blk"))
	require.NoError(t, err)
	require.NotEmpty(t, blocks)
	b, err := os.ReadFile(blocks[0])
	require.NoError(t, err)
	require.Equal(t, 1, bytes.Count(b, []byte("Taiyuan")))
	require.NoError(t, os.WriteFile(blocks[0], bytes.Replace(b, []byte("Taiyuan"), []byte("Taiyuam"), 1), 0o640))

	code, out, errOut = run(t, "verify", "--data", dir)
	require.Equal(t, 3, code)
	require.Contains(t, out, "BROKEN  position 1, aggregate 140100/city/140100, event ")
	require.Contains(t, errOut, "first broken link at position 1, aggregate 140100/city/140100")

	code, out, _ = run(t, "verify", "--data", dir, "--json")
	require.Equal(t, 3, code)
	var rep struct {
		Problems []struct {
			Position  uint64
			Aggregate struct{ Scope, Type, ID string }
			EventID   string `json:"event_id"`
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	require.Len(t, rep.Problems, 1)
	require.Equal(t, "140100", rep.Problems[0].Aggregate.ID)
	require.NotEmpty(t, rep.Problems[0].EventID)
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"nonsense"}, 2, `unknown command "nonsense"`},
		{nil, 2, "usage: ledger"},
		{[]string{"events", "--data", filepath.Join(dir, "none")}, 1, "data: no ledger at"},
		{[]string{"events", "--data", dir, "--city", "北京"}, 1, `city: "北京" is not a city code`},
		{[]string{"events", "--data", dir, "--aggregate", "140100/section"}, 1, "aggregate: \"140100/section\" is not scope/type/id"},
		{[]string{"events", "--data", dir, "--name", "Reading"}, 1, "names[0]"},
		{[]string{"events", "--data", dir, "--as-of", "yesterday"}, 1, "as-of"},
		{[]string{"events", "--data", dir, "--from", "9", "--to", "3"}, 1, "to: position 3 is before from 9"},
		{[]string{"verify", "--bogus"}, 2, "flag provided but not defined"},
	}
	for _, tc := range tests {
		code, _, errOut := run(t, tc.args...)
		require.Equal(t, tc.code, code, "%v: %s", tc.args, errOut)
		require.Contains(t, errOut, tc.want, "%v", tc.args)
	}
}
