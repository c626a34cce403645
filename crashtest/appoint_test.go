package crashtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/officials"
	"github.com/shanxi-water/ledger/domain/plan"
	"github.com/shanxi-water/ledger/events/jetstream"
)

// Two `ledger serve` processes on one NATS server, each asked at the same
// moment to appoint a different person as the same city's mayor: in every
// city exactly one appointment is stored and the other refused as a
// conflict, and the register holds no clash.
func TestTwoServersAppointOneMayor(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("skipped: the servers are child processes stopped with signals")
	}
	ns, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(),
		SyncAlways: true, NoSigs: true, NoLog: true})
	require.NoError(t, err)
	ns.Start()
	require.True(t, ns.ReadyForConnections(10*time.Second))
	t.Cleanup(ns.Shutdown)

	bin := buildLedger(t)
	store := []string{"--nats", ns.ClientURL(), "--tokens", filepath.Join(t.TempDir(), "tokens.json")}
	client := &http.Client{Timeout: 30 * time.Second}
	a := &harness{t: t, bin: bin, args: store, addr: freeAddr(t), client: client}
	sa := a.start() // the first start writes the token file and prints the administrator's token
	defer a.kill(sa)
	b := &harness{t: t, bin: bin, args: store, addr: freeAddr(t), client: client, token: a.token}
	sb := b.start()
	defer b.kill(sb)

	post := func(h *harness, path string, body any) (int, string) {
		raw, err := json.Marshal(body)
		require.NoError(t, err)
		resp, out, err := h.do("POST", path, "application/json", raw)
		require.NoError(t, err)
		return resp.StatusCode, string(out)
	}
	cities := domain.Cities
	for _, c := range cities {
		for _, side := range []string{"a", "b"} {
			code, out := post(a, "/api/officials", officials.Registered{ID: officials.PersonID(fmt.Sprintf("mayor-%s-%s", c.ID, side)), Name: "候选人"})
			require.Equal(t, http.StatusCreated, code, out)
		}
	}

	from, err := plan.ParseDate("2018-03-01")
	require.NoError(t, err)
	for _, c := range cities {
		var wg sync.WaitGroup
		codes := map[string]int{}
		var mu sync.Mutex
		start := make(chan struct{})
		for side, h := range map[string]*harness{"a": a, "b": b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				code, out := post(h, fmt.Sprintf("/api/officials/mayor-%s-%s/appointments", c.ID, side),
					officials.Appointed{Position: officials.Position{Post: officials.Mayor, City: c.ID}, From: from, DocumentNo: "任〔2018〕1号"})
				if code != http.StatusCreated {
					require.Equal(t, http.StatusConflict, code, out)
				}
				mu.Lock()
				codes[side] = code
				mu.Unlock()
			}()
		}
		close(start)
		wg.Wait()
		created := 0
		for _, code := range codes {
			if code == http.StatusCreated {
				created++
			}
		}
		require.Equal(t, 1, created, "%s: %v", c.Name, codes)
	}

	ctx := context.Background()
	s, err := jetstream.Open(ctx, jetstream.Config{URL: ns.ClientURL(), Registry: app.Registry()})
	require.NoError(t, err)
	defer s.Close()
	ro, err := app.LoadRoster(ctx, s)
	require.NoError(t, err)
	require.Empty(t, ro.Clashes())
	rep, err := s.Verify(ctx)
	require.NoError(t, err)
	require.True(t, rep.OK(), "%v", rep.First())
}
