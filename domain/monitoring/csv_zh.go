package monitoring

import (
	"regexp"
	"strings"
)

// The reasons an upload's rows are refused, in Chinese for the stations'
// staff: each English reason the parser and the import give, matched
// whole, and its Chinese with the same particulars. Where a particular is
// itself English (a status, how a stored sample differs), zhf gives the
// Chinese from the match in place of zh. A code a station may type in its
// file (dry, auto, sampled_at) is kept only in brackets after its Chinese.
var reasonsZh = []struct {
	en  *regexp.Regexp
	zh  string
	zhf func(m []string) string
}{
	{regexp.MustCompile(`^missing$`), "缺失", nil},
	{regexp.MustCompile(`^named twice$`), "列名重复", nil},
	{regexp.MustCompile(`^required column missing$`), "缺少必需的列", nil},
	{regexp.MustCompile(`^no item columns .*$`), "没有监测项目列（pH、溶解氧、高锰酸盐指数、氨氮、总磷……）", nil},
	{regexp.MustCompile(`^no values: .*$`), "没有数值：至少填写一个项目，或填写状态（断流、冰封、故障）", nil},
	{regexp.MustCompile(`^not valid CSV: (.*)$`), "不是有效的 CSV：$1", nil},
	{regexp.MustCompile(`^(\d+) cells, the header names (\d+)$`), "本行 $1 格，表头有 $2 列", nil},
	{regexp.MustCompile(`^(".*") is in a column with no name$`), "$1 位于没有列名的列中", nil},
	{regexp.MustCompile(`^repeats line (\d+) \(same section, time and source\)$`), "与第 $1 行重复（断面、时间、来源相同）", nil},
	{regexp.MustCompile(`^the same item as column (.+)$`), "与列 $1 为同一项目", nil},
	{regexp.MustCompile(`^(.+) is before 2010$`), "$1 早于 2010 年", nil},
	{regexp.MustCompile(`^(.+) is in the future$`), "$1 晚于当前时间", nil},
	{regexp.MustCompile(`^(".*") is not a time .*$`), "$1 不是时间（如 2019-03-01 08:00 或 2019/3/1 8:00，山西时间；或 RFC 3339）", nil},
	{regexp.MustCompile(`^(".*") has a fraction of a second: .*$`), "$1 含不足一秒的部分：样品时间精确到秒", nil},
	{regexp.MustCompile(`^(".*") is the name of (.+), not of (.+)$`), "$1 是 $2 的名称，不是 $3 的", nil},
	{regexp.MustCompile(`^unknown section (".*"): not the name of .*$`), "未登记的断面 $1：不是已登记断面的名称", nil},
	{regexp.MustCompile(`^(".*") is the name of (\d+) sections \((.+)\): give the section's code \(断面编码\)$`), "$1 是 $2 个断面的名称（$3）：请填写断面编码", nil},
	{regexp.MustCompile(`^unknown section (".*"): not the code of .*$`), "未登记的断面 $1：不是已登记断面的编码", nil},
	{regexp.MustCompile(`^(\S+) is not one of this station's sections: an upload naming one is refused whole, partial or not$`), "$1 不是本站的断面：文件中有他站断面的行，整个文件不予存储（部分导入也不例外）", nil},
	{regexp.MustCompile(`^(".*") is not "auto" or "manual" .*$`), "$1 不是自动（auto）或手工（manual）", nil},
	{regexp.MustCompile(`^(".*") is not one of dry, ice, fault .*$`), "$1 不是断流（dry）、冰封（ice）或故障（fault）；已监测的样品此格留空或写“正常”", nil},
	{regexp.MustCompile(`^(".*") is not a number .*$`), "$1 不是数字（低于检出限的结果写作 <x 或 xL）", nil},
	{regexp.MustCompile(`^(".*"): (\S+) is not reported below a detection limit$`), "$1：$2 不按低于检出限报告", nil},
	{regexp.MustCompile(`^(".*"): a detection limit is above 0 .*$`), "$1：检出限应大于 0", nil},
	{regexp.MustCompile(`^(\S+) is negative$`), "$1 为负数", nil},
	{regexp.MustCompile(`^(\S+) is above (\S+), more than any instrument reports$`), "$1 超过 $2，超出仪器可报告的范围", nil},
	{regexp.MustCompile(`^has a value but the sample is marked (\S+) \(not monitored\)$`), "", func(m []string) string {
		return "样品标记为" + statusZh(m[1]) + "（未监测），却有数值"
	}},
	{regexp.MustCompile(`^unit (".*"): (\S+) is stored in (.+); convert the column$`), "", func(m []string) string {
		if m[3] == "no unit" {
			return "单位 " + m[1] + "：" + m[2] + " 无量纲，请换算该列"
		}
		return "单位 " + m[1] + "：" + m[2] + " 以 " + m[3] + " 记录，请换算该列"
	}},
	{regexp.MustCompile(`^unknown column.*$`), "未知的列：不是断面编码（section）、监测时间（sampled_at）、来源（source）、状态（status）或 GB 3838 项目", nil},
	{regexp.MustCompile(`^this section's sample at this time from this source is already stored with other values \((.*)\): record a correction instead$`), "", func(m []string) string {
		return "该断面此时间、此来源的样品已以其他数值存储（" + diffZh(m[1]) + "）：请改为提交更正"
	}},
	{regexp.MustCompile(`^this section's sample at this time from this source was withdrawn from assessment, with other values \((.*)\): .*$`), "", func(m []string) string {
		return "该断面此时间、此来源的样品已作废，数值不同（" + diffZh(m[1]) + "）：可通过更正恢复并改为新数值"
	}},
}

