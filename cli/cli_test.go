package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/api"
	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/monitoring"
	"github.com/shanxi-water/ledger/domain/water"
	"github.com/shanxi-water/ledger/events/jetstream"
)

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runEnv(t, nil, args...)
}

// runEnv runs the command line with the environment env.
func runEnv(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(args, Env{Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] }})
	return code, out.String(), errb.String()
}

// citiesStore is a store holding the 11 cities' registrations.
func citiesStore(t *testing.T) string {
	dir := filepath.Join(t.TempDir(), "store")
	s, err := jetstream.Open(context.Background(), jetstream.Config{DataDir: dir, Registry: app.Registry()})
	require.NoError(t, err)
	_, err = app.RegisterCities(context.Background(), s, domain.Actor{ID: "admin", Role: domain.Admin}, time.Date(2015, 12, 30, 0, 0, 0, 0, domain.CST))
	require.NoError(t, err)
	require.NoError(t, s.Close())
	return dir
}

// alterTaiyuan edits the stored registration of Taiyuan in the embedded
// store at dir, as someone with access to its disk could.
func alterTaiyuan(t *testing.T, dir string) { alterBlocks(t, dir, "Taiyuan", "Taiyuam") }

// alterBlocks replaces old, stored once, by new of the same length in the
// embedded store at dir.
func alterBlocks(t *testing.T, dir, old, new string) {
	t.Helper()
	blocks, err := filepath.Glob(filepath.Join(dir, "jetstream", "*", "streams", "LEDGER", "msgs", "*.blk"))
	require.NoError(t, err)
	require.NotEmpty(t, blocks)
	found := 0
	for _, blk := range blocks {
		b, err := os.ReadFile(blk)
		require.NoError(t, err)
		if n := bytes.Count(b, []byte(old)); n > 0 {
			found += n
			require.NoError(t, os.WriteFile(blk, bytes.Replace(b, []byte(old), []byte(new), 1), 0o640))
		}
	}
	require.Equal(t, 1, found, "%q is stored once", old)
}

func TestEventsVerify(t *testing.T) {
	dir := citiesStore(t)
	code, _, errOut := run(t, "demo", "--data", dir)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "data: "+dir+" is not empty")

	// One city by its Chinese name, as a table.
	code, out, errOut := run(t, "events", "--data", dir, "--city", "运城")
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
	alterTaiyuan(t, dir)

	code, out, errOut = run(t, "verify", "--data", dir)
	require.Equal(t, 3, code)
	require.Contains(t, out, "BROKEN  position 1, aggregate 140100/city/140100, event ")
	require.Contains(t, errOut, "1 problem; first broken link: position 1, aggregate 140100/city/140100")

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
		{[]string{"verify", "--data", dir}, 1, "data: no ledger at"}, // an empty directory, left empty
		{[]string{"events", "--data", dir, "--city", "北京"}, 1, `city: "北京" is not a city code`},
		{[]string{"events", "--data", dir, "--aggregate", "140100/section"}, 1, "aggregate: \"140100/section\" is not scope/type/id"},
		{[]string{"events", "--data", dir, "--name", "Reading"}, 1, "name[0]"},
		{[]string{"events", "--data", dir, "--name", "enterprise.foo"}, 1, "not an event name"},
		{[]string{"events", "--data", dir, "--as-of", "yesterday"}, 1, "as-of"},
		{[]string{"events", "--data", dir, "--from", "9", "--to", "3"}, 1, "to: position 3 is before from 9"},
		{[]string{"verify", "--bogus"}, 2, "flag provided but not defined"},
		{[]string{"assess", "--data", dir, "--year", "2018", "--city", "Lin"}, 1, `city: "Lin" is not a city code`},
		{[]string{"events", "--data", dir, "--type", "nope"}, 1, `type[0]: "nope" is not an aggregate type`},
		{[]string{"call", "-h"}, 0, "usage: ledger call [flags] METHOD /api/PATH"},
		{[]string{"import", "-h"}, 0, "usage: ledger import [flags] FILE.csv"},
		{[]string{"call", "POST", "/api/sections", "--data-json", "{}"}, 2, "--data-json comes after POST: flags go first"},
		{[]string{"call", "GET"}, 2, "usage: ledger call [flags] METHOD /api/PATH"},
		{[]string{"import", "--data", dir, "--", "-q1.csv"}, 1, "-q1.csv: no such file"},
		{[]string{"copy", "--data", dir}, 1, "to-data: give one target: --to-data DIR or --to-nats URL"},
		{[]string{"copy", "--data", dir, "--to-data", dir}, 1, "to-data: " + dir + " is the source " + dir + ", or inside it"},
		{[]string{"copy", "--data", dir, "--to-data", filepath.Join(dir, "jetstream")}, 1, "or inside it, or holds it"},
		{[]string{"copy", "--data", filepath.Join(dir, "a", "b"), "--to-data", filepath.Join(dir, "a")}, 1, "or inside it, or holds it"},
		{[]string{"copy", "--nats", "nats://ledger:s3cret@127.0.0.1:1", "--to-nats", "nats://ledger:s3cret@127.0.0.1:1"}, 1, "nats://ledger:xxxxx@127.0.0.1:1 is the source itself"},
		{[]string{"verify", "--data", dir, "--nats", "nats://127.0.0.1:1"}, 1, "nats: give one of --data, --nats, not --data and --nats"},
		{[]string{"serve", "--server", "http://127.0.0.1:1"}, 1, "server: serve is a server: give --data DIR or --nats URL, not --server"},
		{[]string{"serve", "--data", dir, "--backup-to", filepath.Join(dir, "backup")}, 1, "backup-to: " + filepath.Join(dir, "backup") + " is the source " + dir + ", or inside it"},
		{[]string{"serve", "--data", dir, "--backup-to", filepath.Join(filepath.Dir(dir), "backup"), "--backup-every", "0s"}, 1, "backup-every: 0s: give a positive duration"},
		{[]string{"copy", "--data", dir, "--to-data", filepath.Join(filepath.Dir(dir), "backup")}, 1, "data: no ledger at"},
	}
	for _, tc := range tests {
		code, out, errOut := run(t, tc.args...)
		require.Equal(t, tc.code, code, "%v: %s", tc.args, errOut)
		require.Contains(t, errOut, tc.want, "%v", tc.args)
		require.Empty(t, out, "%v: nothing printed before the error", tc.args)
	}
	left, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, left, "commands refused on an empty directory leave it empty, for ledger demo")
}

