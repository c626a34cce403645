package monitoring

import (
	"bytes"
	"math"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/water"
)

// The documented example parses as documented.
func TestUploadExample(t *testing.T) {
	f, err := os.Open("testdata/upload-example.csv")
	require.NoError(t, err)
	defer f.Close()
	p, err := ParseCSV(f, testSections, time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.True(t, p.OK(), "%v", p.Errors)
	require.Len(t, p.Rows, 4)
	require.Equal(t, Auto, p.Rows[1].Full().Source)
	require.Equal(t, []water.Item{water.CODMn}, p.Rows[1].Full().BelowDL)
	require.Equal(t, 0.5, p.Rows[1].Full().Values[water.CODMn])
	require.Equal(t, Ice, p.Rows[3].Full().Status)
	require.Empty(t, p.Rows[3].Full().Values)
	require.Equal(t, time.Date(2021, 3, 10, 1, 0, 0, 0, time.UTC), p.Rows[0].Full().At)
}

// testSections is a register of three sections; 张留庄 is one's name, and
// 汾河断面 the name of two.
func testSections(cell string, byName bool) []SectionID {
	switch {
	case !byName && (cell == "Y-140800-01" || cell == "Y-140800-02" || cell == "H-140900-01"):
		return []SectionID{SectionID(cell)}
	case byName && cell == "张留庄":
		return []SectionID{"Y-140800-02"}
	case byName && cell == "汾河断面":
		return []SectionID{"Y-140800-01", "H-140900-01"}
	}
	return nil
}

// Files as stations' spreadsheets save them are read as they mean, or
// refused naming the cell and why: encodings, Chinese headers and words,
// units, parameters GB 3838 does not assess, a spreadsheet's empty rows and
// columns, "0.5L" below the detection limit, slashed dates.
func TestStationExports(t *testing.T) {
	now := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	gbk, err := simplifiedchinese.GBK.NewEncoder().String("断面编码,监测时间,来源,氨氮\nY-140800-01,2019-03-01 08:00,手工,0.5\n")
	require.NoError(t, err)
	utf16 := func(s string) string {
		b, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(s)
		require.NoError(t, err)
		return b
	}
	at := time.Date(2019, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		file     string
		encoding string
		values   water.Values // of the first row
		below    []water.Item
		status   Status
		source   Source
		section  SectionID
		ignored  []string
		err      string // the first error, if any
	}{
		{name: "UTF-8 with a byte-order mark, quoted header", file: "\ufeff\"section\",\"sampled_at\",\"source\",\"DO\"\nY-140800-01,2019-03-01 08:00,manual,6.2\n",
			encoding: "UTF-8", values: water.Values{water.DO: 6.2}},
		{name: "GBK", file: gbk, encoding: "GB18030", values: water.Values{water.NH3N: 0.5}},
		{name: "UTF-16", file: utf16("section,sampled_at,source,DO\r\nY-140800-01,2019-03-01 08:00,manual,6.2\r\n"), encoding: "UTF-16", values: water.Values{water.DO: 6.2}},
		{name: "UTF-16, tab-separated (a spreadsheet's Unicode text)", file: utf16("section\tsampled_at\tsource\tDO\r\nY-140800-01\t2019-03-01 08:00\tmanual\t6.2\r\n"), encoding: "UTF-16", values: water.Values{water.DO: 6.2}},
		{name: "Chinese headers, units and words", file: "断面编码,监测时间,来源,状态,氨氮(mg/L),溶解氧（mg/L）,pH(无量纲)\nY-140800-01,2019/3/1 8:00,自动,,0.5L,6.2,7.9\nY-140800-01,2019/3/1 12:00,自动,冰封,,,\n",
			values: water.Values{water.NH3N: 0.5, water.DO: 6.2, water.PH: 7.9}, below: []water.Item{water.NH3N}, source: Auto},
		{name: "a section's name", file: "断面名称,采样时间,来源,DO\n张留庄,2019-03-01 08:00,手工,6.2\n", section: "Y-140800-02", values: water.Values{water.DO: 6.2}},
		{name: "a code in a name column", file: "断面名称,采样时间,来源,DO\nY-140800-02,2019-03-01 08:00,手工,6.2\n", err: `line 2, column 断面名称: unknown section "Y-140800-02": not the name of a registered section`},
		{name: "a name two sections bear, with the code of one", file: "断面编码,断面名称,采样时间,来源,DO\nH-140900-01,汾河断面,2019-03-01 08:00,手工,6.2\n", section: "H-140900-01", values: water.Values{water.DO: 6.2}},
		{name: "a name two sections bear, alone", file: "断面名称,采样时间,来源,DO\n汾河断面,2019-03-01 08:00,手工,6.2\n",
			err: `line 2, column 断面名称: "汾河断面" is the name of 2 sections (Y-140800-01, H-140900-01): give the section's code (断面编码)`},
		{name: "a code and another section's name", file: "断面编码,断面名称,采样时间,来源,DO\nY-140800-01,张留庄,2019-03-01 08:00,手工,6.2\n",
			err: `line 2, column 断面名称: "张留庄" is the name of Y-140800-02, not of Y-140800-01`},
		{name: "parameters not assessed", file: "section,sampled_at,source,水温(℃),DO,电导率(μS/cm),浊度(NTU)\nY-140800-01,2019-03-01 08:00,auto,8.5,6.2,512,3.1\n",
			values: water.Values{water.DO: 6.2}, source: Auto, ignored: []string{"水温(℃)", "电导率(μS/cm)", "浊度(NTU)"}},
		{name: "a spreadsheet's empty columns and rows", file: "section,sampled_at,source,DO,,\n,,,,,\nY-140800-01,2019-03-01 08:00,manual,6.2,,,\n", values: water.Values{water.DO: 6.2}},
		{name: "a reject file mended", file: "line,section,sampled_at,source,DO,error\n3,Y-140800-01,2019-03-01 08:00,manual,6.2,\"line 3, column DO: -6 is negative\"\n",
			values: water.Values{water.DO: 6.2}, ignored: []string{"line", "error"}},
		{name: "a unit the ledger does not store", file: "section,sampled_at,source,氨氮(μg/L)\nY-140800-01,2019-03-01 08:00,manual,500\n", err: `line 1, column 氨氮(μg/L): unit "μg/L": NH3N is stored in mg/L; convert the column`},
		{name: "full-width digits, as a Chinese input method types them", file: "断面编码,监测时间,来源,溶解氧,氨氮\nY-140800-01,２０１９／３／１ ８：００,手工,６.２,＜０.０５\n",
			values: water.Values{water.DO: 6.2, water.NH3N: 0.05}, below: []water.Item{water.NH3N}},
		{name: "not detected", file: "section,sampled_at,source,DO,NH3N\nY-140800-01,2019-03-01 08:00,manual,6.2,ND\n", err: `line 2, column NH3N: "ND" is not a number (a result below the detection limit x is written <x or xL)`},
		{name: "a value in a column with no name", file: "section,sampled_at,source,DO,\nY-140800-01,2019-03-01 08:00,manual,6.2,7\n", err: `line 2, column #5: "7" is in a column with no name`},
		{name: "a detection limit of 0", file: "section,sampled_at,source,NH3N\nY-140800-01,2019-03-01 08:00,manual,<0\n", err: `line 2, column NH3N: "<0": a detection limit is above 0 (NH3N: 0)`},
		{name: "pH below a limit", file: "section,sampled_at,source,pH\nY-140800-01,2019-03-01 08:00,manual,7.5L\n", err: `line 2, column pH: "7.5L": pH is not reported below a detection limit`},
		{name: "DO below a limit", file: "section,sampled_at,source,DO\nY-140800-01,2019-03-01 08:00,manual,<2\n", err: `line 2, column DO: "<2": DO is not reported below a detection limit`},
		{name: "a word for no source", file: "section,sampled_at,source,DO\nY-140800-01,2019-03-01 08:00,机器,6.2\n", err: `line 2, column source: "机器" is not "auto" or "manual" (or 自动, 手工)`},
	} {
		p, err := ParseCSV(strings.NewReader(tc.file), testSections, now)
		require.NoError(t, err, tc.name)
		if tc.err != "" {
			require.NotEmpty(t, p.Errors, tc.name)
			require.Equal(t, tc.err, p.Errors[0].Error(), tc.name)
			continue
		}
		require.True(t, p.OK(), "%s: %v", tc.name, p.Errors)
		require.NotEmpty(t, p.Rows, tc.name)
		r := p.Rows[0]
		require.Equal(t, tc.values, r.Full().Values, tc.name)
		require.Equal(t, tc.below, r.Full().BelowDL, tc.name)
		require.Equal(t, cmpOr(tc.section, "Y-140800-01"), r.Section, tc.name)
		require.Equal(t, cmpOr(tc.source, Manual), r.Full().Source, tc.name)
		require.Equal(t, tc.ignored, p.Ignored, tc.name)
		if tc.encoding != "" {
			require.Equal(t, tc.encoding, p.Encoding, tc.name)
		}
		if tc.name == "Chinese headers, units and words" {
			require.Equal(t, at, r.Full().At, "2019/3/1 8:00 Shanxi time is midnight UTC")
			require.Equal(t, Ice, p.Rows[1].Full().Status)
		}
	}
	p, err := ParseCSV(bytes.NewReader([]byte{0xff, 0xfe, 0x00}), testSections, now)
	require.NoError(t, err)
	require.False(t, p.OK(), "an odd number of UTF-16 bytes: no header")
}

func cmpOr[T comparable](a, b T) T {
	var zero T
	if a != zero {
		return a
	}
	return b
}

// Every reason a row is refused for has its Chinese, with the same
// particulars: a new reason without one fails here.
func TestRowErrorsInChinese(t *testing.T) {
	now := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	file := "section,sampled_at,source,status,DO,NH3N,pH\n" +
		"Y-140800-01,2019-03-01 08:00,manual,,-6,0.5,7\n" + // negative
		"Y-140800-01,2019-03-02 08:00,manual,,6,9999,7\n" + // above any instrument
		"NOPE,2019-03-03 08:00,manual,,6,0.5,7\n" + // unknown section
		",2019-03-04 08:00,manual,,6,0.5,7\n" + // missing
		"Y-140800-01,2031-03-05 08:00,manual,,6,0.5,7\n" + // future
		"Y-140800-01,2009-03-05 08:00,manual,,6,0.5,7\n" + // before 2010
		"Y-140800-01,soon,manual,,6,0.5,7\n" + // not a time
		"Y-140800-01,2019-03-06 08:00,machine,,6,0.5,7\n" + // source
		"Y-140800-01,2019-03-07 08:00,manual,flood,,,\n" + // status
		"Y-140800-01,2019-03-08 08:00,manual,ice,6,,\n" + // a value while not monitored
		"Y-140800-01,2019-03-09 08:00,manual,,abc,,\n" + // not a number
		"Y-140800-01,2019-03-10 08:00,manual,,<2,,\n" + // DO below a limit
		"Y-140800-01,2019-03-11 08:00,manual,,,<0,\n" + // a limit of 0
		"Y-140800-01,2019-03-12 08:00,manual,,,,\n" + // no values
		"Y-140800-01,2019-03-13 08:00,manual,,6\n" + // cells
		"Y-140800-01,2019-03-14 08:00,manual,,6,0.5,7\n" +
		"Y-140800-01,2019-03-14 08:00,manual,,6,0.5,7\n" // repeats
	p, err := ParseCSV(strings.NewReader(file), testSections, now)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(p.Errors), 15)
	for _, e := range p.Errors {
		require.NotEmpty(t, e.ReasonZh, "line %d: %q has no Chinese", e.Line, e.Reason)
		requireChinese(t, e.ReasonZh)
	}
	require.Equal(t, "溶解氧（DO）为 -6，不能为负数", p.Errors[0].ReasonZh)
	for _, header := range []string{"section,sampled_at,section,DO\n", "section,source,DO\n", "section,sampled_at,source\n", "section,sampled_at,source,DO,溶解氧\n",
		"section,sampled_at,source,foo\n", "section,sampled_at,source,氨氮(μg/L)\n", "section,sampled_at,source,pH(mg/L)\n"} {
		p, err := ParseCSV(strings.NewReader(header), testSections, now)
		require.NoError(t, err)
		require.NotEmpty(t, p.Errors, header)
		for _, e := range p.Errors {
			require.NotEmpty(t, e.ReasonZh, "%q: %q has no Chinese", header, e.Reason)
			requireChinese(t, e.ReasonZh)
		}
	}
}

