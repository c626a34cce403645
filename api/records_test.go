package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/api"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/enforcement"
	"github.com/shanxi-water/ledger/ledgertest"
)

// Tasks, cards and officials through the API, end to end.
func TestTasksCardsOfficialsThroughTheAPI(t *testing.T) {
	// Recorded on the server's today, so that an as_of of today sees it
	// all (a later one is refused).
	clock := ledgertest.NewClock(time.Date(2020, 6, 30, 9, 0, 0, 0, domain.CST))
	f := setupClock(t, clock.Now)
	// The catalogue, then one city's progress on a task.
	code, b := f.do("POST", "/api/tasks/catalogue", domain.Admin, "", "")
	require.Equal(t, 201, code, string(b))
	var listed []map[string]any
	require.NoError(t, json.Unmarshal(b, &listed))
	require.Len(t, listed, 90)
	code, b = f.do("GET", "/api/tasks?day=2016-01-01", domain.Auditor, "", "")
	require.Equal(t, 200, code)
	var rows []map[string]any
	require.NoError(t, json.Unmarshal(b, &rows))
	var task, city string
	for _, r := range rows {
		if c, _ := r["city"].(string); c != "" {
			task, city = r["task"].(string), c
			break
		}
	}
	require.NotEmpty(t, task)
	code, b = f.do("POST", "/api/tasks/"+task+"/status", domain.Assessment, `{"city":"`+city+`","to":"in_progress","date":"2016-03-01"}`, "application/json")
	require.Equal(t, 201, code, string(b))
	code, b = f.do("POST", "/api/tasks/"+task+"/status", domain.Assessment, `{"city":"`+city+`","to":"verified","date":"2016-04-01"}`, "application/json")
	require.Equal(t, 409, code, "verify before completing: %s", b)
	code, b = f.do("POST", "/api/tasks/"+task+"/status", domain.Assessment, `{"city":"`+city+`","to":"completed","evidence":{"document_no":"x"},"date":"2016-03-01"}`, "application/json")
	require.Equal(t, 201, code, "completed the day it was started, both given by date: %s", b)
	// As the ledger knew it before any of this was recorded (the catalogue
	// included), and as it knows it now.
	code, b = f.do("GET", "/api/tasks?day=2016-06-01&as_of=2016-06-01", domain.Auditor, "", "")
	require.Equal(t, 200, code, string(b))
	require.Equal(t, "null", strings.TrimSpace(string(b)), "nothing recorded by then")
	code, b = f.do("GET", "/api/tasks?day=2016-06-01&as_of=2020-06-30", domain.Auditor, "", "")
	require.Equal(t, 200, code, string(b))
	require.Contains(t, string(b), `"status":"completed"`)
	code, b = f.do("GET", "/api/tasks/overdue?as_of=2016-13-01", domain.Auditor, "", "")
	require.Equal(t, 400, code, string(b))
	require.Contains(t, string(b), `"field":"as_of"`)
	code, b = f.do("POST", "/api/tasks/"+task+"/status", domain.Assessment, `{"city":"`+city+`","to":"in_progress","reason":"r","date":"1990-01-01"}`, "application/json")
	require.Equal(t, 400, code, string(b))
	require.Contains(t, string(b), "before 2015")
	code, b = f.do("GET", "/api/tasks/"+task+"/history?city="+city, domain.Auditor, "", "")
	require.Equal(t, 200, code, string(b))
	require.Contains(t, string(b), `"to":"in_progress"`)
	// The history as the ledger knew it on a date, as the tasks page links
	// to it: before the catalogue was loaded, no such task.
	tomorrow := "2020-06-30" // today: the end of the day, after everything recorded
	code, b = f.do("GET", "/api/tasks/"+task+"/history?city="+city+"&as_of=2016-06-01", domain.Auditor, "", "")
	require.Equal(t, 404, code, string(b))
	require.Contains(t, string(b), "in the catalogue as the ledger knew it on 2016-06-01")
	code, b = f.do("GET", "/api/tasks/"+task+"/history?city="+city+"&as_of="+tomorrow, domain.Auditor, "", "")
	require.Equal(t, 200, code, string(b))
	require.Contains(t, string(b), `"to":"completed"`)
	code, page := f.page(domain.Auditor, "/tasks?day=2016-06-01&city="+city+"&as_of="+tomorrow)
	require.Equal(t, 200, code, page)
	require.Contains(t, page, `href="/api/tasks/`+task+`/history?city=`+city+`&amp;as_of=`+tomorrow+`"`)
	code, page = f.page(domain.Auditor, "/tasks?day=2016-06-01&city=province&as_of="+tomorrow)
	require.Equal(t, 200, code, page)
	require.Regexp(t, `href="/api/tasks/[^"?]+/history\?as_of=`+tomorrow+`"`, page, "the province's own tasks, with no city")

	// An enterprise, an exceedance, a yellow card; its strip shows it.
	first17 := "91140100MA0K9XRB3"
	check, err := enforcement.USCCCheck(first17)
	require.NoError(t, err)
	uscc := first17 + string(check)
	code, b = f.do("POST", "/api/enterprises?date=2020-06-01", domain.Enforcement, `{"name":"太原市某造纸有限公司","uscc":"`+uscc+`","city":"140100","industry":"造纸","key_discharger":true}`, "application/json")
	require.Equal(t, 201, code, string(b))
	code, b = f.do("POST", "/api/enterprises/"+uscc+"/inspections?date=2020-06-05", domain.Enforcement,
		`{"document_no":"并环监〔2019〕31号","authority":"太原市环境保护局","findings":["over_standard"],"measurements":[{"item":"COD","measured":186,"limit":100,"unit":"mg/L","basis":"standard"}]}`, "application/json")
	require.Equal(t, 201, code, string(b))
	code, b = f.do("POST", "/api/enterprises/"+uscc+"/red-cards?date=2020-06-10", domain.Enforcement,
		`{"document_no":"并环罚〔2019〕8号","authority":"太原市环境保护局","yellow_card":"none","reinspection":"none","measure":"close","grounds":"serious"}`, "application/json")
	require.Equal(t, 409, code, "a red card without a failed yellow card first: %s", b)
	require.Contains(t, string(b), "presupposes a yellow card")
	code, b = f.do("POST", "/api/enterprises/"+uscc+"/yellow-cards?date=2020-06-10", domain.Enforcement,
		`{"document_no":"并环罚〔2019〕7号","authority":"太原市环境保护局","inspection":"并环监〔2019〕31号","measure":"limit_production","rectification_deadline":"2020-09-30"}`, "application/json")
	require.Equal(t, 201, code, string(b))
	code, b = f.do("GET", "/api/enterprises/"+uscc, domain.Auditor, "", "")
	require.Equal(t, 200, code, string(b))
	var ev struct {
		Strip []enforcement.QuarterCompliance `json:"strip"`
	}
	require.NoError(t, json.Unmarshal(b, &ev))
	require.Len(t, ev.Strip, 12)
	code, b = f.do("GET", "/api/enterprises/"+uscc+"?day=2020-13-01", domain.Auditor, "", "")
	require.Equal(t, 400, code, string(b))
	require.Contains(t, string(b), `"field":"day"`)
	code, b = f.do("GET", "/api/enterprises/"+uscc+"?day=2020-08-01", domain.Auditor, "", "")
	require.Equal(t, 200, code, string(b))
	require.NoError(t, json.Unmarshal(b, &ev))
	require.Equal(t, "2020Q3", ev.Strip[11].Quarter.String(), "the quarter of the day last")
	require.Equal(t, enforcement.UnderYellow, ev.Strip[11].Status)

	// An enterprise entered today under supervision since 2019, its city
	// named: inspected on the day it came under supervision.
	second := "91140800MA0RW0002"
	c2, err := enforcement.USCCCheck(second)
	require.NoError(t, err)
	second += string(c2)
	code, b = f.do("POST", "/api/enterprises?date=2019-05-01", domain.Enforcement, `{"name":"运城市某焦化有限公司","uscc":"`+second+`","city":"运城","industry":"焦化"}`, "application/json")
	require.Equal(t, 201, code, string(b))
	require.Contains(t, string(b), `"scope":"140800"`)
	code, b = f.do("POST", "/api/enterprises/"+second+"/inspections?date=2019-05-01", domain.Enforcement,
		`{"document_no":"运环监〔2019〕3号","authority":"运城市环境保护局","findings":["compliant"]}`, "application/json")
	require.Equal(t, 201, code, string(b))
	code, b = f.do("POST", "/api/enterprises/"+second+"/inspections?date=2019-04-30", domain.Enforcement,
		`{"document_no":"运环监〔2019〕2号","authority":"运城市环境保护局","findings":["compliant"]}`, "application/json")
	require.Equal(t, 409, code, "before it came under supervision: %s", b)

	// Still over the standard after the deadline: a red card, which has no
	// deadline of its own. The record still answers, every card in it (by
	// the end of 2020: the cards are dated after the server's day).
	clock.Set(time.Date(2020, 12, 1, 9, 0, 0, 0, domain.CST))
	code, b = f.do("POST", "/api/enterprises/"+uscc+"/inspections?date=2020-10-08", domain.Enforcement,
		`{"document_no":"并环监〔2020〕52号","authority":"太原市环境保护局","card":"并环罚〔2019〕7号","findings":["over_standard"],"measurements":[{"item":"COD","measured":142,"limit":100,"unit":"mg/L","basis":"standard"}]}`, "application/json")
	require.Equal(t, 201, code, string(b))
	code, b = f.do("POST", "/api/enterprises/"+uscc+"/red-cards?date=2020-10-12", domain.Enforcement,
		`{"document_no":"并环罚〔2020〕9号","authority":"太原市环境保护局","yellow_card":"并环罚〔2019〕7号","reinspection":"并环监〔2020〕52号","measure":"suspend_business","grounds":"未按期整改"}`, "application/json")
	require.Equal(t, 201, code, string(b))
	code, b = f.do("GET", "/api/enterprises/"+uscc+"?day=2020-12-31", domain.Auditor, "", "")
	require.Equal(t, 200, code, string(b))
	var rec struct {
		Enterprise struct {
			ID    string           `json:"id"`
			Cards []map[string]any `json:"cards"`
		} `json:"enterprise"`
	}
	require.NoError(t, json.Unmarshal(b, &rec), "%q", b)
	require.Equal(t, uscc, rec.Enterprise.ID)
	require.Len(t, rec.Enterprise.Cards, 2)
	require.Equal(t, "2020-09-30", rec.Enterprise.Cards[0]["rectification_deadline"])
	require.Equal(t, "escalated", rec.Enterprise.Cards[0]["status"])
	require.Equal(t, "red", rec.Enterprise.Cards[1]["color"])
	require.NotContains(t, rec.Enterprise.Cards[1], "rectification_deadline")
	code, b = f.do("GET", "/api/cards?day=2020-07-01", domain.Auditor, "", "")
	require.Equal(t, 200, code)
	require.Contains(t, string(b), "并环罚〔2019〕7号")

	// An official appointed; their record.
	code, b = f.do("POST", "/api/officials", domain.Assessment, `{"id":"OFF-0001","name":"王建国"}`, "application/json")
	require.Equal(t, 201, code, string(b))
	code, b = f.do("POST", "/api/officials/OFF-0001/appointments", domain.Assessment, `{"post":"env_bureau_head","city":"140100","from":"2016-01-05","document_no":"并政任〔2016〕3号"}`, "application/json")
	require.Equal(t, 201, code, string(b))
	code, b = f.do("GET", "/api/officials/OFF-0001", domain.Auditor, "", "")
	require.Equal(t, 200, code, string(b))
	require.Contains(t, string(b), "env_bureau_head")
	require.Contains(t, string(b), `"cases":[]`, "lists are lists, empty or not")
	require.Contains(t, string(b), `"decisions":[]`)
	code, b = f.do("POST", "/api/officials/OFF-0001/departures", domain.Assessment, `{"post":"env_bureau_head","city":"140100","to":"2099-01-01","reason":"transferred"}`, "application/json")
	require.Equal(t, 400, code, string(b))
	require.Contains(t, string(b), `"field":"occurred_at"`, "named for the request, not by its place in the append")
	require.Contains(t, string(b), "in the future")
	code, b = f.do("POST", "/api/registers/groundwater_point?date=2099-01-01", domain.Admin, `{"id":"GW-F","name":"未来","city":"140800"}`, "application/json")
	require.Equal(t, 400, code, string(b))
	require.Contains(t, string(b), `"field":"date"`, "a date the query gave is named as the query named it")
	code, b = f.do("POST", "/api/accountability/cases", domain.Assessment, `{"kind":"data_falsification","city":"大同","from":"2018-07-01","to":"2018-12-31","found_on":"2019-03-01","reference":{"document_no":"晋环监察〔2019〕3号"}}`, "application/json")
	require.Equal(t, 201, code, string(b))
	require.Contains(t, string(b), `"named":[]`)
	require.Contains(t, string(b), `"warning":"no one in the register held`, "no appointment covers the period")
	code, b = f.do("GET", "/api/audit/cities/太原?at=2015-06-30", domain.Auditor, "", "")
	require.Equal(t, 200, code, string(b))
	require.Contains(t, string(b), `"years":[]`)
	require.Contains(t, string(b), `"late":[]`)
}

