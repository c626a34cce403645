package taskboard

import (
	"fmt"

	"github.com/shanxi-water/ledger/domain/tasks"
	"github.com/shanxi-water/ledger/projections"
)

var _ projections.Snapshotter = (*Board)(nil)

// SnapshotName and SnapshotVersion identify the board's snapshots. Raise
// the version whenever the board's state or Apply changes.
const (
	SnapshotName    = "taskboard"
	SnapshotVersion = 1
)

var payloads = projections.NewPayloadTypes(tasks.Listed{}, tasks.StatusChanged{})

// SnapshotKind names the board's snapshots.
func (b *Board) SnapshotKind() (string, int) { return SnapshotName, SnapshotVersion }

// Snapshot encodes the board as the task events it applied (a few
// thousand at most): see projections.Inputs.
func (b *Board) Snapshot() ([]byte, error) { return b.inputs.Encode(payloads, b.LastEvent) }

// Restore replaces the board's state with a snapshot's.
func (b *Board) Restore(data []byte) error {
	evs, last, err := projections.DecodeInputs(data, payloads)
	if err != nil {
		return fmt.Errorf("taskboard snapshot: %w", err)
	}
	out := New()
	for _, e := range evs {
		out.Apply(e)
	}
	if out.inputs.Len() != len(evs) {
		return fmt.Errorf("taskboard snapshot: %d of its %d events do not apply", len(evs)-out.inputs.Len(), len(evs))
	}
	out.LastEvent = last
	*b = *out
	return nil
}
