package jetstream

import (
	"context"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// LoseAck makes the store pretend, after each publish that lose says so
// of, that its acknowledgement was lost (the events stored).
func LoseAck(s *Store, lose func() bool) { s.b.loseAck = lose }

// BeforePublish has the store call hook before it publishes a single
// message: an error from hook is returned instead, and nothing published.
func BeforePublish(s *Store, hook func(*nats.Msg) error) {
	s.b.js = hookedJS{JetStream: s.b.js, before: hook}
}

type hookedJS struct {
	jetstream.JetStream
	before func(*nats.Msg) error
}

func (h hookedJS) PublishMsg(ctx context.Context, m *nats.Msg, opts ...jetstream.PublishOpt) (*jetstream.PubAck, error) {
	if err := h.before(m); err != nil {
		return nil, err
	}
	return h.JetStream.PublishMsg(ctx, m, opts...)
}

// AskAgain is the store's askAgain.
func AskAgain(ctx context.Context, s *Store, what string, ask func(context.Context) error) error {
	return s.b.askAgain(ctx, what, ask)
}