// The other registers through the API: a black-odorous body inspected (its
// level derived from the reading), a groundwater point graded.
func TestRegistersThroughTheAPI(t *testing.T) {
	f := setup(t)
	code, b := f.do("POST", "/api/registers/black_odorous", domain.Admin, `{"id":"BO-1","name":"运城市某沟渠","city":"140800","built_up":true,"responsible":"张三","deadline":"2020-12-31T00:00:00+08:00"}`, "application/json")
	require.Equal(t, 201, code, string(b))
	code, b = f.do("POST", "/api/registers/groundwater_point", domain.Admin, `{"id":"GW-1","name":"运城地下水1号","city":"140800"}`, "application/json")
	require.Equal(t, 201, code, string(b))
	code, b = f.do("POST", "/api/registers/sea_wall", domain.Admin, `{}`, "application/json")
	require.Equal(t, 404, code, string(b))
	// The fixture's station's token names BO-1 and GW-1, not BO-2.
	code, b = f.do("POST", "/api/registers/black_odorous", domain.Admin, `{"id":"BO-2","name":"运城市另一沟渠","city":"140800","built_up":true,"responsible":"李四","deadline":"2020-12-31T00:00:00+08:00"}`, "application/json")
	require.Equal(t, 201, code, string(b))
	code, b = f.do("POST", "/api/black-odorous/140800/BO-2/inspections?date=2020-05-01", domain.Station, `{"reading":{"transparency_cm":8,"do":1.1}}`, "application/json")
	require.Equal(t, 403, code, "not this station's site: %s", b)
	code, b = f.do("POST", "/api/tokens", domain.Admin, `{"person":"bo-station","role":"station","sections":["BO-2","GW-1"]}`, "application/json")
	require.Equal(t, 201, code, "a station's token may name such sites: %s", b)
	code, b = f.do("POST", "/api/black-odorous/140800/BO-1/inspections?date=2020-05-01", domain.Station, `{"reading":{}}`, "application/json")
	require.Equal(t, 400, code, string(b))
	require.Contains(t, string(b), `"field":"reading.transparency_cm"`, "nothing measured")
	code, b = f.do("POST", "/api/black-odorous/140800/BO-1/inspections?date=2020-05-01", domain.Station, `{"reading":{"transparency_cm":8,"do":1.1}}`, "application/json")
	require.Equal(t, 201, code, string(b))
	require.Contains(t, string(b), `"level":2`, "transparency under 10 cm is heavy")
	code, b = f.do("POST", "/api/groundwater/140800/GW-1/grades", domain.Station, `{"year":2019,"grade":5}`, "application/json")
	require.Equal(t, 201, code, string(b))
	code, b = f.do("POST", "/api/groundwater/140800/GW-1/grades", domain.Station, `{"year":2021,"grade":3}`, "application/json")
	require.Equal(t, 400, code, "the server's day is in 2020: %s", b)
	require.Contains(t, string(b), `"field":"year"`)
	code, b = f.do("GET", "/api/quality/cities/140800?year=2019", domain.Auditor, "", "")
	require.Equal(t, 200, code)
	require.Contains(t, string(b), `"groundwater_very_poor":1`)
	require.Contains(t, string(b), `"black_odorous":0`, "BO-1 and BO-2 were registered in 2020, the server's year")

	// A body found to have been in the register since 2019 is registered
	// with that date, and counts in 2019; the others still do not.
	code, b = f.do("POST", "/api/registers/black_odorous?date=2019-01-15", domain.Admin, `{"id":"BO-3","name":"运城市旧沟渠","city":"140800","built_up":true,"responsible":"王五","deadline":"2020-12-31T00:00:00+08:00"}`, "application/json")
	require.Equal(t, 201, code, string(b))
	require.Contains(t, string(b), `"occurred_at":"2019-01-15T15:59:59Z"`, "the end of that day, Shanxi time")
	for year, n := range map[int]int{2019: 1, 2020: 3} {
		code, b = f.do("GET", fmt.Sprintf("/api/quality/cities/140800?year=%d", year), domain.Auditor, "", "")
		require.Equal(t, 200, code)
		require.Contains(t, string(b), fmt.Sprintf(`"black_odorous":%d`, n), year)
	}
	code, b = f.do("POST", "/api/registers/black_odorous?date=2019-02-30", domain.Admin, `{"id":"BO-5","name":"某沟渠","city":"140800","built_up":true,"responsible":"王五","deadline":"2020-12-31T00:00:00+08:00"}`, "application/json")
	require.Equal(t, 400, code, string(b))
	require.Contains(t, string(b), `"field":"date"`)
	code, b = f.do("POST", "/api/registers/groundwater_point", domain.Admin, `{"id":"GW-9","name":"某点","city":140800}`, "application/json")
	require.Equal(t, 400, code, string(b))
	require.Contains(t, string(b), `"field":"city"`, "a body's type error names its field")
}