// The Chinese of the reasons whose particulars are English words (a
// status, how a row differs from the sample stored) or hold an example a
// station copies (a time): each word in Chinese, a code a station may type
// only in brackets after it, an example time with ASCII colons.
func TestReasonZhWords(t *testing.T) {
	for _, tc := range []struct{ en, zh string }{
		{`"soon" is not a time (2019-03-01 08:00 or 2019/3/1 8:00, Shanxi time, or RFC 3339)`,
			`"soon" 不是时间（如 2019-03-01 08:00 或 2019/3/1 8:00，山西时间；或 RFC 3339）`},
		{`"robot" is not "auto" or "manual" (or 自动, 手工)`, `"robot" 不是自动（auto）或手工（manual）`},
		{`"flood" is not one of dry, ice, fault (or empty when measured) (or 断流, 冰封, 故障)`,
			`"flood" 不是断流（dry）、冰封（ice）或故障（fault）；已监测的样品此格留空或写“正常”`},
		{"has a value but the sample is marked dry (not monitored)", "样品标记为断流（未监测），却有数值"},
		{"has a value but the sample is marked ice (not monitored)", "样品标记为冰封（未监测），却有数值"},
		{"has a value but the sample is marked fault (not monitored)", "样品标记为故障（未监测），却有数值"},
		{`unit "mg/L": pH is stored in no unit; convert the column`, `单位 "mg/L"：pH 无量纲，请换算该列`},
		{`unit "μg/L": NH3N is stored in mg/L; convert the column`, `单位 "μg/L"：NH3N 以 mg/L 记录，请换算该列`},
		{"unknown column: not section, sampled_at, source, status or a GB 3838 item",
			"未知的列：不是断面编码（section）、监测时间（sampled_at）、来源（source）、状态（status）或 GB 3838 项目"},
		{"this section's sample at this time from this source is already stored with other values (TP stored 0.19, here 0.3): record a correction instead",
			"该断面此时间、此来源的样品已以其他数值存储（TP 已存 0.19，本行 0.3）：请改为提交更正"},
		{`this section's sample at this time from this source is already stored with other values (status stored "", here "dry"; DO stored 6.2, here none; TP below the detection limit: stored no, here yes): record a correction instead`,
			"该断面此时间、此来源的样品已以其他数值存储（状态已存为正常，本行为断流；DO 已存 6.2，本行 无；TP 低于检出限：已存为否，本行为是）：请改为提交更正"},
		{"Y-140800-02 is not one of this station's sections: an upload naming one is refused whole, partial or not",
			"Y-140800-02 不是本站的断面：文件中有他站断面的行，整个文件不予存储（部分导入也不例外）"},
		{"this section's sample at this time from this source was withdrawn from assessment, with other values (NH3N stored none, here 0.5): a correction brings it back with new ones",
			"该断面此时间、此来源的样品已作废，数值不同（NH3N 已存 无，本行 0.5）：可通过更正恢复并改为新数值"},
	} {
		t.Run(tc.en, func(t *testing.T) {
			require.Equal(t, tc.zh, ReasonZh(tc.en))
			requireChinese(t, tc.zh)
		})
	}
}

