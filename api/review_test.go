package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/assessment"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/ledgertest"
)

// The ranking and a city's page say when the year was published (the
// ledger recorded the notice on 20 March 2020, 10:00), and link to the
// page as the ledger knew it then, which shows the year published, with
// nothing recorded later (the withdrawal of 15 April) counted.
func TestPublicationDateAndView(t *testing.T) {
	f := setupAsOf(t)
	const when = `（公布于 <span id="published-at">2020-03-20 10:00</span>）`
	for _, path := range []string{"/cities?year=2019", "/city/140900?year=2019", "/cities?year=2019&as_of=2020-04-16"} {
		code, page := f.page(domain.Auditor, path)
		require.Equal(t, http.StatusOK, code, "%s: %s", path, page)
		require.Contains(t, page, "已公布：晋环函〔2020〕30号"+when, path)
		m := regexp.MustCompile(`<a id="as-published" href="([^"]*)">按公布时台账所知</a>`).FindStringSubmatch(page)
		require.NotNil(t, m, path)
		link := html.UnescapeString(m[1])
		u, err := url.Parse(link)
		require.NoError(t, err)
		require.Equal(t, strings.SplitN(path, "&", 2)[0], u.Path+"?year="+u.Query().Get("year"), link)
		require.Regexp(t, `^2020-03-20T10:00:00(\.\d+)?\+08:00$`, u.Query().Get("as_of"), "the time recorded, to the nanosecond, in Shanxi time")
		code, then := f.page(domain.Auditor, link)
		require.Equal(t, http.StatusOK, code, "%s: %s", link, then)
		require.Contains(t, then, `id="as-of-basis"`, link)
		require.Contains(t, html.UnescapeString(then), "2020-03-20T10:00:00+08:00", link) // the date, in Shanxi time
		require.Contains(t, then, "已公布：晋环函〔2020〕30号"+when, link)
		require.NotContains(t, then, "水质得分 100.00 → ", link) // the withdrawal came later
	}
	code, page := f.page(domain.Auditor, "/cities?year=2019&lang=en")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, page, `Published: 晋环函〔2020〕30号 (published <span id="published-at">2020-03-20 10:00</span>) · <a id="as-published"`)
}

// The links between the pages of one city keep the date: the enterprise's
// city link, the navigation's audit link (to the page's own city), and the
// audit page's links back to the city and the ranking.
func TestCityLinksKeepTheDate(t *testing.T) {
	f := setupAsOf(t)
	uscc := f.yellowCarded(t, "91140800MA0K9XRB3", "运城市某焦化有限公司", "140800", "运城市环境保护局",
		"运环监〔2020〕31号", "2020-04-01", "运环罚〔2020〕7号", "2020-04-05", "2020-09-30")
	code, page := f.page(domain.Auditor, "/enterprise/"+uscc+"?as_of=2020-05-01")
	require.Equal(t, http.StatusOK, code, page)
	require.Contains(t, page, `<a id="city-link" href="/city/140800?as_of=2020-05-01">运城</a>`)
	require.Contains(t, page, `<a href="/audit/140800?as_of=2020-05-01">审计</a>`)
	code, page = f.page(domain.Auditor, "/enterprise/"+uscc)
	require.Equal(t, http.StatusOK, code, page)
	require.Contains(t, page, `<a id="city-link" href="/city/140800">运城</a>`)
	require.Contains(t, page, `<a href="/audit/140800">审计</a>`)

	code, page = f.page(domain.Auditor, "/audit/140900?as_of=2020-04-16")
	require.Equal(t, http.StatusOK, code, page)
	require.Contains(t, page, `<p id="audit-back"><a href="/city/140900?as_of=2020-04-16">忻州</a> · <a href="/cities?as_of=2020-04-16">城市排名</a></p>`)
	code, page = f.page(domain.Auditor, "/audit/140900")
	require.Equal(t, http.StatusOK, code, page)
	require.Contains(t, page, `<p id="audit-back"><a href="/city/140900">忻州</a> · <a href="/cities">城市排名</a></p>`)
}

