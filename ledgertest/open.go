package ledgertest

import (
	"context"
	"testing"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/events/jetstream"
)

// Open opens a store on the embedded JetStream server in a test's temporary
// directory, on a clock at Start, and sets up the test province in it
// (History.Setup) with the seed; the store is closed when the test ends.
func Open(t testing.TB, seed uint64) (*jetstream.Store, *History) {
	t.Helper()
	ctx := context.Background()
	c := NewClock(Start)
	s, err := jetstream.Open(ctx, jetstream.Config{DataDir: t.TempDir(), Registry: app.Registry(), Clock: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	h := New(s, c, seed)
	if err := h.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	return s, h
}
