package monitoring

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/water"
)

// The reasons an upload's rows are refused, and an upload or a correction
// as a whole, in Chinese for the stations' staff: each English reason the
// parser, the import and the API give, matched whole, and its Chinese
// with the same particulars. Where a particular is
// itself English (a status, how a stored sample differs), zhf gives the
// Chinese from the match in place of zh. A code a station may type in its
// file (dry, auto, sampled_at) is kept only in brackets after its Chinese.
var reasonsZh = domain.ZhTable{
	{EN: regexp.MustCompile(`^missing$`), ZH: "缺失"},
	{EN: regexp.MustCompile(`^named twice$`), ZH: "列名重复"},
	{EN: regexp.MustCompile(`^required column missing: (section|sampled_at|source) \(.*\)$`), F: func(m []string) string {
		zh := requiredNames[m[1]]
		say := "缺少必需的列：" + zh[0] + "（" + m[1] + "），列名也可为 " + zh[1]
		if m[1] == colSection {
			say += "；或以断面名称列代替"
		}
		return say
	}},
	{EN: regexp.MustCompile(`^no item columns .*$`), ZH: "没有监测项目列（pH、溶解氧、高锰酸盐指数、氨氮、总磷……）"},
	{EN: regexp.MustCompile(`^no values: .*$`), ZH: "没有数值：至少填写一个项目，或填写状态（断流、冰封、故障）"},
	{EN: regexp.MustCompile(`^not valid CSV: (.*)$`), ZH: "不是有效的 CSV：$1"},
	{EN: regexp.MustCompile(`^(\d+) cells, the header names (\d+)$`), ZH: "本行 $1 格，表头有 $2 列"},
	{EN: regexp.MustCompile(`^(".*") is in a column with no name$`), ZH: "$1 位于没有列名的列中"},
	{EN: regexp.MustCompile(`^repeats line (\d+) \(same section, time and source\)$`), ZH: "与第 $1 行重复（断面、时间、来源相同）"},
	{EN: regexp.MustCompile(`^the same item as column (.+)$`), ZH: "与列 $1 为同一项目"},
	{EN: regexp.MustCompile(`^(.+) is before 2010$`), ZH: "$1 早于 2010 年"},
	{EN: regexp.MustCompile(`^(.+) is in the future$`), ZH: "$1 晚于当前时间"},
	{EN: regexp.MustCompile(`^(".*") is not a time .*$`), ZH: "$1 不是时间（如 2019-03-01 08:00 或 2019/3/1 8:00，山西时间；或 RFC 3339）"},
	{EN: regexp.MustCompile(`^(".*") has a fraction of a second: .*$`), ZH: "$1 含不足一秒的部分：样品时间精确到秒"},
	{EN: regexp.MustCompile(`^(".*") is the name of (.+), not of (.+)$`), ZH: "$1 是 $2 的名称，不是 $3 的"},
	{EN: regexp.MustCompile(`^unknown section (".*"): not the name of .*$`), ZH: "未登记的断面 $1：不是已登记断面的名称"},
	{EN: regexp.MustCompile(`^(".*") is the name of (\d+) sections \((.+)\): give the section's code \(断面编码\)$`), ZH: "$1 是 $2 个断面的名称（$3）：请填写断面编码"},
	{EN: regexp.MustCompile(`^unknown section (".*"): not the code of .*$`), ZH: "未登记的断面 $1：不是已登记断面的编码"},
	{EN: regexp.MustCompile(`^(\S+) is not one of this station's sections: an upload naming one is refused whole, partial or not$`), ZH: "$1 不是本站的断面：文件中有他站断面的行，整个文件不予存储（部分导入也不例外）"},
	{EN: regexp.MustCompile(`^(".*") is not "auto" or "manual"( .*)?$`), ZH: "$1 不是自动（auto）或手工（manual）"},
	{EN: regexp.MustCompile(`^(".*") is not one of dry, ice, fault .*$`), ZH: "$1 不是断流（dry）、冰封（ice）或故障（fault）；已监测的样品此格留空或写“正常”"},
	{EN: regexp.MustCompile(`^(".*") is not a number .*$`), ZH: "$1 不是数字（低于检出限的结果写作 <x 或 xL）"},
	// A value's faults name its item (CheckValue, CheckBelowLimit), in
	// Chinese by itemZh: a reason is often read without its field or
	// column (a message_zh, a row's reason_zh).
	{EN: regexp.MustCompile(`^(".*"): (\S+) is not reported below a detection limit$`), F: func(m []string) string {
		return m[1] + "：" + itemZh(m[2]) + "不按低于检出限报告"
	}},
	{EN: regexp.MustCompile(`^(".*"): a detection limit is above 0 \((\S+): \S+\)$`), F: func(m []string) string {
		return m[1] + "：" + itemZh(m[2]) + "的检出限应大于 0"
	}},
	{EN: regexp.MustCompile(`^(\S+) (\S+) is negative$`), F: func(m []string) string {
		return itemZh(m[1]) + "为 " + m[2] + "，不能为负数"
	}},
	{EN: regexp.MustCompile(`^(\S+) (\S+) is above (\S+), more than any instrument reports$`), F: func(m []string) string {
		return itemZh(m[1]) + "为 " + m[2] + "，超过 " + m[3] + "，超出仪器可报告的范围"
	}},
	{EN: regexp.MustCompile(`^(\S+) is negative$`), ZH: "$1 为负数"}, // not an item's (an assessment rule's points)
	{EN: regexp.MustCompile(`^has a value but the sample is marked (\S+) \(not monitored\)$`), F: func(m []string) string {
		return "样品标记为" + statusZh(m[1]) + "（未监测），却有数值"
	}},
	{EN: regexp.MustCompile(`^unit (".*"): (\S+) is stored in (.+); convert the column$`), F: func(m []string) string {
		if m[3] == "no unit" {
			return "单位 " + m[1] + "：" + m[2] + " 无量纲，请换算该列"
		}
		return "单位 " + m[1] + "：" + m[2] + " 以 " + m[3] + " 记录，请换算该列"
	}},
	{EN: regexp.MustCompile(`^unknown column.*$`), ZH: "未知的列：不是断面编码（section）、监测时间（sampled_at）、来源（source）、状态（status）或 GB 3838 项目"},
	{EN: regexp.MustCompile(`^this section's sample at this time from this source is already stored with other values \((.*)\): record a correction instead$`), F: func(m []string) string {
		return "该断面此时间、此来源的样品已以其他数值存储（" + diffZh(m[1]) + "）：请改为提交更正"
	}},
	{EN: regexp.MustCompile(`^this section's sample at this time from this source was withdrawn from assessment, with other values \((.*)\): .*$`), F: func(m []string) string {
		return "该断面此时间、此来源的样品已作废，数值不同（" + diffZh(m[1]) + "）：可通过更正恢复并改为新数值"
	}},

	// Not of a row: the file's (ParseCSV, app.ImportSamples), the
	// upload request's, and the summary of a file refused for its rows
	// (app.ImportError's, before its list).
	{EN: regexp.MustCompile(`^cannot be read: (.*)$`), ZH: "无法读取：$1"},
	{EN: regexp.MustCompile(`^not valid UTF-16: (.*)$`), ZH: "不是有效的 UTF-16 文本：$1"},
	{EN: regexp.MustCompile(`^neither UTF-8, UTF-16 nor GB18030 \(GBK\): .*$`), ZH: "编码既不是 UTF-8、UTF-16，也不是 GB18030（GBK）：请另存为“CSV UTF-8”"},
	{EN: regexp.MustCompile(`^its last line has no line break: .*$`), ZH: "最后一行没有换行符：文件可能在传输中被截断；未存储任何数据（请重新发送，或在最后一行末尾换行）"},
	{EN: regexp.MustCompile(`^empty: the first line must name the columns$`), ZH: "文件为空：第一行应为列名"},
	{EN: regexp.MustCompile(`^line 1: (.*)$`), ZH: "第 1 行（表头）不是有效的 CSV：$1"},
	{EN: regexp.MustCompile(`^more than (\d+) rows: split the upload$`), ZH: "超过 $1 行：请分批上传"},
	{EN: regexp.MustCompile(`^larger than (\d+) MB: split the upload .*$`), ZH: "大于 $1 MB：请分批上传（按季度或按断面）；未存储任何数据"},
	{EN: regexp.MustCompile(`^the file's name (".*"): ` + domain.TextFaults + `$`), F: func(m []string) string {
		return "文件名 " + m[1] + "：" + domain.TextZh(m[2])
	}},
	{EN: regexp.MustCompile(`^` + domain.TextFaults + `$`), F: func(m []string) string { return domain.TextZh(m[1]) }},
	{EN: regexp.MustCompile(`^(\S+): send the file itself as the body, as text/csv \((.*)\)$`), ZH: "$1：请直接以文件本身作为请求体发送，类型为 text/csv（$2）"},
	{EN: regexp.MustCompile(`^(".*") is not true or false$`), ZH: "$1 不是 true 或 false"},
	{EN: regexp.MustCompile(`^the header \(line 1\) rejected \((\d+) errors?\), nothing stored$`), ZH: "表头（第 1 行）有误（$1 处错误），未存储任何数据"},
	{EN: regexp.MustCompile(`^at least (\d+) rows? rejected \((\d+) errors?\), nothing stored: more than (\d+) errors \((\d+) more not listed\): .*$`),
		ZH: "至少 $1 行被拒（$2 处错误），未存储任何数据：错误超过 $3 处（另有 $4 处未列出），文件本身有问题；请先改正列出的错误再重新上传"},
	{EN: regexp.MustCompile(`^(\d+) rows? rejected \((\d+) errors?\), nothing stored$`), ZH: "$1 行被拒（$2 处错误），未存储任何数据"},
	{EN: regexp.MustCompile(`^(at least )?(\d+) rows? rejected \((\d+) errors?\), nothing stored: this station's token may not upload samples for (.+?)(?: and (\d+) more)?$`), F: func(m []string) string {
		zh := m[2] + " 行被拒（" + m[3] + " 处错误），未存储任何数据：本站令牌无权上传他站断面的样品（" + strings.ReplaceAll(m[4], ", ", "、")
		if m[1] != "" {
			zh = "至少 " + zh
		}
		if m[5] != "" {
			zh += "，另有 " + m[5] + " 个"
		}
		return zh + "）"
	}},

	// A correction's or a withdrawal's (app.CorrectSample, InvalidateSample,
	// Sample.Amend and Validate, the API's checks of what it names).
	{EN: regexp.MustCompile(`^no section (".*")$`), ZH: "没有断面 $1"},
	{EN: regexp.MustCompile(`^(\S+) is not one of this station's (sections|sites) \(its token names (.*)\)$`), F: func(m []string) string {
		what := "断面"
		if m[2] == "sites" {
			what = "监测点位"
		}
		return m[1] + " 不是本站的" + what + "（本站令牌所列：" + strings.ReplaceAll(m[3], ", ", "、") + "）"
	}},
	{EN: regexp.MustCompile(`^(.+) is not registered$`), ZH: "$1 未登记"},
	{EN: regexp.MustCompile(`^missing: the time the sample was taken$`), ZH: "缺失：样品的采样时间"},
	{EN: regexp.MustCompile(`^missing: why is the sample corrected or withdrawn\?$`), ZH: "缺失：请说明更正或作废该样品的原因"},
	{EN: regexp.MustCompile(`^no (\w+) sample at (.+)$`), F: func(m []string) string {
		return m[2] + " 没有" + sourceZh(m[1]) + "样品"
	}},
	{EN: regexp.MustCompile(`^the (\w+) sample at (.+) already has these values: nothing to correct$`), F: func(m []string) string {
		return m[2] + " 的" + sourceZh(m[1]) + "样品已是这些数值：无需更正"
	}},
	{EN: regexp.MustCompile(`^the (\w+) sample at (.+) is already withdrawn \((.*)\); a correction brings it back$`), F: func(m []string) string {
		return m[2] + " 的" + sourceZh(m[1]) + "样品已作废（" + m[3] + "）；可通过更正恢复"
	}},
	{EN: regexp.MustCompile(`^a sample not monitored \((\w+)\) has no values to give or remove$`), F: func(m []string) string {
		return "未监测（" + statusZh(m[1]) + "）的样品没有可填写或删除的数值"
	}},
	{EN: regexp.MustCompile(`^a sample not monitored \((\w+)\) has no values$`), F: func(m []string) string {
		return "未监测（" + statusZh(m[1]) + "）的样品不应有数值"
	}},
	{EN: regexp.MustCompile(`^a measured sample needs at least one value .*$`), ZH: "已监测的样品至少需要一个数值（或填写状态：断流、冰封、故障）"},
	{EN: regexp.MustCompile(`^(\S+) is flagged below the detection limit (?:without its value|but has no value) \(the limit\)$`), F: func(m []string) string {
		return itemZh(m[1]) + "标为低于检出限，却没有数值（检出限）"
	}},
	{EN: regexp.MustCompile(`^(\S+) is both given and removed$`), ZH: "$1 既给出又删除"},
	{EN: regexp.MustCompile(`^(\S+) is not among the sample's values$`), ZH: "$1 不在该样品的数值中"},
	{EN: regexp.MustCompile(`^(\S+) is given twice, under two names$`), ZH: "$1 以两个名称给出了两次"},
	{EN: regexp.MustCompile(`^unknown item (".*")$`), ZH: "未知的项目 $1"},
	{EN: regexp.MustCompile(`^(".*"): write the item's code, (\S+)$`), ZH: "$1：请填写项目编码 $2"},
	{EN: regexp.MustCompile(`^not a number$`), ZH: "不是数字"},
	{EN: regexp.MustCompile(`^(\S+) is not a number$`), F: func(m []string) string { return itemZh(m[1]) + "不是数字" }},
	{EN: regexp.MustCompile(`^(\S+) is not reported below a detection limit$`), F: func(m []string) string {
		return itemZh(m[1]) + "不按低于检出限报告"
	}},
	{EN: regexp.MustCompile(`^a detection limit is above 0 \((\S+): (\S+)\)$`), F: func(m []string) string {
		return itemZh(m[1]) + "的检出限应大于 0（此处为 " + m[2] + "）"
	}},
	{EN: regexp.MustCompile(`^(".*") is not an RFC 3339 time \(e\.g\. (\S+)\)$`), ZH: "$1 不是 RFC 3339 时间（如 $2）"},
	{EN: regexp.MustCompile(`^unknown field \(see the request's schema in (\S+)\)$`), ZH: "未知字段（请求格式见 $1）"},
	{EN: regexp.MustCompile(`^not valid JSON for this request: (.*)$`), ZH: "不是本请求的有效 JSON：$1"},
	{EN: regexp.MustCompile(`^not valid UTF-8 \(byte (\d+)\): a request body is JSON in UTF-8$`), ZH: "不是有效的 UTF-8 文本（第 $1 字节）：请求体应为 UTF-8 编码的 JSON"},
	{EN: regexp.MustCompile(`^a \\u escape at byte (\d+) is half a surrogate pair, not a character$`), ZH: "第 $1 字节处的 \\u 转义只是代理对的一半，不是一个字符"},
}