// Cities are found by code or by name wherever the API takes one, and a
// wrong one is named as the city.
func TestCityByCodeOrName(t *testing.T) {
	f := setup(t)
	for _, path := range []string{"/api/audit/cities/临汾?at=2019-03-20", "/api/audit/cities/Linfen?at=2019-03-20", "/api/audit/cities/141000?at=2019-03-20"} {
		code, b := f.do("GET", path, domain.Auditor, "", "")
		require.Equal(t, 200, code, "%s: %s", path, b)
		var a struct {
			City  string   `json:"city"`
			Chain []string `json:"chain"`
		}
		require.NoError(t, json.Unmarshal(b, &a))
		require.Equal(t, "141000", a.City)
		require.Contains(t, string(b), `"chain":[]`, "no broken links: an empty list")
	}
	code, b := f.do("GET", "/api/events?city=运城", domain.Auditor, "", "")
	require.Equal(t, 200, code, string(b))
	require.Contains(t, string(b), "FH-HJDQ")
	code, b = f.do("GET", "/api/events?city=Mars", domain.Auditor, "", "")
	require.Equal(t, 400, code)
	require.Contains(t, string(b), `"field":"city"`)
	code, b = f.do("GET", "/api/enterprises?city=Yuncheng", domain.Auditor, "", "")
	require.Equal(t, 200, code, string(b))
	code, b = f.do("GET", "/api/card-lists/太原/2019Q1", domain.Auditor, "", "")
	require.Equal(t, 200, code, string(b))
	require.Contains(t, string(b), `"scope":"140100"`)
	code, b = f.do("GET", "/api/card-lists/Mars/2019Q1", domain.Auditor, "", "")
	require.Equal(t, 404, code, "a path naming no scope, as an unknown city: %s", b)
	require.Contains(t, string(b), `"field":"scope"`)

	code, b = f.do("POST", "/api/tasks/catalogue", domain.Admin, "", "")
	require.Equal(t, 201, code, string(b))
	var listed []map[string]any
	require.NoError(t, json.Unmarshal(b, &listed))
	code, b = f.do("GET", "/api/tasks?day=2016-01-01", domain.Auditor, "", "")
	require.Equal(t, 200, code)
	var rows []map[string]any
	require.NoError(t, json.Unmarshal(b, &rows))
	var task string
	for _, r := range rows {
		if c, _ := r["city"].(string); c == "140800" {
			task = r["task"].(string)
			break
		}
	}
	require.NotEmpty(t, task)
	code, b = f.do("GET", "/api/tasks/"+task+"/history", domain.Auditor, "", "")
	require.Equal(t, 400, code, string(b))
	require.Contains(t, string(b), `"field":"city"`)
	code, b = f.do("GET", "/api/tasks/"+task+"/history?city=运城", domain.Auditor, "", "")
	require.Equal(t, 200, code, string(b))
	code, b = f.do("GET", "/api/tasks/T-0-0/history?city=运城", domain.Auditor, "", "")
	require.Equal(t, 404, code, string(b))
	require.Contains(t, string(b), `"field":"id"`)
}

