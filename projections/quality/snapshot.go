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
	SnapshotVersion = 6 // 2: manual samples as columns, monthly sums as one slot per item; 3: without the empty slots at the end; 4: when each site was registered; 5: the positions of inspections and grades; 6: when each groundwater point was registered
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

// snapSite holds a site's manual samples as columns (monitoring.Samples,
// with the position and event of each) and its months' sums with one slot
// per item in the order of GB 3838 Table 1: a restart decodes numbers into
// arrays rather than a map for every sample and month.
type snapSite struct {
	Kind     water.BodyKind     `json:"kind"`
	Manual   monitoring.Samples `json:"manual"`
	Position []uint64           `json:"positions"`
	EventID  []string           `json:"event_ids"`
	Auto     []snapMonth        `json:"auto"`
}

type snapMonth struct {
	Year         int       `json:"year"`
	Month        int       `json:"month"`
	Sum          []float64 `json:"sum"` // one slot per item in the order of Table 1, up to the last one counted
	N            []int     `json:"n"`
	NotMonitored int       `json:"not_monitored"`
}

type snapSection struct {
	snapSite
	Info       monitoring.SectionRegistered `json:"info"`
	Registered time.Time                    `json:"registered"`
	Targets    monitoring.Targets           `json:"targets"`
}

type snapDrinking struct {
	snapSite
	Info       monitoring.DrinkingSourceRegistered `json:"info"`
	Registered time.Time                           `json:"registered"`
}

type snapBlack struct {
	Info        monitoring.BlackOdorousRegistered `json:"info"`
	Registered  time.Time                         `json:"registered"`
	Inspections []snapInspection                  `json:"inspections"`
}

type snapInspection struct {
	At       time.Time            `json:"at"`
	Level    water.BlackOdorLevel `json:"level"`
	Position uint64               `json:"position"`
}

type snapGround struct {
	Info       monitoring.GroundwaterPointRegistered `json:"info"`
	Registered time.Time                             `json:"registered"`
	Grades     map[int]monitoring.GroundwaterGrade   `json:"grades"`
	Graded     map[int]uint64                        `json:"graded"` // each grade's event
}

func (s *Site) snap(check *snapshotCheck) (snapSite, error) {
	manual := make([]provenanced, 0, len(s.manual))
	for _, p := range s.manual {
		manual = append(manual, p)
	}
	slices.SortFunc(manual, func(a, b provenanced) int {
		return cmp.Or(a.sample.At.Compare(b.sample.At), cmp.Compare(a.sample.Source, b.sample.Source))
	})
	out := snapSite{Kind: s.Kind, Position: make([]uint64, len(manual)), EventID: make([]string, len(manual)), Auto: make([]snapMonth, 0, len(s.auto))}
	rows := make([]monitoring.Sample, len(manual))
	for i, p := range manual {
		rows[i], out.Position[i], out.EventID[i] = p.sample, p.position, p.eventID
	}
	var err error
	if out.Manual, err = monitoring.NewSamples(rows); err != nil {
		return snapSite{}, err
	}
	for k, a := range s.auto {
		// A station reports the first eight items of Table 1 at most:
		// the slots after the last one counted are left out.
		used := water.NumItems
		for used > 0 && a.n[used-1] == 0 && a.sum[used-1] == 0 {
			used--
		}
		out.Auto = append(out.Auto, snapMonth{Year: k.year, Month: k.month, Sum: a.sum[:used], N: a.n[:used], NotMonitored: a.notMonitored})
	}
	slices.SortFunc(out.Auto, func(a, b snapMonth) int { return cmp.Or(cmp.Compare(a.Year, b.Year), cmp.Compare(a.Month, b.Month)) })
	check.Manual += len(manual)
	check.Months += len(out.Auto)
	return out, nil
}

