package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/assessment"
)

// assessmentRoutes are the assessment team's and auditors' endpoints.
var assessmentRoutes = []route{
	{Method: "POST", Path: "/api/assessment/rules", Action: WriteAssessment, Tag: "assessment", Summary: "Adopt assessment rules with the year they take effect",
		Body: "application/json", BodySchema: "Rules", Response: "Event", Handle: (*Server).adoptRules},
	{Method: "GET", Path: "/api/assessment/{year}", Action: Read, Tag: "assessment", Summary: "Compute a year's scores, grades and ranks from the log (with explanations)",
		Params: []param{pYearPath, pAsOf, pAsHappened}, Response: "Computation", Handle: (*Server).computeYear},
	{Method: "POST", Path: "/api/assessment/{year}/publish", Action: WriteAssessment, Tag: "assessment", Summary: "Publish a year's results, frozen with the log position and a hash of the inputs",
		Params: []param{pYearPath}, Body: "application/json", BodySchema: "PublishRequest", Response: "Event", Handle: (*Server).publishYear},
	{Method: "GET", Path: "/api/assessment/{year}/published", Action: Read, Tag: "assessment", Summary: "A year's published results beside the same year as known today",
		Params: []param{pYearPath}, Response: "PublishedView", Handle: (*Server).publishedYear},
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
	writeJSON(w, http.StatusOK, c)
	return nil
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
	Today       *app.Computation            `json:"today"`   // null when, as known today, there is nothing to assess
	Changed     map[domain.CityID][]string  `json:"changed"` // what later corrections changed, by city
	// MethodNote is set when the publication was computed with another
	// method than today's (assessment.Method): then some changes may come
	// from the method rather than from corrections.
	MethodNote string `json:"method_note,omitempty"`
	// Consequences are those imposed for the year so far, by city.
	Consequences map[domain.CityID][]app.Consequence `json:"consequences"`
}

func (s *Server) publishedYear(w http.ResponseWriter, r *http.Request) error {
	year, err := yearPath(r)
	if err != nil {
		return err
	}
	p, e, err := app.Published(r.Context(), s.store, year)
	if err != nil {
		return err
	}
	if p == nil {
		return domain.Errorf(r.URL.Path, domain.NotFound, "year", "%d is not published", year)
	}
	today, err := s.today(year)
	if err != nil && !errors.Is(err, app.ErrNothingToAssess) {
		return err
	}
	v := PublishedView{Published: *p, PublishedAt: e.RecordedAt, Today: today, Changed: map[domain.CityID][]string{}}
	if v.Consequences, err = app.Consequences(r.Context(), s.store, year, time.Time{}); err != nil {
		return err
	}
	_, v.MethodNote = p.MethodNote()
	if today == nil { // corrections since took away what the publication rested on
		for _, then := range p.Results {
			v.Changed[then.City] = []string{"nothing to assess as known today"}
		}
	} else {
		for _, now := range today.Results {
			if then, ok := p.Result(now.City); ok {
				if _, d := app.DiffResults(then, now); len(d) > 0 {
					v.Changed[now.City] = d
				}
			}
		}
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// ConsequenceRequest is a consequence as a request gives it
// (assessment.ConsequenceImposed), its dates as plain dates (2021-03-01:
// the start of that day in Shanxi; ?date= reads a date as the end of
// its day) or RFC 3339 times.
type ConsequenceRequest struct {
	Year      int                    `json:"year"`
	Kind      assessment.Consequence `json:"kind"`
	Document  string                 `json:"document"`
	Authority string                 `json:"authority"`
	Area      string                 `json:"area,omitempty"`
	From      *DateOrTime            `json:"from,omitempty"`
	To        *DateOrTime            `json:"to,omitempty"`
	Deadline  *DateOrTime            `json:"deadline,omitempty"`
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
