package assessment

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/shanxi-water/ledger/domain"
)

// ResultsPublished freezes a year's results: what was computed, from the log
// up to which position, under which rules, and a hash of the inputs (every
// aggregate's chain head at that position) so the computation can be
// repeated and checked. Later corrections never change it; they show in an
// "as known today" view beside it.
// Event: assessment.results_published.
type ResultsPublished struct {
	Method     int      `json:"method,omitempty"` // how the results were computed (Method); 0 is 1, before methods were numbered
	Year       int      `json:"year"`
	Document   string   `json:"document"` // the notice publishing the results
	Position   uint64   `json:"position"` // log position the results were computed at
	InputsHash string   `json:"inputs_hash"`
	Aggregates int      `json:"aggregates"` // number of chain heads hashed
	Rules      Rules    `json:"rules"`
	Results    []Result `json:"results"`
	// Incomplete lists the cities whose data was known to be missing when
	// the year was published (knowingly: app.Publication.Incomplete).
	Incomplete []DataGap `json:"incomplete,omitempty"`
}

// DataGap is what a city's year lacked: no section registered, none with
// data enough for a class, groundwater points not graded for the year,
// black-odorous bodies not inspected in it, or drinking-water sources with
// no sample in it. Its results are then partly made of missing data.
type DataGap struct {
	City        domain.CityID `json:"city"`
	NoSections  bool          `json:"no_sections,omitempty"`
	Unclassed   int           `json:"sections_unclassed,omitempty"`        // every section of the city, none classed
	Ungraded    int           `json:"groundwater_ungraded,omitempty"`      // points not graded for the year
	Uninspected int           `json:"black_odorous_uninspected,omitempty"` // bodies not inspected in the year
	Unsampled   int           `json:"drinking_unsampled,omitempty"`        // sources with no sample in the year
}

// Gaps are the results' data gaps, in the results' order.
func Gaps(results []Result) []DataGap {
	var out []DataGap
	for _, r := range results {
		in := r.Inputs
		g := DataGap{City: r.City, NoSections: in.Sections == 0, Ungraded: in.GroundwaterUngraded,
			Uninspected: in.BlackUninspected, Unsampled: in.DrinkingUnsampled}
		if in.Sections > 0 && in.SectionsInsufficient == in.Sections {
			g.Unclassed = in.Sections
		}
		if g != (DataGap{City: r.City}) {
			out = append(out, g)
		}
	}
	return out
}

// Text says what the city lacked, in Chinese and English.
func (g DataGap) Text() (zh, en string) {
	name, nameEn := string(g.City), string(g.City)
	if c, ok := domain.LookupCity(g.City); ok {
		name, nameEn = c.Name, c.NameEn
	}
	var zs, es []string
	if g.NoSections {
		zs, es = append(zs, "无登记断面"), append(es, "no section registered")
	}
	if g.Unclassed > 0 {
		zh := fmt.Sprintf("%d 个断面均无足够数据定类", g.Unclassed)
		if g.Unclassed == 1 {
			zh = "其断面无足够数据定类"
		}
		zs, es = append(zs, zh), append(es, fmt.Sprintf("none of its %s with data enough for a class", domain.Count(g.Unclassed, "section")))
	}
	if g.Ungraded > 0 {
		zs, es = append(zs, fmt.Sprintf("%d 个地下水点位未评级", g.Ungraded)), append(es, fmt.Sprintf("%s not graded", domain.Count(g.Ungraded, "groundwater point")))
	}
	if g.Uninspected > 0 {
		zs, es = append(zs, fmt.Sprintf("%d 个黑臭水体年内未监测", g.Uninspected)), append(es, fmt.Sprintf("%s not inspected in the year", domain.Count(g.Uninspected, "black-odorous water body")))
	}
	if g.Unsampled > 0 {
		zs, es = append(zs, fmt.Sprintf("%d 个饮用水水源地年内无样品", g.Unsampled)), append(es, fmt.Sprintf("%s not sampled in the year", domain.Count(g.Unsampled, "drinking-water source")))
	}
	return name + "（" + strings.Join(zs, "，") + "）", nameEn + " (" + strings.Join(es, ", ") + ")"
}