// ReasonZh is a row error's reason in Chinese, or "" if it has none.
func ReasonZh(reason string) string {
	for _, r := range reasonsZh {
		m := r.en.FindStringSubmatch(reason)
		switch {
		case m == nil:
		case r.zhf != nil:
			return r.zhf(m)
		default:
			return r.en.ReplaceAllString(reason, r.zh)
		}
	}
	return ""
}

// withZh fills in the Chinese of each error's reason.
func withZh(errs []RowError) []RowError {
	for i := range errs {
		errs[i].ReasonZh = ReasonZh(errs[i].Reason)
	}
	return errs
}

// statusZh is a sample's status in Chinese, as stations' files write it.
func statusZh(s string) string {
	switch Status(s) {
	case Measured:
		return "正常"
	case Dry:
		return "断流"
	case Ice:
		return "冰封"
	case Fault:
		return "故障"
	}
	return s
}

// The parts of how an upload's row differs from the sample stored
// (app's digestDiff): "TP stored 0.19, here 0.3; DO stored 6.2, here none".
var (
	diffStatusRE = regexp.MustCompile(`^status stored "(.*)", here "(.*)"$`)
	diffBelowRE  = regexp.MustCompile(`^(\S+) below the detection limit: stored (yes|no), here (yes|no)$`)
	diffValueRE  = regexp.MustCompile(`^(\S+) stored (\S+), here (\S+)$`)
)

// diffZh is how a row differs from the sample stored, in Chinese.
func diffZh(diff string) string {
	word := func(s string) string {
		switch s {
		case "none":
			return "无"
		case "yes":
			return "是"
		case "no":
			return "否"
		}
		return s
	}
	parts := strings.Split(diff, "; ")
	for i, p := range parts {
		if m := diffStatusRE.FindStringSubmatch(p); m != nil {
			parts[i] = "状态已存为" + statusZh(m[1]) + "，本行为" + statusZh(m[2])
		} else if m := diffBelowRE.FindStringSubmatch(p); m != nil {
			parts[i] = m[1] + " 低于检出限：已存为" + word(m[2]) + "，本行为" + word(m[3])
		} else if m := diffValueRE.FindStringSubmatch(p); m != nil {
			parts[i] = m[1] + " 已存 " + word(m[2]) + "，本行 " + word(m[3])
		}
	}
	return strings.Join(parts, "；")
}
