package assessment

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/shanxi-water/ledger/domain"
)

// Grade is a city's grade for a year.
type Grade string

// The grades, best first.
const (
	Excellent Grade = "excellent" // 优秀
	Good      Grade = "good"      // 良好
	Pass      Grade = "pass"      // 合格
	Fail      Grade = "fail"      // 不合格
)

var grades = []Grade{Excellent, Good, Pass, Fail}

// Label is the grade's name in Chinese and English.
func (g Grade) Label() (zh, en string) {
	switch g {
	case Excellent:
		return "优秀", "excellent"
	case Good:
		return "良好", "good"
	case Pass:
		return "合格", "pass"
	case Fail:
		return "不合格", "fail"
	}
	return "", ""
}

// lower is the grade one step down.
func (g Grade) lower() Grade {
	for i, x := range grades {
		if x == g && i+1 < len(grades) {
			return grades[i+1]
		}
	}
	return Fail
}

// Inputs are a city-year's figures, each with the events behind it.
type Inputs struct {
	City domain.CityID `json:"city"`
	Year int           `json:"year"`

	Sections    int `json:"sections"`     // assessed sections
	SectionsMet int `json:"sections_met"` // meeting their target class
	// SectionsInsufficient have no class for the year (too few samples, or
	// none of an item that counts): they count as missing their target, and
	// the result says so (Notes).
	SectionsInsufficient int `json:"sections_insufficient,omitempty"`
	// The city's share targets, from its sections' targets: sections that
	// must be class III or better, and sections allowed worse than V (their
	// target is 劣V); and the sections that are, whatever their targets.
	// Both are shares of the same sections, so the counts compare.
	AtLeastIIIRequired int `json:"at_least_iii_required"`
	AtLeastIIIActual   int `json:"at_least_iii_actual"`
	WorseThanVAllowed  int `json:"worse_than_v_allowed"`
	WorseThanVActual   int `json:"worse_than_v_actual"`

	Drinking            int `json:"drinking"`
	DrinkingMet         int `json:"drinking_met"`
	DrinkingUnsampled   int `json:"drinking_unsampled,omitempty"` // of those not met, sources with no sample in the year
	BlackOdorous        int `json:"black_odorous"`
	BlackEliminated     int `json:"black_eliminated"`
	BlackUninspected    int `json:"black_odorous_uninspected,omitempty"` // of those not eliminated, bodies not inspected in the year
	Groundwater         int `json:"groundwater"`
	GroundwaterVeryPoor int `json:"groundwater_very_poor"`
	GroundwaterUngraded int `json:"groundwater_ungraded,omitempty"` // of the very poor, points not graded for the year

	TasksDue    int `json:"tasks_due"`     // the city's tasks due in the year
	TasksOnTime int `json:"tasks_on_time"` // of those, done by the deadline

	// Enforcement is reported beside the scores, not scored.
	Enforcement EnforcementFigures `json:"enforcement"`

	Evidence []Evidence `json:"evidence,omitempty"` // the events behind the figures
}

// EnforcementFigures are a city-year's inspections and cards.
type EnforcementFigures struct {
	Inspections int `json:"inspections"`
	Violations  int `json:"violations"` // inspections finding an exceedance
	Yellow      int `json:"yellow"`     // yellow cards issued
	Red         int `json:"red"`        // red cards issued
	Lifted      int `json:"lifted"`     // cards lifted after rectification
	Revoked     int `json:"revoked"`    // cards revoked on appeal
}

// Evidence ties a figure to the events behind it.
type Evidence struct {
	Part      string   `json:"part"`      // sections, drinking, tasks, …
	Subject   string   `json:"subject"`   // e.g. a section id or task id
	Outcome   string   `json:"outcome"`   // e.g. "class IV, target V: met"
	Positions []uint64 `json:"positions"` // log positions of the events
}

// Part is one scored component with how it was computed.
type Part struct {
	Name        string  `json:"name"`
	Points      float64 `json:"points"`
	Max         float64 `json:"max"`
	Numerator   int     `json:"numerator"`
	Denominator int     `json:"denominator"`
	Explanation string  `json:"explanation"`
}

