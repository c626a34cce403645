package app

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/monitoring"
	"github.com/shanxi-water/ledger/domain/water"
	"github.com/shanxi-water/ledger/events"
)

// Aggregate types of the water-quality registers.
const (
	SectionType          events.AggregateType = "section"
	DrinkingSourceType   events.AggregateType = "drinking_source"
	GroundwaterPointType events.AggregateType = "groundwater_point"
	BlackOdorousType     events.AggregateType = "black_odorous"
	ControlUnitType      events.AggregateType = "control_unit"
)

// SectionAggregate is the aggregate of a section registered in a city.
func SectionAggregate(city domain.CityID, id monitoring.SectionID) events.Aggregate {
	return events.Aggregate{Scope: domain.CityScope(city), Type: SectionType, ID: events.AggregateID(id)}
}

// Registration is one register entry to create: its aggregate and payload.
type Registration struct {
	Aggregate events.Aggregate
	Data      any
}

// Register creates register entries (sections, sources, points, bodies,
// units), each a new aggregate, in one atomic append of at most
// events.Store's batch limit; it fails with a conflict if any exists.
func Register(ctx context.Context, s events.Store, actor domain.Actor, at time.Time, regs ...Registration) ([]events.Event, error) {
	changes := make([]events.Change, len(regs))
	for i, r := range regs {
		changes[i] = events.Change{Aggregate: r.Aggregate, Expect: events.NoEvents,
			Events: []events.Draft{{OccurredAt: at, Actor: actor, Data: r.Data}}}
	}
	evs, err := s.Append(ctx, changes...)
	var ce *events.ConflictError
	if errors.As(err, &ce) && ce.Expected == events.NoEvents {
		// Said as the register says it, not as the log's version check.
		return nil, domain.E("register", domain.Conflict, "id", fmt.Errorf("%s %s (%s) is registered already: record changes on its entry instead: %w", ce.Aggregate.Type, ce.Aggregate.ID, ce.Aggregate.Scope, ce))
	}
	return evs, err
}

// SectionRegistration is the registration of a section.
func SectionRegistration(r monitoring.SectionRegistered) Registration {
	return Registration{SectionAggregate(r.City, r.ID), r}
}

// DrinkingSourceRegistration is the registration of a drinking-water
// source; its samples are uploaded like a section's, by its id.
func DrinkingSourceRegistration(r monitoring.DrinkingSourceRegistered) Registration {
	return Registration{events.Aggregate{Scope: domain.CityScope(r.City), Type: DrinkingSourceType, ID: events.AggregateID(r.ID)}, r}
}

// GroundwaterPointRegistration is the registration of a groundwater point.
func GroundwaterPointRegistration(r monitoring.GroundwaterPointRegistered) Registration {
	return Registration{events.Aggregate{Scope: domain.CityScope(r.City), Type: GroundwaterPointType, ID: events.AggregateID(r.ID)}, r}
}

// BlackOdorousRegistration is the registration of a black-odorous body.
func BlackOdorousRegistration(r monitoring.BlackOdorousRegistered) Registration {
	return Registration{events.Aggregate{Scope: domain.CityScope(r.City), Type: BlackOdorousType, ID: events.AggregateID(r.ID)}, r}
}

// ControlUnitRegistration is the registration of a control unit.
func ControlUnitRegistration(r monitoring.ControlUnitRegistered) Registration {
	return Registration{events.Aggregate{Scope: domain.CityScope(r.City), Type: ControlUnitType, ID: events.AggregateID(r.ID)}, r}
}

// Record appends one event to an existing register entry (a black-odorous
// body's inspection, a groundwater point's yearly grade), after whatever it
// holds.
func Record(ctx context.Context, s events.Store, actor domain.Actor, at time.Time, agg events.Aggregate, data any) (events.Event, error) {
	evs, err := s.Load(ctx, agg)
	if err != nil {
		return events.Event{}, err
	}
	if len(evs) == 0 {
		return events.Event{}, domain.Errorf("record", domain.NotFound, "aggregate", "%s is not registered", agg)
	}
	if err := repeats(agg, evs, data); err != nil {
		return events.Event{}, err
	}
	out, err := s.Append(ctx, events.Change{Aggregate: agg, Expect: events.ExpectedVersion(evs[len(evs)-1].Version),
		Events: []events.Draft{{OccurredAt: at, Actor: actor, Data: data}}})
	if err != nil {
		return events.Event{}, err
	}
	return out[0], nil
}

// SetSectionTarget records a section's target class for a year; the same
// target again (a retried request) is a Conflict and stores nothing.
func SetSectionTarget(ctx context.Context, s events.Store, actor domain.Actor, at time.Time, agg events.Aggregate, t monitoring.SectionTargetSet) (events.Event, error) {
	if err := t.Validate(); err != nil {
		return events.Event{}, err
	}
	return Record(ctx, s, actor, at, agg, t)
}

