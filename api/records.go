package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/enforcement"
	"github.com/shanxi-water/ledger/domain/monitoring"
	"github.com/shanxi-water/ledger/domain/officials"
	"github.com/shanxi-water/ledger/domain/plan"
	"github.com/shanxi-water/ledger/domain/tasks"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/projections"
	"github.com/shanxi-water/ledger/projections/accountability"
	"github.com/shanxi-water/ledger/projections/cards"
	"github.com/shanxi-water/ledger/projections/taskboard"
)

var (
	pDay      = param{"day", "query", "string", "the day to look at (2019-12-31, Shanxi); default today, or with as_of its date (today if later). As it had happened by the end of that day, with everything recorded since (late entries and corrections); for the tasks, the card register and an enterprise's record, as_of gives it as the ledger knew it on a date instead", false}
	pYearDay  = param{"day", "query", "string", "the day the year's units are as they stood at the end of (2019-12-31, Shanxi); default 31 December of the year, or with as_of its date if earlier (the year as the ledger knew it then, as it stood then)", false}
	pTaskID   = param{"id", "path", "string", "task id, e.g. T-2-1-2-1g", true}
	pEntID    = param{"id", "path", "string", "enterprise id: its unified social credit code or permit number", true}
	pCityOpt  = param{"city", "query", "string", "city code or name (or province)", false}
	pQuarter  = param{"quarter", "path", "string", "quarter, e.g. 2019Q2", true}
	pScope    = param{"scope", "path", "string", "city code or name, or province", true}
	pPersonID = param{"id", "path", "string", "official id", true}
	pActDate  = param{"date", "query", "string", "when it happened: an RFC 3339 time, or a date (Shanxi time: the end of that day, now if today); default now", false}
	pRegDate  = param{"date", "query", "string", "when it entered the register, as for date elsewhere (default now): it counts in the figures of that year and later ones", false}
)