// The API answers what the pages do: the published view as the ledger
// knew it on a date, or 404 if the year was not published then, and the
// computed year saying whether, by which notice and when it was published
// by the time it is of.
func TestAPIPublicationAsOf(t *testing.T) {
	f := setupAsOf(t)
	code, b := f.do("GET", "/api/assessment/2019/published?as_of=2020-02-01", domain.Auditor, "", "")
	require.Equal(t, http.StatusNotFound, code, string(b))
	require.Contains(t, string(b), `"field":"as_of"`)
	require.Contains(t, string(b), "2019 was not published as of 2020-02-01")

	type view struct {
		PublishedAt  string                     `json:"published_at"`
		AsOf         string                     `json:"as_of"`
		Changed      map[string][]string        `json:"changed"`
		Consequences map[string]json.RawMessage `json:"consequences"`
	}
	var then, later, now view
	code, b = f.do("GET", "/api/assessment/2019/published?as_of=2020-03-31", domain.Auditor, "", "")
	require.Equal(t, http.StatusOK, code, string(b))
	require.NoError(t, json.Unmarshal(b, &then))
	require.Equal(t, "2020-03-20T10:00:00+08:00", then.PublishedAt)
	require.Equal(t, "2020-03-31T23:59:59.999999+08:00", then.AsOf)
	require.Empty(t, then.Changed, "nothing corrected by 31 March")
	require.Empty(t, then.Consequences)
	code, b = f.do("GET", "/api/assessment/2019/published?as_of=2020-04-16", domain.Auditor, "", "")
	require.Equal(t, http.StatusOK, code, string(b))
	require.NoError(t, json.Unmarshal(b, &later))
	require.Contains(t, later.Changed, "140900", "the withdrawal of 15 April")
	require.Empty(t, later.Consequences, "the interview came on 20 April")
	code, b = f.do("GET", "/api/assessment/2019/published", domain.Auditor, "", "")
	require.Equal(t, http.StatusOK, code, string(b))
	require.NoError(t, json.Unmarshal(b, &now))
	require.Empty(t, now.AsOf)
	require.Contains(t, now.Consequences, "140800")

	type publication struct {
		Published   bool   `json:"published"`
		Document    string `json:"document"`
		PublishedAt string `json:"published_at"`
	}
	for query, want := range map[string]publication{
		"?as_of=2020-02-01":       {},
		"?as_of=2020-03-31":       {true, "晋环函〔2020〕30号", "2020-03-20T10:00:00+08:00"},
		"":                        {true, "晋环函〔2020〕30号", "2020-03-20T10:00:00+08:00"},
		"?as_happened=2020-02-01": {},
	} {
		code, b := f.do("GET", "/api/assessment/2019"+query, domain.Auditor, "", "")
		require.Equal(t, http.StatusOK, code, "%s: %s", query, b)
		var got struct {
			Year        int          `json:"year"`
			Results     []any        `json:"results"`
			Publication *publication `json:"publication"`
		}
		require.NoError(t, json.Unmarshal(b, &got))
		require.Equal(t, 2019, got.Year, query)
		require.NotEmpty(t, got.Results, query)
		require.NotNil(t, got.Publication, "%s: %s", query, b)
		require.Equal(t, want, *got.Publication, query)
	}

	// Both are documented.
	code, b = f.do("GET", "/api/openapi.json", "", "", "")
	require.Equal(t, http.StatusOK, code)
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct{ Name string } `json:"parameters"`
		} `json:"paths"`
		Components struct {
			Schemas map[string]struct {
				Properties map[string]any `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	require.NoError(t, json.Unmarshal(b, &doc))
	var names []string
	for _, p := range doc.Paths["/api/assessment/{year}/published"]["get"].Parameters {
		names = append(names, p.Name)
	}
	require.Contains(t, names, "as_of")
	require.Contains(t, doc.Components.Schemas["Assessment"].Properties, "publication")
	require.Contains(t, doc.Components.Schemas["Assessment"].Properties, "results")
	require.Contains(t, doc.Components.Schemas["PublishedView"].Properties, "as_of")
}

// What corrections changed since a publication is said in Chinese beside
// the English (changed_zh), item for item, as app.DiffResults says it and
// the dashboard shows it; documented in the OpenAPI schema.
func TestPublishedChangedInChinese(t *testing.T) {
	f := setupAsOf(t)
	var v struct {
		Published   assessment.ResultsPublished `json:"published"`
		Today       *app.Computation            `json:"today"`
		Changed     map[string][]string         `json:"changed"`
		ChangedZh   map[string][]string         `json:"changed_zh"`
		MethodNote  string                      `json:"method_note"`
		MethodNoteZ *string                     `json:"method_note_zh"`
	}
	code, b := f.do("GET", "/api/assessment/2019/published?as_of=2020-03-31", domain.Auditor, "", "")
	require.Equal(t, http.StatusOK, code, string(b))
	require.Contains(t, string(b), `"changed_zh":{}`, "nothing corrected by 31 March")

	code, b = f.do("GET", "/api/assessment/2019/published?as_of=2020-04-16", domain.Auditor, "", "")
	require.Equal(t, http.StatusOK, code, string(b))
	require.NoError(t, json.Unmarshal(b, &v))
	require.Contains(t, v.Changed, "140900", "the withdrawal of 15 April")
	require.Equal(t, len(v.Changed), len(v.ChangedZh), "the same cities")
	then, ok := v.Published.Result("140900")
	require.True(t, ok)
	var now assessment.Result
	for _, r := range v.Today.Results {
		if r.City == "140900" {
			now = r
		}
	}
	zh, en := app.DiffResults(then, now)
	require.Equal(t, en, v.Changed["140900"])
	require.Equal(t, zh, v.ChangedZh["140900"])
	require.Contains(t, strings.Join(v.ChangedZh["140900"], "；"), "水质得分 100.00 → ")
	require.Nil(t, v.MethodNoteZ, "published with today's method: no note")

	code, b = f.do("GET", "/api/openapi.json", "", "", "")
	require.Equal(t, http.StatusOK, code)
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					Description string `json:"description"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	require.NoError(t, json.Unmarshal(b, &doc))
	props := doc.Components.Schemas["PublishedView"].Properties
	require.Contains(t, props["changed_zh"].Description, "in Chinese")
	require.Contains(t, props, "method_note_zh")
}

// The audit page without a date says that one is needed, above the form;
// with one, beside what the ledger knew then, the published figure of each
// year published by then (Xinzhou's 2019: 100.00 as published, less once
// a sample was withdrawn on 15 April).
func TestAuditPageDateAndPublishedFigure(t *testing.T) {
	f := setupAsOf(t)
	code, page := f.page(domain.Auditor, "/audit/140900")
	require.Equal(t, http.StatusOK, code, page)
	require.Contains(t, page, `<p class="card missed" id="audit-needs-date">未选日期：下方只有事件时间线。`)
	require.Contains(t, page, `<form class="inline" method="get" id="audit-date">`)
	require.NotContains(t, page, `id="audit-modes"`)

	code, page = f.page(domain.Auditor, "/audit/140900?as_of=2020-04-16")
	require.Equal(t, http.StatusOK, code, page)
	require.NotContains(t, page, `id="audit-needs-date"`)
	row := regexp.MustCompile(`(?s)<tr><td>2019</td><td>(.*?)</td>`).FindStringSubmatch(page)
	require.NotNil(t, row, page)
	knownThen, _, _ := strings.Cut(row[1], "<br>")
	require.NotContains(t, knownThen, "100.00 优秀", "known then: after the withdrawal")
	require.Contains(t, row[1], `<span class="published-figure">已公布：100.00 优秀 #1 <span class="muted">晋环函〔2020〕30号</span></span>`)

	// Not published by then: no published figure.
	code, page = f.page(domain.Auditor, "/audit/140900?as_of=2020-03-01")
	require.Equal(t, http.StatusOK, code, page)
	require.Contains(t, page, `id="audit-modes"`)
	require.NotContains(t, page, "published-figure")
}

// Dates at the edges, read alike by the pages and the API: a date before
// any year assessed names as_of (the year followed it), a year with
// nothing known then says so, a date after today is refused naming the
// field, a date is written one way only (2020-03-15) or as RFC 3339, and
// an RFC 3339 time is echoed in Shanxi time.
func TestDateEdges(t *testing.T) {
	f := setupAsOf(t) // today is 1 May 2020

	code, page := f.page(domain.Auditor, "/cities?as_of=1999-01-01")
	require.Equal(t, http.StatusBadRequest, code, page)
	require.Contains(t, page, "as_of: 1999-01-01 is before 2016, the first year the ledger assesses")
	require.NotContains(t, page, "year:")

	for _, path := range []string{"/cities?year=2019&as_of=1999-01-01", "/city/140800?year=2019&as_of=1999-01-01"} {
		code, page = f.page(domain.Auditor, path)
		require.Equal(t, http.StatusOK, code, "%s: %s", path, page)
		require.Contains(t, page, `id="nothing-to-assess">该年度尚无可评价的数据`, path)
		require.NotContains(t, page, `id="city-ranking"`, path)
	}

	// After today: refused by every page and endpoint that takes the date.
	for _, path := range []string{"/cities?as_of=2020-05-02", "/city/140800?as_of=2030-01-01", "/audit/140800?as_of=2020-05-02",
		"/audit/140800?at=2020-05-02", "/tasks?as_of=2020-05-02", "/cards?as_of=2020-05-01T16:00:00Z"} {
		code, page = f.page(domain.Auditor, path)
		require.Equal(t, http.StatusBadRequest, code, "%s: %s", path, page)
		require.Regexp(t, `(as_of|at): 20[23]0-0?[15]-0[12]\S* is after today \(2020-05-01, Shanxi time\)`, page, path)
	}
	for _, path := range []string{"/api/assessment/2019?as_of=2020-05-02", "/api/assessment/2019/published?as_of=2030-01-01",
		"/api/events?as_of=2020-05-02", "/api/audit/cities/140800?at=2020-05-02", "/api/cards?as_of=2020-05-02", "/api/quality/basins?as_of=2020-05-02"} {
		code, b := f.do("GET", path, domain.Auditor, "", "")
		require.Equal(t, http.StatusBadRequest, code, "%s: %s", path, b)
		require.Contains(t, string(b), "is after today (2020-05-01, Shanxi time)", path)
	}
	// Today, and a time earlier today, are taken.
	for _, path := range []string{"/cities?as_of=2020-05-01", "/audit/140800?as_of=2020-05-01T09:00:00%2B08:00"} {
		code, page = f.page(domain.Auditor, path)
		require.Equal(t, http.StatusOK, code, "%s: %s", path, page)
	}
	code, b := f.do("GET", "/api/assessment/2019?as_of=2020-05-01", domain.Auditor, "", "")
	require.Equal(t, http.StatusOK, code, string(b))

	// One way of writing a date, in every date parameter and body.
	for _, bad := range []string{"20200315", "2020/3/15", "2020/03/15", "2020-3-15"} {
		for _, path := range []string{"/cities?as_of=", "/audit/140800?as_of=", "/enterprise/x?day=", "/cards?day="} {
			code, page = f.page(domain.Auditor, path+bad)
			require.Equal(t, http.StatusBadRequest, code, "%s%s: %s", path, bad, page)
			require.Contains(t, page, "is neither a date written 2020-03-15 nor an RFC 3339 time", path+bad)
		}
		for _, path := range []string{"/api/assessment/2019?as_of=", "/api/assessment/2019?as_happened=", "/api/events?as_of=", "/api/cards?day="} {
			code, b = f.do("GET", path+bad, domain.Auditor, "", "")
			require.Equal(t, http.StatusBadRequest, code, "%s%s: %s", path, bad, b)
			require.Contains(t, string(b), "is neither a date written 2020-03-15", path+bad)
		}
		code, b = f.do("POST", "/api/assessment/2019/cities/140800/consequences?date="+bad, domain.Assessment,
			`{"kind":"rectification","document":"晋环函〔2020〕50号","authority":"省生态环境厅","deadline":"2020-12-31"}`, "application/json")
		require.Equal(t, http.StatusBadRequest, code, "date=%s: %s", bad, b)
		require.Contains(t, string(b), `"field":"date"`)
		code, b = f.do("POST", "/api/assessment/2019/cities/140800/consequences", domain.Assessment,
			`{"kind":"rectification","document":"晋环函〔2020〕50号","authority":"省生态环境厅","deadline":"`+bad+`"}`, "application/json")
		require.Equal(t, http.StatusBadRequest, code, "deadline %s: %s", bad, b)
		require.Contains(t, string(b), `"field":"deadline"`)
	}
	// ?day= takes an RFC 3339 time too, as its Shanxi day.
	code, b = f.do("GET", "/api/cards?day=2020-03-14T20:00:00Z", domain.Auditor, "", "")
	require.Equal(t, http.StatusOK, code, string(b))

	// An RFC 3339 time is echoed in Shanxi time.
	code, b = f.do("GET", "/api/audit/cities/140900?at=2020-04-16T02:00:00Z", domain.Auditor, "", "")
	require.Equal(t, http.StatusOK, code, string(b))
	require.Contains(t, string(b), `"at":"2020-04-16T10:00:00+08:00"`)
	code, page = f.page(domain.Auditor, "/city/140900?year=2019&as_of=2020-04-16T02:00:00Z")
	require.Equal(t, http.StatusOK, code, page)
	require.Contains(t, page, "所知显示，此后记录的补录、更正和公布均不计： 2020-04-16T10:00:00&#43;08:00")
}

// A consequence entered late shows when it was recorded beside the date it
// was imposed; one entered the day imposed does not. A deadline given as a
// plain date is the end of that day.
func TestConsequenceRecordedAndDeadline(t *testing.T) {
	f := setupAsOf(t) // the interview on Yuncheng recorded on 20 April, dated that day
	code, b := f.do("POST", "/api/assessment/2019/cities/140800/consequences?date=2020-04-01", domain.Assessment,
		`{"kind":"rectification","document":"晋环函〔2020〕38号","authority":"省生态环境厅","deadline":"2020-12-31"}`, "application/json")
	require.Equal(t, 201, code, string(b))
	code, b = f.do("GET", "/api/assessment/2019/published", domain.Auditor, "", "")
	require.Equal(t, http.StatusOK, code, string(b))
	var v struct {
		Consequences map[string][]struct {
			Kind       string `json:"kind"`
			Deadline   string `json:"deadline"`
			ImposedAt  string `json:"imposed_at"`
			RecordedAt string `json:"recorded_at"`
		} `json:"consequences"`
	}
	require.NoError(t, json.Unmarshal(b, &v))
	require.Len(t, v.Consequences["140800"], 2)
	order := v.Consequences["140800"][0]
	require.Equal(t, "rectification", order.Kind)
	require.Equal(t, "2020-12-31T23:59:59+08:00", order.Deadline, "by the end of the day")
	for got, want := range map[string]time.Time{order.ImposedAt: time.Date(2020, 4, 1, 23, 59, 59, 0, domain.CST), order.RecordedAt: time.Date(2020, 5, 1, 10, 0, 0, 0, domain.CST)} {
		at, err := time.Parse(time.RFC3339, got)
		require.NoError(t, err)
		require.True(t, want.Equal(at), "%s, want %s", got, want)
	}

	code, page := f.page(domain.Auditor, "/city/140800?year=2019")
	require.Equal(t, http.StatusOK, code, page)
	require.Contains(t, page, "<li>2020-04-01 · 限期整改 · 晋环函〔2020〕38号 · 省生态环境厅 · 期限 2020-12-31（入账于 2020-05-01）</li>")
	require.Contains(t, page, "<li>2020-04-20 · 约谈 · 晋环函〔2020〕41号 · 省生态环境厅</li>")
	code, page = f.page(domain.Auditor, "/city/140800?year=2019&lang=en")
	require.Equal(t, http.StatusOK, code, page)
	require.Contains(t, page, "deadline 2020-12-31 (recorded 2020-05-01)</li>")
}

// The pages' Chinese: 台账 throughout, as the title says; the as-of field,
// the role, the samples column, the cards column (at the year's end, or on
// the day shown before it), the consequences; Chinese punctuation in the
// city page's lines.
func TestPagesWording(t *testing.T) {
	f := setupAsOf(t)
	for _, path := range []string{"/cities?year=2019&as_of=2020-02-01", "/city/140900?year=2019&as_of=2020-02-01", "/audit/140900?as_of=2020-02-01", "/enterprise/x", "/tasks?as_of=2020-02-01"} {
		_, page := f.page(domain.Auditor, path)
		require.NotContains(t, page, "账本", path)
	}
	code, page := f.page(domain.Auditor, "/city/140800?year=2019")
	require.Equal(t, http.StatusOK, code, page)
	for _, w := range []string{"数据截至（按入账时间）", "person-auditor · 审计人员", "<th>监测次数</th>",
		`<th id="cards-heading">黄红牌（2019年末在册）</th>`, "<b>考核结果运用：</b>", "（各年度，截至今日）"} {
		require.Contains(t, page, w)
	}
	tasks := regexp.MustCompile(`(?s)<div class="card" id="city-tasks">.*?</div>`).FindString(page)
	require.Regexp(t, `<b>重点任务 2019</b>：当年到期 \d+(，逾期结转 \d+)?，按时完成 \d+ · `, tasks)
	require.NotContains(t, tasks, ", ")
	for _, n := range []string{"不合格后果", "牌 (", "截至（记录时间）", "<th>样本数</th>"} {
		require.NotContains(t, page, n)
	}
	code, page = f.page(domain.Auditor, "/city/140800?year=2020&as_of=2020-02-01")
	require.Equal(t, http.StatusOK, code, page)
	require.Contains(t, page, `<th id="cards-heading">黄红牌（截至 2020-02-01 在册）</th>`)
	code, page = f.page(domain.Auditor, "/city/140800?year=2019&lang=en")
	require.Equal(t, http.StatusOK, code, page)
	require.Contains(t, page, `<th id="cards-heading">Card (in force at the end of 2019)</th>`)
}

// A publication computed with an earlier assessment method says so
// wherever its figures stand beside today's: the ranking, the city's page
// (also as known on the day of publication) and the audit page.
func TestOlderMethodSaidBesideThePublication(t *testing.T) {
	clock := ledgertest.NewClock(time.Date(2020, 1, 10, 10, 0, 0, 0, domain.CST))
	f := setupClock(t, clock.Now)
	f.data2019(t)
	clock.Set(time.Date(2020, 3, 20, 10, 0, 0, 0, domain.CST))
	ctx := context.Background()
	c, err := app.Compute(ctx, f.store, 2019, app.Basis{}, app.NewBoardFigures())
	require.NoError(t, err)
	rp := assessment.ResultsPublished{Method: assessment.Method - 1, Year: 2019, Document: "晋环函〔2020〕30号", Position: c.Position, InputsHash: c.InputsHash,
		Aggregates: c.Aggregates, Rules: c.Rules, Results: c.Results, Incomplete: assessment.Gaps(c.Results)}
	evs, err := f.store.Append(ctx, events.Change{Aggregate: app.YearAggregate(2019), Expect: events.NoEvents, Events: []events.Draft{{
		OccurredAt: time.Date(2020, 3, 20, 10, 0, 0, 0, domain.CST), Actor: domain.Actor{ID: "assessor", Role: domain.Assessment}, Data: rp}}})
	require.NoError(t, err)
	require.True(t, f.srv.Live().WaitFor(ctx, evs[0].Position, 10*time.Second))
	note := fmt.Sprintf("公布时采用第%d版计算方法，现行为第%d版", assessment.Method-1, assessment.Method)
	clock.Set(time.Date(2020, 5, 1, 10, 0, 0, 0, domain.CST))
	today := "2020-05-01"
	for _, path := range []string{"/cities?year=2019", "/city/140800?year=2019", "/city/140800?year=2019&as_of=" + today, "/audit/140800?as_of=" + today} {
		code, page := f.page(domain.Auditor, path)
		require.Equal(t, http.StatusOK, code, page)
		require.Contains(t, page, note, path)
	}
	code, page := f.page(domain.Auditor, "/city/140800?year=2019&lang=en")
	require.Equal(t, http.StatusOK, code, page)
	require.Contains(t, page, html.EscapeString(fmt.Sprintf("published with method %d, today's is %d", assessment.Method-1, assessment.Method)))
	// The API says it in both languages.
	code, b := f.do("GET", "/api/assessment/2019/published", domain.Auditor, "", "")
	require.Equal(t, http.StatusOK, code, string(b))
	var v struct {
		MethodNote   string `json:"method_note"`
		MethodNoteZh string `json:"method_note_zh"`
	}
	require.NoError(t, json.Unmarshal(b, &v))
	require.Contains(t, v.MethodNote, fmt.Sprintf("published with method %d", assessment.Method-1))
	require.Contains(t, v.MethodNoteZh, note)
}
