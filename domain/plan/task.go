package plan

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/shanxi-water/ledger/domain"
)

const validateOp = "plan.Validate"

// TaskID identifies a task by its place in the plan, e.g. "T-2-1-2-1g" (see
// the package documentation for the scheme).
type TaskID string

var idPattern = regexp.MustCompile(`^T-[1-9]-[1-9][0-9]?-[1-9][0-9]?-[1-9][0-9]?[a-z]?$`)

// Validate reports whether id has the form T-<chapter>-<section>-<paragraph>-<block>[<letter>].
func (id TaskID) Validate() error {
	if id == "" {
		return fmt.Errorf("missing")
	}
	if !idPattern.MatchString(string(id)) {
		return fmt.Errorf("%q: want T-<chapter>-<section>-<paragraph>-<block> with an optional letter, e.g. T-2-1-2-1g", string(id))
	}
	return nil
}

// Department is a provincial department (or other body) as the plan writes
// it, e.g. 省环保厅, 省住房城乡建设厅, 人行太原中心支行.
type Department string

// Category is the group of the assessment's key-task score a task counts in.
type Category string

// The categories of the assessment's key tasks.
const (
	Industry    Category = "industry"     // 工业污染防治
	Towns       Category = "towns"        // 城镇生活污染治理
	Agriculture Category = "agriculture"  // 农业农村污染防治
	Shipping    Category = "shipping"     // 船舶港口 and, in Shanxi's plan, other transport (交通运输) pollution
	WaterSaving Category = "water_saving" // 水资源节约保护, water pricing included
	Ecology     Category = "ecology"      // 水生态环境保护: drinking water, groundwater, wetlands, black-odorous water
	Duties      Category = "duties"       // 环境管理, 各方责任与公众参与
)

// Categories lists the categories in the assessment's order.
var Categories = []Category{Industry, Towns, Agriculture, Shipping, WaterSaving, Ecology, Duties}

// Validate reports whether c is a known category.
func (c Category) Validate() error {
	if slices.Contains(Categories, c) {
		return nil
	}
	if c == "" {
		return fmt.Errorf("missing")
	}
	return fmt.Errorf("unknown category %q: want one of %v", string(c), Categories)
}

// Comparison says which side of a target's value meets it.
type Comparison string

// The comparisons.
const (
	AtLeast Comparison = ">=" // 达到…以上, 超过, 提高到
	AtMost  Comparison = "<=" // 控制在…以内
)

// Target is a number the plan sets for a task, e.g. 城市污水处理率 at least
// 95% in 2020.
type Target struct {
	Metric     string     `json:"metric"`         // stable English key, e.g. "urban_sewage_treatment_rate"
	MetricZh   string     `json:"metric_zh"`      // the metric in the plan's words, e.g. 城市污水处理率
	Value      float64    `json:"value"`          // as the plan writes it, e.g. 95 for 95%
	Unit       string     `json:"unit"`           // as the plan writes it: "%", "个", "亿立方米", "万亩", "公顷"; "" for a ratio or coefficient
	Comparison Comparison `json:"comparison"`     // which side of Value meets the target
	Year       int        `json:"year,omitempty"` // the year the target applies to; 0 when the plan names none
}

// Met reports whether an observed value v meets the target.
func (t Target) Met(v float64) bool {
	switch t.Comparison {
	case AtLeast:
		return v >= t.Value
	case AtMost:
		return v <= t.Value
	}
	return false
}