// repeats refuses, on an entry holding evs, a record that only says again
// what stands (a retried request): the year's grade of a groundwater point
// as it is (an earlier grade given back corrects a later one), or a
// section's target for a year as it is. The append then expects the
// entry's version as read here, so two such requests at once store one.
func repeats(agg events.Aggregate, evs []events.Event, data any) error {
	switch d := data.(type) {
	case monitoring.GroundwaterGraded:
		var current *events.Event
		for i, e := range evs {
			if prev, ok := e.Data.(monitoring.GroundwaterGraded); ok && prev.Year == d.Year {
				current = &evs[i]
			}
		}
		if current != nil && current.Data.(monitoring.GroundwaterGraded) == d {
			return domain.Errorf("groundwater_point.graded", domain.Conflict, "grade", "%s is graded %d for %d already (position %d); a different grade corrects it", agg.ID, d.Grade, d.Year, current.Position)
		}
	case monitoring.SectionTargetSet:
		var current water.Class
		for _, e := range evs {
			switch prev := e.Data.(type) {
			case monitoring.SectionRegistered:
				current = prev.Targets[d.Year]
			case monitoring.SectionTargetSet:
				if prev.Year == d.Year {
					current = prev.Class
				}
			}
		}
		if current == d.Class {
			return domain.Errorf("section.target_set", domain.Conflict, "class", "%s's target for %d is %s already", agg.ID, d.Year, d.Class)
		}
	}
	return nil
}

// ImportOptions shape an upload.
type ImportOptions struct {
	File    string    // name of the uploaded file, recorded with the samples
	Partial bool      // store the good rows and reject the bad ones, instead of rejecting the file
	Rejects io.Writer // where the bad rows go as CSV with an "error" column (with Partial)
	Now     time.Time // for "not in the future"; time.Now if zero
	// Allowed, if set, names the sections the uploader may record samples
	// for (a station's own); a row for any other section is an error of its
	// line, and forbids the upload whole, Partial or not.
	Allowed func(monitoring.SectionID) bool
	// Index, if set, remembers what earlier uploads found stored, so this
	// one reads only the events since (a server keeps one for all uploads).
	Index *SampleIndex
	// Size, if known (a file's, a request's Content-Length), is the
	// upload's length: it is then read into one buffer of that size.
	Size int64
}

// ImportResult says what an upload did.
type ImportResult struct {
	File          string                `json:"file"`
	SHA256        string                `json:"sha256"`
	Rows          int                   `json:"rows"`                      // data lines read
	Stored        int                   `json:"stored"`                    // samples stored now
	AlreadyStored int                   `json:"already_stored"`            // identical samples stored before: skipped
	Encoding      string                `json:"encoding"`                  // the file's text encoding: UTF-8, UTF-16 or GB18030
	Ignored       []string              `json:"ignored_columns,omitempty"` // columns read and not stored (parameters GB 3838 does not assess)
	Withdrawn     int                   `json:"withdrawn"`                 // samples withdrawn from assessment before: skipped (a correction brings one back)
	Rejected      []monitoring.RowError `json:"rejected"`                  // errors of the bad rows (with Partial; otherwise the error lists them)
	RejectedRows  int                   `json:"rejected_rows"`             // lines with at least one of them
	Events        int                   `json:"events"`
	FirstPosition uint64                `json:"first_position,omitempty"`
	LastPosition  uint64                `json:"last_position,omitempty"`
}

// ImportError rejects an upload: every bad row, by line, column and reason
// (the first monitoring.MaxRowErrors, and how many more).
type ImportError struct {
	Errors  []monitoring.RowError
	Omitted int
	// Refused names the sections the uploader may not upload samples for
	// (another station's), whose rows refuse the upload whole, partial or
	// not (ImportOptions.Allowed): the error is then Forbidden, and its
	// summary says so.
	Refused []monitoring.SectionID
}

