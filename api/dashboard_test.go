package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"image/png"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/api"
	"github.com/shanxi-water/ledger/domain"
)

// chromium finds Debian's chromium. CI installs it (.ci/run) and sets
// LEDGER_REQUIRE_CHROMIUM, so there the test cannot quietly skip.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("LEDGER_REQUIRE_CHROMIUM") != "" {
		t.Fatal("chromium is required (LEDGER_REQUIRE_CHROMIUM is set) but not installed")
	}
	t.Skip("skipped: no chromium on this machine (apt-get install chromium fonts-noto-cjk; .ci/run installs it)")
	return ""
}

// browse opens path in headless chromium after signing in with the role's
// token, and returns the rendered DOM and a screenshot.
func (f *fixture) browse(t *testing.T, bin string, role domain.Role, path string) (string, []byte) {
	t.Helper()
	u := f.url + "/login?token=" + url.QueryEscape(f.tokens[role]) + "&next=" + url.QueryEscape(path)
	dir := t.TempDir()
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
		"--user-data-dir=" + filepath.Join(dir, "profile"), "--window-size=1280,1000"}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	dom, err := exec.CommandContext(ctx, bin, append(args, "--dump-dom", u)...).Output()
	require.NoError(t, err)
	shot := filepath.Join(dir, "page.png")
	out, err := exec.CommandContext(ctx, bin, append(args, "--screenshot="+shot, u)...).CombinedOutput()
	require.NoError(t, err, string(out))
	png, err := os.ReadFile(shot)
	require.NoError(t, err)
	if d := os.Getenv("LEDGER_SCREENSHOTS"); d != "" {
		_ = os.WriteFile(filepath.Join(d, strings.NewReplacer("/", "_", "?", "_", "=", "_").Replace(path)+".png"), png, 0o644)
	}
	return string(dom), png
}