var metricPattern = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// Validate checks the target. The error's Field is relative, e.g. "comparison".
func (t Target) Validate() error {
	switch {
	case !metricPattern.MatchString(t.Metric):
		return domain.Errorf(validateOp, domain.Invalid, "metric", "%q: want a lower-case snake_case key", t.Metric)
	case strings.TrimSpace(t.MetricZh) == "":
		return domain.Errorf(validateOp, domain.Invalid, "metric_zh", "missing")
	case math.IsNaN(t.Value) || math.IsInf(t.Value, 0) || t.Value <= 0:
		return domain.Errorf(validateOp, domain.Invalid, "value", "%v: want a positive number", t.Value)
	case t.Unit == "%" && t.Value > 100:
		return domain.Errorf(validateOp, domain.Invalid, "value", "%v%% is over 100%%", t.Value)
	case t.Comparison != AtLeast && t.Comparison != AtMost:
		return domain.Errorf(validateOp, domain.Invalid, "comparison", "%q: want %q or %q", string(t.Comparison), AtLeast, AtMost)
	case t.Year != 0 && (t.Year < firstYear || t.Year > lastYear):
		return domain.Errorf(validateOp, domain.Invalid, "year", "%d: want %d–%d", t.Year, firstYear, lastYear)
	}
	return nil
}

// Task is one task of the plan.
type Task struct {
	ID        TaskID `json:"id"`
	Chapter   string `json:"chapter"`        // as written, e.g. 二、主要任务
	Section   string `json:"section"`        // as written, e.g. (一)全面控制污染物排放。
	Paragraph string `json:"paragraph"`      // the numbered item as written, e.g. 1.狠抓工业污染防治。
	Item      string `json:"item,omitempty"` // the lead-in sentence of the item the task belongs to, e.g. 取缔“十小”企业。; empty where the plan has none
	Text      string `json:"text"`           // the task's own words, a verbatim substring of the plan

	// Deadline is the last day by which the task is due: …年底前 and 到…年
	// give 31 December, …月底前 the last day of that month. Zero for a
	// standing obligation (From) or an undated target.
	Deadline Date `json:"deadline,omitzero"`
	// From is the first day of a standing obligation (自…年起): 1 January of
	// that year. Zero otherwise.
	From Date `json:"from,omitzero"`

	Lead            []Department `json:"lead"`                       // 牵头 (or 负责) departments, as written
	Participants    []Department `json:"participants,omitempty"`     // 参与 departments, as written
	ParticipantsEtc bool         `json:"participants_etc,omitempty"` // the plan ends the list with 等: it is not exhaustive

	Governments Governments `json:"governments"`
	Target      *Target     `json:"target,omitempty"`
	Category    Category    `json:"category"`
}

// The years a task's dates may fall in. The plan was signed on 30 December
// 2015 and five of its deadlines are the end of 2015 itself, so the earliest
// deadline is 2015-12-31; its horizon is 2030.
const (
	firstYear = 2015
	lastYear  = 2030
)

var (
	earliestDeadline = NewDate(firstYear, time.December, 31)
	earliestFrom     = NewDate(firstYear+1, time.January, 1)
	latestDate       = NewDate(lastYear, time.December, 31)
)

