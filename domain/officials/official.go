package officials

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/plan"
)

// PersonID is an official's code in the register: ASCII letters, digits,
// '-' and '_', e.g. "wang-jun-1962". It is the id of their aggregate.
type PersonID string

var personIDRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)

// Validate reports whether id is a well-formed code.
func (id PersonID) Validate() error {
	if id == "" {
		return fmt.Errorf("missing")
	}
	if !personIDRE.MatchString(string(id)) {
		return fmt.Errorf("%q: want 1 to 64 ASCII letters, digits, '-' or '_', starting with a letter or digit", string(id))
	}
	return nil
}

// Post is an office the plan holds answerable.
type Post string

// The posts.
const (
	Mayor                Post = "mayor"                   // 市长
	ViceMayorInCharge    Post = "vice_mayor_in_charge"    // 分管(生态环境)副市长
	EnvBureauHead        Post = "env_bureau_head"         // 市环境保护局局长 (生态环境局 from 2019)
	RiverChief           Post = "river_chief"             // 市级河长 of a named river
	Governor             Post = "governor"                // 省长
	ViceGovernorInCharge Post = "vice_governor_in_charge" // 分管副省长
	EnvDepartmentHead    Post = "env_department_head"     // 省环境保护厅厅长
)

// Posts lists the posts: the city's first, then the province's.
var Posts = []Post{Mayor, ViceMayorInCharge, EnvBureauHead, RiverChief, Governor, ViceGovernorInCharge, EnvDepartmentHead}

// Validate reports whether p is a known post.
func (p Post) Validate() error {
	if slices.Contains(Posts, p) {
		return nil
	}
	if p == "" {
		return fmt.Errorf("missing")
	}
	return fmt.Errorf("unknown post %q: want one of %v", string(p), Posts)
}

// Provincial reports whether p is a post of the province, held without a city.
func (p Post) Provincial() bool {
	return p == Governor || p == ViceGovernorInCharge || p == EnvDepartmentHead
}

// SingleHolder reports whether at most one person holds p in one place at a
// time. Vice mayors may share the portfolio and a river may have several
// chiefs (by reach, or a chief and deputies); the others are single offices.
func (p Post) SingleHolder() bool {
	return p == Mayor || p == EnvBureauHead || p == Governor || p == EnvDepartmentHead
}

// Label returns the post's Chinese name.
func (p Post) Label() string {
	switch p {
	case Mayor:
		return "市长"
	case ViceMayorInCharge:
		return "分管副市长"
	case EnvBureauHead:
		return "环保局长"
	case RiverChief:
		return "河长"
	case Governor:
		return "省长"
	case ViceGovernorInCharge:
		return "分管副省长"
	case EnvDepartmentHead:
		return "环保厅厅长"
	}
	return string(p)
}

// order is p's place in Posts, for sorting.
func (p Post) order() int {
	if i := slices.Index(Posts, p); i >= 0 {
		return i
	}
	return len(Posts)
}

// Position is a post where it is held: a city's post, a river's chief in a
// city, or a post of the province (no city).
type Position struct {
	Post  Post          `json:"post"`
	City  domain.CityID `json:"city,omitempty"`  // empty for a provincial post
	River string        `json:"river,omitempty"` // river chiefs only, e.g. 汾河
}

// Validate checks the position, naming the field at fault ("post", "city",
// "river").
func (p Position) Validate(op string) error {
	if err := p.Post.Validate(); err != nil {
		return domain.E(op, domain.Invalid, "post", err)
	}
	switch {
	case p.Post.Provincial() && p.City != "":
		return domain.Errorf(op, domain.Invalid, "city", "%s is a provincial post: give no city", p.Post)
	case !p.Post.Provincial():
		if p.City == "" {
			return domain.Errorf(op, domain.Invalid, "city", "missing: %s is a city's post", p.Post)
		}
		if _, ok := domain.LookupCity(p.City); !ok {
			return domain.Errorf(op, domain.Invalid, "city", "%q is not one of Shanxi's 11 city codes", string(p.City))
		}
	}
	if p.Post == RiverChief {
		if p.River == "" {
			return domain.Errorf(op, domain.Invalid, "river", "missing: a river chief is the chief of a named river")
		}
		if err := chinese(p.River, 32); err != nil {
			return domain.E(op, domain.Invalid, "river", err)
		}
	} else if p.River != "" {
		return domain.Errorf(op, domain.Invalid, "river", "only a river chief's post names a river, not %s", p.Post)
	}
	return nil
}

