package notify

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// gate is a Claimer that claims nothing until opened.
type gate struct{ open chan struct{} }

func (g gate) Claim(ctx context.Context, key string) (bool, error) {
	<-g.open
	return true, nil
}

// Notifications wait for their claims in a queue without bound: handing
// over never blocks the events behind them, however many (an upload of
// 98,000 exceedances filled a bounded queue and held every read); a stop
// that cannot wait for them says how many are left.
func TestOutboxNeverBlocks(t *testing.T) {
	var sent atomic.Int64
	n := New(func(string, []byte) error { sent.Add(1); return nil }, 0, nil)
	g := gate{open: make(chan struct{})}
	n.UseClaims(g)
	const many = 100_000
	handed := make(chan struct{})
	go func() {
		for i := range many {
			n.mu.Lock()
			n.send(Notification{Kind: Exceedance, Scope: "140100", Subject: fmt.Sprint(i)})
			n.mu.Unlock()
		}
		close(handed)
	}()
	require.Eventually(t, func() bool {
		select {
		case <-handed:
			return true
		default:
			return false
		}
	}, 30*time.Second, 10*time.Millisecond, "every notification handed over while none could be claimed")
	require.Positive(t, n.FlushWithin(10*time.Millisecond), "still queued")
	close(g.open)
	n.Flush()
	require.Equal(t, int64(many), sent.Load())
	require.Zero(t, n.FlushWithin(time.Second))
}
