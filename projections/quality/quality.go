// Package quality is the water-quality read model: each section's samples
// and classes by month and year against its target, each basin's shares
// against the plan's Table 1 and Table 2, and each city's compliance
// (sections, drinking-water sources, black-odorous water bodies,
// groundwater). It is built only from events, and can be built as the
// ledger knew it on a date (replay up to a recorded time) or as it happened
// (samples taken by a date, with every correction known today).
//
// It depends on events, domain, domain/water and domain/monitoring.
package quality

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/monitoring"
	"github.com/shanxi-water/ledger/domain/water"
	"github.com/shanxi-water/ledger/events"
)

// Options shape a model.
type Options struct {
	// OccurredBy, if set, keeps only samples taken at or before it: the
	// water as it was then, with every correction known to the log read.
	OccurredBy time.Time
	// MinSamples is the fewest manual samples that give a section an annual
	// class (12 if 0; ice-bound sections commonly use 8).
	MinSamples int
}

// Model is the read model. Build it with New and feed it events (Apply).
type Model struct {
	opts      Options
	sections  map[monitoring.SectionID]*Section
	drinking  map[string]*Drinking
	black     map[string]*BlackBody
	ground    map[string]*GroundPoint
	LastEvent uint64 // position of the last event applied
}

// span is a run of measured automatic samples of a batch in one month: a
// station's samples come in time order, so a quarter's are some three.
type span struct {
	a        *sums
	from, to int
}

// New returns an empty model.
func New(opts Options) *Model {
	if opts.MinSamples == 0 {
		opts.MinSamples = water.DefaultMinSamples
	}
	return &Model{
		opts:     opts,
		sections: map[monitoring.SectionID]*Section{},
		drinking: map[string]*Drinking{},
		black:    map[string]*BlackBody{},
		ground:   map[string]*GroundPoint{},
	}
}

// Site holds what sections and drinking sources share: samples.
type Site struct {
	Kind water.BodyKind
	// manual samples, kept whole (about 12 a year): assessment uses them.
	manual map[monitoring.Key]provenanced
	// automatic samples, folded into monthly sums: projections hold
	// aggregates, not raw events.
	auto map[month]*sums
}

type provenanced struct {
	sample   monitoring.Sample
	position uint64 // the event that set it (recorded or corrected)
	eventID  string
}

type month struct{ year, month int }

// sums are one month's automatic samples, item by item (indexed as in
// GB 3838 Table 1: water.Item.Index).
type sums struct {
	sum          [water.NumItems]float64
	n            [water.NumItems]int
	notMonitored int
}

// Section is one monitoring section.
type Section struct {
	Site
	Info       monitoring.SectionRegistered
	Registered time.Time // when it entered the register: see Model.listed
	Targets    monitoring.Targets
}

// Drinking is one drinking-water source.
type Drinking struct {
	Site
	Info       monitoring.DrinkingSourceRegistered
	Registered time.Time
}

// BlackBody is one black-odorous water body.
type BlackBody struct {
	Info        monitoring.BlackOdorousRegistered
	Registered  time.Time
	inspections []inspection
}

type inspection struct {
	at       time.Time
	level    water.BlackOdorLevel
	position uint64 // the event that recorded it
}

// GroundPoint is one groundwater assessment point.
type GroundPoint struct {
	Info       monitoring.GroundwaterPointRegistered
	Registered time.Time
	Grades     map[int]monitoring.GroundwaterGrade
	graded     map[int]uint64 // the event that recorded each year's grade
}

// firstData is the start of the first year the point was graded for; zero
// if never.
func (g *GroundPoint) firstData() time.Time {
	first := 0
	for y := range g.Grades {
		if first == 0 || y < first {
			first = y
		}
	}
	if first == 0 {
		return time.Time{}
	}
	return time.Date(first, 1, 1, 0, 0, 0, 0, domain.CST)
}

func newSite(kind water.BodyKind) Site {
	return Site{Kind: kind, manual: map[monitoring.Key]provenanced{}, auto: map[month]*sums{}}
}

func monthOf(t time.Time) month {
	t = t.In(domain.CST)
	return month{t.Year(), int(t.Month())}
}