// Validate checks the task, returning a *domain.Error that names the field at
// fault: the id's form, the place, a non-empty text found verbatim in the
// plan, deadlines on a month end within 2015-12-31…2030-12-31 and start dates
// on a month's first day within 2016–2030, at least one date or target, a
// non-empty lead, departments without blanks or repeats, known city codes and
// a known category.
func (t Task) Validate() error {
	if err := t.ID.Validate(); err != nil {
		return domain.E(validateOp, domain.Invalid, "id", err)
	}
	for _, f := range []struct{ name, v string }{{"chapter", t.Chapter}, {"section", t.Section}, {"paragraph", t.Paragraph}} {
		if strings.TrimSpace(f.v) == "" {
			return domain.Errorf(validateOp, domain.Invalid, f.name, "missing")
		}
	}
	switch {
	case strings.TrimSpace(t.Text) == "":
		return domain.Errorf(validateOp, domain.Invalid, "text", "missing")
	case strings.TrimSpace(t.Text) != t.Text:
		return domain.Errorf(validateOp, domain.Invalid, "text", "has surrounding whitespace")
	case !strings.Contains(planText, t.Text):
		return domain.Errorf(validateOp, domain.Invalid, "text", "not found verbatim in the plan")
	}
	if !t.Deadline.IsZero() {
		if t.Deadline.Compare(earliestDeadline) < 0 || t.Deadline.Compare(latestDate) > 0 {
			return domain.Errorf(validateOp, domain.Invalid, "deadline", "%s: want %s…%s", t.Deadline, earliestDeadline, latestDate)
		}
		if !t.Deadline.IsMonthEnd() {
			return domain.Errorf(validateOp, domain.Invalid, "deadline", "%s: want the last day of a month (…年底前, …月底前)", t.Deadline)
		}
	}
	if !t.From.IsZero() {
		if t.From.Compare(earliestFrom) < 0 || t.From.Compare(latestDate) > 0 {
			return domain.Errorf(validateOp, domain.Invalid, "from", "%s: want %s…%s", t.From, earliestFrom, latestDate)
		}
		if t.From.Day() != 1 {
			return domain.Errorf(validateOp, domain.Invalid, "from", "%s: want the first day of a month (自…年起)", t.From)
		}
		if !t.Deadline.IsZero() && t.Deadline.Compare(t.From) < 0 {
			return domain.Errorf(validateOp, domain.Invalid, "deadline", "%s is before from %s", t.Deadline, t.From)
		}
	}
	if t.Deadline.IsZero() && t.From.IsZero() && t.Target == nil {
		return domain.Errorf(validateOp, domain.Invalid, "deadline", "missing: a task has a deadline, a start date or a target")
	}
	if len(t.Lead) == 0 {
		return domain.Errorf(validateOp, domain.Invalid, "lead", "missing: every task has a lead department (牵头 or 负责)")
	}
	seen := make(map[Department]string)
	for _, list := range []struct {
		name  string
		depts []Department
	}{{"lead", t.Lead}, {"participants", t.Participants}} {
		for i, d := range list.depts {
			field := fmt.Sprintf("%s[%d]", list.name, i)
			if err := d.validate(); err != nil {
				return domain.E(validateOp, domain.Invalid, field, err)
			}
			if prev, dup := seen[d]; dup {
				return domain.Errorf(validateOp, domain.Invalid, field, "%s already listed as %s", d, prev)
			}
			seen[d] = field
		}
	}
	if t.ParticipantsEtc && len(t.Participants) == 0 {
		return domain.Errorf(validateOp, domain.Invalid, "participants_etc", "set without participants")
	}
	if err := t.Governments.Validate(); err != nil {
		return prefixed(err, "governments")
	}
	if t.Target != nil {
		if err := t.Target.Validate(); err != nil {
			return prefixed(err, "target")
		}
		if t.Target.Year != 0 && !t.Deadline.IsZero() && t.Target.Year != t.Deadline.Year() {
			return domain.Errorf(validateOp, domain.Invalid, "target.year", "%d differs from the deadline's year %d", t.Target.Year, t.Deadline.Year())
		}
	}
	if err := t.Category.Validate(); err != nil {
		return domain.E(validateOp, domain.Invalid, "category", err)
	}
	return nil
}

func (d Department) validate() error {
	if d == "" {
		return fmt.Errorf("empty department")
	}
	for _, r := range d {
		if unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune("、,,()()", r) {
			return fmt.Errorf("%q: one department per entry, without spaces or separators", string(d))
		}
	}
	if strings.HasSuffix(string(d), "等") {
		return fmt.Errorf("%q: drop the trailing 等 and set participants_etc", string(d))
	}
	return nil
}

// prefixed puts a nested *domain.Error's field under parent.
func prefixed(err error, parent string) error {
	e, ok := err.(*domain.Error)
	if !ok {
		return domain.E(validateOp, domain.Invalid, parent, err)
	}
	field := parent
	if e.Field != "" {
		field += "." + e.Field
	}
	return domain.E(validateOp, e.Kind, field, e.Err)
}

func (t Task) clone() Task {
	t.Lead = slices.Clone(t.Lead)
	t.Participants = slices.Clone(t.Participants)
	t.Governments.Cities = slices.Clone(t.Governments.Cities)
	if t.Target != nil {
		target := *t.Target
		t.Target = &target
	}
	return t
}
