package notify

import (
	"cmp"
	"fmt"
	"slices"

	json "github.com/segmentio/encoding/json"

	"github.com/shanxi-water/ledger/domain/monitoring"
	"github.com/shanxi-water/ledger/domain/plan"
	"github.com/shanxi-water/ledger/projections"
	"github.com/shanxi-water/ledger/projections/taskboard"
)

var _ projections.Snapshotter = (*Notifier)(nil)

// SnapshotName and SnapshotVersion identify the notifier's snapshots.
const (
	SnapshotName    = "notify"
	SnapshotVersion = 1 // the last day checked, added since, is optional: a snapshot without it reads as before
)

// SnapshotKind names the notifier's snapshots.
func (n *Notifier) SnapshotKind() (string, int) { return SnapshotName, SnapshotVersion }

// snapshot is what the notifier needs of the past: the sections with their
// targets, the task board, and the last day it checked for overdue units
// (so that units overdue since are notified after a restart). Its start
// position is not kept: a restarted notifier notifies only events stored
// after it started, as a fresh one does.
type snapshot struct {
	Sections []monitoring.SectionRegistered `json:"sections"`
	Board    json.RawMessage                `json:"board"`
	Checked  *plan.Date                     `json:"checked,omitempty"`
}

// Snapshot encodes the sections and the task board.
func (n *Notifier) Snapshot() ([]byte, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	s := snapshot{Sections: make([]monitoring.SectionRegistered, 0, len(n.sections))}
	if !n.checked.IsZero() {
		s.Checked = &n.checked
	}
	for _, sec := range n.sections {
		s.Sections = append(s.Sections, sec)
	}
	slices.SortFunc(s.Sections, func(a, b monitoring.SectionRegistered) int { return cmp.Compare(a.ID, b.ID) })
	var err error
	if s.Board, err = n.board.Snapshot(); err != nil {
		return nil, err
	}
	return json.Marshal(s)
}

// Restore replaces the sections and the task board with a snapshot's.
func (n *Notifier) Restore(data []byte) error {
	var s snapshot
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("notify snapshot: %w", err)
	}
	board := taskboard.New()
	if err := board.Restore(s.Board); err != nil {
		return fmt.Errorf("notify snapshot: %w", err)
	}
	sections := make(map[monitoring.SectionID]monitoring.SectionRegistered, len(s.Sections))
	for _, sec := range s.Sections {
		sections[sec.ID] = sec
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.sections, n.board, n.checked = sections, board, plan.Date{}
	if s.Checked != nil {
		n.checked = *s.Checked
	}
	return nil
}
