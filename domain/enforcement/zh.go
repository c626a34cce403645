package enforcement

import (
	"regexp"
	"strings"

	"github.com/shanxi-water/ledger/domain"
)

// The reasons an enforcement request is refused, in Chinese for the
// bureaus' officers: each English reason this package, app's enforcement
// and the API's checks of enforcement requests and city-limited tokens
// give, matched whole, and its Chinese with the same particulars, in the
// plan's terms. Where a particular is itself English (a finding, a
// measure, a card's colour or status), zhf gives the Chinese from the
// match in place of zh. A code a request may send (over_standard,
// document_no) is kept only in brackets after its Chinese. The reasons
// shared with the uploads' (missing, a text's faults) are
// monitoring.ReasonZh's: the API looks up both tables (api.reasonZh).
var reasonsZh = domain.ZhTable{
	// A unified social credit code (USCC.Validate) and a permit number.
	{EN: regexp.MustCompile(`^(".*"): a unified social credit code has 18 characters, not (\d+)$`), ZH: "$1：统一社会信用代码应为 18 位，不是 $2 位"},
	{EN: regexp.MustCompile(`^(".*"): write the code in capitals$`), ZH: "$1：统一社会信用代码中的字母应大写"},
	{EN: regexp.MustCompile(`^(".*"): character (\d+) ('.*') is not one of 0–9, A–Z without I, O, S, V, Z$`), ZH: "$1：第 $2 位 $3 不是数字 0–9 或大写字母（不含 I、O、S、V、Z）"},
	{EN: regexp.MustCompile(`^(".*"): characters 3–8 are the administrative division code, all digits$`), ZH: "$1：第 3–8 位为登记管理机关行政区划码，应全为数字"},
	{EN: regexp.MustCompile(`^(".*"): the check character ('.*') is not one of 0–9, A–Z without I, O, S, V, Z$`), ZH: "$1：校验码 $2 不是数字 0–9 或大写字母（不含 I、O、S、V、Z）"},
	{EN: regexp.MustCompile(`^(".*"): check character is (.), but the first 17 characters give (.) \(GB 32100-2015\): a typing error\?$`),
		ZH: "$1：校验码为 $2，但按前 17 位计算应为 $3（GB 32100-2015）：是否录入有误？"},
	{EN: regexp.MustCompile(`^(".*"): a permit number is 4 to 64 ASCII letters, digits and '-'$`), ZH: "$1：排污许可证编号应为 4 至 64 位英文字母、数字或“-”"},
	{EN: regexp.MustCompile(`^(".*"): write its letters in capitals \((\S+)\)$`), ZH: "$1：排污许可证编号中的字母应大写（$2）"},

	// Registering an enterprise (EnterpriseRegistered, DecideRegister,
	// app.RegisterEnterprise, the API's checks of the city and the token).
	{EN: regexp.MustCompile(`^missing: give the unified social credit code or, lacking one, the discharge permit number$`), ZH: "缺失：请填写统一社会信用代码；没有的，填写排污许可证编号"},
	{EN: regexp.MustCompile(`^(".*") is not one of Shanxi's 11 city codes$`), ZH: "$1 不是山西省 11 个设区市的代码"},
	{EN: regexp.MustCompile(`^missing: the city whose register the enterprise enters \(a code or a name\)$`), ZH: "缺失：企业登记所在的设区市（代码或名称）"},
	{EN: regexp.MustCompile(`^(".*") is not one of Shanxi's 11 cities \(a code or a name\)$`), ZH: "$1 不是山西省 11 个设区市之一（代码或名称）"},
	{EN: regexp.MustCompile(`^(\S+) is already registered \((.+), since (\S+)\)$`), ZH: "$1 已登记（$2，自 $3 起）"},
	{EN: regexp.MustCompile(`^permit number (\S+) is already registered, as enterprise (\S+) in (\S+)$`), F: func(m []string) string {
		return "排污许可证编号 " + m[1] + " 已登记，为 " + scopeZh(m[3]) + " 的企业 " + m[2]
	}},
	{EN: regexp.MustCompile(`^(\S+) is already registered in (\S+)$`), F: func(m []string) string { return m[1] + " 已在 " + scopeZh(m[2]) + " 登记" }},
	{EN: regexp.MustCompile(`^this token acts for (.+) only: (?:the province's own|(.+)'s) enforcement records are another bureau's$`), F: func(m []string) string {
		what := "省本级的"
		if m[2] != "" {
			what = m[2] + " 的"
		}
		return "本令牌仅限 " + m[1] + "：" + what + "执法记录属于其他执法部门"
	}},
	{EN: regexp.MustCompile(`^(\S+) was issued in (\S+) (\d+) \(division code (\d+), characters 3–8\): this token acts for (.+) only, and an enterprise of another bureau's city is that bureau's to register$`),
		ZH: "$1 由 $2 $3 赋码（第 3–8 位行政区划码 $4）：本令牌仅限 $5，其他设区市的企业由该市执法部门登记"},
	{EN: regexp.MustCompile(`^no enterprise (".*") as the ledger knew it on (\S+)$`), ZH: "截至 $2，台账中没有企业 $1"},
	{EN: regexp.MustCompile(`^no enterprise (".*")$`), ZH: "没有企业 $1（以统一社会信用代码或排污许可证编号查找）"},

	// Any action on an enterprise (Action, Enterprise's checks).
	{EN: regexp.MustCompile(`^role (\S+) may not record inspections or cards \(enforcement or admin\)$`), ZH: "角色 $1 无权记录检查或黄牌、红牌（仅限执法人员或管理员）"},
	{EN: regexp.MustCompile(`^missing: the date of the action$`), ZH: "缺失：该行为的日期"},
	{EN: regexp.MustCompile(`^(.+) was closed on (\S+) \((.+)\): nothing more is recorded on it but a late inspection report or a card's revocation on appeal$`),
		ZH: "$1 已于 $2 关闭（$3）：此后只能补录当时的检查报告，或经复议、诉讼撤销牌"},
	{EN: regexp.MustCompile(`^the enterprise is not registered$`), ZH: "该企业未登记"},
	{EN: regexp.MustCompile(`^(\S+) is before the enterprise's last card decision \((\S+)\): record card decisions in the order they were made$`),
		ZH: "$1 早于该企业上一项牌的决定（$2）：请按决定作出的先后顺序记录"},
	{EN: regexp.MustCompile(`^(.+) is already the number of a decision on this enterprise \(card (.+)\)$`), ZH: "$1 已是该企业一项决定的文号（牌 $2）"},
	{EN: regexp.MustCompile(`^(\S+) is before the enterprise came under supervision \((\S+)\)$`), ZH: "$1 早于该企业纳入监管之日（$2）"},

	// An inspection (Inspected.Validate, DecideInspection).
	{EN: regexp.MustCompile(`^missing: want \[.*\]$`), ZH: "缺失：检查结论应为达标（compliant）、超标排放（over_standard）或超总量（over_quota）"},
	{EN: regexp.MustCompile(`^unknown finding (".*"): want one of \[.*\]$`), ZH: "未知的检查结论 $1：应为达标（compliant）、超标排放（over_standard）或超总量（over_quota）"},
	{EN: regexp.MustCompile(`^(\w+) listed twice$`), F: func(m []string) string { return findingZh(m[1]) + "列出了两次" }},
	{EN: regexp.MustCompile(`^compliant together with an exceedance$`), ZH: "达标（compliant）不能与超标排放或超总量同时作为结论"},
	{EN: regexp.MustCompile(`^(\S+): want a number, not negative$`), ZH: "$1：应为不小于 0 的数"},
	{EN: regexp.MustCompile(`^(\S+): want a positive number$`), ZH: "$1：应为大于 0 的数"},
	{EN: regexp.MustCompile(`^(".*"): want "standard" or "quota"$`), ZH: "$1：应为排放标准（standard）或总量指标（quota）"},
	{EN: regexp.MustCompile(`^(.+) is over its (standard|quota) (\S+), but the findings do not say (\w+)$`), F: func(m []string) string {
		return "实测 " + m[1] + " 超过其" + basisZh(m[2]) + "限值 " + m[3] + "，但检查结论中没有" + findingZh(m[4])
	}},
	{EN: regexp.MustCompile(`^(\w+) without a measured value over its (standard|quota) limit: record the measurement$`), F: func(m []string) string {
		return "检查结论为" + findingZh(m[1]) + "，却没有超过" + basisZh(m[2]) + "限值的实测值：请记录监测数据（measurements）"
	}},
	{EN: regexp.MustCompile(`^(\S+) is after (.+) was closed on (\S+) \((.+)\): only what happened by then is recorded on it$`), ZH: "$1 晚于 $2 关闭之日 $3（$4）：只能记录关闭前发生的事项"},
	{EN: regexp.MustCompile(`^inspection (.+) is already recorded \(dated (\S+)\)$`), ZH: "文号为 $1 的检查已记录（日期 $2）"},
	{EN: regexp.MustCompile(`^no card (.+) on this enterprise to re-inspect \(a card is named by its document number, its document_no\)$`), ZH: "该企业没有文号为 $1 的牌可复查（card 填写黄牌或红牌决定的文号）"},
	{EN: regexp.MustCompile(`^(yellow|red) card (.+) is (\w+): a re-inspection checks a card in force$`), F: func(m []string) string {
		return colorZh(m[1]) + " " + m[2] + " 已" + statusZh(m[3]) + "：复查针对生效中的牌"
	}},
	{EN: regexp.MustCompile(`^(\S+) is before card (.+) was issued \((\S+)\)$`), ZH: "$1 早于牌 $2 的下达日期（$3）"},

	// A yellow card (YellowCardIssued, DecideYellowCard) and what every
	// card decision carries.
	{EN: regexp.MustCompile(`^missing: a (yellow|red) card orders one of \[.*\]$`), F: func(m []string) string {
		return "缺失：" + colorZh(m[1]) + "的措施应为" + measuresZh(Color(m[1]))
	}},
	{EN: regexp.MustCompile(`^(".*") is not a (yellow|red) card's measure: want one of \[.*\]$`), F: func(m []string) string {
		return m[1] + " 不是" + colorZh(m[2]) + "的措施：应为" + measuresZh(Color(m[2]))
	}},
	{EN: regexp.MustCompile(`^missing: a yellow card sets the day by which to rectify$`), ZH: "缺失：黄牌须规定整改期限"},
	{EN: regexp.MustCompile(`^missing: a yellow card rests on an inspection that found an exceedance$`), ZH: "缺失：黄牌须以发现超标的检查为依据（inspection 填写该检查记录的文号）"},
	{EN: regexp.MustCompile(`^(\S+) is not after the card's date (\S+)$`), ZH: "整改期限 $1 不晚于黄牌日期 $2"},
	{EN: regexp.MustCompile(`^the enterprise is already under (yellow|red) card (.+) \(in force since (\S+)\): lift it, or escalate a failed rectification to a red card$`), F: func(m []string) string {
		return "该企业已被处以" + colorZh(m[1]) + " " + m[2] + "（自 " + m[3] + " 起生效）：请先解除，或整改失败的升级为红牌"
	}},
	{EN: regexp.MustCompile(`^no inspection (.+) of this enterprise \(an inspection is named by its document number, its document_no\): .*$`),
		ZH: "该企业没有文号为 $1 的检查记录（inspection 填写检查记录的文号）：黄牌须以发现超过排放标准或总量指标的检查为依据"},
	{EN: regexp.MustCompile(`^inspection (.+) found the enterprise \[(.*)\]: a yellow card needs a finding over the discharge standard or the total quota$`), F: func(m []string) string {
		return "检查 " + m[1] + " 的结论为" + findingsZh(m[2]) + "：黄牌须以超过排放标准或总量指标的检查结论为依据"
	}},
	{EN: regexp.MustCompile(`^the card \((\S+)\) is dated before inspection (.+) \((\S+)\) it rests on$`), ZH: "黄牌日期（$1）早于其依据的检查 $2（$3）"},
	{EN: regexp.MustCompile(`^inspection (.+) is already the basis of yellow card (.+)$`), ZH: "检查 $1 已是黄牌 $2 的依据"},

	// A red card (RedCardIssued, DecideRedCard): most of its reasons say
	// first what a red card presupposes (redCardPre, which ReasonZh says
	// in Chinese in front), then what is wrong.
	{EN: regexp.MustCompile(`^missing: a red card presupposes a yellow card whose rectification failed$`), ZH: "缺失：红牌须以整改失败的黄牌为前提（yellow_card 填写该黄牌的文号）"},
	{EN: regexp.MustCompile(`^missing: name the re-inspection that found the yellow card's rectification failed$`), ZH: "缺失：请填写认定黄牌整改失败的复查的文号"},
	{EN: regexp.MustCompile(`^missing: a red card is for a serious case: say what makes it serious$`), ZH: "缺失：红牌适用于情节严重的情形，请说明情节严重之处"},
	{EN: regexp.MustCompile(`^the enterprise has no card (.+) \(a card is named by its document number, its document_no\)$`), ZH: "该企业没有文号为 $1 的牌（yellow_card 填写黄牌决定的文号）"},
	{EN: regexp.MustCompile(`^(.+) is a red card$`), ZH: "$1 是红牌"},
	{EN: regexp.MustCompile(`^yellow card (.+) was lifted on (\S+), the enterprise rectified$`), ZH: "黄牌 $1 已于 $2 解除，企业已整改"},
	{EN: regexp.MustCompile(`^yellow card (.+) was already escalated to red card (.+)$`), ZH: "黄牌 $1 已升级为红牌 $2"},
	{EN: regexp.MustCompile(`^yellow card (.+) was revoked on appeal \((.+)\)$`), ZH: "黄牌 $1 已经复议或诉讼撤销（$2）"},
	{EN: regexp.MustCompile(`^no re-inspection (.+) of this enterprise \(an inspection is named by its document number, its document_no\)$`), ZH: "该企业没有文号为 $1 的复查记录（reinspection 填写复查记录的文号）"},
	{EN: regexp.MustCompile(`^inspection (.+) is not a re-inspection of yellow card (.+)$`), ZH: "检查 $1 不是对黄牌 $2 的复查"},
	{EN: regexp.MustCompile(`^re-inspection (.+) found the enterprise compliant, rectified: lift the yellow card instead$`), ZH: "复查 $1 认定企业达标、已整改：应解除黄牌"},
	{EN: regexp.MustCompile(`^re-inspection (.+) \((\S+)\) is before the rectification deadline (\S+), when the enterprise still had time to rectify$`), ZH: "复查 $1（$2）早于整改期限 $3，企业仍在整改期内"},
	{EN: regexp.MustCompile(`^the red card \((\S+)\) is dated before re-inspection (.+) \((\S+)\)$`), ZH: "红牌日期（$1）早于复查 $2（$3）"},

	// Lifting and revoking a card (CardLifted, DecideLift, CardRevoked,
	// DecideRevoke).
	{EN: regexp.MustCompile(`^missing: a card is lifted on a re-inspection that found the enterprise rectified$`), ZH: "缺失：解除须以认定企业已整改的复查为依据（reinspection 填写复查记录的文号）"},
	{EN: regexp.MustCompile(`^no card (.+) on this enterprise \(a card is named by its document number, its document_no\)$`), ZH: "该企业没有文号为 $1 的牌（card 填写黄牌或红牌决定的文号）"},
	{EN: regexp.MustCompile(`^yellow card (.+) was escalated to red card (.+): lift the red card$`), ZH: "黄牌 $1 已升级为红牌 $2：请解除红牌"},
	{EN: regexp.MustCompile(`^(yellow|red) card (.+) is already (\w+)$`), F: func(m []string) string {
		return colorZh(m[1]) + " " + m[2] + " 已" + statusZh(m[3])
	}},
	{EN: regexp.MustCompile(`^red card (.+) closed the enterprise: a closure is not lifted, only revoked on appeal$`), ZH: "红牌 $1 责令企业关闭：关闭不能解除，只能经复议或诉讼撤销"},
	{EN: regexp.MustCompile(`^no re-inspection (.+) of this enterprise \(an inspection is named by its document number, its document_no\): .*$`),
		ZH: "该企业没有文号为 $1 的复查记录（reinspection 填写复查记录的文号）：解除须以认定企业已整改的复查为依据"},
	{EN: regexp.MustCompile(`^inspection (.+) is not a re-inspection of card (.+)$`), ZH: "检查 $1 不是对牌 $2 的复查"},
	{EN: regexp.MustCompile(`^re-inspection (.+) found the enterprise \[(.*)\]: not rectified, the card stays$`), F: func(m []string) string {
		return "复查 " + m[1] + " 的结论为" + findingsZh(m[2]) + "：未整改到位，不予解除"
	}},
	{EN: regexp.MustCompile(`^the lifting \((\S+)\) is dated before re-inspection (.+) \((\S+)\)$`), ZH: "解除日期（$1）早于复查 $2（$3）"},
	{EN: regexp.MustCompile(`^(yellow|red) card (.+) was already revoked on (\S+) \((.+)\)$`), F: func(m []string) string {
		return colorZh(m[1]) + " " + m[2] + " 已于 " + m[3] + " 撤销（" + m[4] + "）"
	}},
	{EN: regexp.MustCompile(`^yellow card (.+) was escalated to red card (.+): revoke the red card first$`), ZH: "黄牌 $1 已升级为红牌 $2：请先撤销红牌"},
	{EN: regexp.MustCompile(`^the revocation \((\S+)\) is dated before the card was issued \((\S+)\)$`), ZH: "撤销日期（$1）早于牌的下达日期（$2）"},
	{EN: regexp.MustCompile(`^the revocation \((\S+)\) is dated before the card was ended \((\S+), (.+)\)$`), ZH: "撤销日期（$1）早于牌的终止日期（$2，$3）"},

	// Closing an enterprise (DecideClose).
	{EN: regexp.MustCompile(`^(\S+) is before inspection (.+) \((\S+)\): an enterprise inspected then was not closed$`), ZH: "$1 早于检查 $2（$3）：当时接受检查的企业尚未关闭"},
	{EN: regexp.MustCompile(`^(\S+) is before the revocation of card (.+) \((\S+)\)$`), ZH: "$1 早于牌 $2 的撤销日期（$3）"},

	// A quarter's public list (DecidePublish, app.PublishedCardList, the
	// API's quarter).
	{EN: regexp.MustCompile(`^the (\d{4})Q(\d) list of (\S+) was already published \((.+), sha256 (\w+)\)$`), F: func(m []string) string {
		return scopeZh(m[3]) + " " + m[1] + " 年第 " + m[2] + " 季度的名单已公布（" + m[4] + "，SHA-256 " + m[5] + "）"
	}},
	{EN: regexp.MustCompile(`^(\d{4})Q(\d) ends on (\S+): its list is published after it$`), ZH: "$1 年第 $2 季度于 $3 结束：该季度的黄牌红牌名单在季度结束后公布"},
	{EN: regexp.MustCompile(`^(\d{4})Q(\d): the plan's public lists begin in (\d+)$`), ZH: "$1 年第 $2 季度：方案规定的公开名单自 $3 年开始"},
	{EN: regexp.MustCompile(`^no (\d{4})Q(\d) list of (\S+) has been published$`), F: func(m []string) string {
		return scopeZh(m[3]) + " " + m[1] + " 年第 " + m[2] + " 季度的名单尚未公布"
	}},
	{EN: regexp.MustCompile(`^quarter (".*"): want YYYYQn, e\.g\. 2019Q2$`), ZH: "季度 $1：应写作 YYYYQn，如 2019Q2"},
	{EN: regexp.MustCompile(`^quarter (".*"): quarter (\d+): want 1–4$`), ZH: "季度 $1：季度应为 1–4，不是 $2"},
	{EN: regexp.MustCompile(`^quarter (".*"): year (\d+): want 2000–2099$`), ZH: "季度 $1：年份应在 2000–2099 之间，不是 $2"},

	// The API's path of an action on an enterprise.
	{EN: regexp.MustCompile(`^(".*") is not inspections, yellow-cards, red-cards, lifts, revocations or closure$`),
		ZH: "$1 不是可记录的行为：应为检查（inspections）、黄牌（yellow-cards）、红牌（red-cards）、解除（lifts）、撤销（revocations）或关闭（closure）"},
}

