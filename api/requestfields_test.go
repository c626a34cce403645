package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/api"
	"github.com/shanxi-water/ledger/domain"
)

// A request's error names the request's own fields, in its field and in
// its message: not the log's place for them (changes[0].events[0].data.…).
func TestErrorsNameTheRequestsFields(t *testing.T) {
	f := setup(t)
	code, b := f.do("POST", "/api/registers/groundwater_point?date=2099-01-01", domain.Admin, `{"id":"GW-F","name":"未来","city":"140800"}`, "application/json")
	require.Equal(t, 400, code, string(b))
	require.Contains(t, string(b), `"field":"date"`, "a date the query gave is named as the query named it")
	require.Contains(t, string(b), `"message":"date: `, "in the message too: %s", b)
	require.NotContains(t, string(b), "changes[0]")

	code, b = f.do("POST", "/api/registers/groundwater_point?date=2016-01-01", domain.Admin, `{"id":"GW-G","name":"晋祠","city":"140800"}`, "application/json")
	require.Equal(t, 201, code, string(b))
	code, b = f.do("POST", "/api/groundwater/140800/GW-G/grades", domain.Admin, `{"year":2019,"grade":6}`, "application/json")
	require.Equal(t, 400, code, string(b))
	require.Contains(t, string(b), `"field":"grade"`)
	require.Contains(t, string(b), `"message":"grade: `, "%s", b)

	// A name in GBK, not UTF-8: refused, not stored as U+FFFD.
	before := f.last()
	code, b = f.do("POST", "/api/officials", domain.Admin, "{\"id\":\"OFF-9\",\"name\":\"\xcd\xf5\xbd\xa8\xb9\xfa\"}", "application/json")
	require.Equal(t, 400, code, string(b))
	require.Contains(t, string(b), `"field":"body"`)
	require.Contains(t, string(b), "not valid UTF-8 (byte 23)")
	require.Contains(t, string(b), "不是有效的 UTF-8 文本（第 23 字节）")
	require.Equal(t, before, f.last())

	// Half a surrogate pair escaped: refused too (it decoded as U+FFFD);
	// a whole pair, an escaped backslash before "ud800", and U+FFFD sent as
	// itself are characters.
	for _, tc := range []struct {
		name    string
		refused bool
	}{
		{`新\ud800断面`, true}, {`新\udc00断面`, true}, {`新\ud800\u0041断面`, true},
		{`新\ud83d\ude00断面`, false}, {`新\\ud800断面`, false}, {`新\ufffd断面`, false}, {"新\uFFFD断面", false},
	} {
		before := f.last()
		body := `{"id":"GW-U` + fmt.Sprint(before) + `","name":"` + tc.name + `","city":"140800"}`
		code, b := f.do("POST", "/api/registers/groundwater_point", domain.Admin, body, "application/json")
		if !tc.refused {
			require.Equal(t, 201, code, "%s: %s", tc.name, b)
			continue
		}
		at := strings.Index(body, `\u`) + 1
		require.Equal(t, 400, code, "%s: %s", tc.name, b)
		require.Contains(t, string(b), fmt.Sprintf(`a \\u escape at byte %d is half a surrogate pair`, at), tc.name)
		require.Contains(t, string(b), fmt.Sprintf("第 %d 字节处的", at))
		require.Equal(t, before, f.last())
	}
}