// hejinStore is citiesStore with Yuncheng's section 河津大桥 (FH-HJDQ,
// target IV in 2019).
func hejinStore(t *testing.T) string {
	t.Helper()
	dir := citiesStore(t)
	s, err := jetstream.Open(context.Background(), jetstream.Config{DataDir: dir, Registry: app.Registry()})
	require.NoError(t, err)
	_, err = app.Register(context.Background(), s, domain.Actor{ID: "admin", Role: domain.Admin}, time.Date(2016, 1, 1, 0, 0, 0, 0, domain.CST),
		app.SectionRegistration(monitoring.SectionRegistered{ID: "FH-HJDQ", Name: "河津大桥", River: "汾河", Basin: domain.Yellow, City: "140800",
			Kind: water.River, Level: monitoring.National, Assessed: true, Targets: monitoring.Targets{2019: water.ClassIV}}))
	require.NoError(t, err)
	require.NoError(t, s.Close())
	return dir
}

func TestImportAndQuality(t *testing.T) {
	dir := hejinStore(t)

	var csv strings.Builder
	csv.WriteString("section,sampled_at,source,DO,NH3N\n")
	for m := 1; m <= 12; m++ {
		fmt.Fprintf(&csv, "FH-HJDQ,2019-%02d-10 09:00,manual,5.5,2.6\n", m)
	}
	csv.WriteString("FH-HJDQ,2019-13-10 09:00,manual,5.5,2.6\n")
	file := filepath.Join(t.TempDir(), "2019.csv")
	require.NoError(t, os.WriteFile(file, []byte(csv.String()), 0o644))

	code, _, errOut := run(t, "import", "--data", dir, "--as", "station-1:station", file)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "line 14, column sampled_at")
	_, err := os.Stat(file + ".rejects.csv")
	require.ErrorIs(t, err, os.ErrNotExist, "a refused import leaves no reject file")
	code, _, errOut = run(t, "import", "--data", dir, "--as", "station-1:station", "--partial", "--rejects", file, file)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "is the file being imported")
	kept, err := os.ReadFile(file)
	require.NoError(t, err)
	require.Equal(t, csv.String(), string(kept), "the file is not emptied")

	// A partial import with a row rejected stores the others, says so in
	// English with the Chinese under each line, and exits 4: a script
	// must not take it for a whole upload.
	code, out, errOut := run(t, "import", "--data", dir, "--as", "station-1:station", "--partial", file)
	require.Equal(t, 4, code, errOut)
	require.Regexp(t, `(?m)^.*2019\.csv: 13 rows, 12 samples stored in 1 event \(position \d+\), 0 already stored, 1 row rejected \(1 error\)\n`+
		`  .*2019\.csv：共 13 行，存储 12 个样品（1 个事件，位置 \d+），0 行此前已存储，1 行被拒（1 处错误）\n`+
		`rejected rows written to .*2019\.csv\.rejects\.csv \(mend them and import it again: its line and error columns are ignored\)\n`+
		`  被拒的行已写入 .*2019\.csv\.rejects\.csv（改正后可再次导入：其中的 line 和 error 列会被忽略）\n$`, out)
	require.Equal(t, "ledger import: 1 row rejected (1 error), the others stored\n  1 行被拒（1 处错误），其余已存储\n", errOut)
	rejects, err := os.ReadFile(file + ".rejects.csv")
	require.NoError(t, err)
	require.Contains(t, string(rejects), "2019-13-10")
	// Again, with --json: the result (one JSON value), and exit 4 still.
	code, out, errOut = run(t, "import", "--data", dir, "--as", "station-1:station", "--partial", "--json", file)
	require.Equal(t, 4, code, errOut)
	var res app.ImportResult
	require.NoError(t, json.Unmarshal([]byte(out), &res), "stdout is the result alone: %q", out)
	require.Equal(t, 12, res.AlreadyStored)
	require.Equal(t, 1, res.RejectedRows)
	require.Equal(t, "ledger import: 1 row rejected (1 error), the others stored\n", errOut)

	code, out, errOut = run(t, "quality", "--data", dir, "--year", "2019", "--city", "运城")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "2019  黄河流域  1")
	require.Contains(t, out, "FH-HJDQ  河津大桥")
	require.Contains(t, out, "劣Ⅴ")
	require.Contains(t, out, "氨氮（超标1.60倍）") // (2.6 − 1.0) / 1.0
	require.NotContains(t, out, "临时结果", "2019 has ended")

	// Half way through the year, as it had happened: nothing classed yet,
	// so the basin's targets cannot be judged, rather than missed.
	code, out, errOut = run(t, "quality", "--data", dir, "--year", "2019", "--as-happened", "2019-06-30")
	require.Equal(t, 0, code, errOut)
	require.Regexp(t, `2019  黄河流域  1 +0 +0\.00% +\S+ +无法判定`, out)
	require.NotContains(t, out, "未达标")
	require.Contains(t, out, "注：2019 年截至 2019-06-30 尚未结束，样本不全：以上为临时结果（provisional）")

	code, _, errOut = run(t, "import", "--data", dir, "--as", "nobody", file)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "as: \"nobody\" is not id:role")
}