func (m *Model) keep(s monitoring.Sample) bool { return m.occurred(s.At) }

// listed reports whether a site counts in a year's figures: it entered
// the register by the end of the year (Shanxi time; as it happened, by
// Options.OccurredBy too), or it has data (samples, inspections) from that
// year or before. A section, source or body registered today with no
// history does not change the years before it; one registered when the
// ledger was set up, whose history was imported after, counts from its
// first data; one registered with an earlier ?date= counts from then.
func (m *Model) listed(registered time.Time, firstData func() time.Time, year int) bool {
	end := time.Date(year+1, 1, 1, 0, 0, 0, 0, domain.CST)
	if registered.Before(end) && m.occurred(registered) {
		return true
	}
	first := firstData()
	return !first.IsZero() && first.Before(end)
}

// hasData reports whether the site holds any sample of the year: manual,
// or a month of automatic samples, measured or not monitored.
func (s *Site) hasData(year int) bool {
	for k := range s.manual {
		if yearOf(k.At) == year {
			return true
		}
	}
	for k, a := range s.auto {
		if k.year == year && (a.notMonitored > 0 || slices.ContainsFunc(a.n[:], func(n int) bool { return n > 0 })) {
			return true
		}
	}
	return false
}

// firstData is when the site's earliest sample held was taken (for a
// month of automatic samples, the month's first day); zero if none.
func (s *Site) firstData() time.Time {
	var first time.Time
	for k := range s.manual {
		if first.IsZero() || k.At.Before(first) {
			first = k.At
		}
	}
	for k := range s.auto {
		if t := time.Date(k.year, time.Month(k.month), 1, 0, 0, 0, 0, domain.CST); first.IsZero() || t.Before(first) {
			first = t
		}
	}
	return first
}

// firstData is when the body was first inspected; zero if never.
func (b *BlackBody) firstData() time.Time {
	var first time.Time
	for _, in := range b.inspections {
		if first.IsZero() || in.at.Before(first) {
			first = in.at
		}
	}
	return first
}

// occurred reports whether something that happened at t happened by
// Options.OccurredBy.
func (m *Model) occurred(t time.Time) bool {
	return m.opts.OccurredBy.IsZero() || !t.After(m.opts.OccurredBy)
}

// Apply folds one event into the model.
func (m *Model) Apply(e events.Event) {
	m.LastEvent = e.Position
	id := string(e.Aggregate.ID)
	switch d := e.Data.(type) {
	case monitoring.SectionRegistered:
		t := monitoring.Targets{}
		for y, c := range d.Targets {
			t[y] = c
		}
		m.sections[d.ID] = &Section{Site: newSite(d.Kind), Info: d, Registered: e.OccurredAt, Targets: t}
	case monitoring.SectionTargetSet:
		if s := m.sections[monitoring.SectionID(id)]; s != nil {
			s.Targets[d.Year] = d.Class
		}
	case monitoring.DrinkingSourceRegistered:
		m.drinking[d.ID] = &Drinking{Site: newSite(d.Kind), Info: d, Registered: e.OccurredAt}
	case monitoring.BlackOdorousRegistered:
		m.black[d.ID] = &BlackBody{Info: d, Registered: e.OccurredAt}
	case monitoring.BlackOdorousInspected:
		if b := m.black[id]; b != nil && m.occurred(e.OccurredAt) {
			b.inspections = append(b.inspections, inspection{e.OccurredAt, d.Level, e.Position})
		}
	case monitoring.GroundwaterPointRegistered:
		m.ground[d.ID] = &GroundPoint{Info: d, Registered: e.OccurredAt, Grades: map[int]monitoring.GroundwaterGrade{}, graded: map[int]uint64{}}
	case monitoring.GroundwaterGraded:
		if g := m.ground[id]; g != nil && m.occurred(e.OccurredAt) {
			g.Grades[d.Year], g.graded[d.Year] = d.Grade, e.Position
		}
	case monitoring.SamplesRecorded, monitoring.SourceSamplesRecorded:
		smp, _ := monitoring.RecordedSamples(d)
		m.addSamples(e, smp)
	case monitoring.SampleCorrected:
		if site := m.site(e.Aggregate); site != nil && m.keep(d.Sample) {
			if !d.Reinstated { // a withdrawn sample was taken out already
				site.remove(d.Previous)
			}
			site.add(d.Sample, e)
		}
	case monitoring.SampleInvalidated:
		if site := m.site(e.Aggregate); site != nil && m.keep(d.Previous) {
			site.remove(d.Previous)
		}
	}
}

