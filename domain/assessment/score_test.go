package assessment

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/domain"
)

func domainField(err error) string { return domain.FieldOf(err) }

// inputs whose quality score is exactly q: sections carry all the points
// but the other parts are full (nothing to assess), so q = 40 + 60·met/total;
// met/total is chosen as a fraction of 300 sections.
func scored(q float64) Inputs {
	met := int(math.Round((q - 40) / 60 * 300))
	return Inputs{City: "140100", Year: 2018, Sections: 300, SectionsMet: met, TasksDue: 10, TasksOnTime: 10}
}

func TestGradeBoundaries(t *testing.T) {
	r := Standard(2016, "test")
	tests := []struct {
		q    float64
		want Grade
	}{
		{100, Excellent}, {90, Excellent}, {89.8, Good}, {70, Good}, {69.8, Pass}, {60, Pass}, {59.8, Fail}, {40, Fail},
	}
	for _, tc := range tests {
		in := scored(tc.q)
		res := Assess(r, in)
		require.InDelta(t, tc.q, res.QualityScore, 1e-9, "q")
		require.Equal(t, tc.want, res.ScoreGrade, "quality %g", tc.q)
		if tc.q >= 60 {
			require.Equal(t, tc.want, res.Grade, "quality %g", tc.q)
		}
	}
}

// Each quality part computed independently from the raw counts.
func TestQualityParts(t *testing.T) {
	r := Standard(2016, "test")
	in := Inputs{City: "140800", Year: 2019, Sections: 9, SectionsMet: 4, BlackOdorous: 4, BlackEliminated: 3,
		Drinking: 5, DrinkingMet: 5, Groundwater: 10, GroundwaterVeryPoor: 3, TasksDue: 8, TasksOnTime: 6,
		AtLeastIIIRequired: 2, AtLeastIIIActual: 2}
	res := Assess(r, in)
	sections := 60.0 * 4 / 9
	black := 15.0 * 3 / 4
	drinking := 15.0
	ground := 10 * (1 - (0.3-0.15)/(1-0.15))
	want := sections + black + drinking + ground
	require.InDelta(t, want, res.QualityScore, 0.02)
	require.InDelta(t, 75.0, res.TaskScore, 1e-9)
	require.Equal(t, Pass, res.ScoreGrade) // 26.67 + 11.25 + 15 + 8.24 = 61.16
	require.Len(t, res.Parts, 5)
	require.Equal(t, "4 of 9 sections meeting their target × 60 points = 26.67", res.Parts[0].Explanation)
}

func TestTaskScoreLowersTheGradeOneStep(t *testing.T) {
	r := Standard(2016, "test")
	for _, tc := range []struct {
		q          float64
		onTime     int
		want       Grade
		downgraded bool
	}{
		{95, 6, Excellent, false}, // 60: not under 60
		{95, 5, Good, true},       // 50
		{75, 5, Pass, true},
		{65, 5, Fail, true},
		{55, 0, Fail, false}, // already failing
	} {
		in := scored(tc.q)
		in.TasksOnTime = tc.onTime
		r.HardFail.QualityBelow = 0 // look at the task rule alone
		res := Assess(r, in)
		require.Equal(t, tc.want, res.Grade, "%+v", tc)
		require.Equal(t, tc.downgraded, res.Downgraded, "%+v", tc)
	}
}

