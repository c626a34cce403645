package monitoring

import "regexp"

// The reasons an upload's rows are refused, in Chinese for the stations'
// staff: each English reason the parser and the import give, matched
// whole, and its Chinese with the same particulars.
var reasonsZh = []struct {
	en *regexp.Regexp
	zh string
}{
	{regexp.MustCompile(`^missing$`), "缺失"},
	{regexp.MustCompile(`^named twice$`), "列名重复"},
	{regexp.MustCompile(`^required column missing$`), "缺少必需的列"},
	{regexp.MustCompile(`^no item columns .*$`), "没有监测项目列（pH、溶解氧、高锰酸盐指数、氨氮、总磷……）"},
	{regexp.MustCompile(`^no values: .*$`), "没有数值：至少填写一个项目，或填写状态（断流、冰封、故障）"},
	{regexp.MustCompile(`^not valid CSV: (.*)$`), "不是有效的 CSV：$1"},
	{regexp.MustCompile(`^(\d+) cells, the header names (\d+)$`), "本行 $1 格，表头有 $2 列"},
	{regexp.MustCompile(`^(".*") is in a column with no name$`), "$1 位于没有列名的列中"},
	{regexp.MustCompile(`^repeats line (\d+) \(same section, time and source\)$`), "与第 $1 行重复（断面、时间、来源相同）"},
	{regexp.MustCompile(`^the same item as column (.+)$`), "与列 $1 为同一项目"},
	{regexp.MustCompile(`^(.+) is before 2010$`), "$1 早于 2010 年"},
	{regexp.MustCompile(`^(.+) is in the future$`), "$1 晚于当前时间"},
	{regexp.MustCompile(`^(".*") is not a time .*$`), "$1 不是时间（如 2019-03-01 08：00 或 2019/3/1 8：00，山西时间;或 RFC 3339）"},
	{regexp.MustCompile(`^(".*") is the name of (.+), not of (.+)$`), "$1 是 $2 的名称，不是 $3 的"},
	{regexp.MustCompile(`^unknown section (".*"): not the name of .*$`), "未登记的断面 $1：不是已登记断面的名称，或有多个断面同名"},
	{regexp.MustCompile(`^unknown section (".*"): not the code of .*$`), "未登记的断面 $1：不是已登记断面的编码"},
	{regexp.MustCompile(`^(".*") is not "auto" or "manual" .*$`), "$1 不是 auto（自动）或 manual（手工）"},
	{regexp.MustCompile(`^(".*") is not one of dry, ice, fault .*$`), "$1 不是 dry（断流）、ice（冰封）或 fault（故障）"},
	{regexp.MustCompile(`^(".*") is not a number .*$`), "$1 不是数字（低于检出限的结果写作 <x 或 xL）"},
	{regexp.MustCompile(`^(".*"): (\S+) is not reported below a detection limit$`), "$1：$2 不按低于检出限报告"},
	{regexp.MustCompile(`^(".*"): a detection limit is above 0 .*$`), "$1：检出限应大于 0"},
	{regexp.MustCompile(`^(\S+) is negative$`), "$1 为负数"},
	{regexp.MustCompile(`^(\S+) is above (\S+), more than any instrument reports$`), "$1 超过 $2，超出仪器可报告的范围"},
	{regexp.MustCompile(`^has a value but the sample is marked (\S+) \(not monitored\)$`), "样品标记为 $1（未监测），却有数值"},
	{regexp.MustCompile(`^unit (".*"): (\S+) is stored in (.+); convert the column$`), "单位 $1：$2 以 $3 记录，请换算该列"},
	{regexp.MustCompile(`^unknown column.*$`), "未知的列：不是 section、sampled_at、source、status 或 GB 3838 项目"},
	{regexp.MustCompile(`^this section's sample at this time from this source is already stored with other values \((.*)\): record a correction instead$`), "该断面此时间、此来源的样品已以其他数值存储（$1）：请改为提交更正"},
	{regexp.MustCompile(`^this section's sample at this time from this source was withdrawn from assessment, with other values \((.*)\): .*$`), "该断面此时间、此来源的样品已作废，数值不同（$1）：可通过更正恢复并改为新数值"},
}

// ReasonZh is a row error's reason in Chinese, or "" if it has none.
func ReasonZh(reason string) string {
	for _, r := range reasonsZh {
		if r.en.MatchString(reason) {
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