// addSamples folds a batch: manual samples are kept whole, automatic ones
// added to their month's sums column by column, in the order of the
// samples (so each sum adds up in time order, as corrections' do).
func (m *Model) addSamples(e events.Event, smp monitoring.Samples) {
	site := m.site(e.Aggregate)
	if site == nil {
		return
	}
	by := int64(math.MaxInt64)
	if !m.opts.OccurredBy.IsZero() {
		by = m.opts.OccurredBy.UnixNano()
	}
	var buf [16]span
	spans := buf[:0]
	var cur *sums
	var lo, hi int64
	eventID := ""
	for i := range smp.Len() {
		at := smp.UnixNano(i)
		if at > by {
			continue
		}
		if smp.Source(i) == monitoring.Manual {
			if eventID == "" {
				eventID = e.ID.String()
			}
			sm := smp.Row(i)
			site.manual[sm.Key()] = provenanced{sample: sm, position: e.Position, eventID: eventID}
			continue
		}
		if cur == nil || at < lo || at >= hi {
			cur, lo, hi = site.month(at)
		}
		if !smp.Measured(i) {
			cur.notMonitored++
			continue
		}
		if n := len(spans); n > 0 && spans[n-1].a == cur && spans[n-1].to == i {
			spans[n-1].to++
		} else {
			spans = append(spans, span{cur, i, i + 1})
		}
	}
	for _, c := range smp.Columns() {
		j := c.Index
		for _, sp := range spans {
			sum, n := sp.a.sum[j], sp.a.n[j]
			if c.BelowDL == nil { // most columns: nothing below a detection limit
				for _, v := range c.Values[sp.from:sp.to] {
					if v == v { // not NaN: the sample has a value of the item
						sum += v
						n++
					}
				}
			} else {
				for i, v := range c.Values[sp.from:sp.to] {
					if v != v {
						continue
					}
					if c.BelowDL[sp.from+i] {
						v = water.BelowDetection(v)
					}
					sum += v
					n++
				}
			}
			sp.a.sum[j], sp.a.n[j] = sum, n
		}
	}
}

// month returns the sums of the month (Shanxi time) of a time in Unix
// nanoseconds, and the month's bounds.
func (s *Site) month(at int64) (a *sums, lo, hi int64) {
	t := time.Unix(0, at).In(domain.CST)
	k := month{t.Year(), int(t.Month())}
	first := time.Date(k.year, time.Month(k.month), 1, 0, 0, 0, 0, domain.CST)
	if a = s.auto[k]; a == nil {
		a = &sums{}
		s.auto[k] = a
	}
	return a, first.UnixNano(), first.AddDate(0, 1, 0).UnixNano()
}

// Aggregate types whose samples the model reads.
const (
	SectionType  events.AggregateType = "section"
	DrinkingType events.AggregateType = "drinking_source"
)

func (m *Model) site(a events.Aggregate) *Site {
	switch a.Type {
	case SectionType:
		if s := m.sections[monitoring.SectionID(a.ID)]; s != nil {
			return &s.Site
		}
	case DrinkingType:
		if d := m.drinking[string(a.ID)]; d != nil {
			return &d.Site
		}
	}
	return nil
}

func (s *Site) add(sm monitoring.Sample, e events.Event) {
	if sm.Source == monitoring.Manual {
		s.manual[sm.Key()] = provenanced{sample: sm, position: e.Position, eventID: e.ID.String()}
		return
	}
	s.fold(sm, +1)
}

func (s *Site) remove(sm monitoring.Sample) {
	if sm.Source == monitoring.Manual {
		delete(s.manual, sm.Key())
		return
	}
	s.fold(sm, -1)
}

func (s *Site) fold(sm monitoring.Sample, sign int) {
	a, _, _ := s.month(sm.At.UnixNano())
	if sm.Status != monitoring.Measured {
		a.notMonitored += sign
		return
	}
	for it, v := range sm.Effective() {
		if j, ok := it.Index(); ok {
			a.sum[j] += float64(sign) * v
			a.n[j] += sign
		}
	}
}

