package api_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/api"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/enforcement"
)

// The enforcement errors a city bureau's officer meets are said in Chinese
// (message_zh), by the table of domain/enforcement the API looks up with
// the uploads' one: each produced here through the request that gives it,
// with its particulars and in the plan's terms, no English left but the
// codes and fields in brackets. None records anything.
func TestEnforcementErrorsInChinese(t *testing.T) {
	f := setup(t)
	usccOf := func(first17 string) string {
		check, err := enforcement.USCCCheck(first17)
		require.NoError(t, err)
		return first17 + string(check)
	}
	carded := f.yellowCarded(t, "91140800MA0K9XRE6", "运城市某印染有限公司", "140800", "运城市环境保护局",
		"运环监〔2019〕11号", "2019-03-20", "运环罚〔2019〕5号", "2019-03-25", "2019-06-30")
	plain := usccOf("91140802MA0K9XRF7") // 盐湖区, 运城: registered, not inspected
	code, b := f.do("POST", "/api/enterprises?date=2019-03-01", domain.Enforcement, `{"name":"运城市某焦化有限公司","uscc":"`+plain+`","city":"140800","industry":"焦化"}`, "application/json")
	require.Equal(t, 201, code, string(b))
	code, b = f.do("POST", "/api/tokens", domain.Admin, `{"person":"ty-inspector","role":"enforcement","cities":["太原"]}`, "application/json")
	require.Equal(t, 201, code, string(b))
	var created api.TokenCreated
	require.NoError(t, json.Unmarshal(b, &created))
	taiyuan := domain.Role("taiyuan-bureau") // the fixture's key for this token
	f.tokens[taiyuan] = created.Token
	ty := usccOf("91140100MA0K9XRD5")

	// A check character off by one: the one the first 17 give, and another.
	good := usccOf("91140100MA0K9XRG8")
	bad := good[:17] + map[bool]string{true: "1", false: "0"}[good[17] == '0']

	const ent = "/api/enterprises"
	for _, tc := range []struct {
		name, path string
		role       domain.Role
		body       string
		status     int
		field, zh  string
	}{
		{"a credit code's check character", ent + "?date=2019-03-01", domain.Enforcement, `{"name":"太原市某化工有限公司","uscc":"` + bad + `","city":"140100","industry":"化工"}`, 400, "uscc",
			`"` + bad + `"：校验码为 ` + bad[17:] + `，但按前 17 位计算应为 ` + good[17:] + `（GB 32100-2015）：是否录入有误？`},
		{"a credit code of 17 characters", ent + "?date=2019-03-01", domain.Enforcement, `{"name":"太原市某化工有限公司","uscc":"` + good[:17] + `","city":"140100","industry":"化工"}`, 400, "uscc",
			`"` + good[:17] + `"：统一社会信用代码应为 18 位，不是 17 位`},
		{"neither code nor permit", ent + "?date=2019-03-01", domain.Enforcement, `{"name":"太原市某化工有限公司","city":"140100","industry":"化工"}`, 400, "uscc",
			"缺失：请填写统一社会信用代码；没有的，填写排污许可证编号"},
		{"a permit number in small letters", ent + "?date=2019-03-01", domain.Enforcement, `{"name":"太原市某化工有限公司","permit_no":"91140100ma0k9xrb32001p","city":"140100","industry":"化工"}`, 400, "permit_no",
			`"91140100ma0k9xrb32001p"：排污许可证编号中的字母应大写（91140100MA0K9XRB32001P）`},
		{"registered already", ent + "?date=2019-03-01", domain.Enforcement, `{"name":"运城市某焦化有限公司","uscc":"` + plain + `","city":"140800","industry":"焦化"}`, 409, "uscc",
			plain + " 已登记（运城市某焦化有限公司，自 2019-03-01 起）"},
		{"another city's enterprise, by a city's token", ent + "?date=2019-03-01", taiyuan, `{"name":"运城市某造纸有限公司","uscc":"` + ty + `","city":"140800","industry":"造纸"}`, 403, "city",
			"本令牌仅限 太原 140100：运城 140800 的执法记录属于其他执法部门"},
		{"another city's credit code, by a city's token", ent + "?date=2019-03-01", taiyuan, `{"name":"某焦化有限公司","uscc":"` + plain + `","city":"140100","industry":"焦化"}`, 403, "uscc",
			plain + " 由 运城 140800 赋码（第 3–8 位行政区划码 140802）：本令牌仅限 太原 140100，其他设区市的企业由该市执法部门登记"},
		{"an inspection of another city's enterprise", ent + "/" + plain + "/inspections?date=2019-04-01", taiyuan, `{"document_no":"并环监〔2019〕1号","authority":"太原市环境保护局","findings":["compliant"]}`, 403, "id",
			"本令牌仅限 太原 140100：运城 140800 的执法记录属于其他执法部门"},
		{"closing another city's enterprise", ent + "/" + plain + "/closure?date=2019-04-01", taiyuan, `{"document_no":"并环〔2019〕1号","authority":"太原市环境保护局","reason":"停产"}`, 403, "id",
			"本令牌仅限 太原 140100：运城 140800 的执法记录属于其他执法部门"},
		{"another city's list", "/api/card-lists/运城/2019Q1/publish", taiyuan, `{"authority":"太原市环境保护局","document_no":"并环〔2019〕2号"}`, 403, "scope",
			"本令牌仅限 太原 140100：运城 140800 的执法记录属于其他执法部门"},
		{"the province's list", "/api/card-lists/province/2019Q1/publish", taiyuan, `{"authority":"太原市环境保护局","document_no":"并环〔2019〕2号"}`, 403, "scope",
			"本令牌仅限 太原 140100：省本级的执法记录属于其他执法部门"},
		{"no enterprise", ent + "/" + ty + "/inspections?date=2019-04-01", domain.Enforcement, `{"document_no":"运环监〔2019〕20号","authority":"运城市环境保护局","findings":["compliant"]}`, 404, "id",
			`没有企业 "` + ty + `"（以统一社会信用代码或排污许可证编号查找）`},
		{"an inspection without findings", ent + "/" + plain + "/inspections?date=2019-04-01", domain.Enforcement, `{"document_no":"运环监〔2019〕20号","authority":"运城市环境保护局"}`, 400, "findings",
			"缺失：检查结论应为达标（compliant）、超标排放（over_standard）或超总量（over_quota）"},
		{"compliant, over its limit", ent + "/" + plain + "/inspections?date=2019-04-01", domain.Enforcement,
			`{"document_no":"运环监〔2019〕20号","authority":"运城市环境保护局","findings":["compliant"],"measurements":[{"item":"COD","measured":186,"limit":100,"unit":"mg/L","basis":"standard"}]}`, 400, "measurements[0]",
			"实测 COD 186 mg/L 超过其排放标准限值 100，但检查结论中没有超标排放（over_standard）"},
		{"over a quota not measured", ent + "/" + plain + "/inspections?date=2019-04-01", domain.Enforcement,
			`{"document_no":"运环监〔2019〕20号","authority":"运城市环境保护局","findings":["over_quota"]}`, 400, "findings[0]",
			"检查结论为超总量（over_quota），却没有超过总量指标限值的实测值：请记录监测数据（measurements）"},
		{"a re-inspection of no card", ent + "/" + plain + "/inspections?date=2019-04-01", domain.Enforcement,
			`{"document_no":"运环监〔2019〕20号","authority":"运城市环境保护局","card":"运环罚〔2019〕99号","findings":["compliant"]}`, 404, "card",
			"该企业没有文号为 运环罚〔2019〕99号 的牌可复查（card 填写黄牌或红牌决定的文号）"},
		{"an inspection recorded already", ent + "/" + carded + "/inspections?date=2019-04-01", domain.Enforcement,
			`{"document_no":"运环监〔2019〕11号","authority":"运城市环境保护局","findings":["compliant"]}`, 409, "document_no",
			"文号为 运环监〔2019〕11号 的检查已记录（日期 2019-03-20）"},
		{"a yellow card on no inspection", ent + "/" + plain + "/yellow-cards?date=2019-04-01", domain.Enforcement,
			`{"document_no":"运环罚〔2019〕30号","authority":"运城市环境保护局","inspection":"运环监〔2019〕11号","measure":"suspend_for_rectification","rectification_deadline":"2019-06-30"}`, 409, "inspection",
			"该企业没有文号为 运环监〔2019〕11号 的检查记录（inspection 填写检查记录的文号）：黄牌须以发现超过排放标准或总量指标的检查为依据"},
		{"a yellow card with no measure", ent + "/" + plain + "/yellow-cards?date=2019-04-01", domain.Enforcement,
			`{"document_no":"运环罚〔2019〕30号","authority":"运城市环境保护局","inspection":"运环监〔2019〕11号","rectification_deadline":"2019-06-30"}`, 400, "measure",
			"缺失：黄牌的措施应为限制生产（limit_production）或停产整治（suspend_for_rectification）"},
		{"a second yellow card", ent + "/" + carded + "/yellow-cards?date=2019-04-01", domain.Enforcement,
			`{"document_no":"运环罚〔2019〕30号","authority":"运城市环境保护局","inspection":"运环监〔2019〕11号","measure":"limit_production","rectification_deadline":"2019-06-30"}`, 409, "",
			"该企业已被处以黄牌 运环罚〔2019〕5号（自 2019-03-25 起生效）：请先解除，或整改失败的升级为红牌"},
		{"a red card's measure", ent + "/" + carded + "/red-cards?date=2019-07-10", domain.Enforcement,
			`{"document_no":"运环罚〔2019〕40号","authority":"运城市环境保护局","yellow_card":"运环罚〔2019〕5号","reinspection":"运环监〔2019〕60号","measure":"limit_production","grounds":"逾期未整改"}`, 400, "measure",
			`"limit_production" 不是红牌的措施：应为停业（suspend_business）或关闭（close）`},
		{"a red card on no yellow card", ent + "/" + carded + "/red-cards?date=2019-07-10", domain.Enforcement,
			`{"document_no":"运环罚〔2019〕40号","authority":"运城市环境保护局","yellow_card":"运环罚〔2019〕6号","reinspection":"运环监〔2019〕60号","measure":"suspend_business","grounds":"逾期未整改"}`, 409, "yellow_card",
			"红牌须以整改失败的黄牌为前提：该企业没有文号为 运环罚〔2019〕6号 的牌（yellow_card 填写黄牌决定的文号）"},
		{"a red card on no re-inspection", ent + "/" + carded + "/red-cards?date=2019-07-10", domain.Enforcement,
			`{"document_no":"运环罚〔2019〕40号","authority":"运城市环境保护局","yellow_card":"运环罚〔2019〕5号","reinspection":"运环监〔2019〕60号","measure":"suspend_business","grounds":"逾期未整改"}`, 409, "reinspection",
			"红牌须以整改失败的黄牌为前提：该企业没有文号为 运环监〔2019〕60号 的复查记录（reinspection 填写复查记录的文号）"},
		{"a red card on the first inspection", ent + "/" + carded + "/red-cards?date=2019-07-10", domain.Enforcement,
			`{"document_no":"运环罚〔2019〕40号","authority":"运城市环境保护局","yellow_card":"运环罚〔2019〕5号","reinspection":"运环监〔2019〕11号","measure":"suspend_business","grounds":"逾期未整改"}`, 409, "reinspection",
			"红牌须以整改失败的黄牌为前提：检查 运环监〔2019〕11号 不是对黄牌 运环罚〔2019〕5号 的复查"},
		{"lifting no card", ent + "/" + carded + "/lifts?date=2019-07-10", domain.Enforcement,
			`{"card":"运环罚〔2019〕6号","document_no":"运环罚〔2019〕41号","authority":"运城市环境保护局","reinspection":"运环监〔2019〕11号"}`, 404, "card",
			"该企业没有文号为 运环罚〔2019〕6号 的牌（card 填写黄牌或红牌决定的文号）"},
		{"lifting on no re-inspection", ent + "/" + carded + "/lifts?date=2019-07-10", domain.Enforcement,
			`{"card":"运环罚〔2019〕5号","document_no":"运环罚〔2019〕41号","authority":"运城市环境保护局","reinspection":"运环监〔2019〕60号"}`, 409, "reinspection",
			"该企业没有文号为 运环监〔2019〕60号 的复查记录（reinspection 填写复查记录的文号）：解除须以认定企业已整改的复查为依据"},
		{"lifting on an inspection that is not the card's re-inspection", ent + "/" + carded + "/lifts?date=2019-07-10", domain.Enforcement,
			`{"card":"运环罚〔2019〕5号","document_no":"运环罚〔2019〕41号","authority":"运城市环境保护局","reinspection":"运环监〔2019〕11号"}`, 409, "reinspection",
			"检查 运环监〔2019〕11号 不是对牌 运环罚〔2019〕5号 的复查"},
		{"lifting with no re-inspection named", ent + "/" + carded + "/lifts?date=2019-07-10", domain.Enforcement,
			`{"card":"运环罚〔2019〕5号","document_no":"运环罚〔2019〕41号","authority":"运城市环境保护局"}`, 400, "reinspection",
			"缺失：解除须以认定企业已整改的复查为依据（reinspection 填写复查记录的文号）"},
		{"a quarter's list before it ends", "/api/card-lists/运城/2020Q2/publish", domain.Enforcement, `{"authority":"运城市环境保护局","document_no":"运环〔2020〕9号"}`, 409, "occurred_at",
			"2020 年第 2 季度于 2020-06-30 结束：该季度的黄牌红牌名单在季度结束后公布"},
		{"a list before the plan's", "/api/card-lists/运城/2015Q4/publish", domain.Enforcement, `{"authority":"运城市环境保护局","document_no":"运环〔2016〕9号"}`, 400, "quarter",
			"2015 年第 4 季度：方案规定的公开名单自 2016 年开始"},

		// A free-text field's fault, said with the field's name.
		{"an enterprise without a name", ent + "?date=2019-03-01", domain.Enforcement, `{"name":"","uscc":"` + good + `","city":"140100","industry":"化工"}`, 400, "name",
			"企业名称（name）：缺失"},
		{"a name too long", ent + "?date=2019-03-01", domain.Enforcement, `{"name":"` + strings.Repeat("某", 67) + `","uscc":"` + good + `","city":"140100","industry":"化工"}`, 400, "name",
			"企业名称（name）：超过 200 字节"},
		{"an inspection without its document number", ent + "/" + plain + "/inspections?date=2019-04-01", domain.Enforcement, `{"document_no":"","authority":"运城市环境保护局","findings":["compliant"]}`, 400, "document_no",
			"文号（document_no）：缺失"},
		{"a measurement without its item", ent + "/" + plain + "/inspections?date=2019-04-01", domain.Enforcement,
			`{"document_no":"运环监〔2019〕20号","authority":"运城市环境保护局","findings":["compliant"],"measurements":[{"item":"","measured":1,"limit":2,"unit":"mg/L","basis":"standard"}]}`, 400, "measurements[0].item",
			"实测项目（measurements[0].item）：缺失"},
		{"a yellow card's inspection too long", ent + "/" + plain + "/yellow-cards?date=2019-04-01", domain.Enforcement,
			`{"document_no":"运环罚〔2019〕30号","authority":"运城市环境保护局","inspection":"` + strings.Repeat("号", 67) + `","measure":"limit_production","rectification_deadline":"2019-06-30"}`, 400, "inspection",
			"检查记录文号（inspection）：超过 200 字节"},
		{"a red card's grounds with a control character", ent + "/" + carded + "/red-cards?date=2019-07-10", domain.Enforcement,
			`{"document_no":"运环罚〔2019〕40号","authority":"运城市环境保护局","yellow_card":"运环罚〔2019〕5号","reinspection":"运环监〔2019〕60号","measure":"suspend_business","grounds":"逾期\u0007未整改"}`, 400, "grounds",
			"情节严重的理由（grounds）：含有控制字符"},
		{"a revocation without its reason", ent + "/" + carded + "/revocations?date=2019-07-10", domain.Enforcement,
			`{"card":"运环罚〔2019〕5号","document_no":"晋政复〔2019〕3号","authority":"山西省人民政府","reason":""}`, 400, "reason",
			"原因（reason）：缺失"},
		{"a closure's reason with surrounding whitespace", ent + "/" + plain + "/closure?date=2019-04-01", domain.Enforcement,
			`{"document_no":"运环〔2019〕1号","authority":"运城市环境保护局","reason":" 停产"}`, 400, "reason",
			"原因（reason）：首尾有空白"},
		{"a list's authority missing", "/api/card-lists/运城/2019Q1/publish", domain.Enforcement, `{"authority":"","document_no":"运环〔2019〕2号"}`, 400, "authority",
			"机关（authority）：缺失"},
		{"an unknown action", ent + "/" + carded + "/frobs?date=2019-04-01", domain.Enforcement, `{}`, 404, "action",
			`"frobs" 不是可记录的行为：应为检查（inspections）、黄牌（yellow-cards）、红牌（red-cards）、解除（lifts）、撤销（revocations）或关闭（closure）`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := f.last()
			code, b := f.do("POST", tc.path, tc.role, tc.body, "application/json")
			require.Equal(t, tc.status, code, string(b))
			var e api.ErrorBody
			require.NoError(t, json.Unmarshal(b, &e))
			require.Equal(t, tc.field, e.Error.Field, "in English: %s", b)
			require.Equal(t, tc.zh, e.Error.MessageZh, "%s", b)
			requireNoEnglish(t, tc.zh)
			require.Equal(t, before, f.last(), "nothing stored")
		})
	}
}