// An enterprise closed through the API: its card ends, it leaves the card
// register, its page says so, and nothing more is recorded on it but an
// inspection made before it closed.
func TestEnterpriseClosedThroughTheAPI(t *testing.T) {
	f := setupClock(t, time.Now) // as_of below is the wall clock's day: the server's today is its day
	uscc := f.yellowCarded(t, "91140100MA0K9XRC4", "太原市某化工有限公司", "140100", "太原市环境保护局",
		"并环监〔2019〕41号", "2019-02-05", "并环罚〔2019〕17号", "2019-02-10", "2019-05-31")
	code, b := f.do("GET", "/api/cards?day=2019-03-01", domain.Auditor, "", "")
	require.Equal(t, 200, code, string(b))
	require.Contains(t, string(b), "并环罚〔2019〕17号")
	// As the ledger knew the register before the card was entered: empty.
	code, b = f.do("GET", "/api/cards?day=2019-03-01&as_of=2019-03-01", domain.Auditor, "", "")
	require.Equal(t, 200, code, string(b))
	require.Equal(t, "[]", strings.TrimSpace(string(b)), "entered today, not known then")
	code, b = f.do("GET", "/api/exports/cards?day=2019-03-01&as_of=2019-03-01", domain.Auditor, "", "")
	require.Equal(t, 200, code, string(b))
	require.NotContains(t, string(b), "并环罚〔2019〕17号", "the export as known then too")

	code, b = f.do("POST", "/api/enterprises/"+uscc+"/closure?date=2019-04-01", domain.Enforcement,
		`{"document_no":"并政关〔2019〕2号","authority":"太原市人民政府","reason":"企业申请注销，已停产拆除"}`, "application/json")
	require.Equal(t, 201, code, string(b))
	require.Contains(t, string(b), `"name":"enterprise.closed"`)
	code, b = f.do("GET", "/api/cards?day=2019-05-01", domain.Auditor, "", "")
	require.Equal(t, 200, code, string(b))
	require.NotContains(t, string(b), "并环罚〔2019〕17号", "the card ended with the enterprise")
	code, b = f.do("GET", "/api/enterprises/"+uscc, domain.Auditor, "", "")
	require.Equal(t, 200, code, string(b))
	require.Contains(t, string(b), `"status":"closed"`)
	// As the ledger knew it: before it was entered, no such enterprise;
	// today, as now. The page keeps the date in its links and says it.
	yesterday, today := time.Now().In(domain.CST).AddDate(0, 0, -1).Format("2006-01-02"), time.Now().In(domain.CST).Format("2006-01-02")
	code, b = f.do("GET", "/api/enterprises/"+uscc+"?as_of="+yesterday, domain.Auditor, "", "")
	require.Equal(t, 404, code, string(b))
	require.Contains(t, string(b), "as the ledger knew it on "+yesterday)
	code, b = f.do("GET", "/api/enterprises/"+uscc+"?as_of="+today, domain.Auditor, "", "")
	require.Equal(t, 200, code, string(b))
	require.Contains(t, string(b), `"status":"closed"`)
	require.Contains(t, string(b), "并环罚〔2019〕17号")
	code, page := f.page(domain.Auditor, "/enterprise/"+uscc+"?day=2019-03-01&as_of="+today+"&lang=en")
	require.Equal(t, 200, code, page)
	require.Contains(t, page, `id="day-basis">As things stood at the end of that day, as the ledger knew them on (nothing recorded later): `+today)
	require.Contains(t, page, `<input type="hidden" name="as_of" value="`+today+`">`)
	require.Contains(t, page, `href="/cards?day=2019-03-01&amp;as_of=`+today+`"`)
	require.Contains(t, page, "并环罚〔2019〕17号")
	code, page = f.page(domain.Auditor, "/cards?day=2019-03-01&as_of="+today)
	require.Equal(t, 200, code, page)
	require.Contains(t, page, `href="/enterprise/`+uscc+`?day=2019-03-01&amp;as_of=`+today+`"`, "the register's enterprises as known on the same date")
	require.Contains(t, page, `href="/cards?city=140200&amp;day=2019-03-01&amp;as_of=`+today+`"`, "and its other cities")
	code, page = f.page(domain.Auditor, "/tasks?day=2019-03-01&as_of="+today)
	require.Equal(t, 200, code, page)
	require.Contains(t, page, `href="/tasks?city=140200&amp;day=2019-03-01&amp;as_of=`+today+`"`, "the tasks' other cities as known on the same date")
	code, page = f.page(domain.Auditor, "/enterprise/"+uscc+"?as_of="+yesterday)
	require.Equal(t, 404, code, page)
	require.Contains(t, page, "as the ledger knew it on "+yesterday)
	code, b = f.do("POST", "/api/enterprises/"+uscc+"/inspections?date=2019-05-05", domain.Enforcement,
		`{"document_no":"并环监〔2019〕52号","authority":"太原市环境保护局","findings":["compliant"],"measurements":[{"item":"COD","measured":50,"limit":100,"unit":"mg/L","basis":"standard"}]}`, "application/json")
	require.Equal(t, 409, code, string(b))
	require.Contains(t, string(b), "closed on 2019-04-01")
	// The report of an inspection made before the closure, entered after it.
	code, b = f.do("POST", "/api/enterprises/"+uscc+"/inspections?date=2019-03-20", domain.Enforcement,
		`{"document_no":"并环监〔2019〕48号","authority":"太原市环境保护局","findings":["compliant"],"measurements":[{"item":"COD","measured":50,"limit":100,"unit":"mg/L","basis":"standard"}]}`, "application/json")
	require.Equal(t, 201, code, string(b))
	code, b = f.do("GET", "/api/enterprises/"+uscc, domain.Auditor, "", "")
	require.Equal(t, 200, code, string(b))
	require.Contains(t, string(b), "并环监〔2019〕48号")
}

