package monitoring

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/water"
)

// Source says how a sample was taken.
type Source string

// Sample sources. Manual monthly samples prevail for assessment; automatic
// stations report every 4 hours.
const (
	Auto   Source = "auto"   // automatic station
	Manual Source = "manual" // manual sampling and laboratory analysis
)

// Validate checks the source.
func (s Source) Validate() error {
	if s != Auto && s != Manual {
		return fmt.Errorf("%q is not %q or %q", string(s), Auto, Manual)
	}
	return nil
}

// Status is why a sample has no values, or "" when it was measured.
type Status string

// Not-monitored states: recorded as such, never as values.
const (
	Measured Status = ""
	Dry      Status = "dry"   // 断流
	Ice      Status = "ice"   // 冰封
	Fault    Status = "fault" // equipment fault
)

// Validate checks the status.
func (s Status) Validate() error {
	switch s {
	case Measured, Dry, Ice, Fault:
		return nil
	}
	return fmt.Errorf("%q is not one of dry, ice, fault (or empty when measured)", string(s))
}

// Sample is one sample at a section: its time and source identify it.
type Sample struct {
	At      time.Time    `json:"at"`
	Source  Source       `json:"source"`
	Status  Status       `json:"status,omitempty"`
	Values  water.Values `json:"values,omitempty"`
	BelowDL []water.Item `json:"below_dl,omitempty"` // items reported below the detection limit; their value is the limit
}

// Key identifies a sample within its section.
type Key struct {
	At     time.Time
	Source Source
}

// Key returns the sample's identity.
func (s Sample) Key() Key { return Key{s.At.UTC(), s.Source} }

// maxValue bounds what any instrument could report, to catch typing errors.
func maxValue(it water.Item) float64 {
	switch it {
	case "pH":
		return 14
	case "DO":
		return 25
	case "fecal_coliform":
		return 1e9
	}
	return 10000
}

// Validate checks the sample, naming the field at fault.
func (s Sample) Validate(op, field string) error {
	if s.At.IsZero() {
		return domain.Errorf(op, domain.Invalid, field+".at", "missing")
	}
	if err := s.Source.Validate(); err != nil {
		return domain.E(op, domain.Invalid, field+".source", err)
	}
	if err := s.Status.Validate(); err != nil {
		return domain.E(op, domain.Invalid, field+".status", err)
	}
	if s.Status != Measured {
		if len(s.Values) > 0 || len(s.BelowDL) > 0 {
			return domain.Errorf(op, domain.Invalid, field+".values", "a sample not monitored (%s) has no values", s.Status)
		}
		return nil
	}
	if len(s.Values) == 0 {
		return domain.Errorf(op, domain.Invalid, field+".values", "a measured sample needs at least one value (or a status: dry, ice, fault)")
	}
	for _, it := range sortedItems(s.Values) {
		if err := CheckValue(it, s.Values[it]); err != nil {
			return domain.E(op, domain.Invalid, field+".values."+string(it), err)
		}
	}
	for i, it := range s.BelowDL {
		f := fmt.Sprintf("%s.below_dl[%d]", field, i)
		if _, ok := s.Values[it]; !ok {
			return domain.Errorf(op, domain.Invalid, f, "%s is flagged below the detection limit but has no value (the limit)", it)
		}
		if err := CheckBelowLimit(it, s.Values[it]); err != nil {
			return domain.E(op, domain.Invalid, f, err)
		}
	}
	return nil
}

// CheckBelowLimit checks a result reported below a detection limit: the
// limit is above 0, and the item is one measured against a limit of
// detection. pH is a range, and DO a lower bound: halving a "below the
// limit" pH of 7.5 would make a normal reading worse than V.
func CheckBelowLimit(it water.Item, limit float64) error {
	info, _ := water.LookupItem(string(it))
	switch {
	case it == water.PH || info.LowerBound:
		return fmt.Errorf("%s is not reported below a detection limit", it)
	case limit <= 0:
		return fmt.Errorf("a detection limit is above 0 (%s: %g)", it, limit)
	}
	return nil
}