// A refused upload says how many rows and errors it has, as a partial one
// does; with --json it is the API's error body on stdout (its message and
// its rows with their Chinese), and the command still fails.
func TestImportRefused(t *testing.T) {
	dir := hejinStore(t)

	var bad strings.Builder
	bad.WriteString("section,sampled_at,source,DO,NH3N\n")
	for d := 1; d <= 12; d++ {
		nh3n := "2.6"
		if d <= 5 {
			nh3n = "y" // a second error on the first five rows
		}
		fmt.Fprintf(&bad, "FH-HJDQ,2019-03-%02d 09:00,manual,x,%s\n", d, nh3n)
	}
	for _, tc := range []struct {
		name, file string
		want       string // in the message, with and without --json
		rows       int    // errors listed in the JSON
		zh         string // the message in Chinese, in the JSON
	}{
		{"12 bad rows, 17 errors", bad.String(), "12 rows rejected (17 errors), nothing stored", 17, "12 行被拒（17 处错误），未存储任何数据"},
		{"a header with two unit errors", "section,sampled_at,source,DO(μg/L),NH3N(g/L)\nFH-HJDQ,2019-03-01 09:00,manual,6000,0.001\n",
			"the header (line 1) rejected (2 errors), nothing stored", 2, "表头（第 1 行）有误（2 处错误），未存储任何数据"},
		{"cut short", "section,sampled_at,source,DO\nFH-HJDQ,2019-03-01 09:00,manual,6", "cut short", 0,
			"最后一行没有换行符：文件可能在传输中被截断；未存储任何数据（请重新发送，或在最后一行末尾换行）"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "bad.csv")
			require.NoError(t, os.WriteFile(file, []byte(tc.file), 0o644))
			code, out, errOut := run(t, "import", "--data", dir, "--as", "station-1:station", file)
			require.Equal(t, 1, code)
			require.Empty(t, out)
			require.Contains(t, errOut, tc.want)
			require.NotContains(t, errOut, "bad row")

			code, out, errOut = run(t, "import", "--data", dir, "--as", "station-1:station", "--json", file)
			require.Equal(t, 1, code, "refused, JSON or not")
			require.Contains(t, errOut, tc.want)
			var body api.ErrorBody
			require.NoError(t, json.Unmarshal([]byte(out), &body), "stdout is JSON: %q", out)
			require.Equal(t, "invalid", body.Error.Kind)
			require.Equal(t, "import", body.Error.Op)
			require.Equal(t, "file", body.Error.Field)
			require.Contains(t, body.Error.Message, tc.want)
			require.Equal(t, tc.zh, body.Error.MessageZh)
			require.Len(t, body.Error.Rows, tc.rows)
			for _, r := range body.Error.Rows {
				require.NotEmpty(t, r.ReasonZh, "%+v", r)
			}
		})
	}
}

