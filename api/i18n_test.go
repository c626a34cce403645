package api_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

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
