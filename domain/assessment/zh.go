package assessment

import (
	"regexp"
	"strings"

	"github.com/shanxi-water/ledger/domain"
)

// The reasons the assessment team's own requests are refused, in Chinese
// for the team, who read the ledger in Chinese: publishing a year
// (ResultsPublished.Validate, app.Publish, app.Compute's nothing to
// assess) and imposing a consequence (ConsequenceImposed.Validate,
// Repeats, CanImpose, app.ImposeConsequence). Each English reason is
// matched whole, and said with the same particulars. A code a request may
// send (interview, incomplete) is kept in brackets after its Chinese.
var reasonsZh = domain.ZhTable{
	// Publishing a year.
	{EN: regexp.MustCompile(`^(\d+) outside 2016–2030$`), ZH: "$1 不在 2016–2030 年之间"},
	{EN: regexp.MustCompile(`^missing: which notice publishes the results\?$`), ZH: "缺失：公布考核结果的文件文号（document）"},
	{EN: regexp.MustCompile(`^(\d+) has not ended \(it ends (.+)\): a year's results are published after it$`), ZH: "$1 年度尚未结束（结束于 $2）：年度考核结果在年度结束后公布"},
	{EN: regexp.MustCompile(`^(\d+) was published on (\S+) \((.+)\); a publication stands once made$`), ZH: "$1 年度考核结果已于 $2 公布（$3）；已公布的结果不再变更"},
	{EN: regexp.MustCompile(`^no section has a target and data enough for a class in (\d+): there is nothing to assess yet$`),
		ZH: "$1 年没有既有考核目标、又有足以评价类别的监测数据的断面：尚无可评价的数据"},
	{EN: regexp.MustCompile(`^(\d+) of (\d+) cities lack data for (\d+): (.+); their results would be partly made of missing data, and a publication stands once made: .*$`),
		F: func(m []string) string {
			return m[3] + " 年 " + m[2] + " 个城市中有 " + m[1] + " 个缺少数据：" + gapsZh(m[4]) +
				"；其结果将部分由缺失数据构成，而考核结果一经公布不再变更：请待数据齐全后公布，或声明明知数据不完整而公布（\"incomplete\": true；ledger publish --incomplete），公布时将予以记录"
		}},

	// Computing a year (InForce).
	{EN: regexp.MustCompile(`^no assessment rules in force for (\d+): adopt rules first$`), ZH: "$1 年没有施行中的考核办法：请先采用考核办法（POST /api/assessment/rules）"},

	// Imposing a consequence.
	{EN: regexp.MustCompile(`^(".*") is not interview, restriction or rectification$`), ZH: "$1 不是约谈（interview）、区域限批（restriction）或整改（rectification）"},
	{EN: regexp.MustCompile(`^missing: every action carries its document number$`), ZH: "缺失：每项考核结果运用措施都须有文号（document）"},
	{EN: regexp.MustCompile(`^an interview has no area, period or deadline \(those are a restriction's or a rectification's\)$`),
		ZH: "约谈不设区域、期间或整改期限（区域和期间属于区域限批，整改期限属于整改）"},
	{EN: regexp.MustCompile(`^missing: which area is restricted\?$`), ZH: "缺失：限批的区域（area）"},
	{EN: regexp.MustCompile(`^missing: a restriction needs a period, from and to$`), ZH: "缺失：区域限批须有起止日期（from、to）"},
	{EN: regexp.MustCompile(`^(\S+) is not after from \((\S+)\)$`), ZH: "结束日期 $1 不晚于开始日期（$2）"},
	{EN: regexp.MustCompile(`^missing: by when must it be rectified\?$`), ZH: "缺失：整改期限（deadline）"},
	{EN: regexp.MustCompile(`^the year's results are not published yet$`), ZH: "该年度考核结果尚未公布：考核结果运用须在公布之后"},
	{EN: regexp.MustCompile(`^(\d+) has no published result$`), F: func(m []string) string { return cityZh(m[1]) + " 没有公布的考核结果" }},
	{EN: regexp.MustCompile(`^(\d+) was graded (\S+) \(\w+\) in (\d+): consequences follow 不合格 only$`), F: func(m []string) string {
		return cityZh(m[1]) + " " + m[3] + " 年度考核等级为" + m[2] + "：约谈、区域限批、整改仅适用于考核不合格的城市"
	}},
	{EN: regexp.MustCompile(`^(.+) is before the year's results were published \((.+), (.+)\)$`), ZH: "$1 早于该年度考核结果公布之时（$2，$3）"},
	{EN: regexp.MustCompile(`^(\S+) is not after the day it is imposed \((\S+)\)$`), ZH: "整改期限 $1 不晚于作出整改决定之日（$2）"},
	{EN: regexp.MustCompile(`^` + period + ` is before the day the restriction is imposed \((\S+)\): it would be over before it began$`),
		ZH: "限批期限止于 $1，早于作出限批之日（$2）：限批尚未开始即已结束"},
	{EN: regexp.MustCompile(`^(\S+) is before the day the restriction is imposed \((\S+)\)$`), ZH: "限批开始日期 $1 早于作出限批之日（$2）"},
	{EN: regexp.MustCompile(`^this (\w+) under (.+) is recorded already \(position (\d+)\)$`), F: func(m []string) string {
		return "文号为 " + m[2] + " 的" + consequenceZh(m[1]) + "已记录（位置 " + m[3] + "）"
	}},
	{EN: regexp.MustCompile(`^the city-year's interview is recorded already \((.+)\): one interview for a failed year \(position (\d+)\)$`),
		ZH: "该城市该年度的约谈已记录（$1）：一个不合格年度约谈一次（位置 $2）"},
	{EN: regexp.MustCompile(`^the city-year's rectification order is recorded already \((.+), deadline (\S+)\): one order for a failed year \(position (\d+)\)$`),
		ZH: "该城市该年度的整改决定已记录（$1，整改期限 $2）：一个不合格年度下达一次整改决定（位置 $3）"},
	{EN: regexp.MustCompile(`^the city-year's rectification order is recorded already \((.+)\): one order for a failed year \(position (\d+)\)$`),
		ZH: "该城市该年度的整改决定已记录（$1）：一个不合格年度下达一次整改决定（位置 $2）"},
	{EN: regexp.MustCompile(`^(.+) is restricted already from ` + period + ` to ` + period + `( inclusive)? \((.+)\) \(position (\d+)\)$`), F: func(m []string) string {
		return m[1] + " 已被限批，期间 " + periodZh(m[2], m[3], m[4] != "") + "（" + m[5] + "）：同一区域的限批期间不得重叠（位置 " + m[6] + "）"
	}},
}