// A city bureau's inspectors hold an enforcement token limited to their
// city: they record on its enterprises and publish its lists, not another
// city's, nor the province's own.
func TestEnforcementTokenLimitedToACity(t *testing.T) {
	f := setup(t)
	yc := f.yellowCarded(t, "91140800MA0K9XRC4", "运城市某化工有限公司", "140800", "运城市环境保护局",
		"运环监〔2019〕41号", "2019-02-05", "运环罚〔2019〕17号", "2019-02-10", "2019-05-31")
	code, b := f.do("POST", "/api/tokens", domain.Admin, `{"person":"ty-inspector","role":"enforcement","cities":["太原"]}`, "application/json")
	require.Equal(t, 201, code, string(b))
	var created api.TokenCreated
	require.NoError(t, json.Unmarshal(b, &created))
	taiyuan := domain.Role("taiyuan-bureau") // the fixture's key for this token
	f.tokens[taiyuan] = created.Token
	before := f.last()

	check, err := enforcement.USCCCheck("91140100MA0K9XRD5")
	require.NoError(t, err)
	ty := "91140100MA0K9XRD5" + string(check)
	for _, tc := range []struct {
		path, body, field string
	}{
		{"/api/enterprises?date=2019-03-01", `{"name":"运城市某造纸有限公司","uscc":"` + ty + `","city":"140800","industry":"造纸"}`, "city"},
		{"/api/enterprises/" + yc + "/inspections?date=2019-03-01", `{"document_no":"运环监〔2019〕50号","authority":"太原市环境保护局","findings":["compliant"]}`, "id"},
		{"/api/enterprises/" + yc + "/lifts?date=2019-03-01", `{"card":"运环罚〔2019〕17号","document_no":"x","authority":"太原市环境保护局"}`, "id"},
		{"/api/card-lists/运城/2019Q1/publish", `{"authority":"太原市环境保护局","document_no":"x"}`, "scope"},
		{"/api/card-lists/province/2019Q1/publish", `{"authority":"太原市环境保护局","document_no":"x"}`, "scope"},
	} {
		code, b := f.do("POST", tc.path, taiyuan, tc.body, "application/json")
		require.Equal(t, 403, code, "%s: %s", tc.path, b)
		require.Contains(t, string(b), `"field":"`+tc.field+`"`, tc.path)
		require.Contains(t, string(b), "this token acts for 太原 140100 only")
	}
	require.Equal(t, before, f.last(), "nothing recorded")

	// Its own city's: recorded.
	code, b = f.do("POST", "/api/enterprises?date=2019-03-01", taiyuan, `{"name":"太原市某造纸有限公司","uscc":"`+ty+`","city":"140100","industry":"造纸"}`, "application/json")
	require.Equal(t, 201, code, string(b))
	code, b = f.do("POST", "/api/enterprises/"+ty+"/inspections?date=2019-03-02", taiyuan, `{"document_no":"并环监〔2019〕50号","authority":"太原市环境保护局","findings":["compliant"],"measurements":[{"item":"COD","measured":50,"limit":100,"unit":"mg/L","basis":"standard"}]}`, "application/json")
	require.Equal(t, 201, code, string(b))

	// A city first, whoever asks: missing or unknown is the request's fault
	// (400), not another bureau's records (403).
	before = f.last()
	for _, role := range []domain.Role{taiyuan, domain.Admin} {
		for body, reason := range map[string]string{
			`{"name":"某造纸有限公司","uscc":"` + ty + `","industry":"造纸"}`:                 "missing",
			`{"name":"某造纸有限公司","uscc":"` + ty + `","city":"","industry":"造纸"}`:       "missing",
			`{"name":"某造纸有限公司","uscc":"` + ty + `","city":"北京","industry":"造纸"}`:     `\"北京\" is not one of Shanxi's 11 cities`,
			`{"name":"某造纸有限公司","uscc":"` + ty + `","city":"149900","industry":"造纸"}`: "149900",
		} {
			code, b := f.do("POST", "/api/enterprises?date=2019-03-01", role, body, "application/json")
			require.Equal(t, 400, code, "%s %s: %s", role, body, b)
			require.Contains(t, string(b), `"field":"city"`, body)
			require.Contains(t, string(b), reason, body)
		}
	}
	require.Equal(t, before, f.last(), "nothing recorded")

	// A code issued in another Shanxi city (characters 3–8, its division)
	// is that city's bureau's to register: registered here, it would be
	// claimed province-wide. The province's own division (140000) and a
	// code from outside Shanxi are not restricted.
	usccOf := func(first17 string) string {
		check, err := enforcement.USCCCheck(first17)
		require.NoError(t, err)
		return first17 + string(check)
	}
	ycCode := usccOf("91140802MA0K9XRF7") // 盐湖区, 运城
	for body, field := range map[string]string{
		`{"name":"某焦化有限公司","uscc":"` + ycCode + `","city":"140100","industry":"焦化"}`:                              "uscc",
		`{"name":"某焦化有限公司","permit_no":"` + ycCode + `001P","city":"140100","industry":"焦化"}`:                     "permit_no",
		`{"name":"某焦化有限公司","uscc":"` + ty + `","permit_no":"` + ycCode + `001P","city":"140100","industry":"焦化"}`: "permit_no",
	} {
		code, b := f.do("POST", "/api/enterprises?date=2019-03-01", taiyuan, body, "application/json")
		require.Equal(t, 403, code, "%s: %s", body, b)
		require.Contains(t, string(b), `"field":"`+field+`"`, body)
		require.Contains(t, string(b), "issued in 运城 140800 (division code 140802")
		require.Contains(t, string(b), "this token acts for 太原 140100 only")
	}
	require.Equal(t, before, f.last(), "nothing recorded")
	code, b = f.do("POST", "/api/enterprises?date=2019-03-01", domain.Enforcement, `{"name":"运城市某焦化有限公司","uscc":"`+ycCode+`","city":"运城","industry":"焦化"}`, "application/json")
	require.Equal(t, 201, code, "Yuncheng's, by a province-wide token: %s", b)
	for _, code17 := range []string{"91140105MA0K9XRG8", "91140000MA0K9XRH9", "91110108MA0K9XRJ1"} { // 小店区, 太原; the province; 海淀区, 北京
		body := `{"name":"太原市某化工有限公司","uscc":"` + usccOf(code17) + `","city":"140100","industry":"化工"}`
		code, b := f.do("POST", "/api/enterprises?date=2019-03-01", taiyuan, body, "application/json")
		require.Equal(t, 201, code, "%s: %s", code17, b)
	}

	// Only an enforcement token is limited to cities, to cities that exist,
	// and to some: an empty list is not province-wide. Only a station's
	// names sections. Errors name the request's fields.
	for body, field := range map[string]string{
		`{"person":"a","role":"auditor","cities":["太原"]}`:        "cities",
		`{"person":"b","role":"enforcement","cities":["北京"]}`:    "cities[0]",
		`{"person":"c","role":"enforcement","cities":[]}`:        "cities",
		`{"person":"d","role":"auditor","sections":["FH-HJDQ"]}`: "sections",
		`{"person":"e","role":"enforcement","sections":[]}`:      "sections",
		`{"person":"f","role":"station","sections":[]}`:          "sections",
		`{"person":"f","role":"station"}`:                        "sections",
		`{"person":"","role":"auditor"}`:                         "person",
		`{"person":"g","role":"system"}`:                         "role",
		`{"person":"h","role":"mayor"}`:                          "role",
	} {
		code, b := f.do("POST", "/api/tokens", domain.Admin, body, "application/json")
		require.Equal(t, 400, code, "%s: %s", body, b)
		require.Contains(t, string(b), `"field":"`+field+`"`, body)
	}
	code, b = f.do("POST", "/api/tokens", domain.Admin, `{"person":"c","role":"enforcement","cities":[]}`, "application/json")
	require.Contains(t, string(b), "leave the field out for a province-wide token")
	// What a token was made for is said when it is made: cities as codes.
	require.Equal(t, []domain.CityID{"140100"}, created.Cities)
	code, b = f.do("POST", "/api/tokens", domain.Admin, `{"person":"yl-inspector","role":"enforcement","cities":["运城","Linfen"]}`, "application/json")
	require.Equal(t, 201, code, string(b))
	require.Contains(t, string(b), `"cities":["140800","141000"]`)
	code, b = f.do("POST", "/api/tokens", domain.Admin, `{"person":"hj-station","role":"station","sections":["FH-HJDQ"]}`, "application/json")
	require.Equal(t, 201, code, string(b))
	require.Contains(t, string(b), `"sections":["FH-HJDQ"]`)
	code, b = f.do("POST", "/api/tokens", domain.Admin, `{"person":"province-inspector","role":"enforcement"}`, "application/json")
	require.Equal(t, 201, code, string(b))
	require.NotContains(t, string(b), `"cities"`, "province-wide")
}