func (s snapSite) site(check *snapshotCheck) (Site, error) {
	n := s.Manual.Len()
	if len(s.Position) != n || len(s.EventID) != n {
		return Site{}, fmt.Errorf("%d manual samples with %d positions and %d event ids", n, len(s.Position), len(s.EventID))
	}
	out := Site{Kind: s.Kind, manual: make(map[monitoring.Key]provenanced, n), auto: make(map[month]*sums, len(s.Auto))}
	for i := range n {
		sm := s.Manual.Row(i)
		out.manual[sm.Key()] = provenanced{sample: sm, position: s.Position[i], eventID: s.EventID[i]}
	}
	for _, a := range s.Auto {
		if len(a.Sum) != len(a.N) || len(a.N) > water.NumItems {
			return Site{}, fmt.Errorf("month %d-%02d: %d sums and %d counts for at most %d items", a.Year, a.Month, len(a.Sum), len(a.N), water.NumItems)
		}
		sm := &sums{notMonitored: a.NotMonitored}
		copy(sm.sum[:], a.Sum)
		copy(sm.n[:], a.N)
		out.auto[month{a.Year, a.Month}] = sm
	}
	if len(out.manual) != n || len(out.auto) != len(s.Auto) {
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
		site, err := sec.snap(&check)
		if err != nil {
			return nil, fmt.Errorf("quality snapshot: section %s: %w", sec.Info.ID, err)
		}
		s.Sections = append(s.Sections, snapSection{snapSite: site, Info: sec.Info, Registered: sec.Registered, Targets: sec.Targets})
	}
	slices.SortFunc(s.Sections, func(a, b snapSection) int { return cmp.Compare(a.Info.ID, b.Info.ID) })
	for _, d := range m.drinking {
		site, err := d.snap(&check)
		if err != nil {
			return nil, fmt.Errorf("quality snapshot: drinking source %s: %w", d.Info.ID, err)
		}
		s.Drinking = append(s.Drinking, snapDrinking{snapSite: site, Info: d.Info, Registered: d.Registered})
	}
	slices.SortFunc(s.Drinking, func(a, b snapDrinking) int { return cmp.Compare(a.Info.ID, b.Info.ID) })
	for _, b := range m.black {
		sb := snapBlack{Info: b.Info, Registered: b.Registered, Inspections: make([]snapInspection, len(b.inspections))}
		for i, in := range b.inspections {
			sb.Inspections[i] = snapInspection{At: in.at, Level: in.level, Position: in.position}
		}
		s.Black = append(s.Black, sb)
	}
	slices.SortFunc(s.Black, func(a, b snapBlack) int { return cmp.Compare(a.Info.ID, b.Info.ID) })
	for _, g := range m.ground {
		s.Ground = append(s.Ground, snapGround{Info: g.Info, Registered: g.Registered, Grades: g.Grades, Graded: g.graded})
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
		out.sections[sec.Info.ID] = &Section{Site: site, Info: sec.Info, Registered: sec.Registered, Targets: t}
	}
	for _, d := range s.Drinking {
		site, err := d.site(&check)
		if err != nil {
			return fmt.Errorf("quality snapshot: drinking source %s: %w", d.Info.ID, err)
		}
		out.drinking[d.Info.ID] = &Drinking{Site: site, Info: d.Info, Registered: d.Registered}
	}
	for _, b := range s.Black {
		bb := &BlackBody{Info: b.Info, Registered: b.Registered}
		for _, in := range b.Inspections {
			bb.inspections = append(bb.inspections, inspection{at: in.At, level: in.Level, position: in.Position})
		}
		out.black[b.Info.ID] = bb
	}
	for _, g := range s.Ground {
		grades := g.Grades
		if grades == nil {
			grades = map[int]monitoring.GroundwaterGrade{}
		}
		graded := g.Graded
		if graded == nil {
			graded = map[int]uint64{}
		}
		out.ground[g.Info.ID] = &GroundPoint{Info: g.Info, Registered: g.Registered, Grades: grades, graded: graded}
	}
	check.Sections, check.Drinking, check.Black, check.Ground = len(out.sections), len(out.drinking), len(out.black), len(out.ground)
	if check != s.Check {
		return fmt.Errorf("quality snapshot: holds %+v, says it holds %+v", check, s.Check)
	}
	*m = *out
	return nil
}
