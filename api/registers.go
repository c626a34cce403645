package api

import (
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/monitoring"
	"github.com/shanxi-water/ledger/domain/water"
	"github.com/shanxi-water/ledger/events"
)

var registerRoutes = []route{
	{Method: "POST", Path: "/api/registers/{kind}", Action: WriteRegisters, Tag: "water",
		Summary: "Register a drinking-water source, groundwater point, black-odorous water body or control unit (kind: drinking_source, groundwater_point, black_odorous, control_unit)",
		Params:  []param{{"kind", "path", "string", "drinking_source | groundwater_point | black_odorous | control_unit", true}, pRegDate},
		Body:    "application/json", BodySchema: "RegisterEntry", Response: "EventList", Handle: (*Server).registerEntry},
	{Method: "POST", Path: "/api/black-odorous/{city}/{id}/inspections", Action: ImportSamples, Tag: "water",
		Summary: "Record a black-odorous water body's inspection (its level is derived from the reading)",
		Params:  []param{pCityPath, {"id", "path", "string", "the body's id", true}, pActDate},
		Body:    "application/json", BodySchema: "BlackOdorReading", Response: "Event", Handle: (*Server).inspectBlackOdorous},
	{Method: "POST", Path: "/api/groundwater/{city}/{id}/grades", Action: ImportSamples, Tag: "water",
		Summary: "Record a groundwater point's grade for a year (5 is 极差)",
		Params:  []param{pCityPath, {"id", "path", "string", "the point's id", true}},
		Body:    "application/json", BodySchema: "GroundwaterGraded", Response: "Event", Handle: (*Server).gradeGroundwater},
	{Method: "POST", Path: "/api/sections/{id}/targets", Action: WriteAssessment, Tag: "water",
		Summary: "Set or change a section's target class for a year (2021 and later years the plan's tables do not give), with the document that sets it",
		Params:  []param{{"id", "path", "string", "the section's code", true}, pActDate},
		Body:    "application/json", BodySchema: "SectionTargetSet", Response: "Event", Handle: (*Server).setSectionTarget},
}

func init() {
	routes = append(routes, registerRoutes...)
	schemas["RegisterEntry"] = oneOf{[]string{"DrinkingSourceRegistered", "GroundwaterPointRegistered", "BlackOdorousRegistered", "ControlUnitRegistered"},
		"the entry of the kind the path names: drinking_source, groundwater_point, black_odorous or control_unit"}
	schemas["DrinkingSourceRegistered"] = monitoring.DrinkingSourceRegistered{}
	schemas["GroundwaterPointRegistered"] = monitoring.GroundwaterPointRegistered{}
	schemas["BlackOdorousRegistered"] = monitoring.BlackOdorousRegistered{}
	schemas["ControlUnitRegistered"] = monitoring.ControlUnitRegistered{}
	schemas["BlackOdorReading"] = monitoring.BlackOdorousInspected{}
	schemas["GroundwaterGraded"] = monitoring.GroundwaterGraded{}
	schemas["SectionTargetSet"] = monitoring.SectionTargetSet{}
}

// registerEntry registers one entry of the kind the path names.
func (s *Server) registerEntry(w http.ResponseWriter, r *http.Request) error {
	var reg app.Registration
	switch kind := r.PathValue("kind"); kind {
	case "drinking_source":
		var d monitoring.DrinkingSourceRegistered
		if err := decodeJSON(r, &d); err != nil {
			return err
		}
		reg = app.DrinkingSourceRegistration(d)
	case "groundwater_point":
		var d monitoring.GroundwaterPointRegistered
		if err := decodeJSON(r, &d); err != nil {
			return err
		}
		reg = app.GroundwaterPointRegistration(d)
	case "black_odorous":
		var d monitoring.BlackOdorousRegistered
		if err := decodeJSON(r, &d); err != nil {
			return err
		}
		reg = app.BlackOdorousRegistration(d)
	case "control_unit":
		var d monitoring.ControlUnitRegistered
		if err := decodeJSON(r, &d); err != nil {
			return err
		}
		reg = app.ControlUnitRegistration(d)
	default:
		return domain.Errorf(r.URL.Path, domain.NotFound, "kind", "%q is not drinking_source, groundwater_point, black_odorous or control_unit", kind)
	}
	if err := reg.Aggregate.Scope.Validate(); err != nil || reg.Aggregate.Scope == domain.Province {
		return domain.Errorf(r.URL.Path, domain.Invalid, "city", "%q is not one of Shanxi's 11 city codes", reg.Aggregate.Scope)
	}
	return s.register(w, r, reg)
}