// requireChinese fails on a Chinese reason that leaves an English word in
// (outside a quoted cell and a code in brackets), an example time with a
// full-width colon, or ASCII punctuation between Chinese phrases.
func requireChinese(t *testing.T, zh string) {
	t.Helper()
	rest := regexp.MustCompile(`"[^"]*"|（[a-z_]+）`).ReplaceAllString(zh, "")
	require.NotRegexp(t, `\b(dry|ice|fault|auto|manual|stored|here|none|yes|no|unit|status|section|sampled_at|source)\b`, rest, zh)
	require.NotRegexp(t, `\d：\d`, zh, "an example time with a full-width colon")
	require.NotRegexp(t, `\p{Han}[;,]|[;,]\p{Han}`, rest, "ASCII punctuation between Chinese phrases")
}

// A line's cells are read again from the upload for a reject file, not
// kept: they must be the cells the parser read, whatever the line holds.
func TestCellsReadAgain(t *testing.T) {
	now := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	gbk := func(s string) string {
		b, err := simplifiedchinese.GB18030.NewEncoder().String(s)
		require.NoError(t, err)
		return b
	}
	for _, tc := range []struct {
		name, file string
		want       map[int][]string // line: cells; nil for no data line there
	}{
		{"quoted, multi-line and short lines",
			"section,sampled_at,source,DO,水温\r\nY-140800-01,2019-03-01 08:00,manual,abc,\"two\r\nlines, and a comma\"\r\n\r\nY-140800-01,2019-03-02 08:00,manual\r\nNOPE,2019-03-03 08:00,manual,6.1,,,,\r\n",
			map[int][]string{1: nil, 2: {"Y-140800-01", "2019-03-01 08:00", "manual", "abc", "two\nlines, and a comma"}, 3: nil, 4: nil,
				5: {"Y-140800-01", "2019-03-02 08:00", "manual"}, 6: {"NOPE", "2019-03-03 08:00", "manual", "6.1", ""}, 7: nil}},
		{"tab-separated",
			"断面编码\t监测时间\t来源\t溶解氧\nY-140800-01\t2019-03-01 08:00\t手工\t-6\n",
			map[int][]string{2: {"Y-140800-01", "2019-03-01 08:00", "手工", "-6"}}},
		{"GB18030",
			gbk("断面名称,监测时间,来源,溶解氧\n张留庄,2019-03-01 08:00,手工,x\n未知,2019-03-02 08:00,手工,6\n"),
			map[int][]string{2: {"张留庄", "2019-03-01 08:00", "手工", "x"}, 3: {"未知", "2019-03-02 08:00", "手工", "6"}}},
	} {
		p, err := ParseCSV(strings.NewReader(tc.file), testSections, now)
		require.NoError(t, err, tc.name)
		require.NotEmpty(t, p.Errors, tc.name)
		lines := 0
		for line, want := range tc.want {
			require.Equal(t, want, p.Cells(line), "%s: line %d", tc.name, line)
			if want != nil {
				lines++
			}
		}
		require.Equal(t, lines, p.LineCount(), tc.name)
	}
}

