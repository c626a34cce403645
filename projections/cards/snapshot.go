package cards

import (
	"fmt"

	"github.com/shanxi-water/ledger/domain/enforcement"
	"github.com/shanxi-water/ledger/projections"
)

var _ projections.Snapshotter = (*Model)(nil)

// SnapshotName and SnapshotVersion identify the model's snapshots. Raise
// the version whenever the model's state or Apply changes.
const (
	SnapshotName    = "cards"
	SnapshotVersion = 3 // 2: enterprise closures; 3: an enterprise's inspections in date order
)

var payloads = projections.NewPayloadTypes(enforcement.CardListPublished{}, enforcement.EnterpriseRegistered{},
	enforcement.Inspected{}, enforcement.YellowCardIssued{}, enforcement.RedCardIssued{}, enforcement.CardLifted{},
	enforcement.CardRevoked{}, enforcement.EnterpriseClosed{})

// SnapshotKind names the model's snapshots.
func (m *Model) SnapshotKind() (string, int) { return SnapshotName, SnapshotVersion }

// Snapshot encodes the model as the enterprise and card-list events it
// applied: see projections.Inputs.
func (m *Model) Snapshot() ([]byte, error) { return m.inputs.Encode(payloads, m.LastEvent) }

// Restore replaces the model's state with a snapshot's.
func (m *Model) Restore(data []byte) error {
	evs, last, err := projections.DecodeInputs(data, payloads)
	if err != nil {
		return fmt.Errorf("cards snapshot: %w", err)
	}
	out := New()
	for _, e := range evs {
		out.Apply(e)
	}
	if out.inputs.Len() != len(evs) {
		return fmt.Errorf("cards snapshot: %d of its %d events do not apply", len(evs)-out.inputs.Len(), len(evs))
	}
	out.LastEvent = last
	*m = *out
	return nil
}