// register appends a registration dated ?date= (default now): a site
// counts in the figures of the years from then on, so an entry that was
// in the register before it was entered in the ledger is given that date.
func (s *Server) register(w http.ResponseWriter, r *http.Request, reg app.Registration) error {
	at, err := s.timeParam(r)
	if err != nil {
		return err
	}
	evs, err := app.Register(r.Context(), s.store, actor(r), at, reg)
	if err != nil {
		return err
	}
	s.applied(w, r, evs[len(evs)-1].Position)
	writeJSON(w, http.StatusCreated, evs)
	return nil
}

func (s *Server) recordOn(w http.ResponseWriter, r *http.Request, typ events.AggregateType, at time.Time, data any) error {
	c, err := cityParam(r)
	if err != nil {
		return err
	}
	agg := events.Aggregate{Scope: domain.CityScope(c), Type: typ, ID: events.AggregateID(r.PathValue("id"))}
	if err := agg.Validate(r.URL.Path, "id"); err != nil {
		return err
	}
	if tok := holder(r); tok.Role == domain.Station && !slices.Contains(tok.Sections, monitoring.SectionID(agg.ID)) {
		return domain.Errorf(r.URL.Path, domain.Forbidden, "id", "%s is not one of this station's sites (its token names %s)", agg.ID, tok.sectionList())
	}
	e, err := app.Record(r.Context(), s.store, actor(r), at, agg, data)
	return s.created(w, r, e, err)
}

func (s *Server) inspectBlackOdorous(w http.ResponseWriter, r *http.Request) error {
	var in monitoring.BlackOdorousInspected
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := in.Reading.Validate(); err != nil {
		return domain.Errorf(r.URL.Path, domain.Invalid, "reading."+domain.FieldOf(err), "%v", errors.Unwrap(err))
	}
	in.Level = water.BlackOdor(in.Reading)
	at, err := s.timeParam(r)
	if err != nil {
		return err
	}
	return s.recordOn(w, r, app.BlackOdorousType, at, in)
}

// setSectionTarget records a section's target class for a year: the
// assessment of that year then judges the section against it.
func (s *Server) setSectionTarget(w http.ResponseWriter, r *http.Request) error {
	agg, err := s.sectionAggregate(r)
	if err != nil {
		return err
	}
	at, err := s.timeParam(r)
	if err != nil {
		return err
	}
	var t monitoring.SectionTargetSet
	if err := decodeJSON(r, &t); err != nil {
		return err
	}
	e, err := app.SetSectionTarget(r.Context(), s.store, actor(r), at, agg, t)
	return s.created(w, r, e, err)
}

func (s *Server) gradeGroundwater(w http.ResponseWriter, r *http.Request) error {
	var g monitoring.GroundwaterGraded
	if err := decodeJSON(r, &g); err != nil {
		return err
	}
	now := s.now()
	if now.Before(time.Date(g.Year, 1, 1, 0, 0, 0, 0, domain.CST)) {
		return domain.Errorf(r.URL.Path, domain.Invalid, "year", "%d has not begun: a point is graded for a year under way or past", g.Year)
	}
	at := time.Date(g.Year, 12, 31, 12, 0, 0, 0, domain.CST)
	if at.After(now) {
		at = now
	}
	return s.recordOn(w, r, app.GroundwaterPointType, at, g)
}
