package api

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

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

// The quarterly public lists of yellow- and red-card enterprises (黄牌红牌
// 名单): those published, and one list as published beside the list the
// model computes now (or as the ledger knew it on ?as_of=).

// quarterText is a quarter as the pages write it: 2019年第2季度, 2019 Q2.
func quarterText(l Lang, q enforcement.Quarter) string {
	if l == En {
		return fmt.Sprintf("%d Q%d", q.Year, q.Q)
	}
	return fmt.Sprintf("%d年第%d季度", q.Year, q.Q)
}

// scopeName is a list's scope in the language: a city's name, or the
// province.
func scopeName(l Lang, s domain.Scope) string {
	if c, ok := domain.LookupCity(domain.CityID(s)); ok && s != domain.Province {
		return cityName(l, c)
	}
	return l.T("whole_province")
}

// listDue is the last day a quarter's list is published on time
// (enforcement.PublishBy).
func listDue(q enforcement.Quarter) plan.Date {
	return enforcement.DayOf(enforcement.PublishBy(q).Add(-time.Nanosecond))
}

// recordedLate reports whether an action was entered more than a day after
// (or before) the date it took effect: a page then says when it was entered.
func recordedLate(occurred, recorded time.Time) bool {
	d := recorded.Sub(occurred)
	return d > 24*time.Hour || d < -24*time.Hour
}

// listRow is a published list on the page that lists them.
type listRow struct {
	cards.Publication
	ScopeName, QuarterText string
	Due                    plan.Date
	RecordedLate           bool
	Yellow, Red            int
	// Differs reports that the list computed now (as of ?as_of=) is not
	// the list stored as published: compared with the stored list, not the
	// hash published with it, so that a list whose hash no longer verifies
	// (HashOK) is not also said to differ, with no difference to show.
	Differs bool
}

func (s *Server) cardListsPage(r *http.Request, l Lang) (string, any, error) {
	city, err := cityQuery(r)
	if err != nil {
		return "", nil, err
	}
	asOf := r.URL.Query().Get("as_of")
	var rows []listRow
	err = s.withCards(r, func(m *cards.Model) {
		for _, p := range m.Publications() {
			sc, q := p.List.Scope, p.List.Quarter
			if city != "" && sc != domain.CityScope(city) {
				continue
			}
			y, rd := p.List.Count()
			rows = append(rows, listRow{Publication: p, ScopeName: scopeName(l, sc), QuarterText: quarterText(l, q),
				Due: listDue(q), RecordedLate: recordedLate(p.PublishedAt, p.RecordedAt), Yellow: y, Red: rd,
				Differs: m.QuarterList(sc, q).Hash() != p.List.Hash()})
		}
	})
	if err != nil {
		return "", nil, err
	}
	// The newest quarter first; in a quarter, the cities in code order, the
	// province last.
	slices.SortStableFunc(rows, func(a, b listRow) int {
		qa, qb := a.List.Quarter, b.List.Quarter
		return cmp.Or(cmp.Compare(qb.Year, qa.Year), cmp.Compare(qb.Q, qa.Q))
	})
	return l.T("card_lists"), struct {
		City   domain.CityID
		Cities []cityLink
		Rows   []listRow
		AsOf   string // ?as_of=, as the ledger knew it then; "" for everything recorded to date
	}{city, cityLinks(l, city), rows, asOf}, nil
}

// listLine is an entry of a list on its page.
type listLine struct {
	enforcement.ListEntry
	CityName string
	// CreditCode reports that the enterprise's id is its unified social
	// credit code; else it is its discharge permit number.
	CreditCode bool
}

// listChange is an entry on which the list as published and the list
// computed now differ, said in the language.
type listChange struct {
	Enterprise enforcement.EnterpriseID
	Name, Card string
	What       string   // left out, added, or changed
	Fields     []string // what changed in an entry on both: "status: in force → lifted"
}

// cardListData is what a list's page shows.
type cardListData struct {
	Scope       domain.Scope
	ScopeName   string
	Quarter     enforcement.Quarter
	QuarterText string
	Published   *cards.Publication // nil if not published (as of ?as_of=)
	Due         plan.Date
	// RecordedLate reports that the publication was entered in the ledger
	// more than a day after its date.
	RecordedLate bool
	Ended        bool       // the quarter has ended (by ?as_of=)
	Lines        []listLine // the list as published, or as computed if not published
	Yellow, Red  int
	Differs      bool // published, and the list computed now is not the list published
	Changes      []listChange
	Day          plan.Date // the quarter's last day, for the enterprises' pages
	AsOf         string    // ?as_of=, as the ledger knew it then; "" for everything recorded to date
}

// city is the list's city, if a city's, for the navigation's audit link.
func (d cardListData) city() domain.CityID {
	if d.Scope == domain.Province {
		return ""
	}
	return domain.CityID(d.Scope)
}

