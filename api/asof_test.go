package api_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/ledgertest"
)

// The ranking and a city's page as the ledger knew them on a date
// (?as_of=): 2019's samples recorded on 10 January 2020, the year
// published on 20 March, a Xinzhou sample withdrawn on 15 April (its
// section then has too few months for a class), an interview imposed on
// Yuncheng on 20 April. Before 20 March the year is not shown as
// published; each page says what it shows, and its links keep the date.
func TestPagesAsOfADate(t *testing.T) {
	f := setupAsOf(t)
	testPagesAsOf(t, f)
}

// setupAsOf is the fixture of TestPagesAsOfADate, its clock left at 1 May
// 2020, 10:00.
func setupAsOf(t *testing.T) *fixture {
	t.Helper()
	clock := ledgertest.NewClock(time.Date(2020, 1, 10, 10, 0, 0, 0, domain.CST))
	f := setupClock(t, clock.Now)
	f.data2019(t)
	clock.Set(time.Date(2020, 3, 20, 10, 0, 0, 0, domain.CST))
	code, b := f.do("POST", "/api/assessment/2019/publish", domain.Assessment, `{"document":"晋环函〔2020〕30号","incomplete":true}`, "application/json")
	require.Equal(t, 201, code, string(b))
	clock.Set(time.Date(2020, 4, 15, 10, 0, 0, 0, domain.CST))
	code, b = f.do("POST", "/api/sections/HH-NZ/invalidations", domain.Admin, `{"at":"2019-02-10T09:00:00+08:00","source":"manual","reason":"采样瓶污染"}`, "application/json")
	require.Equal(t, 201, code, string(b))
	clock.Set(time.Date(2020, 4, 20, 10, 0, 0, 0, domain.CST))
	code, b = f.do("POST", "/api/assessment/2019/cities/140800/consequences", domain.Assessment, `{"kind":"interview","document":"晋环函〔2020〕41号","authority":"省生态环境厅"}`, "application/json")
	require.Equal(t, 201, code, string(b))
	clock.Set(time.Date(2020, 5, 1, 10, 0, 0, 0, domain.CST))
	return f
}

