package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/monitoring"
	"github.com/shanxi-water/ledger/domain/water"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/projections"
	"github.com/shanxi-water/ledger/projections/quality"
)

// param describes a path or query parameter for the OpenAPI document.
type param struct {
	Name, In, Type, Description string
	Required                    bool
}

// route is one endpoint: what it is, who may call it, how it is served.
type route struct {
	Method, Path string
	Action       Action // "" for public endpoints
	Tag, Summary string
	Params       []param
	Body         string // request media type, "" for none
	BodySchema   string // name of the request schema
	Response     string // name of the response schema
	Handle       func(s *Server, w http.ResponseWriter, r *http.Request) error
}

var (
	pYear       = param{"year", "query", "integer", "assessment year, e.g. 2019", false}
	pAsOf       = param{"as_of", "query", "string", "as the ledger knew it then: a date (end of that day, Shanxi time) or RFC 3339", false}
	pAsHappened = param{"as_happened", "query", "string", "as it happened by then, with every correction known today", false}
	pCityPath   = param{"city", "path", "string", "city code or name, e.g. 141000, 临汾 or Linfen", true}
	pSectionID  = param{"id", "path", "string", "section code", true}
)

// routes is every API endpoint. The OpenAPI document is built from it and a
// test checks that the two agree.
var routes = []route{
	{Method: "GET", Path: "/api/openapi.json", Tag: "meta", Summary: "This API's OpenAPI 3 document", Response: "OpenAPI"}, // Handle set in init: it reads routes
	{Method: "GET", Path: "/api/events", Action: Read, Tag: "log", Summary: "List events of the log, filtered", Params: []param{
		{"city", "query", "string", "city code or name, or province; repeatable", false},
		{"type", "query", "string", "aggregate type; repeatable", false},
		{"name", "query", "string", "event name; repeatable", false},
		{"aggregate", "query", "string", "one aggregate as scope/type/id", false},
		{"from", "query", "integer", "first position", false},
		{"to", "query", "integer", "last position", false},
		pAsOf,
		{"limit", "query", "integer", "at most this many (default 1000, at most 10000)", false},
	}, Response: "EventList", Handle: (*Server).listEvents},
	{Method: "GET", Path: "/api/verify", Action: Read, Tag: "log", Summary: "Verify every hash and every chain of the log", Response: "VerifyReport", Handle: (*Server).verify},
	{Method: "GET", Path: "/api/sections", Action: Read, Tag: "water", Summary: "List the registered monitoring sections",
		Params: []param{{"city", "query", "string", "only this city's (code or name)", false}}, Response: "SectionList", Handle: (*Server).listSections},
	{Method: "POST", Path: "/api/sections", Action: WriteRegisters, Tag: "water", Summary: "Register a monitoring section",
		Params: []param{pRegDate}, Body: "application/json", BodySchema: "SectionRegistered", Response: "EventList", Handle: (*Server).registerSection},
	{Method: "POST", Path: "/api/samples/import", Action: ImportSamples, Tag: "water", Summary: "Upload a station's CSV of samples (all rows or none unless partial)",
		Params: []param{{"partial", "query", "boolean", "store the good rows and return the bad ones", false}, {"file", "query", "string", "the file's name, recorded with the samples", false}},
		Body:   "text/csv", Response: "ImportResult", Handle: (*Server).importSamples},
	{Method: "POST", Path: "/api/sections/{id}/corrections", Action: CorrectSamples, Tag: "water", Summary: "Correct a stored sample (a new event; the original stays)",
		Params: []param{pSectionID}, Body: "application/json", BodySchema: "CorrectionRequest", Response: "Event", Handle: (*Server).correctSample},
	{Method: "POST", Path: "/api/sections/{id}/invalidations", Action: CorrectSamples, Tag: "water", Summary: "Withdraw a stored sample from assessment",
		Params: []param{pSectionID}, Body: "application/json", BodySchema: "InvalidationRequest", Response: "Event", Handle: (*Server).invalidateSample},
	{Method: "GET", Path: "/api/quality/basins", Action: Read, Tag: "water", Summary: "Basin shares against the plan's Table 1 and Table 2",
		Params: []param{pYear, pAsOf, pAsHappened}, Response: "BasinYearList", Handle: (*Server).basins},
	{Method: "GET", Path: "/api/quality/cities/{city}", Action: Read, Tag: "water", Summary: "A city's water-quality compliance for a year",
		Params: []param{pCityPath, pYear, pAsOf, pAsHappened}, Response: "CityYear", Handle: (*Server).cityQuality},
	{Method: "GET", Path: "/api/quality/rankings/{year}/{quarter}", Action: Read, Tag: "water", Summary: "The cities ranked by surface-water quality for a quarter (city water-quality index, lowest first)",
		Params: []param{pYearPath, {"quarter", "path", "integer", "the quarter, 1–4", true}, pAsOf, pAsHappened}, Response: "QuarterRanking", Handle: (*Server).quarterRanking},
	{Method: "GET", Path: "/api/quality/sections/{id}", Action: Read, Tag: "water", Summary: "A section's annual assessment and monthly classes",
		Params: []param{pSectionID, pYear, pAsOf, pAsHappened}, Response: "SectionReport", Handle: (*Server).sectionQuality},
	{Method: "POST", Path: "/api/tokens", Action: ManageTokens, Tag: "access", Summary: "Create a bearer token for a person and role (shown once)",
		Body: "application/json", BodySchema: "TokenRequest", Response: "TokenCreated", Handle: (*Server).createToken},
	{Method: "POST", Path: "/api/tokens/revoke", Action: ManageTokens, Tag: "access", Summary: "Revoke every token of a person (not the last administrator's)",
		Body: "application/json", BodySchema: "TokenRevokeRequest", Response: "TokenRevoked", Handle: (*Server).revokeTokens},
}