// Result is a city's assessment for a year.
type Result struct {
	City         domain.CityID `json:"city"`
	Year         int           `json:"year"`
	RulesYear    int           `json:"rules_year"` // effective year of the rules used
	QualityScore float64       `json:"quality_score"`
	TaskScore    float64       `json:"task_score"`
	Parts        []Part        `json:"parts"`
	ScoreGrade   Grade         `json:"score_grade"` // from the quality score alone
	Grade        Grade         `json:"grade"`       // after the task adjustment and hard-fail rules
	Downgraded   bool          `json:"downgraded"`  // lowered a step by the task score
	// DowngradeBelow is the rules' task score under which the grade was
	// lowered, when it was (results published before method 8 lack it).
	DowngradeBelow float64   `json:"downgrade_below,omitempty"`
	HardFails      []string  `json:"hard_fails,omitempty"` // Failures in English (what results published before Failures hold)
	Failures       []Failure `json:"failures,omitempty"`
	Rank           int       `json:"rank"`
	Inputs         Inputs    `json:"inputs"`
}

// Label is the part's name in Chinese.
func (p Part) Label() string {
	switch p.Name {
	case "sections":
		return "断面达标"
	case "black_odorous":
		return "黑臭水体消除"
	case "drinking":
		return "饮用水水源地达标"
	case "groundwater":
		return "地下水极差点位"
	case "tasks":
		return "重点任务按时完成"
	}
	return p.Name
}

// Text says how the part was scored, in Chinese and in English (the
// English is Explanation), with the same information: the groundwater
// part's share against the cap and its formula, and what the task part
// counts. Explanations are stored in English in published results, so the
// Chinese reads what it needs from them (the cap, the formula) rather than
// being written twice; an explanation of another form (one written by an
// earlier version) gives the counts and points alone.
func (p Part) Text() (zh, en string) {
	if p.Denominator == 0 {
		// share writes "no %s to assess" around the part's whole noun
		// phrase ("no sections meeting their target to assess"): said
		// plainly here, the stored explanation unchanged.
		en = p.Explanation
		if strings.HasPrefix(p.Explanation, "no ") && strings.HasSuffix(p.Explanation, fmt.Sprintf(" to assess: full %g points", p.Max)) {
			if noun, ok := nothingToAssess[p.Name]; ok {
				en = fmt.Sprintf("no %s to assess: full %g points", noun, p.Max)
			}
		}
		if p.Name == "tasks" {
			return fmt.Sprintf("%s：本年度无计入的任务单元（当年无到期单元，年初亦无逾期未完成的单元），得满分 %g 分", p.Label(), p.Max), en
		}
		return fmt.Sprintf("%s：无评价对象，得满分 %g 分", p.Label(), p.Max), en
	}
	zh = fmt.Sprintf("%s：%d/%d，得 %.2f 分（满分 %g）", p.Label(), p.Numerator, p.Denominator, p.Points, p.Max)
	switch m := groundwaterRE.FindStringSubmatch(p.Explanation); {
	case m != nil && m[2] == "within":
		zh = fmt.Sprintf("%s：%d 个点位中 %d 个极差（%s%%），未超过 %s%%，得满分 %g 分", p.Label(), p.Denominator, p.Numerator, m[1], m[3], p.Max)
	case m != nil:
		zh = fmt.Sprintf("%s：%d 个点位中 %d 个极差（%s%%），超过 %s%%：%s = %.2f 分（满分 %g）", p.Label(), p.Denominator, p.Numerator, m[1], m[3], m[4], p.Points, p.Max)
	case p.Name == "tasks" && strings.Contains(p.Explanation, "overdue when it began"):
		zh += fmt.Sprintf("；本年度计入 %d 个任务单元：当年到期的，及往年到期、年初仍未完成的（逾期单元每年计入直至完成，不计按时完成）", p.Denominator)
	}
	return zh, p.Explanation
}