func TestEveryHardFailRule(t *testing.T) {
	base := scored(95)
	tests := []struct {
		name   string
		rules  func(*Rules)
		inputs func(*Inputs)
		fails  bool
	}{
		{"none", nil, nil, false},
		{"quality under 60", nil, func(in *Inputs) { *in = scored(59.8) }, true},
		{"quality rule off", func(r *Rules) { r.HardFail.QualityBelow = 0 }, func(in *Inputs) { *in = scored(59.8) }, true}, // still fails on the score grade
		{"missed class III target", nil, func(in *Inputs) { in.AtLeastIIIRequired, in.AtLeastIIIActual = 5, 4 }, true},
		{"met class III target exactly", nil, func(in *Inputs) { in.AtLeastIIIRequired, in.AtLeastIIIActual = 5, 5 }, false},
		{"class III rule off", func(r *Rules) { r.HardFail.MissAtLeastIII = false }, func(in *Inputs) { in.AtLeastIIIRequired, in.AtLeastIIIActual = 5, 4 }, false},
		{"worse than V rule off (before 2020)", nil, func(in *Inputs) { in.WorseThanVAllowed, in.WorseThanVActual = 0, 1 }, false},
		{"worse than V rule on (2020)", func(r *Rules) { r.HardFail.MissWorseThanV = true }, func(in *Inputs) { in.WorseThanVAllowed, in.WorseThanVActual = 0, 1 }, true},
		{"worse than V within allowance", func(r *Rules) { r.HardFail.MissWorseThanV = true }, func(in *Inputs) { in.WorseThanVAllowed, in.WorseThanVActual = 1, 1 }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Standard(2016, "test")
			if tc.rules != nil {
				tc.rules(&r)
			}
			in := base
			if tc.inputs != nil {
				tc.inputs(&in)
			}
			res := Assess(r, in)
			require.Equal(t, tc.fails, res.Grade == Fail, "%+v", res)
			if tc.fails && res.ScoreGrade != Fail {
				require.NotEmpty(t, res.HardFails, "a hard fail says why")
			}
		})
	}
}

func TestRulesInForceByYear(t *testing.T) {
	r2016 := Standard(2016, "晋环发〔2016〕1号")
	r2020 := Standard(2020, "晋环发〔2020〕9号")
	r2020.HardFail.MissWorseThanV = true
	adopted := []Rules{r2016, r2020}
	for y, want := range map[int]int{2016: 2016, 2018: 2016, 2019: 2016, 2020: 2020, 2021: 2020} {
		got, err := InForce(adopted, y)
		require.NoError(t, err)
		require.Equal(t, want, got.EffectiveYear, "%d", y)
	}
	_, err := InForce(adopted, 2015)
	require.Error(t, err)
	// An amendment for the same year replaces the earlier adoption.
	amended := Standard(2016, "晋环发〔2016〕7号")
	got, err := InForce(append(adopted, amended), 2017)
	require.NoError(t, err)
	require.Equal(t, "晋环发〔2016〕7号", got.Document)
}

func TestRulesValidate(t *testing.T) {
	ok := Standard(2016, "doc")
	require.NoError(t, ok.Validate())
	for field, mutate := range map[string]func(*Rules){
		"effective_year":            func(r *Rules) { r.EffectiveYear = 2015 },
		"document":                  func(r *Rules) { r.Document = "" },
		"points":                    func(r *Rules) { r.Points.Sections = 50 },
		"points.drinking":           func(r *Rules) { r.Points.Drinking, r.Points.Sections = -5, 80 },
		"grades":                    func(r *Rules) { r.Grades.Good = 95 },
		"task_downgrade_below":      func(r *Rules) { r.TaskDowngradeBelow = 101 },
		"groundwater_very_poor_cap": func(r *Rules) { r.GroundwaterVeryPoorCap = 1 },
		"hard_fail.quality_below":   func(r *Rules) { r.HardFail.QualityBelow = -1 },
	} {
		r := ok
		mutate(&r)
		err := r.Validate()
		require.Error(t, err, field)
		require.Equal(t, field, domainField(err), field)
	}
}

func TestRankSharesTies(t *testing.T) {
	rs := []Result{{City: "140300", QualityScore: 80, TaskScore: 90}, {City: "140100", QualityScore: 92},
		{City: "140200", QualityScore: 80, TaskScore: 90}, {City: "140400", QualityScore: 80, TaskScore: 95}}
	Rank(rs)
	var order []string
	var ranks []int
	for _, r := range rs {
		order = append(order, string(r.City))
		ranks = append(ranks, r.Rank)
	}
	require.Equal(t, []string{"140100", "140400", "140200", "140300"}, order)
	require.Equal(t, []int{1, 2, 3, 3}, ranks)

	// A city failed by a hard rule ranks below every city that passed,
	// whatever its score.
	rs = []Result{{City: "140800", QualityScore: 82, Grade: Fail}, {City: "141000", QualityScore: 65, Grade: Pass},
		{City: "140100", QualityScore: 91, Grade: Excellent}, {City: "140900", QualityScore: 82, Grade: Good}}
	Rank(rs)
	order = order[:0]
	for _, r := range rs {
		order = append(order, string(r.City)+":"+fmt.Sprint(r.Rank))
	}
	require.Equal(t, []string{"140100:1", "140900:2", "141000:3", "140800:4"}, order)
}