// A file whose last line has no line break may have been cut short on its
// way (TP 1.75 arriving as 1): it is refused, whatever its encoding.
func TestCutShortFileRefused(t *testing.T) {
	now := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	whole := "section,sampled_at,source,TP\nY-140800-01,2019-03-01 08:00,manual,1.75\n"
	_, err := ParseCSV(strings.NewReader(whole), testSections, now)
	require.NoError(t, err)
	for _, cut := range []string{whole[:len(whole)-3], strings.TrimSuffix(whole, "\n")} {
		_, err := ParseCSV(strings.NewReader(cut), testSections, now)
		require.Error(t, err, "%q", cut)
		require.Contains(t, err.Error(), "cut short")
	}
	utf16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(whole[:len(whole)-2])
	require.NoError(t, err)
	_, err = ParseCSV(strings.NewReader(utf16), testSections, now)
	require.ErrorContains(t, err, "cut short")
}

// An upload's errors that are not a row's are said in Chinese too, by the
// same table as the rows': each the parser gives, and those of the import,
// the API and a correction (the summary of a file refused for its rows,
// the request's fields, the sample a correction names).
func TestFileReasonsZh(t *testing.T) {
	now := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, file := range []string{
		"section,sampled_at,source,TP\nY-140800-01,2019-03-01 08:00,manual,1", // cut short
		"",                                 // empty
		"sec\"tion,sampled_at,source,TP\n", // a header that is not CSV
	} {
		_, err := ParseCSV(strings.NewReader(file), testSections, now)
		require.Error(t, err, "%q", file)
		zh := ReasonZh(domain.ReasonOf(err))
		require.NotEmpty(t, zh, "%q: %v has no Chinese", file, err)
		requireChinese(t, zh)
	}
	for _, tc := range []struct{ en, zh string }{
		{"larger than 256 MB: split the upload (by quarter, or by section); nothing stored", "大于 256 MB：请分批上传（按季度或按断面）；未存储任何数据"},
		{"more than 2000000 rows: split the upload", "超过 2000000 行：请分批上传"},
		{"neither UTF-8, UTF-16 nor GB18030 (GBK): save it as CSV UTF-8", "编码既不是 UTF-8、UTF-16，也不是 GB18030（GBK）：请另存为“CSV UTF-8”"},
		{"not valid UTF-16: unexpected EOF", "不是有效的 UTF-16 文本：unexpected EOF"},
		{`the file's name "a\tb.csv": contains a control character`, `文件名 "a\tb.csv"：含有控制字符`},
		{"longer than 1000 bytes", "超过 1000 字节"},
		{"the header (line 1) rejected (1 error), nothing stored", "表头（第 1 行）有误（1 处错误），未存储任何数据"},
		{"1 row rejected (2 errors), nothing stored", "1 行被拒（2 处错误），未存储任何数据"},
		{"at least 10000 rows rejected (10005 errors), nothing stored: more than 10000 errors (5 more not listed): the file has a fault of its own; fix the first and send it again",
			"至少 10000 行被拒（10005 处错误），未存储任何数据：错误超过 10000 处（另有 5 处未列出），文件本身有问题；请先改正列出的错误再重新上传"},
		{"the auto sample at 2020-02-02 12:00 already has these values: nothing to correct", "2020-02-02 12:00 的自动样品已是这些数值：无需更正"},
		{"a sample not monitored (dry) has no values", "未监测（断流）的样品不应有数值"},
		{"a measured sample needs at least one value (or a status: dry, ice, fault)", "已监测的样品至少需要一个数值（或填写状态：断流、冰封、故障）"},
		{"TP is flagged below the detection limit without its value (the limit)", "总磷（TP）标为低于检出限，却没有数值（检出限）"},
		{"TP is both given and removed", "TP 既给出又删除"},
		{"NH3N is given twice, under two names", "NH3N 以两个名称给出了两次"},
		{`"robot" is not "auto" or "manual"`, `"robot" 不是自动（auto）或手工（manual）`},
		{"DO is not reported below a detection limit", "溶解氧（DO）不按低于检出限报告"},
		{"unknown field (see the request's schema in /api/openapi.json)", "未知字段（请求格式见 /api/openapi.json）"},
	} {
		t.Run(tc.en, func(t *testing.T) {
			require.Equal(t, tc.zh, ReasonZh(tc.en))
			requireChinese(t, tc.zh)
		})
	}
}