// period matches a restriction's end as PeriodStart and PeriodEnd write it:
// a date, or a time to the minute or the second.
const period = `(\d{4}-\d\d-\d\d(?: \d\d:\d\d(?::\d\d)?)?)`

// periodZh is a restriction's period in Chinese, as the city's page says it
// (2020-07-01 至 2021-06-30（含当日）).
func periodZh(from, to string, through bool) string {
	s := from + " 至 " + to
	if through {
		s += "（含当日）"
	}
	return s
}

// textFieldsZh names a consequence's and a publication's text fields in
// Chinese, for a text's fault (domain.TextZh: missing, too long…).
var textFieldsZh = map[string]string{
	"document":  "文号",
	"authority": "作出决定的机关",
	"area":      "限批区域",
	"note":      "备注",
}

// ErrorZh is the reason of an error of an assessment operation
// (assessment.results_published, assessment.consequence_imposed, assess)
// in Chinese: a text field's fault with the field's name, any other reason
// as the table says it; "" for another package's operation or a reason the
// table lacks.
func ErrorZh(op, field, reason string) string {
	if op != "assess" && op != "assessment" && !strings.HasPrefix(op, "assessment.") {
		return ""
	}
	if zh := domain.TextZh(reason); zh != "" {
		if name, ok := textFieldsZh[field]; ok {
			return name + "（" + field + "）：" + zh
		}
	}
	return reasonsZh.Say(reason)
}

func cityZh(code string) string {
	if c, ok := domain.LookupCity(domain.CityID(code)); ok {
		return c.Name
	}
	return code
}

func consequenceZh(kind string) string {
	switch Consequence(kind) {
	case Interview:
		return "约谈"
	case Restriction:
		return "区域限批"
	case Rectification:
		return "整改决定"
	}
	return kind
}

// gapPhrasesZh say DataGap.Text's English phrases in Chinese.
var gapPhrasesZh = domain.ZhTable{
	{EN: regexp.MustCompile(`^no section registered$`), ZH: "无登记断面"},
	{EN: regexp.MustCompile(`^none of its 1 section with data enough for a class$`), ZH: "其断面无足够数据定类"},
	{EN: regexp.MustCompile(`^none of its (\d+) sections with data enough for a class$`), ZH: "$1 个断面均无足够数据定类"},
	{EN: regexp.MustCompile(`^(\d+) groundwater points? not graded$`), ZH: "$1 个地下水点位未评级"},
	{EN: regexp.MustCompile(`^(\d+) black-odorous water bod(?:y|ies) not inspected in the year$`), ZH: "$1 个黑臭水体年内未监测"},
	{EN: regexp.MustCompile(`^(\d+) drinking-water sources? not sampled in the year$`), ZH: "$1 个饮用水水源地年内无样品"},
}

var gapRE = regexp.MustCompile(`^(\S+) \((.+)\)$`)

// gapsZh says a list of DataGap.Text's English ("Jinzhong (2 groundwater
// points not graded); …") in Chinese, as DataGap.Text's Chinese says it;
// a part it cannot read is kept as it is.
func gapsZh(list string) string {
	items := strings.Split(list, "; ")
	for i, it := range items {
		m := gapRE.FindStringSubmatch(it)
		if m == nil {
			continue
		}
		name := m[1]
		if c, ok := domain.FindCity(name); ok {
			name = c.Name
		}
		phrases := strings.Split(m[2], ", ")
		for j, p := range phrases {
			if zh := gapPhrasesZh.Say(p); zh != "" {
				phrases[j] = zh
			}
		}
		items[i] = name + "（" + strings.Join(phrases, "，") + "）"
	}
	return strings.Join(items, "；")
}