// The quality score is the sum of the parts' exact values, rounded once:
// never the sum of rounded parts. The grade and the hard rule compare the
// exact score.
func TestQualityScoreNotFromRoundedParts(t *testing.T) {
	r := Standard(2016, "test")
	for _, tc := range []struct {
		in       Inputs
		hardFail string
	}{
		// 60·15/26 + 15·2/5 + 15·5/8 + 10 = 59.9904; the parts rounded
		// (34.62 + 6 + 9.38 + 10) would make 60.00.
		{Inputs{Sections: 26, SectionsMet: 15, BlackOdorous: 5, BlackEliminated: 2, Drinking: 8, DrinkingMet: 5}, "quality score 59.99 is under 60"},
		// 40 + 60·3332/9997 = 59.998: two decimals would print 60.00.
		{Inputs{Sections: 9997, SectionsMet: 3332}, "quality score 59.9980 is under 60"},
	} {
		in := tc.in
		in.City, in.Year, in.TasksDue, in.TasksOnTime = "140100", 2018, 4, 4
		exact := 60*float64(in.SectionsMet)/float64(in.Sections) + 10
		for _, p := range [][3]int{{15, in.BlackEliminated, in.BlackOdorous}, {15, in.DrinkingMet, in.Drinking}} {
			if p[2] == 0 {
				exact += float64(p[0])
			} else {
				exact += float64(p[0]) * float64(p[1]) / float64(p[2])
			}
		}
		require.Less(t, exact, 60.0)
		res := Assess(r, in)
		require.Equal(t, math.Round(exact*100)/100, res.QualityScore)
		require.Equal(t, Fail, res.ScoreGrade)
		require.Equal(t, Fail, res.Grade)
		require.Equal(t, []string{tc.hardFail}, res.HardFails)
	}
}

// A restriction's period: each missing or wrong end is named.
func TestRestrictionPeriodFields(t *testing.T) {
	from := time.Date(2020, 4, 1, 0, 0, 0, 0, domain.CST)
	base := ConsequenceImposed{Year: 2019, Kind: Restriction, Document: "晋环函〔2020〕12号", Authority: "山西省环境保护厅", Area: "临汾市"}
	for _, tc := range []struct {
		from, to time.Time
		field    string
	}{
		{time.Time{}, from.AddDate(1, 0, 0), "from"},
		{from, time.Time{}, "to"},
		{from, from, "to"},
		{from, from.AddDate(1, 0, 0), ""},
	} {
		c := base
		if !tc.from.IsZero() {
			c.From = &tc.from
		}
		if !tc.to.IsZero() {
			c.To = &tc.to
		}
		err := c.Validate()
		if tc.field == "" {
			require.NoError(t, err)
			continue
		}
		require.Equal(t, tc.field, domainField(err), "%v", err)
	}
}

// Each hard rule broken reads in Chinese and in English; the English is
// what HardFails records. A result published before Failures existed shows
// its HardFails as written.
func TestFailureTexts(t *testing.T) {
	r := Standard(2020, "test")
	r.HardFail.MissWorseThanV = true
	in := scored(55)
	in.AtLeastIIIRequired, in.AtLeastIIIActual = 3, 1
	in.WorseThanVAllowed, in.WorseThanVActual = 0, 1
	res := Assess(r, in)
	zh, en := res.FailureTexts()
	require.Equal(t, []string{"水质得分 55.00 低于 60 分，一票否决", "达到或优于Ⅲ类的断面 1 个，少于要求的 3 个，一票否决", "劣Ⅴ类断面 1 个，多于允许的 0 个，一票否决"}, zh)
	require.Equal(t, []string{"quality score 55.00 is under 60", "1 section at class III or better, 3 required", "1 section worse than class V, 0 allowed"}, en)
	require.Equal(t, en, res.HardFails)

	old := Result{HardFails: []string{"quality score 50.00 is under 60"}}
	zh, en = old.FailureTexts()
	require.Equal(t, old.HardFails, zh)
	require.Equal(t, old.HardFails, en)
}