// recordRoutes are the tasks, enforcement and officials endpoints.
var recordRoutes = []route{
	// Tasks.
	{Method: "GET", Path: "/api/tasks", Action: Read, Tag: "tasks", Summary: "Every task unit (task × city) and where it stood on a day",
		Params: []param{pDay, pAsOf}, Response: "TaskRows", Handle: (*Server).taskRows},
	{Method: "GET", Path: "/api/tasks/overdue", Action: Read, Tag: "tasks", Summary: "What was overdue on a day, by lead department and by city",
		Params: []param{pDay, pAsOf}, Response: "Overdue", Handle: (*Server).overdue},
	{Method: "GET", Path: "/api/task-years/{year}", Action: Read, Tag: "tasks", Summary: "A year's tasks done on time, late, overdue, by category and city",
		Params: []param{pYearPath, pYearDay, pAsOf}, Response: "TaskYear", Handle: (*Server).taskYear},
	{Method: "GET", Path: "/api/tasks/{id}/history", Action: Read, Tag: "tasks", Summary: "A task unit's status history with log positions (with as_of, as the ledger knew it on a date)",
		Params: []param{pTaskID, pCityOpt, pAsOf}, Response: "TaskHistory", Handle: (*Server).taskHistory},
	{Method: "POST", Path: "/api/tasks/catalogue", Action: WriteRegisters, Tag: "tasks", Summary: "Load the plan's task catalogue (tasks not yet listed)",
		Response: "EventList", Handle: (*Server).loadCatalogue},
	{Method: "POST", Path: "/api/tasks/{id}/status", Action: WriteTasks, Tag: "tasks", Summary: "Change a task unit's status, with evidence or a reason",
		Params: []param{pTaskID}, Body: "application/json", BodySchema: "StatusRequest", Response: "Event", Handle: (*Server).changeStatus},
	// Enforcement.
	{Method: "GET", Path: "/api/enterprises", Action: Read, Tag: "enforcement", Summary: "Registered enterprises",
		Params: []param{pCityOpt}, Response: "EnterpriseList", Handle: (*Server).enterprises},
	{Method: "GET", Path: "/api/enterprises/{id}", Action: Read, Tag: "enforcement", Summary: "An enterprise's record as it had happened by the end of a day: its inspections and cards dated by then, each card's status then, and the 12-quarter compliance strip ending with the day's quarter (day: the day it is as of)",
		Params: []param{pEntID, pDay, pAsOf}, Response: "EnterpriseView", Handle: (*Server).enterprise},
	{Method: "POST", Path: "/api/enterprises", Action: WriteCards, Tag: "enforcement", Summary: "Register an enterprise (dated the day it came under supervision)",
		Params: []param{pActDate}, Body: "application/json", BodySchema: "EnterpriseRegistered", Response: "Event", Handle: (*Server).registerEnterprise},
	{Method: "POST", Path: "/api/enterprises/{id}/{action}", Action: WriteCards, Tag: "enforcement",
		Summary: "Record an inspection or a card decision, or the enterprise's closure: action is inspections, yellow-cards, red-cards, lifts, revocations or closure",
		Params:  []param{pEntID, {"action", "path", "string", "inspections | yellow-cards | red-cards | lifts | revocations | closure", true}, pActDate},
		Body:    "application/json", BodySchema: "EnforcementAction", Response: "Event", Handle: (*Server).enforce},
	{Method: "GET", Path: "/api/cards", Action: Read, Tag: "enforcement", Summary: "The card register on a day",
		Params: []param{pDay, pAsOf}, Response: "CardRegister", Handle: (*Server).cardRegister},
	{Method: "GET", Path: "/api/card-lists/{scope}/{quarter}", Action: Read, Tag: "enforcement", Summary: "A quarter's public list: as published (with its hash) and as it stands today (with as_of, both as the ledger knew them on a date)",
		Params: []param{pScope, pQuarter, pAsOf}, Response: "CardListView", Handle: (*Server).cardList},
	{Method: "POST", Path: "/api/card-lists/{scope}/{quarter}/publish", Action: WriteCards, Tag: "enforcement", Summary: "Publish a quarter's list of yellow- and red-card enterprises (dated the day it was published: whether it was late is judged by that date)",
		Params: []param{pScope, pQuarter, pActDate}, Body: "application/json", BodySchema: "ListPublishRequest", Response: "Event", Handle: (*Server).publishCardList},
	// Officials and accountability.
	{Method: "GET", Path: "/api/officials", Action: Read, Tag: "officials", Summary: "Every official and their terms",
		Response: "OfficialList", Handle: (*Server).officialsList},
	{Method: "GET", Path: "/api/officials/{id}", Action: Read, Tag: "officials", Summary: "An official's record across all cities and years: posts, cases, decisions",
		Params: []param{pPersonID}, Response: "OfficialRecord", Handle: (*Server).official},
	{Method: "POST", Path: "/api/officials", Action: WriteAssessment, Tag: "officials", Summary: "Register an official",
		Body: "application/json", BodySchema: "OfficialRegistered", Response: "Event", Handle: (*Server).registerOfficial},
	{Method: "POST", Path: "/api/officials/{id}/appointments", Action: WriteAssessment, Tag: "officials", Summary: "Record an appointment to a post",
		Params: []param{pPersonID}, Body: "application/json", BodySchema: "Appointed", Response: "Event", Handle: (*Server).appoint},
	{Method: "POST", Path: "/api/officials/{id}/departures", Action: WriteAssessment, Tag: "officials", Summary: "Record a departure from a post",
		Params: []param{pPersonID}, Body: "application/json", BodySchema: "Departed", Response: "Event", Handle: (*Server).depart},
	{Method: "GET", Path: "/api/accountability", Action: Read, Tag: "officials", Summary: "Accountability cases with the officials they name, in office or not",
		Params: []param{pCityOpt}, Response: "CaseList", Handle: (*Server).cases},
	{Method: "POST", Path: "/api/accountability/cases", Action: WriteAssessment, Tag: "officials", Summary: "Open an accountability case (failed assessment, data falsification, serious incident)",
		Body: "application/json", BodySchema: "Triggered", Response: "CaseOpened", Handle: (*Server).openCase},
	{Method: "POST", Path: "/api/accountability/decisions", Action: WriteAssessment, Tag: "officials", Summary: "Record an accountability decision with its document number",
		Body: "application/json", BodySchema: "Decided", Response: "Event", Handle: (*Server).decideCase},
}

