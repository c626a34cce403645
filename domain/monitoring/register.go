package monitoring

import (
	"regexp"
	"sort"
	"strconv"
	"time"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/water"
)

// SectionID is a monitoring section's code, e.g. "FH-HJDQ". It is the id of
// the section's aggregate, so it is ASCII letters, digits, '-' and '_'.
type SectionID string

var codeRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// ValidateCode checks an ASCII register code.
func ValidateCode(op, field, code string) error {
	if code == "" {
		return domain.Errorf(op, domain.Invalid, field, "missing")
	}
	if !codeRE.MatchString(code) {
		return domain.Errorf(op, domain.Invalid, field, "%q may hold only ASCII letters, digits, '-' and '_' (at most 64)", code)
	}
	return nil
}

// Level says who assesses a section.
type Level string

// Section levels.
const (
	National   Level = "national"   // 国考断面
	Provincial Level = "provincial" // 省考断面
)

// FirstYear and LastYear bound the plan's assessment years.
const (
	FirstYear = 2016
	LastYear  = 2030
)

// Targets maps a year to the class a section must reach that year. A
// target of 劣V (water.WorseThanV) allows the section to be worse than
// class V that year: Table 2 of the plan allows each basin a number of
// such sections, fewer each year, and a city's worse-than-V allowance is
// the number of its sections with that target.
type Targets map[int]water.Class

// Years lists the target years in order.
func (t Targets) Years() []int {
	ys := make([]int, 0, len(t))
	for y := range t {
		ys = append(ys, y)
	}
	sort.Ints(ys)
	return ys
}

func validateTargets(op, field string, t Targets) error {
	for _, y := range t.Years() {
		f := field + "." + strconv.Itoa(y)
		if err := checkTargetYear(op, f, y); err != nil {
			return err
		}
		if err := checkTargetClass(op, f, t[y]); err != nil {
			return err
		}
	}
	return nil
}

func checkTargetYear(op, field string, y int) error {
	if y < FirstYear || y > LastYear {
		return domain.Errorf(op, domain.Invalid, field, "year %d outside the plan's %d–%d", y, FirstYear, LastYear)
	}
	return nil
}

func checkTargetClass(op, field string, c water.Class) error {
	if !c.Valid() {
		return domain.Errorf(op, domain.Invalid, field, "target class %d is not I–V or 劣V (6)", int(c))
	}
	return nil
}

// SectionRegistered enters a monitoring section in the register.
// Event: section.registered.
type SectionRegistered struct {
	ID          SectionID      `json:"id"`
	Name        string         `json:"name"`  // e.g. 河津大桥
	River       string         `json:"river"` // e.g. 汾河
	Basin       domain.Basin   `json:"basin"`
	City        domain.CityID  `json:"city"`
	Kind        water.BodyKind `json:"kind"` // river, or lake (lake or reservoir)
	Level       Level          `json:"level"`
	ControlUnit string         `json:"control_unit,omitempty"`
	Automatic   bool           `json:"automatic"` // has an automatic station reporting every 4 hours
	Assessed    bool           `json:"assessed"`  // counts toward the plan's basin targets (Table 1, Table 2)
	Targets     Targets        `json:"targets"`   // target class per year
	// MinSamples is the fewest months with a manual sample that give a
	// year an annual class; 0 means the default (12). Ice-bound sections
	// commonly use 8.
	MinSamples int `json:"min_samples,omitempty"`
}

// Validate checks every field.
func (s SectionRegistered) Validate() error {
	const op = "section.registered"
	if err := ValidateCode(op, "id", string(s.ID)); err != nil {
		return err
	}
	if s.Name == "" {
		return domain.Errorf(op, domain.Invalid, "name", "missing")
	}
	if s.River == "" {
		return domain.Errorf(op, domain.Invalid, "river", "missing")
	}
	if s.Basin != domain.Yellow && s.Basin != domain.Hai {
		return domain.Errorf(op, domain.Invalid, "basin", "%q is not %q or %q", s.Basin, domain.Yellow, domain.Hai)
	}
	if _, ok := domain.LookupCity(s.City); !ok {
		return domain.Errorf(op, domain.Invalid, "city", "%q is not one of Shanxi's 11 city codes", s.City)
	}
	if err := s.Kind.Validate(); err != nil {
		return domain.E(op, domain.Invalid, "kind", err)
	}
	if s.Level != National && s.Level != Provincial {
		return domain.Errorf(op, domain.Invalid, "level", "%q is not %q or %q", s.Level, National, Provincial)
	}
	if s.ControlUnit != "" {
		if err := ValidateCode(op, "control_unit", s.ControlUnit); err != nil {
			return err
		}
	}
	if s.MinSamples < 0 || s.MinSamples > 12 {
		return domain.Errorf(op, domain.Invalid, "min_samples", "%d is not 0 (default, 12) to 12 months sampled", s.MinSamples)
	}
	return validateTargets(op, "targets", s.Targets)
}