// Summary is what the error says before its list of rows (in Chinese
// through monitoring.ReasonZh, as the rows' reasons).
func (e *ImportError) Summary() string {
	// Rows and errors counted as a partial upload's result counts them
	// (a row can have several errors); a header's errors are its own.
	switch {
	case len(e.Refused) > 0:
		rows := domain.Count(rejectedLines(e.Errors), "row")
		if e.Omitted > 0 {
			rows = "at least " + rows
		}
		return fmt.Sprintf("%s rejected (%s), nothing stored: this station's token may not upload samples for %s",
			rows, domain.Count(len(e.Errors)+e.Omitted, "error"), sectionList(e.Refused))
	case len(e.Errors) > 0 && e.Errors[0].Line == 1:
		return fmt.Sprintf("the header (line 1) rejected (%s), nothing stored", domain.Count(len(e.Errors), "error"))
	case e.Omitted > 0:
		return fmt.Sprintf("at least %s rejected (%s), nothing stored: more than %d errors (%d more not listed): the file has a fault of its own; fix the first and send it again",
			domain.Count(rejectedLines(e.Errors), "row"), domain.Count(len(e.Errors)+e.Omitted, "error"), monitoring.MaxRowErrors, e.Omitted)
	}
	return fmt.Sprintf("%s rejected (%s), nothing stored", domain.Count(rejectedLines(e.Errors), "row"), domain.Count(len(e.Errors), "error"))
}

// sectionList names the first five sections, and how many more.
func sectionList(ids []monitoring.SectionID) string {
	const most = 5
	names := make([]string, 0, most)
	for _, id := range ids[:min(len(ids), most)] {
		names = append(names, string(id))
	}
	list := strings.Join(names, ", ")
	if len(ids) > most {
		list += fmt.Sprintf(" and %d more", len(ids)-most)
	}
	return list
}

// SummaryZh is Summary in Chinese (the API's message_zh of the error).
func (e *ImportError) SummaryZh() string { return monitoring.ReasonZh(e.Summary()) }

func (e *ImportError) Error() string { return e.text(false) }

// Bilingual is Error with the Chinese under the summary and under each
// row's error, for the stations' staff at a terminal (ledger import).
func (e *ImportError) Bilingual() string { return e.text(true) }

// text is the summary and the first 20 rows' errors, each followed by its
// Chinese (where it has one) if zh.
func (e *ImportError) text(zh bool) string {
	var b strings.Builder
	// line writes en, and its Chinese on the next line, indented more.
	line := func(indent, en, chinese string) {
		b.WriteString(en)
		if zh && chinese != "" {
			b.WriteString("\n" + indent + chinese)
		}
	}
	sumZh := e.SummaryZh()
	if sumZh != "" {
		sumZh += "："
	}
	line("  ", e.Summary()+":", sumZh)
	for i, r := range e.Errors {
		if i == 20 {
			more := len(e.Errors) - 20
			line("    ", fmt.Sprintf("\n  … and %d more", more), fmt.Sprintf("……另有 %d 处错误", more))
			break
		}
		line("    ", "\n  "+r.Error(), r.ErrorZh())
	}
	return b.String()
}

// importChecked, if set (by tests), is called when an upload's rows have
// been checked against the index, before they are stored.
var importChecked func()

// importRetries is how often an upload is re-checked and retried when a
// section moved on while it was being checked.
const importRetries = 3

// ImportSamples reads a station's CSV upload, validates every row, and
// stores the samples of each section as one section.samples_recorded event,
// all sections in one atomic append: all of the file or nothing. Rows
// already stored with the same values are skipped, so importing the same
// file again stores nothing new; a row whose section, time and source are
// stored with other values is an error (that needs a correction).
func ImportSamples(ctx context.Context, s events.Store, actor domain.Actor, r io.Reader, opts ImportOptions) (*ImportResult, error) {
	const op = "import"
	if err := domain.CheckText(opts.File, 255); err != nil {
		return nil, domain.E(op, domain.Invalid, "file", fmt.Errorf("the file's name %q: %v", opts.File, err))
	}
	raw, err := readUpload(io.LimitReader(r, monitoring.MaxUploadBytes+1), opts.Size)
	if err != nil {
		return nil, domain.E(op, domain.Invalid, "file", err)
	}
	if len(raw) > monitoring.MaxUploadBytes {
		// Never a part of it: a file cut at the limit would end in a
		// value cut short (0.19 read as 0.1).
		return nil, domain.Errorf(op, domain.Invalid, "file", "larger than %d MB: split the upload (by quarter, or by section); nothing stored", monitoring.MaxUploadBytes>>20)
	}
	sum := sha256.Sum256(raw)
	res := &ImportResult{File: opts.File, SHA256: hex.EncodeToString(sum[:])}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	for attempt := 0; ; attempt++ {
		state, err := loadSections(ctx, s, opts.Index)
		if err != nil {
			return nil, err
		}
		parsed, err := monitoring.ParseCSV(bytes.NewReader(raw), state.known, now)
		if err != nil {
			return nil, err
		}
		res.Rows, res.Encoding, res.Ignored = parsed.LineCount(), parsed.Encoding, parsed.Ignored
		refused := refuseOthers(parsed, opts.Allowed)
		if err := state.loadSamples(ctx, s, parsed.Rows); err != nil {
			return nil, err
		}
		rows, rejected := state.dedupe(parsed, res)
		if importChecked != nil {
			importChecked()
		}
		res.Rejected, res.RejectedRows = rejected, rejectedLines(rejected)
		// Refused whole: with rows for sections not the uploader's (every
		// error listed, as any row's), without Partial, with an error in
		// the header (without which no row reads), or with too many errors
		// to list.
		if len(refused) > 0 {
			return nil, domain.E(op, domain.Forbidden, "file", &ImportError{Errors: rejected, Omitted: parsed.Omitted, Refused: refused})
		}
		if len(rejected) > 0 && (!opts.Partial || rejected[0].Line == 1 || parsed.Omitted > 0) {
			return nil, domain.E(op, domain.Invalid, "file", &ImportError{Errors: rejected, Omitted: parsed.Omitted})
		}
		// The bad rows are written once, when the good ones are stored
		// (a retry below would write them again).
		done := func() (*ImportResult, error) {
			if len(rejected) > 0 && opts.Rejects != nil {
				if err := writeRejects(opts.Rejects, parsed, rejected); err != nil {
					return nil, domain.E(op, domain.Internal, "rejects", err)
				}
			}
			return res, nil
		}
		if len(rows) == 0 {
			return done()
		}
		changes, err := state.changes(rows, actor, res)
		if err != nil {
			return nil, err
		}
		evs, err := s.Append(ctx, changes...)
		var ce *events.ConflictError
		if errors.As(err, &ce) && attempt < importRetries {
			res.AlreadyStored, res.Withdrawn = 0, 0
			continue // another writer moved a section on: check again
		}
		if err != nil {
			return nil, err
		}
		res.Stored = len(rows)
		res.Events = len(evs)
		res.FirstPosition, res.LastPosition = evs[0].Position, evs[len(evs)-1].Position
		return done()
	}
}

