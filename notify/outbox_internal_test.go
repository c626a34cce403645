package notify

import (
	"context"
	"fmt"
	"runtime"
	"strings"
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
	defer n.Close()
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

// goroutinesIn counts the goroutines whose stack holds fn.
func goroutinesIn(fn string) int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, fn) {
			n++
		}
	}
	return n
}

// A flush that gives up leaves nothing waiting behind it (it left a
// goroutine waiting for the queue to drain), and Close stops the goroutine
// that claims and sends, even inside a claim, and says how many it leaves
// unsent; nothing handed over after is sent.
func TestOutboxStops(t *testing.T) {
	var sent atomic.Int64
	n := New(func(string, []byte) error { sent.Add(1); return nil }, 0, nil)
	g := ctxGate{open: make(chan struct{})}
	before := goroutinesIn("notify.(*Notifier).claimAndDeliver") // other tests'
	n.UseClaims(g)
	n.mu.Lock()
	for i := range 3 {
		n.send(Notification{Kind: Exceedance, Scope: "140100", Subject: fmt.Sprint(i)})
	}
	n.mu.Unlock()
	require.Equal(t, 3, n.FlushWithin(10*time.Millisecond), "all three still queued or being claimed")
	require.Zero(t, goroutinesIn("notify.(*Notifier).FlushWithin"), "nothing left waiting by the flush")
	require.Equal(t, before+1, goroutinesIn("notify.(*Notifier).claimAndDeliver"))

	require.Equal(t, 3, n.Close())
	require.Eventually(t, func() bool { return goroutinesIn("notify.(*Notifier).claimAndDeliver") == before },
		5*time.Second, 10*time.Millisecond, "the claiming goroutine stopped, inside its claim")
	require.Zero(t, n.FlushWithin(time.Second), "nothing left pending once stopped")
	n.mu.Lock()
	n.send(Notification{Kind: Exceedance, Scope: "140100", Subject: "late"})
	n.mu.Unlock()
	close(g.open)
	n.Flush()
	require.Zero(t, sent.Load(), "nothing sent after Close")
	require.Zero(t, n.Close(), "closing again")
}

// A notification claimed just as the notifier closes is sent: no other
// process will send it, its key taken. Close waits for it, and counts only
// the others as unsent.
func TestOutboxSendsWhatItClaimedAsItCloses(t *testing.T) {
	var sent atomic.Int64
	n := New(func(string, []byte) error { sent.Add(1); return nil }, 0, nil)
	claiming := make(chan struct{}, 1)
	n.UseClaims(claimAtClose{claiming})
	n.mu.Lock()
	for i := range 3 {
		n.send(Notification{Kind: Exceedance, Scope: "140100", Subject: fmt.Sprint(i)})
	}
	n.mu.Unlock()
	<-claiming
	require.Equal(t, 2, n.Close(), "the two behind it")
	require.Equal(t, int64(1), sent.Load(), "the one claimed, sent before Close returned")
}

// claimAtClose is a Claimer whose claims succeed as their context ends.
type claimAtClose struct{ claiming chan struct{} }

func (c claimAtClose) Claim(ctx context.Context, key string) (bool, error) {
	select {
	case c.claiming <- struct{}{}:
	default:
	}
	<-ctx.Done()
	return true, nil
}

// ctxGate is a Claimer that claims nothing until opened, or its context ends.
type ctxGate struct{ open chan struct{} }

func (g ctxGate) Claim(ctx context.Context, key string) (bool, error) {
	select {
	case <-g.open:
		return true, nil
	case <-ctx.Done():
		return false, ctx.Err()
	}
}