// Method numbers the way results are computed from the log, beside the
// rules, which are data: replaying the log up to a publication's position
// repeats its results exactly under the same method. Raise it whenever the
// computation changes what it gives for the same log.
//
//	1: results published before methods were numbered
//	2: TN apart from a lake's class; the class-III and worse-than-V rules
//	   compare shares of a city's sections, with 劣V targets as the
//	   allowance; the quality score is the exact sum of its parts; a section
//	   with no counted item has no class
//	3: ranks order grades first (a failed city below every passing one);
//	   the groundwater explanation says "very poor" in English
//	4: a section, drinking source or black-odorous body counts from the year
//	   of its registration, not in the years before it; a section's year is
//	   classed when samples were taken in as many months as the norm (12,
//	   or 8 ice-bound), not as many samples; a year in which no section has
//	   a target and data enough for a class has no results; a section short
//	   of samples whose samples are worse than V counts as worse than V; a
//	   black-odorous body is eliminated in a year only if no inspection
//	   during it found it in a band
//	5: a city's task units overdue when the year began (due in an earlier
//	   year, 2015 included, and not done) count in the year, not on time; a
//	   unit suspended after its deadline stays overdue
//	6: a groundwater point counts from the year of its registration, and in
//	   a year it was not graded for it counts as very poor (it used to be
//	   left out, and a city with no grades had the part's full points)
//	7: a section classed in a year it has no target for says so in its
//	   evidence ("class II, no target for the year: counted as missed", not
//	   "class II, target : missed"); publications record their data gaps
//	8: a black-odorous body not inspected in the year is not eliminated in
//	   it (it used to count as eliminated from its last inspection before
//	   the year, and a city with no inspections at all had the part's full
//	   points); a drinking-water source with no sample in the year says so
//	   ("no sample in the year: counted as missed"; it was missed already,
//	   as "too few months sampled (0 samples in 0 months)"); evidence says
//	   a class worse than V so in English ("worse than V, target V:
//	   missed", not "class 劣V, target V: missed"); a result lowered by
//	   the task score records the threshold (DowngradeBelow)
const Method = 8

// MethodOf is the method a publication was computed with.
func (p ResultsPublished) MethodOf() int { return max(p.Method, 1) }

// MethodNote says, in Chinese and English, that a publication was computed
// with another method than today's, so that its differences from today's
// figures may come from the method rather than from the data; "" when it
// was not.
func (p ResultsPublished) MethodNote() (zh, en string) {
	if p.MethodOf() == Method {
		return "", ""
	}
	return fmt.Sprintf("公布时采用第%d版计算方法，现行为第%d版：与今日结果的差异可能来自方法，而非数据", p.MethodOf(), Method),
		fmt.Sprintf("published with method %d, today's is %d: differences from today's figures may come from the method, not the data", p.MethodOf(), Method)
}

var hexRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// Validate checks the publication.
func (p ResultsPublished) Validate() error {
	const op = "assessment.results_published"
	if p.Year < 2016 || p.Year > 2030 {
		return domain.Errorf(op, domain.Invalid, "year", "%d outside 2016–2030", p.Year)
	}
	if p.Document == "" {
		return domain.Errorf(op, domain.Invalid, "document", "missing: which notice publishes the results?")
	}
	if !hexRE.MatchString(p.InputsHash) {
		return domain.Errorf(op, domain.Invalid, "inputs_hash", "not a hex SHA-256")
	}
	if len(p.Results) != len(domain.Cities) {
		return domain.Errorf(op, domain.Invalid, "results", "%d results; every one of the %d cities is assessed", len(p.Results), len(domain.Cities))
	}
	return p.Rules.Validate()
}

// Result returns the published result of a city.
func (p ResultsPublished) Result(c domain.CityID) (Result, bool) {
	for _, r := range p.Results {
		if r.City == c {
			return r, true
		}
	}
	return Result{}, false
}

// Consequence is what follows a failed city-year.
type Consequence string

// The consequences of 不合格.
const (
	Interview     Consequence = "interview"     // 约谈 the city government and department heads
	Restriction   Consequence = "restriction"   // 区域限批: no EIA approval of new projects adding key water pollutants
	Rectification Consequence = "rectification" // 整改 order with a deadline
)