// CheckValue checks one measured value of a known item, named by its code
// (NH3N, not 氨氮: read models and snapshots key items by code).
func CheckValue(it water.Item, v float64) error {
	info, ok := water.LookupItem(string(it))
	if !ok {
		return fmt.Errorf("unknown item %q", string(it))
	}
	if info.Item != it {
		return fmt.Errorf("%q: write the item's code, %s", string(it), info.Item)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("%s is not a number", it)
	}
	// The reasons name the item, so that one said without its field (a
	// message_zh, a row's reason_zh) still says which.
	if v < 0 {
		return fmt.Errorf("%s %g is negative", it, v)
	}
	if max := maxValue(it); v > max {
		return fmt.Errorf("%s %g is above %g, more than any instrument reports", it, v, max)
	}
	return nil
}

func sortedItems(v water.Values) []water.Item {
	items := make([]water.Item, 0, len(v))
	for it := range v {
		items = append(items, it)
	}
	sort.Slice(items, func(i, j int) bool { return items[i] < items[j] })
	return items
}

// Effective returns the values to assess with: an item below the detection
// limit counts as half the limit.
func (s Sample) Effective() water.Values {
	if len(s.BelowDL) == 0 {
		return s.Values
	}
	out := make(water.Values, len(s.Values))
	for it, v := range s.Values {
		out[it] = v
	}
	for _, it := range s.BelowDL {
		out[it] = water.BelowDetection(s.Values[it])
	}
	return out
}

// ImportRef says which upload a batch of samples came from.
type ImportRef struct {
	File   string `json:"file"`   // file name as uploaded
	SHA256 string `json:"sha256"` // of the whole file
	Lines  []int  `json:"lines"`  // line of each sample in the file, in order
}

// MaxSamplesPerEvent bounds one samples.recorded event (about 300 KB).
const MaxSamplesPerEvent = 2500

// SamplesRecorded records samples taken at one section: one reading from
// the API, or a section's rows of a station's upload, stored together with
// the other sections' in one atomic append. Event: section.samples_recorded
// (schema 2: the samples as columns; see Samples).
type SamplesRecorded struct {
	Samples Samples    `json:"samples"`
	Import  *ImportRef `json:"import,omitempty"`
}

// Validate checks every sample and that none repeats.
func (r SamplesRecorded) Validate() error {
	const op = "section.samples_recorded"
	n := r.Samples.Len()
	if n == 0 {
		return domain.Errorf(op, domain.Invalid, "samples", "none")
	}
	if n > MaxSamplesPerEvent {
		return domain.Errorf(op, domain.Invalid, "samples", "%d in one event; at most %d", n, MaxSamplesPerEvent)
	}
	if r.Import != nil && len(r.Import.Lines) != n {
		return domain.Errorf(op, domain.Invalid, "import.lines", "%d lines for %d samples", len(r.Import.Lines), n)
	}
	return r.Samples.Validate(op)
}

// SampleCorrected replaces the values of an earlier sample, which it names
// by time and source. Event: section.sample_corrected.
type SampleCorrected struct {
	Sample   Sample `json:"sample"`   // the corrected sample: same time and source, new values or status
	Previous Sample `json:"previous"` // the sample as it stood before, so read models can take it back out
	Reason   string `json:"reason"`
	// Reinstated is set when Previous had been withdrawn (invalidated):
	// the correction brings the sample back, and read models have nothing
	// to take out.
	Reinstated bool `json:"reinstated,omitempty"`
}

// itemCode is the code of an item named by its code or a usual name (氨氮,
// NH3-N, tp), for requests that name items as uploads do; stored samples
// hold codes only (CheckValue).
func itemCode(it water.Item, field string) (water.Item, error) {
	info, ok := water.LookupItem(string(it))
	if !ok {
		return "", domain.Errorf("sample", domain.Invalid, field, "unknown item %q", string(it))
	}
	return info.Item, nil
}

