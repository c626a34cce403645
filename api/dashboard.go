package api

import (
	"cmp"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/assessment"
	"github.com/shanxi-water/ledger/domain/enforcement"
	"github.com/shanxi-water/ledger/domain/monitoring"
	"github.com/shanxi-water/ledger/domain/officials"
	"github.com/shanxi-water/ledger/domain/plan"
	"github.com/shanxi-water/ledger/domain/tasks"
	"github.com/shanxi-water/ledger/domain/water"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/projections/accountability"
	"github.com/shanxi-water/ledger/projections/quality"
	"github.com/shanxi-water/ledger/projections/taskboard"
)

//go:embed web
var webFiles embed.FS

var pages = map[string]*template.Template{}

func init() {
	funcs := template.FuncMap{
		"verdict": verdictHTML,
		// A basin's share against the plan's table: "—" without a target,
		// 无法判定 when none of its sections had data enough for a class.
		"basinVerdict": func(l Lang, b quality.BasinYear, met bool) template.HTML {
			if b.HasTarget && !b.Determined {
				return template.HTML(`<span class="none">` + template.HTMLEscapeString(l.T("undetermined")) + `</span>`)
			}
			return verdictHTML(l, b.HasTarget, met)
		},
		"cst":   cstText,
		"grade": func(l Lang, g assessment.Grade) string { return gradeText(l, g) },
		// Punctuation after a label, and between items, in the language:
		// full width in Chinese.
		"colon":     func(l Lang) string { return l.one("：", ": ") },
		"semicolon": func(l Lang) string { return l.Semicolon() },
		"asOfText":  asOfText,
		"comma":     func(l Lang) string { return l.T("list_sep") },
		"lparen":    func(l Lang) string { return l.one("（", " (") },
		"rparen":    func(l Lang) string { return l.one("）", ")") },
		"span": func(ys []int) string { // 2016–2020
			if len(ys) == 0 {
				return ""
			}
			return fmt.Sprintf("%d–%d", ys[0], ys[len(ys)-1])
		},
		"pick": func(l Lang, zh, en []string) []string { return l.pick(zh, en) },
		"code": func(l Lang, code any) string { return l.Code(code) },
		"city": func(l Lang, id domain.CityID) string {
			if c, ok := domain.LookupCity(id); ok {
				return cityName(l, c)
			}
			return string(id) // a provincial post has none
		},
		"item":       func(l Lang, item water.Item) string { return l.Item(item) },
		"class":      func(l Lang, c water.Class) string { return l.Class(c) },
		"dept":       func(l Lang, d plan.Department) string { return l.Dept(d) },
		"multiple":   Multiple,
		"pollutants": func(l Lang, ps []water.Exceedance) string { return l.Pollutants(ps) },
		// An inspection's measured item, and a value as recorded (186,
		// 0.5, 1200), neither padded nor rounded.
		"measuredItem": func(l Lang, item string) string { return l.MeasuredItem(item) },
		"number":       func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) },
		// The arguments of the "published-when" template: the page, when
		// the publication was recorded, and the page's path and year.
		"publishedLink": func(p page, w publishedWhen, path string) any {
			return struct {
				Page page
				When publishedWhen
				Href string
			}{p, w, path + "&as_of=" + url.QueryEscape(w.AsOf)}
		},
	}
	layout := template.Must(template.New("layout").Funcs(funcs).ParseFS(webFiles, "web/layout.html"))
	for _, p := range []string{"overview", "cities", "city", "audit", "login", "enterprise", "accountability", "official", "error", "tasks", "cards", "card_lists", "card_list"} {
		pages[p] = template.Must(template.Must(layout.Clone()).ParseFS(webFiles, "web/"+p+".html"))
	}
}

// page is what every dashboard template gets.
type page struct {
	Title  string
	Lang   Lang
	L      Lang
	Switch string // this page in the other language
	Path   string // this page's path, without its query
	Who    string // who is signed in, and as what; "" on the sign-in page
	// AsOf is the ?as_of= the page shows the ledger as of ("" if none):
	// the navigation's links to the pages that take it keep it, so that
	// moving between them does not fall back to today's figures unsaid.
	AsOf string
	// AuditCity is the city the navigation's audit link goes to: the
	// page's own city where it has one (a city's, an audit's, an
	// enterprise's page, a list filtered by ?city=), else Taiyuan.
	AuditCity domain.CityID
	Data      any
}

// navCity is the city a page is about, if any (page.AuditCity).
func navCity(r *http.Request, data any) domain.CityID {
	if d, ok := data.(interface{ city() domain.CityID }); ok {
		return d.city()
	}
	for _, v := range []string{r.PathValue("city"), r.URL.Query().Get("city")} {
		if c, ok := domain.FindCity(v); ok && v != "" {
			return c.ID
		}
	}
	return ""
}

// newPage is a page of the request in the language.
func newPage(r *http.Request, l Lang, title string, data any) page {
	q := r.URL.Query()
	if l == En {
		q.Set("lang", string(Zh))
	} else {
		q.Set("lang", string(En))
	}
	return page{Title: title, Lang: l, L: l, Switch: r.URL.Path + "?" + q.Encode(), Path: r.URL.Path, AuditCity: "140100", Data: data}
}