// ConsequenceImposed records a consequence of a failed city-year.
// Event: assessment.consequence_imposed.
type ConsequenceImposed struct {
	Year      int         `json:"year"`
	Kind      Consequence `json:"kind"`
	Document  string      `json:"document"`
	Authority string      `json:"authority"`
	Area      string      `json:"area,omitempty"`     // restriction: where
	From      *time.Time  `json:"from,omitempty"`     // restriction: period start (a date given: the start of that day)
	To        *time.Time  `json:"to,omitempty"`       // restriction: period end (a date given: through that day, to 23:59:59; PeriodEnd)
	Deadline  *time.Time  `json:"deadline,omitempty"` // rectification
	Note      string      `json:"note,omitempty"`
}

// UpcastConsequenceImposedV1 reads a consequence of schema 1, when a
// restriction's to given as a date was stored as the start of that day:
// to=2020-06-30 then meant, as the pages showed it, a period through 30
// June, and schema 2 stores that as the end of the day (23:59:59 Shanxi
// time, as a deadline given as a date is). A to of schema 1 at the start of
// a Shanxi day is taken as such a date; any other time is kept as given.
// The stored event is not changed: it is read so.
func UpcastConsequenceImposedV1(old json.RawMessage) (json.RawMessage, error) {
	var c ConsequenceImposed
	if err := json.Unmarshal(old, &c); err != nil {
		return nil, err
	}
	if given(c.To) {
		if t := c.To.In(domain.CST); t.Equal(dayStart(t)) {
			end := t.Add(24*time.Hour - time.Second)
			c.To = &end
			return json.Marshal(c)
		}
	}
	return old, nil
}

func dayStart(t time.Time) time.Time {
	t = t.In(domain.CST)
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, domain.CST)
}

// PeriodStart and PeriodEnd are a restriction's ends as text, in Shanxi
// time: an end given as a date (from at the start of the day, to at its
// last second) as that date, day true, the period including all of it;
// any other time to the minute (to seconds, if it has any).
func PeriodStart(t time.Time) (text string, day bool) {
	return periodText(t, dayStart(t))
}

// PeriodEnd: see PeriodStart.
func PeriodEnd(t time.Time) (text string, day bool) {
	return periodText(t, dayStart(t).Add(24*time.Hour-time.Second))
}

func periodText(t, dayEnd time.Time) (string, bool) {
	t = t.In(domain.CST)
	if t.Equal(dayEnd) {
		return t.Format(time.DateOnly), true
	}
	if t.Second() != 0 || t.Nanosecond() != 0 {
		return t.Format(time.DateTime), false
	}
	return t.Format("2006-01-02 15:04"), false
}

// given reports whether an optional date is given: consequences recorded
// before these dates were optional stored zero times for those not given.
func given(t *time.Time) bool { return t != nil && !t.IsZero() }

// Dates returns the consequence's period and deadline, nil where not
// given (whether absent or, in consequences recorded before they were
// optional, stored as zero times).
func (c ConsequenceImposed) Dates() (from, to, deadline *time.Time) {
	pick := func(t *time.Time) *time.Time {
		if given(t) {
			return t
		}
		return nil
	}
	return pick(c.From), pick(c.To), pick(c.Deadline)
}

// Validate checks the consequence's own fields.
func (c ConsequenceImposed) Validate() error {
	const op = "assessment.consequence_imposed"
	if c.Year < 2016 || c.Year > 2030 {
		return domain.Errorf(op, domain.Invalid, "year", "%d outside 2016–2030", c.Year)
	}
	switch c.Kind {
	case Interview, Restriction, Rectification:
	default:
		return domain.Errorf(op, domain.Invalid, "kind", "%q is not interview, restriction or rectification", c.Kind)
	}
	if c.Document == "" {
		return domain.Errorf(op, domain.Invalid, "document", "missing: every action carries its document number")
	}
	if c.Authority == "" {
		return domain.Errorf(op, domain.Invalid, "authority", "missing")
	}
	switch c.Kind {
	case Interview:
		for field, set := range map[string]bool{"area": c.Area != "", "from": given(c.From), "to": given(c.To), "deadline": given(c.Deadline)} {
			if set {
				return domain.Errorf(op, domain.Invalid, field, "an interview has no area, period or deadline (those are a restriction's or a rectification's)")
			}
		}
	case Restriction:
		if c.Area == "" {
			return domain.Errorf(op, domain.Invalid, "area", "missing: which area is restricted?")
		}
		if !given(c.From) {
			return domain.Errorf(op, domain.Invalid, "from", "missing: a restriction needs a period, from and to")
		}
		if !given(c.To) {
			return domain.Errorf(op, domain.Invalid, "to", "missing: a restriction needs a period, from and to")
		}
		if !c.To.After(*c.From) {
			return domain.Errorf(op, domain.Invalid, "to", "%s is not after from (%s)", c.To.Format(time.DateOnly), c.From.Format(time.DateOnly))
		}
	case Rectification:
		if !given(c.Deadline) {
			return domain.Errorf(op, domain.Invalid, "deadline", "missing: by when must it be rectified?")
		}
	}
	return nil
}