// Evidence is a sample behind a figure: where it is in the log.
type Evidence struct {
	At       time.Time         `json:"at"`
	Position uint64            `json:"position"`
	EventID  string            `json:"event_id"`
	Status   monitoring.Status `json:"status,omitempty"`
}

// SectionYear is a section's assessment for a year.
type SectionYear struct {
	Section      monitoring.SectionID `json:"section"`
	Name         string               `json:"name"`
	City         domain.CityID        `json:"city"`
	Basin        domain.Basin         `json:"basin"`
	Year         int                  `json:"year"`
	Samples      int                  `json:"samples"` // manual samples with values
	Months       int                  `json:"months"`  // months with such a sample: the norm (12, or 8 ice-bound) counts these
	NotMonitored int                  `json:"not_monitored"`
	Enough       bool                 `json:"enough"` // enough samples, with a class
	// Unclassed is set when there were enough samples but none of an item
	// that counts toward the class (fecal coliform alone, say): no class.
	Unclassed bool        `json:"unclassed,omitempty"`
	Class     water.Class `json:"class"` // 0 when not Enough
	// NoData is set, in a city's figures, when the section has no sample
	// at all in the year (manual or automatic, measured or not): it then
	// counts as worse than V in the city's share rule.
	NoData bool `json:"no_data,omitempty"`
	// Partial is the class of the samples' means when there were too few
	// (water.AnnualResult.Partial): used only against the city.
	Partial        water.Class        `json:"partial_class,omitempty"`
	Target         water.Class        `json:"target"`
	Met            bool               `json:"met"`
	Means          water.Values       `json:"means,omitempty"`
	MainPollutants []water.Exceedance `json:"main_pollutants,omitempty"`
	// Uncounted is the class of the items evaluated apart from Class: TN
	// of a lake or reservoir, fecal coliform.
	Uncounted map[water.Item]water.Class `json:"uncounted,omitempty"`
	Evidence  []Evidence                 `json:"evidence"`
}

func yearOf(t time.Time) int { return t.In(domain.CST).Year() }

// annual assesses a site's manual samples of a year.
func (s *Site) annual(year, minSamples int) (water.AnnualResult, []Evidence, int, error) {
	var vals []water.Values
	var months []int
	var ev []Evidence
	notMonitored := 0
	keys := make([]monitoring.Key, 0, 16)
	for k := range s.manual {
		if yearOf(k.At) == year {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].At.Before(keys[j].At) })
	for _, k := range keys {
		p := s.manual[k]
		ev = append(ev, Evidence{At: k.At, Position: p.position, EventID: p.eventID, Status: p.sample.Status})
		if p.sample.Status != monitoring.Measured {
			notMonitored++
			continue
		}
		vals = append(vals, p.sample.Effective())
		months = append(months, int(k.At.In(domain.CST).Month()))
	}
	res, err := water.Annual(water.AnnualInput{Kind: s.Kind, Samples: vals, MinSamples: minSamples, Months: months})
	return res, ev, notMonitored, err
}

// SectionYear assesses one section for a year.
func (m *Model) SectionYear(id monitoring.SectionID, year int) (SectionYear, bool) {
	s := m.sections[id]
	if s == nil {
		return SectionYear{}, false
	}
	minSamples := m.opts.MinSamples
	if s.Info.MinSamples > 0 {
		minSamples = min(s.Info.MinSamples, 12) // months; registrations before months were counted could ask for more
	}
	res, ev, nm, err := s.annual(year, minSamples)
	assessed := res.Enough && err == nil
	out := SectionYear{
		Section: id, Name: s.Info.Name, City: s.Info.City, Basin: s.Info.Basin, Year: year,
		// Enough samples with no counted item among them (only TN, say)
		// give no class: not assessable, never a guess.
		Samples: res.Samples, Months: res.Months, NotMonitored: nm, Enough: assessed && res.Class != 0,
		Unclassed: assessed && res.Class == 0, Target: s.Targets[year], Evidence: ev,
	}
	if out.Enough {
		out.Class, out.Means, out.MainPollutants, out.Uncounted = res.Class, res.Means, res.MainPollutants, res.Uncounted
		out.Met = out.Target != 0 && out.Class.Meets(out.Target)
	} else if err == nil {
		out.Partial = res.Partial
	}
	return out, true
}

