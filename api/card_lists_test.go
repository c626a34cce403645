package api_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/api"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/ledgertest"
)

// rowOf is the table row of page that holds s; "" if none.
func rowOf(page, s string) string {
	for _, r := range regexp.MustCompile(`(?s)<tr>.*?</tr>`).FindAllString(page, -1) {
		if strings.Contains(r, s) {
			return r
		}
	}
	return ""
}

// The quarterly public lists of yellow- and red-card enterprises on the
// dashboard: the lists published (scope, quarter, notice, date, late or
// not, whether the hash verifies, whether the list recomputed now is the
// one published), and one list's entries as published, with how the list
// recomputed now differs from it (a card revoked since, a lifting dated in
// the quarter and recorded late); as the ledger knew them on ?as_of=; in
// Chinese by default, in English on the switch.
//
// Yuncheng's 2019Q1 list is published on time on 10 April 2019 with two
// yellow cards; Taiyuan's, empty, late on 20 May; the same day one of
// Yuncheng's cards is revoked on appeal and the other's lifting on 25
// March is recorded.
func TestCardListPages(t *testing.T) {
	clock := ledgertest.NewClock(time.Date(2019, 4, 10, 10, 0, 0, 0, domain.CST))
	f := setupClock(t, clock.Now)
	a := f.yellowCarded(t, "91140800MA0K9XRJ1", "运城市某焦化有限公司", "140800", "运城市环境保护局",
		"运环监〔2019〕11号", "2019-02-05", "运环罚〔2019〕5号", "2019-02-10", "2019-05-31")
	b := f.yellowCarded(t, "91140800MA0K9XRK2", "运城市某印染有限公司", "140800", "运城市环境保护局",
		"运环监〔2019〕12号", "2019-03-01", "运环罚〔2019〕6号", "2019-03-05", "2019-06-30")
	code, body := f.do("POST", "/api/card-lists/运城/2019Q1/publish", domain.Enforcement, `{"authority":"运城市环境保护局","document_no":"运环公告〔2019〕1号"}`, "application/json")
	require.Equal(t, http.StatusCreated, code, string(body))

	clock.Set(time.Date(2019, 5, 20, 10, 0, 0, 0, domain.CST))
	for _, step := range []struct{ path, body string }{
		{"/api/card-lists/太原/2019Q1/publish", `{"authority":"太原市环境保护局","document_no":"并环公告〔2019〕1号"}`},
		{"/api/enterprises/" + b + "/revocations?date=2019-05-18", `{"card":"运环罚〔2019〕6号","document_no":"运政复〔2019〕3号","authority":"运城市人民政府","reason":"监测采样程序违法"}`},
		{"/api/enterprises/" + a + "/inspections?date=2019-03-20", `{"document_no":"运环监〔2019〕30号","authority":"运城市环境保护局","card":"运环罚〔2019〕5号","findings":["compliant"]}`},
		{"/api/enterprises/" + a + "/lifts?date=2019-03-25", `{"card":"运环罚〔2019〕5号","document_no":"运环罚〔2019〕9号","authority":"运城市环境保护局","reinspection":"运环监〔2019〕30号"}`},
	} {
		code, body := f.do("POST", step.path, domain.Enforcement, step.body, "application/json")
		require.Equal(t, http.StatusCreated, code, "%s: %s", step.path, body)
	}
	clock.Set(time.Date(2019, 5, 21, 10, 0, 0, 0, domain.CST))

	// The lists published, the newest first; a link in the navigation.
	code, page := f.page(domain.Auditor, "/card-lists")
	require.Equal(t, http.StatusOK, code, page)
	require.Contains(t, page, `<a href="/cards">黄牌红牌名录</a><a href="/card-lists">黄牌红牌名单</a>`)
	require.Contains(t, page, `<h2 id="card-lists-title">黄牌红牌名单</h2>`)
	yc := rowOf(page, "运环公告〔2019〕1号")
	require.Contains(t, yc, `<a href="/card-lists/140800/2019Q1">2019年第1季度</a></td><td class="nowrap">运城</td><td>运环公告〔2019〕1号</td><td>运城市环境保护局</td>`)
	require.Contains(t, yc, `<td class="nowrap">2019-04-10 10:00</td>`, "on time")
	require.Contains(t, yc, `<td class="num">2</td><td class="num">0</td>`, "two yellow cards, no red")
	require.Contains(t, yc, `<span class="ok">✓ 一致</span>`, "its hash verifies")
	require.Contains(t, yc, `<span class="missed">与公布时不同</span>`, "recomputed today, it differs")
	ty := rowOf(page, "并环公告〔2019〕1号")
	require.Contains(t, ty, `<td class="nowrap">太原</td>`)
	require.Contains(t, ty, `2019-05-20 10:00<br><span class="missed">逾期公布（期限 2019-04-30）</span>`)
	require.Contains(t, ty, `<td class="num">0</td><td class="num">0</td>`)
	require.Contains(t, ty, "与公布时一致")
	require.Contains(t, page, "<th>按今日所知重新计算</th>")
	code, page = f.page(domain.Auditor, "/card-lists?city=140100")
	require.Equal(t, http.StatusOK, code, page)
	require.Contains(t, page, "并环公告〔2019〕1号")
	require.NotContains(t, page, "运环公告〔2019〕1号", "a city's lists only")

	// Yuncheng's list as published, and how it differs recomputed today.
	code, page = f.page(domain.Auditor, "/card-lists/140800/2019Q1")
	require.Equal(t, http.StatusOK, code, page)
	require.Contains(t, page, `<h2 id="card-list-title">运城 · 2019年第1季度 · 黄牌红牌名单</h2>`)
	require.Contains(t, page, `<b>已公布：运环公告〔2019〕1号</b> · 运城市环境保护局 · 公布日期 2019-04-10 10:00<br>`)
	require.NotContains(t, page, "逾期公布")
	require.Contains(t, page, `<span class="ok">✓ 哈希校验一致：所存名单即公布时的名单</span>`)
	require.Contains(t, page, `id="list-count">黄牌 2 · 红牌 0</p>`)
	require.Contains(t, page, "<th>牌</th><th>企业</th><th>统一社会信用代码</th>")
	list := page[strings.Index(page, `<table id="card-list">`):]
	entry := rowOf(list, "运环罚〔2019〕5号")
	require.Contains(t, entry, `<td class="nowrap card-yellow">黄牌</td><td><a href="/enterprise/`+a+`?day=2019-03-31">运城市某焦化有限公司</a> <span class="muted">重点排污单位</span></td><td class="nowrap">`+a+`</td>`)
	require.Contains(t, entry, `<td class="nowrap">2019-02-10</td><td>限制生产</td><td class="nowrap">2019-05-31</td><td>超标排放</td><td class="nowrap">在册</td>`, "as published: in force at the quarter's end")
	require.NotEmpty(t, rowOf(list, "运环罚〔2019〕6号"), "the card revoked since is on the list as published")
	changes := page[strings.Index(page, `id="list-today"`):strings.Index(page, `id="list-count"`)]
	require.Contains(t, changes, "按今日所知重新计算，名单与公布时不同（此后撤销、补录或更正的记录）：")
	require.Contains(t, rowOf(changes, "运环罚〔2019〕6号"), "公布的名单上有，重新计算的名单上没有：已撤销 2019-05-18 运政复〔2019〕3号 运城市人民政府")
	require.Contains(t, rowOf(changes, "运环罚〔2019〕5号"), "两份名单上都有，内容不同<br>季度末状态：在册 → 已摘牌<br>终止：— → 2019-03-25")
	text := regexp.MustCompile(`class="[^"]*"`).ReplaceAllString(page[strings.Index(page, "<main>"):], "")
	require.NotRegexp(t, `\b(in_force|lifted|limit_production|over_standard|yellow)\b`, text, "no code on a Chinese page")

	// In English.
	code, page = f.page(domain.Auditor, "/card-lists/140800/2019Q1?lang=en")
	require.Equal(t, http.StatusOK, code, page)
	require.Contains(t, page, `<h2 id="card-list-title">Yuncheng · 2019 Q1 · Public card lists</h2>`)
	require.Contains(t, page, "The hash verifies: the list stored is the list published")
	require.Contains(t, page, "<th>Unified social credit code</th>")
	require.Contains(t, page, "on both, not alike<br>Status at the quarter&#39;s end: in force → lifted")
	require.Contains(t, page, "on the list published, not on the list recomputed: revoked 2019-05-18")
	code, page = f.page(domain.Auditor, "/card-lists/140100/2019Q1?lang=en")
	require.Equal(t, http.StatusOK, code, page)
	require.Contains(t, page, `id="published-late">published late (due 2019-04-30)</span>`)
	require.Contains(t, page, `id="empty-list">The list is empty`)
	require.Contains(t, page, "Recomputed from what is known today, the list is the one published")

	// As the ledger knew it on 1 May: Yuncheng's list published, nothing
	// recorded since; Taiyuan's not yet published. The links keep the date.
	code, page = f.page(domain.Auditor, "/card-lists?as_of=2019-05-01")
	require.Equal(t, http.StatusOK, code, page)
	require.Contains(t, page, `id="as-of-basis">本页按台账在以下日期所知显示`)
	require.Contains(t, page, `<a href="/card-lists?as_of=2019-05-01">黄牌红牌名单</a>`)
	require.Contains(t, page, `<a href="/card-lists/140800/2019Q1?as_of=2019-05-01">2019年第1季度</a>`)
	require.Contains(t, page, "<th>按台账当时所知重新计算</th>")
	require.Contains(t, rowOf(page, "运环公告〔2019〕1号"), "与公布时一致")
	require.NotContains(t, page, "并环公告〔2019〕1号")
	code, page = f.page(domain.Auditor, "/card-lists/140800/2019Q1?as_of=2019-05-01")
	require.Equal(t, http.StatusOK, code, page)
	require.Contains(t, page, "按台账当时所知重新计算，名单与公布时一致")
	require.NotContains(t, page, `id="list-changes"`)
	require.Contains(t, page, `href="/enterprise/`+a+`?day=2019-03-31&amp;as_of=2019-05-01"`)
	// On 1 April nothing was recorded: not published then, and empty.
	code, page = f.page(domain.Auditor, "/card-lists/140800/2019Q1?as_of=2019-04-01")
	require.Equal(t, http.StatusOK, code, page)
	require.Contains(t, page, `id="not-published">当时尚未公布：以下为按台账当时所知计算的名单。</p>`)
	require.Contains(t, page, `id="empty-list"`)

	// The API the same: the list as published and as recomputed, as the
	// ledger knew them on 1 May (both alike), and today (not).
	for _, tc := range []struct {
		path  string
		alike bool
	}{{"/api/card-lists/140800/2019Q1?as_of=2019-05-01", true}, {"/api/card-lists/140800/2019Q1", false}} {
		code, body := f.do("GET", tc.path, domain.Auditor, "", "")
		require.Equal(t, http.StatusOK, code, string(body))
		var v api.CardListView
		require.NoError(t, json.Unmarshal(body, &v))
		require.NotNil(t, v.Published, tc.path)
		require.Equal(t, tc.alike, v.Today.Hash() == v.Published.SHA256, tc.path)
	}
	code, body = f.do("GET", "/api/card-lists/140100/2019Q1?as_of=2019-05-01", domain.Auditor, "", "")
	require.Equal(t, http.StatusOK, code, string(body))
	require.NotContains(t, string(body), `"published"`, "Taiyuan's not yet published on 1 May")

	// A quarter not published, not ended: the list as it stands, said so;
	// the card revoked is not on it.
	code, page = f.page(domain.Auditor, "/card-lists/140800/2019Q2")
	require.Equal(t, http.StatusOK, code, page)
	require.Contains(t, page, `id="not-published">尚未公布：以下为按今日所知计算的名单，不是公布的名单。 该季度尚未结束，名单仍会变化。</p>`)
	require.NotContains(t, page, "运环罚〔2019〕5号", "lifted in Q1")
	require.NotContains(t, page, "运环罚〔2019〕6号", "revoked")
	require.Contains(t, page, `id="empty-list"`)

	// A scope or quarter that is none.
	code, page = f.page(domain.Auditor, "/card-lists/Mars/2019Q1")
	require.Equal(t, http.StatusNotFound, code, page)
	code, page = f.page(domain.Auditor, "/card-lists/140800/2019Q5")
	require.Equal(t, http.StatusBadRequest, code, page)
	code, page = f.page(domain.Auditor, "/card-lists/140800/2019Q1?day=2019-03-31")
	require.Equal(t, http.StatusBadRequest, code, "not a parameter of the page: %s", page)
}