// A value's fault says in Chinese which item it is, as the English does:
// a reason is often read without the field or column that names it (an
// API error's message_zh, a row's reason_zh, the reject file's error).
func TestValueReasonsNameTheItem(t *testing.T) {
	for _, tc := range []struct {
		err error
		zh  string
	}{
		{CheckValue(water.PH, 17), "pH值为 17，超过 14，超出仪器可报告的范围"},
		{CheckValue(water.COD, -5), "化学需氧量（COD）为 -5，不能为负数"},
		{CheckValue(water.NH3N, math.NaN()), "氨氮（NH3N）不是数字"},
		{CheckBelowLimit(water.TP, 0), "总磷（TP）的检出限应大于 0（此处为 0）"},
		{CheckBelowLimit(water.PH, 7.5), "pH值不按低于检出限报告"},
	} {
		require.Error(t, tc.err)
		require.Equal(t, tc.zh, ReasonZh(tc.err.Error()), "%v", tc.err)
	}
	// And a file's row, whose column is the file's own header.
	now := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	p, err := ParseCSV(strings.NewReader("section,sampled_at,source,pH值,化学需氧量(mg/L),NH3N\n"+
		"Y-140800-01,2019-03-01 08:00,manual,17,-5,<0\n"), testSections, now)
	require.NoError(t, err)
	var zh []string
	for _, e := range p.Errors {
		zh = append(zh, e.ReasonZh)
	}
	require.Equal(t, []string{"pH值为 17，超过 14，超出仪器可报告的范围", "化学需氧量（COD）为 -5，不能为负数", `"<0"：氨氮（NH3N）的检出限应大于 0`}, zh)
}

