package crashtest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/api"
	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/monitoring"
	"github.com/shanxi-water/ledger/domain/water"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/events/jetstream"
)

// kills is how many times the server is killed; each kill comes at a random
// moment while uploads are going on.
const kills = 12

var sections = []monitoring.SectionRegistered{
	{ID: "FH-WDB", Name: "温南社", River: "汾河", Basin: domain.Yellow, City: "140100", Kind: water.River, Level: monitoring.National, Automatic: true, Assessed: true},
	{ID: "FH-XYC", Name: "小店桥", River: "汾河", Basin: domain.Yellow, City: "140100", Kind: water.River, Level: monitoring.Provincial, Automatic: true, Assessed: true},
	{ID: "FH-HJDQ", Name: "河津大桥", River: "汾河", Basin: domain.Yellow, City: "140800", Kind: water.River, Level: monitoring.National, Automatic: true, Assessed: true},
	{ID: "SSH-ZLC", Name: "张留庄", River: "涑水河", Basin: domain.Yellow, City: "140800", Kind: water.River, Level: monitoring.Provincial, Automatic: true, Assessed: true},
}

// server is one run of `ledger serve` as a child process.
type server struct {
	cmd    *exec.Cmd
	stderr *bytes.Buffer // JSON log lines
	mu     *sync.Mutex
	done   chan struct{}
}

func (s *server) log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stderr.String()
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(p)
}

type harness struct {
	t      *testing.T
	bin    string
	args   []string // where the store is: --data DIR, or --nats URL --tokens FILE
	addr   string
	token  string
	client *http.Client
}

