package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/api"
	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/assessment"
	"github.com/shanxi-water/ledger/domain/monitoring"
	"github.com/shanxi-water/ledger/domain/water"
	"github.com/shanxi-water/ledger/events/jetstream"
)

// The same commands against a server's API (--server, LEDGER_TOKEN).
func TestCommandsAgainstAServer(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	s, err := jetstream.Open(ctx, jetstream.Config{DataDir: filepath.Join(dir, "data"), Registry: app.Registry()})
	require.NoError(t, err)
	defer s.Close()
	admin := domain.Actor{ID: "admin", Role: domain.Admin}
	_, err = app.Register(ctx, s, admin, time.Date(2016, 1, 1, 0, 0, 0, 0, domain.CST),
		app.SectionRegistration(monitoring.SectionRegistered{ID: "FH-HJDQ", Name: "河津大桥", River: "汾河", Basin: domain.Yellow, City: "140800",
			Kind: water.River, Level: monitoring.National, Assessed: true, Targets: monitoring.Targets{2019: water.ClassIV}}))
	require.NoError(t, err)
	_, err = app.AdoptRules(ctx, s, admin, assessment.Standard(2016, "晋环发〔2016〕1号"), time.Date(2016, 1, 1, 0, 0, 0, 0, domain.CST))
	require.NoError(t, err)
	url, tokens, adminToken := serve(t, s)
	station := stationToken(t, tokens)
	remote := func(token string, args ...string) (int, string, string) { return runRemote(t, url, token, args...) }

	var csv strings.Builder
	csv.WriteString("section,sampled_at,source,DO,NH3N\n")
	for m := 1; m <= 12; m++ {
		fmt.Fprintf(&csv, "FH-HJDQ,2019-%02d-10 09:00,manual,5.5,2.6\n", m)
	}
	file := filepath.Join(t.TempDir(), "2019.csv")
	require.NoError(t, os.WriteFile(file, []byte(csv.String()), 0o644))

	code, out, errOut := remote(station, "import", file)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "12 samples stored in 1 event (position ")
	code, out, _ = remote(station, "import", file)
	require.Equal(t, 0, code)
	require.Contains(t, out, "12 already stored")

	// A partial upload through the server: the reject file has the bad
	// rows' cells, as a local import writes it, to mend and send again.
	bad := filepath.Join(t.TempDir(), "bad.csv")
	require.NoError(t, os.WriteFile(bad, []byte("section,sampled_at,source,DO,NH3N\nFH-HJDQ,2019-02-11 09:00,manual,5.4,2.5\nFH-HJDQ,2019-02-12 09:00,manual,x,y\n"), 0o644))
	code, out, errOut = remote(station, "import", "--partial", bad)
	require.Equal(t, 4, code, errOut)
	require.Contains(t, out, "1 sample stored in 1 event (position ")
	require.Contains(t, out, "1 row rejected (2 errors)")
	rejects, err := os.ReadFile(bad + ".rejects.csv")
	require.NoError(t, err)
	require.Contains(t, string(rejects), "line,section,sampled_at,source,DO,NH3N,error\n3,FH-HJDQ,2019-02-12 09:00,manual,x,y,")
	require.Contains(t, string(rejects), `不是数字`, "the errors in Chinese")

	// Refused by the server, with --json: the server's error body, as the
	// API answers the upload itself, and the command fails.
	refused := filepath.Join(t.TempDir(), "refused.csv")
	require.NoError(t, os.WriteFile(refused, []byte("section,sampled_at,source,DO,NH3N\nFH-HJDQ,2019-02-13 09:00,manual,x,y\nFH-HJDQ,2019-02-14 09:00,manual,x,1\n"), 0o644))
	code, out, errOut = remote(station, "import", "--json", refused)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "2 rows rejected (3 errors), nothing stored")
	var got, want api.ErrorBody
	require.NoError(t, json.Unmarshal([]byte(out), &got), "stdout is JSON: %q", out)
	req, err := http.NewRequest("POST", url+"/api/samples/import?file=refused.csv", strings.NewReader("section,sampled_at,source,DO,NH3N\nFH-HJDQ,2019-02-13 09:00,manual,x,y\nFH-HJDQ,2019-02-14 09:00,manual,x,1\n"))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+station)
	req.Header.Set("Content-Type", "text/csv")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&want))
	require.Equal(t, want, got)
	require.Len(t, got.Error.Rows, 3)

	code, out, errOut = remote(station, "quality", "--year", "2019", "--city", "运城")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "FH-HJDQ  河津大桥")
	require.Contains(t, out, "氨氮（超标1.59倍）", "the mean of 12 × 2.6 and one 2.5, over 1.0")

	code, out, errOut = remote(station, "events", "--type", "section", "--json")
	require.Equal(t, 0, code, errOut)
	require.Equal(t, 3, strings.Count(out, "\n"), "the registration and two uploads")

	code, out, errOut = remote(station, "verify")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "OK")

	code, out, errOut = remote(station, "assess", "--year", "2019", "--city", "运城")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "140800 运城")
	require.Contains(t, out, "140800 运城 2019年: 水质得分")
	require.Contains(t, out, "断面达标：", "the parts in Chinese")
	require.Contains(t, out, "sections meeting their target", "and in English")

	// Results of a year not ended, as it happened by a day in it: said so.
	code, out, errOut = remote(station, "assess", "--year", "2019", "--as-happened", "2019-12-20")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "as it happened by 2019-12-20")
	require.Contains(t, out, "临时结果：该年度尚未结束")
	require.Contains(t, out, "(provisional: the year had not ended")

	// A station may not publish: the server's 403 comes back as an error.
	code, _, errOut = remote(station, "publish", "--year", "2019", "--document", "x")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "may not assessment.write")
	// The test province has sections in Yuncheng only: publishing says so,
	// and publishes once told it is knowingly incomplete.
	code, _, errOut = remote(adminToken, "publish", "--year", "2019", "--document", "晋环函〔2020〕30号")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "incomplete: 10 of 11 cities lack data for 2019: Taiyuan (no section registered);")
	require.Contains(t, errOut, "\n  2019 年 11 个城市中有 10 个缺少数据：太原（无登记断面）；", "and in Chinese, under it")
	code, out, errOut = remote(adminToken, "publish", "--year", "2019", "--document", "晋环函〔2020〕30号", "--incomplete")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "published 2019")
	// The assessment team's refusals are said in Chinese too: a year
	// published already, a consequence for a city that passed.
	code, _, errOut = remote(adminToken, "publish", "--year", "2019", "--document", "晋环函〔2020〕31号", "--incomplete")
	require.Equal(t, 1, code)
	require.Regexp(t, `a publication stands once made\n  2019 年度考核结果已于 \S+ 公布（晋环函〔2020〕30号）；已公布的结果不再变更\n$`, errOut)
	code, _, errOut = remote(adminToken, "call", "--data-json", `{"kind":"interview","document":"晋环函〔2020〕41号","authority":"省生态环境厅"}`, "POST", "/api/assessment/2019/cities/太原市/consequences")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "consequences follow 不合格 only\n  太原 2019 年度考核等级为优秀：约谈、区域限批、整改仅适用于考核不合格的城市\n")

	code, out, errOut = remote(adminToken, "audit", "--city", "运城", "--at", time.Now().In(domain.CST).Format("2006-01-02"))
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "every hash chain intact")

	// A date in any form the command line takes reaches the server in the
	// one form the API takes.
	now := time.Now().In(domain.CST)
	slashed, compact := now.Format("2006/01/02"), now.Format("20060102")
	for _, args := range [][]string{
		{"assess", "--year", "2019", "--as-of", slashed},
		{"assess", "--year", "2019", "--as-happened", compact},
		{"quality", "--year", "2019", "--as-of", compact},
		{"quality", "--year", "2019", "--as-happened", slashed},
		{"events", "--as-of", slashed, "--limit", "1"},
	} {
		code, _, errOut = remote(adminToken, args...)
		require.Equal(t, 0, code, "%v: %s", args, errOut)
	}

	// Without a token: a clear error naming the variable.
	code, _, errOut = remote("", "verify")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "LEDGER_TOKEN")
}

