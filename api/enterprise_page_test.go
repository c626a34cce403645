package api_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/enforcement"
)

// The enterprise page shows what each inspection measured: every item with
// its value, its limit and what the limit is (a discharge standard, a total
// quota), how many times over it the value is, the item by its name in
// GB 3838-2002's table where the table has it (a standard's own item, as
// recorded), a re-inspection's card and the inspector's note; in Chinese by
// default, in English on the switch.
func TestEnterprisePageShowsMeasurements(t *testing.T) {
	f := setup(t)
	uscc := f.yellowCarded(t, "91140800MA0K9XRH9", "运城市某造纸有限公司", "140800", "运城市环境保护局",
		"运环监〔2019〕21号", "2019-03-20", "运环罚〔2019〕8号", "2019-03-25", "2019-05-31")
	code, b := f.do("POST", "/api/enterprises/"+uscc+"/inspections?date=2019-06-05", domain.Enforcement,
		`{"document_no":"运环监〔2019〕66号","authority":"运城市环境保护局","card":"运环罚〔2019〕8号","findings":["over_standard","over_quota"],"note":"整改期满复查，污水处理设施未运行",`+
			`"measurements":[{"item":"NH3-N","measured":12.5,"limit":8,"unit":"mg/L","basis":"standard"},`+
			`{"item":"悬浮物","measured":45,"limit":70,"unit":"mg/L","basis":"standard"},`+
			`{"item":"COD","measured":1300,"limit":1200,"unit":"t/a","basis":"quota"}]}`, "application/json")
	require.Equal(t, http.StatusCreated, code, string(b))

	code, page := f.page(domain.Auditor, "/enterprise/"+uscc+"?day=2019-06-30")
	require.Equal(t, http.StatusOK, code, page)
	table := regexp.MustCompile(`(?s)<table id="inspection-table">.*</main>`).FindString(page)
	require.NotEmpty(t, table, page)
	for _, want := range []string{
		"<th>检查机关</th>", "<th>监测数据</th>", "<th>项目</th><th>实测值</th><th>限值</th><th>依据</th><th>超标倍数</th>",
		// The first inspection: COD 186 against a standard of 100.
		`<td>化学需氧量（COD）</td><td class="num missed">186 mg/L</td><td class="num">100 mg/L</td><td>排放标准</td><td class="num"><span class="missed">0.86</span></td>`,
		// The re-inspection of the card: over the standard and the quota.
		"运环监〔2019〕66号<br><span class=\"muted\">复查 运环罚〔2019〕8号</span>",
		`<td>氨氮（NH3-N）</td><td class="num missed">12.5 mg/L</td><td class="num">8 mg/L</td><td>排放标准</td><td class="num"><span class="missed">0.56</span></td>`,
		`<td>悬浮物</td><td class="num">45 mg/L</td><td class="num">70 mg/L</td><td>排放标准</td><td class="num">—</td>`,
		`<td>化学需氧量（COD）</td><td class="num missed">1300 t/a</td><td class="num">1200 t/a</td><td>总量指标</td><td class="num"><span class="missed">0.08</span></td>`,
		"超标排放，超总量", "整改期满复查，污水处理设施未运行", "运城市环境保护局",
	} {
		require.Contains(t, table, want)
	}
	require.NotRegexp(t, `\b(standard|quota|over_standard|over_quota)\b`, table, "no code on a Chinese page")

	code, page = f.page(domain.Auditor, "/enterprise/"+uscc+"?day=2019-06-30&lang=en")
	require.Equal(t, http.StatusOK, code, page)
	for _, want := range []string{
		"<th>Item</th><th>Measured</th><th>Limit</th><th>Against</th><th>Times over</th>",
		`<td>chemical oxygen demand (COD)</td><td class="num missed">186 mg/L</td>`, `<td>ammonia nitrogen (NH3-N)</td>`,
		"<td>discharge standard</td>", "<td>total quota</td>", "re-inspection of 运环罚〔2019〕8号",
		"over the discharge standard, over the quota",
	} {
		require.Contains(t, page, want)
	}
	require.False(t, strings.Contains(page, "排放标准"))

	// As the page stood before the re-inspection: the first inspection
	// only.
	code, page = f.page(domain.Auditor, "/enterprise/"+uscc+"?day=2019-04-30")
	require.Equal(t, http.StatusOK, code, page)
	require.Contains(t, page, "186 mg/L")
	require.NotContains(t, page, "12.5 mg/L")
}

// The enterprise page's header labels the enterprise's id as what it is,
// as the card lists do: its unified social credit code, or, lacking one,
// its discharge permit number; an enterprise with both shows the permit
// number too. In Chinese by default, in English on the switch. Before,
// the header showed the id bare ("91140800… · 运城 · 化工").
func TestEnterprisePageLabelsItsID(t *testing.T) {
	f := setup(t)
	uscc := f.yellowCarded(t, "91140800MA0K9XRH9", "运城市某造纸有限公司", "140800", "运城市环境保护局",
		"运环监〔2019〕21号", "2019-03-20", "运环罚〔2019〕8号", "2019-03-25", "2019-05-31")
	check, err := enforcement.USCCCheck("91140802MA0K9XRF7")
	require.NoError(t, err)
	const permit = "14080020190001P"
	both := "91140802MA0K9XRF7" + string(check)
	for _, body := range []string{
		`{"name":"运城市某砖厂","permit_no":"` + permit + `","city":"140800","industry":"建材"}`,
		`{"name":"运城市某焦化有限公司","uscc":"` + both + `","permit_no":"91140802MA0K9XRF7X001P","city":"140800","industry":"焦化"}`,
	} {
		code, b := f.do("POST", "/api/enterprises?date=2019-03-01", domain.Enforcement, body, "application/json")
		require.Equal(t, http.StatusCreated, code, string(b))
	}
	header := func(id, lang string) string {
		t.Helper()
		code, page := f.page(domain.Auditor, "/enterprise/"+id+"?day=2019-06-30"+lang)
		require.Equal(t, http.StatusOK, code, page)
		h := regexp.MustCompile(`<p class="muted" id="enterprise-ids">.*?</p>`).FindString(page)
		require.NotEmpty(t, h, page)
		return h
	}
	require.Contains(t, header(uscc, ""), "统一社会信用代码："+uscc+" · 运城 · 化工")
	require.Contains(t, header(permit, ""), "排污许可证编号："+permit+" · 运城 · 建材")
	require.Contains(t, header(both, ""), "统一社会信用代码："+both+" · 排污许可证编号：91140802MA0K9XRF7X001P · 运城 · 焦化")
	require.Contains(t, header(uscc, "&lang=en"), "Unified social credit code: "+uscc+" · Yuncheng · 化工")
	require.Contains(t, header(permit, "&lang=en"), "Discharge permit number: "+permit+" · Yuncheng · 建材")
}
