package assessment

import (
	"regexp"
	"strings"
)

// OutcomeZh is the evidence's outcome in Chinese, with the same
// information as the English Outcome; see OutcomeZh.
func (e Evidence) OutcomeZh() string {
	zh, _ := OutcomeZh(e.Outcome)
	return zh
}

// OutcomeZh says an evidence outcome, as the read models write it in
// English ("class V, target V: met"), in Chinese ("Ⅴ类，目标Ⅴ类，达标").
// Outcomes are stored in English in published results, so they are
// read back here rather than written twice. An outcome of another form (one
// written by an earlier version) is given as it is, and ok is false.
func OutcomeZh(outcome string) (zh string, ok bool) {
	for _, f := range outcomeForms {
		if m := f.re.FindStringSubmatch(outcome); m != nil {
			return f.zh(m), true
		}
	}
	return outcome, false
}

// outcomeForms are the forms of Evidence.Outcome: of a section (app's
// Inputs), a drinking-water source, a black-odorous body and a groundwater
// point (the quality model), and a task unit (app's BoardFigures).
var outcomeForms = []struct {
	re *regexp.Regexp
	zh func(m []string) string
}{
	// A section or drinking-water source with a class for the year.
	// A class is "class V", or "worse than V" (method 8 on; "class 劣V"
	// before); a target "V", "worse than V" or "劣V".
	{regexp.MustCompile(`^(?:class )?(worse than V|\S+), target (worse than V|\S+)( and III or better)?: (met|missed|not met)$`), func(m []string) string {
		s := classZh(m[1]) + "，目标" + classZh(m[2])
		if m[3] != "" {
			s += "且" + AtLeastIIIZh
		}
		return s + "，" + metZh(m[4])
	}},
	{regexp.MustCompile(`^(?:class )?(worse than V|\S+), no target for the year: counted as missed$`), func(m []string) string {
		return classZh(m[1]) + "，本年度无目标，按未达标计"
	}},
	{regexp.MustCompile(`^too few months sampled \((\d+) samples? in (\d+) months?\)(; its samples are worse than class V: counted as worse than V)?(: missed)?$`), func(m []string) string {
		s := "监测月份不足（" + m[2] + " 个月共 " + m[1] + " 个样品），不足以评价类别"
		if m[3] != "" {
			s += "；样品劣于Ⅴ类，按劣Ⅴ类计"
		}
		if m[4] != "" {
			s += "，未达标"
		}
		return s
	}},
	{regexp.MustCompile(`^no item that counts toward the class among (\d+) samples?$`), func(m []string) string {
		return m[1] + " 个样品中没有参与评价类别的项目"
	}},
	{regexp.MustCompile(`^no sample in the year: counted as missed, and as worse than V in the share rule$`), func([]string) string {
		return "全年无样品，按未达标计，在比例要求中按劣Ⅴ类计"
	}},
	// A drinking-water source with no sample in the year (method 8).
	{regexp.MustCompile(`^no sample in the year: counted as missed$`), func([]string) string {
		return "全年无样品，按未达标计"
	}},
	// A groundwater point.
	{regexp.MustCompile(`^not graded for the year: counted as very poor$`), func([]string) string {
		return "全年未评级，按极差计"
	}},
	{regexp.MustCompile(`^graded (\d+)( \(极差, very poor\))?$`), func(m []string) string {
		s := "评级为 " + m[1] + " 级"
		if m[2] != "" {
			s += "（极差）"
		}
		return s
	}},
	// A black-odorous body.
	{regexp.MustCompile(`^not inspected yet: (eliminated|not eliminated)$`), func(m []string) string {
		return "尚未监测，" + eliminatedZh(m[1])
	}},
	// Method 8 on: a body not inspected in the year is not eliminated.
	{regexp.MustCompile(`^not inspected in the year \(last inspected (\S+), level (\d+)\): counted as not eliminated$`), func(m []string) string {
		return "年内未监测（最近一次监测 " + m[1] + "，" + levelZh(m[2]) + "），按未消除计"
	}},
	// Before method 8, published so: the last inspection before the year.
	{regexp.MustCompile(`^not inspected in the year; last inspected (\S+), level (\d+): (eliminated|not eliminated)$`), func(m []string) string {
		return "年内未监测；最近一次监测 " + m[1] + "，" + levelZh(m[2]) + "，" + eliminatedZh(m[3])
	}},
	{regexp.MustCompile(`^(\d+) inspections? in the year, (\d+) in a black-odorous band; the last on (\S+), level (\d+): (eliminated|not eliminated)$`), func(m []string) string {
		return "年内监测 " + m[1] + " 次，其中黑臭 " + m[2] + " 次；最近一次 " + m[3] + "，" + levelZh(m[4]) + "，" + eliminatedZh(m[5])
	}},
	// A task unit.
	{regexp.MustCompile(`^(\w+), due (\S+?)(: overdue when the year began, not on time|: done on time( \(recorded late\))?)?$`), func(m []string) string {
		s := taskStatusZh(m[1]) + "，期限 " + m[2]
		switch {
		case strings.HasPrefix(m[3], ": overdue"):
			s += "，年初已逾期，不计按时完成"
		case m[4] != "":
			s += "，按时完成（逾期录入）"
		case m[3] != "":
			s += "，按时完成"
		}
		return s
	}},
}

// classZh is a water class as the outcomes write it ("III", "worse than
// V", and before method 8 "劣V") in Chinese ("Ⅲ类", "劣Ⅴ类").
func classZh(c string) string {
	roman := map[string]string{"I": "Ⅰ", "II": "Ⅱ", "III": "Ⅲ", "IV": "Ⅳ", "V": "Ⅴ"}
	if c == "worse than V" {
		c = "劣V"
	}
	worse, c := strings.HasPrefix(c, "劣"), strings.TrimPrefix(c, "劣")
	if r, ok := roman[c]; ok {
		c = r
	}
	if worse {
		c = "劣" + c
	}
	return c + "类"
}

func metZh(verdict string) string {
	if verdict == "met" {
		return "达标"
	}
	return "未达标"
}

func eliminatedZh(verdict string) string {
	if verdict == "eliminated" {
		return "已消除"
	}
	return "未消除"
}

// levelZh is a black-odour level (water.BlackOdorLevel) in Chinese.
func levelZh(level string) string {
	switch level {
	case "0":
		return "无黑臭"
	case "1":
		return "轻度黑臭"
	case "2":
		return "重度黑臭"
	}
	return "等级 " + level
}

// taskStatusZh is a task unit's status (tasks.Status) in Chinese.
func taskStatusZh(s string) string {
	switch s {
	case "not_started":
		return "未启动"
	case "in_progress":
		return "推进中"
	case "completed":
		return "已完成"
	case "verified":
		return "已验收"
	case "suspended":
		return "暂停"
	}
	return s
}