// SectionTargetSet sets or changes a section's target class for a year.
// Event: section.target_set.
type SectionTargetSet struct {
	Year   int         `json:"year"`
	Class  water.Class `json:"class"`
	Reason string      `json:"reason"` // e.g. the document that set it
}

// Validate checks the year and class.
func (t SectionTargetSet) Validate() error {
	const op = "section.target_set"
	if t.Reason == "" {
		return domain.Errorf(op, domain.Invalid, "reason", "missing: which document sets this target?")
	}
	if err := checkTargetYear(op, "year", t.Year); err != nil {
		return err
	}
	return checkTargetClass(op, "class", t.Class)
}

// SourceLevel distinguishes city-level from county-level drinking sources.
type SourceLevel string

// Drinking-water source levels.
const (
	CityLevel   SourceLevel = "city"   // 地级市
	CountyLevel SourceLevel = "county" // 县级
)

// DrinkingSourceRegistered enters a drinking-water source (饮用水水源).
// Event: drinking_source.registered. Its samples are recorded like a
// section's; it meets its target when its annual class is III or better.
type DrinkingSourceRegistered struct {
	ID     string         `json:"id"`
	Name   string         `json:"name"`
	City   domain.CityID  `json:"city"`
	Level  SourceLevel    `json:"level"`
	Kind   water.BodyKind `json:"kind"`
	Target water.Class    `json:"target"`
}

// Validate checks every field.
func (d DrinkingSourceRegistered) Validate() error {
	const op = "drinking_source.registered"
	if err := ValidateCode(op, "id", d.ID); err != nil {
		return err
	}
	if d.Name == "" {
		return domain.Errorf(op, domain.Invalid, "name", "missing")
	}
	if _, ok := domain.LookupCity(d.City); !ok {
		return domain.Errorf(op, domain.Invalid, "city", "%q is not one of Shanxi's 11 city codes", d.City)
	}
	if d.Level != CityLevel && d.Level != CountyLevel {
		return domain.Errorf(op, domain.Invalid, "level", "%q is not %q or %q", d.Level, CityLevel, CountyLevel)
	}
	if err := d.Kind.Validate(); err != nil {
		return domain.E(op, domain.Invalid, "kind", err)
	}
	if d.Target < water.ClassI || d.Target > water.ClassV {
		return domain.Errorf(op, domain.Invalid, "target", "class %d is not I–V", int(d.Target))
	}
	return nil
}

// GroundwaterPointRegistered enters a groundwater assessment point
// (地下水考核点位). Its quality grade is assessed yearly; the plan caps the
// share of points graded 极差 (very poor).
// Event: groundwater_point.registered.
type GroundwaterPointRegistered struct {
	ID   string        `json:"id"`
	Name string        `json:"name"`
	City domain.CityID `json:"city"`
}

// Validate checks every field.
func (g GroundwaterPointRegistered) Validate() error {
	const op = "groundwater_point.registered"
	if err := ValidateCode(op, "id", g.ID); err != nil {
		return err
	}
	if g.Name == "" {
		return domain.Errorf(op, domain.Invalid, "name", "missing")
	}
	if _, ok := domain.LookupCity(g.City); !ok {
		return domain.Errorf(op, domain.Invalid, "city", "%q is not one of Shanxi's 11 city codes", g.City)
	}
	return nil
}

// GroundwaterGrade is a point's yearly grade (GB/T 14848: I–III good, IV
// poor, V very poor 极差).
type GroundwaterGrade int

// GroundwaterGraded records a point's grade for a year.
// Event: groundwater_point.graded.
type GroundwaterGraded struct {
	Year  int              `json:"year"`
	Grade GroundwaterGrade `json:"grade"` // 1..5; 5 is 极差
}