// serve serves the store through the API, as ledger serve does, until the
// test ends; it returns the server's URL, its tokens and the
// administrator's token.
func serve(t *testing.T, s *jetstream.Store) (string, *api.Tokens, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	tokens, admin, err := api.OpenTokens(filepath.Join(t.TempDir(), "tokens.json"))
	require.NoError(t, err)
	srv := api.New(api.Config{Store: s, Tokens: tokens, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	go srv.Run(ctx)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	// Ready once its read models have caught up with the store: a read
	// sent before would be answered from models still replaying it.
	require.Eventually(t, func() bool {
		resp, err := http.Get(hs.URL + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 10*time.Second, 10*time.Millisecond, "the server catches up with the store")
	return hs.URL, tokens, admin
}

// stationToken is a station's token for FH-HJDQ.
func stationToken(t *testing.T, tokens *api.Tokens) string {
	t.Helper()
	station, err := tokens.Add(api.Token{Person: "station-9", Role: domain.Station, Sections: []monitoring.SectionID{"FH-HJDQ"}})
	require.NoError(t, err)
	return station
}

// runRemote runs the command line against the server at url with the
// token (LEDGER_SERVER, LEDGER_TOKEN).
func runRemote(t *testing.T, url, token string, args ...string) (int, string, string) {
	t.Helper()
	return runEnv(t, map[string]string{"LEDGER_SERVER": url, "LEDGER_TOKEN": token}, args...)
}

// A refused upload at the terminal, without --json: each English reason
// with its Chinese under it (the summary's, each row's, the file's), the
// same on the local store and through a server.
func TestImportErrorsInChineseLocallyAndThroughAServer(t *testing.T) {
	local := hejinStore(t)
	s, err := jetstream.Open(context.Background(), jetstream.Config{DataDir: hejinStore(t), Registry: app.Registry()})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	url, tokens, _ := serve(t, s)
	station := stationToken(t, tokens)

	var many strings.Builder // 21 errors: 20 listed, and one more
	many.WriteString("section,sampled_at,source,DO\n")
	for d := 1; d <= 21; d++ {
		fmt.Fprintf(&many, "FH-HJDQ,2019-03-%02d 09:00,manual,x\n", d)
	}
	for _, tc := range []struct {
		name, file string
		want       []string // lines of the message, in order
	}{
		{"bad rows", "section,sampled_at,source,DO,NH3N\nFH-HJDQ,2019-02-13 09:00,manual,x,y\nFH-HJDQ,2019-02-30 09:00,manual,5,1\n", []string{
			"ledger import: import: file: 2 rows rejected (3 errors), nothing stored:",
			"  2 行被拒（3 处错误），未存储任何数据：",
			`  line 2, column DO: "x" is not a number`,
			`    第 2 行，DO 列："x" 不是数字（低于检出限的结果写作 <x 或 xL）`,
			`  line 2, column NH3N: "y" is not a number`,
			`    第 2 行，NH3N 列："y" 不是数字（低于检出限的结果写作 <x 或 xL）`,
			`  line 3, column sampled_at: "2019-02-30 09:00" is not a time`,
			`    第 3 行，sampled_at 列："2019-02-30 09:00" 不是时间（如 2019-03-01 08:00 或 2019/3/1 8:00，山西时间；或 RFC 3339）`,
		}},
		{"more than 20 errors", many.String(), []string{
			"ledger import: import: file: 21 rows rejected (21 errors), nothing stored:",
			"  21 行被拒（21 处错误），未存储任何数据：",
			`  line 21, column DO: "x" is not a number`,
			`    第 21 行，DO 列："x" 不是数字`,
			"  … and 1 more",
			"    ……另有 1 处错误",
		}},
		{"cut short", "section,sampled_at,source,DO\nFH-HJDQ,2019-03-01 09:00,manual,6", []string{
			"ledger import: import: file: its last line has no line break",
			"  最后一行没有换行符：文件可能在传输中被截断；未存储任何数据（请重新发送，或在最后一行末尾换行）",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "bad.csv")
			require.NoError(t, os.WriteFile(file, []byte(tc.file), 0o644))
			code, out, here := run(t, "import", "--data", local, "--as", "station-1:station", file)
			require.Equal(t, 1, code)
			require.Empty(t, out)
			code, out, there := runRemote(t, url, station, "import", file)
			require.Equal(t, 1, code)
			require.Empty(t, out)
			require.Equal(t, here, there, "the same through a server")
			requireLines(t, here, tc.want)
		})
	}
	// Another station's section, which only a server's token refuses: the
	// summary says why in both languages, and the rows are listed.
	_, err = app.Register(context.Background(), s, domain.Actor{ID: "admin", Role: domain.Admin}, time.Date(2016, 1, 1, 0, 0, 0, 0, domain.CST),
		app.SectionRegistration(monitoring.SectionRegistered{ID: "HH-LMD", Name: "龙门大桥", River: "黄河", Basin: domain.Yellow, City: "140800",
			Kind: water.River, Level: monitoring.National, Assessed: true, Targets: monitoring.Targets{2019: water.ClassIII}}))
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "foreign.csv")
	require.NoError(t, os.WriteFile(file, []byte("section,sampled_at,source,DO\nHH-LMD,2019-03-01 09:00,manual,6\n"), 0o644))
	code, out, there := runRemote(t, url, station, "import", "--partial", file)
	require.Equal(t, 1, code)
	require.Empty(t, out)
	requireLines(t, there, []string{
		"ledger import: import: file: 1 row rejected (1 error), nothing stored: this station's token may not upload samples for HH-LMD:",
		"  1 行被拒（1 处错误），未存储任何数据：本站令牌无权上传他站断面的样品（HH-LMD）：",
		"  line 2, column section: HH-LMD is not one of this station's sections",
		"    第 2 行，section 列：HH-LMD 不是本站的断面",
	})
}

// requireLines requires lines starting with each of want, in order, in text.
func requireLines(t *testing.T, text string, want []string) {
	t.Helper()
	lines := strings.Split(text, "\n")
	at := 0
	for _, w := range want {
		for at < len(lines) && !strings.HasPrefix(lines[at], w) {
			at++
		}
		require.Less(t, at, len(lines), "%q, after the lines before it, in:\n%s", w, text)
	}
}

// Any API operation is a command line call, on the local store or a server.
func TestCallAnyOperation(t *testing.T) {
	dir := citiesStore(t)
	code, out, errOut := run(t, "call", "--data", dir, "POST", "/api/tasks/catalogue")
	require.Equal(t, 0, code, errOut)
	require.Equal(t, 90, strings.Count(out, `"name": "task.listed"`))
	code, out, errOut = run(t, "call", "--data", dir, "--as", "inspector-1:enforcement", "POST", "/api/enterprises",
		"--data-json", `{"name":"x"}`)
	require.Equal(t, 2, code, "flags after the arguments are a usage error: %s", errOut)
	code, _, errOut = run(t, "call", "--data", dir, "--as", "inspector-1:enforcement", "--data-json", `{"name":"太原市某厂","permit_no":"bad","city":"140100","industry":"造纸"}`, "POST", "/api/enterprises")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "permit_no")
	code, out, errOut = run(t, "call", "--data", dir, "--as", "auditor-1:auditor", "GET", "/api/tasks/overdue?day=2017-01-01")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, `"by_department"`)
	code, _, errOut = run(t, "call", "--data", dir, "--as", "auditor-1:auditor", "POST", "/api/tasks/catalogue")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "may not")
}