// WorseThanV reports whether the section counts as worse than class V in
// the year's shares: classed so, or, with too few samples, with samples
// whose means are. Missing data never counts in a city's favour: a
// section short of samples has missed its target and is not at III or
// better, and withdrawing a sample must not take it out of the count of
// sections worse than V.
func (sy SectionYear) WorseThanV() bool {
	return sy.Class == water.WorseThanV || (!sy.Enough && sy.Partial == water.WorseThanV)
}

// Years lists, in order, the years in which any section or drinking
// source has a sample.
func (m *Model) Years() []int {
	seen := map[int]bool{}
	add := func(s *Site) {
		for k := range s.manual {
			seen[yearOf(k.At)] = true
		}
		for k := range s.auto {
			seen[k.year] = true
		}
	}
	for _, s := range m.sections {
		add(&s.Site)
	}
	for _, d := range m.drinking {
		add(&d.Site)
	}
	out := slices.Sorted(maps.Keys(seen))
	if out == nil {
		out = []int{}
	}
	return out
}

// Assessable reports whether any assessed section listed in a year has a
// target for it and data enough for a class: without one there is nothing
// to assess, and a city's score would be made of missing data alone.
func (m *Model) Assessable(year int) bool {
	for id, s := range m.sections {
		if !s.Info.Assessed || s.Targets[year] == 0 || !m.listed(s.Registered, s.firstData, year) {
			continue
		}
		if sy, _ := m.SectionYear(id, year); sy.Enough {
			return true
		}
	}
	return false
}

// Section returns a registered section.
func (m *Model) Section(id monitoring.SectionID) (monitoring.SectionRegistered, bool) {
	s := m.sections[id]
	if s == nil {
		return monitoring.SectionRegistered{}, false
	}
	return s.Info, true
}

// Site reports whether a site a station may record at has this id: a
// registered section or drinking-water source (samples), black-odorous
// body (inspections) or groundwater point (grades).
func (m *Model) Site(id monitoring.SectionID) bool {
	_, section := m.sections[id]
	_, drinking := m.drinking[string(id)]
	_, black := m.black[string(id)]
	_, ground := m.ground[string(id)]
	return section || drinking || black || ground
}