// Scores that reach a threshold exactly, as fractions, are at it, though
// their floating-point sums fall a hair short.
func TestScoresExactlyAtAThreshold(t *testing.T) {
	r := Standard(2016, "test")
	for _, tc := range []struct {
		in   Inputs
		want Grade
	}{
		// 60·7/9 + 15·1/9 + 15·1/9 + 10 = 60
		{Inputs{Sections: 9, SectionsMet: 7, BlackOdorous: 9, BlackEliminated: 1, Drinking: 9, DrinkingMet: 1}, Pass},
		// 60·17/18 + 15 + 15·5/9 + 10 = 90
		{Inputs{Sections: 18, SectionsMet: 17, BlackOdorous: 1, BlackEliminated: 1, Drinking: 9, DrinkingMet: 5}, Excellent},
	} {
		in := tc.in
		in.City, in.Year, in.TasksDue, in.TasksOnTime = "140100", 2018, 4, 4
		res := Assess(r, in)
		require.Equal(t, tc.want, res.Grade, "%+v", in)
		require.Empty(t, res.HardFails, "%+v", in)
	}
}

// A publication made before methods were numbered is method 1, and says
// so beside today's figures; one made with today's method says nothing.
func TestMethodNote(t *testing.T) {
	old := ResultsPublished{Year: 2018}
	require.Equal(t, 1, old.MethodOf())
	zh, en := old.MethodNote()
	require.Contains(t, zh, "第1版")
	require.Contains(t, en, "published with method 1")
	zh, en = ResultsPublished{Method: Method}.MethodNote()
	require.Empty(t, zh)
	require.Empty(t, en)
}

// Consequences recorded before their dates were optional stored zero times
// for the dates not given: they read as not given, and still validate.
func TestConsequenceZeroDatesReadAsAbsent(t *testing.T) {
	var zero time.Time
	old := ConsequenceImposed{Year: 2018, Kind: Interview, Document: "晋环函〔2019〕41号", Authority: "省生态环境厅", From: &zero, To: &zero, Deadline: &zero}
	require.NoError(t, old.Validate())
	from, to, deadline := old.Dates()
	require.Nil(t, from)
	require.Nil(t, to)
	require.Nil(t, deadline)
	d := time.Date(2019, 9, 1, 0, 0, 0, 0, domain.CST)
	old.Deadline = &d
	require.Equal(t, "deadline", domainField(old.Validate()))
}

// The share rules' counts are stated whether or not a rule is broken.
func TestShareText(t *testing.T) {
	r := Assess(Standard(2016, "test"), Inputs{City: "140700", Year: 2019, Sections: 10, SectionsMet: 9,
		AtLeastIIIRequired: 7, AtLeastIIIActual: 8, WorseThanVAllowed: 1})
	zh, en := r.ShareText()
	require.Equal(t, "达到或优于Ⅲ类的断面 8 个（要求 7 个）；劣Ⅴ类断面 0 个（允许 1 个）", zh)
	require.Equal(t, "sections at class III or better: 8 (7 required); worse than class V: 0 (1 allowed)", en)
}

