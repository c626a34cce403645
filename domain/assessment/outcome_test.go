package assessment

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Every form of outcome the read models write, in Chinese with the same
// information; one of another form is given as it is.
func TestOutcomeZh(t *testing.T) {
	for en, zh := range map[string]string{
		"class V, target V: met":                                  "Ⅴ类，目标Ⅴ类，达标",
		"class 劣V, target V: missed":                              "劣Ⅴ类，目标Ⅴ类，未达标",
		"class IV, target III: not met":                           "Ⅳ类，目标Ⅲ类，未达标",
		"class III, no target for the year: counted as missed":    "Ⅲ类，本年度无目标，按未达标计",
		"class II, target III and III or better: met":             "Ⅱ类，目标Ⅲ类且达到或优于Ⅲ类，达标",
		"class IV, target IV and III or better: missed":           "Ⅳ类，目标Ⅳ类且达到或优于Ⅲ类，未达标",
		"worse than V, target V: missed":                          "劣Ⅴ类，目标Ⅴ类，未达标",
		"worse than V, target worse than V: met":                  "劣Ⅴ类，目标劣Ⅴ类，达标",
		"class IV, target 劣V: met":                                "Ⅳ类，目标劣Ⅴ类，达标",
		"worse than V, target III and III or better: missed":      "劣Ⅴ类，目标Ⅲ类且达到或优于Ⅲ类，未达标",
		"worse than V, no target for the year: counted as missed": "劣Ⅴ类，本年度无目标，按未达标计",
		"too few months sampled (7 samples in 6 months)":          "监测月份不足（6 个月共 7 个样品），不足以评价类别",
		"too few months sampled (1 sample in 1 month)":            "监测月份不足（1 个月共 1 个样品），不足以评价类别",
		"too few months sampled (3 samples in 3 months): missed":  "监测月份不足（3 个月共 3 个样品），不足以评价类别，未达标",
		"too few months sampled (4 samples in 4 months); its samples are worse than class V: counted as worse than V": "监测月份不足（4 个月共 4 个样品），不足以评价类别；样品劣于Ⅴ类，按劣Ⅴ类计",
		"no item that counts toward the class among 12 samples":                                                       "12 个样品中没有参与评价类别的项目",
		"no sample in the year: counted as missed, and as worse than V in the share rule":                             "全年无样品，按未达标计，在比例要求中按劣Ⅴ类计",
		"not graded for the year: counted as very poor":                                                               "全年未评级，按极差计",
		"graded 4":                          "评级为 4 级",
		"graded 5 (极差, very poor)":          "评级为 5 级（极差）",
		"not inspected yet: not eliminated": "尚未监测，未消除",
		"not inspected in the year; last inspected 2017-09-15, level 0: eliminated":                             "年内未监测；最近一次监测 2017-09-15，无黑臭，已消除",
		"not inspected in the year (last inspected 2017-09-15, level 0): counted as not eliminated":             "年内未监测（最近一次监测 2017-09-15，无黑臭），按未消除计",
		"no sample in the year: counted as missed":                                                              "全年无样品，按未达标计",
		"2 inspections in the year, 2 in a black-odorous band; the last on 2018-12-15, level 2: not eliminated": "年内监测 2 次，其中黑臭 2 次；最近一次 2018-12-15，重度黑臭，未消除",
		"1 inspections in the year, 1 in a black-odorous band; the last on 2018-12-15, level 1: not eliminated": "年内监测 1 次，其中黑臭 1 次；最近一次 2018-12-15，轻度黑臭，未消除",
		"not_started, due 2018-12-31":                                           "未启动，期限 2018-12-31",
		"in_progress, due 2016-06-30: overdue when the year began, not on time": "推进中，期限 2016-06-30，年初已逾期，不计按时完成",
		"completed, due 2018-12-31: done on time":                               "已完成，期限 2018-12-31，按时完成",
		"verified, due 2017-12-31: done on time (recorded late)":                "已验收，期限 2017-12-31，按时完成（逾期录入）",
		"suspended, due 2017-12-31":                                             "暂停，期限 2017-12-31",
	} {
		got, ok := OutcomeZh(en)
		require.True(t, ok, en)
		require.Equal(t, zh, got, en)
	}
	got, ok := OutcomeZh("too few samples (3)")
	require.False(t, ok)
	require.Equal(t, "too few samples (3)", got, "an outcome of another form, as it is")
	require.Equal(t, "Ⅴ类，目标Ⅴ类，达标", Evidence{Outcome: "class V, target V: met"}.OutcomeZh())
}