func init() {
	routes = append(routes, recordRoutes...)
	for name, v := range map[string]any{
		"TaskRows": []taskboard.Row{}, "Overdue": taskboard.Overdue{}, "TaskYear": taskboard.YearReport{}, "TaskHistory": []taskboard.Change{},
		"StatusRequest": StatusRequest{}, "EnterpriseList": []EnterpriseSummary{}, "EnterpriseView": EnterpriseView{},
		"EnterpriseRegistered": enforcement.EnterpriseRegistered{},
		"EnforcementAction": oneOf{[]string{"Inspected", "YellowCardIssued", "RedCardIssued", "CardLifted", "CardRevoked", "EnterpriseClosed"},
			"the action the path names: inspections (Inspected), yellow-cards, red-cards, lifts, revocations, closure (EnterpriseClosed)"},
		"Inspected": enforcement.Inspected{}, "YellowCardIssued": enforcement.YellowCardIssued{}, "RedCardIssued": enforcement.RedCardIssued{},
		"CardLifted": enforcement.CardLifted{}, "CardRevoked": enforcement.CardRevoked{}, "EnterpriseClosed": enforcement.EnterpriseClosed{}, "Sample": monitoring.Sample{},
		"CardRegister": []cards.Entry{}, "CardListView": CardListView{}, "ListPublishRequest": ListPublishRequest{},
		"OfficialList": []officials.Record{}, "OfficialRecord": accountability.Record{}, "OfficialRegistered": officials.Registered{},
		"Appointed": officials.Appointed{}, "Departed": officials.Departed{}, "CaseList": []accountability.Case{},
		"Triggered": officials.Triggered{}, "CaseOpened": CaseOpened{}, "Decided": officials.Decided{},
	} {
		schemas[name] = v
	}
}

// dayParam reads ?day=, default today in Shanxi (dayOr).
func (s *Server) dayParam(r *http.Request, name string) (plan.Date, error) {
	return dayOr(r, name, tasks.DayOf(s.now()))
}

// dayOr reads ?day=, default def; with ?as_of= (a view as the ledger knew
// it on a date), the as_of date, or def if that is earlier: what was known
// then, as it stood then, not under a heading of that date with a later
// day.
func dayOr(r *http.Request, name string, def plan.Date) (plan.Date, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		at, err := queryDate(r, "as_of")
		if err != nil {
			return plan.Date{}, err
		}
		if !at.IsZero() && tasks.DayOf(at).Compare(def) < 0 {
			return tasks.DayOf(at), nil
		}
		return def, nil
	}
	// A date, or the Shanxi day of an RFC 3339 time, as every date
	// parameter reads one (parseDateOrTime).
	t, _, err := parseDateOrTime(v)
	if err != nil {
		return plan.Date{}, domain.E(r.URL.Path, domain.Invalid, name, err)
	}
	return tasks.DayOf(t), nil
}

// timeParam reads ?date= for when a recorded action happened (actionTime).
func (s *Server) timeParam(r *http.Request) (time.Time, error) {
	return s.actionTime(r, "date", r.URL.Query().Get("date"))
}

// actionTime reads when a recorded action happened, default now. An RFC
// 3339 time is taken as given. A date (Shanxi time) is the end of that day,
// as an as-of date is, so that actions recorded by date follow one another
// in the order given, whatever time an earlier one was recorded at that
// day (a registration at 14:17, an inspection dated the same day); a date
// that is today is now, which has not passed the end of the day.
func (s *Server) actionTime(r *http.Request, field, v string) (time.Time, error) {
	if v == "" {
		return s.now(), nil
	}
	d, date, err := parseDateOrTime(v)
	if err != nil {
		return time.Time{}, domain.E(r.URL.Path, domain.Invalid, field, err)
	}
	if !date {
		return d, nil
	}
	now := s.now()
	if y, m, day := now.In(domain.CST).Date(); d.Equal(time.Date(y, m, day, 0, 0, 0, 0, domain.CST)) {
		return now, nil
	}
	return lastSecond(d), nil
}