// textFieldsZh names the free-text fields of enforcement records in
// Chinese (an index of a list as []): a text's fault (domain.TextZh:
// missing, too long, surrounding whitespace…) is given without its field,
// and said in Chinese with it.
var textFieldsZh = map[string]string{
	"name":                "企业名称",
	"industry":            "行业",
	"document_no":         "文号",
	"authority":           "机关",
	"inspection":          "检查记录文号",
	"card":                "牌的文号",
	"yellow_card":         "黄牌文号",
	"reinspection":        "复查记录文号",
	"grounds":             "情节严重的理由",
	"reason":              "原因",
	"note":                "备注",
	"measurements[].item": "实测项目",
	"measurements[].unit": "计量单位",
}

var indexRE = regexp.MustCompile(`\[\d+\]`)

// ErrorZh is the reason of an error of this package's operation op
// (enterprise.inspected…) in Chinese: a free-text field's fault with the
// field's name (文号（document_no）：缺失), any other reason as ReasonZh
// says it. It is "" for another package's operation's text fault, which
// this package cannot name.
func ErrorZh(op, field, reason string) string {
	own := strings.HasPrefix(op, "enterprise.") || strings.HasPrefix(op, "enterprise_code.") || strings.HasPrefix(op, "card_list.")
	if zh := domain.TextZh(reason); zh != "" && own {
		if name, ok := textFieldsZh[indexRE.ReplaceAllString(field, "[]")]; ok {
			return name + "（" + field + "）：" + zh
		}
	}
	return ReasonZh(reason)
}