func (s *Server) cardListPage(r *http.Request, l Lang) (string, any, error) {
	sc, q, err := quarterScope(r)
	if err != nil {
		return "", nil, err
	}
	at, err := queryDate(r, "as_of")
	if err != nil {
		return "", nil, err
	}
	if at.IsZero() {
		at = s.now()
	}
	asOf := r.URL.Query().Get("as_of")
	d := cardListData{Scope: sc, ScopeName: scopeName(l, sc), Quarter: q, QuarterText: quarterText(l, q), Due: listDue(q),
		Ended: !at.Before(q.End()), Day: q.LastDay(), AsOf: asOf}
	err = s.withCards(r, func(m *cards.Model) {
		now := m.QuarterList(sc, q)
		shown := now
		if p, ok := m.Published(sc, q); ok {
			d.Published, shown = &p, p.List
			d.RecordedLate = recordedLate(p.PublishedAt, p.RecordedAt)
			d.Differs = now.Hash() != p.List.Hash()
			if d.Differs {
				d.Changes = listChanges(l, m, p.List, now)
			}
		}
		d.Yellow, d.Red = shown.Count()
		for _, e := range shown.Entries {
			c, _ := domain.LookupCity(e.City)
			d.Lines = append(d.Lines, listLine{e, cityName(l, c), enforcement.USCC(e.Enterprise).Validate() == nil})
		}
	})
	if err != nil {
		return "", nil, err
	}
	return d.ScopeName + " " + d.QuarterText + " " + l.T("card_lists"), d, nil
}

// listChanges says how the list computed now differs from the list
// published: entries left out now (a card revoked on appeal since, or
// corrected), entries added (a card recorded late), and entries on both
// that changed, field by field.
func listChanges(l Lang, m *cards.Model, was, now enforcement.CardList) []listChange {
	type key struct {
		e    enforcement.EnterpriseID
		card string
	}
	nowBy := map[key]enforcement.ListEntry{}
	for _, e := range now.Entries {
		nowBy[key{e.Enterprise, e.Card}] = e
	}
	var out []listChange
	seen := map[key]bool{}
	for _, w := range was.Entries {
		k := key{w.Enterprise, w.Card}
		seen[k] = true
		c := listChange{Enterprise: w.Enterprise, Name: w.Name, Card: w.Card}
		n, ok := nowBy[k]
		if !ok {
			c.What = l.T("list_left_out")
			if ent, ok := m.Enterprise(w.Enterprise); ok {
				for _, card := range ent.Cards {
					if card.DocumentNo == w.Card && card.Revocation != nil {
						rv := card.Revocation
						c.What += l.one("：", ": ") + l.Code(enforcement.Revoked) + " " + enforcement.DayOf(rv.At).String() + " " + rv.DocumentNo + " " + rv.Authority
					}
				}
			}
			out = append(out, c)
			continue
		}
		c.Fields = entryChanges(l, w, n)
		if len(c.Fields) > 0 {
			c.What = l.T("list_changed")
			out = append(out, c)
		}
	}
	for _, n := range now.Entries {
		if !seen[key{n.Enterprise, n.Card}] {
			out = append(out, listChange{Enterprise: n.Enterprise, Name: n.Name, Card: n.Card, What: l.T("list_added")})
		}
	}
	return out
}

// yesNo is a yes or a no in Chinese and English.
func yesNo(b bool) (zh, en string) {
	if b {
		return "是", "yes"
	}
	return "否", "no"
}

// entryChanges lists the fields of an entry that differ, "field: was →
// now", in the language.
func entryChanges(l Lang, was, now enforcement.ListEntry) []string {
	date := func(d *plan.Date) string {
		if d == nil {
			return "—"
		}
		return d.String()
	}
	findings := func(fs []enforcement.Finding) string {
		var out []string
		for _, f := range fs {
			out = append(out, l.Code(f))
		}
		return strings.Join(out, l.T("list_sep"))
	}
	var out []string
	for _, f := range []struct{ key, was, now string }{
		{"enterprise", was.Name, now.Name},
		{"city", string(was.City), string(now.City)},
		{"industry", was.Industry, now.Industry},
		{"key_discharger", l.one(yesNo(was.KeyDischarger)), l.one(yesNo(now.KeyDischarger))},
		{"card", l.Code(was.Color), l.Code(now.Color)},
		{"authority", was.Authority, now.Authority},
		{"issued", was.Issued.String(), now.Issued.String()},
		{"measure", l.Code(was.Measure), l.Code(now.Measure)},
		{"rect_deadline", date(was.Deadline), date(now.Deadline)},
		{"findings", findings(was.Findings), findings(now.Findings)},
		{"status_at_quarter_end", l.Code(was.Status), l.Code(now.Status)},
		{"ended", date(was.Ended), date(now.Ended)},
	} {
		if f.was != f.now {
			out = append(out, l.T(f.key)+l.one("：", ": ")+f.was+" → "+f.now)
		}
	}
	return out
}