// asOf runs fn on a read model: the live one, or with ?as_of= a fresh one
// replayed from the events of its aggregate types the ledger had recorded
// by then (a completion or a card recorded later is not there).
func asOf[M projections.Projection](s *Server, r *http.Request, live M, fresh func() M, types []events.AggregateType, fn func(M)) error {
	at, err := queryDate(r, "as_of")
	if err != nil {
		return err
	}
	if at.IsZero() {
		s.live.View(func() { fn(live) })
		return nil
	}
	m := fresh()
	if _, err := projections.Replay(r.Context(), s.store, events.Query{Types: types, RecordedBy: at}, m); err != nil {
		return err
	}
	fn(m)
	return nil
}

// withBoard runs fn on the task board, as known now or ?as_of=.
func (s *Server) withBoard(r *http.Request, fn func(*taskboard.Board)) error {
	return asOf(s, r, s.board, taskboard.New, []events.AggregateType{app.TaskType}, fn)
}

// withCards runs fn on the card model, as known now or ?as_of=.
func (s *Server) withCards(r *http.Request, fn func(*cards.Model)) error {
	return asOf(s, r, s.cards, cards.New, []events.AggregateType{app.EnterpriseType, app.CardListType}, fn)
}

func (s *Server) taskRows(w http.ResponseWriter, r *http.Request) error {
	day, err := s.dayParam(r, "day")
	if err != nil {
		return err
	}
	var rows []taskboard.Row
	if err := s.withBoard(r, func(b *taskboard.Board) { rows = b.Rows(day) }); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rows)
	return nil
}

func (s *Server) overdue(w http.ResponseWriter, r *http.Request) error {
	day, err := s.dayParam(r, "day")
	if err != nil {
		return err
	}
	var o taskboard.Overdue
	if err := s.withBoard(r, func(b *taskboard.Board) { o = b.Overdue(day) }); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, o)
	return nil
}