// A groundwater grade given twice (a retried request) is recorded once; a
// different grade for the same year corrects it; a grade without its year
// says what is missing.
func TestGroundwaterGradeOnce(t *testing.T) {
	f := setup(t)
	code, b := f.do("POST", "/api/registers/groundwater_point?date=2016-01-01", domain.Admin, `{"id":"GW-H","name":"晋祠","city":"140800"}`, "application/json")
	require.Equal(t, 201, code, string(b))
	code, b = f.do("POST", "/api/groundwater/140800/GW-H/grades", domain.Admin, `{"year":2019,"grade":3}`, "application/json")
	require.Equal(t, 201, code, string(b))
	before := f.last()
	code, b = f.do("POST", "/api/groundwater/140800/GW-H/grades", domain.Admin, `{"year":2019,"grade":3}`, "application/json")
	require.Equal(t, 409, code, string(b))
	require.Contains(t, string(b), "graded 3 for 2019 already")
	require.Equal(t, before, f.last())
	code, b = f.do("POST", "/api/groundwater/140800/GW-H/grades", domain.Admin, `{"year":2019,"grade":4}`, "application/json")
	require.Equal(t, 201, code, "a correction: %s", b)
	code, b = f.do("POST", "/api/groundwater/140800/GW-H/grades", domain.Admin, `{"year":2019,"grade":3}`, "application/json")
	require.Equal(t, 201, code, "the earlier grade given back corrects the mistaken one: %s", b)
	code, b = f.do("POST", "/api/groundwater/140800/GW-H/grades", domain.Admin, `{"grade":4}`, "application/json")
	require.Equal(t, 400, code, string(b))
	require.Contains(t, string(b), `"field":"year"`)
	require.Contains(t, string(b), "missing: the year the grade is for")
}

// The assessment team sets a section's target for a year the plan's
// tables do not give; the year is then judged against it.
func TestSectionTargetForANewYear(t *testing.T) {
	f := setup(t)
	body := `{"year":2021,"class":3,"reason":"晋环发〔2021〕5号"}`
	code, b := f.do("POST", "/api/sections/FH-HJDQ/targets", domain.Station, body, "application/json")
	require.Equal(t, 403, code, "a station does not set targets: %s", b)
	code, b = f.do("POST", "/api/sections/FH-HJDQ/targets", domain.Assessment, `{"year":2021,"class":3}`, "application/json")
	require.Equal(t, 400, code, string(b))
	require.Contains(t, string(b), `"field":"reason"`)
	code, b = f.do("POST", "/api/sections/FH-HJDQ/targets?date=2021-01-05", domain.Assessment, body, "application/json")
	require.Equal(t, 201, code, string(b))
	require.Contains(t, string(b), `"name":"section.target_set"`)
	before := f.last()
	code, b = f.do("POST", "/api/sections/FH-HJDQ/targets", domain.Assessment, body, "application/json")
	require.Equal(t, 409, code, "the same target again: %s", b)
	require.Equal(t, before, f.last())
	code, b = f.do("GET", "/api/quality/sections/FH-HJDQ?year=2021", domain.Auditor, "", "")
	require.Equal(t, 200, code, string(b))
	require.Contains(t, string(b), `"target":3`)
	code, b = f.do("POST", "/api/sections/NOPE/targets", domain.Assessment, body, "application/json")
	require.Equal(t, 404, code, string(b))
}

// A year published knowingly incomplete says so on the ranking and on each
// city's page that lacked data, in the page's language.
func TestIncompletePublicationIsShown(t *testing.T) {
	f := setup(t)
	f.published2019(t)
	code, page := f.page(domain.Auditor, "/cities?year=2019")
	require.Equal(t, 200, code, page)
	require.Contains(t, page, `id="published-incomplete">本年度结果系在数据不全的情况下公布：太原（无登记断面）；大同（无登记断面）；`)
	code, page = f.page(domain.Auditor, "/city/140100?year=2019&lang=en")
	require.Equal(t, 200, code, page)
	require.Contains(t, page, `id="published-incomplete">Published knowingly without complete data: Taiyuan (no section registered)<`)
	code, page = f.page(domain.Auditor, "/city/140800?year=2019")
	require.Equal(t, 200, code, page)
	require.NotContains(t, page, `published-incomplete`, "Yuncheng had its data")
}