// String returns e.g. "140100 mayor" or "140100 river_chief 汾河".
func (p Position) String() string {
	s := string(p.Post)
	if p.City != "" {
		s = string(p.City) + " " + s
	} else {
		s = "province " + s
	}
	if p.River != "" {
		s += " " + p.River
	}
	return s
}

// DepartureReason is why an official left a post.
type DepartureReason string

// The reasons.
const (
	Transferred DepartureReason = "transferred" // 调任 to another post
	Promoted    DepartureReason = "promoted"    // 提拔
	Retired     DepartureReason = "retired"     // 退休
	Resigned    DepartureReason = "resigned"    // 辞职
	Dismissed   DepartureReason = "dismissed"   // 免职/撤职 as a sanction: needs the document
	TermEnded   DepartureReason = "term_ended"  // 任期届满
	Deceased    DepartureReason = "deceased"    // 去世
	OtherReason DepartureReason = "other"       // needs a note
)

// DepartureReasons lists the reasons.
var DepartureReasons = []DepartureReason{Transferred, Promoted, Retired, Resigned, Dismissed, TermEnded, Deceased, OtherReason}

// Validate reports whether r is a known reason.
func (r DepartureReason) Validate() error {
	if slices.Contains(DepartureReasons, r) {
		return nil
	}
	if r == "" {
		return fmt.Errorf("missing")
	}
	return fmt.Errorf("unknown reason %q: want one of %v", string(r), DepartureReasons)
}

// Registered enters an official in the register. Event: official.registered,
// the first event of the official's aggregate.
type Registered struct {
	ID   PersonID `json:"id"`
	Name string   `json:"name"` // Chinese name, e.g. 王军
}

// Validate checks the code and the name.
func (r Registered) Validate() error {
	const op = "official.registered"
	if err := r.ID.Validate(); err != nil {
		return domain.E(op, domain.Invalid, "id", err)
	}
	if err := personName(r.Name); err != nil {
		return domain.E(op, domain.Invalid, "name", err)
	}
	return nil
}

// Appointed records that an official took up a position on a day. Event:
// official.appointed, on the official's aggregate.
type Appointed struct {
	Official PersonID `json:"official"`
	Position
	From       plan.Date `json:"from"`                // first day in office
	DocumentNo string    `json:"document_no"`         // the appointing document, e.g. 并政任〔2016〕3号
	Authority  string    `json:"authority,omitempty"` // who appointed, e.g. 太原市人大常委会
	// Until is set for a tenure that had ended before it was recorded (an
	// official of the years before the ledger, entered for lifetime
	// accountability): the first day out of office. Such a tenure is
	// recorded closed, and may come before tenures already recorded.
	Until *plan.Date `json:"until,omitempty"`
}

// Validate checks the payload on its own.
func (a Appointed) Validate() error {
	const op = "official.appointed"
	if err := a.Official.Validate(); err != nil {
		return domain.E(op, domain.Invalid, "official", err)
	}
	if err := a.Position.Validate(op); err != nil {
		return err
	}
	if a.From.IsZero() {
		return domain.Errorf(op, domain.Invalid, "from", "missing: the first day in office")
	}
	if a.Until != nil && a.Until.Compare(a.From) <= 0 {
		return domain.Errorf(op, domain.Invalid, "until", "%s is not after from (%s): the first day out of office", *a.Until, a.From)
	}
	if a.DocumentNo == "" {
		return domain.Errorf(op, domain.Invalid, "document_no", "missing: every appointment has its document")
	}
	if err := text(a.DocumentNo, 200); err != nil {
		return domain.E(op, domain.Invalid, "document_no", err)
	}
	if err := text(a.Authority, 200); err != nil {
		return domain.E(op, domain.Invalid, "authority", err)
	}
	return nil
}

// PostFilled records, on a single-holder post's own aggregate, that an
// official was appointed to it: the post's register of holders. Appending
// it with the post's version as read is what makes two appointments to one
// post at the same moment, from any number of ledger processes, conflict in
// the log instead of both being stored. Event: post.filled.
type PostFilled struct {
	Official PersonID `json:"official"`
	Position
	From       plan.Date `json:"from"`
	DocumentNo string    `json:"document_no"`
}

