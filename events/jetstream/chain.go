package jetstream

import (
	"sync"
	"time"

	"github.com/shanxi-water/ledger/events"
)

// A commit's expected versions are checked by the server: each aggregate's
// first message carries the position of the aggregate's last event
// (Nats-Expected-Last-Subject-Sequence, with the aggregate's subjects as a
// wildcard). For each such check the server looks the aggregate's last
// message up in its message blocks, which costs it more than storing a
// dozen messages: with ten aggregates it made a durable append about 6%
// slower than the same batch without the checks.
//
// When this backend wrote the aggregate's last event itself, and nothing has
// been written to the stream since its own last commit, one check of the
// stream's last position (Nats-Expected-Last-Sequence, an integer comparison
// for the server) implies the aggregate's: chain keeps what that takes.
//
// It holds end, the last position of a run of commits by this backend in
// which each commit starts right after the one before (nothing else was
// written in between), and heads, the position of the last event, as of
// end, of each aggregate written in that run. If the stream's last position
// is still end when a commit is checked, no event has been stored since,
// so each of those heads is still its aggregate's last event. A commit
// then carries the check of end on its first message, and per-aggregate
// checks only for the aggregates it cannot vouch for (not written in the run,
// or expected at another position). The server refuses the batch if the
// stream has moved; the commit is then sent again with per-aggregate checks,
// and the run starts afresh. This relies on events never leaving the
// stream, as the ledger's stream denies deletes and purges; a stream opened
// with AllowUnsafeStream is always checked aggregate by aggregate.
type chain struct {
	mu       sync.Mutex
	end      uint64
	heads    map[events.Aggregate]uint64
	inflight int       // commits being sent by this backend
	off      time.Time // after another writer was seen, the run is not used until then
}

// chainPlan is what one commit checks.
type chainPlan struct {
	end   uint64                    // the stream's expected last position; 0: none
	at    bool                      // end is expected even if 0 (an empty stream)
	vouch map[events.Aggregate]bool // aggregates whose check that implies
}

// maxChainHeads bounds the heads kept; past it a run starts afresh.
const maxChainHeads = 1 << 16

// chainBackoff is how long the run is not used after another writer's
// event made a commit that relied on it fail.
const chainBackoff = 30 * time.Second

// plan returns what a commit expecting expect can rely on. Each call must be
// followed by one call of done.
func (c *chain) plan(expect map[events.Aggregate]events.Head) chainPlan {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.inflight++
	// With another commit of this backend on its way the stream's end is
	// about to move: rely on nothing.
	if c.end == 0 || c.inflight > 1 || time.Now().Before(c.off) {
		return chainPlan{}
	}
	var vouch map[events.Aggregate]bool
	for agg, h := range expect {
		if p, ok := c.heads[agg]; ok && p == h.Position {
			if vouch == nil {
				vouch = make(map[events.Aggregate]bool, len(expect))
			}
			vouch[agg] = true
		}
	}
	if vouch == nil {
		return chainPlan{}
	}
	return chainPlan{end: c.end, vouch: vouch}
}

// failed is told that the server refused a commit planned with p because of
// a check: the stream had moved past p.end. If a commit of this backend
// moved it, the run goes on from that commit; if none could have, another
// writer did.
func (c *chain) failed(p chainPlan) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.end != p.end {
		return
	}
	c.end = 0
	clear(c.heads)
	if c.inflight == 1 {
		c.off = time.Now().Add(chainBackoff)
	}
}

// done records the outcome of a commit: evs, at their positions, if stored.
func (c *chain) done(evs []*events.Event, stored bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.inflight--
	if !stored {
		return
	}
	first, last := evs[0].Position, evs[len(evs)-1].Position
	if last <= c.end {
		return // an earlier commit, told after a later one
	}
	if c.heads == nil {
		c.heads = map[events.Aggregate]uint64{}
	}
	if c.end == 0 || first != c.end+1 || len(c.heads) >= maxChainHeads {
		// Something may have been written before it: a new run, from it.
		clear(c.heads)
	}
	for _, e := range evs {
		c.heads[e.Aggregate] = e.Position // events are in position order: the last one stays
	}
	c.end = last
}