func testPagesAsOf(t *testing.T, f *fixture) {
	const (
		banner       = `id="as-of-basis">本页按台账在以下日期所知显示，此后记录的补录、更正和公布均不计： `
		published    = `id="ranking-basis">已公布：晋环函〔2020〕30号（公布于 <span id="published-at">2020-03-20 10:00</span>）`
		notThen      = `当时尚未公布：按台账当时所知计算<`
		diff         = "水质得分 100.00 → " // what the withdrawal changed in Xinzhou's score
		exports      = "/api/exports/assessment/"
		consequence  = `id="city-consequences"`
		classII      = "<td class=\"num\">12</td>\n<td>Ⅱ</td>" // HH-NZ's twelve months
		insufficient = "<td class=\"num\">11</td>\n<td><span class=\"none\">数据不足</span>"
	)
	for _, tc := range []struct {
		path        string
		want, never []string
	}{
		{"/cities?year=2019&as_of=2020-02-01",
			[]string{banner + "2020-02-01", `id="ranking-basis">` + notThen, `id="city-ranking"`,
				`<a href="/cities?year=2019&amp;as_of=2020-02-01">2019</a>`, `href="/city/140800?year=2019&amp;as_of=2020-02-01"`,
				`<a href="/cities?year=2019">按今日所知</a>`, `<input name="as_of" value="2020-02-01"`,
				`href="/api/exports/cards?as_of=2020-02-01&amp;lang=zh"`, "按台账截至上述日期所知"},
			[]string{"晋环函〔2020〕30号", "已公布", exports, "按目前所知，含此后的更正"}},
		{"/cities?year=2019&as_of=2020-03-31", []string{banner + "2020-03-31", published, "<th>当时所知</th>"}, []string{diff, exports}},
		{"/cities?year=2019&as_of=2020-04-16", []string{banner + "2020-04-16", published, diff}, nil},
		{"/cities?year=2019&as_of=2020-04-16T02:00:00Z", []string{banner + "2020-04-16T10:00:00&#43;08:00" /* in Shanxi time */, published, diff,
			`href="/city/140900?year=2019&amp;as_of=2020-04-16T02%3a00%3a00Z"`}, nil},
		{"/cities?year=2019", []string{published, diff, exports, "<th>按今日所知</th>"}, []string{"as-of-basis", "as_of="}},
		{"/cities?year=2019&as_of=2020-02-01&lang=en", []string{`id="as-of-basis">Shown as the ledger knew it on this date; nothing recorded after it counts (late entries, corrections, publications): 2020-02-01`,
			"Not published then: computed as the ledger knew it then<"}, []string{"Published"}},
		{"/city/140900?year=2019&as_of=2020-02-01",
			[]string{banner + "2020-02-01", `id="city-basis">` + notThen, classII,
				`<a href="/city/140900?year=2019&amp;as_of=2020-02-01">2019</a>`, `href="/audit/140900?as_of=2020-02-01"`,
				`href="/tasks?city=140900&amp;overdue=1&amp;as_of=2020-02-01">当时逾期 0</a>`, `<a href="/city/140900?year=2019">按今日所知</a>`},
			[]string{"晋环函〔2020〕30号", insufficient, "当前逾期"}},
		{"/city/140900?year=2019&as_of=2020-04-01", []string{`id="city-basis">已公布：晋环函〔2020〕30号`, classII}, []string{insufficient, `id="city-today"`}},
		{"/city/140900?year=2019&as_of=2020-04-16", []string{`id="city-basis">已公布：晋环函〔2020〕30号`, insufficient, `id="city-today"><b>当时所知：</b> ` + diff}, []string{classII}},
		{"/city/140900?year=2019", []string{`id="city-today"><b>按今日所知：</b> ` + diff, insufficient, `href="/audit/140900"`}, []string{"as-of-basis", "as_of="}},
		{"/city/140800?year=2019&as_of=2020-04-16", []string{`id="city-basis">已公布：晋环函〔2020〕30号`}, []string{consequence}},
		{"/city/140800?year=2019&as_of=2020-04-20", []string{consequence, "2020-04-20 · 约谈 · 晋环函〔2020〕41号"}, nil},
	} {
		code, page := f.page(domain.Auditor, tc.path)
		require.Equal(t, http.StatusOK, code, "%s: %s", tc.path, page)
		for _, w := range tc.want {
			require.Contains(t, page, w, tc.path)
		}
		// The link to the year as the ledger knew it when published is a
		// page of today's one link with a date (TestPublicationDateAndView).
		page = asPublishedLink.ReplaceAllString(page, "")
		for _, n := range tc.never {
			require.NotContains(t, page, n, tc.path)
		}
	}
	// A date that is not one is refused, naming the field.
	for _, path := range []string{"/cities?as_of=2020-02-30", "/city/140800?year=2019&as_of=2020/13/01"} {
		code, page := f.page(domain.Auditor, path)
		require.Equal(t, http.StatusBadRequest, code, path)
		require.Contains(t, page, "请求有误：截至日期", path)
		require.Contains(t, page, "as_of", path)
	}
}

var asPublishedLink = regexp.MustCompile(`<a id="as-published" href="[^"]*">`)

// On a page as of a date, the navigation's links to the pages that take
// ?as_of= keep it (an auditor moving from the ranking to the tasks stays on
// that date), and each such page answers it; the links to the pages that
// do not take it go without it, as those pages refuse it. Without ?as_of=
// no link has it.
func TestNavigationKeepsAsOf(t *testing.T) {
	f := setup(t)
	const asOf = "2020-02-01T10:00:00+08:00" // escaped in a link, as a time zone's + must be
	nav := regexp.MustCompile(`(?s)<nav>(.*?)</nav>`)
	href := regexp.MustCompile(`href="([^"]*)"`)
	links := func(path string) []string {
		t.Helper()
		code, page := f.page(domain.Auditor, path)
		require.Equal(t, http.StatusOK, code, "%s: %s", path, page)
		m := nav.FindStringSubmatch(page)
		require.NotNil(t, m, path)
		var ls []string
		for _, h := range href.FindAllStringSubmatch(m[1], -1) {
			ls = append(ls, html.UnescapeString(h[1]))
		}
		return ls
	}
	q := "as_of=" + url.QueryEscape(asOf)
	// The audit link goes to the page's city where it has one.
	for path, audit := range map[string]string{"/cities?year=2019&" + q: "140100", "/city/140800?year=2019&" + q: "140800", "/tasks?city=140800&" + q: "140800",
		"/cards?" + q: "140100", "/audit/140900?" + q: "140900", "/cities?" + q + "&lang=en": "140100",
		"/card-lists?" + q: "140100", "/card-lists/140800/2019Q1?" + q: "140800", "/card-lists/province/2019Q1?" + q: "140100"} {
		ls := links(path)
		var with []string // the pages linked with the date
		for _, l := range ls {
			if strings.Contains(l, "as_of") {
				u, err := url.Parse(l)
				require.NoError(t, err)
				require.Equal(t, url.Values{"as_of": {asOf}}, u.Query(), l)
				with = append(with, u.Path)
				code, page := f.page(domain.Auditor, l)
				require.Equal(t, http.StatusOK, code, "%s: %s", l, page)
				require.Contains(t, html.UnescapeString(page), asOf, "%s shows the date", l)
				continue
			}
			// A link without it is to a page that refuses it.
			code, page := f.page(domain.Auditor, l+"?"+q)
			require.Equal(t, http.StatusBadRequest, code, "%s: %s takes as_of: %s", path, l, page)
			require.Contains(t, page, "as_of: not a parameter of this endpoint", l)
		}
		require.Equal(t, []string{"/cities", "/tasks", "/cards", "/card-lists", "/audit/" + audit}, with, path)
	}
	// Without a date, no link has one.
	for _, path := range []string{"/cities?year=2019", "/tasks", "/"} {
		for _, l := range links(path) {
			require.NotContains(t, l, "as_of", path)
		}
	}
}