// readUpload is io.ReadAll into a buffer of the size expected, if any: not
// grown by doubling, which for a large upload left up to twice its size
// allocated. The size is taken on trust only once the first MB has
// arrived: a client announcing 256 MB and sending nothing reserves 1 MB.
func readUpload(r io.Reader, size int64) ([]byte, error) {
	size = min(max(size, 0), monitoring.MaxUploadBytes)
	b := make([]byte, 0, min(size, trustAfter)+512)
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return nil, err
		}
		if len(b) == cap(b) {
			if int64(cap(b)) < size+512 {
				b = append(make([]byte, 0, size+512), b...) // it is coming: the size announced
			} else {
				b = append(b, 0)[:len(b)] // more than announced: grow
			}
		}
	}
}

// trustAfter is how much of an upload must arrive before its announced
// size is allocated.
const trustAfter = 1 << 20

// refuseOthers takes the rows of sections the uploader may not record
// samples for out of an upload, each an error of its line; it returns the
// sections refused, sorted.
func refuseOthers(p *monitoring.Parsed, allowed func(monitoring.SectionID) bool) []monitoring.SectionID {
	if allowed == nil {
		return nil
	}
	refused := map[monitoring.SectionID]bool{}
	p.Refuse(func(id monitoring.SectionID) string {
		if allowed(id) {
			return ""
		}
		refused[id] = true
		return fmt.Sprintf("%s is not one of this station's sections: an upload naming one is refused whole, partial or not", id)
	})
	return slices.Sorted(maps.Keys(refused))
}

// site is where samples are taken: a section or a drinking-water source.
type site struct {
	city domain.CityID
	typ  events.AggregateType
}

func (s site) aggregate(id monitoring.SectionID) events.Aggregate {
	return events.Aggregate{Scope: domain.CityScope(s.city), Type: s.typ, ID: events.AggregateID(id)}
}

// sectionState is what an upload is checked against: the registered
// sections and drinking-water sources, their versions and stored samples.
type sectionState struct {
	info  map[monitoring.SectionID]site
	names map[string][]monitoring.SectionID // registered names (a name two sites bear names neither)
	folds map[string][]monitoring.SectionID // codes by their upper case (codes that differ only in case name neither)
	index *SampleIndex
	// checked is each site's version the upload's rows were checked
	// against (dedupe), which its append expects.
	checked map[monitoring.SectionID]uint64
}

// known finds the sites a cell names (monitoring.SectionLookup): by name,
// every registered site bearing it; by code, the code as it is or, where
// only one code matches it in upper case, in any case.
func (st *sectionState) known(cell string, byName bool) []monitoring.SectionID {
	if byName {
		return st.names[cell]
	}
	if _, ok := st.info[monitoring.SectionID(cell)]; ok {
		return []monitoring.SectionID{monitoring.SectionID(cell)}
	}
	if ids := st.folds[strings.ToUpper(cell)]; len(ids) == 1 {
		return ids
	}
	return nil
}

