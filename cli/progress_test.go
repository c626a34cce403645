package cli

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// Work longer than a second draws a bar; shorter work draws nothing.
func TestProgressBar(t *testing.T) {
	var long, short syncBuffer
	env := func(w *syncBuffer) Env {
		return Env{Stderr: w, Getenv: func(k string) string { return map[string]string{"LEDGER_PROGRESS": "1"}[k] }}
	}
	p := startProgress(env(&long), "importing", 200)
	p.done.Store(100)
	time.Sleep(1300 * time.Millisecond)
	p.finish()
	require.Contains(t, long.String(), "importing [###############...............]  50%")

	q := startProgress(env(&short), "importing", 200)
	q.done.Store(200)
	q.finish()
	require.Empty(t, strings.TrimSpace(short.String()))
}