// A year not published yet ranks the cities as computed today, and says
// which of them lack data (their results are partly made of missing data).
func TestUnpublishedRankingSaysWhoLacksData(t *testing.T) {
	f := setup(t)
	code, b := f.do("POST", "/api/assessment/rules", domain.Assessment, standardRules, "application/json")
	require.Equal(t, 201, code, string(b))
	var csv strings.Builder
	csv.WriteString("section,sampled_at,source,DO,NH3N\n")
	for m := 1; m <= 12; m++ {
		fmt.Fprintf(&csv, "FH-HJDQ,2019-%02d-10 09:00,manual,6.0,0.9\n", m)
	}
	code, b = f.do("POST", "/api/samples/import", domain.Admin, csv.String(), "text/csv")
	require.Equal(t, 200, code, string(b))
	code, page := f.page(domain.Auditor, "/cities?year=2019")
	require.Equal(t, 200, code, page)
	require.Contains(t, page, `id="published-incomplete">以下城市数据不全，其结果部分由缺失数据构成：太原（无登记断面）；`)
	require.Contains(t, page, "忻州（其断面无足够数据定类）", "HH-NZ has no 2019 data")
}

// A token's cities are a list: null, like [], is refused (either would make
// a province-wide token by mistake); the same city named twice is one.
// A permit number's letters are capitals: one permit, one spelling.
func TestTokenCitiesAndPermitSpelling(t *testing.T) {
	f := setup(t)
	code, b := f.do("POST", "/api/tokens", domain.Admin, `{"person":"c2","role":"enforcement","cities":null}`, "application/json")
	require.Equal(t, 400, code, string(b))
	require.Contains(t, string(b), `"field":"cities"`)
	code, b = f.do("POST", "/api/tokens", domain.Admin, `{"person":"c3","role":"enforcement","cities":["太原","Taiyuan","140100"]}`, "application/json")
	require.Equal(t, 201, code, string(b))
	require.Contains(t, string(b), `"cities":["140100"]`)
	code, b = f.do("POST", "/api/enterprises", domain.Enforcement, `{"name":"Y Co","permit_no":"91140800ma0k9xrb32001p","city":"140800","industry":"造纸"}`, "application/json")
	require.Equal(t, 400, code, string(b))
	require.Contains(t, string(b), "write its letters in capitals (91140800MA0K9XRB32001P)")
}

// A consequence's dates are given as ?date= and a card's deadline are: a
// plain date or an RFC 3339 time; anything else names its field. A
// deadline given as a date is by the end of that day.
func TestConsequenceDatesAsPlainDates(t *testing.T) {
	f := setup(t)
	f.published2019(t)
	code, b := f.do("POST", "/api/assessment/2019/cities/运城/consequences", domain.Assessment,
		`{"kind":"rectification","document":"运环函〔2020〕1号","authority":"省生态环境厅","deadline":"2020-12-31"}`, "application/json")
	require.Equal(t, 201, code, string(b))
	require.Contains(t, string(b), `"deadline":"2020-12-31T23:59:59+08:00"`, "the end of that day, Shanxi time")
	code, b = f.do("POST", "/api/assessment/2019/cities/运城/consequences", domain.Assessment,
		`{"kind":"restriction","document":"运环函〔2020〕2号","authority":"省生态环境厅","area":"盐湖区","from":"2020-07-01","to":"2021-06-30T00:00:00+08:00"}`, "application/json")
	require.Equal(t, 201, code, string(b))
	code, b = f.do("POST", "/api/assessment/2019/cities/运城/consequences", domain.Assessment,
		`{"kind":"restriction","document":"运环函〔2020〕3号","authority":"省生态环境厅","area":"河津市","from":"2020-07-01","to":"next year"}`, "application/json")
	require.Equal(t, 400, code, string(b))
	require.Contains(t, string(b), `"field":"to"`)
	require.Contains(t, string(b), `"next year\" is neither a date written 2020-03-15 nor an RFC 3339 time`)
	code, b = f.do("POST", "/api/assessment/2019/cities/运城/consequences", domain.Assessment,
		`{"kind":"restriction","document":"运环函〔2020〕4号","authority":"省生态环境厅","area":"河津市","from":"2020-07-01","to":"2021-02-30"}`, "application/json")
	require.Equal(t, 400, code, string(b))
	require.Contains(t, string(b), `"field":"to"`)
	require.Contains(t, string(b), "is not a day of the calendar")
}