// pixels counts the screenshot's pixels within 8 of a colour on each channel.
func pixels(t *testing.T, shot []byte, hex string) int {
	img, err := png.Decode(bytes.NewReader(shot))
	require.NoError(t, err)
	var r0, g0, b0 int
	_, err = fmt.Sscanf(hex, "#%02x%02x%02x", &r0, &g0, &b0)
	require.NoError(t, err)
	n := 0
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if abs(int(r>>8)-r0) <= 8 && abs(int(g>>8)-g0) <= 8 && abs(int(b>>8)-b0) <= 8 {
				n++
			}
		}
	}
	return n
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func TestDashboardInChromium(t *testing.T) {
	bin := chromium(t)
	f := setup(t)
	var csv strings.Builder
	csv.WriteString("section,sampled_at,source,DO,NH3N,TP\n")
	for m := 1; m <= 12; m++ {
		fmt.Fprintf(&csv, "FH-HJDQ,2019-%02d-10 09:00,manual,4.1,2.6,0.36\n", m) // 劣V
		fmt.Fprintf(&csv, "HH-NZ,2019-%02d-10 09:00,manual,8.1,0.2,0.05\n", m)   // II
	}
	code, b := f.do("POST", "/api/samples/import", domain.Admin, csv.String(), "text/csv")
	require.Equal(t, 200, code, string(b))

	// The province overview, in Chinese by default: chart and table.
	dom, shot := f.browse(t, bin, domain.Auditor, "/")
	require.Contains(t, dom, "山西省水污染防治考核台账")
	require.Contains(t, dom, `id="basin-chart"`)
	require.Contains(t, dom, `class="bar-iii"`)
	require.Contains(t, dom, "黄河流域")
	require.Contains(t, dom, `id="lang-switch" href="/?lang=en">English`)
	require.Greater(t, pixels(t, shot, "#7fb3d5"), 200, "the Hai-River section at class II is drawn as a bar up")
	require.Greater(t, pixels(t, shot, "#e06060"), 200, "the Yellow-River section worse than V is drawn as a bar down")
	require.Contains(t, dom, `<td>2019</td><td>黄河流域</td><td class="num">1</td>`)

	// The English switch, which keeps the page's query.
	dom, _ = f.browse(t, bin, domain.Auditor, "/cities?year=2019")
	require.Contains(t, dom, `id="lang-switch" href="/cities?lang=en&amp;year=2019">English`)
	dom, _ = f.browse(t, bin, domain.Auditor, "/?lang=en")
	require.Contains(t, dom, "Shanxi Water-Pollution Assessment Ledger")
	require.Contains(t, dom, "Yellow River")
	require.NotContains(t, dom, "黄河流域")

	// A city page: its sections' classes as a chart, red for 劣V.
	dom, shot = f.browse(t, bin, domain.Auditor, "/city/140800?year=2019")
	require.Contains(t, dom, "河津大桥")
	require.Contains(t, dom, `id="class-chart"`)
	require.Contains(t, dom, "劣Ⅴ")
	require.Greater(t, pixels(t, shot, "#d32f2f"), 100, "劣Ⅴ months are red")

	// The city ranking with grades, once rules are adopted and 2019 published.
	code, b = f.do("POST", "/api/assessment/rules", domain.Assessment, standardRules, "application/json")
	require.Equal(t, 201, code, string(b))
	// The fixture registers sections in two cities: publishing says so, and
	// publishes once told it is knowingly incomplete, which it records.
	code, b = f.do("POST", "/api/assessment/2019/publish", domain.Assessment, `{"document":"晋环函〔2020〕30号"}`, "application/json")
	require.Equal(t, 409, code, string(b))
	require.Contains(t, string(b), `"field":"incomplete"`)
	code, b = f.do("POST", "/api/assessment/2019/publish", domain.Assessment, `{"document":"晋环函〔2020〕30号","incomplete":true}`, "application/json")
	require.Equal(t, 201, code, string(b))
	require.Contains(t, string(b), `"incomplete":[{"city":"140100","no_sections":true}`)
	dom, _ = f.browse(t, bin, domain.Auditor, "/cities?year=2019")
	require.Contains(t, dom, `id="city-ranking"`)
	require.Contains(t, dom, "晋环函〔2020〕30号")
	require.Contains(t, dom, `href="/api/exports/assessment/2019?lang=zh"`, "the ranking as a download")
	require.Contains(t, dom, "忻州")
	require.Contains(t, dom, `class="grade-fail">不合格`, "Yuncheng's section is worse than V: it fails")
	// Each quarter's ranking by water quality: 忻州's section, class II,
	// before 运城's, worse than V; the other cities sampled nothing.
	require.Contains(t, dom, `id="quarter-ranking"`)
	require.Contains(t, dom, "各季度城市地表水质量排名")
	require.Regexp(t, `<td>忻州</td>(<td class="num">1 \([0-9.]+\)</td>){4}`, dom)
	require.Regexp(t, `<td>运城</td>(<td class="num">2 \([0-9.]+\)</td>){4}`, dom)
	require.Regexp(t, `<td>太原</td>(<td class="num">—</td>){4}`, dom)
	require.NotContains(t, dom, `id="provisional"`, "2019 has ended")
	// The server's day is 2020-06-01: 2020's figures are provisional.
	// 2020 has no samples yet: nothing to assess, rather than every city
	// failed and one of them first.
	dom, _ = f.browse(t, bin, domain.Auditor, "/cities?year=2020")
	require.Contains(t, dom, `id="nothing-to-assess"`)
	require.NotContains(t, dom, `id="city-ranking"`)
	require.NotContains(t, dom, "不合格")
	dom, _ = f.browse(t, bin, domain.Auditor, "/city/140800?year=2020")
	require.Contains(t, dom, `id="nothing-to-assess"`)
	require.NotContains(t, dom, `id="city-score"`)
	code, b = f.do("GET", "/api/assessment/2020", domain.Auditor, "", "")
	require.Equal(t, 404, code, string(b))
	require.Contains(t, string(b), "nothing to assess")
	code, b = f.do("GET", "/api/assessment/2019?as_happened=2019-06-30", domain.Auditor, "", "")
	require.Equal(t, 404, code, "six months sampled by then: %s", b)
	// By 20 December 2019 the twelve months had been sampled (on the
	// 10th), but the year had not ended.
	code, b = f.do("GET", "/api/assessment/2019?as_happened=2019-12-20", domain.Auditor, "", "")
	require.Equal(t, 200, code, string(b))
	require.Contains(t, string(b), `"provisional":true`, "2019 as it had happened by 20 December 2019")
	// The fixture's events were recorded today: none by then, and a chain
	// of no events is not called intact.
	dom, _ = f.browse(t, bin, domain.Auditor, "/audit/140800?as_of=2019-12-20")
	require.Contains(t, dom, "尚无记录的事件")
	require.NotContains(t, dom, "哈希链完整")
	code, b = f.do("POST", "/api/assessment/2020/publish", domain.Assessment, `{"document":"晋环函〔2020〕99号"}`, "application/json")
	require.Equal(t, 400, code, "2020 has not ended: %s", b)

	// An enterprise under a yellow card: its 12-quarter strip.
	uscc := f.yellowCarded(t, "91140800MA0K9XRB3", "运城市某焦化有限公司", "140800", "运城市环境保护局",
		"运环监〔2020〕31号", "2020-06-05", "运环罚〔2020〕7号", "2020-06-10", "2020-09-30")
	dom, shot = f.browse(t, bin, domain.Auditor, "/enterprise/"+uscc+"?day=2020-06-30") // the card is dated after the server's day
	require.Contains(t, dom, "运城市某焦化有限公司")
	require.Contains(t, dom, `id="strip"`)
	require.Equal(t, 12, strings.Count(dom, `class="quarter `), "twelve quarters")
	require.Contains(t, dom, "运环罚〔2020〕7号")
	require.Greater(t, pixels(t, shot, "#f4c20d"), 500, "the quarter under the yellow card is yellow")
	require.Contains(t, dom, "黄牌")
	require.Contains(t, dom, "限制生产")
	require.Contains(t, dom, "超标排放")
	require.NotContains(t, dom, "limit_production", "no code on a Chinese page")
	require.Contains(t, dom, `id="strip-legend"`)
	require.Contains(t, dom, "未发现违规，本季度未检查", "a quarter without an inspection is not called compliant")
	require.Regexp(t, `<td class="nowrap">2020-09-30</td><td class="nowrap">在册</td>`, dom, "the card's deadline and status")

	// The card register: the card in force, past its rectification
	// deadline in October; nothing under a card before it was issued.
	dom, _ = f.browse(t, bin, domain.Enforcement, "/cards?day=2020-10-05")
	require.Contains(t, dom, `id="card-register"`)
	require.Contains(t, dom, `/enterprise/`+uscc+`?day=2020-10-05">运城市某焦化有限公司`, "the enterprise as of the register's day")
	require.Contains(t, dom, "已过整改期限")
	require.Contains(t, dom, `href="/api/exports/cards?day=2020-10-05&amp;lang=zh"`)
	require.Contains(t, dom, `id="who">person-enforcement · 执法`, "who is signed in")
	dom, _ = f.browse(t, bin, domain.Enforcement, "/cards?day=2019-01-01")
	require.Contains(t, dom, `id="no-cards"`)
	dom, _ = f.browse(t, bin, domain.Enforcement, "/cards?day=2020-10-05&city=太原")
	require.Contains(t, dom, `id="no-cards"`, "none in Taiyuan")
	require.Contains(t, dom, "<b>太原</b>")

	// The plan's tasks, a city's, as they stood at the end of 2019: none
	// progressed, so those due by then are overdue, the most overdue first.
	code, b = f.do("POST", "/api/tasks/catalogue", domain.Admin, "", "")
	require.Equal(t, 201, code, string(b))
	dom, _ = f.browse(t, bin, domain.Auditor, "/tasks?city=运城&day=2019-12-31&overdue=1")
	require.Contains(t, dom, `id="task-table"`)
	require.Contains(t, dom, "<b>运城</b>")
	require.Regexp(t, `id="overdue-count">逾期：[1-9][0-9]*<`, dom)
	require.Contains(t, dom, "未启动")
	require.NotContains(t, dom, "not_started")
	require.Contains(t, dom, `href="/tasks?city=140100&amp;day=2019-12-31&amp;overdue=1"`, "another city keeps the filter")
	dom, _ = f.browse(t, bin, domain.Auditor, "/tasks?city=province&day=2019-12-31")
	require.Contains(t, dom, "<b>省级任务</b>")
	require.Contains(t, dom, `<td class="nowrap">省级</td>`, "the province's units are listed")
	require.NotContains(t, dom, "<td class=\"nowrap\">运城</td>", "the province's own units only")
	// A lead department's units only.
	dom, _ = f.browse(t, bin, domain.Auditor, "/tasks?day=2019-12-31")
	dept := regexp.MustCompile(`<option value="([^"]+)">`).FindStringSubmatch(dom)
	require.NotNil(t, dept, "the departments to choose from")
	dom, _ = f.browse(t, bin, domain.Auditor, "/tasks?day=2019-12-31&dept="+url.QueryEscape(dept[1]))
	rows := regexp.MustCompile(`(?s)<tr><td><b class="nowrap">.*?</tr>`).FindAllString(dom, -1)
	require.NotEmpty(t, rows)
	for _, r := range rows {
		require.Contains(t, r, dept[1], "every unit listed is led by it")
	}
	require.Contains(t, dom, "变更记录", "a link to each unit's history")
	// The strip up to a day: twelve quarters ending with its quarter.
	dom, _ = f.browse(t, bin, domain.Auditor, "/enterprise/"+uscc+"?day=2018-05-01")
	require.Contains(t, dom, "2018Q2")
	require.NotContains(t, dom, "运环罚〔2020〕7号", "the page as it stood that day: no card yet")
	require.NotContains(t, dom, "运环监〔2020〕31号", "nor the inspection")
	require.NotContains(t, dom, "2018Q3")
	require.Contains(t, dom, "2015Q3")
	dom, _ = f.browse(t, bin, domain.Auditor, "/city/140800?year=2019")
	require.Contains(t, dom, `id="enterprise-table"`)
	require.NotContains(t, dom, "运环罚〔2020〕7号", "the yellow card of June 2020 was not in force at the end of 2019")
	require.Contains(t, dom, "<td>是</td>", "a key discharger")
	// Why the score is what it is: its one section missed its target (0 of
	// 60 points), the parts with nothing to assess are full (15 + 15 + 10).
	require.Contains(t, dom, `id="city-score"`)
	require.Contains(t, dom, "水质得分 40.00")
	require.Contains(t, dom, "断面达标：0/1，得 0.00 分（满分 60）")
	require.Contains(t, dom, "黑臭水体消除：无评价对象，得满分 15 分")
	require.Contains(t, dom, "水质得分 40.00 低于 60 分")
	require.Contains(t, dom, `id="city-basis">已公布：晋环函〔2020〕30号`, "2019 is shown as published")
	// The task catalogue was loaded after the publication: as known today,
	// the city's 35 units overdue since earlier years count in 2019, none
	// on time (the first ten named, the rest counted).
	require.Contains(t, dom, `id="city-today"><b>按今日所知：</b> 任务得分 100.00 → 0.00；重点任务按时完成 0/0 → 0/35`)
	require.Contains(t, dom, "（重点任务按时完成）：新计入")
	require.Contains(t, dom, "另有 25 项依据变化")
	// Failed and published: an interview follows, on the page and in the API.
	code, b = f.do("POST", "/api/assessment/2019/cities/运城/consequences", domain.Assessment, `{"kind":"interview","document":"晋环函〔2020〕41号","authority":"省生态环境厅"}`, "application/json")
	require.Equal(t, 201, code, string(b))
	code, b = f.do("POST", "/api/assessment/2019/cities/运城/consequences", domain.Assessment, `{"kind":"interview","document":"晋环函〔2020〕45号","authority":"省生态环境厅"}`, "application/json")
	require.Equal(t, 409, code, "each once: %s", b)
	require.Contains(t, string(b), `"field":"kind"`)
	rectify := `{"kind":"rectification","document":"晋环函〔2020〕46号","authority":"省生态环境厅","deadline":"2020-12-31T00:00:00+08:00"}`
	code, b = f.do("POST", "/api/assessment/2019/cities/运城/consequences?date=2020-03-01", domain.Assessment, rectify, "application/json")
	require.Equal(t, 409, code, "dated before the publication: %s", b)
	require.Contains(t, string(b), `"field":"date"`)
	code, b = f.do("POST", "/api/assessment/2019/cities/运城/consequences?date=2020-06-01", domain.Assessment, rectify, "application/json")
	require.Equal(t, 201, code, string(b))
	dom, _ = f.browse(t, bin, domain.Auditor, "/city/140800?year=2019")
	require.Contains(t, dom, `id="city-consequences"`)
	require.Contains(t, dom, "约谈 · 晋环函〔2020〕41号 · 省生态环境厅")
	code, b = f.do("GET", "/api/assessment/2019/published", domain.Auditor, "", "")
	require.Equal(t, 200, code, string(b))
	var pv api.PublishedView
	require.NoError(t, json.Unmarshal(b, &pv))
	require.Len(t, pv.Consequences["140800"], 2)
	require.Equal(t, "晋环函〔2020〕41号", pv.Consequences["140800"][0].Document)
	require.Contains(t, dom, `/enterprise/`+uscc+`">运城市某焦化有限公司`)

	// The audit timeline with the chain status.
	dom, _ = f.browse(t, bin, domain.Auditor, "/audit/140800")
	require.Contains(t, dom, "哈希链完整")
	require.Contains(t, dom, `<td title="section.samples_recorded">断面监测数据上传</td>`, "the event's name in the page's language")

	// Lifetime accountability: a case names the bureau head, who stays on record.
	code, b = f.do("POST", "/api/officials", domain.Assessment, `{"id":"OFF-0001","name":"王建国"}`, "application/json")
	require.Equal(t, 201, code, string(b))
	code, b = f.do("POST", "/api/officials/OFF-0001/appointments", domain.Assessment, `{"post":"env_bureau_head","city":"140800","from":"2016-01-05","document_no":"运政任〔2016〕3号"}`, "application/json")
	require.Equal(t, 201, code, string(b))
	code, b = f.do("POST", "/api/officials/OFF-0001/departures", domain.Assessment, `{"post":"env_bureau_head","city":"140800","to":"2019-06-01","reason":"transferred"}`, "application/json")
	require.Equal(t, 201, code, string(b))
	code, b = f.do("POST", "/api/accountability/cases", domain.Assessment, `{"kind":"data_falsification","city":"140800","from":"2018-07-01","to":"2018-12-31","found_on":"2020-03-28","reference":{"document_no":"晋环监察〔2020〕12号"}}`, "application/json")
	require.Equal(t, 201, code, string(b))
	dom, _ = f.browse(t, bin, domain.Auditor, "/accountability")
	require.Contains(t, dom, "王建国")
	require.Contains(t, dom, "2019-06-01", "named though no longer in office")
	require.Contains(t, dom, "<b>运城 · 干预、伪造监测数据</b>", "the city by name, the kind in words")
	require.Contains(t, dom, "待处理", "no decision yet")
	dom, _ = f.browse(t, bin, domain.Auditor, "/accountability?city=太原")
	require.Contains(t, dom, "无追责案件")
	dom, _ = f.browse(t, bin, domain.Auditor, "/official/OFF-0001")
	require.Contains(t, dom, `id="tenures"`)
	require.Contains(t, dom, "<th>任职日期</th>")
	require.Contains(t, dom, "<td>运城</td>")
	require.Contains(t, dom, "环境保护局局长", "the post in Chinese")
	require.Contains(t, dom, "(调任)")
	require.Contains(t, dom, "干预、伪造监测数据")
	require.NotContains(t, dom, "env_bureau_head", "no code on a Chinese page")
	dom, _ = f.browse(t, bin, domain.Auditor, "/official/OFF-0001?lang=en")
	require.Contains(t, dom, "environmental protection bureau head")

	// The audit page replays the city both ways as of a date.
	// (The server's today is 1 June 2020; a later date is refused.)
	dom, _ = f.browse(t, bin, domain.Auditor, "/audit/140800?as_of=2020-06-01")
	require.Contains(t, dom, `id="audit-modes"`)
	dom, _ = f.browse(t, bin, domain.Auditor, "/audit/140800?at=2020-06-01")
	require.Contains(t, dom, `id="audit-modes"`, "?at= as the audit API names it")
	require.Contains(t, dom, `<a href="/audit/141000?as_of=2020-06-01">临汾</a>`, "the other cities, as of the same date")
	require.Contains(t, dom, `<b>运城</b>`)
	require.Contains(t, dom, "当时所知")
	// As of the end of 2019, every 2019 sample was recorded later (this
	// test records them today): each is listed, not only counted.
	dom, _ = f.browse(t, bin, domain.Auditor, "/audit/140800?as_of=2019-12-31")
	require.Contains(t, dom, `id="late-events"`)
	require.Regexp(t, `<td title="section\.samples_recorded">断面监测数据上传</td><td>140800/section/FH-HJDQ</td>`, dom)

	// Without a token the dashboard asks for one.
	dom, _ = f.browse(t, bin, "", "/")
	require.Contains(t, dom, `name="token"`)
}

