package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/api"
	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/enforcement"
	"github.com/shanxi-water/ledger/domain/monitoring"
	"github.com/shanxi-water/ledger/domain/water"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/events/jetstream"
)

type fixture struct {
	t      testing.TB
	url    string
	store  *jetstream.Store
	tokens map[domain.Role]string
	srv    *api.Server
	// tokensFile is the server's token file, which token requests write
	// (not the log).
	tokensFile string
}

var roles = []domain.Role{domain.Auditor, domain.Assessment, domain.Enforcement, domain.Station, domain.Admin}

func setup(t testing.TB) *fixture {
	t.Helper()
	return setupClock(t, nil)
}

// setupClock is setup with a clock for the events' recorded-at and the
// server's now (if nil, time.Now and 1 June 2020): a test of what the
// ledger knew on a date sets it.
func setupClock(t testing.TB, clock events.Clock) *fixture {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	dir := t.TempDir()
	s, err := jetstream.Open(ctx, jetstream.Config{DataDir: filepath.Join(dir, "data"), Registry: app.Registry(), Clock: clock})
	require.NoError(t, err)
	_, err = app.Register(ctx, s, domain.Actor{ID: "admin", Role: domain.Admin}, time.Date(2019, 1, 1, 0, 0, 0, 0, domain.CST),
		app.SectionRegistration(monitoring.SectionRegistered{ID: "FH-HJDQ", Name: "河津大桥", River: "汾河", Basin: domain.Yellow, City: "140800",
			Kind: water.River, Level: monitoring.National, Assessed: true, Targets: monitoring.Targets{2019: water.ClassIV}}),
		app.SectionRegistration(monitoring.SectionRegistered{ID: "HH-NZ", Name: "滹沱河南庄", River: "滹沱河", Basin: domain.Hai, City: "140900",
			Kind: water.River, Level: monitoring.National, Assessed: true, Targets: monitoring.Targets{2019: water.ClassII}}))
	require.NoError(t, err)
	tokens, admin, err := api.OpenTokens(filepath.Join(dir, "tokens.json"))
	require.NoError(t, err)
	require.NotEmpty(t, admin, "first start creates an administrator token")
	f := &fixture{t: t, store: s, tokens: map[domain.Role]string{domain.Admin: admin}, tokensFile: filepath.Join(dir, "tokens.json")}
	for _, r := range roles[:4] {
		tok := api.Token{Person: "person-" + string(r), Role: r}
		if r == domain.Station {
			tok.Sections = []monitoring.SectionID{"FH-HJDQ", "BO-1", "GW-1"} // a section, a black-odorous body, a groundwater point
		}
		secret, err := tokens.Add(tok)
		require.NoError(t, err)
		f.tokens[r] = secret
	}
	now := func() time.Time { return time.Date(2020, 6, 1, 0, 0, 0, 0, domain.CST) }
	if clock != nil {
		now = clock
	}
	f.srv = api.New(api.Config{Store: s, Tokens: tokens, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: now})
	go f.srv.Run(ctx)
	hs := httptest.NewServer(f.srv.Handler())
	f.url = hs.URL
	t.Cleanup(func() { hs.Close(); cancel(); s.Close() })
	last, err := s.LastPosition(ctx)
	require.NoError(t, err)
	require.True(t, f.srv.Live().WaitFor(ctx, last, 10*time.Second))
	return f
}

func (f *fixture) do(method, path string, role domain.Role, body, contentType string) (int, []byte) {
	f.t.Helper()
	req, err := http.NewRequest(method, f.url+path, strings.NewReader(body))
	require.NoError(f.t, err)
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+f.tokens[role])
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(f.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(f.t, err)
	return resp.StatusCode, b
}