// The Chinese of each part says what the English says: the groundwater
// part's share against the cap and its formula, and that the task units
// counted include those overdue from earlier years. A part whose
// explanation is of another form (an earlier version's) gives its counts.
func TestPartTextChineseAsTheEnglish(t *testing.T) {
	r := Standard(2016, "test")
	res := Assess(r, Inputs{City: "141000", Year: 2018, Sections: 2, SectionsMet: 1, Groundwater: 3, GroundwaterVeryPoor: 1, TasksDue: 10, TasksOnTime: 1})
	// 1 of 3 points very poor, over the 15% cap: 10 × (1 − (1/3 − 0.15)/(1 − 0.15)).
	points := fmt.Sprintf("%.2f", 10*(1-(1.0/3-0.15)/(1-0.15)))
	require.Equal(t, "7.84", points)
	zh, en := res.Parts[3].Text()
	require.Equal(t, "1 of 3 points very poor (33.33%), over 15%: 10 × (1 − (0.3333 − 0.15)/(1 − 0.15)) = "+points, en)
	require.Equal(t, "地下水极差点位：3 个点位中 1 个极差（33.33%），超过 15%：10 × (1 − (0.3333 − 0.15)/(1 − 0.15)) = "+points+" 分（满分 10）", zh)
	zh, en = res.Parts[4].Text()
	require.Equal(t, "1 of 10 task units counted this year (due in it, or overdue when it began) done on time × 100 points = 10.00", en)
	require.Equal(t, "重点任务按时完成：1/10，得 10.00 分（满分 100）；本年度计入 10 个任务单元：当年到期的，及往年到期、年初仍未完成的（逾期单元每年计入直至完成，不计按时完成）", zh)

	// Within the cap: the full points, and the share that earns them.
	res = Assess(r, Inputs{City: "141000", Year: 2018, Groundwater: 10, GroundwaterVeryPoor: 1})
	zh, _ = res.Parts[3].Text()
	require.Equal(t, "地下水极差点位：10 个点位中 1 个极差（10.00%），未超过 15%，得满分 10 分", zh)

	// A part with nothing to assess: full marks, said plainly in both
	// languages (not "no task units … done on time to assess").
	res = Assess(r, Inputs{City: "140100", Year: 2019})
	zh, en = res.Parts[4].Text()
	require.Equal(t, "no task units counted this year (none due in it, none overdue when it began) to assess: full 100 points", en)
	require.Equal(t, "重点任务按时完成：本年度无计入的任务单元（当年无到期单元，年初亦无逾期未完成的单元），得满分 100 分", zh)
	zh, en = res.Parts[1].Text()
	require.Equal(t, "黑臭水体消除：无评价对象，得满分 15 分", zh)
	require.Equal(t, "no black-odorous water bodies to assess: full 15 points", en, "not \"no black-odorous water bodies eliminated to assess\"")
	_, en = res.Parts[2].Text()
	require.Equal(t, "no drinking-water sources to assess: full 15 points", en)

	// Parts as results published under earlier methods wrote them.
	zh, _ = Part{Name: "tasks", Points: 50, Max: 100, Numerator: 1, Denominator: 2, Explanation: "1 of 2 tasks due this year done on time × 100 points = 50.00"}.Text()
	require.Equal(t, "重点任务按时完成：1/2，得 50.00 分（满分 100）", zh)
	zh, _ = Part{Name: "groundwater", Points: 7.84, Max: 10, Numerator: 1, Denominator: 3, Explanation: "1 of 3 points 极差"}.Text()
	require.Equal(t, "地下水极差点位：1/3，得 7.84 分（满分 10）", zh)
	zh, _ = Part{Name: "sections", Points: 30, Max: 60, Numerator: 1, Denominator: 2, Explanation: "1 of 2 sections meeting their target × 60 points = 30.00"}.Text()
	require.Equal(t, "断面达标：1/2，得 30.00 分（满分 60）", zh)
}

// The note of a grade lowered by the task score names the rules'
// threshold (here 70, not the usual 60), in words an official uses; a
// result published before results recorded the threshold says so without
// a number.
func TestDowngradeNoteNamesTheThreshold(t *testing.T) {
	r := Standard(2016, "test")
	r.TaskDowngradeBelow = 70
	in := scored(95)
	in.TasksOnTime = 6 // 60 of 100: under 70
	res := Assess(r, in)
	require.True(t, res.Downgraded)
	require.Equal(t, Good, res.Grade)
	require.Equal(t, 70.0, res.DowngradeBelow)
	zh, en := res.Notes()
	require.Equal(t, []string{"重点任务得分低于70分，考核等级降一档"}, zh)
	require.Equal(t, []string{"key-task score under 70: the grade one step lower"}, en)

	in.TasksOnTime = 7 // 70: not under it
	require.Zero(t, Assess(r, in).DowngradeBelow)

	old := Result{Downgraded: true}
	zh, _ = old.Notes()
	require.Equal(t, []string{"重点任务得分低于降档分数线，考核等级降一档"}, zh)
}