// CanonicalValues is values keyed by the items' codes; field names the
// map in errors (an unknown item, or one given twice under two names).
func CanonicalValues(values water.Values, field string) (water.Values, error) {
	if values == nil {
		return nil, nil
	}
	out := make(water.Values, len(values))
	for it, v := range values {
		c, err := itemCode(it, field+"."+string(it))
		if err != nil {
			return nil, err
		}
		if _, dup := out[c]; dup {
			return nil, domain.Errorf("sample", domain.Invalid, field+"."+string(it), "%s is given twice, under two names", c)
		}
		out[c] = v
	}
	return out, nil
}

// CanonicalItems is items by their codes; field names the list in errors.
func CanonicalItems(items []water.Item, field string) ([]water.Item, error) {
	var out []water.Item
	for i, it := range items {
		c, err := itemCode(it, fmt.Sprintf("%s[%d]", field, i))
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// Amend is the sample with a clerk's correction applied: the values given
// replace those items' values and below-detection-limit flags, the items
// in remove are taken out, and every other item keeps its stored value.
// A status other than measured (dry, ice, fault) leaves no values. It
// fails, naming the field, on an item both given and removed, or removed
// but not stored.
func (s Sample) Amend(with Sample, remove []water.Item) (Sample, error) {
	const op = "section.sample_corrected"
	out := Sample{At: s.At, Source: s.Source, Status: with.Status}
	if with.Status != Measured {
		if len(with.Values) > 0 || len(remove) > 0 {
			return Sample{}, domain.Errorf(op, domain.Invalid, "sample.values", "a sample not monitored (%s) has no values to give or remove", with.Status)
		}
		return out, nil
	}
	out.Values = water.Values{}
	given := func(it water.Item) bool { _, ok := with.Values[it]; return ok }
	if s.Status == Measured {
		for it, v := range s.Values {
			out.Values[it] = v
		}
		for _, it := range s.BelowDL {
			if !given(it) {
				out.BelowDL = append(out.BelowDL, it)
			}
		}
	}
	for it, v := range with.Values {
		out.Values[it] = v
	}
	for i, it := range with.BelowDL {
		if !given(it) {
			return Sample{}, domain.Errorf(op, domain.Invalid, fmt.Sprintf("sample.below_dl[%d]", i), "%s is flagged below the detection limit without its value (the limit)", it)
		}
	}
	out.BelowDL = append(out.BelowDL, with.BelowDL...)
	for i, it := range remove {
		field := fmt.Sprintf("remove[%d]", i)
		if given(it) {
			return Sample{}, domain.Errorf(op, domain.Invalid, field, "%s is both given and removed", it)
		}
		if _, ok := out.Values[it]; !ok {
			return Sample{}, domain.Errorf(op, domain.Invalid, field, "%s is not among the sample's values", it)
		}
		delete(out.Values, it)
		out.BelowDL = slices.DeleteFunc(out.BelowDL, func(x water.Item) bool { return x == it })
	}
	slices.SortFunc(out.BelowDL, func(a, b water.Item) int { i, _ := a.Index(); j, _ := b.Index(); return i - j }) // the order of Table 1
	out.BelowDL = slices.Compact(out.BelowDL)
	if len(out.BelowDL) == 0 {
		out.BelowDL = nil
	}
	return out, nil
}

// Validate checks the corrected sample and that a reason is given.
func (c SampleCorrected) Validate() error {
	const op = "section.sample_corrected"
	if err := CheckReason(op, c.Reason); err != nil {
		return err
	}
	if err := c.Sample.Validate(op, "sample"); err != nil {
		return err
	}
	if err := c.Previous.Validate(op, "previous"); err != nil {
		return err
	}
	if c.Previous.Key() != c.Sample.Key() {
		return domain.Errorf(op, domain.Invalid, "previous", "is not the same sample (time and source differ)")
	}
	return nil
}

// CheckReason checks the reason given for a correction or an invalidation:
// present, at most 1,000 bytes of text without surrounding space or
// control characters.
func CheckReason(op, reason string) error {
	if reason == "" {
		return domain.Errorf(op, domain.Invalid, "reason", "missing: why is the sample corrected or withdrawn?")
	}
	if err := domain.CheckText(reason, 1000); err != nil {
		return domain.E(op, domain.Invalid, "reason", err)
	}
	return nil
}

// SampleInvalidated withdraws an earlier sample from assessment.
// Event: section.sample_invalidated.
type SampleInvalidated struct {
	Previous Sample `json:"previous"` // the sample withdrawn, as it stood
	Reason   string `json:"reason"`
}

// Key is the invalidated sample's identity.
func (v SampleInvalidated) Key() Key { return v.Previous.Key() }

// Validate checks the reference and that a reason is given.
func (v SampleInvalidated) Validate() error {
	const op = "section.sample_invalidated"
	if err := CheckReason(op, v.Reason); err != nil {
		return err
	}
	return v.Previous.Validate(op, "previous")
}

// RecordedSamples returns the samples an event payload records: those of a
// SamplesRecorded or a SourceSamplesRecorded (one shape at two kinds of
// site); false for any other payload.
func RecordedSamples(data any) (Samples, bool) {
	switch d := data.(type) {
	case SamplesRecorded:
		return d.Samples, true
	case SourceSamplesRecorded:
		return d.Samples, true
	}
	return Samples{}, false
}

// SourceSamplesRecorded records samples taken at a drinking-water source,
// exactly like SamplesRecorded at a section.
// Event: drinking_source.samples_recorded.
type SourceSamplesRecorded SamplesRecorded

// Validate checks the samples as SamplesRecorded does.
func (r SourceSamplesRecorded) Validate() error { return SamplesRecorded(r).Validate() }

// UpcastSamplesRecordedV1 turns a samples_recorded payload of schema 1 (the
// samples as an array of Sample objects) into schema 2 (the samples as
// columns), for events of either site type stored before the change.
func UpcastSamplesRecordedV1(old json.RawMessage) (json.RawMessage, error) {
	var v1 struct {
		Samples []Sample   `json:"samples"`
		Import  *ImportRef `json:"import,omitempty"`
	}
	if err := json.Unmarshal(old, &v1); err != nil {
		return nil, err
	}
	s, err := NewSamples(v1.Samples)
	if err != nil {
		return nil, err
	}
	return json.Marshal(SamplesRecorded{Samples: s, Import: v1.Import})
}

// codesOf is a sample with its items named by their codes, for events
// stored before stored samples had to use codes: a correction could name
// an item by a usual name (氨氮) beside its code. The name's value is the
// later one (a correction added it), so it wins over the code's.
func codesOf(s Sample) Sample {
	if s.Values != nil {
		out := water.Values{}
		for it, v := range s.Values {
			if info, ok := water.LookupItem(string(it)); ok && info.Item == it {
				out[it] = v
			}
		}
		for it, v := range s.Values {
			if info, ok := water.LookupItem(string(it)); ok && info.Item != it {
				out[info.Item] = v
			}
		}
		s.Values = out
	}
	var below []water.Item
	for _, it := range s.BelowDL {
		if info, ok := water.LookupItem(string(it)); ok && !slices.Contains(below, info.Item) {
			below = append(below, info.Item)
		}
	}
	s.BelowDL = below
	return s
}

// UpcastSampleCorrectedV1 names a schema-1 correction's items by their
// codes (codesOf), in the sample and in the one it replaced.
func UpcastSampleCorrectedV1(old json.RawMessage) (json.RawMessage, error) {
	var c SampleCorrected
	if err := json.Unmarshal(old, &c); err != nil {
		return nil, err
	}
	c.Sample, c.Previous = codesOf(c.Sample), codesOf(c.Previous)
	return json.Marshal(c)
}

// UpcastSampleInvalidatedV1 names the withdrawn sample's items by their
// codes (codesOf).
func UpcastSampleInvalidatedV1(old json.RawMessage) (json.RawMessage, error) {
	var v SampleInvalidated
	if err := json.Unmarshal(old, &v); err != nil {
		return nil, err
	}
	v.Previous = codesOf(v.Previous)
	return json.Marshal(v)
}
