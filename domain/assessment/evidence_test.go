package assessment

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// An upload of three samples is one event: its position is named once, and
// the positions come in log order.
func TestEvidenceEventsOnce(t *testing.T) {
	e := Evidence{Positions: []uint64{3413, 3413, 3413, 3641, 3641, 4191, 3000}}
	require.Equal(t, []uint64{3000, 3413, 3641, 4191}, e.Events())
	require.Equal(t, []uint64{3413, 3413, 3413, 3641, 3641, 4191, 3000}, e.Positions, "left as it was")
	require.Empty(t, Evidence{Positions: []uint64{}}.Events())
}

func TestEvidencePartLabel(t *testing.T) {
	require.Equal(t, "断面达标", Evidence{Part: "sections"}.PartLabel())
	require.Equal(t, "重点任务按时完成", Evidence{Part: "tasks"}.PartLabel())
}