// The year a page shows by default as of a date is the last year ended by
// then, by the rule that marks a year's figures provisional: as of 31
// December (the end of that day) the year has ended, so the ranking and a
// city's page show it, not provisional; as of 30 December they show the
// year before. Without ?as_of= the same holds of the server's clock in the
// last second of the year. Samples of 2018 and of 2019 are
// recorded on 20 December 2019.
func TestDefaultYearAsOfTheLastDay(t *testing.T) {
	clock := ledgertest.NewClock(time.Date(2019, 12, 20, 10, 0, 0, 0, domain.CST))
	f := setupClock(t, clock.Now)
	code, b := f.do("POST", "/api/assessment/rules", domain.Assessment, standardRules, "application/json")
	require.Equal(t, 201, code, string(b))
	var csv strings.Builder
	csv.WriteString("section,sampled_at,source,DO,NH3N\n")
	for m := 1; m <= 12; m++ {
		fmt.Fprintf(&csv, "FH-HJDQ,2018-%02d-10 09:00,manual,4.0,2.6\n", m)
		fmt.Fprintf(&csv, "FH-HJDQ,2019-%02d-10 09:00,manual,4.0,2.6\nHH-NZ,2019-%02d-10 09:00,manual,8.0,0.2\n", m, m)
	}
	code, b = f.do("POST", "/api/samples/import", domain.Admin, csv.String(), "text/csv")
	require.Equal(t, 200, code, string(b))
	clock.Set(time.Date(2020, 5, 1, 10, 0, 0, 0, domain.CST))
	for _, tc := range []struct {
		asOf        string
		year        string
		provisional bool
	}{
		{"2019-12-30", "2018", false},
		{"2019-12-31", "2019", false},
		{"2019-12-31T23:59:59%2B08:00", "2019", false},
		{"2019-12-31T23:59:58%2B08:00", "2018", false},
		{"2020-01-01", "2019", false},
	} {
		for _, path := range []string{"/cities?as_of=" + tc.asOf, "/city/140900?as_of=" + tc.asOf} {
			code, page := f.page(domain.Auditor, path)
			require.Equal(t, http.StatusOK, code, "%s: %s", path, page)
			require.Contains(t, page, " · "+tc.year+"</h2>", path)
			if tc.year == "2019" { // computed, and final
				require.Regexp(t, `id="city-(ranking|score)"`, page, path)
			}
			require.NotContains(t, page, `id="provisional"`, path)
		}
	}
	// The year itself, asked for, is provisional the day before.
	code, page := f.page(domain.Auditor, "/cities?year=2019&as_of=2019-12-30")
	require.Equal(t, http.StatusOK, code, page)
	require.Contains(t, page, `id="provisional"`)
	// Today's view, in the last second of 2019 and the one before it.
	for _, tc := range []struct {
		now  time.Time
		year string
	}{
		{time.Date(2019, 12, 31, 23, 59, 58, 0, domain.CST), "2018"},
		{time.Date(2019, 12, 31, 23, 59, 59, 500_000_000, domain.CST), "2019"},
	} {
		clock.Set(tc.now)
		for _, path := range []string{"/cities", "/city/140900"} {
			code, page := f.page(domain.Auditor, path)
			require.Equal(t, http.StatusOK, code, "%s: %s", path, page)
			require.Contains(t, page, " · "+tc.year+"</h2>", "%s at %s", path, tc.now)
			if tc.year == "2019" {
				require.Regexp(t, `id="city-(ranking|score)"`, page, path)
			}
			require.NotContains(t, page, `id="provisional"`, path)
		}
	}
}