// page gets a dashboard page as a browser signed in as role would.
func (f *fixture) page(role domain.Role, path string) (int, string) {
	f.t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(f.t, err)
	c := &http.Client{Jar: jar}
	resp, err := c.PostForm(f.url+"/login", url.Values{"token": {f.tokens[role]}, "next": {path}})
	require.NoError(f.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(f.t, err)
	require.Equal(f.t, path, resp.Request.URL.RequestURI(), "signed in, the page asked for")
	return resp.StatusCode, string(b)
}

// standardRules are assessment.Standard's rules as a request adopts them.
const standardRules = `{"effective_year":2016,"document":"晋环发〔2016〕1号","points":{"sections":60,"black_odorous":15,"drinking":15,"groundwater":10},"grades":{"excellent":90,"good":70,"pass":60},"task_downgrade_below":60,"groundwater_very_poor_cap":0.15,"hard_fail":{"quality_below":60,"miss_at_least_iii":true}}`

// yellowCarded registers an enterprise (code from its first 17
// characters) in a city on the day of its inspection, which finds its COD
// over the standard, then a yellow card on it, each on its date, by the
// authority; it returns the code.
func (f *fixture) yellowCarded(t testing.TB, first17, name, city, authority, inspection, inspected, card, carded, deadline string) string {
	t.Helper()
	check, err := enforcement.USCCCheck(first17)
	require.NoError(t, err)
	uscc := first17 + string(check)
	for _, step := range []struct{ path, body string }{
		{"/api/enterprises?date=" + inspected, `{"name":"` + name + `","uscc":"` + uscc + `","city":"` + city + `","industry":"化工","key_discharger":true}`},
		{"/api/enterprises/" + uscc + "/inspections?date=" + inspected, `{"document_no":"` + inspection + `","authority":"` + authority + `","findings":["over_standard"],"measurements":[{"item":"COD","measured":186,"limit":100,"unit":"mg/L","basis":"standard"}]}`},
		{"/api/enterprises/" + uscc + "/yellow-cards?date=" + carded, `{"document_no":"` + card + `","authority":"` + authority + `","inspection":"` + inspection + `","measure":"limit_production","rectification_deadline":"` + deadline + `"}`},
	} {
		code, b := f.do("POST", step.path, domain.Enforcement, step.body, "application/json")
		require.Equal(t, 201, code, "%s: %s", step.path, b)
	}
	return uscc
}

// published2019 adopts the standard rules, uploads 2019's samples (the
// Yuncheng section worse than V, against its target IV: Yuncheng fails) and
// publishes 2019, knowingly incomplete (the other cities have no sections).
func (f *fixture) published2019(t testing.TB) {
	t.Helper()
	f.data2019(t)
	code, b := f.do("POST", "/api/assessment/2019/publish", domain.Assessment, `{"document":"晋环函〔2020〕30号","incomplete":true}`, "application/json")
	require.Equal(t, 201, code, string(b))
}

// data2019 is published2019 up to the publication: the rules and 2019's
// samples.
func (f *fixture) data2019(t testing.TB) {
	t.Helper()
	code, b := f.do("POST", "/api/assessment/rules", domain.Assessment, standardRules, "application/json")
	require.Equal(t, 201, code, string(b))
	var csv strings.Builder
	csv.WriteString("section,sampled_at,source,DO,NH3N\n")
	for m := 1; m <= 12; m++ {
		fmt.Fprintf(&csv, "FH-HJDQ,2019-%02d-10 09:00,manual,4.0,2.6\nHH-NZ,2019-%02d-10 09:00,manual,8.0,0.2\n", m, m)
	}
	code, b = f.do("POST", "/api/samples/import", domain.Admin, csv.String(), "text/csv")
	require.Equal(t, 200, code, string(b))
}

func (f *fixture) last() uint64 {
	p, err := f.store.LastPosition(context.Background())
	require.NoError(f.t, err)
	return p
}

// A request for each route, with a body that would otherwise be accepted.
var requests = map[string]struct{ path, body, ctype string }{
	"GET /api/events":                                        {"/api/events?limit=5", "", ""},
	"GET /api/verify":                                        {"/api/verify", "", ""},
	"GET /api/sections":                                      {"/api/sections", "", ""},
	"POST /api/sections":                                     {"/api/sections", `{"id":"NEW-%s","name":"新断面","river":"汾河","basin":"yellow","city":"140100","kind":"river","level":"provincial","assessed":true,"targets":{"2019":3}}`, "application/json"},
	"POST /api/samples/import":                               {"/api/samples/import?file=%s.csv", "section,sampled_at,source,DO,NH3N\nFH-HJDQ,2019-05-%s 09:00,manual,6.1,0.9\n", "text/csv"},
	"POST /api/sections/{id}/corrections":                    {"/api/sections/FH-HJDQ/corrections", `{"sample":{"at":"2019-03-10T01:00:00Z","source":"manual","values":{"DO":6.1,"NH3N":1.9}},"reason":"re-analysis %s"}`, "application/json"},
	"POST /api/sections/{id}/invalidations":                  {"/api/sections/FH-HJDQ/invalidations", `{"at":"2019-03-11T01:00:00Z","source":"manual","reason":"bottle broken %s"}`, "application/json"},
	"GET /api/quality/basins":                                {"/api/quality/basins?year=2019", "", ""},
	"GET /api/quality/cities/{city}":                         {"/api/quality/cities/140800?year=2019", "", ""},
	"GET /api/quality/sections/{id}":                         {"/api/quality/sections/FH-HJDQ?year=2019", "", ""},
	"GET /api/quality/rankings/{year}/{quarter}":             {"/api/quality/rankings/2019/2", "", ""},
	"POST /api/tokens":                                       {"/api/tokens", `{"person":"auditor-%s","role":"auditor"}`, "application/json"},
	"POST /api/tokens/revoke":                                {"/api/tokens/revoke", `{"person":"auditor-%s"}`, "application/json"},
	"GET /api/openapi.json":                                  {"/api/openapi.json", "", ""},
	"POST /api/assessment/rules":                             {"/api/assessment/rules", `{"effective_year":2016,"document":"晋环发〔2016〕%s号","points":{"sections":60,"black_odorous":15,"drinking":15,"groundwater":10},"grades":{"excellent":90,"good":70,"pass":60},"task_downgrade_below":60,"groundwater_very_poor_cap":0.15,"hard_fail":{"quality_below":60,"miss_at_least_iii":true}}`, "application/json"},
	"GET /api/assessment/{year}":                             {"/api/assessment/2019", "", ""},
	"POST /api/assessment/{year}/publish":                    {"/api/assessment/2019/publish", `{"document":"晋环函〔2020〕%s号","incomplete":true}`, "application/json"},
	"GET /api/assessment/{year}/published":                   {"/api/assessment/2019/published", "", ""},
	"POST /api/assessment/{year}/cities/{city}/consequences": {"/api/assessment/2019/cities/140800/consequences", `{"kind":"interview","document":"晋环函〔2020〕%s号","authority":"省生态环境厅"}`, "application/json"},
	"GET /api/audit/cities/{city}":                           {"/api/audit/cities/140800?at=2020-01-01", "", ""},
	"GET /api/tasks":                                         {"/api/tasks?day=2019-12-31", "", ""},
	"GET /api/tasks/overdue":                                 {"/api/tasks/overdue?day=2019-12-31", "", ""},
	"GET /api/task-years/{year}":                             {"/api/task-years/2019", "", ""},
	"GET /api/tasks/{id}/history":                            {"/api/tasks/T-2-1-1-1a/history?city=140100", "", ""},
	"POST /api/tasks/catalogue":                              {"/api/tasks/catalogue", "", ""},
	"POST /api/tasks/{id}/status":                            {"/api/tasks/T-2-1-1-1a/status", `{"city":"140100","to":"in_progress","date":"2019-01-%s"}`, "application/json"},
	"GET /api/enterprises":                                   {"/api/enterprises?city=140100", "", ""},
	"GET /api/enterprises/{id}":                              {"/api/enterprises/none", "", ""},
	"POST /api/enterprises":                                  {"/api/enterprises", `{"name":"太原市某造纸有限公司%s","permit_no":"91140100MA0K9XRB%s001P","city":"140100","industry":"造纸"}`, "application/json"},
	"POST /api/sections/{id}/targets":                        {"/api/sections/FH-HJDQ/targets", `{"year":2021,"class":2,"reason":"晋环发〔2021〕%s号"}`, "application/json"},
	"POST /api/enterprises/{id}/{action}":                    {"/api/enterprises/none/inspections", `{"document_no":"x%s"}`, "application/json"},
	"GET /api/cards":                                         {"/api/cards?day=2019-12-31", "", ""},
	"GET /api/card-lists/{scope}/{quarter}":                  {"/api/card-lists/140100/2019Q1", "", ""},
	"POST /api/card-lists/{scope}/{quarter}/publish":         {"/api/card-lists/140100/2019Q1/publish", `{"authority":"太原市环境保护局","document_no":"并环公告〔2019〕%s号"}`, "application/json"},
	"GET /api/officials":                                     {"/api/officials", "", ""},
	"GET /api/officials/{id}":                                {"/api/officials/OFF-1", "", ""},
	"POST /api/officials":                                    {"/api/officials", `{"id":"OFF-%s","name":"王建国"}`, "application/json"},
	"POST /api/officials/{id}/appointments":                  {"/api/officials/OFF-1/appointments", `{"post":"mayor","city":"140100","from":"2016-01-%s","document_no":"并政任〔2016〕1号"}`, "application/json"},
	"POST /api/officials/{id}/departures":                    {"/api/officials/OFF-1/departures", `{"post":"mayor","city":"140100","to":"2017-01-%s","reason":"transferred"}`, "application/json"},
	"GET /api/accountability":                                {"/api/accountability", "", ""},
	"POST /api/accountability/cases":                         {"/api/accountability/cases", `{"kind":"serious_incident","city":"140100","from":"2019-01-%s","to":"2019-01-%s","found_on":"2019-02-01","reference":{"document_no":"x"}}`, "application/json"},
	"POST /api/accountability/decisions":                     {"/api/accountability/decisions", `{"case":"none","city":"140100","official":"OFF-1","decision":"warning","document_no":"晋纪发〔2019〕%s号","date":"2019-03-01","authority":"山西省纪委监委"}`, "application/json"},
	"GET /api/exports/assessment/{year}":                     {"/api/exports/assessment/2019?format=csv", "", ""},
	"GET /api/exports/cards":                                 {"/api/exports/cards?format=xlsx", "", ""},
	"POST /api/registers/{kind}":                             {"/api/registers/drinking_source", `{"id":"DW-%s","name":"水源地","city":"140800","level":"city","kind":"lake","target":3}`, "application/json"},
	"POST /api/black-odorous/{city}/{id}/inspections":        {"/api/black-odorous/140800/BO-1/inspections", `{"reading":{"transparency_cm":%s}}`, "application/json"},
	"POST /api/groundwater/{city}/{id}/grades":               {"/api/groundwater/140800/GW-1/grades", `{"year":2019,"grade":4}`, "application/json"},
}

// Every role against every route: allowed exactly as the matrix says; a
// forbidden request answers 403 and appends nothing; no token is 401.
func TestRoleActionMatrix(t *testing.T) {
	f := setup(t)
	// Samples the corrections and invalidations can refer to.
	code, b := f.do("POST", "/api/samples/import", domain.Admin,
		"section,sampled_at,source,DO,NH3N\nFH-HJDQ,2019-03-10 09:00,manual,6.1,0.9\nFH-HJDQ,2019-03-11 09:00,manual,6.0,0.8\n", "text/csv")
	require.Equal(t, 200, code, string(b))
	routes := api.Routes()
	require.Len(t, requests, len(routes), "a request for every route")
	n := 0
	for _, rt := range routes {
		key := rt.Method + " " + rt.Path
		req, ok := requests[key]
		require.True(t, ok, key)
		for _, role := range roles {
			n++
			path, body := req.path, req.body
			if strings.Contains(path, "%s") {
				path = fmt.Sprintf(path, fmt.Sprint(10+n%18))
			}
			body = strings.ReplaceAll(body, "%s", fmt.Sprint(10+n%18))
			before := f.last()
			code, b := f.do(rt.Method, path, role, body, req.ctype)
			if rt.Action == "" {
				require.Equal(t, 200, code, "%s as %s: %s", key, role, b)
				continue
			}
			if !api.Can(role, rt.Action) {
				require.Equal(t, http.StatusForbidden, code, "%s as %s: %s", key, role, b)
				var e api.ErrorBody
				require.NoError(t, json.Unmarshal(b, &e))
				require.Equal(t, "forbidden", e.Error.Kind)
				require.Equal(t, before, f.last(), "%s as %s appended", key, role)
				continue
			}
			// Authorised: the request is served (a refusal for the
			// ledger's own reasons, e.g. a year published twice, is fine).
			require.NotContains(t, []int{401, 403}, code, "%s as %s: %s", key, role, b)
			require.Less(t, code, 500, "%s as %s: %s", key, role, b)
			if rt.Method == "GET" {
				require.Equal(t, before, f.last(), "a GET never appends")
			}
		}
		if rt.Action != "" {
			code, b := f.do(rt.Method, strings.ReplaceAll(req.path, "%s", "1"), "", req.body, req.ctype)
			require.Equal(t, http.StatusUnauthorized, code, "%s without a token: %s", key, b)
		}
	}
	// Every event records who appended it.
	code, b = f.do("GET", "/api/events?type=section&limit=1000", domain.Auditor, "", "")
	require.Equal(t, 200, code)
	var evs []map[string]any
	require.NoError(t, json.Unmarshal(b, &evs))
	people := map[string]bool{}
	for _, e := range evs {
		people[e["actor"].(map[string]any)["id"].(string)] = true
	}
	require.True(t, people["person-station"], "%v", people)
	require.True(t, people["admin"])

	// Every route that writes has run: every aggregate type written is one
	// a type filter accepts, and an unknown one is refused.
	require.NoError(t, f.store.Read(context.Background(), events.Query{}, func(e events.Event) error {
		require.Contains(t, app.AggregateTypes, e.Aggregate.Type, "%s", e.Aggregate)
		return nil
	}))
	code, b = f.do("GET", "/api/events?type=nope", domain.Auditor, "", "")
	require.Equal(t, 400, code, string(b))
	require.Contains(t, string(b), `"field":"type[0]"`)
	code, b = f.do("GET", "/api/events?name=section.samples_recorded&name=enterprise.foo", domain.Auditor, "", "")
	require.Equal(t, 400, code, string(b))
	require.Contains(t, string(b), `"field":"name[1]"`)
	// A parameter the endpoint does not take is refused, not ignored.
	code, b = f.do("GET", "/api/events?as_off=2019-01-01", domain.Auditor, "", "")
	require.Equal(t, 400, code, string(b))
	require.Contains(t, string(b), `"field":"as_off"`)
	require.Contains(t, string(b), "as_of")
	code, b = f.do("GET", "/api/sections?city=运城", domain.Auditor, "", "")
	require.Equal(t, 200, code, string(b))
	require.Contains(t, string(b), "FH-HJDQ")
	require.NotContains(t, string(b), "HH-NZ", "a Xinzhou section")
	code, b = f.do("POST", "/api/tokens", domain.Admin, `{"person":"s2","role":"station","sections":["FH-HJDQ","NOPE"]}`, "application/json")
	require.Equal(t, 400, code, string(b))
	require.Contains(t, string(b), `"field":"sections[1]"`)
	code, b = f.do("POST", "/api/tokens", domain.Admin, `{"person":"s2","role":"station","sections":["FH-HJDQ"]}`, "application/json")
	require.Equal(t, 201, code, string(b))
	code, b = f.do("GET", "/api/quality/basins?year=2019&as_of=2019-12-31&as_happened=2019-12-31", domain.Auditor, "", "")
	require.Equal(t, 400, code, "two views at once: %s", b)
	require.Contains(t, string(b), `"field":"as_happened"`)
	code, b = f.do("GET", "/api/card-lists/999999/2019Q1", domain.Auditor, "", "")
	require.Equal(t, 404, code, string(b))
	code, b = f.do("GET", "/api/exports/assessment/2019?lang=fr", domain.Auditor, "", "")
	require.Equal(t, 400, code, string(b))
	require.Contains(t, string(b), `"field":"lang"`)
}

// A station uploads only for its own sections: an upload naming another's
// is refused whole (403, partial or not), every error of the file listed
// by row as for any bad row, so that the clerk mends it at once.
func TestStationUploadsOnlyItsOwnSections(t *testing.T) {
	f := setup(t)
	before := f.last()
	for _, path := range []string{"/api/samples/import", "/api/samples/import?partial=true"} {
		code, b := f.do("POST", path, domain.Station,
			"section,sampled_at,source,DO\nFH-HJDQ,2019-05-01 09:00,manual,6.1\nHH-NZ,2019-05-01 09:00,manual,8.1\nFH-HJDQ,2019-05-02 09:00,manual,-6\n", "text/csv")
		require.Equal(t, http.StatusForbidden, code, string(b))
		var e api.ErrorBody
		require.NoError(t, json.Unmarshal(b, &e))
		require.Equal(t, "forbidden", e.Error.Kind)
		require.Equal(t, []monitoring.RowError{
			{Line: 3, Column: "section", Reason: "HH-NZ is not one of this station's sections: an upload naming one is refused whole, partial or not",
				ReasonZh: "HH-NZ 不是本站的断面：文件中有他站断面的行，整个文件不予存储（部分导入也不例外）"},
			{Line: 4, Column: "DO", Reason: "DO -6 is negative", ReasonZh: "溶解氧（DO）为 -6，不能为负数"},
		}, e.Error.Rows, path)
		// The summary says why, not only how many rows.
		require.True(t, strings.HasPrefix(e.Error.Message, "import: file: 2 rows rejected (2 errors), nothing stored: this station's token may not upload samples for HH-NZ:\n"), e.Error.Message)
		require.Equal(t, "2 行被拒（2 处错误），未存储任何数据：本站令牌无权上传他站断面的样品（HH-NZ）", e.Error.MessageZh)
		require.Equal(t, []monitoring.SectionID{"HH-NZ"}, e.Error.RefusedSections)
		require.Equal(t, before, f.last(), "nothing stored: %s", path)
	}
	code, b := f.do("POST", "/api/samples/import", domain.Station, "section,sampled_at,source,DO\nFH-HJDQ,2019-05-01 09:00,manual,6.1\n", "text/csv")
	require.Equal(t, 200, code, string(b))
}

// A station's clerk corrects its own sections' samples: the values given
// replace those items', the others are kept, the items listed in remove
// are taken out; another station's section is not its to correct.
func TestStationCorrectsItsOwnSamples(t *testing.T) {
	f := setup(t)
	code, b := f.do("POST", "/api/samples/import", domain.Admin,
		"section,sampled_at,source,pH,DO,NH3N,TP\nFH-HJDQ,2020-02-02 12:00,auto,7.6,6.1,0.5,0.12\nHH-NZ,2020-02-02 12:00,auto,7.9,8.1,0.2,0.05\n", "text/csv")
	require.Equal(t, 200, code, string(b))
	code, b = f.do("POST", "/api/sections/FH-HJDQ/corrections", domain.Station,
		`{"sample":{"at":"2020-02-02T12:00:00+08:00","source":"auto","values":{"TP":0.30}},"reason":"实验室复核,TP 录入错误"}`, "application/json")
	require.Equal(t, 201, code, string(b))
	var e struct {
		Data monitoring.SampleCorrected `json:"payload"`
	}
	require.NoError(t, json.Unmarshal(b, &e))
	require.Equal(t, water.Values{water.PH: 7.6, water.DO: 6.1, water.NH3N: 0.5, water.TP: 0.3}, e.Data.Sample.Values, "only TP changed")
	require.Equal(t, 0.12, e.Data.Previous.Values[water.TP])
	code, b = f.do("POST", "/api/sections/FH-HJDQ/corrections", domain.Station,
		`{"sample":{"at":"2020-02-02T12:00:00+08:00","source":"auto"},"remove":["pH"],"reason":"pH 电极故障"}`, "application/json")
	require.Equal(t, 201, code, string(b))
	e.Data = monitoring.SampleCorrected{} // Unmarshal adds to a map it is given
	require.NoError(t, json.Unmarshal(b, &e))
	require.Equal(t, water.Values{water.DO: 6.1, water.NH3N: 0.5, water.TP: 0.3}, e.Data.Sample.Values)
	// Items named as in an upload are stored by their codes.
	code, b = f.do("POST", "/api/sections/FH-HJDQ/corrections", domain.Station,
		`{"sample":{"at":"2020-02-02T12:00:00+08:00","source":"auto","values":{"氨氮":0.7,"tp":0.05},"below_dl":["TP"]},"remove":["DO"],"reason":"复核"}`, "application/json")
	require.Equal(t, 201, code, string(b))
	e.Data = monitoring.SampleCorrected{}
	require.NoError(t, json.Unmarshal(b, &e))
	require.Equal(t, water.Values{water.NH3N: 0.7, water.TP: 0.05}, e.Data.Sample.Values)
	require.Equal(t, []water.Item{water.TP}, e.Data.Sample.BelowDL)
	code, b = f.do("POST", "/api/sections/FH-HJDQ/corrections", domain.Station,
		`{"sample":{"at":"2020-02-02T12:00:00+08:00","source":"auto","values":{"氨氮":0.8,"NH3-N":0.9}},"reason":"复核"}`, "application/json")
	require.Equal(t, 400, code, string(b))
	require.Contains(t, string(b), "given twice, under two names")
	before := f.last()
	code, b = f.do("POST", "/api/sections/HH-NZ/corrections", domain.Station,
		`{"sample":{"at":"2020-02-02T12:00:00+08:00","source":"auto","values":{"TP":0.06}},"reason":"复核"}`, "application/json")
	require.Equal(t, http.StatusForbidden, code, string(b))
	require.Contains(t, string(b), `"field":"id"`)
	code, b = f.do("POST", "/api/sections/HH-NZ/invalidations", domain.Station, `{"at":"2020-02-02T12:00:00+08:00","source":"auto","reason":"x"}`, "application/json")
	require.Equal(t, http.StatusForbidden, code, string(b))
	require.Equal(t, before, f.last(), "nothing stored")
}

// Errors are JSON with field-level detail; a rejected upload lists its rows.
func TestErrorsAreJSONWithFields(t *testing.T) {
	f := setup(t)
	code, b := f.do("POST", "/api/samples/import", domain.Admin, "section,sampled_at,source,DO\nFH-HJDQ,2019-05-01 09:00,manual,-6\nXX,2019-05-01 09:00,manual,6\n", "text/csv")
	require.Equal(t, 400, code)
	var e api.ErrorBody
	require.NoError(t, json.Unmarshal(b, &e))
	require.Equal(t, "invalid", e.Error.Kind)
	require.Len(t, e.Error.Rows, 2)
	require.Equal(t, monitoring.RowError{Line: 2, Column: "DO", Reason: "DO -6 is negative", ReasonZh: "溶解氧（DO）为 -6，不能为负数"}, e.Error.Rows[0])
	code, b = f.do("POST", "/api/samples/import", domain.Admin, "--X\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nsection\r\n--X--\r\n", "multipart/form-data; boundary=X")
	require.Equal(t, 400, code, string(b))
	require.Contains(t, string(b), `"field":"Content-Type"`)
	require.Contains(t, string(b), "--data-binary")
	code, b = f.do("POST", "/api/samples/import?partial=maybe", domain.Admin, "section,sampled_at,source,DO\nFH-HJDQ,2019-05-01 09:00,manual,6\n", "text/csv")
	require.Equal(t, 400, code, string(b))
	require.Contains(t, string(b), `"field":"partial"`)
	code, b = f.do("POST", "/api/samples/import?partial=1", domain.Admin, "section,sampled_at,source,DO\nFH-HJDQ,2019-05-01 09:00,manual,-6\nFH-HJDQ,2019-05-02 09:00,manual,6\n", "text/csv")
	require.Equal(t, 200, code, "partial=1 is partial: %s", b)
	require.Contains(t, string(b), `"stored":1`)
	require.Contains(t, string(b), `"rejected_rows":1`)

	code, b = f.do("POST", "/api/sections", domain.Admin, `{"id":"bad id","name":"x"}`, "application/json")
	require.Equal(t, 400, code)
	require.NoError(t, json.Unmarshal(b, &e))
	require.Equal(t, "city", e.Error.Field, string(b))

	code, b = f.do("POST", "/api/sections", domain.Admin, `{"id":"OK-1","name":"x","city":"140100","basin":"yellow","river":"r","kind":"sea","level":"national"}`, "application/json")
	require.Equal(t, 400, code)
	require.NoError(t, json.Unmarshal(b, &e))
	require.Equal(t, "kind", e.Error.Field, "named as in the request: %s", b)

	code, b = f.do("GET", "/api/quality/cities/999999", domain.Auditor, "", "")
	require.Equal(t, 404, code, string(b))
	code, _ = f.do("GET", "/api/events?limit=0", domain.Auditor, "", "")
	require.Equal(t, 400, code)

	// Registering the same section twice is a conflict.
	body := `{"id":"DUP-1","name":"x","city":"140100","basin":"yellow","river":"r","kind":"river","level":"national"}`
	code, _ = f.do("POST", "/api/sections", domain.Admin, body, "application/json")
	require.Equal(t, 201, code)
	code, b = f.do("POST", "/api/sections", domain.Admin, body, "application/json")
	require.Equal(t, 409, code, string(b))
	require.NoError(t, json.Unmarshal(b, &e))
	require.NotNil(t, e.Error.Conflict)
	require.Equal(t, "id", e.Error.Field, "the request's field, not the log's changes[0].expect: %s", b)
	require.Contains(t, e.Error.Message, "section DUP-1 (140100) is registered already")
	require.Contains(t, string(b), `"conflict":{"aggregate":{"scope":"140100","type":"section","id":"DUP-1"},"expected":0,"actual":1}`)
}

// The OpenAPI document lists exactly the routes, each of which is served.
func TestOpenAPIMatchesTheRoutes(t *testing.T) {
	f := setup(t)
	code, b := f.do("GET", "/api/openapi.json", "", "", "")
	require.Equal(t, 200, code)
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
		Comps   struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	require.NoError(t, json.Unmarshal(b, &doc))
	require.Equal(t, "3.0.3", doc.OpenAPI)
	count := 0
	for path, ops := range doc.Paths {
		for method, op := range ops {
			count++
			// Every operation's schemas exist.
			for _, resp := range op["responses"].(map[string]any) {
				for ctype, c := range resp.(map[string]any)["content"].(map[string]any) {
					schema := c.(map[string]any)["schema"].(map[string]any)
					if ref, ok := schema["$ref"].(string); ok {
						require.Contains(t, doc.Comps.Schemas, strings.TrimPrefix(ref, "#/components/schemas/"))
					} else {
						require.Equal(t, "binary", schema["format"], "%s %s %s: a file", method, path, ctype)
					}
				}
			}
			// And the server answers it (not the mux's 404 or 405).
			req := requests[strings.ToUpper(method)+" "+path]
			p := strings.ReplaceAll(req.path, "%s", "1")
			code, body := f.do(strings.ToUpper(method), p, domain.Admin, strings.ReplaceAll(req.body, "%s", "1"), req.ctype)
			require.NotEqual(t, http.StatusMethodNotAllowed, code, "%s %s", method, path)
			require.False(t, code == 404 && strings.Contains(string(body), "page not found"), "%s %s is not served", method, path)
		}
	}
	require.Equal(t, len(api.Routes()), count)
	// Codes a request carries list their values.
	props := func(schema string) map[string]any {
		return doc.Comps.Schemas[schema].(map[string]any)["properties"].(map[string]any)
	}
	require.Equal(t, []any{"interview", "restriction", "rectification"}, props("ConsequenceRequest")["kind"].(map[string]any)["enum"])
	// Types that write their own JSON are described as they write it.
	require.Equal(t, map[string]any{"type": "string", "format": "date"}, props("Appointed")["from"], "a date")
	strip := props("EnterpriseView")["strip"].(map[string]any)["items"].(map[string]any)["properties"].(map[string]any)
	require.Equal(t, map[string]any{"type": "string"}, strip["quarter"], "2019Q1")

	// A body chosen by the path is one of its schemas, each one there; the
	// fields a request must carry are listed, and each is a property.
	for name, n := range map[string]int{"EnforcementAction": 6, "RegisterEntry": 4} {
		alts := doc.Comps.Schemas[name].(map[string]any)["anyOf"].([]any)
		require.Len(t, alts, n, name)
		for _, a := range alts {
			require.Contains(t, doc.Comps.Schemas, strings.TrimPrefix(a.(map[string]any)["$ref"].(string), "#/components/schemas/"))
		}
	}
	for name, schema := range doc.Comps.Schemas {
		req, _ := schema.(map[string]any)["required"].([]any)
		for _, f := range req {
			require.Contains(t, props(name), f, "%s requires a field it has", name)
		}
	}
	require.Equal(t, []any{"sample", "reason"}, doc.Comps.Schemas["CorrectionRequest"].(map[string]any)["required"])
	require.Equal(t, []any{"not_started", "in_progress", "completed", "verified", "suspended"}, props("StatusRequest")["to"].(map[string]any)["enum"])
	// Following the document works: a yellow card's body as documented.
	require.Contains(t, props("YellowCardIssued"), "rectification_deadline")
	require.NotContains(t, props("YellowCardIssued"), "findings")
}

func TestHealthReadyMetrics(t *testing.T) {
	f := setup(t)
	code, _ := f.do("GET", "/healthz", "", "", "")
	require.Equal(t, 200, code)
	code, b := f.do("GET", "/readyz", "", "", "")
	require.Equal(t, 200, code, string(b))
	f.do("POST", "/api/samples/import", domain.Admin, "section,sampled_at,source,DO\nFH-HJDQ,2019-05-01 09:00,manual,6.1\n", "text/csv")
	f.do("POST", "/api/sections", domain.Admin, `{"id":"FH-HJDQ","name":"x","city":"140800","basin":"yellow","river":"r","kind":"river","level":"national"}`, "application/json")
	code, b = f.do("GET", "/metrics", "", "", "")
	require.Equal(t, 200, code)
	m := string(b)
	require.Contains(t, m, `ledger_appended_events_total{name="section.samples_recorded"} 1`)
	require.Contains(t, m, "ledger_append_conflicts_total 1")
	require.Contains(t, m, "ledger_projection_lag_events 0")
	require.Contains(t, m, `ledger_http_request_duration_seconds_count{code="200",route="POST /api/samples/import"} 1`)
}

// Reads follow writes: an upload is in the quality model when it returns.
func TestQualityThroughTheAPI(t *testing.T) {
	f := setupClock(t, time.Now) // as_of below is a time of the wall clock: the server's today is its day
	var csv strings.Builder
	csv.WriteString("section,sampled_at,source,DO,NH3N,TP\n")
	for m := 1; m <= 12; m++ {
		fmt.Fprintf(&csv, "FH-HJDQ,2019-%02d-10 09:00,manual,5.5,1.3,0.18\n", m)
	}
	beforeUpload := time.Now().UTC().Format(time.RFC3339Nano)
	time.Sleep(time.Millisecond)
	code, b := f.do("POST", "/api/samples/import?file=2019.csv", domain.Admin, csv.String(), "text/csv")
	require.Equal(t, 200, code, string(b))
	code, b = f.do("GET", "/api/quality/sections/FH-HJDQ?year=2019", domain.Auditor, "", "")
	require.Equal(t, 200, code, string(b))
	var rep []api.SectionReport
	require.NoError(t, json.Unmarshal(b, &rep))

	require.Equal(t, water.ClassIV, rep[0].Year.Class)
	require.True(t, rep[0].Year.Met)
	require.Len(t, rep[0].Months, 12)
	require.Contains(t, string(b), `"month":1,"class":`, "snake_case like the rest of the API")
	// The quarter's ranking: 运城, the only city sampled, first, with the
	// index of its section's means (DO 5.5, NH3-N 1.3, TP 0.18 against the
	// class-III 5, 1.0 and 0.2).
	code, b = f.do("GET", "/api/quality/rankings/2019/2", domain.Auditor, "", "")
	require.Equal(t, 200, code, string(b))
	var ranking []struct {
		City string  `json:"city"`
		Rank int     `json:"rank"`
		CWQI float64 `json:"cwqi"`
	}
	require.NoError(t, json.Unmarshal(b, &ranking))
	require.Len(t, ranking, 11)
	require.Equal(t, "140800", ranking[0].City)
	require.Equal(t, 1, ranking[0].Rank)
	require.InDelta(t, 5/5.5+1.3/1.0+0.18/0.2, ranking[0].CWQI, 1e-9)
	require.Zero(t, ranking[1].Rank, "no other city sampled")
	code, b = f.do("GET", "/api/quality/rankings/2019/5", domain.Auditor, "", "")
	require.Equal(t, 400, code, string(b))
	require.Contains(t, string(b), `"field":"quarter"`)

	// As the ledger knew it before the upload: nothing.
	code, b = f.do("GET", "/api/quality/sections/FH-HJDQ?year=2019&as_of="+beforeUpload, domain.Auditor, "", "")
	require.Equal(t, 200, code, string(b))
	require.NoError(t, json.Unmarshal(b, &rep))
	require.Zero(t, rep[0].Year.Samples)
}

// A path or a method no route takes is answered with the same JSON error
// body as every other API error, not the mux's plain text.
func TestUnroutedAPIRequestsAnswerJSON(t *testing.T) {
	f := setup(t)
	for _, tc := range []struct {
		method, path string
		status       int
		kind         string
	}{
		{"GET", "/api/nonsense", 404, "not found"},
		{"DELETE", "/api/events", 405, "method not allowed"},
	} {
		req, err := http.NewRequest(tc.method, f.url+tc.path, nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+f.tokens[domain.Admin])
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		require.Equal(t, tc.status, resp.StatusCode, string(b))
		require.Equal(t, "application/json; charset=utf-8", resp.Header.Get("Content-Type"))
		var e api.ErrorBody
		require.NoError(t, json.Unmarshal(b, &e), "%q", b)
		require.Equal(t, tc.kind, e.Error.Kind)
		require.Contains(t, e.Error.Message, tc.path)
		if tc.status == 405 {
			require.Contains(t, resp.Header.Get("Allow"), "GET")
		}
	}
	// The dashboard's own paths are not the API's: an unknown one is the
	// dashboard's 404 page; an unknown API path with another method is a
	// 404 too, not a 405.
	resp, err := http.Get(f.url + "/nonsense")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 404, resp.StatusCode)
	require.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	resp, err = http.Post(f.url+"/api/nope", "application/json", strings.NewReader("{}"))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 404, resp.StatusCode)
}