// ReasonZh is an enforcement error's reason in Chinese, or "" if this
// table has none.
func ReasonZh(reason string) string {
	if rest, ok := strings.CutPrefix(reason, redCardPre+": "); ok {
		if zh := ReasonZh(rest); zh != "" {
			return "红牌须以整改失败的黄牌为前提：" + zh
		}
		return ""
	}
	return reasonsZh.Say(reason)
}

// redCardPre is what DecideRedCard says a red card presupposes, in front
// of why this one is refused.
const redCardPre = "a red card presupposes a yellow card whose rectification failed"

// findingZh is a finding in Chinese, its code in brackets.
func findingZh(f string) string {
	switch Finding(f) {
	case Compliant:
		return "达标（compliant）"
	case OverStandard:
		return "超标排放（over_standard）"
	case OverQuota:
		return "超总量（over_quota）"
	}
	return f
}

// findingsZh is a list of findings as %v writes it ("over_standard
// over_quota"), in Chinese.
func findingsZh(list string) string {
	fs := strings.Fields(list)
	for i, f := range fs {
		fs[i] = findingZh(f)
	}
	return strings.Join(fs, "、")
}

func basisZh(b string) string {
	if Basis(b) == Quota {
		return "总量指标"
	}
	return "排放标准"
}

func colorZh(c string) string {
	if Color(c) == Red {
		return "红牌"
	}
	return "黄牌"
}

func statusZh(s string) string {
	switch CardStatus(s) {
	case InForce:
		return "生效"
	case Lifted:
		return "解除"
	case Escalated:
		return "升级为红牌"
	case Revoked:
		return "撤销"
	case Closed:
		return "因企业关闭终止"
	}
	return s
}

var measureZh = map[Measure]string{
	LimitProduction:         "限制生产（limit_production）",
	SuspendForRectification: "停产整治（suspend_for_rectification）",
	SuspendBusiness:         "停业（suspend_business）",
	Close:                   "关闭（close）",
}

// measuresZh lists the measures a card of colour c orders, in Chinese.
func measuresZh(c Color) string {
	var out []string
	for _, m := range Measures[c] {
		out = append(out, measureZh[m])
	}
	return strings.Join(out, "或")
}

// scopeZh is a list's scope (a city code, or province) in Chinese.
func scopeZh(s string) string {
	if domain.Scope(s) == domain.Province {
		return "全省"
	}
	if c, ok := domain.LookupCity(domain.CityID(s)); ok {
		return c.Name + " " + s
	}
	return s
}