const (
	tokenCookie = "ledger_token"
	langCookie  = "ledger_lang"
)

// lang picks the language: ?lang= (remembered in a cookie), else the cookie,
// else Simplified Chinese.
func lang(w http.ResponseWriter, r *http.Request) Lang {
	if q := r.URL.Query().Get("lang"); q == "en" || q == "zh" {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: q, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode})
		return Lang(q)
	}
	if c, err := r.Cookie(langCookie); err == nil && c.Value == "en" {
		return En
	}
	return Zh
}

// dashboard mounts the web dashboard: pages need a token with Read, kept in
// a cookie after signing in (GET /login?token=… or the form).
func (s *Server) dashboard(mux *http.ServeMux) {
	static, _ := fs.Sub(webFiles, "web")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /login", s.login)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("GET /logout", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: tokenCookie, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, MaxAge: -1})
		http.Redirect(w, r, "/login", http.StatusSeeOther)
	})
	s.page(mux, "GET /{$}", "overview", s.overviewPage)
	s.page(mux, "GET /cities", "cities", s.citiesPage, "year", "as_of")
	s.page(mux, "GET /city/{city}", "city", s.cityPage, "year", "as_of")
	s.page(mux, "GET /audit/{city}", "audit", s.auditPage, "as_of", "at", "before")
	s.page(mux, "GET /enterprise/{id}", "enterprise", s.enterprisePage, "day", "as_of")
	s.page(mux, "GET /accountability", "accountability", s.accountabilityPage, "city")
	s.page(mux, "GET /official/{id}", "official", s.officialPage)
	s.page(mux, "GET /tasks", "tasks", s.tasksPage, "day", "city", "dept", "overdue", "as_of")

	s.page(mux, "GET /cards", "cards", s.cardsPage, "day", "city", "as_of")
	s.page(mux, "GET /card-lists", "card_lists", s.cardListsPage, "city", "as_of")
	s.page(mux, "GET /card-lists/{scope}/{quarter}", "card_list", s.cardListPage, "as_of")
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	l := lang(w, r)
	next := localPath(r.FormValue("next"))
	refused := false
	if tok := r.FormValue("token"); tok != "" {
		if _, ok := s.tokens.Lookup(tok); ok {
			// Secure when the request came over TLS (directly, or through a
			// proxy that says so): the cookie then never goes in clear.
			secure := r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"
			http.SetCookie(w, &http.Cookie{Name: tokenCookie, Value: tok, Path: "/", HttpOnly: true, Secure: secure, SameSite: http.SameSiteStrictMode, MaxAge: 12 * 3600})
			http.Redirect(w, r, next, http.StatusSeeOther)
			return
		}
		refused = true
		w.WriteHeader(http.StatusUnauthorized)
	}
	_ = pages["login"].ExecuteTemplate(w, "layout", newPage(r, l, l.T("login"), struct {
		Next    string
		Refused bool
	}{next, refused}))
}

// localPath is where to go after signing in: a path of this server, else
// the overview. A browser takes "/\host/" and "/<tab>/host/" as another
// host, as it does "//host/": none of them is ever followed.
func localPath(next string) string {
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.ContainsFunc(next, func(r rune) bool { return r == '\\' || unicode.IsControl(r) || unicode.IsSpace(r) }) {
		return "/"
	}
	return next
}

// page mounts one dashboard page, which takes the query parameters named
// (and lang): another is refused, as the API refuses it, rather than
// ignored (an ?as_of= on a page with no as-of view would show today's
// figures as if they were as of that date).
func (s *Server) page(mux *http.ServeMux, pattern, name string, fn func(r *http.Request, l Lang) (string, any, error), params ...string) {
	params = append(params, "lang")
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		l := lang(w, r)
		c, err := r.Cookie(tokenCookie)
		tok, ok := Token{}, false
		if err == nil {
			tok, ok = s.tokens.Lookup(c.Value)
		}
		if !ok || !Can(tok.Role, Read) {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		title, data, err := "", any(nil), onlyParams(r, r.URL.Path, params)
		if err == nil {
			err = s.checkKnowledgeDates(r, r.URL.Path)
		}
		if err == nil {
			err = s.caughtUp(r)
		}
		if err == nil {
			title, data, err = fn(r, l)
		}
		who := tok.Person + " · " + l.Code(tok.Role)
		if err != nil {
			errorPage(w, r, l, err, who)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		pg := newPage(r, l, title, data)
		pg.Who = who
		pg.AsOf = r.URL.Query().Get("as_of") // a page that does not take it refused it above
		if c := navCity(r, data); c != "" {
			pg.AuditCity = c
		}
		if err := pages[name].ExecuteTemplate(w, "layout", pg); err != nil {
			s.log.Error("render", "page", name, "error", err)
		}
	})
}

