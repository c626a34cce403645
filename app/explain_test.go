package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain/assessment"
	"github.com/shanxi-water/ledger/ledgertest"
)

// sectionMoved is a city-year whose one section moved from met to missed,
// its evidence before and after.
func sectionMoved(before, after assessment.Evidence) (a, b assessment.Result) {
	in := assessment.Inputs{City: "141000", Year: 2018, Sections: 1, SectionsMet: 1, Evidence: []assessment.Evidence{before}}
	later := in
	later.SectionsMet = 0
	later.Evidence = []assessment.Evidence{after}
	r := assessment.Standard(2016, "a")
	return assessment.Assess(r, in), assessment.Assess(r, later)
}

// about is the one difference that names subject.
func about(t *testing.T, ds []string, subject string) string {
	t.Helper()
	var found []string
	for _, d := range ds {
		if strings.HasPrefix(d, subject) {
			found = append(found, d)
		}
	}
	require.Len(t, found, 1, "%q", ds)
	return found[0]
}

// An upload holds several samples of a section, and the evidence names its
// position once per sample: a difference names each event once, in log
// order.
func TestDiffNamesEachEventOnce(t *testing.T) {
	a, b := sectionMoved(
		assessment.Evidence{Part: "sections", Subject: "Y-141000-01", Outcome: "class V, target V: met", Positions: []uint64{3413, 3413, 3413, 3847, 3847, 3847, 4099, 4099, 4099}},
		assessment.Evidence{Part: "sections", Subject: "Y-141000-01", Outcome: "class 劣V, target V: missed", Positions: []uint64{3413, 3413, 3413, 4192, 4191, 4192}})
	zh, en := app.DiffResults(a, b)
	require.Contains(t, about(t, en, "Y-141000-01"), "events added 4191, 4192; events no longer counted 3847, 4099")
	require.Contains(t, about(t, zh, "Y-141000-01"), "新增事件 4191, 4192；不再计入事件 3847, 4099")

	// Past eight events, the rest are left out (…), counting each once.
	var many []uint64
	for p := range uint64(10) {
		many = append(many, 5000+p, 5000+p)
	}
	a, b = sectionMoved(
		assessment.Evidence{Part: "sections", Subject: "Y-141000-01", Outcome: "class V, target V: met", Positions: []uint64{}},
		assessment.Evidence{Part: "sections", Subject: "Y-141000-01", Outcome: "class 劣V, target V: missed", Positions: many})
	_, en = app.DiffResults(a, b)
	require.Contains(t, about(t, en, "Y-141000-01"), "events added 5000, 5001, 5002, 5003, 5004, 5005, 5006, 5007, …")
}

// The Chinese text names the part in Chinese, as the part's score does.
func TestDiffNamesThePartInChinese(t *testing.T) {
	for part, label := range map[string]string{"sections": "断面达标", "drinking": "饮用水水源地达标", "black_odorous": "黑臭水体消除",
		"groundwater": "地下水极差点位", "tasks": "重点任务按时完成"} {
		a, b := sectionMoved(
			assessment.Evidence{Part: part, Subject: "X-1", Outcome: "met", Positions: []uint64{1}},
			assessment.Evidence{Part: part, Subject: "X-1", Outcome: "missed", Positions: []uint64{1, 2}})
		zh, en := app.DiffResults(a, b)
		require.True(t, strings.HasPrefix(about(t, zh, "X-1"), "X-1（"+label+"）："), "%q", zh)
		require.NotContains(t, about(t, zh, "X-1"), part)
		require.True(t, strings.HasPrefix(about(t, en, "X-1"), "X-1 ("+part+"): "), "the English keeps the part's name: %q", en)
	}
}

// The Chinese text gives what the English does: how the subject's outcome
// moved, in Chinese; a subject counted on one side only, with its outcome.
func TestDiffGivesTheOutcomesInChinese(t *testing.T) {
	a, b := sectionMoved(
		assessment.Evidence{Part: "sections", Subject: "Y-141000-01", Outcome: "class V, target V: met", Positions: []uint64{3413, 3847}},
		assessment.Evidence{Part: "sections", Subject: "Y-141000-01", Outcome: "class 劣V, target V: missed", Positions: []uint64{3413, 4191}})
	zh, en := app.DiffResults(a, b)
	require.Equal(t, "Y-141000-01 (sections): class V, target V: met → class 劣V, target V: missed; events added 4191; events no longer counted 3847", about(t, en, "Y-141000-01"))
	require.Equal(t, "Y-141000-01（断面达标）：Ⅴ类，目标Ⅴ类，达标 → 劣Ⅴ类，目标Ⅴ类，未达标；新增事件 4191；不再计入事件 3847", about(t, zh, "Y-141000-01"))

	in := assessment.Inputs{City: "141000", Year: 2018, Evidence: []assessment.Evidence{
		{Part: "groundwater", Subject: "GW-141000-1", Outcome: "graded 5 (极差, very poor)", Positions: []uint64{3948}}}}
	later := in
	later.Evidence = []assessment.Evidence{{Part: "tasks", Subject: "T-2-4-2-3b", Outcome: "completed, due 2018-12-31: done on time", Positions: []uint64{3270}}}
	r := assessment.Standard(2016, "a")
	zh, _ = app.DiffResults(assessment.Assess(r, in), assessment.Assess(r, later))
	require.Equal(t, "T-2-4-2-3b（重点任务按时完成）：新计入（已完成，期限 2018-12-31，按时完成）；新增事件 3270", about(t, zh, "T-2-4-2-3b"))
	require.Equal(t, "GW-141000-1（地下水极差点位）：不再计入（原为评级为 5 级（极差））；不再计入事件 3948", about(t, zh, "GW-141000-1"))
}

// Every outcome the read models write, of every part, reads in Chinese: a
// history with sections, a drinking-water source, a black-odorous body, a
// groundwater point and tasks, assessed, has no outcome OutcomeZh does not
// know.
func TestEveryOutcomeReadsInChinese(t *testing.T) {
	ctx := context.Background()
	s, h := ledgertest.Open(t, 5)
	for year := 2016; year <= 2017; year++ {
		require.NoError(t, h.Year(ctx, year))
	}
	parts := map[string]bool{}
	for _, year := range []int{2016, 2017} {
		comp, err := app.Compute(ctx, s, year, app.Basis{}, app.NewBoardFigures())
		require.NoError(t, err)
		for _, r := range comp.Results {
			for _, e := range r.Inputs.Evidence {
				zh, ok := assessment.OutcomeZh(e.Outcome)
				require.True(t, ok, "%s %s: %q", e.Part, e.Subject, e.Outcome)
				require.NotRegexp(t, `[a-z]{2}`, zh, "%q", e.Outcome)
				parts[e.Part] = true
			}
		}
	}
	require.Len(t, parts, 5, "%v", parts)
}
