package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/assessment"
	"github.com/shanxi-water/ledger/domain/water"
	"github.com/shanxi-water/ledger/events/jetstream"
	"github.com/shanxi-water/ledger/projections/quality"
)

// A city's explanation names each event behind a figure once, in log order,
// and one event as one.
func TestExplainNamesEachEventOnce(t *testing.T) {
	in := assessment.Inputs{City: "141000", Year: 2018, Sections: 1, SectionsMet: 0, Evidence: []assessment.Evidence{
		{Part: "sections", Subject: "Y-141000-01", Outcome: "class 劣V, target V: missed", Positions: []uint64{3413, 3413, 3413, 3641, 3641, 3641, 4191}},
		{Part: "groundwater", Subject: "GW-141000-1", Outcome: "graded 4", Positions: []uint64{3948}},
		{Part: "tasks", Subject: "T-2-1-2-4", Outcome: "not_started, due 2016-06-30", Positions: []uint64{}},
	}}
	var out bytes.Buffer
	explain(&out, assessment.Assess(assessment.Standard(2016, "a"), in), map[string]string{"Y-141000-01": "浍河西曲村"})
	s := out.String()
	require.Contains(t, s, "  断面达标 Y-141000-01 浍河西曲村：劣Ⅴ类，目标Ⅴ类，未达标；事件 3413, 3641, 4191\n"+
		"    (sections Y-141000-01: class 劣V, target V: missed; events at 3413, 3641, 4191)\n")
	require.Contains(t, s, "  地下水极差点位 GW-141000-1：评级为 4 级；事件 3948\n    (groundwater GW-141000-1: graded 4; event at 3948)\n")
	require.Contains(t, s, "  重点任务按时完成 T-2-1-2-4：未启动，期限 2016-06-30；无事件\n    (tasks T-2-1-2-4: not_started, due 2016-06-30; no events)\n")
	require.NotContains(t, s, "[")
}

// ledger assess --city prints the city's evidence in Chinese, each part by
// its name and each section with its name beside its id, then as stored in
// English; the same on the local store and through a server.
func TestAssessEvidenceInChineseWithSectionNames(t *testing.T) {
	dir := hejinStore(t)
	adoptRules(t, dir)
	import2019(t, dir, 10, "2.6")
	code, here, errOut := run(t, "assess", "--data", dir, "--year", "2019", "--city", "运城")
	require.Equal(t, 0, code, errOut)
	requireLines(t, here, []string{
		"  断面达标 FH-HJDQ 河津大桥：劣Ⅴ类，目标Ⅳ类，未达标；事件 ",
		"    (sections FH-HJDQ: ",
	})
	require.NotRegexp(t, `(?m)^  sections `, here, "no line begins with a raw key")

	s, err := jetstream.Open(context.Background(), jetstream.Config{DataDir: dir, Registry: app.Registry()})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	url, _, adminToken := serve(t, s)
	code, there, errOut := runRemote(t, url, adminToken, "assess", "--year", "2019", "--city", "运城")
	require.Equal(t, 0, code, errOut)
	require.Equal(t, here, there, "the same through a server")
}

// One of a thing is said as one, and one position is not a range.
func TestCountsAndPositions(t *testing.T) {
	require.Equal(t, "1 event", count(1, "event"))
	require.Equal(t, "0 events", count(0, "event"))
	require.Equal(t, "12 samples", count(12, "sample"))
	require.Equal(t, "position 6722", positions(6722, 6722))
	require.Equal(t, "positions 6722–6725", positions(6722, 6725))
}

// Chinese differences are joined as Chinese text, as on the dashboard.
func TestJoinZh(t *testing.T) {
	require.Equal(t, "等级 合格 → 不合格；断面达标 7/8 → 6/8，52.50 → 45.00 分", joinZh([]string{"等级 合格 → 不合格", "断面达标 7/8 → 6/8，52.50 → 45.00 分"}))
}

// A city's sections are written as the dashboard writes them: classes with
// Roman numerals, as in the notes (劣Ⅴ, not 劣V), items by their Chinese
// names, and a multiple just over its limit with the digits that show it
// (总磷（超标0.004倍）, not TP(0.00倍)).
func TestCitySectionsAsTheDashboardWritesThem(t *testing.T) {
	var out bytes.Buffer
	printCity(&out, quality.CityYear{City: "141000", Year: 2018, Sections: 1, Details: []quality.SectionYear{
		{Section: "Y-141000-05", Name: "浍河西曲村", Samples: 12, Enough: true, Class: water.WorseThanV, Target: water.ClassV,
			MainPollutants: []water.Exceedance{{Item: "NH3N", Multiple: 1.38}, {Item: "TP", Multiple: 0.004}}},
	}})
	s := out.String()
	require.Regexp(t, `12 +劣Ⅴ +Ⅴ +未达标`, s)
	require.Contains(t, s, "氨氮（超标1.38倍）、总磷（超标0.004倍）")
	require.NotContains(t, s, "劣V")
	require.NotContains(t, s, "TP")

	out.Reset()
	printBasins(&out, []quality.BasinYear{{Year: 2018, Basin: domain.Yellow}})
	require.Contains(t, out.String(), "达到或优于Ⅲ类", "as the plan says it (表1)")
	require.Contains(t, out.String(), "劣Ⅴ类")
}

// The ranking's notes, Chinese text, are separated as on the pages: "；".
func TestResultNotesSeparatedAsOnThePages(t *testing.T) {
	in := assessment.Inputs{City: "141000", Year: 2018, Sections: 2, SectionsMet: 0, SectionsInsufficient: 1,
		AtLeastIIIRequired: 2, WorseThanVActual: 2}
	res := assessment.Assess(assessment.Standard(2016, "a"), in)
	notes, _ := res.Notes()
	require.GreaterOrEqual(t, len(notes), 2, "a result with several notes")
	var out bytes.Buffer
	printResults(&out, []assessment.Result{res})
	require.Contains(t, out.String(), strings.Join(notes, "；"))
	require.NotContains(t, out.String(), "; ")
}

// The header of ledger assess says what the results are of one language a
// line, Chinese then English, as the parts are printed; so does a
// provisional result's warning.
func TestAssessHeaderOneLanguageALine(t *testing.T) {
	c := &app.Computation{Year: 2021, Rules: assessment.Standard(2016, "晋环发〔2016〕1号"), Position: 4242,
		InputsHash: strings.Repeat("ab", 32), Provisional: true}
	var out bytes.Buffer
	printHeader(&out, c, "", "")
	require.Equal(t, "2021年度考核，按账本现有记录（适用 2016 年起施行的规则，晋环发〔2016〕1号；日志截至位置 4242；输入摘要 abababababababab…）\n"+
		"(assessment of 2021, as the ledger knows it; rules in force: 2016, 晋环发〔2016〕1号; log up to position 4242; inputs abababababababab…)\n"+
		"临时结果：该年度尚未结束，结果仍可能变化，不能公布\n"+
		"(provisional: the year had not ended; the results may still change, and cannot be published)\n", out.String())
	out.Reset()
	printHeader(&out, c, "2022-03-01", "")
	lines := strings.Split(out.String(), "\n")
	require.Contains(t, lines[0], "按账本 2022-03-01 所知")
	require.Contains(t, lines[1], "as the ledger knew it on 2022-03-01")
}