// A store a server holds open: the command says how to go through the
// server instead.
func TestStoreInUseSaysServer(t *testing.T) {
	dir := citiesStore(t)
	s, err := jetstream.Open(context.Background(), jetstream.Config{DataDir: dir, Registry: app.Registry()})
	require.NoError(t, err)
	defer s.Close()
	code, _, errOut := run(t, "events", "--data", dir, "--limit", "1")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "in use by another ledger process")
	require.Contains(t, errOut, "--server")
}

// serve --demo loads into --data when given, which must be new or empty:
// a directory holding a store is refused before anything is loaded.
func TestServeDemoUsesData(t *testing.T) {
	dir := citiesStore(t)
	code, _, errOut := run(t, "serve", "--demo", "--data", dir, "--listen", "127.0.0.1:0")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, dir+" is not empty")

	got, err := demoDir("serve", "")
	require.NoError(t, err)
	require.DirExists(t, got)
	os.RemoveAll(got)
	empty := t.TempDir()
	got, err = demoDir("serve", empty)
	require.NoError(t, err)
	require.Equal(t, empty, got)
}

// A date after today given as what the ledger knew (--at, --as-of) is
// refused on the local store as the server refuses it, naming the flag;
// today is taken (assess then goes on to say the store has no rules) (and a day that is today when the test starts is today
// or yesterday when the command runs). The boundary is domain's
// TestCheckAsOf.
func TestLocalAsOfAfterTodayRefused(t *testing.T) {
	dir := citiesStore(t)
	for _, tc := range []struct {
		args []string
		flag string
	}{
		{[]string{"audit", "--data", dir, "--city", "运城", "--at"}, "at"},
		{[]string{"assess", "--data", dir, "--year", "2019", "--as-of"}, "as-of"},
		{[]string{"quality", "--data", dir, "--year", "2019", "--as-of"}, "as-of"},
		{[]string{"events", "--data", dir, "--as-of"}, "as-of"},
	} {
		for _, future := range []string{"2999-01-01", "2999/1/1", "2999-01-01T00:00:00+08:00"} {
			code, _, errOut := run(t, append(tc.args, future)...)
			require.Equal(t, 1, code, "%v %s", tc.args, future)
			require.Contains(t, errOut, tc.flag+": "+future+" is after today (", "%v", tc.args)
			require.Contains(t, errOut, ", Shanxi time): the ledger cannot say yet what it will know then")
		}
		today := time.Now().In(domain.CST).Format("2006-01-02")
		_, _, errOut := run(t, append(tc.args, today)...) // assess fails on, having no rules
		require.NotContains(t, errOut, "after today", "%v %s", tc.args, today)
	}
}
