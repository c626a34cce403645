package benchmarks

import (
	"context"
	"os"
	"sync"
	"testing"

	njs "github.com/nats-io/nats.go/jetstream"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/demo"
	"github.com/shanxi-water/ledger/events/jetstream"
)

var (
	demoOnce sync.Once
	demoDir  string
	demoErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if demoDir != "" {
		os.RemoveAll(demoDir)
	}
	os.Exit(code)
}

// demoStore opens the demo province (loaded once per process, as `ledger
// demo` loads it: about 40 seconds).
func demoStore(b *testing.B) *jetstream.Store {
	b.Helper()
	ctx := context.Background()
	demoOnce.Do(func() {
		if demoDir, demoErr = os.MkdirTemp("", "ledger-bench-demo-"); demoErr != nil {
			return
		}
		clock := demo.NewClock()
		s, err := jetstream.Open(ctx, jetstream.Config{DataDir: demoDir, Registry: app.Registry(), Clock: clock.Now})
		if err != nil {
			demoErr = err
			return
		}
		defer s.Close()
		_, demoErr = demo.Load(ctx, s, clock, 2015, nil)
	})
	if demoErr != nil {
		b.Fatal(demoErr)
	}
	s, err := jetstream.Open(ctx, jetstream.Config{DataDir: demoDir, Registry: app.Registry()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// rawDrain reads every message of the log's stream with an ordered
// consumer, touching subject, headers and body and decoding nothing: what
// a raw nats.go client does to read the log.
func rawDrain(b testing.TB, s *jetstream.Store, body func([]byte)) (msgs, bytes int) {
	return rawScan(b, s, nil, body)
}

// rawScan is rawDrain of the messages on the subjects (all with none).
func rawScan(b testing.TB, s *jetstream.Store, subjects []string, body func([]byte)) (msgs, bytes int) {
	b.Helper()
	ctx := context.Background()
	cons, err := s.JetStream().OrderedConsumer(ctx, s.StreamName(), njs.OrderedConsumerConfig{FilterSubjects: subjects})
	if err != nil {
		b.Fatal(err)
	}
	it, err := cons.Messages(njs.PullMaxMessages(2000))
	if err != nil {
		b.Fatal(err)
	}
	defer it.Stop()
	for {
		m, err := it.Next()
		if err != nil {
			b.Fatal(err)
		}
		md, err := m.Metadata()
		if err != nil {
			b.Fatal(err)
		}
		msgs++
		bytes += len(m.Subject()) + len(m.Data())
		if body != nil {
			body(m.Data())
		}
		for k, v := range m.Headers() {
			bytes += len(k)
			for _, x := range v {
				bytes += len(x)
			}
		}
		if md.NumPending == 0 {
			return msgs, bytes
		}
	}
}
