package jetstream

import (
	"bytes"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/events"
)

// FuzzDecode feeds an arbitrary stored message to the decoder: a subject, a
// header block as NATS writes it (NATS/1.0, then "Key: value" lines) and a
// body. The decoder never panics. It either refuses the message, or returns
// an event on that subject whose encoding decodes back to the same envelope,
// with the same canonical form and hash.
//
// Seeds: testdata/fuzz/FuzzDecode (messages as the ledger writes them, and
// broken variants).
func FuzzDecode(f *testing.F) {
	f.Fuzz(func(t *testing.T, subject string, header, body []byte, seq uint64) {
		h, err := nats.DecodeHeadersMsg(header)
		if err != nil {
			h = nil // a block NATS itself would refuse: the decoder sees no headers
		}
		e, err := decode(subject, h, body, seq)
		if err != nil {
			require.Nil(t, e)
			return
		}
		require.Equal(t, subject, Subject(e), "stored on the subject it names")
		require.Equal(t, seq, e.Position)
		require.True(t, bytes.Equal(body, e.Payload), "the payload is the body")

		m := encode(e, events.FormatTime(e.RecordedAt))
		require.Equal(t, subject, m.Subject)
		back, err := decode(m.Subject, m.Header, m.Data, seq)
		require.NoError(t, err, "re-encoded %+v", m.Header)
		requireSameEnvelope(t, e, back)
	})
}

func requireSameEnvelope(t *testing.T, want, got *events.Event) {
	t.Helper()
	require.Equal(t, want.ID, got.ID)
	require.Equal(t, want.Name, got.Name)
	require.Equal(t, want.Schema, got.Schema)
	require.Equal(t, want.Aggregate, got.Aggregate)
	require.Equal(t, want.Version, got.Version)
	require.Equal(t, want.Position, got.Position)
	require.True(t, want.OccurredAt.Equal(got.OccurredAt), "occurred-at %s, back %s", want.OccurredAt, got.OccurredAt)
	require.True(t, want.RecordedAt.Equal(got.RecordedAt), "recorded-at %s, back %s", want.RecordedAt, got.RecordedAt)
	require.Equal(t, want.Actor, got.Actor)
	require.Equal(t, want.CorrelationID, got.CorrelationID)
	require.Equal(t, want.CausationID, got.CausationID)
	require.Equal(t, want.PrevHash, got.PrevHash)
	require.Equal(t, want.Hash, got.Hash)
	require.Equal(t, string(want.Canonical()), string(got.Canonical()))
	require.Equal(t, want.ComputeHash(), got.ComputeHash())
}
