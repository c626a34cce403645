package api_test

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/api"
	"github.com/shanxi-water/ledger/domain"
)

// The tasks page in English names the lead departments in English, in the
// table and in the filter, whose values stay the names as stored.
func TestTasksPageNamesDepartmentsInTheLanguage(t *testing.T) {
	f := setup(t)
	code, b := f.do("POST", "/api/tasks/catalogue", domain.Admin, "", "")
	require.Equal(t, 201, code, string(b))
	const housingZh, housingEn = "省住房城乡建设厅", "Provincial Department of Housing and Urban-Rural Development"

	code, page := f.page(domain.Auditor, "/tasks?day=2019-12-31&lang=en")
	require.Equal(t, 200, code, page)
	require.Contains(t, page, `<option value="`+housingZh+`">`+housingEn+`</option>`, "the English name, the stored value")
	require.Contains(t, page, "<td>Provincial Department of Environmental Protection</td>")
	require.NotRegexp(t, `<td>[^<]*省[^<]*(厅|委|局)`, page, "no department in Chinese in the table")
	require.NotRegexp(t, `<option[^>]*>[^<]*\p{Han}`, page, "nor in the filter")

	code, page = f.page(domain.Auditor, "/tasks?day=2019-12-31&lang=en&dept="+url.QueryEscape(housingZh))
	require.Equal(t, 200, code, page)
	require.Contains(t, page, `<option value="`+housingZh+`" selected>`+housingEn+`</option>`)
	rows := regexp.MustCompile(`(?s)<tr><td><b class="nowrap">.*?</tr>`).FindAllString(page, -1)
	require.NotEmpty(t, rows, "the filter by the stored name finds its units")
	for _, r := range rows {
		require.Contains(t, r, housingEn, "every unit listed is led by it")
	}
	require.Contains(t, page, "&amp;dept="+url.QueryEscape(housingZh), "links keep the filter by the stored name")

	code, page = f.page(domain.Auditor, "/tasks?day=2019-12-31")
	require.Equal(t, 200, code, page)
	require.Contains(t, page, `<option value="`+housingZh+`">`+housingZh+`</option>`, "in Chinese as the plan writes it")
	require.False(t, strings.Contains(page, housingEn))
}

// The accountability page labels the people a case names by 姓名 (a
// person's name), not 名称 (a thing's); in English, Name.
func TestAccountabilityLabelsPeoplesNames(t *testing.T) {
	f := setup(t)
	for _, step := range []struct{ path, body string }{
		{"/api/officials", `{"id":"OFF-0001","name":"王建国"}`},
		{"/api/officials/OFF-0001/appointments", `{"post":"env_bureau_head","city":"140800","from":"2016-01-05","document_no":"运政任〔2016〕3号"}`},
		{"/api/accountability/cases", `{"kind":"data_falsification","city":"140800","from":"2018-07-01","to":"2018-12-31","found_on":"2020-03-28","reference":{"document_no":"晋环监察〔2020〕12号"}}`},
	} {
		code, b := f.do("POST", step.path, domain.Assessment, step.body, "application/json")
		require.Equal(t, 201, code, "%s: %s", step.path, b)
	}
	code, page := f.page(domain.Auditor, "/accountability")
	require.Equal(t, 200, code)
	require.True(t, strings.Contains(page, "<th>职务</th><th>姓名</th>"), "the name column is 姓名")
	require.True(t, strings.Contains(page, ">王建国</a>"), "the official named")
	require.False(t, strings.Contains(page, "名称"), "nothing is labelled 名称")
	code, page = f.page(domain.Auditor, "/accountability?lang=en")
	require.Equal(t, 200, code)
	require.True(t, strings.Contains(page, "<th>Post</th><th>Name</th>"))
}

// A Chinese page writes classes with Roman numerals, as its notes do (劣Ⅴ,
// Ⅳ, not 劣V, IV), and a multiple just over its limit with the digits that
// show it (超标0.004倍, not 超标0.00倍).
func TestCityPageWritesClassesAndMultiplesAsTheNotes(t *testing.T) {
	f := setup(t)
	var csv strings.Builder
	csv.WriteString("section,sampled_at,source,DO,NH3N,TP\n")
	for m := 1; m <= 12; m++ {
		fmt.Fprintf(&csv, "FH-HJDQ,2019-%02d-10 09:00,manual,4.1,2.6,0.2008\n", m) // 劣V for NH3N, TP 0.4% over class III
	}
	code, b := f.do("POST", "/api/samples/import", domain.Admin, csv.String(), "text/csv")
	require.Equal(t, 200, code, string(b))

	code, page := f.page(domain.Auditor, "/city/140800?year=2019")
	require.Equal(t, 200, code)
	require.True(t, strings.Contains(page, "<td>劣Ⅴ</td><td>Ⅳ</td>"), "the class and the target")
	require.True(t, strings.Contains(page, "2019-01 劣Ⅴ</title>"), "the chart's months")
	require.False(t, strings.Contains(page, "劣V"), "劣V nowhere")
	// Each main pollutant with how many times it is over the class-III
	// limit, said as such ((2.6 − 1.0) / 1.0 = 1.60), not "氨氮 (1.60×)",
	// which read as 1.60 times the limit; TP just over its limit.
	require.True(t, strings.Contains(page, "<td>氨氮（超标1.60倍）、总磷（超标0.004倍）</td>"), "the main pollutants")
	require.False(t, strings.Contains(page, "×)"), "no bare multiple")

	code, page = f.page(domain.Auditor, "/city/140800?year=2019&lang=en")
	require.Equal(t, 200, code)
	require.True(t, strings.Contains(page, "<td>worse than V</td><td>IV</td>"))
	require.True(t, strings.Contains(page, "<td>ammonia nitrogen (1.60 times over the limit); total phosphorus (0.004 times over the limit)</td>"), "the main pollutants")

	require.Equal(t, "0.004", api.Multiple(0.004))
	require.Equal(t, "0.000", api.Multiple(0))
	require.Equal(t, "1.60", api.Multiple(1.6))
	require.Equal(t, "", api.Zh.Class(0), "no class")
	require.Equal(t, "；", api.Zh.Semicolon())
	require.Equal(t, "; ", api.En.Semicolon())
}
