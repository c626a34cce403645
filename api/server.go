package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/notify"
	"github.com/shanxi-water/ledger/projections"
	"github.com/shanxi-water/ledger/projections/accountability"
	"github.com/shanxi-water/ledger/projections/cards"
	"github.com/shanxi-water/ledger/projections/quality"
	"github.com/shanxi-water/ledger/projections/taskboard"
)

// Server serves the API and dashboard over one store.
type Server struct {
	store   events.Store // counted: every append goes through metrics
	tokens  *Tokens
	log     *slog.Logger
	live    *projections.Live
	quality *quality.Model
	board   *taskboard.Board
	cards   *cards.Model
	account *accountability.Model
	assess  *app.Assessor // today's assessment from the live models
	metrics *metrics
	now     func() time.Time
	mux     *http.ServeMux
	notify  *notify.Notifier          // nil when no notifications are published
	samples *app.SampleIndex          // what uploads have found stored, shared by all uploads
	snaps   projections.SnapshotStore // nil without snapshots
	// started is the log's last position when the server was made: until
	// the live models have applied it, requests wait (caughtUp).
	started uint64
}

// Config is what a Server needs.
type Config struct {
	Store  events.Store
	Tokens *Tokens
	Logger *slog.Logger
	Now    func() time.Time // the clock for "not in the future"; time.Now if nil
	// Notify, if set, publishes notifications on plain NATS subjects
	// (package notify) for events stored after the server starts.
	Notify notify.Publisher
	// NotifyDays, if set, keeps the last day checked for overdue tasks, so
	// that a restart notifies what became overdue while it was down.
	NotifyDays notify.DayStore
	// NotifyClaims, if set, has this server send only the notifications it
	// claims first: several servers on one log send each once.
	NotifyClaims notify.Claimer
	// Snapshots, if set, makes the live projections start from the newest
	// snapshot and take snapshots as they go (projections.Live.UseSnapshots).
	Snapshots *projections.SnapshotOptions
	// Metrics are more collectors for GET /metrics (the backups serve
	// takes, say).
	Metrics []prometheus.Collector
}

// New builds the server; call Run to keep its projections live.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	m := newMetrics()
	s := &Server{store: &countingStore{Store: cfg.Store, m: m}, tokens: cfg.Tokens, log: cfg.Logger, metrics: m, now: cfg.Now, samples: app.NewSampleIndex()}
	s.quality = quality.New(quality.Options{})
	s.board, s.cards, s.account = taskboard.New(), cards.New(), accountability.New()
	s.assess = app.NewAssessor(s.quality, s.cards, s.board)
	models := []projections.Projection{s.quality, s.board, s.cards, s.account, s.assess}
	last, lastErr := cfg.Store.LastPosition(context.Background())
	if lastErr == nil {
		s.started = last
	}
	if cfg.Notify != nil {
		from := last
		if lastErr != nil {
			from = ^uint64(0) // unknown: notify nothing rather than everything again
		}
		s.notify = notify.New(cfg.Notify, from, cfg.Now)
		if cfg.NotifyDays != nil {
			s.notify.UseDayStore(cfg.NotifyDays)
		}
		if cfg.NotifyClaims != nil {
			s.notify.UseClaims(cfg.NotifyClaims)
		}
		models = append(models, s.notify)
	}
	s.live = projections.NewLive(cfg.Store, models...)
	if cfg.Snapshots != nil {
		s.snaps = cfg.Snapshots.Store
		o := *cfg.Snapshots
		if o.Logger == nil {
			o.Logger = cfg.Logger
		}
		s.live.UseSnapshots(o)
	}
	m.registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "ledger_projection_lag_events", Help: "Events in the log not yet applied to the live projections.",
	}, func() float64 {
		lag, err := s.live.Lag(context.Background())
		if err != nil {
			return -1
		}
		return float64(lag)
	}))
	m.registry.MustRegister(cfg.Metrics...)
	s.mux = http.NewServeMux()
	for _, r := range routes {
		s.mux.Handle(r.Method+" "+r.Path, s.wrap(r))
	}
	s.mux.Handle("GET /metrics", promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{}))
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	s.mux.HandleFunc("GET /readyz", s.ready)
	s.dashboard(s.mux)
	return s
}

// audit replays a city both ways, from snapshots when the server has them.
func (s *Server) audit(ctx context.Context, c domain.CityID, at time.Time) (*app.CityAudit, error) {
	return app.AuditCityWith(ctx, s.store, c, at, s.newTasks, app.AuditOptions{Snapshots: s.snaps})
}

// today assesses a year as the live models stand: no replay.
func (s *Server) today(year int) (*app.Computation, error) {
	return s.liveModels().year(year)
}