// add records a registered site.
func (st *sectionState) add(id monitoring.SectionID, name string, s site) {
	st.info[id] = s
	st.names[name] = append(st.names[name], id)
	st.folds[strings.ToUpper(string(id))] = append(st.folds[strings.ToUpper(string(id))], id)
}

// SampleIndex remembers, for each site, a digest of every sample stored and
// how far into the site's events it has read; an upload then reads only the
// site's events since. It holds digests, not samples.
type SampleIndex struct {
	mu    sync.Mutex
	sites map[monitoring.SectionID]*siteSamples
}

type siteSamples struct {
	version  uint64
	position uint64
	// digests are the contents each sample has had: as uploaded, and as
	// corrected. Uploading any of them again stores nothing.
	digests map[monitoring.Key][]string
	// withdrawn are the samples withdrawn from assessment and not brought
	// back: uploading one again does not bring it back either.
	withdrawn map[monitoring.Key]bool
}

func (ss *siteSamples) addDigests(s monitoring.Samples) {
	for i := range s.Len() {
		ss.add(s.Row(i))
	}
}

func (ss *siteSamples) add(sm monitoring.Sample) {
	k, d := sm.Key(), digest(sm)
	if !slices.Contains(ss.digests[k], d) {
		ss.digests[k] = append(ss.digests[k], d)
	}
}

// NewSampleIndex returns an empty index.
func NewSampleIndex() *SampleIndex {
	return &SampleIndex{sites: map[monitoring.SectionID]*siteSamples{}}
}

// digest identifies a sample's content: status, values, below-limit flags.
func digest(s monitoring.Sample) string {
	var b strings.Builder
	b.WriteString(string(s.Status))
	for _, it := range sortedItems(itemKeys(s.Values)) {
		fmt.Fprintf(&b, "|%s=%v", it, s.Values[it])
	}
	for _, it := range sortedItems(s.BelowDL) {
		fmt.Fprintf(&b, "|<%s", it)
	}
	return b.String()
}