// A published year stays readable when, as known today, there is nothing
// to assess (withdrawals took every section below the norm): the
// publication, today as null, and each city's change said.
func TestPublishedYearWithNothingToAssessToday(t *testing.T) {
	f := setup(t)
	code, b := f.do("POST", "/api/assessment/rules", domain.Assessment, standardRules, "application/json")
	require.Equal(t, 201, code, string(b))
	var csv strings.Builder
	csv.WriteString("section,sampled_at,source,DO,NH3N\n")
	for m := 1; m <= 12; m++ {
		fmt.Fprintf(&csv, "FH-HJDQ,2019-%02d-10 09:00,manual,6.0,0.9\nHH-NZ,2019-%02d-10 09:00,manual,8.0,0.2\n", m, m)
	}
	code, b = f.do("POST", "/api/samples/import", domain.Admin, csv.String(), "text/csv")
	require.Equal(t, 200, code, string(b))
	code, b = f.do("POST", "/api/assessment/2019/publish", domain.Assessment, `{"document":"晋环函〔2020〕30号","incomplete":true}`, "application/json")
	require.Equal(t, 201, code, string(b))
	for _, id := range []string{"FH-HJDQ", "HH-NZ"} {
		code, b = f.do("POST", "/api/sections/"+id+"/invalidations", domain.Admin, `{"at":"2019-02-10T09:00:00+08:00","source":"manual","reason":"采样瓶污染"}`, "application/json")
		require.Equal(t, 201, code, string(b))
	}
	code, b = f.do("GET", "/api/assessment/2019/published", domain.Auditor, "", "")
	require.Equal(t, 200, code, string(b))
	require.Contains(t, string(b), `"today":null`)
	require.Contains(t, string(b), `"140800":["nothing to assess as known today"]`)
	require.Contains(t, string(b), `"140800":["按今日所知，尚无可评价的数据"]`, "and in Chinese, in changed_zh")
	require.Contains(t, string(b), "晋环函〔2020〕30号")
}