// The overview's basin table says a target cannot be judged when none of
// the basin's sections had data enough for a class, as ledger quality does
// (BasinYear.Determined), rather than calling it missed.
func TestOverviewSaysWhatCannotBeJudged(t *testing.T) {
	f := setup(t)
	var csv strings.Builder
	csv.WriteString("section,sampled_at,source,DO,NH3N\n")
	for m := 1; m <= 6; m++ { // half a year: no section classed
		fmt.Fprintf(&csv, "FH-HJDQ,2019-%02d-10 09:00,manual,6.0,0.9\n", m)
	}
	code, b := f.do("POST", "/api/samples/import", domain.Admin, csv.String(), "text/csv")
	require.Equal(t, 200, code, string(b))
	code, page := f.page(domain.Auditor, "/?lang=en")
	require.Equal(t, 200, code, page)
	require.Contains(t, page, `<span class="none">cannot be judged</span>`)
	require.NotContains(t, page, `<span class="missed">`)
}

// A restriction's period given as dates includes both: from is the start
// of its day, to the end of its (23:59:59, as a deadline), and the city's
// page says the last day is included. Before, to=2021-06-30 was stored as
// 30 June began, and "2020-07-01–2021-06-30" read as through 30 June while
// a restriction of the same area from 30 June was taken as not
// overlapping it. A to given as a time shows the time.
func TestRestrictionPeriodIncludesItsLastDay(t *testing.T) {
	f := setup(t)
	f.published2019(t)
	const path = "/api/assessment/2019/cities/运城/consequences"
	restrict := func(doc, area, from, to string) (int, string) {
		code, b := f.do("POST", path, domain.Assessment,
			fmt.Sprintf(`{"kind":"restriction","document":"%s","authority":"省生态环境厅","area":"%s","from":"%s","to":"%s"}`, doc, area, from, to), "application/json")
		return code, string(b)
	}
	code, b := restrict("运环函〔2020〕2号", "盐湖区", "2020-07-01", "2021-06-30")
	require.Equal(t, 201, code, b)
	require.Contains(t, b, `"from":"2020-07-01T00:00:00+08:00"`)
	require.Contains(t, b, `"to":"2021-06-30T23:59:59+08:00"`, "through the end of 30 June, Shanxi time")
	code, b = restrict("运环函〔2020〕3号", "盐湖区", "2021-06-30", "2021-12-31")
	require.Equal(t, 409, code, b)
	require.Contains(t, b, `"field":"area"`, "30 June is restricted already")
	code, b = restrict("运环函〔2020〕3号", "盐湖区", "2021-07-01", "2021-12-31")
	require.Equal(t, 201, code, b)
	code, b = restrict("运环函〔2020〕4号", "河津市", "2020-07-01T08:00:00+08:00", "2021-01-01T00:00:00+08:00")
	require.Equal(t, 201, code, b)
	code, b = restrict("运环函〔2020〕5号", "永济市", "2020-07-01", "2020-07-01")
	require.Equal(t, 201, code, "a restriction of one day: %s", b)

	code, page := f.page(domain.Auditor, "/city/140800?year=2019")
	require.Equal(t, 200, code, page)
	for _, want := range []string{" · 盐湖区 · 2020-07-01 至 2021-06-30（含当日）", " · 盐湖区 · 2021-07-01 至 2021-12-31（含当日）",
		" · 河津市 · 2020-07-01 08:00 至 2021-01-01 00:00", " · 永济市 · 2020-07-01 至 2020-07-01（含当日）"} {
		require.Contains(t, page, want)
	}
	require.NotContains(t, page, "2021-01-01 00:00（含当日）")
	code, page = f.page(domain.Auditor, "/city/140800?year=2019&lang=en")
	require.Equal(t, 200, code, page)
	require.Contains(t, page, " · 盐湖区 · 2020-07-01 to 2021-06-30 inclusive")
	require.Contains(t, page, " · 河津市 · 2020-07-01 08:00 to 2021-01-01 00:00")
}