// With ?as_of= and no ?day=, the register, the tasks and the export are of
// the as_of date, as their headings say, not of today (the server's day is
// 2020-06-01).
func TestAsOfWithoutDayIsOfThatDay(t *testing.T) {
	f := setup(t)
	code, page := f.page(domain.Auditor, "/cards?as_of=2016-04-01")
	require.Equal(t, 200, code, page)
	require.Contains(t, page, `id="cards-title">黄牌红牌名录 · 2016-04-01</h2>`)
	require.Contains(t, page, `name="day" value="2016-04-01"`)
	require.Contains(t, page, `href="/api/exports/cards?day=2016-04-01&amp;as_of=2016-04-01&amp;lang=zh"`)
	code, page = f.page(domain.Auditor, "/tasks?as_of=2016-04-01")
	require.Equal(t, 200, code, page)
	require.Contains(t, page, `· 2016-04-01</h2>`)
	require.Contains(t, page, `name="day" value="2016-04-01"`)
	req, err := http.NewRequest("GET", f.url+"/api/exports/cards?as_of=2016-04-01", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+f.tokens[domain.Auditor])
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	require.Contains(t, resp.Header.Get("Content-Disposition"), `filename="cards-2016-04-01.csv"`)
	// Without as_of, today.
	code, page = f.page(domain.Auditor, "/cards")
	require.Equal(t, 200, code, page)
	require.Contains(t, page, `· 2020-06-01</h2>`)
}

