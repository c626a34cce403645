package api

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/enforcement"
	"github.com/shanxi-water/ledger/domain/plan"
	"github.com/shanxi-water/ledger/projections/cards"
	"github.com/shanxi-water/ledger/projections/taskboard"
)

// The dashboard's lists: the plan's tasks as they stood on a day, and the
// card register.

// taskLine is one unit of a task on the tasks page.
type taskLine struct {
	taskboard.Row
	Text     string
	CityName string
}

func (s *Server) tasksPage(r *http.Request, l Lang) (string, any, error) {
	day, err := s.dayParam(r, "day")
	if err != nil {
		return "", nil, err
	}
	// ?city= a city, or province for the province's own tasks.
	var city domain.CityID
	province := r.URL.Query().Get("city") == string(domain.Province)
	if !province {
		if city, err = cityQuery(r); err != nil {
			return "", nil, err
		}
	}
	overdueOnly := false
	if v := r.URL.Query().Get("overdue"); v != "" {
		if overdueOnly, err = strconv.ParseBool(v); err != nil {
			return "", nil, domain.Errorf(r.URL.Path, domain.Invalid, "overdue", "%q is not true or false", v)
		}
	}
	dept := plan.Department(r.URL.Query().Get("dept"))
	var lines []taskLine
	var depts []plan.Department // the lead departments of the units listed, for the filter
	overdue := 0
	err = s.withBoard(r, func(board *taskboard.Board) {
		rows := board.Rows(day)
		switch {
		case city != "":
			rows = board.CityRows(day, city)
		case province:
			rows = slices.DeleteFunc(rows, func(r taskboard.Row) bool { return r.City != "" })
		}
		for _, row := range rows {
			for _, d := range row.Lead {
				if !slices.Contains(depts, d) {
					depts = append(depts, d)
				}
			}
			if dept != "" && !slices.Contains(row.Lead, dept) {
				continue
			}
			if row.Overdue {
				overdue++
			}
			if overdueOnly && !row.Overdue {
				continue
			}
			t, _ := board.Task(row.Task)
			name := l.one("省级", "province")
			if c, ok := domain.LookupCity(row.City); ok {
				name = cityName(l, c)
			}
			lines = append(lines, taskLine{Row: row, Text: t.Text, CityName: name})
		}
	})
	if err != nil {
		return "", nil, err
	}
	// The most overdue first, then the plan's order.
	slices.SortStableFunc(lines, func(a, b taskLine) int { return cmp.Compare(b.DaysOverdue, a.DaysOverdue) })
	// The filter lists them by name in the language; its values are the
	// names as stored.
	slices.SortFunc(depts, func(a, b plan.Department) int { return cmp.Compare(l.Dept(a), l.Dept(b)) })
	return l.T("task_list"), struct {
		Day         plan.Date
		City        domain.CityID
		Province    bool
		Cities      []cityLink
		Dept        plan.Department
		Depts       []plan.Department
		OverdueOnly bool
		Overdue     int
		Lines       []taskLine
		AsOf        string // ?as_of=, as the ledger knew it then; "" for everything recorded to date
	}{day, city, province, cityLinks(l, city), dept, depts, overdueOnly, overdue, lines, r.URL.Query().Get("as_of")}, nil
}

func (s *Server) cardsPage(r *http.Request, l Lang) (string, any, error) {
	day, err := s.dayParam(r, "day")
	if err != nil {
		return "", nil, err
	}
	city, err := cityQuery(r)
	if err != nil {
		return "", nil, err
	}
	type line struct {
		cards.Entry
		CityName string
	}
	var lines []line
	err = s.withCards(r, func(m *cards.Model) {
		for _, e := range m.Register(day) {
			if city != "" && e.City != city {
				continue
			}
			c, _ := domain.LookupCity(e.City)
			lines = append(lines, line{e, cityName(l, c)})
		}
	})
	if err != nil {
		return "", nil, err
	}
	slices.SortStableFunc(lines, func(a, b line) int { return registerOrder(a.Entry, b.Entry) })
	return l.T("card_register"), struct {
		Day    plan.Date
		City   domain.CityID
		Cities []cityLink
		Lines  []line
		AsOf   string // ?as_of=, as the ledger knew it then; "" for everything recorded to date
	}{day, city, cityLinks(l, city), lines, r.URL.Query().Get("as_of")}, nil
}

// registerOrder lists red cards before yellow ones, a passed rectification
// deadline first, then by city.
func registerOrder(a, b cards.Entry) int {
	rank := func(c enforcement.Color) int {
		if c == enforcement.Red {
			return 0
		}
		return 1
	}
	return cmp.Or(cmp.Compare(rank(a.Color), rank(b.Color)), boolFirst(a.DeadlinePassed, b.DeadlinePassed), cmp.Compare(a.City, b.City))
}

// boolFirst orders true before false.
func boolFirst(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

// cityLink is a city in a page's list of cities to choose from.
type cityLink struct {
	ID      domain.CityID
	Name    string
	Current bool
}

// cityLinks lists the cities, marking the current one.
func cityLinks(l Lang, current domain.CityID) []cityLink {
	out := make([]cityLink, 0, len(domain.Cities))
	for _, c := range domain.Cities {
		out = append(out, cityLink{c.ID, cityName(l, c), c.ID == current})
	}
	return out
}