// notFoundPage answers a page request no route takes with the dashboard's
// 404 page in the visitor's language (routeErrors calls it in place of the
// mux's plain text).
func notFoundPage(w http.ResponseWriter, r *http.Request) {
	l := lang(w, r)
	errorPage(w, r, l, domain.Errorf(r.URL.Path, domain.NotFound, "path", "%s: %s", l.T("no_page"), r.URL.Path), "")
}

// errorPage answers a page request that failed with the dashboard's error
// page: the status and body the API would answer it with (errorDetail),
// led by the kind of error in the language; in Chinese, why in Chinese
// where the ledger has it (the API's message_zh), above the English
// message, which is kept as the detail.
func errorPage(w http.ResponseWriter, r *http.Request, l Lang, err error, who string) {
	status, d := errorDetail(err)
	reason := d.MessageZh
	if l == En {
		reason = ""
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	pg := newPage(r, l, l.T("error"), struct {
		Status                int
		Lead, Reason, Message string
	}{status, l.ErrorLead(err), reason, d.Message})
	pg.Who = who
	_ = pages["error"].ExecuteTemplate(w, "layout", pg)
}

// cstText is a time as the pages show it, in Shanxi time; an action
// entered by its date is stored at the end of that day (actionTime), and
// shows as the date alone rather than as 23:59.
func cstText(t time.Time) string {
	t = t.In(domain.CST)
	if t.Hour() == 23 && t.Minute() == 59 && t.Second() == 59 {
		return t.Format("2006-01-02")
	}
	return t.Format("2006-01-02 15:04")
}

// years are the years the pages offer: those with samples, as the
// ledger stands.
func (s *Server) years() []int { return s.liveModels().years() }

func (s *Server) overviewPage(r *http.Request, l Lang) (string, any, error) {
	var basins []quality.BasinYear
	years := s.years()
	s.live.View(func() {
		for _, y := range years {
			basins = append(basins, s.quality.Basin(domain.Yellow, y), s.quality.Basin(domain.Hai, y))
		}
	})
	return l.T("overview"), struct {
		Basins []quality.BasinYear
		Chart  template.HTML
	}{basins, basinChart(l, basins)}, nil
}

// yearParam reads ?year=; by default the last of years that has ended by
// at (the time the figures are of), else the last one, else at's year. A
// year has ended as app.Provisional says, the rule the figures are marked
// by: as of 31 December's date (its end) the year has ended, and is the
// default, no longer provisional.
func yearParam(r *http.Request, years []int, at time.Time) (int, error) {
	def := at.In(domain.CST).Year()
	if n := len(years); n > 0 {
		def = years[n-1]
		for _, y := range slices.Backward(years) {
			if !app.Provisional(y, at, at) {
				def = y
				break
			}
		}
	}
	y, err := queryInt(r, "year", def)
	if err != nil {
		return 0, err
	}
	if v := r.URL.Query().Get("as_of"); r.URL.Query().Get("year") == "" && v != "" && y < monitoring.FirstYear {
		// The year was not given: it followed the date, which is before
		// any year assessed. Name the parameter given, not the one not.
		return 0, domain.Errorf(r.URL.Path, domain.Invalid, "as_of", "%s is before %d, the first year the ledger assesses: nothing was known then", v, monitoring.FirstYear)
	}
	if y < monitoring.FirstYear || y > monitoring.LastYear {
		return 0, domain.Errorf(r.URL.Path, domain.Invalid, "year", "%d outside %d–%d", y, monitoring.FirstYear, monitoring.LastYear)
	}
	return y, nil
}

func cityName(l Lang, c domain.City) string {
	if l == En {
		return c.NameEn
	}
	return c.Name
}

func (s *Server) citiesPage(r *http.Request, l Lang) (string, any, error) {
	m, err := s.modelsOf(r)
	if err != nil {
		return "", nil, err
	}
	years := m.years()
	year, err := yearParam(r, years, m.now)
	if err != nil {
		return "", nil, err
	}
	type row struct {
		Rank                  int
		City                  domain.CityID
		Name, Grade, GradeKey string
		Quality, Tasks        float64
		Notes, Today          string
	}
	// today is the year as known today, or as known on the as_of date.
	today, err := m.year(year)
	if err != nil && domain.KindOf(err) != domain.NotFound {
		return "", nil, err
	}
	nothing := errors.Is(err, app.ErrNothingToAssess)
	p, pe, err := s.publication(r.Context(), year, m.at)
	if err != nil {
		return "", nil, err
	}
	var results []assessment.Result
	document := ""
	var when publishedWhen
	switch {
	case p != nil:
		results, document, when = p.Results, p.Document, publishedAt(pe)
	case today != nil:
		results = today.Results
	}
	var rows []row
	for _, res := range results {
		c, _ := domain.LookupCity(res.City)
		rw := row{Rank: res.Rank, City: res.City, Name: cityName(l, c), Grade: gradeText(l, res.Grade), GradeKey: string(res.Grade),
			Quality: res.QualityScore, Tasks: res.TaskScore, Notes: strings.Join(l.pick(res.Notes()), l.Semicolon())}
		if p != nil && today != nil {
			for _, now := range today.Results {
				if now.City == res.City {
					rw.Today = strings.Join(l.pick(app.DiffResults(res, now)), l.Semicolon())
				}
			}
		} else if p != nil && nothing {
			rw.Today = l.T("nothing_to_assess")
		}
		rows = append(rows, rw)
	}
	// The quarterly ranking by surface-water quality, a row per city.
	type quarterRow struct {
		Name  string
		Cells [4]string // "rank (index)", or "—" when no section was sampled
	}
	var quarters []quarterRow
	m.view(func() {
		at := map[domain.CityID]int{}
		for _, c := range domain.Cities {
			at[c.ID] = len(quarters)
			quarters = append(quarters, quarterRow{Name: cityName(l, c)})
		}
		for q := 1; q <= 4; q++ {
			for _, c := range m.quality.QuarterRanking(year, q) {
				cell := "—"
				if c.Rank > 0 {
					cell = fmt.Sprintf("%d (%.2f)", c.Rank, c.CWQI)
				}
				quarters[at[c.City]].Cells[q-1] = cell
			}
		}
	})
	var methodNote, gapNote string
	switch {
	case p != nil:
		zh, en := p.MethodNote()
		methodNote = l.one(zh, en)
		gapNote = gapsText(l, "published_incomplete", p.Incomplete)
	case today != nil:
		// Not published: the ranking as computed today, with the cities
		// whose results are partly made of missing data said.
		gapNote = gapsText(l, "computed_incomplete", assessment.Gaps(today.Results))
	}
	return l.T("cities"), struct {
		Year        int
		Years       []int
		Published   bool
		Provisional bool
		Nothing     bool // nothing to assess: no ranking, rather than every city failed
		Document    string
		When        publishedWhen // when the ledger recorded the publication
		MethodNote  string
		GapNote     string // cities lacking data (published knowingly so, or as computed today): which, and what they lacked
		Rows        []row
		Quarters    []quarterRow
		AsOf        string // ?as_of=, as the ledger knew it then; "" for everything recorded to date
	}{year, years, p != nil, p == nil && today != nil && today.Provisional, p == nil && (nothing || today == nil), document, when, methodNote, gapNote, rows, quarters, m.asOf}, nil
}

// publishedWhen is when a publication was recorded, as a page shows it
// (Shanxi time), and the as_of of a view of the ledger as it stood then:
// the recorded time to the nanosecond, as a time rounded down would come
// before the publication and not show it.
type publishedWhen struct{ Text, AsOf string }

func publishedAt(e *events.Event) publishedWhen {
	t := e.RecordedAt.In(domain.CST)
	return publishedWhen{t.Format("2006-01-02 15:04"), t.Format(time.RFC3339Nano)}
}

// gapsText says what cities lacked when their year was published knowingly
// incomplete; "" if nothing.
func gapsText(l Lang, lead string, gaps []assessment.DataGap) string {
	if len(gaps) == 0 {
		return ""
	}
	texts := make([]string, len(gaps))
	for i, g := range gaps {
		texts[i] = l.one(g.Text())
	}
	return l.T(lead) + strings.Join(texts, l.Semicolon())
}

func (s *Server) cityPage(r *http.Request, l Lang) (string, any, error) {
	c, err := cityParam(r)
	if err != nil {
		return "", nil, err
	}
	m, err := s.modelsOf(r)
	if err != nil {
		return "", nil, err
	}
	years := m.years()
	year, err := yearParam(r, years, m.now)
	if err != nil {
		return "", nil, err
	}
	city, _ := domain.LookupCity(c)
	type ent struct {
		ID                   enforcement.EnterpriseID
		Name, Industry, Card string
		Key                  bool // a key discharger (重点排污单位)
	}
	var rep quality.CityYear
	var chart template.HTML
	var tally taskboard.Tally
	var ents []ent
	overdueNow := 0
	cardsHeading := "" // the enterprises' card column: in force at the year's end, or on the day shown
	today := tasks.DayOf(m.now)
	m.view(func() {
		rep = m.quality.City(c, year)
		chart = classChart(l, m.quality, c, years)
		for _, ct := range m.board.Year(year, plan.NewDate(year, time.December, 31)).ByCity {
			if ct.Scope == domain.CityScope(c) {
				tally = ct.Tally
			}
		}
		for _, row := range m.board.Overdue(today).Rows {
			if row.City == c {
				overdueNow++
			}
		}
		// The cards in force at the end of the page's year (today, if it
		// has not ended).
		cardDay := plan.NewDate(year, time.December, 31)
		cardsHeading = fmt.Sprintf(l.T("cards_at_year_end"), year)
		if today.Compare(cardDay) < 0 {
			// Not the year's end: the page says which day it is.
			cardDay = today
			cardsHeading = fmt.Sprintf(l.T("cards_as_of_day"), cardDay)
		}
		inForce := map[enforcement.EnterpriseID]string{}
		for _, e := range m.cards.Register(cardDay) {
			inForce[e.Enterprise] = colorText(l, e.Color) + " " + e.Card
		}
		for _, e := range m.cards.Enterprises(domain.CityScope(c)) {
			ents = append(ents, ent{e.ID, e.Info.Name, e.Info.Industry, inForce[e.ID], e.Info.KeyDischarger})
		}
		slices.SortStableFunc(ents, func(a, b ent) int { return boolFirst(a.Key, b.Key) })
	})
	// The city's score for the year, part by part: as published, with what
	// is known differently today, or as the ledger stands today if the
	// year is not published; none when no rules are in force for the year.
	// With ?as_of=, today is that date, as the ledger knew it then.
	type scored struct {
		Result       assessment.Result
		Grade        string
		Parts        []string
		Notes        []string
		Published    string // the publishing notice; "" if not published
		When         publishedWhen
		Gap          string   // published knowingly without the city's data: what it lacked
		Provisional  bool     // not published, and the year not ended
		Today        []string // what differs as known today, if published
		MethodNote   string   // published with another method than today's: its differences may come from it
		Consequences []string // imposed since, one line each
	}
	var score *scored
	p, pe, err := s.publication(r.Context(), year, m.at)
	if err != nil {
		return "", nil, err
	}
	comp, err := m.year(year)
	if err != nil && domain.KindOf(err) != domain.NotFound {
		return "", nil, err
	}
	nothing := errors.Is(err, app.ErrNothingToAssess)
	var now, shown *assessment.Result
	if comp != nil {
		for i := range comp.Results {
			if comp.Results[i].City == c {
				now, shown = &comp.Results[i], &comp.Results[i]
			}
		}
	}
	if p != nil {
		if res, ok := p.Result(c); ok {
			shown = &res
		}
	}
	if shown != nil {
		sc := &scored{Result: *shown, Grade: gradeText(l, shown.Grade), Notes: l.pick(shown.Notes()), Provisional: p == nil && comp.Provisional}
		for _, part := range shown.Parts {
			zh, en := part.Text()
			sc.Parts = append(sc.Parts, l.one(zh, en))
		}
		sc.Parts = append(sc.Parts, l.one(shown.ShareText()))
		if p != nil {
			sc.Published, sc.When = p.Document, publishedAt(pe)
			for _, g := range p.Incomplete {
				if g.City == c {
					sc.Gap = gapsText(l, "published_incomplete", []assessment.DataGap{g})
				}
			}
			if now != nil {
				sc.Today = l.pick(app.DiffResults(*shown, *now))
			}
			sc.MethodNote = l.one(p.MethodNote())
			all, err := app.Consequences(r.Context(), s.store, year, m.at)
			if err != nil {
				return "", nil, err
			}
			for _, cq := range all[c] { // by the date imposed
				sc.Consequences = append(sc.Consequences, consequenceText(l, cq))
			}
		}
		score = sc
	}
	return cityName(l, city), struct {
		City        domain.CityID
		Name        string
		Year        int
		Years       []int
		Score       *scored
		Nothing     bool // nothing to assess in the year (and not published)
		Report      quality.CityYear
		Chart       template.HTML
		Tasks       taskboard.Tally
		Carried     int // units overdue when the year began, counted in its task score besides those due in it
		OverdueNow  int
		Enterprises []ent
		CardsAt     string
		AsOf        string // ?as_of=, as the ledger knew it then; "" for everything recorded to date
	}{c, cityName(l, city), year, years, score, p == nil && (nothing || comp == nil), rep, chart, tally, carried(now, tally), overdueNow, ents, cardsHeading, m.asOf}, nil
}

// carried is how many of a city-year's task units counted in its score
// (as the ledger stands today) were overdue when the year began.
func carried(today *assessment.Result, dueInYear taskboard.Tally) int {
	if today == nil {
		return 0
	}
	return max(today.Inputs.TasksDue-dueInYear.Units, 0)
}

// auditShown is the most timeline rows a page lists (the newest).
var auditShown = 300

func (s *Server) auditPage(r *http.Request, l Lang) (string, any, error) {
	c, err := cityParam(r)
	if err != nil {
		return "", nil, err
	}
	// ?as_of=, or ?at= as the audit API and ledger audit name it.
	asOfField := "as_of"
	asOfText := r.URL.Query().Get(asOfField)
	if asOfText == "" {
		asOfField = "at"
		asOfText = r.URL.Query().Get(asOfField)
	}
	var asOf time.Time
	if asOfText != "" {
		if asOf, err = parseAsOf(asOfText); err != nil {
			return "", nil, domain.E(r.URL.Path, domain.Invalid, asOfField, err)
		}
	}
	// ?before= pages back through the timeline: the events before that
	// position (every chain is still checked whole).
	var before uint64
	if v := r.URL.Query().Get("before"); v != "" {
		if before, err = strconv.ParseUint(v, 10, 64); err != nil {
			return "", nil, domain.Errorf(r.URL.Path, domain.Invalid, "before", "%q is not a log position", v)
		}
	}
	city, _ := domain.LookupCity(c)
	chains := events.NewChains()
	var problems []string
	var evs []events.Event
	checked, older := 0, false
	err = s.store.Read(r.Context(), events.Query{Scopes: []domain.Scope{domain.CityScope(c)}, RecordedBy: asOf}, func(e events.Event) error {
		checked++
		if reason, _ := chains.Check(&e, nil); reason != "" && len(problems) < 20 {
			problems = append(problems, fmt.Sprintf("%d %s %s: %s", e.Position, e.Aggregate, e.ID, reason))
		}
		if before != 0 && e.Position >= before {
			return nil
		}
		e.Payload, e.Data = nil, nil // the timeline shows envelopes
		evs = append(evs, e)
		if len(evs) > auditShown {
			evs, older = evs[1:], true
		}
		return nil
	})
	if err != nil {
		return "", nil, err
	}
	for i, j := 0, len(evs)-1; i < j; i, j = i+1, j-1 {
		evs[i], evs[j] = evs[j], evs[i]
	}
	var audit *app.CityAudit
	// The city's published figure of each year published by then, beside
	// what the ledger knew then (app.AuditYear.Published, as ledger audit
	// prints it), with the method note in the page's language.
	published := map[int]*publishedFigure{}
	if !asOf.IsZero() {
		// Both ways: as the ledger knew it then, and as it happened.
		if audit, err = s.audit(r.Context(), c, asOf); err != nil {
			return "", nil, err
		}
		for _, y := range audit.Years {
			if p := y.Published; p != nil {
				published[y.Year] = &publishedFigure{p.Result, p.Document, l.one(p.MethodNoteZh, p.MethodNote)}
			}
		}
	}
	// The other cities, to audit as of the same date.
	cities := cityLinks(l, c)
	var olderThan uint64 // the ?before= of the next page back; 0 if none
	if older && len(evs) > 0 {
		olderThan = evs[len(evs)-1].Position
	}
	return l.T("audit"), struct {
		City      domain.CityID
		Name      string
		AsOf      string
		Cities    []cityLink
		Events    []events.Event
		Problems  []string
		Checked   int
		Shown     int
		Paged     bool   // a page back from the newest
		OlderThan uint64 // a page further back, if any
		Audit     *app.CityAudit
		Published map[int]*publishedFigure // by year, those published by the date
	}{c, cityName(l, city), asOfText, cities, evs, problems, checked, len(evs), before != 0, olderThan, audit, published}, nil
}

// publishedFigure is a city's published result of a year, and the notice.
type publishedFigure struct {
	Result     assessment.Result
	Document   string
	MethodNote string // computed with another method than today's, as ResultsPublished.MethodNote says
}

// enterpriseData is what the enterprise page shows.
type enterpriseData struct {
	ID enforcement.EnterpriseID
	// USCC and PermitNo are the codes the enterprise was registered with,
	// each labelled in the header: the id is one of them, the code if it
	// has one.
	USCC                 enforcement.USCC
	PermitNo             string
	CityID               domain.CityID
	Name, City, Industry string
	Day                  string
	Strip                template.HTML
	Cards                []enforcement.Card
	Inspections          []enforcement.Inspection
	Closed               time.Time // if closed by the end of the day shown
	ClosedBy             string
	AsOf                 string // ?as_of=, as the ledger knew it then; "" for everything recorded to date
}

// city is the enterprise's, for the navigation's audit link (navCity).
func (d enterpriseData) city() domain.CityID { return d.CityID }

func (s *Server) enterprisePage(r *http.Request, l Lang) (string, any, error) {
	// The record as it had happened by the end of the day asked (today by
	// default), as the API gives it: cards, inspections and closure by
	// then, each card's status then, and the strip.
	v, err := s.enterpriseView(r, enforcement.EnterpriseID(r.PathValue("id")))
	if err != nil {
		return "", nil, err
	}
	e := v.Enterprise
	city, _ := domain.LookupCity(e.Info.City)
	return e.Info.Name, enterpriseData{e.ID, e.Info.USCC, e.Info.PermitNo, e.Info.City, e.Info.Name, cityName(l, city), e.Info.Industry, v.Day.String(), stripChart(l, v.Strip), e.Cards, e.Inspections,
		e.Closed, e.ClosedBy, r.URL.Query().Get("as_of")}, nil
}

func (s *Server) accountabilityPage(r *http.Request, l Lang) (string, any, error) {
	city, err := cityQuery(r)
	if err != nil {
		return "", nil, err
	}
	var cases []accountability.Case
	s.live.View(func() { cases = s.account.Cases(city) })
	// The newest first: the period, then when the case was found.
	slices.SortStableFunc(cases, func(a, b accountability.Case) int {
		return cmp.Or(b.To.Compare(a.To), b.FoundOn.Compare(a.FoundOn))
	})
	return l.T("accountability"), struct {
		City   domain.CityID
		Cities []cityLink
		Cases  []accountability.Case
	}{city, cityLinks(l, city), cases}, nil
}

func (s *Server) officialPage(r *http.Request, l Lang) (string, any, error) {
	var rec accountability.Record
	var ok bool
	s.live.View(func() { rec, ok = s.account.Official(officials.PersonID(r.PathValue("id"))) })
	if !ok {
		return "", nil, domain.Errorf(r.URL.Path, domain.NotFound, "id", "no official %q", r.PathValue("id"))
	}
	return rec.Name, rec, nil
}

// stripColors colour an enterprise's quarters, as on an ECHO facility report.
var stripColors = map[enforcement.Compliance]string{
	enforcement.NotRegistered: "#d5dbe1", enforcement.NoViolation: "#2eaf4f", enforcement.Violation: "#f57c00",
	enforcement.UnderYellow: "#f4c20d", enforcement.UnderRed: "#d32f2f", enforcement.ClosedDown: "#8a8f94",
}

// notInspectedColor is a quarter with no violation identified and no
// inspection: paler than one inspected and found compliant.
const notInspectedColor = "#b9e4c5"

// stripChart draws 12 quarters, oldest first, each coloured by its status.
func stripChart(l Lang, strip []enforcement.QuarterCompliance) template.HTML {
	const cell, gap = 64, 4
	w := len(strip)*(cell+gap) + 10
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="70" viewBox="0 0 %d 70" role="img" aria-label="%s">`, w, w, template.HTMLEscapeString(l.T("strip")))
	for i, q := range strip {
		x := i * (cell + gap)
		color, label := stripColors[q.Status], l.T("strip_"+string(q.Status))
		if q.Status == enforcement.NoViolation && q.Inspections == 0 {
			// No violation identified, as ECHO says, but none looked for.
			color, label = notInspectedColor, label+l.one("，", ", ")+l.T("strip_not_inspected")
		}
		fmt.Fprintf(&b, `<rect class="quarter q-%s" x="%d" y="4" width="%d" height="36" fill="%s"><title>%s %s</title></rect>`,
			q.Status, x, cell, color, q.Quarter, template.HTMLEscapeString(label))
		fmt.Fprintf(&b, `<text x="%d" y="56" font-size="11" text-anchor="middle">%s</text>`, x+cell/2, q.Quarter)
	}
	b.WriteString(`</svg>`)
	// The legend, under the quarters.
	b.WriteString(`<div class="legend" id="strip-legend">`)
	for _, k := range []struct{ color, label string }{
		{stripColors[enforcement.NoViolation], l.T("strip_compliant")}, {notInspectedColor, l.T("strip_compliant") + l.one("，", ", ") + l.T("strip_not_inspected")},
		{stripColors[enforcement.Violation], l.T("strip_violation")}, {stripColors[enforcement.UnderYellow], l.T("strip_yellow")},
		{stripColors[enforcement.UnderRed], l.T("strip_red")}, {stripColors[enforcement.NotRegistered], l.T("strip_not_registered")},
		{stripColors[enforcement.ClosedDown], l.T("strip_closed")},
	} {
		fmt.Fprintf(&b, `<span style="background:%s">&nbsp;</span>%s `, k.color, template.HTMLEscapeString(k.label))
	}
	b.WriteString(`</div>`)
	return template.HTML(b.String())
}

// classColors are the usual colours of the water classes.
var classColors = map[water.Class]string{
	water.ClassI: "#1565c0", water.ClassII: "#29a3e0", water.ClassIII: "#2eaf4f",
	water.ClassIV: "#f4c20d", water.ClassV: "#f57c00", water.WorseThanV: "#d32f2f",
}

// notMonitoredColor marks a month not sampled for a reason (ice, dry,
// equipment fault), apart from one without data.
const notMonitoredColor = "#e3f2fd"

// basinChart draws each basin's yearly shares (bars) against the plan's
// targets (black ticks): class I–III up, worse than V down.
func basinChart(l Lang, rows []quality.BasinYear) template.HTML {
	const w, h, mid, scale = 760, 300, 150, 1.2
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="%s">`, w, h, w, h, template.HTMLEscapeString(l.T("basin_shares")))
	fmt.Fprintf(&b, `<line x1="40" y1="%d" x2="%d" y2="%d" stroke="#333"/>`, mid, w-10, mid)
	for i, r := range rows {
		x := 50 + (i/2)*140 + (i%2)*56
		up := r.ShareIII.Percent() * scale
		down := r.ShareWorse.Percent() * scale
		fmt.Fprintf(&b, `<rect class="bar-iii" x="%d" y="%.1f" width="44" height="%.1f" fill="%s"><title>%d %s %s %s</title></rect>`,
			x, float64(mid)-up, up, map[bool]string{true: "#2eaf4f", false: "#7fb3d5"}[r.Basin == domain.Yellow], r.Year, l.T(string(r.Basin)), l.T("at_least_iii"), r.ShareIII)
		fmt.Fprintf(&b, `<rect class="bar-worse" x="%d" y="%d" width="44" height="%.1f" fill="#d32f2f" opacity="0.8"><title>%d %s %s %s</title></rect>`,
			x, mid, down, r.Year, l.T(string(r.Basin)), l.T("worse_than_v"), r.ShareWorse)
		if r.HasTarget {
			fmt.Fprintf(&b, `<line class="target" x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#000" stroke-width="3"/>`, x-3, x+47, float64(mid)-r.Target.AtLeastIII.Percent()*scale, float64(mid)-r.Target.AtLeastIII.Percent()*scale)
			fmt.Fprintf(&b, `<line class="target" x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#000" stroke-width="3"/>`, x-3, x+47, float64(mid)+r.Target.WorseThanV.Percent()*scale, float64(mid)+r.Target.WorseThanV.Percent()*scale)
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="10" text-anchor="middle">%s</text>`, x+22, h-4, template.HTMLEscapeString(l.T(string(r.Basin))))
		if i%2 == 0 {
			fmt.Fprintf(&b, `<text x="%d" y="14" font-size="13" font-weight="bold" text-anchor="middle">%d</text>`, x+50, r.Year)
		}
	}
	fmt.Fprintf(&b, `<text x="4" y="30" font-size="11">%s ↑</text><text x="4" y="%d" font-size="11">%s ↓</text>`,
		template.HTMLEscapeString(l.T("at_least_iii")), h-20, template.HTMLEscapeString(l.T("worse_than_v")))
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// classChart draws a city's sections as rows of monthly cells, twelve for
// each of years, coloured by class (grey: no sample).
func classChart(l Lang, m *quality.Model, c domain.CityID, years []int) template.HTML {
	var secs []monitoring.SectionRegistered
	for _, s := range m.Sections() {
		if s.City == c {
			secs = append(secs, s)
		}
	}
	const cell, left, top = 9, 190, 22
	w, h := left+max(len(years)*12, 60)*cell+10, top+len(secs)*(cell+3)+30
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="%s">`, w, h, w, h, template.HTMLEscapeString(l.T("monthly")))
	for i, y := range years {
		fmt.Fprintf(&b, `<text x="%d" y="14" font-size="11">%d</text>`, left+i*12*cell, y)
	}
	for row, s := range secs {
		y := top + row*(cell+3)
		fmt.Fprintf(&b, `<text x="0" y="%d" font-size="11">%s %s</text>`, y+cell-1, template.HTMLEscapeString(string(s.ID)), template.HTMLEscapeString(s.Name))
		for i, yr := range years {
			for _, mc := range m.Months(s.ID, yr) {
				color, label := "#d5dbe1", l.T("no_data")
				switch {
				case mc.Class != 0:
					color, label = classColors[mc.Class], l.Class(mc.Class)
				case mc.NotMonitored > 0:
					color, label = notMonitoredColor, l.T("not_monitored")
				}
				fmt.Fprintf(&b, `<rect class="month" x="%d" y="%d" width="%d" height="%d" fill="%s"><title>%s %d-%02d %s</title></rect>`,
					left+(i*12+mc.Month-1)*cell, y, cell-1, cell, color, template.HTMLEscapeString(string(s.ID)), yr, mc.Month, label)
			}
		}
	}
	ly := h - 12
	for i, cl := range []water.Class{water.ClassI, water.ClassII, water.ClassIII, water.ClassIV, water.ClassV, water.WorseThanV} {
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="12" height="10" fill="%s"/><text x="%d" y="%d" font-size="11">%s</text>`, left+i*60, ly, classColors[cl], left+i*60+16, ly+9, template.HTMLEscapeString(l.Class(cl)))
	}
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="12" height="10" fill="%s" stroke="#999"/><text x="%d" y="%d" font-size="11">%s</text>`,
		left+6*60, ly, notMonitoredColor, left+6*60+16, ly+9, template.HTMLEscapeString(l.T("not_monitored")))
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// consequenceText is a consequence on one line: what, by which document and
// authority, and its area, period or deadline. A period's last day, given
// as a date, is said to be included (2020-07-01 至 2021-06-30（含当日）):
// "2020-07-01–2021-06-30" left it to the reader whether the restriction
// still held on 30 June; an end given as a time shows the time.
func consequenceText(l Lang, c app.Consequence) string {
	day := func(t *time.Time) string { return t.In(domain.CST).Format(time.DateOnly) }
	text := fmt.Sprintf("%s · %s · %s · %s", day(&c.ImposedAt), l.Code(c.Kind), c.Document, c.Authority)
	if c.Area != "" {
		text += " · " + c.Area
	}
	if c.From != nil && c.To != nil {
		text += " · " + l.one(assessment.Period(*c.From, *c.To))
	}
	if c.Deadline != nil {
		text += l.one(" · 期限 ", " · deadline ") + day(c.Deadline)
	}
	if recordedLate(c.ImposedAt, c.RecordedAt) {
		// Entered late (or ahead): when the ledger learnt of it.
		text += l.one("（", " (") + l.T("recorded_on") + " " + day(&c.RecordedAt) + l.one("）", ")")
	}
	return text
}

// verdictHTML is a target's verdict: "—" without one, met or missed.
func verdictHTML(l Lang, has, met bool) template.HTML {
	switch {
	case !has:
		return template.HTML(`<span class="none">—</span>`)
	case met:
		return template.HTML(`<span class="met">` + template.HTMLEscapeString(l.T("met")) + `</span>`)
	}
	return template.HTML(`<span class="missed">` + template.HTMLEscapeString(l.T("missed")) + `</span>`)
}