// Sections lists the registered sections in id order.
func (m *Model) Sections() []monitoring.SectionRegistered {
	out := make([]monitoring.SectionRegistered, 0, len(m.sections))
	for _, s := range m.sections {
		out = append(out, s.Info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// MonthClass is a section's class for one month: from the month's manual
// sample if there is one, else from the mean of its automatic samples.
type MonthClass struct {
	Year    int               `json:"year"`
	Month   int               `json:"month"`
	Class   water.Class       `json:"class"`
	Source  monitoring.Source `json:"source"` // which samples gave it; "" when none
	Samples int               `json:"samples"`
	// NotMonitored counts the month's samples recorded as not monitored
	// (ice, dry, equipment fault): a month without a class and with these
	// was not sampled for a reason, not missing.
	NotMonitored int `json:"not_monitored"`
}

// Months gives a section's class for each month of a year.
func (m *Model) Months(id monitoring.SectionID, year int) []MonthClass {
	s := m.sections[id]
	if s == nil {
		return nil
	}
	out := make([]MonthClass, 12)
	for i := range out {
		out[i] = MonthClass{Year: year, Month: i + 1}
	}
	// A month with several manual samples is classed by their means, item
	// by item (summed in time order), as automatic samples are: never by
	// whichever sample a map happens to give last.
	type acc struct {
		sum     map[water.Item]float64
		n       map[water.Item]int
		samples int
	}
	var manual [12]acc
	keys := make([]monitoring.Key, 0, 16)
	for k, p := range s.manual {
		if mo := monthOf(k.At); mo.year == year {
			if p.sample.Status != monitoring.Measured {
				out[mo.month-1].NotMonitored++
				continue
			}
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].At.Before(keys[j].At) })
	for _, k := range keys {
		a := &manual[monthOf(k.At).month-1]
		if a.sum == nil {
			a.sum, a.n = map[water.Item]float64{}, map[water.Item]int{}
		}
		for it, v := range s.manual[k].sample.Effective() {
			a.sum[it] += v
			a.n[it]++
		}
		a.samples++
	}
	for i, a := range manual {
		if a.samples == 0 {
			continue
		}
		means := water.Values{}
		for it, n := range a.n {
			means[it] = a.sum[it] / float64(n)
		}
		if r, err := water.ClassifySample(s.Kind, means); err == nil {
			out[i].Class, out[i].Source, out[i].Samples = r.Class, monitoring.Manual, a.samples
		}
	}
	for mo, a := range s.auto {
		if mo.year != year {
			continue
		}
		out[mo.month-1].NotMonitored += a.notMonitored
		if out[mo.month-1].Source == monitoring.Manual {
			continue
		}
		means := water.Values{}
		samples := 0
		for j, n := range a.n {
			if n > 0 {
				means[water.ItemAt(j)] = a.sum[j] / float64(n)
				samples = max(samples, n)
			}
		}
		if len(means) == 0 {
			continue
		}
		if r, err := water.ClassifySample(s.Kind, means); err == nil {
			out[mo.month-1].Class, out[mo.month-1].Source, out[mo.month-1].Samples = r.Class, monitoring.Auto, samples
		}
	}
	return out
}

// BasinYear is a basin's shares for a year against the plan's targets.
type BasinYear struct {
	Basin        domain.Basin           `json:"basin"`
	Year         int                    `json:"year"`
	Sections     int                    `json:"sections"` // assessed sections registered
	AtLeastIII   int                    `json:"at_least_iii"`
	WorseThanV   int                    `json:"worse_than_v"`
	Insufficient int                    `json:"insufficient"` // too few samples to classify
	ShareIII     monitoring.Fraction    `json:"share_iii"`
	ShareWorse   monitoring.Fraction    `json:"share_worse"`
	Target       monitoring.BasinTarget `json:"target"`
	HasTarget    bool                   `json:"has_target"`
	// Determined says whether the targets could be judged: some section
	// had data enough for a class. When not, MetIII and MetWorse are false
	// for want of data, not because a target was missed.
	Determined bool `json:"determined"`
	MetIII     bool `json:"met_iii"`
	MetWorse   bool `json:"met_worse"`
}

// Basin assesses a basin's assessed sections for a year.
func (m *Model) Basin(b domain.Basin, year int) BasinYear {
	out := BasinYear{Basin: b, Year: year}
	for _, s := range m.sections {
		if s.Info.Basin != b || !s.Info.Assessed || !m.listed(s.Registered, s.firstData, year) {
			continue
		}
		out.Sections++
		sy, _ := m.SectionYear(s.Info.ID, year)
		switch {
		case !sy.Enough:
			out.Insufficient++
		case sy.Class.Meets(water.ClassIII):
			out.AtLeastIII++
		}
		if sy.WorseThanV() {
			out.WorseThanV++
		}
	}
	out.ShareIII = monitoring.Fraction{Num: out.AtLeastIII, Den: out.Sections}
	out.ShareWorse = monitoring.Fraction{Num: out.WorseThanV, Den: out.Sections}
	out.Target, out.HasTarget = monitoring.PlanTargets[b][year]
	if out.Determined = out.Sections > out.Insufficient; out.HasTarget && out.Determined { // no target is met by a basin with nothing classed
		out.MetIII = out.ShareIII.AtLeast(out.Target.AtLeastIII)
		out.MetWorse = out.ShareWorse.AtMost(out.Target.WorseThanV)
	}
	return out
}

// CityYear is a city's water-quality compliance for a year.
type CityYear struct {
	City                 domain.CityID       `json:"city"`
	Year                 int                 `json:"year"`
	Sections             int                 `json:"sections"`
	SectionsMet          int                 `json:"sections_met"`
	SectionsInsufficient int                 `json:"sections_insufficient"`
	SectionShare         monitoring.Fraction `json:"section_share"`
	// The city's share targets, from its sections' targets, and how it
	// stands: a share of the same sections, so counts compare.
	AtLeastIIIRequired  int           `json:"at_least_iii_required"` // sections whose target is III or better
	AtLeastIIIActual    int           `json:"at_least_iii_actual"`   // sections at III or better, whatever their target
	WorseThanVAllowed   int           `json:"worse_than_v_allowed"`  // sections whose target is 劣V
	WorseThanV          int           `json:"worse_than_v"`          // sections worse than V
	Drinking            int           `json:"drinking"`
	DrinkingMet         int           `json:"drinking_met"`       // at its target, and at class III or better
	DrinkingUnsampled   int           `json:"drinking_unsampled"` // of those not met, with no sample in the year
	BlackOdorous        int           `json:"black_odorous"`
	BlackEliminated     int           `json:"black_eliminated"`
	BlackUninspected    int           `json:"black_odorous_uninspected"` // not inspected in the year: not eliminated
	Groundwater         int           `json:"groundwater"`
	GroundwaterVeryPoor int           `json:"groundwater_very_poor"` // graded 极差, or not graded for the year
	GroundwaterUngraded int           `json:"groundwater_ungraded"`  // of those, not graded for the year
	Details             []SectionYear `json:"details"`
	// The other sites behind the figures, each with its outcome and the
	// events it rests on, so that every figure can be traced.
	DrinkingDetails []SiteYear `json:"drinking_details"`
	BlackDetails    []SiteYear `json:"black_odorous_details"`
	GroundDetails   []SiteYear `json:"groundwater_details"`
}

// SiteYear is how a drinking source, black-odorous body or groundwater
// point stood in a city's year.
type SiteYear struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Met       bool     `json:"met"`     // at its target and III or better; eliminated; not 极差
	Outcome   string   `json:"outcome"` // in English, e.g. "class II, target III: met"
	Positions []uint64 `json:"positions"`
}

// City assesses a city for a year.
func (m *Model) City(c domain.CityID, year int) CityYear {
	out := CityYear{City: c, Year: year}
	ids := make([]monitoring.SectionID, 0, 16)
	for id, s := range m.sections {
		if s.Info.City == c && s.Info.Assessed && m.listed(s.Registered, s.firstData, year) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids) // the details in the order of Sections
	for _, id := range ids {
		sy, _ := m.SectionYear(id, year)
		out.Sections++
		if !sy.Enough {
			out.SectionsInsufficient++
		} else if sy.Met {
			out.SectionsMet++
		}
		if sy.Target != 0 && sy.Target <= water.ClassIII {
			out.AtLeastIIIRequired++
		}
		if sy.Enough && sy.Class.Meets(water.ClassIII) {
			out.AtLeastIIIActual++
		}
		if sy.Target == water.WorseThanV {
			out.WorseThanVAllowed++
		}
		// A section with no data at all in the year counts against the
		// city as worse than V too: not uploading it, or withdrawing all
		// of it, must not take the city out of the rule. (The basin's
		// figures report what was measured.)
		if sy.NoData = !m.sections[id].hasData(year); sy.WorseThanV() || sy.NoData {
			out.WorseThanV++
		}
		out.Details = append(out.Details, sy)
	}
	out.SectionShare = monitoring.Fraction{Num: out.SectionsMet, Den: out.Sections}
	out.DrinkingDetails, out.BlackDetails, out.GroundDetails = []SiteYear{}, []SiteYear{}, []SiteYear{}
	for _, d := range m.drinking {
		if d.Info.City != c || !m.listed(d.Registered, d.firstData, year) {
			continue
		}
		out.Drinking++
		res, ev, _, err := d.annual(year, m.opts.MinSamples)
		want := min(d.Info.Target, water.ClassIII)
		sy := SiteYear{ID: d.Info.ID, Name: d.Info.Name, Positions: []uint64{}}
		for _, e := range ev {
			sy.Positions = append(sy.Positions, e.Position)
		}
		switch {
		case !d.hasData(year):
			// Like a section without data: a source left unsampled
			// misses its target, and the publish guard names it.
			sy.Outcome = "no sample in the year: counted as missed"
			out.DrinkingUnsampled++
		case err != nil || !res.Enough:
			sy.Outcome = fmt.Sprintf("too few months sampled (%d samples in %d months): missed", res.Samples, res.Months)
		default:
			sy.Met = res.Class.Meets(want)
			sy.Outcome = fmt.Sprintf("%s, target %s and III or better: %s", res.Class.Phrase(), d.Info.Target.English(), metText(sy.Met))
		}
		if sy.Met {
			out.DrinkingMet++
		}
		out.DrinkingDetails = append(out.DrinkingDetails, sy)
	}
	for _, b := range m.black {
		if b.Info.City != c || !m.listed(b.Registered, b.firstData, year) {
			continue
		}
		out.BlackOdorous++
		sy, inspected := b.yearOutcome(year)
		if sy.Met {
			out.BlackEliminated++
		}
		if !inspected {
			out.BlackUninspected++
		}
		out.BlackDetails = append(out.BlackDetails, sy)
	}
	for _, g := range m.ground {
		if g.Info.City != c || !m.listed(g.Registered, g.firstData, year) {
			continue
		}
		out.Groundwater++
		grade, ok := g.Grades[year]
		sy := SiteYear{ID: g.Info.ID, Name: g.Info.Name, Met: ok && grade != 5, Positions: []uint64{}}
		switch {
		case !ok:
			// Like a section without data: a point left ungraded must not
			// take itself out of the share of very poor points.
			sy.Outcome = "not graded for the year: counted as very poor"
			out.GroundwaterUngraded++
		default:
			sy.Outcome, sy.Positions = fmt.Sprintf("graded %d", grade), []uint64{g.graded[year]}
			if grade == 5 {
				sy.Outcome += " (极差, very poor)"
			}
		}
		if !sy.Met {
			out.GroundwaterVeryPoor++
		}
		out.GroundDetails = append(out.GroundDetails, sy)
	}
	for _, ds := range [][]SiteYear{out.DrinkingDetails, out.BlackDetails, out.GroundDetails} {
		slices.SortFunc(ds, func(a, b SiteYear) int { return cmp.Compare(a.ID, b.ID) })
	}
	return out
}

func metText(met bool) string {
	if met {
		return "met"
	}
	return "missed"
}

// yearOutcome is the body's standing in a year, with the inspections it
// rests on, and whether it was inspected during the year. It counts as
// eliminated when its points stayed out of both black-odorous bands
// (DOMAIN §4) through the year: it was inspected during the year, and no
// inspection of the year found it in a band. Missing data never counts in
// a city's favour: a body not inspected in the year is not eliminated that
// year, whatever its last inspection before it found (its evidence names
// that inspection). A body clean in December after a black-odorous June is
// not eliminated that year, and is the next year if inspected clean then.
func (b *BlackBody) yearOutcome(year int) (sy SiteYear, inspected bool) {
	sy = SiteYear{ID: b.Info.ID, Name: b.Info.Name, Positions: []uint64{}}
	from := time.Date(year, 1, 1, 0, 0, 0, 0, domain.CST)
	to := from.AddDate(1, 0, 0)
	var last *inspection
	black := 0
	for i := range b.inspections {
		in := &b.inspections[i]
		if !in.at.Before(to) {
			continue
		}
		if !in.at.Before(from) {
			sy.Positions = append(sy.Positions, in.position)
			if in.level != water.NotBlackOdor {
				black++
			}
		}
		if last == nil || !in.at.Before(last.at) {
			last = in
		}
	}
	inspected = len(sy.Positions) > 0
	sy.Met = inspected && black == 0
	switch {
	case last == nil:
		sy.Outcome = "not inspected yet: not eliminated"
	case !inspected:
		sy.Positions = append(sy.Positions, last.position)
		sy.Outcome = fmt.Sprintf("not inspected in the year (last inspected %s, level %d): counted as not eliminated", last.at.In(domain.CST).Format("2006-01-02"), last.level)
	default:
		sy.Outcome = fmt.Sprintf("%d inspections in the year, %d in a black-odorous band; the last on %s, level %d: %s",
			len(sy.Positions), black, last.at.In(domain.CST).Format("2006-01-02"), last.level, map[bool]string{true: "eliminated", false: "not eliminated"}[sy.Met])
	}
	return sy, inspected
}
