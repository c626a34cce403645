package events

import (
	"bytes"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// Ids are UUIDv7s, made in one batch or one at a time, unique and in
// increasing order, their time within a moment of the clock.
func TestNewIDs(t *testing.T) {
	var all []uuid.UUID
	for _, n := range []int{1, 1000, 3, 1, 5000, 2} {
		before := time.Now().Add(-time.Millisecond)
		ids := make([]uuid.UUID, n)
		if n == 1 {
			ids[0] = NewID()
		} else {
			newIDs(ids)
		}
		for _, id := range ids {
			require.Equal(t, uuid.Version(7), id.Version())
			require.Equal(t, uuid.RFC4122, id.Variant())
			sec, nsec := id.Time().UnixTime()
			at := time.Unix(sec, nsec)
			require.False(t, at.Before(before.Truncate(time.Millisecond)), "%s at %s", id, at)
			require.True(t, at.Before(time.Now().Add(time.Second)), "%s at %s", id, at)
			// the same as uuid.NewV7 makes, to its parser
			back, err := uuid.Parse(id.String())
			require.NoError(t, err)
			require.Equal(t, id, back)
		}
		all = append(all, ids...)
	}
	for i := 1; i < len(all); i++ {
		require.Negative(t, bytes.Compare(all[i-1][:], all[i][:]), "id %d follows %d", i, i-1)
	}
}

// The hash of a sealed event, made with its recorded-at formatted once for
// the append, is the hash of its canonical form.
func TestHashWithRecorded(t *testing.T) {
	e := Event{ID: NewID(), Name: "note.noted", Schema: 1, Aggregate: Aggregate{Scope: "140100", Type: "note", ID: "A"},
		Version: 3, OccurredAt: time.Date(2019, 1, 2, 3, 4, 5, 6000, time.UTC), RecordedAt: time.Date(2020, 1, 2, 3, 4, 5, 123456000, time.UTC),
		Payload: []byte(`{"text":"x"}`)}
	h, _ := e.hashWith(nil, AppendTime(nil, e.RecordedAt))
	require.Equal(t, e.ComputeHash(), h)
	require.Equal(t, sha256.Sum256(e.Canonical()), [32]byte(h))
}