// models are the read models a page shows: the live ones, or with ?as_of=
// ones replayed as the ledger knew the log on that date.
type models struct {
	asOf    string    // ?as_of= as given; "" for the live models
	at      time.Time // its time; zero for the live models
	now     time.Time // the time the figures are of: now, or as_of if earlier
	quality *quality.Model
	board   *taskboard.Board
	cards   *cards.Model
	assess  *app.Assessor
	view    func(func()) // runs a read of them: the live models' under their lock
}

func (s *Server) liveModels() *models {
	return &models{now: s.now(), quality: s.quality, board: s.board, cards: s.cards, assess: s.assess, view: s.live.View}
}

// modelsOf reads ?as_of=: the live models without it, else the models as
// the ledger knew the log then (app.KnownAt, from a snapshot taken by
// then when the server keeps them), as the audit replays them.
func (s *Server) modelsOf(r *http.Request) (*models, error) {
	at, err := queryDate(r, "as_of")
	if err != nil || at.IsZero() {
		return s.liveModels(), err
	}
	k, err := app.KnownAt(r.Context(), s.store, at, s.snaps)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if at.Before(now) {
		now = at
	}
	return &models{asOf: r.URL.Query().Get("as_of"), at: at, now: now, quality: k.Quality, board: k.Board, cards: k.Cards, assess: k.Assessor,
		view: func(read func()) { read() }}, nil
}

// year assesses a year from the models; provisional if it had not ended
// by the time they are of.
func (m *models) year(year int) (c *app.Computation, err error) {
	m.view(func() { c, err = m.assess.Year(year) })
	if c != nil {
		c.Provisional = app.Provisional(year, m.now, m.now)
	}
	return c, err
}

// years are the years the pages offer: those with samples in the models.
func (m *models) years() (ys []int) {
	m.view(func() { ys = m.quality.Years() })
	return ys
}

// newTasks makes a fresh task read model for a computation.
func (s *Server) newTasks() app.TaskFigures { return app.NewBoardFigures() }

// Handler is the server's HTTP handler.
func (s *Server) Handler() http.Handler { return securityHeaders(routeErrors(s.mux)) }

// securityHeaders tells browsers what the dashboard needs and no more: its
// own scripts, styles and images (inline styles for the charts' legends),
// no framing by another site, no sniffing of types, and no address (with a
// sign-in token in it) sent to another site.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r)
	})
}

// Run keeps the live projections up to date until ctx is done, and checks
// hourly for newly overdue tasks to notify.
func (s *Server) Run(ctx context.Context) error {
	watching := make(chan struct{})
	if s.notify != nil {
		go func() { defer close(watching); s.watchOverdue(ctx) }()
	} else {
		close(watching)
	}
	err := s.live.Run(ctx)
	if ctx.Err() != nil {
		<-watching // stopping: an overdue check under way hands its notifications over first
	}
	return err
}

// StopNotifications waits at most d for the notifications queued to be
// claimed and sent, then stops the notifier's goroutine, and returns how
// many were left unsent (a server stopping says so: the next start does
// not send them). Call it once the projections have stopped.
func (s *Server) StopNotifications(d time.Duration) int {
	if s.notify == nil {
		return 0
	}
	s.notify.FlushWithin(d)
	return s.notify.Close()
}

// OverdueEvery is how often the server looks for newly overdue tasks.
var OverdueEvery = time.Hour

func (s *Server) watchOverdue(ctx context.Context) {
	last, err := s.store.LastPosition(ctx)
	if err != nil {
		return
	}
	for !s.live.WaitFor(ctx, last, time.Minute) {
		if ctx.Err() != nil {
			return
		}
	}
	t := time.NewTicker(OverdueEvery)
	defer t.Stop()
	for {
		s.live.View(func() { s.notify.CheckOverdue() })
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Live is the server's live projections runner.
func (s *Server) Live() *projections.Live { return s.live }

// ready answers 200 when JetStream answers and the projections have caught up.
func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	last, err := s.store.LastPosition(r.Context())
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "store not ready", "error": err.Error()})
		return
	}
	if err := s.live.Err(); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "projections stopped", "error": err.Error()})
		return
	}
	if pos := s.live.Position(); pos < last {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "catching up", "position": pos, "last_position": last})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ready", "position": last})
}

type ctxKey int

const holderKey ctxKey = 0

// holder is the authenticated token holder of a request.
func holder(r *http.Request) Token {
	t, _ := r.Context().Value(holderKey).(Token)
	return t
}

// actor is who a request's events are recorded as.
func actor(r *http.Request) domain.Actor {
	t := holder(r)
	return domain.Actor{ID: t.Person, Role: t.Role}
}