// An enterprise's record on a day is as it had happened by the end of that
// day, in the API as on its page: nothing dated later, each card's status
// as it stood then, and the strip to match.
func TestEnterpriseRecordAsOfADay(t *testing.T) {
	f := setup(t)
	uscc := f.yellowCarded(t, "91140800MA0K9XRE6", "运城市某印染有限公司", "140800", "运城市环境保护局",
		"运环监〔2018〕11号", "2018-03-20", "运环罚〔2018〕5号", "2018-03-25", "2018-06-30")
	code, b := f.do("POST", "/api/enterprises/"+uscc+"/revocations?date=2018-05-10", domain.Enforcement,
		`{"card":"运环罚〔2018〕5号","document_no":"运政复〔2018〕2号","authority":"运城市人民政府","reason":"监测方法有误"}`, "application/json")
	require.Equal(t, 201, code, string(b))
	code, b = f.do("POST", "/api/enterprises/"+uscc+"/closure?date=2019-04-01", domain.Enforcement,
		`{"document_no":"运政关〔2019〕1号","authority":"运城市人民政府","reason":"企业申请注销"}`, "application/json")
	require.Equal(t, 201, code, string(b))
	type view struct {
		Enterprise struct {
			ID          string           `json:"id"`
			Info        map[string]any   `json:"info"`
			Registered  string           `json:"registered"`
			Inspections []map[string]any `json:"inspections"`
			Cards       []map[string]any `json:"cards"`
			Closed      string           `json:"closed"`
		} `json:"enterprise"`
		Strip []enforcement.QuarterCompliance `json:"strip"`
		Day   string                          `json:"day"`
	}
	get := func(q string) view {
		t.Helper()
		code, b := f.do("GET", "/api/enterprises/"+uscc+q, domain.Auditor, "", "")
		require.Equal(t, 200, code, string(b))
		var v view
		require.NoError(t, json.Unmarshal(b, &v), string(b))
		return v
	}
	// Before it came under supervision: who it is, nothing on it.
	v := get("?day=2017-03-15")
	require.Equal(t, "2017-03-15", v.Day)
	require.Equal(t, uscc, v.Enterprise.ID)
	require.Equal(t, "运城市某印染有限公司", v.Enterprise.Info["name"])
	require.NotNil(t, v.Enterprise.Inspections, "a list, empty")
	require.Empty(t, v.Enterprise.Inspections, "inspected in 2018")
	require.NotNil(t, v.Enterprise.Cards)
	require.Empty(t, v.Enterprise.Cards, "carded in 2018")
	require.Empty(t, v.Enterprise.Closed)
	require.Equal(t, "2017Q1", v.Strip[11].Quarter.String())
	for _, q := range v.Strip {
		require.Equal(t, enforcement.NotRegistered, q.Status, q.Quarter)
	}
	// Inspected, not yet carded.
	v = get("?day=2018-03-22")
	require.Len(t, v.Enterprise.Inspections, 1)
	require.Empty(t, v.Enterprise.Cards)
	require.Equal(t, enforcement.Violation, v.Strip[11].Status)
	// Carded, the card not yet revoked: in force, as the strip says.
	v = get("?day=2018-04-01")
	require.Len(t, v.Enterprise.Cards, 1)
	require.Equal(t, "in_force", v.Enterprise.Cards[0]["status"])
	require.NotContains(t, v.Enterprise.Cards[0], "revocation")
	require.Equal(t, "2018Q1", v.Strip[10].Quarter.String())
	require.Equal(t, enforcement.UnderYellow, v.Strip[10].Status, "under the card then")
	require.Equal(t, enforcement.UnderYellow, v.Strip[11].Status)
	// Revoked, then closed: as today.
	v = get("?day=2018-06-01")
	require.Equal(t, "revoked", v.Enterprise.Cards[0]["status"])
	require.Contains(t, v.Enterprise.Cards[0], "revocation")
	require.Empty(t, v.Enterprise.Closed, "closed in 2019")
	v = get("")
	require.Equal(t, "2020-06-01", v.Day, "the server's day")
	require.Equal(t, "revoked", v.Enterprise.Cards[0]["status"])
	require.NotEmpty(t, v.Enterprise.Closed)
	require.Equal(t, "2018Q1", v.Strip[2].Quarter.String())
	require.Equal(t, enforcement.Violation, v.Strip[2].Status, "2018Q1 as known today: the card annulled")

	// The page shows the same record.
	code, page := f.page(domain.Auditor, "/enterprise/"+uscc+"?day=2017-03-15&lang=en")
	require.Equal(t, 200, code, page)
	require.NotContains(t, page, "运环罚〔2018〕5号")
	require.NotContains(t, page, "运环监〔2018〕11号")
	require.NotContains(t, page, `id="enterprise-closed"`)
	code, page = f.page(domain.Auditor, "/enterprise/"+uscc+"?day=2018-04-01&lang=en")
	require.Equal(t, 200, code, page)
	require.Regexp(t, `(?s)运环罚〔2018〕5号.*<td class="nowrap">in force</td><td></td>`, page)
	require.NotContains(t, page, "运政复〔2018〕2号", "revoked later")
	code, page = f.page(domain.Auditor, "/enterprise/"+uscc+"?day=2019-05-01&lang=en")
	require.Equal(t, 200, code, page)
	require.Regexp(t, `<td class="nowrap">revoked</td><td>2018-05-10 运政复〔2018〕2号`, page)
	require.Contains(t, page, `id="enterprise-closed"`)
}

