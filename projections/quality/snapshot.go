package quality

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	json "github.com/segmentio/encoding/json"

	"github.com/shanxi-water/ledger/domain/monitoring"
	"github.com/shanxi-water/ledger/domain/water"
	"github.com/shanxi-water/ledger/projections"
)

var _ projections.Snapshotter = (*Model)(nil)

// SnapshotName and SnapshotVersion identify the model's snapshots. Raise
// the version whenever the model's state or Apply changes.
const (
	SnapshotName    = "quality"
	SnapshotVersion = 1
)

// SnapshotKind names the model's snapshots.
func (m *Model) SnapshotKind() (string, int) { return SnapshotName, SnapshotVersion }

// The snapshot is the model's aggregates as they are held — manual samples
// whole, automatic ones as monthly sums — in a stable order, as JSON.
type snapshot struct {
	OccurredBy time.Time      `json:"occurred_by,omitzero"`
	MinSamples int            `json:"min_samples"`
	LastEvent  uint64         `json:"last_event"`
	Sections   []snapSection  `json:"sections"`
	Drinking   []snapDrinking `json:"drinking"`
	Black      []snapBlack    `json:"black"`
	Ground     []snapGround   `json:"ground"`
	Check      snapshotCheck  `json:"check"`
}

// snapshotCheck counts what the snapshot holds, so that a truncated or
// altered one is refused rather than restored short.
type snapshotCheck struct {
	Sections, Drinking, Black, Ground, Manual, Months int
}

type snapSite struct {
	Kind   water.BodyKind `json:"kind"`
	Manual []snapManual   `json:"manual"`
	Auto   []snapMonth    `json:"auto"`
}

type snapManual struct {
	Sample   monitoring.Sample `json:"sample"`
	Position uint64            `json:"position"`
	EventID  string            `json:"event_id"`
}

type snapMonth struct {
	Year         int                    `json:"year"`
	Month        int                    `json:"month"`
	Sum          map[water.Item]float64 `json:"sum"`
	N            map[water.Item]int     `json:"n"`
	NotMonitored int                    `json:"not_monitored"`
}

type snapSection struct {
	snapSite
	Info    monitoring.SectionRegistered `json:"info"`
	Targets monitoring.Targets           `json:"targets"`
}

type snapDrinking struct {
	snapSite
	Info monitoring.DrinkingSourceRegistered `json:"info"`
}

type snapBlack struct {
	Info        monitoring.BlackOdorousRegistered `json:"info"`
	Inspections []snapInspection                  `json:"inspections"`
}

type snapInspection struct {
	At    time.Time            `json:"at"`
	Level water.BlackOdorLevel `json:"level"`
}

type snapGround struct {
	Info   monitoring.GroundwaterPointRegistered `json:"info"`
	Grades map[int]monitoring.GroundwaterGrade   `json:"grades"`
}

func (s *Site) snap(check *snapshotCheck) snapSite {
	out := snapSite{Kind: s.Kind, Manual: make([]snapManual, 0, len(s.manual)), Auto: make([]snapMonth, 0, len(s.auto))}
	for _, p := range s.manual {
		out.Manual = append(out.Manual, snapManual{Sample: p.sample, Position: p.position, EventID: p.eventID})
	}
	slices.SortFunc(out.Manual, func(a, b snapManual) int {
		return cmp.Or(a.Sample.At.Compare(b.Sample.At), cmp.Compare(a.Sample.Source, b.Sample.Source))
	})
	for k, a := range s.auto {
		sm := snapMonth{Year: k.year, Month: k.month, Sum: map[water.Item]float64{}, N: map[water.Item]int{}, NotMonitored: a.notMonitored}
		for j, n := range a.n {
			if n != 0 || a.sum[j] != 0 {
				sm.Sum[water.ItemAt(j)], sm.N[water.ItemAt(j)] = a.sum[j], n
			}
		}
		out.Auto = append(out.Auto, sm)
	}
	slices.SortFunc(out.Auto, func(a, b snapMonth) int { return cmp.Or(cmp.Compare(a.Year, b.Year), cmp.Compare(a.Month, b.Month)) })
	check.Manual += len(out.Manual)
	check.Months += len(out.Auto)
	return out
}