// Repeats says why c may not be imposed on a city-year that has prev
// already ("" if it may), naming the field at fault: each consequence is
// imposed once — a second interview or rectification order, a second
// restriction of the same area for an overlapping period (one decision may
// restrict several areas).
func (c ConsequenceImposed) Repeats(prev ConsequenceImposed) (field, reason string) {
	_, _, deadline := prev.Dates()
	switch {
	case c.Kind != prev.Kind:
		return "", ""
	case c.Kind == Interview && c.Document == prev.Document, c.Kind == Rectification && c.Document == prev.Document:
		return "document", fmt.Sprintf("this %s under %s is recorded already", c.Kind, c.Document)
	case c.Kind == Interview:
		return "kind", fmt.Sprintf("the city-year's interview is recorded already (%s): one interview for a failed year", prev.Document)
	case c.Kind == Rectification && deadline != nil:
		return "kind", fmt.Sprintf("the city-year's rectification order is recorded already (%s, deadline %s): one order for a failed year", prev.Document, deadline.In(domain.CST).Format(time.DateOnly))
	case c.Kind == Rectification:
		return "kind", fmt.Sprintf("the city-year's rectification order is recorded already (%s): one order for a failed year", prev.Document)
	}
	// Restrictions: one decision may restrict several areas; an area is
	// restricted once for any period.
	pf, pt, _ := prev.Dates()
	cf, ct, _ := c.Dates()
	if strings.TrimSpace(c.Area) == strings.TrimSpace(prev.Area) && pf != nil && pt != nil && cf != nil && ct != nil && cf.Before(*pt) && pf.Before(*ct) {
		return "area", fmt.Sprintf("%s is restricted already from %s (%s)", prev.Area, PeriodText(*pf, *pt), prev.Document)
	}
	return "", ""
}

// PeriodText is a restriction's period in English: "2020-07-01 to
// 2021-06-30 inclusive" for ends given as dates, "2020-07-01 08:00 to
// 2021-01-01 00:00" for ends given as times.
func PeriodText(from, to time.Time) string {
	_, en := Period(from, to)
	return en
}

// Period is a restriction's period as the city's page says it, in Chinese
// ("2020-07-01 至 2021-06-30（含当日）") and in English (PeriodText).
func Period(from, to time.Time) (zh, en string) {
	f, _ := PeriodStart(from)
	t, through := PeriodEnd(to)
	zh, en = f+" 至 "+t, f+" to "+t
	if through {
		zh, en = zh+"（含当日）", en+" inclusive"
	}
	return zh, en
}

// CanImpose decides whether a consequence may follow a city-year: only
// after its results were published, and only for a failed city.
func CanImpose(published *ResultsPublished, c domain.CityID) error {
	const op = "assessment.consequence_imposed"
	if published == nil {
		return domain.Errorf(op, domain.Conflict, "year", "the year's results are not published yet")
	}
	r, ok := published.Result(c)
	if !ok {
		return domain.Errorf(op, domain.NotFound, "city", "%s has no published result", c)
	}
	if r.Grade != Fail {
		zh, _ := r.Grade.Label()
		return domain.Errorf(op, domain.Conflict, "city", "%s was graded %s (%s) in %d: consequences follow 不合格 only", c, zh, r.Grade, published.Year)
	}
	return nil
}