// A restriction ending on the day it is imposed runs that day, and is
// recorded; one ending the day before would be over before it began, and
// is refused saying so. Before, to being the end of its day, the first was
// refused as "not after the day it is imposed: … over before it began".
// A restriction of an area restricted already says the period it has as
// the city's page does, its last day included, in English and Chinese
// (before: "from 2020-06-01 to 2020-06-01", dates only, no Chinese).
func TestRestrictionEndingTheDayItIsImposed(t *testing.T) {
	f := setup(t)
	f.published2019(t) // on the server's today, 2020-06-01
	const path = "/api/assessment/2019/cities/运城/consequences"
	restrict := func(doc, area, from, to string) (int, api.ErrorBody, string) {
		t.Helper()
		code, b := f.do("POST", path, domain.Assessment,
			fmt.Sprintf(`{"kind":"restriction","document":"%s","authority":"省生态环境厅","area":"%s","from":"%s","to":"%s"}`, doc, area, from, to), "application/json")
		var e api.ErrorBody
		if code >= 400 {
			require.NoError(t, json.Unmarshal(b, &e), "%s", b)
		}
		return code, e, string(b)
	}
	before := f.last()
	code, e, b := restrict("运环函〔2020〕1号", "盐湖区", "2020-05-31", "2020-05-31")
	require.Equal(t, 400, code, b)
	require.Equal(t, "to", e.Error.Field)
	require.Equal(t, "assessment.consequence_imposed: to: 2020-05-31 is before the day the restriction is imposed (2020-06-01): it would be over before it began", e.Error.Message)
	require.Equal(t, "限批期限止于 2020-05-31，早于作出限批之日（2020-06-01）：限批尚未开始即已结束", e.Error.MessageZh)
	requireNoEnglish(t, e.Error.MessageZh)
	require.Equal(t, before, f.last(), "nothing stored")

	code, _, b = restrict("运环函〔2020〕2号", "盐湖区", "2020-06-01", "2020-06-01")
	require.Equal(t, 201, code, "a restriction of the day it is imposed: %s", b)
	require.Contains(t, b, `"to":"2020-06-01T23:59:59+08:00"`)
	code, _, b = restrict("运环函〔2020〕3号", "河津市", "2020-06-01T08:00:00+08:00", "2020-06-02T00:00:00+08:00")
	require.Equal(t, 201, code, b)

	before = f.last()
	code, e, b = restrict("运环函〔2020〕4号", "盐湖区", "2020-06-01", "2020-12-31")
	require.Equal(t, 409, code, b)
	require.Equal(t, "area", e.Error.Field)
	require.Regexp(t, `^assessment.consequence_imposed: area: 盐湖区 is restricted already from 2020-06-01 to 2020-06-01 inclusive \(运环函〔2020〕2号\) \(position \d+\)$`, e.Error.Message)
	require.Regexp(t, `^盐湖区 已被限批，期间 2020-06-01 至 2020-06-01（含当日）（运环函〔2020〕2号）：同一区域的限批期间不得重叠（位置 \d+）$`, e.Error.MessageZh)
	code, e, b = restrict("运环函〔2020〕4号", "河津市", "2020-06-01", "2020-12-31")
	require.Equal(t, 409, code, b)
	require.Regexp(t, `河津市 is restricted already from 2020-06-01 08:00 to 2020-06-02 00:00 \(运环函〔2020〕3号\)`, e.Error.Message, "ends given as times, as times")
	require.Regexp(t, `^河津市 已被限批，期间 2020-06-01 08:00 至 2020-06-02 00:00（运环函〔2020〕3号）：同一区域的限批期间不得重叠（位置 \d+）$`, e.Error.MessageZh)
	requireNoEnglish(t, e.Error.MessageZh)
	require.Equal(t, before, f.last(), "nothing stored")
}
