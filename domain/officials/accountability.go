package officials

import (
	"fmt"
	"regexp"
	"slices"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/plan"
)

// CaseID identifies an accountability case within its city, e.g.
// "2018-failed-assessment". It is the id of the case's aggregate.
type CaseID string

var caseIDRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,95}$`)

// Validate reports whether id is well formed.
func (id CaseID) Validate() error {
	if id == "" {
		return fmt.Errorf("missing")
	}
	if !caseIDRE.MatchString(string(id)) {
		return fmt.Errorf("%q: want 1 to 96 ASCII letters, digits, '-' or '_', starting with a letter or digit", string(id))
	}
	return nil
}

// FailedAssessmentID is the id of the case opened by a city's failed
// assessment of year: "2018-failed-assessment". A city-year has one.
func FailedAssessmentID(year int) CaseID { return CaseID(fmt.Sprintf("%d-failed-assessment", year)) }

// CaseKind is what opened a case.
type CaseKind string

// The kinds of case.
const (
	FailedAssessment  CaseKind = "failed_assessment"  // the city's year graded 不合格
	DataFalsification CaseKind = "data_falsification" // monitoring data falsified or interfered with (干预、伪造监测数据)
	SeriousIncident   CaseKind = "serious_incident"   // a serious pollution incident
	// RecklessDecision: a decision taken regardless of the water
	// environment that made its quality worse, with serious consequences
	// (不顾生态环境盲目决策导致水环境质量恶化、造成严重后果), the plan's own
	// ground for lifetime accountability; the period is the decision's.
	RecklessDecision CaseKind = "reckless_decision"
)

// CaseKinds lists the kinds.
var CaseKinds = []CaseKind{FailedAssessment, DataFalsification, SeriousIncident, RecklessDecision}

// Validate reports whether k is a known kind.
func (k CaseKind) Validate() error {
	if slices.Contains(CaseKinds, k) {
		return nil
	}
	if k == "" {
		return fmt.Errorf("missing")
	}
	return fmt.Errorf("unknown kind %q: want one of %v", string(k), CaseKinds)
}

// Posts returns the posts a case of kind k names, in the city concerned
// (river: whether the case concerns a named river).
func (k CaseKind) Posts(river bool) []Post {
	switch k {
	case FailedAssessment:
		return []Post{Mayor, ViceMayorInCharge, EnvBureauHead}
	case DataFalsification:
		return []Post{ViceMayorInCharge, EnvBureauHead}
	case SeriousIncident:
		if river {
			return []Post{EnvBureauHead, RiverChief}
		}
		return []Post{ViceMayorInCharge, EnvBureauHead}
	case RecklessDecision:
		// The city government's leaders who took it; anyone else who had a
		// part is decided on with a stated basis.
		return []Post{Mayor, ViceMayorInCharge}
	}
	return nil
}

// Reference points at what opened a case: the event in the log (the
// published assessment result, the falsification finding) by position
// and/or id, and/or the document that established it. At least one.
type Reference struct {
	EventID    string `json:"event_id,omitempty"` // UUID
	Position   uint64 `json:"position,omitempty"` // log position
	DocumentNo string `json:"document_no,omitempty"`
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// IsZero reports whether nothing is referenced.
func (r Reference) IsZero() bool { return r.EventID == "" && r.Position == 0 && r.DocumentNo == "" }

// Validate checks the reference; the error's Field is relative, e.g. "event_id".
func (r Reference) Validate(op string) error {
	if r.IsZero() {
		return domain.Errorf(op, domain.Invalid, "", "missing: give the triggering event's position or id, or the finding's document number")
	}
	if r.EventID != "" && !uuidRE.MatchString(r.EventID) {
		return domain.Errorf(op, domain.Invalid, "event_id", "%q is not a lower-case UUID", r.EventID)
	}
	if err := text(r.DocumentNo, 200); err != nil {
		return domain.E(op, domain.Invalid, "document_no", err)
	}
	return nil
}

// Triggered opens an accountability case in a city. Event:
// accountability.triggered, the first event of the case's aggregate (scope
// the city, type accountability_case). It does not name anyone: the
// register names the holders of the kind's posts during the period, from the
// tenures as known (Roster.Named).
type Triggered struct {
	Case      CaseID        `json:"case"`
	Kind      CaseKind      `json:"kind"`
	City      domain.CityID `json:"city"`
	Year      int           `json:"year,omitempty"`  // failed_assessment: the year assessed
	From      plan.Date     `json:"from"`            // first day of the period concerned
	To        plan.Date     `json:"to"`              // last day of it (From for a single day)
	River     string        `json:"river,omitempty"` // the river concerned, if any
	FoundOn   plan.Date     `json:"found_on"`        // when it was established (result published, finding made)
	Reference Reference     `json:"reference"`
	Summary   string        `json:"summary,omitempty"`
}

// Validate checks the payload on its own.
func (t Triggered) Validate() error {
	const op = "accountability.triggered"
	if err := t.Kind.Validate(); err != nil {
		return domain.E(op, domain.Invalid, "kind", err)
	}
	if _, ok := domain.LookupCity(t.City); !ok {
		return domain.Errorf(op, domain.Invalid, "city", "%q is not one of Shanxi's 11 city codes", string(t.City))
	}
	if t.Kind == FailedAssessment {
		if t.Year < 2016 || t.Year > 2030 {
			return domain.Errorf(op, domain.Invalid, "year", "%d outside 2016–2030", t.Year)
		}
		if t.From != plan.NewDate(t.Year, 1, 1) || t.To != plan.NewDate(t.Year, 12, 31) {
			return domain.Errorf(op, domain.Invalid, "from", "a failed assessment concerns the whole year %d: from %d-01-01 to %d-12-31", t.Year, t.Year, t.Year)
		}
		if t.River != "" {
			return domain.Errorf(op, domain.Invalid, "river", "a failed assessment concerns the whole city, not one river")
		}
	} else if t.Year != 0 {
		return domain.Errorf(op, domain.Invalid, "year", "only a failed assessment names a year; give the period (from, to)")
	}
	if t.From.IsZero() {
		return domain.Errorf(op, domain.Invalid, "from", "missing: the first day of the period concerned")
	}
	if t.To.IsZero() {
		return domain.Errorf(op, domain.Invalid, "to", "missing: the last day of the period concerned (from, for one day)")
	}
	if t.To.Compare(t.From) < 0 {
		return domain.Errorf(op, domain.Invalid, "to", "%s is before from (%s)", t.To, t.From)
	}
	if t.River != "" {
		if err := chinese(t.River, 32); err != nil {
			return domain.E(op, domain.Invalid, "river", err)
		}
	}
	if t.FoundOn.IsZero() {
		return domain.Errorf(op, domain.Invalid, "found_on", "missing: when was it established?")
	}
	if t.FoundOn.Compare(t.From) < 0 {
		return domain.Errorf(op, domain.Invalid, "found_on", "%s is before the period concerned (from %s)", t.FoundOn, t.From)
	}
	if t.To.Compare(t.FoundOn) > 0 {
		return domain.Errorf(op, domain.Invalid, "to", "%s is after the case was found (%s): a case concerns what happened before it was established", t.To, t.FoundOn)
	}
	if err := t.Reference.Validate(op); err != nil {
		f := "reference"
		if fd := domain.FieldOf(err); fd != "" {
			f += "." + fd
		}
		return domain.E(op, domain.Invalid, f, unwrap(err))
	}
	if err := text(t.Summary, 4000); err != nil {
		return domain.E(op, domain.Invalid, "summary", err)
	}
	if err := t.Case.Validate(); err != nil {
		return domain.E(op, domain.Invalid, "case", err)
	}
	return nil
}

// Positions returns the positions the case names the holders of.
func (t Triggered) Positions() []Position {
	var out []Position
	for _, p := range t.Kind.Posts(t.River != "") {
		pos := Position{Post: p, City: t.City}
		if p == RiverChief {
			pos.River = t.River
		}
		out = append(out, pos)
	}
	return out
}

// Decision is an accountability decision on an official (问责方式 and
// disciplinary sanctions).
type Decision string

// The decisions.
const (
	Admonishment       Decision = "admonishment"        // 诫勉
	Criticism          Decision = "criticism"           // 通报批评
	Warning            Decision = "warning"             // 警告
	SeriousWarning     Decision = "serious_warning"     // 严重警告
	Demerit            Decision = "demerit"             // 记过
	MajorDemerit       Decision = "major_demerit"       // 记大过
	Demotion           Decision = "demotion"            // 降级 / 降职
	RemovalFromPost    Decision = "removal_from_post"   // 撤职
	OrderedResignation Decision = "ordered_resignation" // 责令辞职
	Dismissal          Decision = "dismissal"           // 开除 / 免职
	Referral           Decision = "referral"            // 移送纪检监察或司法机关
	NoAction           Decision = "no_action"           // 不予追究, with the reasons in the note
)

// Decisions lists the decisions, mildest first (referral and no action last).
var Decisions = []Decision{Admonishment, Criticism, Warning, SeriousWarning, Demerit, MajorDemerit, Demotion,
	RemovalFromPost, OrderedResignation, Dismissal, Referral, NoAction}

// Validate reports whether d is a known decision.
func (d Decision) Validate() error {
	if slices.Contains(Decisions, d) {
		return nil
	}
	if d == "" {
		return fmt.Errorf("missing")
	}
	return fmt.Errorf("unknown decision %q: want one of %v", string(d), Decisions)
}

// Decided records an accountability decision on an official in a case.
// Event: accountability.decided, on the case's aggregate.
type Decided struct {
	Case       CaseID        `json:"case"`
	City       domain.CityID `json:"city"` // the case's city
	Official   PersonID      `json:"official"`
	Decision   Decision      `json:"decision"`
	DocumentNo string        `json:"document_no"`     // e.g. 晋纪发〔2019〕12号
	Date       plan.Date     `json:"date"`            // the decision's date
	Authority  string        `json:"authority"`       // who decided, e.g. 山西省纪委监委
	Basis      string        `json:"basis,omitempty"` // why an official the case does not name is answerable
	Note       string        `json:"note,omitempty"`
}

// Validate checks the payload on its own.
func (d Decided) Validate() error {
	const op = "accountability.decided"
	if err := d.Case.Validate(); err != nil {
		return domain.E(op, domain.Invalid, "case", err)
	}
	if _, ok := domain.LookupCity(d.City); !ok {
		return domain.Errorf(op, domain.Invalid, "city", "%q is not one of Shanxi's 11 city codes", string(d.City))
	}
	if err := d.Official.Validate(); err != nil {
		return domain.E(op, domain.Invalid, "official", err)
	}
	if err := d.Decision.Validate(); err != nil {
		return domain.E(op, domain.Invalid, "decision", err)
	}
	if d.DocumentNo == "" {
		return domain.Errorf(op, domain.Invalid, "document_no", "missing: every decision carries its document number")
	}
	if d.Date.IsZero() {
		return domain.Errorf(op, domain.Invalid, "date", "missing: the decision's date")
	}
	if d.Authority == "" {
		return domain.Errorf(op, domain.Invalid, "authority", "missing: who decided?")
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{{"document_no", d.DocumentNo, 200}, {"authority", d.Authority, 200}, {"basis", d.Basis, 2000}, {"note", d.Note, 4000}} {
		if err := text(f.v, f.max); err != nil {
			return domain.E(op, domain.Invalid, f.name, err)
		}
	}
	if d.Decision == NoAction && d.Note == "" {
		return domain.Errorf(op, domain.Invalid, "note", "missing: a decision not to hold the official answerable gives its reasons")
	}
	return nil
}

// Case is one case's aggregate folded. The zero Case is a case not opened.
type Case struct {
	Triggered Triggered `json:"triggered"`
	Source    Source    `json:"source"` // the accountability.triggered event
	Decisions []Decided `json:"decisions"`
	Version   uint64    `json:"version"`
}

// Exists reports whether the case was opened.
func (c Case) Exists() bool { return c.Triggered.Case != "" }

// Apply folds one of the case's events into it.
func (c *Case) Apply(e Entry) {
	c.Version = e.Version
	switch d := e.Data.(type) {
	case Triggered:
		c.Triggered, c.Source = d, e.Source
	case Decided:
		c.Decisions = append(c.Decisions, d)
	}
}

// Named is an official a case names: the tenure that makes them answerable
// and the part of the period they served in it.
type Named struct {
	Tenure
	Name       string    `json:"name"`
	ServedFrom plan.Date `json:"served_from"` // first day of the period in office
	ServedTo   plan.Date `json:"served_to"`   // last day of the period in office
}

// Named returns who held the positions t names during its period, from the
// tenures in the roster, whether or not they are still in office; by post,
// then appointment date.
func (ro *Roster) Named(t Triggered) []Named {
	out := []Named{}
	for _, pos := range t.Positions() {
		for _, ten := range ro.Holders(pos, t.From, t.To) {
			n := Named{Tenure: ten, Name: ro.Name(ten.Official), ServedFrom: t.From, ServedTo: t.To}
			if ten.From.Compare(n.ServedFrom) > 0 {
				n.ServedFrom = ten.From
			}
			if last := ten.LastDay(); last != nil && last.Compare(n.ServedTo) < 0 {
				n.ServedTo = *last
			}
			out = append(out, n)
		}
	}
	return out
}

// DecideTrigger decides whether case p may be opened, given its aggregate c
// (the zero Case if new). For a failed assessment with no period it sets the
// period to the year. It fails with kind Forbidden for a role that may not,
// Invalid for bad input and Conflict for a case already opened.
func DecideTrigger(c Case, by domain.Actor, p Triggered) (Triggered, error) {
	const op = "accountability.triggered"
	if err := checkActor(op, by); err != nil {
		return Triggered{}, err
	}
	if p.Kind == FailedAssessment && p.From.IsZero() && p.To.IsZero() && p.Year != 0 {
		p.From, p.To = plan.NewDate(p.Year, 1, 1), plan.NewDate(p.Year, 12, 31)
	}
	if err := p.Validate(); err != nil {
		return Triggered{}, err
	}
	if c.Exists() || c.Version > 0 {
		return Triggered{}, domain.Errorf(op, domain.Conflict, "case", "case %s of %s is already open (%s, found on %s)", p.Case, p.City, c.Triggered.Kind, c.Triggered.FoundOn)
	}
	return p, nil
}

// DecideAccountability decides whether decision p may be recorded in case c,
// given the roster (who the case names, and the official's record). It sets
// p.City to the case's city. It fails with kind Forbidden for a role that may
// not, Invalid for bad input (and for an official the case does not name
// without a basis), NotFound for a case not opened or an official not
// registered, and Conflict for a decision dated before the case was found or
// one recorded already (same official, same document).
func DecideAccountability(c Case, ro *Roster, by domain.Actor, p Decided) (Decided, error) {
	const op = "accountability.decided"
	if err := checkActor(op, by); err != nil {
		return Decided{}, err
	}
	if !c.Exists() {
		return Decided{}, domain.Errorf(op, domain.NotFound, "case", "no case %s in %s", p.Case, p.City)
	}
	if p.Case != c.Triggered.Case || (p.City != "" && p.City != c.Triggered.City) {
		return Decided{}, domain.Errorf(op, domain.Internal, "case", "state of case %s/%s given for a decision in %s/%s", c.Triggered.City, c.Triggered.Case, p.City, p.Case)
	}
	p.City = c.Triggered.City
	if err := p.Validate(); err != nil {
		return Decided{}, err
	}
	r, ok := ro.Record(p.Official)
	if !ok || !r.Registered() {
		return Decided{}, domain.Errorf(op, domain.NotFound, "official", "%s is not registered", p.Official)
	}
	if p.Date.Compare(c.Triggered.FoundOn) < 0 {
		return Decided{}, domain.Errorf(op, domain.Conflict, "date", "%s is before the case was found (%s)", p.Date, c.Triggered.FoundOn)
	}
	for _, d := range c.Decisions {
		if d.Official == p.Official && d.DocumentNo == p.DocumentNo {
			return Decided{}, domain.Errorf(op, domain.Conflict, "document_no", "%s on %s (%s) is already recorded in case %s: %s", d.DocumentNo, r.Name, r.ID, c.Triggered.Case, d.Decision)
		}
	}
	named := slices.ContainsFunc(ro.Named(c.Triggered), func(n Named) bool { return n.Official == p.Official })
	if !named && p.Basis == "" {
		return Decided{}, domain.Errorf(op, domain.Invalid, "basis", "missing: case %s does not name %s (%s) (they held none of its posts from %s to %s); say why they are answerable",
			c.Triggered.Case, r.Name, r.ID, c.Triggered.From, c.Triggered.To)
	}
	return p, nil
}