// The errors of an upload and of a correction that are not a row's (the
// file's, the request's, the summary of a file refused for its rows) are
// said in Chinese too, as the rows' reasons are (message_zh, by the same
// table); the kind, field and op stay English. None stores anything.
func TestUploadAndCorrectionErrorsInChinese(t *testing.T) {
	f := setup(t)
	code, b := f.do("POST", "/api/samples/import", domain.Admin, "section,sampled_at,source,DO,TP\nFH-HJDQ,2020-02-02 12:00,auto,6.1,0.12\n", "text/csv")
	require.Equal(t, 200, code, string(b))
	code, b = f.do("POST", "/api/sections/FH-HJDQ/invalidations", domain.Admin, `{"at":"2020-02-02T12:00:00+08:00","source":"auto","reason":"仪器故障"}`, "application/json")
	require.Equal(t, 201, code, string(b))
	const csvType, jsonType = "text/csv", "application/json"
	for _, tc := range []struct {
		name, path, body, ctype string
		status                  int
		field, zh               string
	}{
		{"cut short", "/api/samples/import", "section,sampled_at,source,DO\nFH-HJDQ,2019-05-01 09:00,manual,6.1", csvType, 400, "file",
			"最后一行没有换行符：文件可能在传输中被截断；未存储任何数据（请重新发送，或在最后一行末尾换行）"},
		{"empty", "/api/samples/import", "", csvType, 400, "file", "文件为空：第一行应为列名"},
		{"a header that is not CSV", "/api/samples/import", "sec\"tion,sampled_at,source,DO\nFH-HJDQ,2019-05-01 09:00,manual,6.1\n", csvType, 400, "file",
			"第 1 行（表头）不是有效的 CSV：parse error on line 1, column 4: bare \" in non-quoted-field"},
		{"a header's errors", "/api/samples/import", "section,sampled_at,DO,溶解氧\nFH-HJDQ,2019-05-01 09:00,6.1,6.1\n", csvType, 400, "file",
			"表头（第 1 行）有误（2 处错误），未存储任何数据"},
		{"rows' errors", "/api/samples/import", "section,sampled_at,source,DO\nFH-HJDQ,2019-05-01 09:00,manual,-6\nXX,2019-05-01 09:00,manual,x\n", csvType, 400, "file",
			"2 行被拒（3 处错误），未存储任何数据"},
		{"another station's section", "/api/samples/import", "section,sampled_at,source,DO\nHH-NZ,2019-05-01 09:00,manual,6\n", csvType, 403, "file",
			"1 行被拒（1 处错误），未存储任何数据：本站令牌无权上传他站断面的样品（HH-NZ）"},
		{"the file's name", "/api/samples/import?file=%20may.csv", "section,sampled_at,source,DO\nFH-HJDQ,2019-05-01 09:00,manual,6.1\n", csvType, 400, "file",
			`文件名 " may.csv"：首尾有空白`},
		{"a form post", "/api/samples/import", "--X\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nsection\r\n--X--\r\n", "multipart/form-data; boundary=X", 400, "Content-Type",
			"multipart/form-data：请直接以文件本身作为请求体发送，类型为 text/csv（curl --data-binary @file.csv -H 'Content-Type: text/csv'）"},
		{"partial", "/api/samples/import?partial=maybe", "section,sampled_at,source,DO\nFH-HJDQ,2019-05-01 09:00,manual,6.1\n", csvType, 400, "partial",
			`"maybe" 不是 true 或 false`},
		{"no such sample", "/api/sections/FH-HJDQ/corrections", `{"sample":{"at":"2020-02-03T12:00:00+08:00","source":"manual","values":{"TP":0.3}},"reason":"复核"}`, jsonType, 404, "sample.at",
			"2020-02-03 12:00 没有手工样品"},
		{"no reason", "/api/sections/FH-HJDQ/corrections", `{"sample":{"at":"2020-02-02T12:00:00+08:00","source":"auto","values":{"TP":0.3}}}`, jsonType, 400, "reason",
			"缺失：请说明更正或作废该样品的原因"},
		{"not a time", "/api/sections/FH-HJDQ/corrections", `{"sample":{"at":"soon","source":"auto"},"reason":"复核"}`, jsonType, 400, "sample.at",
			`"soon" 不是 RFC 3339 时间（如 2021-03-01T08:00:00+08:00）`},
		{"a value out of range", "/api/sections/FH-HJDQ/corrections", `{"sample":{"at":"2020-02-02T12:00:00+08:00","source":"auto","values":{"pH":17}},"reason":"复核"}`, jsonType, 400, "sample.values.pH",
			"pH值为 17，超过 14，超出仪器可报告的范围"},
		{"a negative value", "/api/sections/FH-HJDQ/corrections", `{"sample":{"at":"2020-02-02T12:00:00+08:00","source":"auto","values":{"COD":-5}},"reason":"复核"}`, jsonType, 400, "sample.values.COD",
			"化学需氧量（COD）为 -5，不能为负数"},
		{"an item not stored", "/api/sections/FH-HJDQ/corrections", `{"sample":{"at":"2020-02-02T12:00:00+08:00","source":"auto"},"remove":["NH3N"],"reason":"复核"}`, jsonType, 400, "remove[0]",
			"NH3N 不在该样品的数值中"},
		{"values while not monitored", "/api/sections/FH-HJDQ/corrections", `{"sample":{"at":"2020-02-02T12:00:00+08:00","source":"auto","status":"ice","values":{"TP":0.3}},"reason":"复核"}`, jsonType, 400, "sample.values",
			"未监测（冰封）的样品没有可填写或删除的数值"},
		{"no such section", "/api/sections/NOPE/corrections", `{"sample":{"at":"2020-02-02T12:00:00+08:00","source":"auto","values":{"TP":0.3}},"reason":"复核"}`, jsonType, 404, "id",
			`没有断面 "NOPE"`},
		{"withdrawn already", "/api/sections/FH-HJDQ/invalidations", `{"at":"2020-02-02T12:00:00+08:00","source":"auto","reason":"再次"}`, jsonType, 409, "at",
			"2020-02-02 12:00 的自动样品已作废（仪器故障）；可通过更正恢复"},
		{"another station's sample", "/api/sections/HH-NZ/invalidations", `{"at":"2020-02-02T12:00:00+08:00","source":"auto","reason":"复核"}`, jsonType, 403, "id",
			"HH-NZ 不是本站的断面（本站令牌所列：FH-HJDQ、BO-1、GW-1）"},
		{"another station's site", "/api/black-odorous/140800/BO-2/inspections", `{"reading":{"transparency_cm":30}}`, jsonType, 403, "id",
			"BO-2 不是本站的监测点位（本站令牌所列：FH-HJDQ、BO-1、GW-1）"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := f.last()
			code, b := f.do("POST", tc.path, domain.Station, tc.body, tc.ctype)
			require.Equal(t, tc.status, code, string(b))
			var e api.ErrorBody
			require.NoError(t, json.Unmarshal(b, &e))
			require.Equal(t, tc.field, e.Error.Field, "in English: %s", b)
			require.Equal(t, tc.zh, e.Error.MessageZh, "%s", b)
			require.Equal(t, before, f.last(), "nothing stored")
		})
	}
}

