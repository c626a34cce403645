package projections

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestUnskipped(t *testing.T) {
	at := time.Date(2019, 3, 20, 0, 0, 0, 0, time.UTC)
	later, earlier := at.Add(time.Hour), at.Add(-time.Hour)
	span := func(since, pos uint64, min time.Time) SnapshotInfo {
		return SnapshotInfo{Since: since, Position: pos, MinRecordedAt: min}
	}
	for _, tc := range []struct {
		name     string
		from     uint64
		end      uint64
		spans    []SnapshotInfo
		expected [][2]uint64
	}{
		{"no spans", 5, 20, nil, [][2]uint64{{5, 20}}},
		{"nothing to read", 21, 20, nil, nil},
		{"a later span in the middle", 5, 20, []SnapshotInfo{span(8, 12, later)}, [][2]uint64{{5, 8}, {13, 20}}},
		{"an earlier span is read", 5, 20, []SnapshotInfo{span(8, 12, earlier)}, [][2]uint64{{5, 20}}},
		{"unknown minimum is read", 5, 20, []SnapshotInfo{span(8, 12, time.Time{})}, [][2]uint64{{5, 20}}},
		{"spans in a row to the end", 5, 20, []SnapshotInfo{span(12, 20, later), span(4, 12, later)}, nil},
		{"overlapping and nested", 1, 30, []SnapshotInfo{span(5, 15, later), span(10, 12, later), span(14, 18, later)}, [][2]uint64{{1, 5}, {19, 30}}},
		{"a span before the start", 10, 30, []SnapshotInfo{span(0, 9, later), span(5, 12, later)}, [][2]uint64{{13, 30}}},
		{"a span past the log's end is not trusted", 1, 30, []SnapshotInfo{span(20, 40, later)}, [][2]uint64{{1, 30}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.expected, unskipped(tc.from, tc.end, laterSpans(tc.spans, at)))
		})
	}
}