// A quarter's list published on paper and entered later is dated as it
// was published (?date=, as any enforcement action): whether it was late
// is judged by that date, and the entry keeps its own recorded-at. A date
// in the future, or before the quarter ended, is refused naming date, as
// for the other actions. Before, the publication was always dated the
// entry: a list published on 10 April and entered on 20 May was late.
func TestCardListPublishedOnADate(t *testing.T) {
	f := setup(t) // the server's today: 1 June 2020
	publish := func(scope, quarter, query, doc string) (int, []byte) {
		return f.do("POST", "/api/card-lists/"+scope+"/"+quarter+"/publish"+query, domain.Enforcement,
			`{"authority":"运城市环境保护局","document_no":"`+doc+`"}`, "application/json")
	}
	published := func(scope, quarter string) *api.CardListView {
		t.Helper()
		code, b := f.do("GET", "/api/card-lists/"+scope+"/"+quarter, domain.Auditor, "", "")
		require.Equal(t, http.StatusOK, code, string(b))
		var v api.CardListView
		require.NoError(t, json.Unmarshal(b, &v))
		require.NotNil(t, v.Published, string(b))
		return &v
	}

	before := f.last()
	code, b := publish("运城", "2019Q1", "?date=2099-01-01", "运环公告〔2019〕1号")
	require.Equal(t, http.StatusBadRequest, code, string(b))
	require.Contains(t, string(b), `"field":"date"`)
	require.Contains(t, string(b), "is in the future")
	code, b = publish("运城", "2019Q1", "?date=2019-03-31", "运环公告〔2019〕1号")
	require.Equal(t, http.StatusConflict, code, string(b))
	require.Contains(t, string(b), `"field":"date"`)
	require.Contains(t, string(b), "2019Q1 ends on 2019-03-31: its list is published after it")
	require.Contains(t, string(b), "2019 年第 1 季度于 2019-03-31 结束：该季度的黄牌红牌名单在季度结束后公布")
	code, b = publish("运城", "2019Q1", "?date=2019-04-31", "运环公告〔2019〕1号")
	require.Equal(t, http.StatusBadRequest, code, string(b))
	require.Contains(t, string(b), `"field":"date"`)
	require.Equal(t, before, f.last(), "nothing stored")

	// Published on paper on 10 April, within the month; another on 20 May,
	// after it; a third entered without a date, today.
	code, b = publish("运城", "2019Q1", "?date=2019-04-10", "运环公告〔2019〕1号")
	require.Equal(t, http.StatusCreated, code, string(b))
	code, b = publish("运城", "2019Q2", "?date=2019-08-20", "运环公告〔2019〕2号")
	require.Equal(t, http.StatusCreated, code, string(b))
	code, b = publish("运城", "2019Q3", "", "运环公告〔2019〕3号")
	require.Equal(t, http.StatusCreated, code, string(b))

	q1 := published("运城", "2019Q1").Published
	require.Equal(t, "2019-04-10", q1.PublishedAt.In(domain.CST).Format(time.DateOnly))
	require.False(t, q1.Late, "published on 10 April, due by 1 May")
	require.Greater(t, q1.RecordedAt.Sub(q1.PublishedAt), 24*time.Hour, "recorded when it was entered, not on the date given")
	q2 := published("运城", "2019Q2").Published
	require.Equal(t, "2019-08-20", q2.PublishedAt.In(domain.CST).Format(time.DateOnly))
	require.True(t, q2.Late, "published on 20 August, due by 1 August")
	q3 := published("运城", "2019Q3").Published
	require.Equal(t, "2020-06-01", q3.PublishedAt.In(domain.CST).Format(time.DateOnly), "no date: now")
	require.True(t, q3.Late)
}