func init() { routes[0].Handle = (*Server).openAPI }

func queryInt(r *http.Request, name string, def int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, domain.Errorf(r.URL.Path, domain.Invalid, name, "%q is not a whole number", v)
	}
	return n, nil
}

func queryUint(r *http.Request, name string) (uint64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, domain.Errorf(r.URL.Path, domain.Invalid, name, "%q is not a position", v)
	}
	return n, nil
}

func queryDate(r *http.Request, name string) (time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := parseAsOf(v)
	if err != nil {
		return time.Time{}, domain.E(r.URL.Path, domain.Invalid, name, err)
	}
	return t, nil
}

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, OpenAPI())
	return nil
}

func (s *Server) listEvents(w http.ResponseWriter, r *http.Request) error {
	const op = "GET /api/events"
	q := events.Query{}
	var err error
	if q.From, err = queryUint(r, "from"); err != nil {
		return err
	}
	if q.To, err = queryUint(r, "to"); err != nil {
		return err
	}
	if q.RecordedBy, err = queryDate(r, "as_of"); err != nil {
		return err
	}
	vals := r.URL.Query()
	for _, c := range vals["city"] {
		sc, err := scopeParam(r, c)
		if err != nil {
			return err
		}
		q.Scopes = append(q.Scopes, sc)
	}
	for _, t := range vals["type"] {
		q.Types = append(q.Types, events.AggregateType(t))
	}
	if err := app.CheckTypes(op, "type", q.Types); err != nil {
		return err
	}
	for _, n := range vals["name"] {
		q.Names = append(q.Names, events.Name(n))
	}
	if err := app.CheckNames(op, "name", q.Names); err != nil {
		return err
	}
	if a := vals.Get("aggregate"); a != "" {
		agg, err := events.ParseAggregate(a)
		if err != nil {
			return err
		}
		q.Aggregate = &agg
	}
	limit, err := queryInt(r, "limit", 1000)
	if err != nil {
		return err
	}
	if limit < 1 || limit > 10000 {
		return domain.Errorf(op, domain.Invalid, "limit", "%d is not 1–10000", limit)
	}
	out := []events.Event{}
	errLimit := fmt.Errorf("limit")
	err = s.store.Read(r.Context(), q, func(e events.Event) error {
		out = append(out, e)
		if len(out) >= limit {
			return errLimit
		}
		return nil
	})
	if err != nil && err != errLimit {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) verify(w http.ResponseWriter, r *http.Request) error {
	rep, err := s.store.Verify(r.Context())
	if err != nil {
		return err
	}
	if rep.Problems == nil {
		rep.Problems = []events.Problem{}
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

func (s *Server) listSections(w http.ResponseWriter, r *http.Request) error {
	city, err := cityQuery(r)
	if err != nil {
		return err
	}
	var out []monitoring.SectionRegistered
	s.live.View(func() { out = s.quality.Sections() })
	if city != "" {
		out = slices.DeleteFunc(out, func(sec monitoring.SectionRegistered) bool { return sec.City != city })
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) registerSection(w http.ResponseWriter, r *http.Request) error {
	var sec monitoring.SectionRegistered
	if err := decodeJSON(r, &sec); err != nil {
		return err
	}
	if _, err := domain.LookupCity(sec.City); !err {
		return domain.Errorf("POST /api/sections", domain.Invalid, "city", "%q is not one of Shanxi's 11 city codes", sec.City)
	}
	return s.register(w, r, app.SectionRegistration(sec))
}

func (s *Server) importSamples(w http.ResponseWriter, r *http.Request) error {
	// A form post (curl -F, or --data, which also strips the newlines) is
	// not the file: its boundary would be read as a column name.
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "multipart/form-data" || ct == "application/x-www-form-urlencoded" {
		return domain.Errorf(r.URL.Path, domain.Invalid, "Content-Type", "%s: send the file itself as the body, as text/csv (curl --data-binary @file.csv -H 'Content-Type: text/csv')", ct)
	}
	tok := holder(r)
	partial := false
	if v := r.URL.Query().Get("partial"); v != "" {
		var err error
		if partial, err = strconv.ParseBool(v); err != nil {
			return domain.Errorf(r.URL.Path, domain.Invalid, "partial", "%q is not true or false", v)
		}
	}
	opts := app.ImportOptions{File: r.URL.Query().Get("file"), Partial: partial, Now: s.now(), Index: s.samples, Size: r.ContentLength}
	if tok.Role == domain.Station {
		own := map[monitoring.SectionID]bool{}
		for _, id := range tok.Sections {
			own[id] = true
		}
		opts.Allowed = func(id monitoring.SectionID) bool { return own[id] }
	}
	res, err := app.ImportSamples(r.Context(), s.store, actor(r), r.Body, opts)
	if err != nil {
		return err
	}
	if res.LastPosition > 0 {
		s.applied(w, r, res.LastPosition)
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// CorrectionRequest corrects a sample and says why. Sample names it (time
// and source) and gives what changes: each value given replaces that
// item's (with its below_dl flag); the items in Remove are taken out;
// every other item keeps its stored value. A status of dry, ice or fault
// leaves no values. A withdrawn sample is brought back by a correction.
type CorrectionRequest struct {
	Sample monitoring.Sample `json:"sample"`
	Remove []water.Item      `json:"remove,omitempty"`
	Reason string            `json:"reason"`
}

// InvalidationRequest withdraws a sample.
type InvalidationRequest struct {
	At     time.Time         `json:"at"`
	Source monitoring.Source `json:"source"`
	Reason string            `json:"reason"`
}

// sectionAggregate is the section the path names; a station may name only
// the sections its token names.
func (s *Server) sectionAggregate(r *http.Request) (events.Aggregate, error) {
	id := monitoring.SectionID(r.PathValue("id"))
	var info monitoring.SectionRegistered
	var ok bool
	s.live.View(func() { info, ok = s.quality.Section(id) })
	if !ok {
		return events.Aggregate{}, domain.Errorf(r.URL.Path, domain.NotFound, "id", "no section %q", id)
	}
	if tok := holder(r); tok.Role == domain.Station && !slices.Contains(tok.Sections, id) {
		return events.Aggregate{}, domain.Errorf(r.URL.Path, domain.Forbidden, "id", "%s is not one of this station's sections (its token names %s)", id, tok.sectionList())
	}
	return app.SectionAggregate(info.City, id), nil
}

func (s *Server) correctSample(w http.ResponseWriter, r *http.Request) error {
	agg, err := s.sectionAggregate(r)
	if err != nil {
		return err
	}
	var req CorrectionRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	// Items may be named as in an upload (氨氮, NH3-N): stored by code.
	if req.Sample.Values, err = monitoring.CanonicalValues(req.Sample.Values, "sample.values"); err != nil {
		return err
	}
	if req.Sample.BelowDL, err = monitoring.CanonicalItems(req.Sample.BelowDL, "sample.below_dl"); err != nil {
		return err
	}
	if req.Remove, err = monitoring.CanonicalItems(req.Remove, "remove"); err != nil {
		return err
	}
	e, err := app.AmendSample(r.Context(), s.store, actor(r), agg, req.Sample, req.Remove, req.Reason, s.now())
	return s.created(w, r, e, err)
}

func (s *Server) invalidateSample(w http.ResponseWriter, r *http.Request) error {
	agg, err := s.sectionAggregate(r)
	if err != nil {
		return err
	}
	var req InvalidationRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	e, err := app.InvalidateSample(r.Context(), s.store, actor(r), agg, monitoring.Key{At: req.At.UTC(), Source: req.Source}, req.Reason, s.now())
	return s.created(w, r, e, err)
}

// oneMode refuses a request for both replays at once: as the ledger knew
// the log on a date (as_of), and as it happened by a date with every
// correction known today (as_happened) are two views, not one.
func oneMode(r *http.Request, asOf, happened time.Time) error {
	if !asOf.IsZero() && !happened.IsZero() {
		return domain.Errorf(r.URL.Path, domain.Invalid, "as_happened", "give as_of or as_happened, not both: they are two views of the log")
	}
	return nil
}

// withQuality runs fn on the quality model the request asks for: the live
// one, or one rebuilt as of a date.
func (s *Server) withQuality(r *http.Request, fn func(*quality.Model)) error {
	asOf, err := queryDate(r, "as_of")
	if err != nil {
		return err
	}
	happened, err := queryDate(r, "as_happened")
	if err != nil {
		return err
	}
	if err := oneMode(r, asOf, happened); err != nil {
		return err
	}
	if asOf.IsZero() && happened.IsZero() {
		s.live.View(func() { fn(s.quality) })
		return nil
	}
	m := quality.New(quality.Options{OccurredBy: happened})
	if _, err := projections.Replay(r.Context(), s.store, events.Query{RecordedBy: asOf}, m); err != nil {
		return err
	}
	fn(m)
	return nil
}

func years(r *http.Request) ([]int, error) {
	y, err := queryInt(r, "year", 0)
	if err != nil {
		return nil, err
	}
	if y == 0 {
		return []int{2016, 2017, 2018, 2019, 2020}, nil
	}
	if y < monitoring.FirstYear || y > monitoring.LastYear {
		return nil, domain.Errorf(r.URL.Path, domain.Invalid, "year", "%d outside %d–%d", y, monitoring.FirstYear, monitoring.LastYear)
	}
	return []int{y}, nil
}

func (s *Server) basins(w http.ResponseWriter, r *http.Request) error {
	ys, err := years(r)
	if err != nil {
		return err
	}
	var out []quality.BasinYear
	err = s.withQuality(r, func(m *quality.Model) {
		for _, y := range ys {
			out = append(out, m.Basin(domain.Yellow, y), m.Basin(domain.Hai, y))
		}
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// cityParam reads the {city} of a path: a code, or a Chinese or English
// name (141000, 临汾, Linfen).
func cityParam(r *http.Request) (domain.CityID, error) {
	return findCity(r, r.PathValue("city"), domain.NotFound)
}

// findCity finds the city v names; an error of the kind if none.
func findCity(r *http.Request, v string, kind domain.Kind) (domain.CityID, error) {
	c, ok := domain.FindCity(v)
	if !ok {
		return "", domain.Errorf(r.URL.Path, kind, "city", "%q is not one of Shanxi's 11 cities (a code or a name)", v)
	}
	return c.ID, nil
}

// cityQuery reads an optional ?city= as cityParam reads {city}; "" when
// there is none.
func cityQuery(r *http.Request) (domain.CityID, error) {
	v := r.URL.Query().Get("city")
	if v == "" {
		return "", nil
	}
	return findCity(r, v, domain.Invalid)
}

// scopeParam reads a ?city= as cityParam does, or "province".
func scopeParam(r *http.Request, v string) (domain.Scope, error) {
	sc, err := domain.ParseScope(v)
	if err != nil {
		return "", domain.E(r.URL.Path, domain.Invalid, "city", err)
	}
	return sc, nil
}

func (s *Server) quarterRanking(w http.ResponseWriter, r *http.Request) error {
	year, err := yearPath(r)
	if err != nil {
		return err
	}
	q, err := strconv.Atoi(r.PathValue("quarter"))
	if err != nil || q < 1 || q > 4 {
		return domain.Errorf(r.URL.Path, domain.Invalid, "quarter", "%q is not a quarter 1–4", r.PathValue("quarter"))
	}
	var out []quality.CityCWQI
	if err := s.withQuality(r, func(m *quality.Model) { out = m.QuarterRanking(year, q) }); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) cityQuality(w http.ResponseWriter, r *http.Request) error {
	c, err := cityParam(r)
	if err != nil {
		return err
	}
	ys, err := years(r)
	if err != nil {
		return err
	}
	var out []quality.CityYear
	err = s.withQuality(r, func(m *quality.Model) {
		for _, y := range ys {
			out = append(out, m.City(c, y))
		}
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// SectionReport is a section's year: its assessment and monthly classes.
type SectionReport struct {
	Year   quality.SectionYear  `json:"year"`
	Months []quality.MonthClass `json:"months"`
}

func (s *Server) sectionQuality(w http.ResponseWriter, r *http.Request) error {
	id := monitoring.SectionID(r.PathValue("id"))
	ys, err := years(r)
	if err != nil {
		return err
	}
	var out []SectionReport
	found := false
	err = s.withQuality(r, func(m *quality.Model) {
		for _, y := range ys {
			sy, ok := m.SectionYear(id, y)
			found = ok
			if ok {
				out = append(out, SectionReport{Year: sy, Months: m.Months(id, y)})
			}
		}
	})
	if err != nil {
		return err
	}
	if !found {
		return domain.Errorf(r.URL.Path, domain.NotFound, "id", "no section %q", id)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// TokenRequest asks for a token.
type TokenRequest struct {
	Person   string                 `json:"person"`
	Role     domain.Role            `json:"role" enum:"token_role"` // not system
	Sections []monitoring.SectionID `json:"sections,omitempty"`
	// Cities limits an enforcement token to these cities' enterprises
	// (codes or names): a city bureau's inspectors. Left out, the token is
	// province-wide; an empty list is refused.
	Cities TokenCities `json:"cities,omitempty"`
}

// TokenCities are a token request's cities: a list, never null (a client
// that serialises a missing list as null would make, as with [], a
// province-wide token by mistake).
type TokenCities []string

// UnmarshalJSON refuses null, naming the field.
func (c *TokenCities) UnmarshalJSON(b []byte) error {
	if string(bytes.TrimSpace(b)) == "null" {
		return domain.Errorf("", domain.Invalid, "cities", "null: name the cities the token acts for, or leave the field out for a province-wide token")
	}
	var v []string
	if err := json.Unmarshal(b, &v); err != nil {
		return domain.Errorf("", domain.Invalid, "cities", "a list of city codes or names: %v", err)
	}
	*c = v
	return nil
}

// TokenCreated carries a new token's secret, shown this once, and what it
// was made for: its holder, role, and a station's sections or the cities
// an enforcement token is limited to (as codes; none: province-wide).
type TokenCreated struct {
	Token    string                 `json:"token"`
	Person   string                 `json:"person"`
	Role     domain.Role            `json:"role" enum:"token_role"`
	Sections []monitoring.SectionID `json:"sections,omitempty"`
	Cities   []domain.CityID        `json:"cities,omitempty"`
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	var req TokenRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.Sections != nil && req.Role != domain.Station {
		return domain.Errorf(r.URL.Path, domain.Invalid, "sections", "only a station token names sections (those it uploads for): leave the field out")
	}
	for i, id := range req.Sections {
		known := false
		s.live.View(func() { known = s.quality.Site(id) })
		if !known {
			return domain.Errorf(r.URL.Path, domain.Invalid, fmt.Sprintf("sections[%d]", i), "%q is not a registered section, drinking-water source, black-odorous body or groundwater point", id)
		}
	}
	if req.Cities != nil && len(req.Cities) == 0 {
		// An empty list limits to no city: it is not province-wide.
		return domain.Errorf(r.URL.Path, domain.Invalid, "cities", "an empty list: name the cities the token acts for, or leave the field out for a province-wide token")
	}
	var cities []domain.CityID
	for i, v := range req.Cities {
		c, ok := domain.FindCity(v)
		if !ok {
			return domain.Errorf(r.URL.Path, domain.Invalid, fmt.Sprintf("cities[%d]", i), "%q is not one of Shanxi's 11 cities (a code or a name)", v)
		}
		if !slices.Contains(cities, c.ID) { // 太原, Taiyuan and 140100 are one city
			cities = append(cities, c.ID)
		}
	}
	secret, err := s.tokens.Add(Token{Person: strings.TrimSpace(req.Person), Role: req.Role, Sections: req.Sections, Cities: cities})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, TokenCreated{Token: secret, Person: req.Person, Role: req.Role, Sections: req.Sections, Cities: cities})
	return nil
}

// TokenRevokeRequest names the person whose tokens are revoked.
type TokenRevokeRequest struct {
	Person string `json:"person"`
}

// TokenRevoked says how many tokens were revoked.
type TokenRevoked struct {
	Person  string `json:"person"`
	Revoked int    `json:"revoked"`
}

func (s *Server) revokeTokens(w http.ResponseWriter, r *http.Request) error {
	var req TokenRevokeRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	n, err := s.tokens.Revoke(strings.TrimSpace(req.Person))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, TokenRevoked{Person: req.Person, Revoked: n})
	return nil
}

// RouteInfo describes an endpoint (for tests and tools).
type RouteInfo struct {
	Method, Path string
	Action       Action
}

// Routes lists the API's endpoints.
func Routes() []RouteInfo {
	out := make([]RouteInfo, len(routes))
	for i, r := range routes {
		out[i] = RouteInfo{r.Method, r.Path, r.Action}
	}
	return out
}