func (s snapSite) site(check *snapshotCheck) (Site, error) {
	out := Site{Kind: s.Kind, manual: make(map[monitoring.Key]provenanced, len(s.Manual)), auto: make(map[month]*sums, len(s.Auto))}
	for _, p := range s.Manual {
		out.manual[p.Sample.Key()] = provenanced{sample: p.Sample, position: p.Position, eventID: p.EventID}
	}
	for _, a := range s.Auto {
		if a.Sum == nil || a.N == nil {
			return Site{}, fmt.Errorf("month %d-%02d without sums", a.Year, a.Month)
		}
		sm := &sums{notMonitored: a.NotMonitored}
		for it, v := range a.Sum {
			j, ok := it.Index()
			if !ok {
				return Site{}, fmt.Errorf("month %d-%02d: unknown item %q", a.Year, a.Month, it)
			}
			sm.sum[j], sm.n[j] = v, a.N[it]
		}
		out.auto[month{a.Year, a.Month}] = sm
	}
	if len(out.manual) != len(s.Manual) || len(out.auto) != len(s.Auto) {
		return Site{}, fmt.Errorf("repeated samples or months")
	}
	check.Manual += len(out.manual)
	check.Months += len(out.auto)
	return out, nil
}

// Snapshot encodes the model's state.
func (m *Model) Snapshot() ([]byte, error) {
	s := snapshot{OccurredBy: m.opts.OccurredBy, MinSamples: m.opts.MinSamples, LastEvent: m.LastEvent,
		Sections: make([]snapSection, 0, len(m.sections)), Drinking: make([]snapDrinking, 0, len(m.drinking)),
		Black: make([]snapBlack, 0, len(m.black)), Ground: make([]snapGround, 0, len(m.ground))}
	var check snapshotCheck
	for _, sec := range m.sections {
		s.Sections = append(s.Sections, snapSection{snapSite: sec.snap(&check), Info: sec.Info, Targets: sec.Targets})
	}
	slices.SortFunc(s.Sections, func(a, b snapSection) int { return cmp.Compare(a.Info.ID, b.Info.ID) })
	for _, d := range m.drinking {
		s.Drinking = append(s.Drinking, snapDrinking{snapSite: d.snap(&check), Info: d.Info})
	}
	slices.SortFunc(s.Drinking, func(a, b snapDrinking) int { return cmp.Compare(a.Info.ID, b.Info.ID) })
	for _, b := range m.black {
		sb := snapBlack{Info: b.Info, Inspections: make([]snapInspection, len(b.inspections))}
		for i, in := range b.inspections {
			sb.Inspections[i] = snapInspection{At: in.at, Level: in.level}
		}
		s.Black = append(s.Black, sb)
	}
	slices.SortFunc(s.Black, func(a, b snapBlack) int { return cmp.Compare(a.Info.ID, b.Info.ID) })
	for _, g := range m.ground {
		s.Ground = append(s.Ground, snapGround{Info: g.Info, Grades: g.Grades})
	}
	slices.SortFunc(s.Ground, func(a, b snapGround) int { return cmp.Compare(a.Info.ID, b.Info.ID) })
	check.Sections, check.Drinking, check.Black, check.Ground = len(s.Sections), len(s.Drinking), len(s.Black), len(s.Ground)
	s.Check = check
	return json.Marshal(s)
}

// Restore replaces the model's state with a snapshot's. The snapshot must
// have been taken of a model with the same options.
func (m *Model) Restore(data []byte) error {
	var s snapshot
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("quality snapshot: %w", err)
	}
	if !s.OccurredBy.Equal(m.opts.OccurredBy) || s.MinSamples != m.opts.MinSamples {
		return fmt.Errorf("quality snapshot: taken with other options (occurred by %v, min samples %d)", s.OccurredBy, s.MinSamples)
	}
	out := New(m.opts)
	out.LastEvent = s.LastEvent
	var check snapshotCheck
	for _, sec := range s.Sections {
		site, err := sec.site(&check)
		if err != nil {
			return fmt.Errorf("quality snapshot: section %s: %w", sec.Info.ID, err)
		}
		t := sec.Targets
		if t == nil {
			t = monitoring.Targets{}
		}
		out.sections[sec.Info.ID] = &Section{Site: site, Info: sec.Info, Targets: t}
	}
	for _, d := range s.Drinking {
		site, err := d.site(&check)
		if err != nil {
			return fmt.Errorf("quality snapshot: drinking source %s: %w", d.Info.ID, err)
		}
		out.drinking[d.Info.ID] = &Drinking{Site: site, Info: d.Info}
	}
	for _, b := range s.Black {
		bb := &BlackBody{Info: b.Info}
		for _, in := range b.Inspections {
			bb.inspections = append(bb.inspections, inspection{at: in.At, level: in.Level})
		}
		out.black[b.Info.ID] = bb
	}
	for _, g := range s.Ground {
		grades := g.Grades
		if grades == nil {
			grades = map[int]monitoring.GroundwaterGrade{}
		}
		out.ground[g.Info.ID] = &GroundPoint{Info: g.Info, Grades: grades}
	}
	check.Sections, check.Drinking, check.Black, check.Ground = len(out.sections), len(out.drinking), len(out.black), len(out.ground)
	if check != s.Check {
		return fmt.Errorf("quality snapshot: holds %+v, says it holds %+v", check, s.Check)
	}
	*m = *out
	return nil
}