func (s *Server) taskYear(w http.ResponseWriter, r *http.Request) error {
	year, err := yearPath(r)
	if err != nil {
		return err
	}
	day, err := dayOr(r, "day", plan.NewDate(year, time.December, 31))
	if err != nil {
		return err
	}
	var rep taskboard.YearReport
	if err := s.withBoard(r, func(b *taskboard.Board) { rep = b.Year(year, day) }); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

func (s *Server) taskHistory(w http.ResponseWriter, r *http.Request) error {
	id := plan.TaskID(r.PathValue("id"))
	city, err := cityQuery(r)
	if err != nil {
		return err
	}
	var h []taskboard.Change
	var ok, known bool
	err = s.withBoard(r, func(b *taskboard.Board) {
		h, ok = b.History(id, city)
		_, known = b.Task(id)
	})
	if err != nil {
		return err
	}
	then := ""
	if at := r.URL.Query().Get("as_of"); at != "" {
		then = " as the ledger knew it on " + at
	}
	switch {
	case !known:
		return domain.Errorf(r.URL.Path, domain.NotFound, "id", "no task %s in the catalogue%s", id, then)
	case !ok && city == "":
		return domain.Errorf(r.URL.Path, domain.Invalid, "city", "missing: task %s is carried out by cities; say which", id)
	case !ok:
		return domain.Errorf(r.URL.Path, domain.NotFound, "city", "task %s has no unit for %s%s", id, city, then)
	}
	writeJSON(w, http.StatusOK, h)
	return nil
}

func (s *Server) loadCatalogue(w http.ResponseWriter, r *http.Request) error {
	evs, err := app.LoadCatalogue(r.Context(), s.store, actor(r), s.now())
	if err != nil {
		return err
	}
	if len(evs) > 0 {
		s.applied(w, r, evs[len(evs)-1].Position)
	}
	if evs == nil {
		evs = []events.Event{}
	}
	writeJSON(w, http.StatusCreated, evs)
	return nil
}

// StatusRequest changes a task unit's status.
type StatusRequest struct {
	City     domain.CityID  `json:"city,omitempty"` // "" for the province's own task
	To       tasks.Status   `json:"to"`
	Evidence tasks.Evidence `json:"evidence,omitempty"`
	Reason   string         `json:"reason,omitempty"`
	Date     string         `json:"date,omitempty"` // when it happened (2019-12-20); default now
	// CompletionUntrue, on a reopening, says the completion was found untrue:
	// it then never counts, its year's figure included.
	CompletionUntrue bool `json:"completion_untrue,omitempty"`
}

func (s *Server) changeStatus(w http.ResponseWriter, r *http.Request) error {
	var req StatusRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	at, err := s.actionTime(r, "date", req.Date)
	if err != nil {
		return err
	}
	e, err := app.ChangeTaskStatus(r.Context(), s.store, actor(r), at, tasks.ChangeStatus{Task: plan.TaskID(r.PathValue("id")),
		City: req.City, To: req.To, Evidence: req.Evidence, Reason: req.Reason, CompletionUntrue: req.CompletionUntrue})
	return s.created(w, r, e, err)
}

// EnterpriseSummary is an enterprise in a list.
type EnterpriseSummary struct {
	ID            enforcement.EnterpriseID `json:"id"`
	Name          string                   `json:"name"`
	City          domain.CityID            `json:"city"`
	Industry      string                   `json:"industry"`
	KeyDischarger bool                     `json:"key_discharger"`
}

func (s *Server) enterprises(w http.ResponseWriter, r *http.Request) error {
	scope := domain.Province
	if c := r.URL.Query().Get("city"); c != "" {
		var err error
		if scope, err = scopeParam(r, c); err != nil {
			return err
		}
	}
	out := []EnterpriseSummary{}
	s.live.View(func() {
		for _, e := range s.cards.Enterprises(scope) {
			out = append(out, EnterpriseSummary{e.ID, e.Info.Name, e.Info.City, e.Info.Industry, e.Info.KeyDischarger})
		}
	})
	writeJSON(w, http.StatusOK, out)
	return nil
}

// EnterpriseView is an enterprise's record as it had happened by the end of
// a day (default today; with as_of, as the ledger knew it then), with the
// strip of the twelve quarters ending with that day's quarter. Its
// inspections and cards are those dated by then, each card's status,
// end and revocation as they stood then, and its closure only if it had
// closed by then; its registration is there even if it came under
// supervision after the day (registered says when), with nothing on it.
// Day (added beside the record) is the day it is as of.
type EnterpriseView struct {
	Enterprise *enforcement.Enterprise         `json:"enterprise"`
	Strip      []enforcement.QuarterCompliance `json:"strip"`
	Day        plan.Date                       `json:"day"`
}

// enterpriseView builds the EnterpriseView of ?day= and ?as_of=, which the
// API and the enterprise's page both show: the enterprise's events, as
// recorded by as_of, that occurred by the end of the day, folded.
func (s *Server) enterpriseView(r *http.Request, id enforcement.EnterpriseID) (EnterpriseView, error) {
	day, err := s.dayParam(r, "day")
	if err != nil {
		return EnterpriseView{}, err
	}
	at, err := queryDate(r, "as_of")
	if err != nil {
		return EnterpriseView{}, err
	}
	var city domain.CityID
	found := false
	err = s.withCards(r, func(m *cards.Model) {
		if e, ok := m.Enterprise(id); ok {
			city, found = e.Info.City, true
		}
	})
	if err != nil {
		return EnterpriseView{}, err
	}
	if !found {
		known := ""
		if v := r.URL.Query().Get("as_of"); v != "" {
			known = " as the ledger knew it on " + v
		}
		return EnterpriseView{}, domain.Errorf(r.URL.Path, domain.NotFound, "id", "no enterprise %q%s", id, known)
	}
	end := tasks.EndOf(day).Add(-time.Nanosecond)
	then := &enforcement.Enterprise{}
	var reg *events.Event // the registration, whenever it occurred
	agg := app.EnterpriseAggregate(city, id)
	err = s.store.Read(r.Context(), events.Query{Aggregate: &agg, RecordedBy: at}, func(e events.Event) error {
		if _, ok := e.Data.(enforcement.EnterpriseRegistered); ok && reg == nil {
			reg = &e
		}
		if !e.OccurredAt.After(end) {
			then.Apply(e.OccurredAt, e.Data)
		}
		return nil
	})
	if err != nil {
		return EnterpriseView{}, err
	}
	v := EnterpriseView{Enterprise: then, Strip: then.Strip(enforcement.QuarterOf(day.Start(domain.CST))), Day: day}
	if !then.IsRegistered() && reg != nil {
		// Under supervision only after the day: who it is, nothing on it
		// yet (its strip is of quarters before it was registered).
		then.Apply(reg.OccurredAt, reg.Data)
	}
	if then.Inspections == nil {
		then.Inspections = []enforcement.Inspection{}
	}
	if then.Cards == nil {
		then.Cards = []enforcement.Card{}
	}
	return v, nil
}

func (s *Server) enterprise(w http.ResponseWriter, r *http.Request) error {
	v, err := s.enterpriseView(r, enforcement.EnterpriseID(r.PathValue("id")))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) registerEnterprise(w http.ResponseWriter, r *http.Request) error {
	at, err := s.timeParam(r)
	if err != nil {
		return err
	}
	var reg enforcement.EnterpriseRegistered
	if err := decodeJSON(r, &reg); err != nil {
		return err
	}
	// The city first: a missing or unknown one is the request's to correct
	// (400), whoever sends it; then whether the token acts for it, and for
	// the city the enterprise's code was issued in.
	switch _, ok := domain.LookupCity(reg.City); {
	case reg.City == "":
		return domain.Errorf(r.URL.Path, domain.Invalid, "city", "missing: the city whose register the enterprise enters (a code or a name)")
	case !ok:
		return domain.Errorf(r.URL.Path, domain.Invalid, "city", "%q is not one of Shanxi's 11 cities (a code or a name)", string(reg.City))
	}
	if err := actsFor(r, "city", domain.CityScope(reg.City)); err != nil {
		return err
	}
	if err := codeActsFor(r, reg); err != nil {
		return err
	}
	e, err := app.RegisterEnterprise(r.Context(), s.store, actor(r), at, reg)
	return s.created(w, r, e, err)
}

// enforce records an inspection or a card decision on an enterprise.
func (s *Server) enforce(w http.ResponseWriter, r *http.Request) error {
	id := enforcement.EnterpriseID(r.PathValue("id"))
	var city domain.CityID
	found := false
	s.live.View(func() {
		if e, ok := s.cards.Enterprise(id); ok {
			city, found = e.Info.City, true
		}
	})
	if !found {
		return domain.Errorf(r.URL.Path, domain.NotFound, "id", "no enterprise %q", id)
	}
	if err := actsFor(r, "id", domain.CityScope(city)); err != nil {
		return err
	}
	at, err := s.timeParam(r)
	if err != nil {
		return err
	}
	agg := app.EnterpriseAggregate(city, id)
	ctx, a := r.Context(), actor(r)
	var e events.Event
	switch action := r.PathValue("action"); action {
	case "inspections":
		var p enforcement.Inspected
		if err = decodeJSON(r, &p); err == nil {
			e, err = app.RecordInspection(ctx, s.store, a, at, agg, p)
		}
	case "yellow-cards":
		var p enforcement.YellowCardIssued
		if err = decodeJSON(r, &p); err == nil {
			e, err = app.IssueYellowCard(ctx, s.store, a, at, agg, p)
		}
	case "red-cards":
		var p enforcement.RedCardIssued
		if err = decodeJSON(r, &p); err == nil {
			e, err = app.IssueRedCard(ctx, s.store, a, at, agg, p)
		}
	case "lifts":
		var p enforcement.CardLifted
		if err = decodeJSON(r, &p); err == nil {
			e, err = app.LiftCard(ctx, s.store, a, at, agg, p)
		}
	case "revocations":
		var p enforcement.CardRevoked
		if err = decodeJSON(r, &p); err == nil {
			e, err = app.RevokeCard(ctx, s.store, a, at, agg, p)
		}
	case "closure":
		var p enforcement.EnterpriseClosed
		if err = decodeJSON(r, &p); err == nil {
			e, err = app.CloseEnterprise(ctx, s.store, a, at, agg, p)
		}
	default:
		return domain.Errorf(r.URL.Path, domain.NotFound, "action", "%q is not inspections, yellow-cards, red-cards, lifts, revocations or closure", action)
	}
	if err != nil {
		return err
	}
	return s.created(w, r, e, nil)
}

func (s *Server) cardRegister(w http.ResponseWriter, r *http.Request) error {
	day, err := s.dayParam(r, "day")
	if err != nil {
		return err
	}
	var out []cards.Entry
	if err := s.withCards(r, func(m *cards.Model) { out = m.Register(day) }); err != nil {
		return err
	}
	if out == nil {
		out = []cards.Entry{}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func quarterScope(r *http.Request) (domain.Scope, enforcement.Quarter, error) {
	scope, err := domain.ParseScope(r.PathValue("scope"))
	if err != nil {
		return "", enforcement.Quarter{}, domain.E(r.URL.Path, domain.NotFound, "scope", err) // a path names a thing: 404 as for an unknown city elsewhere
	}
	var q enforcement.Quarter
	if err := q.UnmarshalText([]byte(strings.ToUpper(r.PathValue("quarter")))); err != nil {
		return "", q, domain.E(r.URL.Path, domain.Invalid, "quarter", err)
	}
	return scope, q, nil
}

// CardListView is a quarter's list as published and as it stands today.
type CardListView struct {
	Published *cards.Publication   `json:"published,omitempty"`
	Today     enforcement.CardList `json:"today"`
}

func (s *Server) cardList(w http.ResponseWriter, r *http.Request) error {
	scope, q, err := quarterScope(r)
	if err != nil {
		return err
	}
	var v CardListView
	if err := s.withCards(r, func(m *cards.Model) {
		if p, ok := m.Published(scope, q); ok {
			v.Published = &p
		}
		v.Today = m.QuarterList(scope, q)
	}); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// ListPublishRequest names the authority and notice publishing a list.
type ListPublishRequest struct {
	Authority  string `json:"authority"`
	DocumentNo string `json:"document_no"`
}

func (s *Server) publishCardList(w http.ResponseWriter, r *http.Request) error {
	scope, q, err := quarterScope(r)
	if err != nil {
		return err
	}
	if err := actsFor(r, "scope", scope); err != nil {
		return err
	}
	// A list published on paper and entered later is dated as it was
	// published, as any enforcement action is (?date=): its lateness
	// (enforcement.PublishBy) is judged by that date, not by the entry's.
	at, err := s.timeParam(r)
	if err != nil {
		return err
	}
	var req ListPublishRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	e, err := app.PublishCardList(r.Context(), s.store, actor(r), at, scope, q, req.Authority, req.DocumentNo)
	return s.created(w, r, e, err)
}

func (s *Server) officialsList(w http.ResponseWriter, r *http.Request) error {
	var out []officials.Record
	s.live.View(func() { out = s.account.Officials() })
	if out == nil {
		out = []officials.Record{}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) official(w http.ResponseWriter, r *http.Request) error {
	var rec accountability.Record
	var ok bool
	s.live.View(func() { rec, ok = s.account.Official(officials.PersonID(r.PathValue("id"))) })
	if !ok {
		return domain.Errorf(r.URL.Path, domain.NotFound, "id", "no official %q", r.PathValue("id"))
	}
	writeJSON(w, http.StatusOK, rec)
	return nil
}

func (s *Server) registerOfficial(w http.ResponseWriter, r *http.Request) error {
	var p officials.Registered
	if err := decodeJSON(r, &p); err != nil {
		return err
	}
	e, err := app.RegisterOfficial(r.Context(), s.store, actor(r), s.now(), p)
	return s.created(w, r, e, err)
}

func (s *Server) appoint(w http.ResponseWriter, r *http.Request) error {
	var p officials.Appointed
	if err := decodeJSON(r, &p); err != nil {
		return err
	}
	if err := pathOfficial(r, &p.Official); err != nil {
		return err
	}
	e, err := app.AppointOfficial(r.Context(), s.store, actor(r), p)
	return s.created(w, r, e, err)
}

func (s *Server) depart(w http.ResponseWriter, r *http.Request) error {
	var p officials.Departed
	if err := decodeJSON(r, &p); err != nil {
		return err
	}
	if err := pathOfficial(r, &p.Official); err != nil {
		return err
	}
	e, err := app.RecordDeparture(r.Context(), s.store, actor(r), p)
	return s.created(w, r, e, err)
}

// pathOfficial fills a body's official from the path, or checks they agree.
func pathOfficial(r *http.Request, id *officials.PersonID) error {
	if *id == "" {
		*id = officials.PersonID(r.PathValue("id"))
	}
	if string(*id) != r.PathValue("id") {
		return domain.Errorf(r.URL.Path, domain.Invalid, "official", "the body names %s, the path %s", *id, r.PathValue("id"))
	}
	return nil
}

func (s *Server) cases(w http.ResponseWriter, r *http.Request) error {
	city, err := cityQuery(r)
	if err != nil {
		return err
	}
	var out []accountability.Case
	s.live.View(func() { out = s.account.Cases(city) })
	if out == nil {
		out = []accountability.Case{}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// CaseOpened is a new case and whom it names.
type CaseOpened struct {
	Event events.Event      `json:"event"`
	Named []officials.Named `json:"named"`
	// Warning is set when the register names no one for the case: no
	// appointment to its posts covers its period (yet).
	Warning string `json:"warning,omitempty"`
}

func (s *Server) openCase(w http.ResponseWriter, r *http.Request) error {
	var p officials.Triggered
	if err := decodeJSON(r, &p); err != nil {
		return err
	}
	e, named, err := app.TriggerAccountability(r.Context(), s.store, actor(r), p)
	if err != nil {
		return err
	}
	s.applied(w, r, e.Position)
	opened := CaseOpened{Event: e, Named: named}
	if len(named) == 0 {
		opened.Warning = "no one in the register held the case's posts during its period: record their appointments, and the case will name them"
	}
	writeJSON(w, http.StatusCreated, opened)
	return nil
}

func (s *Server) decideCase(w http.ResponseWriter, r *http.Request) error {
	var p officials.Decided
	if err := decodeJSON(r, &p); err != nil {
		return err
	}
	e, err := app.DecideAccountability(r.Context(), s.store, actor(r), p)
	return s.created(w, r, e, err)
}

// created answers 201 with the event, once the live models have it.
func (s *Server) created(w http.ResponseWriter, r *http.Request, e events.Event, err error) error {
	if err != nil {
		return err
	}
	s.applied(w, r, e.Position)
	writeJSON(w, http.StatusCreated, e)
	return nil
}

// applied waits (10 s at most) for the read models to apply a write up to
// pos, so that a read after the answer sees it. If they have not, the
// answer says so in a header (Ledger-Applied: false): the write is stored,
// and will show shortly.
func (s *Server) applied(w http.ResponseWriter, r *http.Request, pos uint64) {
	if !s.live.WaitFor(r.Context(), pos, 10*time.Second) {
		w.Header().Set("Ledger-Applied", "false")
	}
}