// A server just started answers nothing from its read models before they
// have caught up with the log as it stood when it started: they would
// answer with part of the log (an assessment with no rules in force yet,
// a basin with half its sections), wrong figures rather than an error. A
// request waits for them; one still waiting after api.CatchUpWait is
// refused, 503, with when to try again, in Chinese too; then answered.
func TestRequestsWaitForTheReadModelsToCatchUp(t *testing.T) {
	f := setup(t)
	tokens, _, err := api.OpenTokens(f.tokensFile)
	require.NoError(t, err)
	late := api.New(api.Config{Store: f.store, Tokens: tokens, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	defer func(w time.Duration) { api.CatchUpWait = w }(api.CatchUpWait)
	api.CatchUpWait = 100 * time.Millisecond
	get := func(path string, cookie bool) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		if cookie {
			req.AddCookie(&http.Cookie{Name: "ledger_token", Value: f.tokens[domain.Auditor]})
		} else {
			req.Header.Set("Authorization", "Bearer "+f.tokens[domain.Auditor])
		}
		rec := httptest.NewRecorder()
		late.Handler().ServeHTTP(rec, req)
		return rec
	}
	rec := get("/api/sections", false)
	require.Equal(t, http.StatusServiceUnavailable, rec.Code, rec.Body.String())
	require.Equal(t, "5", rec.Header().Get("Retry-After"))
	var body api.ErrorBody
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
	require.Contains(t, body.Error.Message, "the read models are still catching up with the log (position 0 of ")
	require.Contains(t, body.Error.MessageZh, "读取模型仍在追赶台账（已应用至位置 0，")
	page := get("/cities", true)
	require.Equal(t, http.StatusServiceUnavailable, page.Code, "a dashboard page too")
	require.Contains(t, page.Body.String(), "读取模型仍在追赶台账")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go late.Run(ctx)
	api.CatchUpWait = 10 * time.Second
	rec = get("/api/sections", false)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	require.Contains(t, rec.Body.String(), "FH-HJDQ", "the sections registered before the server started")
}