// nothingToAssess names what a part counts, for a part with none of it.
var nothingToAssess = map[string]string{
	"sections":      "sections with a target",
	"black_odorous": "black-odorous water bodies",
	"drinking":      "drinking-water sources",
	"groundwater":   "groundwater points",
	"tasks":         "task units counted this year (none due in it, none overdue when it began)",
}

// groundwaterRE reads the groundwater part's explanation, as Assess writes
// it: the share of very poor points, within or over the cap, and the
// formula when over it.
var groundwaterRE = regexp.MustCompile(`^\d+ of \d+ points very poor \(([\d.]+)%\), (within|over) (\d+)%: (?:full \S+ points|(.+) = [\d.]+)$`)

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// share scores a part: points × num/den, full points when there is nothing
// to assess. The part shows its points to two decimals; exact is what is
// added up, so that a total is never the sum of rounded parts.
func share(name string, points float64, num, den int, what string) (p Part, exact float64) {
	p = Part{Name: name, Max: points, Numerator: num, Denominator: den}
	if den == 0 {
		p.Points = points
		p.Explanation = fmt.Sprintf("no %s to assess: full %g points", what, points)
		return p, points
	}
	exact = points * float64(num) / float64(den)
	p.Points = round2(exact)
	p.Explanation = fmt.Sprintf("%d of %d %s × %g points = %.2f", num, den, what, points, p.Points)
	return p, exact
}

// below reports whether an exact score is under a threshold. Scores are
// sums of a few fractions of points in floating point, which can land a
// hair under a threshold they reach exactly (60·7/9 + 15/9 + 15/9 + 10 is
// 59.999999999999993): a score within a billionth of the threshold is at it.
// A real score that close would need a billion sections.
func below(score, threshold float64) bool { return score < threshold-1e-9 }

// scoreText writes a score to two decimals, or to four where two would
// round it up to the threshold it is compared with (59.996 is under 60).
func scoreText(exact, threshold float64) string {
	if below(exact, threshold) && round2(exact) >= threshold {
		return fmt.Sprintf("%.4f", exact)
	}
	return fmt.Sprintf("%.2f", exact)
}