// Validate checks the payload on its own.
func (f PostFilled) Validate() error {
	const op = "post.filled"
	if err := f.Official.Validate(); err != nil {
		return domain.E(op, domain.Invalid, "official", err)
	}
	if err := f.Position.Validate(op); err != nil {
		return err
	}
	if !f.Post.SingleHolder() {
		return domain.Errorf(op, domain.Invalid, "post", "%s may have several holders: only single-holder posts have a register", f.Post)
	}
	if f.From.IsZero() {
		return domain.Errorf(op, domain.Invalid, "from", "missing: the first day in office")
	}
	return nil
}

// Departed records that an official left a position: To is the first day
// out of office. Event: official.departed, on the official's aggregate.
type Departed struct {
	Official PersonID `json:"official"`
	Position
	Since      plan.Date       `json:"since"` // the appointment date of the tenure it ends (set by DecideDeparture)
	To         plan.Date       `json:"to"`    // the day they left: no longer in office from this day
	Reason     DepartureReason `json:"reason"`
	DocumentNo string          `json:"document_no,omitempty"` // required for a dismissal
	Note       string          `json:"note,omitempty"`        // required for reason "other"
}

// Validate checks the payload on its own.
func (d Departed) Validate() error {
	const op = "official.departed"
	if err := d.Official.Validate(); err != nil {
		return domain.E(op, domain.Invalid, "official", err)
	}
	if err := d.Position.Validate(op); err != nil {
		return err
	}
	if d.To.IsZero() {
		return domain.Errorf(op, domain.Invalid, "to", "missing: the day the official left")
	}
	if !d.Since.IsZero() && d.To.Compare(d.Since) <= 0 {
		return domain.Errorf(op, domain.Invalid, "to", "%s is not after the appointment (%s)", d.To, d.Since)
	}
	if err := d.Reason.Validate(); err != nil {
		return domain.E(op, domain.Invalid, "reason", err)
	}
	if err := text(d.DocumentNo, 200); err != nil {
		return domain.E(op, domain.Invalid, "document_no", err)
	}
	if err := text(d.Note, 2000); err != nil {
		return domain.E(op, domain.Invalid, "note", err)
	}
	if d.Reason == Dismissed && d.DocumentNo == "" {
		return domain.Errorf(op, domain.Invalid, "document_no", "missing: a dismissal names its document")
	}
	if d.Reason == OtherReason && d.Note == "" {
		return domain.Errorf(op, domain.Invalid, "note", "missing: say why the official left")
	}
	return nil
}

// text checks an optional free-text field: no surrounding space, no control
// characters, at most max bytes.
func text(s string, max int) error { return domain.CheckText(s, max) }

// chinese checks a required name written in Chinese characters (a river, a
// place): Han characters only, at most max of them.
func chinese(s string, max int) error {
	n := utf8.RuneCountInString(s)
	switch {
	case s == "":
		return fmt.Errorf("missing")
	case n > max:
		return fmt.Errorf("%q: longer than %d characters", s, max)
	}
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			return fmt.Errorf("%q: write it in Chinese characters (found %q)", s, r)
		}
	}
	return nil
}

// personName checks a person's Chinese name: 2 to 20 Han characters, with
// the middle dot (·) of transcribed names between them.
func personName(s string) error {
	if s == "" {
		return fmt.Errorf("missing")
	}
	n := utf8.RuneCountInString(s)
	if n < 2 || n > 20 {
		return fmt.Errorf("%q: want 2 to 20 characters", s)
	}
	if strings.HasPrefix(s, "·") || strings.HasSuffix(s, "·") || strings.Contains(s, "··") {
		return fmt.Errorf("%q: a middle dot stands between the parts of a name", s)
	}
	for _, r := range s {
		if r != '·' && !unicode.Is(unicode.Han, r) {
			return fmt.Errorf("%q: write the name in Chinese characters (found %q)", s, r)
		}
	}
	return nil
}

// unwrap returns the reason inside a *domain.Error, to re-wrap it under
// another op or field.
func unwrap(err error) error {
	if e, ok := err.(*domain.Error); ok && e.Err != nil {
		return e.Err
	}
	return err
}
