package api_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/ledgertest"
)

func TestExportsCSVAndXLSX(t *testing.T) {
	f := setup(t)
	code, b := f.do("POST", "/api/assessment/rules", domain.Assessment, standardRules, "application/json")
	require.Equal(t, 201, code, string(b))
	var csvBody strings.Builder
	csvBody.WriteString("section,sampled_at,source,DO,NH3N\n")
	for m := 1; m <= 12; m++ {
		fmt.Fprintf(&csvBody, "FH-HJDQ,2019-%02d-10 09:00,manual,4.0,2.6\n", m) // 劣V, target IV
		fmt.Fprintf(&csvBody, "HH-NZ,2019-%02d-10 09:00,manual,8.0,0.2\n", m)   // II, target II
	}
	code, b = f.do("POST", "/api/samples/import", domain.Admin, csvBody.String(), "text/csv")
	require.Equal(t, 200, code, string(b))
	code, b = f.do("POST", "/api/assessment/2019/publish", domain.Assessment, `{"document":"晋环函〔2020〕30号","incomplete":true}`, "application/json")
	require.Equal(t, 201, code, string(b))

	// CSV, in Chinese, as published.
	code, b = f.do("GET", "/api/exports/assessment/2019", domain.Auditor, "", "")
	require.Equal(t, 200, code, string(b))
	require.True(t, bytes.HasPrefix(b, []byte("\ufeff")), "a byte-order mark for spreadsheet programs")
	recs, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 12)
	require.Equal(t, "排名", recs[0][0])
	byCity := map[string][]string{}
	for _, r := range recs[1:] {
		byCity[r[1]] = r
	}
	// Yuncheng: its one section missed (0 of 1 × 60 = 0, other parts full: 40).
	require.Equal(t, []string{"40.00", "不合格", "已公布", "0", "1"}, []string{byCity["140800"][3], byCity["140800"][5], byCity["140800"][6], byCity["140800"][7], byCity["140800"][8]})
	hardFails := slices.Index(recs[0], "一票否决")
	require.Equal(t, "水质得分 40.00 低于 60 分，一票否决", byCity["140800"][hardFails], "the reasons in Chinese")
	require.Equal(t, "100.00", byCity["140900"][3])
	require.Equal(t, "优秀", byCity["140900"][5])

	// XLSX, in English: the same figures.
	code, b = f.do("GET", "/api/exports/assessment/2019?format=xlsx&lang=en", domain.Auditor, "", "")
	require.Equal(t, 200, code, string(b))
	x, err := excelize.OpenReader(bytes.NewReader(b))
	require.NoError(t, err)
	rows, err := x.GetRows("assessment-2019-published")
	require.NoError(t, err)
	require.Equal(t, "quality score", rows[0][3])
	// Scores show two decimals; the hard-fail column is as wide as its text.
	style, err := x.GetCellStyle("assessment-2019-published", "D2")
	require.NoError(t, err)
	st, err := x.GetStyle(style)
	require.NoError(t, err)
	require.Equal(t, 2, st.NumFmt, "0.00")
	hardCol := slices.Index(rows[0], "hard fails")
	hardName, _ := excelize.ColumnNumberToName(hardCol + 1)
	width, err := x.GetColWidth("assessment-2019-published", hardName)
	require.NoError(t, err)
	require.GreaterOrEqual(t, width, float64(len("quality score 40.00 is under 60")))
	for _, r := range rows[1:] {
		if r[1] == "140800" {
			require.Equal(t, "quality score 40.00 is under 60", r[hardCol])
		}
	}
	for _, r := range rows[1:] {
		want, err := strconv.ParseFloat(byCity[r[1]][3], 64)
		require.NoError(t, err)
		got, err := strconv.ParseFloat(r[3], 64)
		require.NoError(t, err)
		require.InDelta(t, want, got, 1e-9, "city %s", r[1])
	}

	// 2020 as it stands on the server's day, 2020-06-01: nothing to assess
	// until a section has a 2020 target and enough months sampled; then
	// provisional. (Five months make a year of this section, so that one
	// can be assessed by June.)
	code, b = f.do("GET", "/api/exports/assessment/2020?view=today", domain.Auditor, "", "")
	require.Equal(t, 404, code, string(b))
	require.Contains(t, string(b), "nothing to assess")
	code, b = f.do("POST", "/api/sections?date=2020-01-01", domain.Admin, `{"id":"FH-5","name":"五月断面","river":"汾河","basin":"yellow","city":"140800","kind":"river","level":"provincial","assessed":true,"targets":{"2020":4},"min_samples":5}`, "application/json")
	require.Equal(t, 201, code, string(b))
	csvBody.Reset()
	csvBody.WriteString("section,sampled_at,source,DO,NH3N\n")
	for m := 1; m <= 5; m++ {
		fmt.Fprintf(&csvBody, "FH-5,2020-%02d-10 09:00,manual,6.0,0.9\n", m)
	}
	code, b = f.do("POST", "/api/samples/import", domain.Admin, csvBody.String(), "text/csv")
	require.Equal(t, 200, code, string(b))
	code, b = f.do("GET", "/api/exports/assessment/2020?view=today", domain.Auditor, "", "")
	require.Equal(t, 200, code, string(b))
	require.Contains(t, string(b), "临时（年度未结束）")
	code, b = f.do("GET", "/api/exports/assessment/2020?view=today&format=xlsx", domain.Auditor, "", "")
	require.Equal(t, 200, code, string(b))
	x, err = excelize.OpenReader(bytes.NewReader(b))
	require.NoError(t, err)
	require.Contains(t, x.GetSheetList(), "assessment-2020-provisional")

	// Cards: none yet, but a header; a bad format is refused.
	code, b = f.do("GET", "/api/exports/cards?day=2020-01-01", domain.Auditor, "", "")
	require.Equal(t, 200, code)
	require.Contains(t, string(b), "决定书文号")
	code, b = f.do("GET", "/api/exports/cards?format=pdf", domain.Auditor, "", "")
	require.Equal(t, 400, code)
	var e struct{ Error struct{ Field string } }
	require.NoError(t, json.Unmarshal(b, &e))
	require.Equal(t, "format", e.Error.Field)
}

