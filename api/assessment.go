package api

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/assessment"
	"github.com/shanxi-water/ledger/events"
)

// assessmentRoutes are the assessment team's and auditors' endpoints.
var assessmentRoutes = []route{
	{Method: "POST", Path: "/api/assessment/rules", Action: WriteAssessment, Tag: "assessment", Summary: "Adopt assessment rules with the year they take effect",
		Body: "application/json", BodySchema: "Rules", Response: "Event", Handle: (*Server).adoptRules},
	{Method: "GET", Path: "/api/assessment/{year}", Action: Read, Tag: "assessment", Summary: "Compute a year's scores, grades and ranks from the log (with explanations)",
		Params: []param{pYearPath, pAsOf, pAsHappened}, Response: "Assessment", Handle: (*Server).computeYear},
	{Method: "POST", Path: "/api/assessment/{year}/publish", Action: WriteAssessment, Tag: "assessment", Summary: "Publish a year's results, frozen with the log position and a hash of the inputs",
		Params: []param{pYearPath}, Body: "application/json", BodySchema: "PublishRequest", Response: "Event", Handle: (*Server).publishYear},
	{Method: "GET", Path: "/api/assessment/{year}/published", Action: Read, Tag: "assessment", Summary: "A year's published results beside the same year as known today, or with as_of as the ledger knew both then (404 if not published by then)",
		Params: []param{pYearPath, pAsOf}, Response: "PublishedView", Handle: (*Server).publishedYear},
	{Method: "POST", Path: "/api/assessment/{year}/cities/{city}/consequences", Action: WriteAssessment, Tag: "assessment", Summary: "Impose a consequence (约谈, 区域限批, rectification) on a failed city-year",
		Params: []param{pYearPath, pCityPath, pActDate}, Body: "application/json", BodySchema: "ConsequenceRequest", Response: "Event", Handle: (*Server).imposeConsequence},
	{Method: "GET", Path: "/api/audit/cities/{city}", Action: Read, Tag: "audit", Summary: "Replay a city up to a date: as the ledger knew it then and as it happened, with the difference",
		Params: []param{pCityPath, {"at", "query", "string", "the date (end of that day, Shanxi time) or RFC 3339", true}}, Response: "CityAudit", Handle: (*Server).auditCity},
}

var pYearPath = param{"year", "path", "integer", "assessment year", true}

func init() {
	routes = append(routes, assessmentRoutes...)
	schemas["Rules"] = assessment.Rules{}
	schemas["Computation"] = app.Computation{}
	schemas["Assessment"] = AssessmentView{}
	schemas["PublishRequest"] = PublishRequest{}
	schemas["PublishedView"] = PublishedView{}
	schemas["ConsequenceRequest"] = ConsequenceRequest{}
	schemas["CityAudit"] = app.CityAudit{}
}

func yearPath(r *http.Request) (int, error) {
	y, err := strconv.Atoi(r.PathValue("year"))
	if err != nil || y < 2016 || y > 2030 {
		return 0, domain.Errorf(r.URL.Path, domain.Invalid, "year", "%q is not a year 2016–2030", r.PathValue("year"))
	}
	return y, nil
}

func (s *Server) adoptRules(w http.ResponseWriter, r *http.Request) error {
	var rules assessment.Rules
	if err := decodeJSON(r, &rules); err != nil {
		return err
	}
	e, err := app.AdoptRules(r.Context(), s.store, actor(r), rules, s.now())
	return s.created(w, r, e, err)
}