// A required column missing is named as the file would head it (in
// Chinese in a file headed in Chinese), with the other headers it is
// found by: not by the parser's name for it alone.
func TestMissingColumnNamedAsTheFileWould(t *testing.T) {
	now := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		header string
		want   RowError
		zh     string // ErrorZh
	}{
		{"section,sampled_at,DO\n",
			RowError{Line: 1, Column: "source", Reason: "required column missing: source (also headed 来源 or 监测方式)", ReasonZh: "缺少必需的列：来源（source），列名也可为 监测方式"},
			"第 1 行，source 列：缺少必需的列：来源（source），列名也可为 监测方式"},
		{"断面名称,监测时间,溶解氧\n",
			RowError{Line: 1, Column: "来源", Reason: "required column missing: source (also headed 来源 or 监测方式)", ReasonZh: "缺少必需的列：来源（source），列名也可为 监测方式"},
			"第 1 行，来源 列：缺少必需的列：来源（source），列名也可为 监测方式"},
		{"断面,来源,氨氮(mg/L)\n",
			RowError{Line: 1, Column: "监测时间", Reason: "required column missing: sampled_at (also headed 监测时间 or 采样时间)", ReasonZh: "缺少必需的列：监测时间（sampled_at），列名也可为 采样时间"},
			"第 1 行，监测时间 列：缺少必需的列：监测时间（sampled_at），列名也可为 采样时间"},
		{"监测时间,来源,溶解氧\n",
			RowError{Line: 1, Column: "断面编码", Reason: "required column missing: section (also headed 断面编码 or 断面; or a column of the section's name, section_name or 断面名称)",
				ReasonZh: "缺少必需的列：断面编码（section），列名也可为 断面；或以断面名称列代替"},
			"第 1 行，断面编码 列：缺少必需的列：断面编码（section），列名也可为 断面；或以断面名称列代替"},
	} {
		p, err := ParseCSV(strings.NewReader(tc.header), testSections, now)
		require.NoError(t, err)
		require.Equal(t, []RowError{tc.want}, p.Errors, tc.header)
		require.Equal(t, tc.zh, p.Errors[0].ErrorZh())
		requireChinese(t, p.Errors[0].ReasonZh)
	}
	// Every header the reasons name is one the parser takes.
	for _, h := range []string{"section,sampled_at,source", "断面编码,监测时间,来源", "断面,采样时间,监测方式", "section_name,sampled_at,source", "断面名称,sampled_at,source"} {
		p, err := ParseCSV(strings.NewReader(h+",DO\n"), testSections, now)
		require.NoError(t, err)
		require.Empty(t, p.Errors, h)
	}
}