// A published sheet says why a grade is not the one its quality score
// gives, as the ranking page does: a grade lowered a step by the task
// score, sections without data enough for a class. Hard fails keep their
// own column.
func TestExportAssessmentNotes(t *testing.T) {
	f := setup(t)
	code, b := f.do("POST", "/api/assessment/rules", domain.Assessment, standardRules, "application/json")
	require.Equal(t, 201, code, string(b))
	// The plan's tasks, none progressed: every unit due before 2019 is
	// overdue when 2019 begins, so every city's task score is 0.
	code, b = f.do("POST", "/api/tasks/catalogue", domain.Admin, "", "")
	require.Equal(t, 201, code, string(b))
	var csvBody strings.Builder
	csvBody.WriteString("section,sampled_at,source,DO,NH3N\n")
	for m := 1; m <= 12; m++ {
		fmt.Fprintf(&csvBody, "HH-NZ,2019-%02d-10 09:00,manual,8.0,0.2\n", m) // II, target II
		if m <= 11 {
			fmt.Fprintf(&csvBody, "FH-HJDQ,2019-%02d-10 09:00,manual,6.0,1.2\n", m) // IV, target IV, one month short
		}
	}
	code, b = f.do("POST", "/api/samples/import", domain.Admin, csvBody.String(), "text/csv")
	require.Equal(t, 200, code, string(b))
	code, b = f.do("POST", "/api/assessment/2019/publish", domain.Assessment, `{"document":"晋环函〔2020〕30号","incomplete":true}`, "application/json")
	require.Equal(t, 201, code, string(b))

	for _, c := range []struct {
		lang, notes, hard                       string
		xinzhou, xinzhouNotes, yuncheng, ycHard string
	}{
		{"zh", "说明", "一票否决", "良好", "重点任务得分低于60分，考核等级降一档", "1 个断面数据不足以评价类别，按未达标计", "水质得分 40.00 低于 60 分，一票否决"},
		{"en", "notes", "hard fails", "good", "key-task score under 60: the grade one step lower", "1 section without data enough for a class, counted as missing the target", "quality score 40.00 is under 60"},
	} {
		code, b = f.do("GET", "/api/exports/assessment/2019?lang="+c.lang, domain.Auditor, "", "")
		require.Equal(t, 200, code, string(b))
		recs, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
		require.NoError(t, err)
		notes, hard := slices.Index(recs[0], c.notes), slices.Index(recs[0], c.hard)
		require.NotEqual(t, -1, notes, "a notes column: %v", recs[0])
		byCity := map[string][]string{}
		for _, r := range recs[1:] {
			byCity[r[1]] = r
		}
		// Xinzhou: quality 100.00 (excellent), lowered a step by its task score.
		xz := byCity["140900"]
		require.Equal(t, []string{"100.00", "0.00", c.xinzhou}, []string{xz[3], xz[4], xz[5]})
		require.Equal(t, c.xinzhouNotes, xz[notes], "why 100.00 is not excellent")
		require.Empty(t, xz[hard])
		// Yuncheng: its one section is a month short; the hard fail stays in its column only.
		yc := byCity["140800"]
		require.Equal(t, c.ycHard, yc[hard])
		require.Equal(t, c.yuncheng, yc[notes])
	}
}