// ReasonZh is a row error's reason in Chinese, or "" if it has none.
func ReasonZh(reason string) string {
	return reasonsZh.Say(reason)
}

// Zh is the error's reason in Chinese: its ReasonZh, or the table's for
// its reason where it lacks one (a server's answer may); "" if neither.
func (e RowError) Zh() string {
	if e.ReasonZh != "" {
		return e.ReasonZh
	}
	return ReasonZh(e.Reason)
}

// ErrorZh is Error in Chinese (第 2 行，DO 列：…), or "" if the reason
// has no Chinese.
func (e RowError) ErrorZh() string {
	zh := e.Zh()
	switch {
	case zh == "":
		return ""
	case e.Column == "":
		return fmt.Sprintf("第 %d 行：%s", e.Line, zh)
	}
	return fmt.Sprintf("第 %d 行，%s 列：%s", e.Line, e.Column, zh)
}

// WithZh fills in the Chinese of each error's reason (the parser's, and
// those an import adds: rows stored before with other values).
func WithZh(errs []RowError) []RowError {
	for i := range errs {
		errs[i].ReasonZh = ReasonZh(errs[i].Reason)
	}
	return errs
}

// itemZh names an item, given by its code, in Chinese: its name in GB
// 3838 with the code stations' files and requests write in brackets
// (化学需氧量（COD）), or the name alone where it holds the code (pH值).
// A code of no item is itself, followed by a space.
func itemZh(code string) string {
	info, ok := water.LookupItem(code)
	switch {
	case !ok:
		return code + " "
	case strings.Contains(info.NameZh, string(info.Item)):
		return info.NameZh
	}
	return info.NameZh + "（" + string(info.Item) + "）"
}

// sourceZh is a sample's source in Chinese, as stations' files write it.
func sourceZh(s string) string {
	switch Source(s) {
	case Auto:
		return "自动"
	case Manual:
		return "手工"
	}
	return s
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