// Assess scores one city-year under rules.
func Assess(r Rules, in Inputs) Result {
	res := Result{City: in.City, Year: in.Year, RulesYear: r.EffectiveYear, Inputs: in}
	p := r.Points
	var parts []Part
	quality := 0.0 // the exact sum of the parts
	for _, s := range []struct {
		name     string
		points   float64
		num, den int
		what     string
	}{
		{"sections", p.Sections, in.SectionsMet, in.Sections, "sections meeting their target"},
		{"black_odorous", p.BlackOdorous, in.BlackEliminated, in.BlackOdorous, "black-odorous water bodies eliminated"},
		{"drinking", p.Drinking, in.DrinkingMet, in.Drinking, "drinking-water sources at their target, and at class III or better"},
	} {
		part, exact := share(s.name, s.points, s.num, s.den, s.what)
		parts, quality = append(parts, part), quality+exact
	}
	gw := Part{Name: "groundwater", Max: p.Groundwater, Numerator: in.GroundwaterVeryPoor, Denominator: in.Groundwater}
	gwExact := p.Groundwater
	switch {
	case in.Groundwater == 0:
		gw.Explanation = fmt.Sprintf("no groundwater points to assess: full %g points", p.Groundwater)
	default:
		s := float64(in.GroundwaterVeryPoor) / float64(in.Groundwater)
		if s <= r.GroundwaterVeryPoorCap {
			gw.Explanation = fmt.Sprintf("%d of %d points very poor (%.2f%%), within %.0f%%: full %g points", in.GroundwaterVeryPoor, in.Groundwater, 100*s, 100*r.GroundwaterVeryPoorCap, p.Groundwater)
		} else {
			gwExact = p.Groundwater * (1 - (s-r.GroundwaterVeryPoorCap)/(1-r.GroundwaterVeryPoorCap))
			gw.Explanation = fmt.Sprintf("%d of %d points very poor (%.2f%%), over %.0f%%: %g × (1 − (%.4f − %.2f)/(1 − %.2f)) = %.2f",
				in.GroundwaterVeryPoor, in.Groundwater, 100*s, 100*r.GroundwaterVeryPoorCap, p.Groundwater, s, r.GroundwaterVeryPoorCap, r.GroundwaterVeryPoorCap, round2(gwExact))
		}
	}
	gw.Points = round2(gwExact)
	parts, quality = append(parts, gw), quality+gwExact
	res.QualityScore = round2(quality)
	tasks, taskExact := share("tasks", 100, in.TasksOnTime, in.TasksDue, "task units counted this year (due in it, or overdue when it began) done on time")
	res.TaskScore = tasks.Points
	res.Parts = append(parts, tasks)

	// Grades and hard rules compare the exact scores, not the rounded ones.
	switch q := quality; {
	case !below(q, r.Grades.Excellent):
		res.ScoreGrade = Excellent
	case !below(q, r.Grades.Good):
		res.ScoreGrade = Good
	case !below(q, r.Grades.Pass):
		res.ScoreGrade = Pass
	default:
		res.ScoreGrade = Fail
	}
	res.Grade = res.ScoreGrade
	if r.TaskDowngradeBelow > 0 && below(taskExact, r.TaskDowngradeBelow) && res.Grade != Fail {
		res.Grade, res.Downgraded, res.DowngradeBelow = res.Grade.lower(), true, r.TaskDowngradeBelow
	}
	hf := r.HardFail
	if hf.QualityBelow > 0 && below(quality, hf.QualityBelow) {
		res.Failures = append(res.Failures, Failure{Rule: QualityBelow, Actual: quality, Limit: hf.QualityBelow})
	}
	if hf.MissAtLeastIII && in.AtLeastIIIActual < in.AtLeastIIIRequired {
		res.Failures = append(res.Failures, Failure{Rule: MissAtLeastIII, Actual: float64(in.AtLeastIIIActual), Limit: float64(in.AtLeastIIIRequired)})
	}
	if hf.MissWorseThanV && in.WorseThanVActual > in.WorseThanVAllowed {
		res.Failures = append(res.Failures, Failure{Rule: MissWorseThanV, Actual: float64(in.WorseThanVActual), Limit: float64(in.WorseThanVAllowed)})
	}
	for _, f := range res.Failures {
		_, en := f.Text()
		res.HardFails = append(res.HardFails, en)
	}
	if len(res.HardFails) > 0 {
		res.Grade = Fail
	}
	return res
}

// AtLeastIIIZh is the plan's word for the class-III share (晋政发〔2015〕59号,
// 表1: 水质达到或优于Ⅲ类断面比例), as every Chinese text of the ledger says it.
const AtLeastIIIZh = "达到或优于Ⅲ类"

// The hard rules a Failure names.
const (
	QualityBelow   = "quality_below"     // the quality score under the threshold
	MissAtLeastIII = "miss_at_least_iii" // fewer sections at class III or better than required
	MissWorseThanV = "miss_worse_than_v" // more sections worse than class V than allowed
)

// Failure is a hard rule a city-year broke, with its figures: the exact
// quality score and the threshold, or the sections counted and the
// sections required or allowed.
type Failure struct {
	Rule   string  `json:"rule"`
	Actual float64 `json:"actual"`
	Limit  float64 `json:"limit"`
}

// Text is the failure in Chinese and English. In Chinese it says that the
// rule is a veto (一票否决): the city is 不合格 whatever its score.
func (f Failure) Text() (zh, en string) {
	n, limit := int(f.Actual), int(f.Limit)
	switch f.Rule {
	case QualityBelow:
		s := scoreText(f.Actual, f.Limit)
		return fmt.Sprintf("水质得分 %s 低于 %g 分，一票否决", s, f.Limit), fmt.Sprintf("quality score %s is under %g", s, f.Limit)
	case MissAtLeastIII:
		return fmt.Sprintf("%s的断面 %d 个，少于要求的 %d 个，一票否决", AtLeastIIIZh, n, limit), fmt.Sprintf("%s at class III or better, %d required", domain.Count(n, "section"), limit)
	case MissWorseThanV:
		return fmt.Sprintf("劣Ⅴ类断面 %d 个，多于允许的 %d 个，一票否决", n, limit), fmt.Sprintf("%s worse than class V, %d allowed", domain.Count(n, "section"), limit)
	}
	return f.Rule, f.Rule
}