// digestDiff says how the sample a digest was made of differs from
// another's: "TP stored 0.19, here 0.3; DO stored 6.2, here none".
func digestDiff(stored, here string) string {
	parse := func(d string) (status string, values map[string]string) {
		parts := strings.Split(d, "|")
		values = map[string]string{}
		for _, p := range parts[1:] {
			if k, v, ok := strings.Cut(p, "="); ok {
				values[k] = v
			} else {
				values[p] = "yes" // "<item": below the detection limit
			}
		}
		return parts[0], values
	}
	ss, sv := parse(stored)
	hs, hv := parse(here)
	var out []string
	if ss != hs {
		out = append(out, fmt.Sprintf("status stored %q, here %q", ss, hs))
	}
	keys := slices.Sorted(maps.Keys(sv))
	for k := range hv {
		if _, ok := sv[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		a, b := cmp.Or(sv[k], "none"), cmp.Or(hv[k], "none")
		if a == b {
			continue
		}
		if name, below := strings.CutPrefix(k, "<"); below {
			out = append(out, fmt.Sprintf("%s below the detection limit: stored %s, here %s", name, map[string]string{"yes": "yes", "none": "no"}[a], map[string]string{"yes": "yes", "none": "no"}[b]))
			continue
		}
		out = append(out, fmt.Sprintf("%s stored %s, here %s", k, a, b))
	}
	return strings.Join(out, "; ")
}

func itemKeys(v map[water.Item]float64) []water.Item {
	out := make([]water.Item, 0, len(v))
	for it := range v {
		out = append(out, it)
	}
	return out
}

// loadSections reads the registers of sections and drinking-water sources
// (registrations only: no samples).
func loadSections(ctx context.Context, s events.Store, idx *SampleIndex) (*sectionState, error) {
	if idx == nil {
		idx = NewSampleIndex()
	}
	st := &sectionState{info: map[monitoring.SectionID]site{}, names: map[string][]monitoring.SectionID{}, folds: map[string][]monitoring.SectionID{}, index: idx}
	q := events.Query{Types: []events.AggregateType{SectionType, DrinkingSourceType}, Names: []events.Name{SectionRegistered, DrinkingSourceRegistered}}
	err := s.Read(ctx, q, func(e events.Event) error {
		switch d := e.Data.(type) {
		case monitoring.SectionRegistered:
			st.add(d.ID, d.Name, site{d.City, SectionType})
		case monitoring.DrinkingSourceRegistered:
			st.add(monitoring.SectionID(d.ID), d.Name, site{d.City, DrinkingSourceType})
		}
		return nil
	})
	return st, err
}

// loadSamples brings the index up to date for the sites rows touch,
// reading each site's events after the position it had read.
func (st *sectionState) loadSamples(ctx context.Context, s events.Store, rows []monitoring.Row) error {
	st.index.mu.Lock()
	defer st.index.mu.Unlock()
	seen := map[monitoring.SectionID]bool{}
	for _, r := range rows {
		id := r.Section
		if seen[id] {
			continue
		}
		seen[id] = true
		ss := st.index.sites[id]
		if ss == nil {
			ss = &siteSamples{digests: map[monitoring.Key][]string{}, withdrawn: map[monitoring.Key]bool{}}
			st.index.sites[id] = ss
		}
		agg := st.info[id].aggregate(id)
		err := s.Read(ctx, events.Query{Aggregate: &agg, From: ss.position + 1}, func(e events.Event) error {
			ss.version, ss.position = e.Version, e.Position
			if smp, ok := monitoring.RecordedSamples(e.Data); ok {
				ss.addDigests(smp)
				return nil
			}
			switch d := e.Data.(type) {
			case monitoring.SampleCorrected:
				ss.add(d.Sample)
				delete(ss.withdrawn, d.Sample.Key())
			case monitoring.SampleInvalidated:
				ss.add(d.Previous) // still taken: uploading it again does not bring it back
				ss.withdrawn[d.Key()] = true
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// version is the site's version an upload's append expects. It is the
// version the rows were checked against in dedupe, not the
// index's now: another upload may have moved the index on since, to a
// version holding these very rows, and an append expecting that version
// would store them twice.
func (st *sectionState) version(id monitoring.SectionID) uint64 {
	return st.checked[id]
}

// dedupe drops rows already stored identically and rejects rows stored
// with other values; it returns the rows to store and every bad row.
func (st *sectionState) dedupe(p *monitoring.Parsed, res *ImportResult) ([]monitoring.Row, []monitoring.RowError) {
	rejected := append([]monitoring.RowError{}, p.Errors...) // [] in JSON when there are none
	rows := p.Rows[:0]                                       // filtered in place: an upload's rows can be millions
	st.index.mu.Lock()
	defer st.index.mu.Unlock()
	st.checked = map[monitoring.SectionID]uint64{}
	for _, row := range p.Rows {
		var known []string
		withdrawn := false
		if ss := st.index.sites[row.Section]; ss != nil {
			st.checked[row.Section] = ss.version
			known, withdrawn = ss.digests[row.Sample.Key()], ss.withdrawn[row.Sample.Key()]
		}
		if len(known) == 0 {
			rows = append(rows, row)
			continue
		}
		d := digest(row.Full())
		switch {
		case withdrawn && slices.Contains(known, d):
			res.Withdrawn++
		case slices.Contains(known, d):
			res.AlreadyStored++
		case len(rejected) >= monitoring.MaxRowErrors:
			p.Omitted++
		case withdrawn:
			rejected = append(rejected, monitoring.RowError{Line: row.Line, Column: p.TimeColumn,
				Reason: "this section's sample at this time from this source was withdrawn from assessment, with other values (" + digestDiff(known[len(known)-1], d) + "): a correction brings it back with new ones"})
		default:
			rejected = append(rejected, monitoring.RowError{Line: row.Line, Column: p.TimeColumn,
				Reason: "this section's sample at this time from this source is already stored with other values (" + digestDiff(known[len(known)-1], d) + "): record a correction instead"})
		}
	}
	sort.SliceStable(rejected, func(i, j int) bool { return rejected[i].Line < rejected[j].Line })
	return rows, monitoring.WithZh(rejected)
}

func sortedItems[T ~string](s []T) []T {
	out := append([]T(nil), s...)
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// changes groups rows by section into samples_recorded events.
// It sorts rows in place, by section and time (not copied by section: an
// upload's rows can be millions).
func (st *sectionState) changes(rows []monitoring.Row, actor domain.Actor, res *ImportResult) ([]events.Change, error) {
	slices.SortStableFunc(rows, func(a, b monitoring.Row) int {
		return cmp.Or(cmp.Compare(a.Section, b.Section), a.Sample.At.Compare(b.Sample.At))
	})
	var changes []events.Change
	for len(rows) > 0 {
		id := rows[0].Section
		n := 1
		for n < len(rows) && rows[n].Section == id {
			n++
		}
		rs := rows[:n]
		rows = rows[n:]
		var drafts []events.Draft
		for start := 0; start < len(rs); start += monitoring.MaxSamplesPerEvent {
			chunk := rs[start:min(start+monitoring.MaxSamplesPerEvent, len(rs))]
			rec := monitoring.SamplesRecorded{Import: &monitoring.ImportRef{File: res.File, SHA256: res.SHA256}}
			rows := make([]monitoring.Sample, len(chunk))
			for i, r := range chunk {
				rows[i] = r.Full()
				rec.Import.Lines = append(rec.Import.Lines, r.Line)
			}
			samples, err := monitoring.NewSamples(rows)
			if err != nil {
				return nil, err
			}
			rec.Samples = samples
			var data any = rec
			if st.info[id].typ == DrinkingSourceType {
				data = monitoring.SourceSamplesRecorded(rec)
			}
			drafts = append(drafts, events.Draft{OccurredAt: chunk[len(chunk)-1].Sample.At, Actor: actor, Data: data})
		}
		changes = append(changes, events.Change{Aggregate: st.info[id].aggregate(id),
			Expect: events.ExpectedVersion(st.version(id)), Events: drafts})
	}
	return changes, nil
}

// rejectedLines counts the lines errors are on.
func rejectedLines(errs []monitoring.RowError) int {
	lines := map[int]bool{}
	for _, e := range errs {
		lines[e.Line] = true
	}
	return len(lines)
}

// WriteRejects writes the lines of an upload that a server rejected, as
// ImportOptions.Rejects does: the header, then each bad line's cells and
// its errors, read again from the file uploaded.
func WriteRejects(w io.Writer, upload io.Reader, rejected []monitoring.RowError) error {
	p, err := monitoring.ParseCSV(upload, func(cell string, _ bool) []monitoring.SectionID {
		return []monitoring.SectionID{monitoring.SectionID(cell)}
	}, time.Now())
	if err != nil {
		return err
	}
	return writeRejects(w, p, rejected)
}

// writeRejects writes the rejected lines as CSV: the header, then each bad
// line's cells and its errors, in Chinese for the station's staff who mend
// it (in English only for a reason without its Chinese).
// It is UTF-8 with a byte-order mark, which spreadsheet programs need to
// show Chinese; a line with too few cells is padded, so that its errors
// stay in the error column. Uploaded again, the line and error columns
// are ignored, whatever their cells hold.
func writeRejects(w io.Writer, p *monitoring.Parsed, rejected []monitoring.RowError) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(append(append([]string{"line"}, p.Header...), "error")); err != nil {
		return err
	}
	reasons := map[int][]string{}
	var lines []int
	for _, r := range rejected {
		if _, ok := reasons[r.Line]; !ok {
			lines = append(lines, r.Line)
		}
		msg := r.Zh()
		sep := "："
		if msg == "" {
			msg, sep = r.Reason, ": "
		}
		if r.Column != "" {
			msg = r.Column + sep + msg
		}
		reasons[r.Line] = append(reasons[r.Line], msg)
	}
	for _, l := range lines {
		cells := p.Cells(l)
		if n := len(p.Header); len(cells) < n {
			cells = append(append([]string(nil), cells...), make([]string, n-len(cells))...)
		}
		rec := append(append([]string{fmt.Sprint(l)}, cells...), strings.Join(reasons[l], "；"))
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// findSample loads a section and finds the sample stored at a time and
// source, as it stands after corrections; it returns the section's version
// and, if the sample is withdrawn from assessment, its withdrawal.
// prefix is the request's name for the sample ("sample." in a correction),
// so that the error names the field the request gave: prefix + "at".
func findSample(ctx context.Context, s events.Store, agg events.Aggregate, key monitoring.Key, prefix string) (monitoring.Sample, uint64, *monitoring.SampleInvalidated, error) {
	const op = "sample"
	evs, err := s.Load(ctx, agg)
	if err != nil {
		return monitoring.Sample{}, 0, nil, err
	}
	if len(evs) == 0 {
		return monitoring.Sample{}, 0, nil, domain.Errorf(op, domain.NotFound, "section", "%s is not registered", agg)
	}
	var found *monitoring.Sample
	var withdrawn *monitoring.SampleInvalidated
	for _, e := range evs {
		if smp, ok := monitoring.RecordedSamples(e.Data); ok {
			if sm, ok := smp.Find(key); ok {
				found, withdrawn = &sm, nil
			}
			continue
		}
		switch d := e.Data.(type) {
		case monitoring.SampleCorrected:
			if d.Sample.Key() == key {
				found, withdrawn = &d.Sample, nil
			}
		case monitoring.SampleInvalidated:
			if d.Key() == key {
				withdrawn = &d
			}
		}
	}
	if found == nil {
		return monitoring.Sample{}, 0, nil, domain.Errorf(op, domain.NotFound, prefix+"at", "no %s sample at %s", key.Source, key.At.In(domain.CST).Format("2006-01-02 15:04"))
	}
	return *found, evs[len(evs)-1].Version, withdrawn, nil
}

// CorrectSample replaces the values (or status) of a stored sample,
// identified by its time and source, with a reason. The correction is a new
// event; the original stays in the log. A correction that changes nothing
// (a retried request) is a Conflict, and stores nothing. A sample that was
// withdrawn (InvalidateSample) is brought back by a correction, with the
// values it gives (the same ones, if the withdrawal was a mistake).
func CorrectSample(ctx context.Context, s events.Store, actor domain.Actor, agg events.Aggregate, corrected monitoring.Sample, reason string, at time.Time) (events.Event, error) {
	return correct(ctx, s, actor, agg, corrected.Key(), reason, at, func(monitoring.Sample) (monitoring.Sample, error) { return corrected, nil })
}

// AmendSample corrects a stored sample as a clerk does: the values given
// replace those items', the items in remove are taken out, and the others
// keep their stored values (monitoring.Sample.Amend).
func AmendSample(ctx context.Context, s events.Store, actor domain.Actor, agg events.Aggregate, with monitoring.Sample, remove []water.Item, reason string, at time.Time) (events.Event, error) {
	return correct(ctx, s, actor, agg, with.Key(), reason, at, func(prev monitoring.Sample) (monitoring.Sample, error) { return prev.Amend(with, remove) })
}

// correct appends the correction of the sample with the key to what fix
// makes of the stored one.
func correct(ctx context.Context, s events.Store, actor domain.Actor, agg events.Aggregate, key monitoring.Key, reason string, at time.Time, fix func(monitoring.Sample) (monitoring.Sample, error)) (events.Event, error) {
	const op = "section.sample_corrected"
	if err := checkSampleRef(op, "sample.", key, reason); err != nil {
		return events.Event{}, err
	}
	prev, version, withdrawn, err := findSample(ctx, s, agg, key, "sample.")
	if err != nil {
		return events.Event{}, err
	}
	corrected, err := fix(prev)
	if err != nil {
		return events.Event{}, err
	}
	corrected.At = corrected.At.UTC()
	c := monitoring.SampleCorrected{Sample: corrected, Previous: prev, Reason: reason, Reinstated: withdrawn != nil}
	if err := c.Validate(); err != nil {
		return events.Event{}, err
	}
	if withdrawn == nil && digest(corrected) == digest(prev) {
		return events.Event{}, domain.Errorf(op, domain.Conflict, "sample", "the %s sample at %s already has these values: nothing to correct",
			prev.Source, prev.At.In(domain.CST).Format("2006-01-02 15:04"))
	}
	evs, err := s.Append(ctx, events.Change{Aggregate: agg, Expect: events.ExpectedVersion(version), Events: []events.Draft{{
		OccurredAt: at, Actor: actor, Data: c,
	}}})
	if err != nil {
		return events.Event{}, err
	}
	return evs[0], nil
}

// checkSampleRef checks what a correction or an invalidation names before
// the sample is looked up: its time and source (fields prefix+"at" and
// prefix+"source"), and the reason.
func checkSampleRef(op, prefix string, key monitoring.Key, reason string) error {
	if key.At.IsZero() {
		return domain.Errorf(op, domain.Invalid, prefix+"at", "missing: the time the sample was taken")
	}
	if err := key.Source.Validate(); err != nil {
		return domain.E(op, domain.Invalid, prefix+"source", err)
	}
	return monitoring.CheckReason(op, reason)
}

// InvalidateSample withdraws a stored sample from assessment, with a reason.
func InvalidateSample(ctx context.Context, s events.Store, actor domain.Actor, agg events.Aggregate, key monitoring.Key, reason string, at time.Time) (events.Event, error) {
	if err := checkSampleRef("section.sample_invalidated", "", key, reason); err != nil {
		return events.Event{}, err
	}
	prev, version, withdrawn, err := findSample(ctx, s, agg, key, "")
	if err != nil {
		return events.Event{}, err
	}
	if withdrawn != nil {
		return events.Event{}, domain.Errorf("section.sample_invalidated", domain.Conflict, "at", "the %s sample at %s is already withdrawn (%s); a correction brings it back",
			key.Source, key.At.In(domain.CST).Format("2006-01-02 15:04"), withdrawn.Reason)
	}
	evs, err := s.Append(ctx, events.Change{Aggregate: agg, Expect: events.ExpectedVersion(version), Events: []events.Draft{{
		OccurredAt: at, Actor: actor, Data: monitoring.SampleInvalidated{Previous: prev, Reason: reason},
	}}})
	if err != nil {
		return events.Event{}, err
	}
	return evs[0], nil
}
