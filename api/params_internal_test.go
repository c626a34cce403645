package api

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/domain"
)

// An action's ?date=: a time as given, today as now, another day as noon.
func TestTimeParam(t *testing.T) {
	now := time.Date(2026, 11, 29, 9, 30, 0, 0, domain.CST)
	s := &Server{now: func() time.Time { return now }}
	for _, tc := range []struct {
		q    string
		want time.Time
	}{
		{"", now},
		{"?date=2026-11-29", now},
		{"?date=2026-11-28", time.Date(2026, 11, 28, 12, 0, 0, 0, domain.CST)},
		{"?date=2019-05-01T14:30:00%2B08:00", time.Date(2019, 5, 1, 14, 30, 0, 0, domain.CST)},
	} {
		got, err := s.timeParam(httptest.NewRequest("POST", "/api/enterprises"+tc.q, nil))
		require.NoError(t, err, tc.q)
		require.True(t, tc.want.Equal(got), "%s: %v, want %v", tc.q, got, tc.want)
	}
	_, err := s.timeParam(httptest.NewRequest("POST", "/api/enterprises?date=2019-13-01", nil))
	require.Equal(t, "date", domain.FieldOf(err))
}