// Signing in keeps the page asked for, query and all; a refused token says
// so; a page's error is a page in the user's language with its status.
func TestDashboardSignInAndErrors(t *testing.T) {
	f := setup(t)
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	noFollow := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(c *http.Client, path string) (int, string, http.Header) {
		resp, err := c.Get(f.url + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(b), resp.Header
	}
	code, _, h := get(noFollow, "/audit/140800?at=2019-03-20")
	require.Equal(t, http.StatusSeeOther, code)
	require.Equal(t, "/login?next="+url.QueryEscape("/audit/140800?at=2019-03-20"), h.Get("Location"))

	code, _, h = get(noFollow, "/cities")
	require.Equal(t, "no-referrer", h.Get("Referrer-Policy"), "no address, with a token in it, sent to another site")
	require.Equal(t, "DENY", h.Get("X-Frame-Options"))
	require.Contains(t, h.Get("Content-Security-Policy"), "default-src 'self'")

	code, body, _ := get(noFollow, "/login?token=wrong&next=/cities")
	require.Equal(t, http.StatusUnauthorized, code)
	require.Contains(t, body, "访问令牌无效")

	code, _, h = get(noFollow, "/login?token="+url.QueryEscape(f.tokens[domain.Auditor])+"&next="+url.QueryEscape("/audit/140800?at=2019-03-20"))
	require.Equal(t, http.StatusSeeOther, code)
	require.Equal(t, "/audit/140800?at=2019-03-20", h.Get("Location"))

	code, body, h = get(noFollow, "/city/999999")
	require.Equal(t, http.StatusNotFound, code)
	require.Equal(t, "text/html; charset=utf-8", h.Get("Content-Type"))
	require.Contains(t, body, `id="error-title">出错了 404`)
	require.Contains(t, body, `id="error-lead"><strong>未找到：城市</strong>`, "what went wrong, in the page's language")
	require.Contains(t, body, `<nav>`, "inside the dashboard's layout")
	code, body, _ = get(noFollow, "/city/999999?lang=en")
	require.Equal(t, http.StatusNotFound, code)
	require.Contains(t, body, `id="error-title">Error 404`)
	require.Contains(t, body, `id="error-lead"><strong>Not found: city</strong>`)

	// Signed in, the browser downloads the exports the pages link to; the
	// cookie does not authorise a write.
	code, body, h = get(noFollow, "/api/exports/cards")
	require.Equal(t, http.StatusOK, code, body)
	require.Contains(t, h.Get("Content-Type"), "text/csv")
	resp, err := noFollow.Post(f.url+"/api/assessment/2019/publish", "application/json", strings.NewReader(`{"document":"x"}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	code, _, _ = get(http.DefaultClient, "/api/exports/cards")
	require.Equal(t, http.StatusUnauthorized, code, "not signed in")

	// A page that is not there is the dashboard's 404, in its language;
	// a path under /api/ stays a JSON error.
	code, body, h = get(noFollow, "/nonexistent?lang=zh")
	require.Equal(t, http.StatusNotFound, code)
	require.Contains(t, body, `id="error-lead"><strong>未找到：页面</strong>`)
	code, _, h = get(noFollow, "/api/nonexistent")
	require.Equal(t, http.StatusNotFound, code)
	require.Contains(t, h.Get("Content-Type"), "application/json")
	code, body, _ = get(noFollow, "/audit/140800?as_of=2019-02-30")
	require.Equal(t, http.StatusBadRequest, code)
	require.Contains(t, body, "截至日期")
	require.Contains(t, body, "is not a day of the calendar")
	code, body, _ = get(noFollow, "/audit/140800?as_of=2019/03/20") // a date is written one way
	require.Equal(t, http.StatusBadRequest, code, body)
	require.Contains(t, body, "is neither a date written 2020-03-15")
	// A parameter a page does not take is refused, not ignored: the city
	// page has no day of its own, and would show the year's figures
	// under a ?day=.
	code, body, _ = get(noFollow, "/city/140800?year=2019&day=2019-03-20")
	require.Equal(t, http.StatusBadRequest, code)
	require.Contains(t, body, "day: not a parameter of this endpoint (it takes: year, as_of, lang)")
	code, body, _ = get(noFollow, "/tasks?city=140800&day=2019-03-20&dept=x&overdue=1&lang=en")
	require.NotEqual(t, http.StatusBadRequest, code, "what the page's form sends")
	require.Contains(t, body, `id="day-basis">As it had happened by the end of that day, with everything recorded since`, "which of the two meanings a day has")
	_, body, _ = get(noFollow, "/cards?day=2019-03-20&lang=zh")
	require.Contains(t, body, `id="day-basis">按该日结束时实际发生的情况`)

	// The audit timeline pages back, newest first, a page at a time.
	defer func(n int) { *api.AuditShown = n }(*api.AuditShown)
	*api.AuditShown = 2
	code, b := f.do("POST", "/api/samples/import", domain.Admin, "section,sampled_at,source,DO\nFH-HJDQ,2019-05-01 09:00,manual,6.1\n", "text/csv")
	require.Equal(t, 200, code, string(b))
	code, b = f.do("POST", "/api/samples/import", domain.Admin, "section,sampled_at,source,DO\nFH-HJDQ,2019-06-01 09:00,manual,6.2\n", "text/csv")
	require.Equal(t, 200, code, string(b))
	rowsOf := func(page string) []string {
		return regexp.MustCompile(`<tr><td class="num">(\d+)</td>`).FindAllString(page[strings.Index(page, `id="timeline"`):], -1)
	}
	code, body, _ = get(noFollow, "/audit/140800?lang=zh")
	require.Equal(t, http.StatusOK, code)
	first := rowsOf(body)
	require.Len(t, first, 2)
	older := regexp.MustCompile(`id="older" href="([^"]+)"`).FindStringSubmatch(body)
	require.NotNil(t, older, "a link to older events")
	code, body, _ = get(noFollow, html.UnescapeString(older[1]))
	require.Equal(t, http.StatusOK, code)
	second := rowsOf(body)
	require.NotEmpty(t, second)
	require.NotEqual(t, first, second, "the page before")
	require.Contains(t, body, "最新", "a way back to the newest")

	// Signing out ends it.
	code, _, h = get(noFollow, "/logout")
	require.Equal(t, http.StatusSeeOther, code)
	require.Equal(t, "/login", h.Get("Location"))
	code, _, h = get(noFollow, "/cities")
	require.Equal(t, http.StatusSeeOther, code)
	require.Contains(t, h.Get("Location"), "/login?next=")
}

// An error page in Chinese says why in Chinese where the ledger has it
// (the API's message_zh), keeping the English as the detail; in English it
// says it in English only, and an error with no Chinese has the English
// alone either way.
func TestErrorPageSaysWhyInTheLanguage(t *testing.T) {
	f := setup(t)
	const (
		reason  = `id="error-reason">原因：&#34;maybe&#34; 不是 true 或 false</p>`
		english = `&#34;maybe&#34; is not true or false`
	)
	code, body := f.page(domain.Auditor, "/tasks?overdue=maybe")
	require.Equal(t, http.StatusBadRequest, code)
	require.Contains(t, body, reason)
	require.Contains(t, body, `id="error-message"><small>详情（英文）：</small> /tasks: overdue: `+english)

	code, body = f.page(domain.Auditor, "/tasks?overdue=maybe&lang=en")
	require.Equal(t, http.StatusBadRequest, code)
	require.NotContains(t, body, "error-reason")
	require.NotContains(t, body, "不是 true 或 false")
	require.Contains(t, body, `id="error-message"><small>Details: </small> /tasks: overdue: `+english)

	code, body = f.page(domain.Auditor, "/official/OFF-9999")
	require.Equal(t, http.StatusNotFound, code)
	require.NotContains(t, body, "error-reason", "no Chinese for it: the English alone")
	require.Contains(t, body, `no official &#34;OFF-9999&#34;`)

	// A city not found is said in Chinese, by enforcement's table (the
	// register's city is looked up so).
	code, body = f.page(domain.Auditor, "/city/999999")
	require.Equal(t, http.StatusNotFound, code)
	require.Contains(t, body, `id="error-reason">原因：&#34;999999&#34; 不是山西省 11 个设区市之一（代码或名称）</p>`)
	require.Contains(t, body, `is not one of Shanxi&#39;s 11 cities`)
}