// Validate checks the year and grade.
func (g GroundwaterGraded) Validate() error {
	const op = "groundwater_point.graded"
	if g.Year == 0 {
		return domain.Errorf(op, domain.Invalid, "year", "missing: the year the grade is for")
	}
	if g.Grade == 0 {
		return domain.Errorf(op, domain.Invalid, "grade", "missing: 1 (good) to 5 (very poor, 极差)")
	}
	if g.Year < FirstYear || g.Year > LastYear {
		return domain.Errorf(op, domain.Invalid, "year", "%d outside the plan's %d–%d", g.Year, FirstYear, LastYear)
	}
	if g.Grade < 1 || g.Grade > 5 {
		return domain.Errorf(op, domain.Invalid, "grade", "%d is not 1–5", g.Grade)
	}
	return nil
}

// BlackOdorousRegistered enters a black-odorous water body (黑臭水体) with the
// person responsible and the deadline for eliminating it.
// Event: black_odorous.registered.
type BlackOdorousRegistered struct {
	ID          string        `json:"id"`
	Name        string        `json:"name"`
	City        domain.CityID `json:"city"`
	BuiltUp     bool          `json:"built_up"` // in the city's built-up area
	Responsible string        `json:"responsible"`
	Deadline    time.Time     `json:"deadline"`
}

// Validate checks every field.
func (b BlackOdorousRegistered) Validate() error {
	const op = "black_odorous.registered"
	if err := ValidateCode(op, "id", b.ID); err != nil {
		return err
	}
	if b.Name == "" {
		return domain.Errorf(op, domain.Invalid, "name", "missing")
	}
	if _, ok := domain.LookupCity(b.City); !ok {
		return domain.Errorf(op, domain.Invalid, "city", "%q is not one of Shanxi's 11 city codes", b.City)
	}
	if b.Responsible == "" {
		return domain.Errorf(op, domain.Invalid, "responsible", "missing: the plan names a person responsible for each body")
	}
	if b.Deadline.IsZero() {
		return domain.Errorf(op, domain.Invalid, "deadline", "missing")
	}
	return nil
}

// BlackOdorousInspected records the indicators measured at a black-odorous
// body and the level they give. Event: black_odorous.inspected.
type BlackOdorousInspected struct {
	Reading water.BlackOdorReading `json:"reading"`
	Level   water.BlackOdorLevel   `json:"level"` // derived from Reading when recorded
}

// Validate checks that the level is the one the reading gives.
func (b BlackOdorousInspected) Validate() error {
	if want := water.BlackOdor(b.Reading); b.Level != want {
		return domain.Errorf("black_odorous.inspected", domain.Invalid, "level", "is %d but the reading gives %d", b.Level, want)
	}
	return nil
}

// UnitType is a control unit's kind.
type UnitType string

// Control unit types in the plan.
const (
	Improvement UnitType = "improvement" // 治理改善型
	Protection  UnitType = "protection"  // 良好保护型
)

// ControlUnitRegistered enters a control unit (控制单元).
// Event: control_unit.registered.
type ControlUnitRegistered struct {
	ID    string        `json:"id"`
	Name  string        `json:"name"`
	City  domain.CityID `json:"city"`
	Basin domain.Basin  `json:"basin"`
	Type  UnitType      `json:"type"`
}

// Validate checks every field.
func (c ControlUnitRegistered) Validate() error {
	const op = "control_unit.registered"
	if err := ValidateCode(op, "id", c.ID); err != nil {
		return err
	}
	if c.Name == "" {
		return domain.Errorf(op, domain.Invalid, "name", "missing")
	}
	if _, ok := domain.LookupCity(c.City); !ok {
		return domain.Errorf(op, domain.Invalid, "city", "%q is not one of Shanxi's 11 city codes", c.City)
	}
	if c.Basin != domain.Yellow && c.Basin != domain.Hai {
		return domain.Errorf(op, domain.Invalid, "basin", "%q is not %q or %q", c.Basin, domain.Yellow, domain.Hai)
	}
	if c.Type != Improvement && c.Type != Protection {
		return domain.Errorf(op, domain.Invalid, "type", "%q is not %q or %q", c.Type, Improvement, Protection)
	}
	return nil
}