// A published sheet names the notice publishing it and the day, on every
// row, and each city's consequences imposed since, as the city page lists
// them: filed, it can be traced to its notice. A year not published says
// so.
func TestExportAssessmentNotice(t *testing.T) {
	clock := ledgertest.NewClock(time.Date(2020, 1, 10, 10, 0, 0, 0, domain.CST))
	f := setupClock(t, clock.Now)
	f.data2019(t) // Yuncheng fails

	// Not published yet: the notice's column says so, no date, no consequences.
	code, b := f.do("GET", "/api/exports/assessment/2019", domain.Auditor, "", "")
	require.Equal(t, 200, code, string(b))
	recs, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	require.NoError(t, err)
	notice, date, cons := slices.Index(recs[0], "公布文号"), slices.Index(recs[0], "公布日期"), slices.Index(recs[0], "考核结果运用")
	require.NotEqual(t, -1, notice, "a notice column: %v", recs[0])
	require.NotEqual(t, -1, date, "a date column: %v", recs[0])
	require.NotEqual(t, -1, cons, "a consequences column: %v", recs[0])
	for _, r := range recs[1:] {
		require.Equal(t, []string{"未公布", "", ""}, []string{r[notice], r[date], r[cons]}, "city %s", r[1])
	}

	clock.Set(time.Date(2020, 3, 20, 10, 0, 0, 0, domain.CST))
	code, b = f.do("POST", "/api/assessment/2019/publish", domain.Assessment, `{"document":"晋环函〔2020〕30号","incomplete":true}`, "application/json")
	require.Equal(t, 201, code, string(b))
	// An interview on 20 April; a rectification order of 1 May entered on 20 May.
	clock.Set(time.Date(2020, 4, 20, 10, 0, 0, 0, domain.CST))
	code, b = f.do("POST", "/api/assessment/2019/cities/运城/consequences", domain.Assessment, `{"kind":"interview","document":"晋环函〔2020〕41号","authority":"省生态环境厅"}`, "application/json")
	require.Equal(t, 201, code, string(b))
	clock.Set(time.Date(2020, 5, 20, 10, 0, 0, 0, domain.CST))
	code, b = f.do("POST", "/api/assessment/2019/cities/运城/consequences?date=2020-05-01", domain.Assessment, `{"kind":"rectification","document":"晋环函〔2020〕46号","authority":"省生态环境厅","deadline":"2020-12-31"}`, "application/json")
	require.Equal(t, 201, code, string(b))
	yuncheng := "2020-04-20 · 约谈 · 晋环函〔2020〕41号 · 省生态环境厅；2020-05-01 · 限期整改 · 晋环函〔2020〕46号 · 省生态环境厅 · 期限 2020-12-31（入账于 2020-05-20）"
	code, dom := f.page(domain.Auditor, "/city/140800?year=2019")
	require.Equal(t, 200, code)
	for _, c := range strings.Split(yuncheng, "；") {
		require.Contains(t, dom, c, "as the city page lists it")
	}

	// CSV, in Chinese: every row names the notice and its day; Yuncheng its consequences.
	for _, view := range []string{"", "?view=today"} {
		code, b = f.do("GET", "/api/exports/assessment/2019"+view, domain.Auditor, "", "")
		require.Equal(t, 200, code, string(b))
		recs, err = csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
		require.NoError(t, err)
		require.Len(t, recs, 12)
		for _, r := range recs[1:] {
			want := ""
			if r[1] == "140800" {
				want = yuncheng
			}
			require.Equal(t, []string{"晋环函〔2020〕30号", "2020-03-20", want}, []string{r[notice], r[date], r[cons]}, "city %s%s", r[1], view)
		}
	}

	// XLSX, in English: the same.
	code, b = f.do("GET", "/api/exports/assessment/2019?format=xlsx&lang=en", domain.Auditor, "", "")
	require.Equal(t, 200, code, string(b))
	x, err := excelize.OpenReader(bytes.NewReader(b))
	require.NoError(t, err)
	rows, err := x.GetRows("assessment-2019-published")
	require.NoError(t, err)
	notice, date, cons = slices.Index(rows[0], "notice"), slices.Index(rows[0], "published on"), slices.Index(rows[0], "consequences")
	require.NotEqual(t, -1, cons, "a consequences column: %v", rows[0])
	for _, r := range rows[1:] {
		require.Equal(t, "晋环函〔2020〕30号", r[notice])
		require.Equal(t, "2020-03-20", r[date])
		if r[1] == "140800" {
			require.Equal(t, "2020-04-20 · interview · 晋环函〔2020〕41号 · 省生态环境厅; 2020-05-01 · rectification order · 晋环函〔2020〕46号 · 省生态环境厅 · deadline 2020-12-31 (recorded 2020-05-20)", r[cons])
		}
	}
}