// start runs the server and waits until it is ready; on the first start it
// reads the administrator token it prints.
func (h *harness) start() *server {
	h.t.Helper()
	cmd := exec.Command(h.bin, append([]string{"serve", "--listen", h.addr,
		"--snapshot-every", "150", "--snapshot-interval", "500ms"}, h.args...)...)
	stdout, err := cmd.StdoutPipe()
	require.NoError(h.t, err)
	s := &server{cmd: cmd, stderr: &bytes.Buffer{}, mu: &sync.Mutex{}, done: make(chan struct{})}
	cmd.Stderr = lockedWriter{s.mu, s.stderr}
	require.NoError(h.t, cmd.Start())
	go func() { _ = cmd.Wait(); close(s.done) }()
	sc := bufio.NewScanner(stdout)
	serving := false
	for !serving && sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "    ") && h.token == "":
			h.token = strings.TrimSpace(line)
		case strings.HasPrefix(line, "serving the ledger on"):
			serving = true
		}
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	require.True(h.t, serving, "the server did not start:\n%s", s.log())
	require.NotEmpty(h.t, h.token, "no administrator token printed")
	require.Eventually(h.t, func() bool {
		resp, err := h.client.Get("http://" + h.addr + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 60*time.Second, 20*time.Millisecond, "never ready:\n%s", s.log())
	return s
}

func (h *harness) kill(s *server) {
	h.t.Helper()
	require.NoError(h.t, s.cmd.Process.Signal(syscall.SIGKILL))
	<-s.done
}

func (h *harness) do(method, path, contentType string, body []byte) (*http.Response, []byte, error) {
	req, err := http.NewRequest(method, "http://"+h.addr+path, bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+h.token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

// buildLedger builds cmd/ledger into a temporary directory.
func buildLedger(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "ledger")
	built := time.Now()
	build := exec.Command(goBin, "build", "-o", bin, "./cmd/ledger")
	build.Dir = ".."
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	t.Logf("built the ledger in %v", time.Since(built).Round(time.Millisecond))
	return bin
}

// freeAddr is a loopback address with a free port.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

// upload is one station upload: a CSV of samples at times no other upload
// uses.
type upload struct {
	name    string
	csv     []byte
	samples []string // section|time|source
}

// uploads makes the n-th upload of an importer: for each of its sections,
// six hours of automatic samples (hourly) and, on the first of each day's
// uploads, the day's manual sample.
func makeUpload(importer, n int, secs []monitoring.SectionRegistered, rng *rand.Rand) upload {
	var b bytes.Buffer
	b.WriteString("section,sampled_at,source,pH,DO,CODMn,NH3-N,TP\n")
	u := upload{name: fmt.Sprintf("importer%d-%05d.csv", importer, n)}
	start := time.Date(2019, 1, 1, 0, 0, 0, 0, domain.CST).Add(time.Duration(n) * 6 * time.Hour)
	for _, sec := range secs {
		for h := range 6 {
			at := start.Add(time.Duration(h) * time.Hour)
			fmt.Fprintf(&b, "%s,%s,auto,%.2f,%.1f,%.1f,%.3f,%.3f\n", sec.ID, at.Format("2006-01-02 15:04"),
				7+rng.Float64(), 4+4*rng.Float64(), 2+6*rng.Float64(), 2*rng.Float64(), 0.3*rng.Float64())
			u.samples = append(u.samples, fmt.Sprintf("%s|%s|auto", sec.ID, at.UTC().Format(time.RFC3339)))
		}
		if n%4 == 0 {
			at := start.Add(9*time.Hour + 30*time.Minute)
			fmt.Fprintf(&b, "%s,%s,manual,%.2f,%.1f,%.1f,%.3f,%.3f\n", sec.ID, at.Format("2006-01-02 15:04"),
				7+rng.Float64(), 4+4*rng.Float64(), 2+6*rng.Float64(), 2*rng.Float64(), 0.3*rng.Float64())
			u.samples = append(u.samples, fmt.Sprintf("%s|%s|manual", sec.ID, at.UTC().Format(time.RFC3339)))
		}
	}
	u.csv = b.Bytes()
	return u
}

type tally struct {
	mu        sync.Mutex
	acked     map[string]int // sample -> acknowledgements
	uploads   int
	retried   int // uploads sent more than once
	foundDone int // retried uploads the server had stored before its crash
}

// importer uploads until stop is closed, each upload again and again until
// the server acknowledges it (the import is idempotent).
func (h *harness) importer(id int, secs []monitoring.SectionRegistered, stop <-chan struct{}, tl *tally, failed *atomic.Value) {
	rng := rand.New(rand.NewPCG(uint64(id), 99))
	for n := 0; ; n++ {
		select {
		case <-stop:
			return
		default:
		}
		u := makeUpload(id, n, secs, rng)
		for try := 0; ; try++ {
			resp, body, err := h.do("POST", "/api/samples/import?file="+u.name, "text/csv", u.csv)
			if err == nil && resp.StatusCode == http.StatusOK {
				var res app.ImportResult
				if err := json.Unmarshal(body, &res); err != nil || res.Stored+res.AlreadyStored != len(u.samples) {
					failed.Store(fmt.Errorf("upload %s: %v: %s", u.name, err, body))
					return
				}
				tl.mu.Lock()
				tl.uploads++
				for _, s := range u.samples {
					tl.acked[s]++
				}
				if try > 0 {
					tl.retried++
					if res.AlreadyStored > 0 {
						tl.foundDone++
					}
				}
				tl.mu.Unlock()
				break
			}
			if err == nil && resp.StatusCode < 500 && resp.StatusCode != http.StatusConflict {
				failed.Store(fmt.Errorf("upload %s refused: %d %s", u.name, resp.StatusCode, body))
				return
			}
			time.Sleep(20 * time.Millisecond) // the server is down or restarting
		}
	}
}

// The crash test of issue 8: SIGKILL at random moments during continuous
// uploads, at least ten times, restarting each time on the same data.
func TestKilledServerLosesNothing(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skipf("skipped: %s cannot send SIGKILL to a child process", runtime.GOOS)
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	h := &harness{t: t, bin: buildLedger(t), args: []string{"--data", data}, addr: freeAddr(t), client: &http.Client{Timeout: 30 * time.Second}}

	began := time.Now()
	srv := h.start()
	defer func() {
		if srv != nil {
			h.kill(srv)
		}
	}()
	for _, sec := range sections {
		sec.Targets = monitoring.Targets{2019: water.ClassIII, 2020: water.ClassIV}
		body, err := json.Marshal(sec)
		require.NoError(t, err)
		resp, b, err := h.do("POST", "/api/sections", "application/json", body)
		require.NoError(t, err)
		require.Equal(t, http.StatusCreated, resp.StatusCode, "%s", b)
	}

	tl := &tally{acked: map[string]int{}}
	var failed atomic.Value
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.importer(i, sections[2*i:2*i+2], stop, tl, &failed)
		}()
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	restored := 0
	for k := range kills {
		time.Sleep(time.Duration(150+rng.IntN(850)) * time.Millisecond)
		h.kill(srv)
		srv = nil
		srv = h.start()
		if strings.Contains(srv.log(), `"projections restored from snapshot"`) {
			restored++
		}
		if err, _ := failed.Load().(error); err != nil {
			t.Fatalf("after kill %d: %v", k+1, err)
		}
	}
	time.Sleep(500 * time.Millisecond)
	close(stop)
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d kills in %v; %d uploads acknowledged (%d samples), %d sent again after a kill, %d of them found already stored; %d restarts restored projection snapshots",
		kills, time.Since(began).Round(time.Millisecond), tl.uploads, len(tl.acked), tl.retried, tl.foundDone, restored)
	require.Positive(t, restored, "some restart started from a snapshot")

	// The restarted server: caught up, every chain verifies, and its live
	// projections as they answer.
	resp, body, err := h.do("GET", "/readyz", "", nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	resp, body, err = h.do("GET", "/api/verify", "", nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	var rep events.Report
	require.NoError(t, json.Unmarshal(body, &rep))
	require.Empty(t, rep.Problems)
	require.Positive(t, rep.Events)
	live := h.queries(func(path string) []byte {
		resp, body, err := h.do("GET", path, "", nil)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", path, body)
		return body
	})

	// The final stop, gracefully: it takes a last snapshot.
	require.NoError(t, srv.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case <-srv.done:
	case <-time.After(60 * time.Second):
		t.Fatalf("no graceful stop:\n%s", srv.log())
	}
	require.True(t, srv.cmd.ProcessState.Success(), "exit: %v\n%s", srv.cmd.ProcessState, srv.log())
	srv = nil

	t.Logf("checked the live server and stopped it: %v", time.Since(began).Round(time.Millisecond))

	// In process, on the same data: every acknowledged sample stored
	// exactly once, and nothing else.
	ctx := context.Background()
	s, err := jetstream.Open(ctx, jetstream.Config{DataDir: data, Registry: app.Registry()})
	require.NoError(t, err)
	defer s.Close()
	stored := map[string]int{}
	err = s.Read(ctx, events.Query{Names: []events.Name{app.SamplesRecorded}}, func(e events.Event) error {
		for _, sm := range e.Data.(monitoring.SamplesRecorded).Samples.Rows() {
			stored[fmt.Sprintf("%s|%s|%s", e.Aggregate.ID, sm.At.UTC().Format(time.RFC3339), sm.Source)]++
		}
		return nil
	})
	require.NoError(t, err)
	t.Logf("read the samples: %v", time.Since(began).Round(time.Millisecond))
	for k, n := range stored {
		if n != 1 {
			t.Fatalf("sample %s stored %d times", k, n)
		}
		if tl.acked[k] == 0 {
			t.Fatalf("sample %s stored but never acknowledged", k)
		}
	}
	for k := range tl.acked {
		if stored[k] == 0 {
			t.Fatalf("acknowledged sample %s lost", k)
		}
	}
	require.Len(t, stored, len(tl.acked))
	rep, err = s.Verify(ctx)
	require.NoError(t, err)
	require.True(t, rep.OK(), "%v", rep.Problems)
	t.Logf("verified: %v", time.Since(began).Round(time.Millisecond))

	// A fresh rebuild: a server over the same store without snapshots, its
	// projections replayed from the whole log, answers exactly the same.
	tokens, _, err := api.OpenTokens(filepath.Join(data, "tokens.json"))
	require.NoError(t, err)
	fresh := api.New(api.Config{Store: s, Tokens: tokens, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { _ = fresh.Run(fctx) }()
	last, err := s.LastPosition(ctx)
	require.NoError(t, err)
	require.True(t, fresh.Live().WaitFor(ctx, last, 60*time.Second))
	require.Zero(t, fresh.Live().Restored().Position, "a full replay")
	t.Logf("rebuilt: %v", time.Since(began).Round(time.Millisecond))
	rebuilt := h.queries(func(path string) []byte {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Authorization", "Bearer "+h.token)
		rec := httptest.NewRecorder()
		fresh.Handler().ServeHTTP(rec, req)
		require.Equal(t, http.StatusOK, rec.Code, "%s: %s", path, rec.Body)
		return rec.Body.Bytes()
	})
	for path, want := range rebuilt {
		require.JSONEq(t, string(want), string(live[path]), "%s: the killed and restarted server's live projection differs from a fresh rebuild", path)
	}
	t.Logf("compared with a fresh rebuild: %v", time.Since(began).Round(time.Millisecond))
	require.Less(t, time.Since(began), 2*time.Minute)
}

// queries asks every read of the quality projection the test compares.
func (h *harness) queries(get func(path string) []byte) map[string][]byte {
	out := map[string][]byte{}
	paths := []string{"/api/sections", "/api/quality/basins?year=2019", "/api/quality/basins?year=2020"}
	for _, sec := range sections {
		for _, y := range []int{2019, 2020} {
			paths = append(paths, fmt.Sprintf("/api/quality/sections/%s?year=%d", sec.ID, y))
		}
	}
	for _, c := range []string{"140100", "140800"} {
		paths = append(paths, "/api/quality/cities/"+c+"?year=2019", "/api/quality/cities/"+c+"?year=2020")
	}
	for _, p := range paths {
		out[p] = get(p)
	}
	return out
}