// statusWriter remembers the status for metrics and logs.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// wrap authenticates, authorises, times and logs one route.
func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		var who Token
		err := s.serve(rt, sw, r, &who)
		if err != nil {
			writeRequestError(sw, r, err)
		}
		d := time.Since(start)
		s.metrics.http.WithLabelValues(rt.Method+" "+rt.Path, strconv.Itoa(sw.status)).Observe(d.Seconds())
		level := slog.LevelInfo
		if sw.status >= 500 {
			level = slog.LevelError
		}
		s.log.Log(r.Context(), level, "http", "method", r.Method, "path", r.URL.Path, "status", sw.status,
			"duration_ms", d.Milliseconds(), "person", who.Person, "role", string(who.Role), "error", errString(err))
	})
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func (s *Server) serve(rt route, w http.ResponseWriter, r *http.Request, who *Token) error {
	if rt.Action != "" {
		tok, err := s.tokens.authenticate(r)
		if err != nil {
			return err
		}
		*who = tok
		if !Can(tok.Role, rt.Action) {
			return domain.Errorf(rt.Method+" "+rt.Path, domain.Forbidden, "", "role %s may not %s", tok.Role, rt.Action)
		}
		r = r.WithContext(context.WithValue(r.Context(), holderKey, tok))
	}
	if err := rt.checkQuery(r); err != nil {
		return err
	}
	if err := s.checkKnowledgeDates(r, rt.Method+" "+rt.Path); err != nil {
		return err
	}
	if err := s.caughtUp(r); err != nil {
		return err
	}
	return rt.Handle(s, w, r)
}

// CatchUpWait is how long a request waits for the live read models to
// catch up with the log as it stood when the server started.
var CatchUpWait = 30 * time.Second

// caughtUp waits, CatchUpWait at most, until the live read models have
// applied the log as it stood when the server started. Until then they
// hold part of the log, and would answer with wrong figures (an
// assessment with no rules in force yet, a city with half its sections)
// rather than an error; a request still waiting is refused with 503, to be
// sent again shortly (GET /readyz says when).
func (s *Server) caughtUp(r *http.Request) error {
	if s.live.Position() >= s.started || s.live.WaitFor(r.Context(), s.started, CatchUpWait) {
		return nil
	}
	return domain.Errorf("serve", domain.Unavailable, "", "the read models are still catching up with the log (position %d of %d, as the server started): try again shortly",
		s.live.Position(), s.started)
}

// checkQuery refuses an API request's query parameters that the route does
// not take (a misspelt ?as_of, a ?city where none filters), naming the
// parameter, instead of answering as if it were not there.
func (rt route) checkQuery(r *http.Request) error {
	if !strings.HasPrefix(rt.Path, "/api/") {
		return nil
	}
	var takes []string
	for _, p := range rt.Params {
		if p.In == "query" {
			takes = append(takes, p.Name)
		}
	}
	return onlyParams(r, rt.Method+" "+rt.Path, takes)
}

// onlyParams refuses query parameters not among takes, naming the first
// and the ones taken.
func onlyParams(r *http.Request, op string, takes []string) error {
	for name := range r.URL.Query() {
		if !slices.Contains(takes, name) {
			list := strings.Join(takes, ", ")
			if len(takes) == 0 {
				list = "none"
			}
			return domain.Errorf(op, domain.Invalid, name, "not a parameter of this endpoint (it takes: %s)", list)
		}
	}
	return nil
}

// metrics are the server's Prometheus metrics.
type metrics struct {
	registry  *prometheus.Registry
	appends   *prometheus.CounterVec
	conflicts prometheus.Counter
	http      *prometheus.HistogramVec
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		appends: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ledger_appended_events_total", Help: "Events appended, by event name.",
		}, []string{"name"}),
		conflicts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ledger_append_conflicts_total", Help: "Appends refused because an aggregate had moved on.",
		}),
		http: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "ledger_http_request_duration_seconds", Help: "HTTP request latency by route and status.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "code"}),
	}
	m.registry.MustRegister(m.appends, m.conflicts, m.http,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

// countingStore counts appends and conflicts.
type countingStore struct {
	events.Store
	m *metrics
}

func (c *countingStore) Append(ctx context.Context, changes ...events.Change) ([]events.Event, error) {
	evs, err := c.Store.Append(ctx, changes...)
	var ce *events.ConflictError
	if errors.As(err, &ce) {
		c.m.conflicts.Inc()
	}
	for _, e := range evs {
		c.m.appends.WithLabelValues(string(e.Name)).Inc()
	}
	return evs, err
}