// FailureTexts are the hard rules a result broke, in Chinese and English.
// Results published before Failures was recorded have HardFails only,
// which are given as they were written, in both.
func (r Result) FailureTexts() (zh, en []string) {
	if len(r.Failures) == 0 {
		return r.HardFails, r.HardFails
	}
	for _, f := range r.Failures {
		z, e := f.Text()
		zh, en = append(zh, z), append(en, e)
	}
	return zh, en
}

// DowngradeText says why the grade is a step lower, in Chinese and
// English, naming the rules' threshold (below; 0 for a result published
// before results recorded it).
func DowngradeText(below float64) (zh, en string) {
	if below > 0 {
		return fmt.Sprintf("重点任务得分低于%g分，考核等级降一档", below), fmt.Sprintf("key-task score under %g: the grade one step lower", below)
	}
	return "重点任务得分低于降档分数线，考核等级降一档", "key-task score under the rules' threshold: the grade one step lower"
}

// Notes say, in Chinese and English, what a reader of the result should
// know beside its score: a grade lowered by the task score, the hard rules
// broken, and sections without data enough for a class (a year still
// under way, or one without data, has many).
func (r Result) Notes() (zh, en []string) {
	if r.Downgraded {
		z, e := DowngradeText(r.DowngradeBelow)
		zh, en = append(zh, z), append(en, e)
	}
	fz, fe := r.FailureTexts()
	zh, en = append(zh, fz...), append(en, fe...)
	if n := r.Inputs.SectionsInsufficient; n > 0 {
		zh = append(zh, fmt.Sprintf("%d 个断面数据不足以评价类别，按未达标计", n))
		en = append(en, fmt.Sprintf("%s without data enough for a class, counted as missing the target", domain.Count(n, "section")))
	}
	return zh, en
}

// ShareText states the share rules' counts, broken or not: the sections at
// class III or better against those required, and those worse than V
// against those allowed.
func (r Result) ShareText() (zh, en string) {
	in := r.Inputs
	return fmt.Sprintf("%s的断面 %d 个（要求 %d 个）；劣Ⅴ类断面 %d 个（允许 %d 个）", AtLeastIIIZh, in.AtLeastIIIActual, in.AtLeastIIIRequired, in.WorseThanVActual, in.WorseThanVAllowed),
		fmt.Sprintf("sections at class III or better: %d (%d required); worse than class V: %d (%d allowed)", in.AtLeastIIIActual, in.AtLeastIIIRequired, in.WorseThanVActual, in.WorseThanVAllowed)
}

// Rank orders a year's results and numbers them 1…n: by grade (every
// 优秀 before every 良好, and so on: a city failed by a hard rule never ranks
// above one that passed), then quality score, then task score, then city
// code; equal grades and scores share a rank.
func Rank(rs []Result) {
	order := func(g Grade) int {
		if i := slices.Index(grades, g); i >= 0 {
			return i
		}
		return len(grades)
	}
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if ga, gb := order(a.Grade), order(b.Grade); ga != gb {
			return ga < gb
		}
		if a.QualityScore != b.QualityScore {
			return a.QualityScore > b.QualityScore
		}
		if a.TaskScore != b.TaskScore {
			return a.TaskScore > b.TaskScore
		}
		return a.City < b.City
	})
	for i := range rs {
		rs[i].Rank = i + 1
		if i > 0 && rs[i].Grade == rs[i-1].Grade && rs[i].QualityScore == rs[i-1].QualityScore && rs[i].TaskScore == rs[i-1].TaskScore {
			rs[i].Rank = rs[i-1].Rank
		}
	}
}