// The city page lists a city-year's consequences by the date they were
// imposed, not in the order they were recorded.
func TestCityPageConsequencesByDate(t *testing.T) {
	f := setup(t)
	f.published2019(t)
	for _, c := range []struct{ date, body string }{
		{"2020-07-01", `{"kind":"rectification","document":"晋环函〔2020〕46号","authority":"省生态环境厅","deadline":"2020-12-31T00:00:00+08:00"}`},
		{"2020-06-15", `{"kind":"interview","document":"晋环函〔2020〕41号","authority":"省生态环境厅"}`}, // entered late
	} {
		code, b := f.do("POST", "/api/assessment/2019/cities/运城/consequences?date="+c.date, domain.Assessment, c.body, "application/json")
		require.Equal(t, 201, code, string(b))
	}
	code, page := f.page(domain.Auditor, "/city/140800?year=2019")
	require.Equal(t, 200, code, page)
	interview, rectification := strings.Index(page, "<li>2020-06-15 · 约谈 · 晋环函〔2020〕41号"), strings.Index(page, "<li>2020-07-01 · ")
	require.Positive(t, interview, page)
	require.Positive(t, rectification, page)
	require.Less(t, interview, rectification, "the interview of 15 June before the rectification of 1 July")
}

// A year's task report is as the units stood at the end of the year; with
// ?as_of= before the year's end, at the end of the as_of date (as the
// ledger knew it then, as it stood then), as ?day= defaults for the other
// task endpoints; ?day= still wins.
func TestTaskYearDayFollowsAsOf(t *testing.T) {
	f := setupClock(t, time.Now) // as_of=2021-01-01 is not after today
	for q, want := range map[string]string{
		"":                                   "2019-12-31",
		"?as_of=2019-06-30":                  "2019-06-30",
		"?as_of=2019-06-30T15:59:59Z":        "2019-06-30", // 23:59:59 in Shanxi
		"?as_of=2019-06-30T16:00:00Z":        "2019-07-01",
		"?as_of=2021-01-01":                  "2019-12-31", // after the year: its end
		"?day=2019-03-01&as_of=2019-06-30":   "2019-03-01",
		"?day=2020-03-01":                    "2020-03-01",
		"?as_of=2019-12-31T23:59:59%2B08:00": "2019-12-31",
	} {
		code, b := f.do("GET", "/api/task-years/2019"+q, domain.Auditor, "", "")
		require.Equal(t, http.StatusOK, code, "%s: %s", q, b)
		var rep struct{ Day string }
		require.NoError(t, json.Unmarshal(b, &rep), q)
		require.Equal(t, want, rep.Day, q)
	}
	code, b := f.do("GET", "/api/task-years/2019?as_of=2019-13-01", domain.Auditor, "", "")
	require.Equal(t, http.StatusBadRequest, code, string(b))
	require.Contains(t, string(b), `"field":"as_of"`)
}