// requireNoEnglish fails if zh has an English word left from the message it
// says: a quoted value, a code or a field named in brackets or before 填写
// is the request's own and stays.
func requireNoEnglish(t *testing.T, zh string) {
	t.Helper()
	rest := regexp.MustCompile(`"[^"]*"|（[a-z_.\[\]0-9-]+）|[a-z_]+ 填写`).ReplaceAllString(zh, "")
	require.NotRegexp(t, `(?i)\b(the|is|not|a|an|of|on|by|in|no|and|or|card|yellow|red|inspection|re-inspection|enterprise|token|missing|want|found|issued|already|registered|published|list|quarter|compliant|standard|quota|measure|city|code|permit|credit)\b`, rest, zh)
	require.NotRegexp(t, `\p{Han}[;,]|[;,]\p{Han}`, rest, "ASCII punctuation between Chinese phrases")
}

// The Chinese of the enforcement refusals that need a history to be
// given: a closure's dates, an action on a closed enterprise, a list
// published twice, a quarter misspelt, a code or permit number another
// enterprise holds. Each is produced through the request that gives it;
// none records anything.
func TestEnforcementConflictsInChinese(t *testing.T) {
	f := setup(t)
	usccOf := func(first17 string) string {
		check, err := enforcement.USCCCheck(first17)
		require.NoError(t, err)
		return first17 + string(check)
	}
	const ent = "/api/enterprises"
	post := func(path, body string) []byte {
		t.Helper()
		code, b := f.do("POST", path, domain.Enforcement, body, "application/json")
		require.Equal(t, 201, code, "%s: %s", path, b)
		return b
	}
	// A carded enterprise whose card is revoked on 2019-04-15.
	carded := f.yellowCarded(t, "91140800MA0K9XRE6", "运城市某印染有限公司", "140800", "运城市环境保护局",
		"运环监〔2019〕11号", "2019-03-20", "运环罚〔2019〕5号", "2019-03-25", "2019-06-30")
	post(ent+"/"+carded+"/revocations?date=2019-04-15", `{"card":"运环罚〔2019〕5号","document_no":"晋政复〔2019〕3号","authority":"山西省人民政府","reason":"事实不清"}`)
	// Two enterprises inspected on 2019-04-10, one closed on 2019-05-01;
	// the open one holds a permit number.
	open, shut := usccOf("91140802MA0K9XRF7"), usccOf("91140802MA0K9XRG8")
	post(ent+"?date=2019-03-01", `{"name":"运城市某焦化有限公司","uscc":"`+open+`","permit_no":"91140802MA0K9XRF7X001P","city":"140800","industry":"焦化"}`)
	post(ent+"?date=2019-03-01", `{"name":"运城市某造纸有限公司","uscc":"`+shut+`","city":"140800","industry":"造纸"}`)
	for _, id := range []string{open, shut} {
		post(ent+"/"+id+"/inspections?date=2019-04-10", `{"document_no":"运环监〔2019〕21号","authority":"运城市环境保护局","findings":["compliant"]}`)
	}
	post(ent+"/"+shut+"/closure?date=2019-05-01", `{"document_no":"运环〔2019〕7号","authority":"运城市环境保护局","reason":"停产"}`)
	// Yuncheng's 2019Q1 list, published.
	post("/api/card-lists/运城/2019Q1/publish", `{"authority":"运城市环境保护局","document_no":"运环〔2019〕2号"}`)
	code, b := f.do("GET", "/api/card-lists/运城/2019Q1", domain.Enforcement, "", "")
	require.Equal(t, 200, code, string(b))
	var list api.CardListView
	require.NoError(t, json.Unmarshal(b, &list))
	require.NotNil(t, list.Published)
	sha := list.Published.SHA256
	require.NotEmpty(t, sha)

	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		field, zh                string
	}{
		{"a closure before an inspection", "POST", ent + "/" + open + "/closure?date=2019-04-01", `{"document_no":"运环〔2019〕8号","authority":"运城市环境保护局","reason":"停产"}`, 409, "date",
			"2019-04-01 早于检查 运环监〔2019〕21号（2019-04-10）：当时接受检查的企业尚未关闭"},
		{"a closure before a card's revocation", "POST", ent + "/" + carded + "/closure?date=2019-04-10", `{"document_no":"运环〔2019〕9号","authority":"运城市环境保护局","reason":"停产"}`, 409, "date",
			"2019-04-10 早于牌 运环罚〔2019〕5号 的撤销日期（2019-04-15）"},
		{"an inspection after the closure", "POST", ent + "/" + shut + "/inspections?date=2019-05-10", `{"document_no":"运环监〔2019〕30号","authority":"运城市环境保护局","findings":["compliant"]}`, 409, "date",
			"2019-05-10 晚于 运城市某造纸有限公司 关闭之日 2019-05-01（运环〔2019〕7号）：只能记录关闭前发生的事项"},
		{"a closed enterprise closed again", "POST", ent + "/" + shut + "/closure?date=2019-05-10", `{"document_no":"运环〔2019〕10号","authority":"运城市环境保护局","reason":"停产"}`, 409, "enterprise",
			"运城市某造纸有限公司 已于 2019-05-01 关闭（运环〔2019〕7号）：此后只能补录当时的检查报告，或经复议、诉讼撤销牌"},
		{"a list published already", "POST", "/api/card-lists/运城/2019Q1/publish", `{"authority":"运城市环境保护局","document_no":"运环〔2019〕3号"}`, 409, "quarter",
			"运城 140800 2019 年第 1 季度的名单已公布（运环〔2019〕2号，SHA-256 " + sha + "）"},
		{"a quarter misspelt, publishing", "POST", "/api/card-lists/运城/2019-1/publish", `{"authority":"运城市环境保护局","document_no":"运环〔2019〕3号"}`, 400, "quarter",
			`季度 "2019-1"：应写作 YYYYQn，如 2019Q2`},
		{"a quarter misspelt, reading", "GET", "/api/card-lists/province/Q1-2019", "", 400, "quarter",
			`季度 "Q1-2019"：应写作 YYYYQn，如 2019Q2`},
		{"a quarter 5", "GET", "/api/card-lists/运城/2019Q5", "", 400, "quarter",
			`季度 "2019Q5"：季度应为 1–4，不是 5`},
		{"a quarter of 1999", "POST", "/api/card-lists/运城/1999Q4/publish", `{"authority":"运城市环境保护局","document_no":"运环〔2019〕3号"}`, 400, "quarter",
			`季度 "1999Q4"：年份应在 2000–2099 之间，不是 1999`},
		{"a permit number another enterprise holds", "POST", ent + "?date=2019-03-01", `{"name":"运城市某化工有限公司","uscc":"` + usccOf("91140802MA0K9XRH9") + `","permit_no":"91140802MA0K9XRF7X001P","city":"140800","industry":"化工"}`, 409, "permit_no",
			"排污许可证编号 91140802MA0K9XRF7X001P 已登记，为 运城 140800 的企业 " + open},
		{"a credit code registered in another city", "POST", ent + "?date=2019-03-01", `{"name":"运城市某焦化有限公司","uscc":"` + open + `","city":"140100","industry":"焦化"}`, 409, "city",
			open + " 已在 运城 140800 登记"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.refusedInChinese(t, domain.Enforcement, tc.method, tc.path, tc.body, tc.status, tc.field, tc.zh)
		})
	}
}

// refusedInChinese sends a request that must be refused with status,
// naming field, saying zh in Chinese (and no English word), and storing
// nothing.
func (f *fixture) refusedInChinese(t *testing.T, role domain.Role, method, path, body string, status int, field, zh string) {
	t.Helper()
	before := f.last()
	code, b := f.do(method, path, role, body, map[bool]string{true: "application/json"}[body != ""])
	require.Equal(t, status, code, string(b))
	var e api.ErrorBody
	require.NoError(t, json.Unmarshal(b, &e))
	require.Equal(t, field, e.Error.Field, "in English: %s", b)
	require.Equal(t, zh, e.Error.MessageZh, "%s", b)
	requireNoEnglish(t, zh)
	require.Equal(t, before, f.last(), "nothing stored")
}
