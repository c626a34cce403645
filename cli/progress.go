package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/shanxi-water/ledger/events"
)

// progress draws a bar on stderr for work that takes more than a second:
// done out of total units (bytes of an upload, positions of a replay).
// It draws only on a terminal, or when LEDGER_PROGRESS is set.
type progress struct {
	w     io.Writer
	label string
	done  atomic.Int64
	total atomic.Int64
	stop  chan struct{}
	ended chan struct{}
}

func startProgress(env Env, label string, total int64) *progress {
	p := &progress{w: env.Stderr, label: label, stop: make(chan struct{}), ended: make(chan struct{})}
	p.total.Store(total)
	draw := env.Getenv("LEDGER_PROGRESS") != ""
	if f, ok := env.Stderr.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			draw = true
		}
	}
	go p.run(draw)
	return p
}

func (p *progress) run(draw bool) {
	defer close(p.ended)
	start := time.Now()
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	drawn := false
	for {
		select {
		case <-p.stop:
			if drawn {
				fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", 70))
			}
			return
		case <-t.C:
			if !draw || time.Since(start) < time.Second {
				continue
			}
			drawn = true
			done, total := p.done.Load(), p.total.Load()
			frac := 0.0
			if total > 0 {
				frac = min(1, float64(done)/float64(total))
			}
			n := int(frac * 30)
			fmt.Fprintf(p.w, "\r%s [%s%s] %3.0f%% %s", p.label, strings.Repeat("#", n), strings.Repeat(".", 30-n), 100*frac, time.Since(start).Round(100*time.Millisecond))
		}
	}
}

func (p *progress) finish() {
	close(p.stop)
	<-p.ended
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	p *progress
}

func (c countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.p.done.Add(int64(n))
	return n, err
}

// replayProgress is a store whose reads report the positions they pass.
type replayProgress struct {
	events.Store
	p *progress
}

func (r replayProgress) Read(ctx context.Context, q events.Query, fn func(events.Event) error) error {
	return r.Store.Read(ctx, q, func(e events.Event) error {
		r.p.done.Store(int64(e.Position))
		return fn(e)
	})
}

// withReplayProgress wraps s so that replays through it draw a bar.
func withReplayProgress(ctx context.Context, env Env, s events.Store, label string) (events.Store, func()) {
	last, err := s.LastPosition(ctx)
	if err != nil {
		return s, func() {}
	}
	p := startProgress(env, label, int64(last))
	return replayProgress{s, p}, p.finish
}