func (s *Server) computeYear(w http.ResponseWriter, r *http.Request) error {
	year, err := yearPath(r)
	if err != nil {
		return err
	}
	var basis app.Basis
	if basis.RecordedBy, err = queryDate(r, "as_of"); err != nil {
		return err
	}
	if basis.OccurredBy, err = queryDate(r, "as_happened"); err != nil {
		return err
	}
	if err := oneMode(r, basis.RecordedBy, basis.OccurredBy); err != nil {
		return err
	}
	p, e, err := s.publication(r.Context(), year, cmp.Or(basis.RecordedBy, basis.OccurredBy))
	if err != nil {
		return err
	}
	var c *app.Computation
	if basis == (app.Basis{}) {
		c, err = s.today(year)
	} else {
		c, err = app.Compute(r.Context(), s.store, year, basis, s.newTasks())
		if c != nil {
			c.Provisional = basis.Provisional(year, s.now())
		}
	}
	if err != nil {
		return err
	}
	v := AssessmentView{Computation: *c}
	if p != nil {
		at := e.RecordedAt.In(domain.CST)
		v.Publication = Publication{Published: true, Document: p.Document, PublishedAt: &at, Position: e.Position}
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// AssessmentView is a year as computed, with whether it was published at
// the time the figures are of (now, as_of or as_happened): a client, as
// the pages do, can then tell computed figures from published ones.
type AssessmentView struct {
	app.Computation
	Publication Publication `json:"publication"`
}

// Publication says whether a year was published by a time, and if so by
// which notice, when (recorded) and at which log position.
type Publication struct {
	Published   bool       `json:"published"`
	Document    string     `json:"document,omitempty"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
	Position    uint64     `json:"position,omitempty"`
}

// publication is a year's publication as the ledger knew it at at (zero:
// as it stands): none if it was recorded after then.
func (s *Server) publication(ctx context.Context, year int, at time.Time) (*assessment.ResultsPublished, *events.Event, error) {
	p, e, err := app.Published(ctx, s.store, year)
	if err != nil || p == nil || (!at.IsZero() && e.RecordedAt.After(at)) {
		return nil, nil, err
	}
	return p, e, nil
}

// PublishRequest names the notice publishing a year's results.
type PublishRequest struct {
	Document string `json:"document"`
	// Incomplete publishes knowingly with cities that have no section with
	// data enough for a class (refused otherwise).
	Incomplete bool `json:"incomplete,omitempty"`
}

func (s *Server) publishYear(w http.ResponseWriter, r *http.Request) error {
	year, err := yearPath(r)
	if err != nil {
		return err
	}
	var req PublishRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	e, err := app.Publish(r.Context(), s.store, actor(r), app.Publication{Year: year, Document: req.Document, Incomplete: req.Incomplete}, s.now(), s.newTasks())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, e)
	return nil
}

// PublishedView is a year as published beside the same year as known today.
type PublishedView struct {
	Published   assessment.ResultsPublished `json:"published"`
	PublishedAt time.Time                   `json:"published_at"`
	Today       *app.Computation            `json:"today"` // null when, as known today (or as_of), there is nothing to assess
	// AsOf is set with ?as_of=: the publication, today and the
	// consequences are as the ledger knew them then.
	AsOf *time.Time `json:"as_of,omitempty"`
	// Changed is what later corrections changed, by city, in English;
	// ChangedZh the same, item for item, in Chinese (app.DiffResults), as
	// the dashboard and ledger demo say it.
	Changed   map[domain.CityID][]string `json:"changed"`
	ChangedZh map[domain.CityID][]string `json:"changed_zh"`
	// MethodNote is set when the publication was computed with another
	// method than today's (assessment.Method): then some changes may come
	// from the method rather than from corrections. MethodNoteZh is the
	// same in Chinese.
	MethodNote   string `json:"method_note,omitempty"`
	MethodNoteZh string `json:"method_note_zh,omitempty"`
	// Consequences are those imposed for the year so far, by city.
	Consequences map[domain.CityID][]app.Consequence `json:"consequences"`
}

func (s *Server) publishedYear(w http.ResponseWriter, r *http.Request) error {
	year, err := yearPath(r)
	if err != nil {
		return err
	}
	at, err := queryDate(r, "as_of")
	if err != nil {
		return err
	}
	p, e, err := s.publication(r.Context(), year, at)
	if err != nil {
		return err
	}
	if p == nil && at.IsZero() {
		return domain.Errorf(r.URL.Path, domain.NotFound, "year", "%d is not published", year)
	}
	if p == nil {
		return domain.Errorf(r.URL.Path, domain.NotFound, "as_of", "%d was not published as of %s (as the ledger knew it then)", year, r.URL.Query().Get("as_of"))
	}
	// Today is the year as known now, or with as_of as known then.
	var today *app.Computation
	if at.IsZero() {
		today, err = s.today(year)
	} else if today, err = app.Compute(r.Context(), s.store, year, app.Basis{RecordedBy: at}, s.newTasks()); today != nil {
		today.Provisional = app.Provisional(year, at, s.now())
	}
	if err != nil && !errors.Is(err, app.ErrNothingToAssess) {
		return err
	}
	v := PublishedView{Published: *p, PublishedAt: e.RecordedAt.In(domain.CST), Today: today, Changed: map[domain.CityID][]string{}, ChangedZh: map[domain.CityID][]string{}}
	if !at.IsZero() {
		v.AsOf = &at
	}
	if v.Consequences, err = app.Consequences(r.Context(), s.store, year, at); err != nil {
		return err
	}
	v.MethodNoteZh, v.MethodNote = p.MethodNote()
	if today == nil { // corrections since took away what the publication rested on
		for _, then := range p.Results {
			v.Changed[then.City], v.ChangedZh[then.City] = []string{"nothing to assess as known today"}, []string{"按今日所知，尚无可评价的数据"}
		}
	} else {
		for _, now := range today.Results {
			if then, ok := p.Result(now.City); ok {
				if zh, en := app.DiffResults(then, now); len(en) > 0 {
					v.Changed[now.City], v.ChangedZh[now.City] = en, zh
				}
			}
		}
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// ConsequenceRequest is a consequence as a request gives it
// (assessment.ConsequenceImposed), its dates as plain dates or RFC 3339
// times: a period's from as DateOrTime (2021-03-01: the start of that day
// in Shanxi), its to and a deadline as EndDate (2021-12-31: through, or
// by, the end of that day, as ?date= reads a date), so that a period
// from=2021-01-01, to=2021-06-30 includes both days.
type ConsequenceRequest struct {
	Year      int                    `json:"year"`
	Kind      assessment.Consequence `json:"kind"`
	Document  string                 `json:"document"`
	Authority string                 `json:"authority"`
	Area      string                 `json:"area,omitempty"`
	From      *DateOrTime            `json:"from,omitempty"`
	To        *EndDate               `json:"to,omitempty"`
	Deadline  *EndDate               `json:"deadline,omitempty"`
	Note      string                 `json:"note,omitempty"`
}

func (r ConsequenceRequest) consequence() assessment.ConsequenceImposed {
	return assessment.ConsequenceImposed{Year: r.Year, Kind: r.Kind, Document: r.Document, Authority: r.Authority, Area: r.Area,
		From: r.From.time(), To: r.To.time(), Deadline: r.Deadline.time(), Note: r.Note}
}

func (s *Server) imposeConsequence(w http.ResponseWriter, r *http.Request) error {
	year, err := yearPath(r)
	if err != nil {
		return err
	}
	c, err := cityParam(r)
	if err != nil {
		return err
	}
	var req ConsequenceRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	cons := req.consequence()
	if cons.Year == 0 {
		cons.Year = year
	}
	if cons.Year != year {
		return domain.Errorf(r.URL.Path, domain.Invalid, "year", "the body's year %d is not the path's %d", cons.Year, year)
	}
	at, err := s.timeParam(r)
	if err != nil {
		return err
	}
	e, err := app.ImposeConsequence(r.Context(), s.store, actor(r), c, cons, at)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, e)
	return nil
}

func (s *Server) auditCity(w http.ResponseWriter, r *http.Request) error {
	c, err := cityParam(r)
	if err != nil {
		return err
	}
	at, err := queryDate(r, "at")
	if err != nil {
		return err
	}
	if at.IsZero() {
		return domain.Errorf(r.URL.Path, domain.Invalid, "at", "missing: up to which date?")
	}
	a, err := s.audit(r.Context(), c, at)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}
