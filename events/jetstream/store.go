package jetstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/synadia-io/orbit.go/jetstreamext"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/events"
)

// DefaultStream is the name of the stream holding the log.
const DefaultStream = "LEDGER"

// Config says where the log lives.
type Config struct {
	// DataDir is the embedded server's data directory. Used when URL is "".
	DataDir string
	// Listen, if set ("127.0.0.1:4222"), opens the embedded server to other
	// NATS clients, e.g. for notifications.
	Listen string
	// URL of an external server or cluster ("nats://a:4222,nats://b:4222").
	URL string
	// Stream name; DefaultStream if "".
	Stream string
	// Replicas of the stream when it is created (and the fewest an existing
	// stream may have): if 0, 3 when the server is part of a cluster, else 1.
	Replicas int
	// DuplicateWindow within which a re-sent event id is recognised by the
	// server itself; 2 minutes if 0. (Appends with expected versions are
	// idempotent beyond it too.)
	DuplicateWindow time.Duration
	// AllowUnsafeStream opens an existing stream whose settings could lose
	// or delete events, with a warning instead of an error.
	AllowUnsafeStream bool
	// MustExist refuses, as not found, a server without the stream, where
	// Open would create it: for commands that only read (ledger verify on
	// a wrong or emptied server said "0 events, OK", and left an empty
	// stream behind).
	MustExist bool
	// Registry of event types; required.
	Registry *events.Registry
	// Clock for recorded-at; time.Now if nil.
	Clock events.Clock
	// Logger for warnings; slog.Default() if nil.
	Logger *slog.Logger
}

// Store is the event log in JetStream.
type Store struct {
	*events.Log
	b *backend
}

// Open connects to (or starts) the server, creates or checks the stream and
// returns the log.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	const op = "jetstream.Open"
	if cfg.Registry == nil {
		return nil, domain.Errorf(op, domain.Invalid, "registry", "missing")
	}
	if cfg.Stream == "" {
		cfg.Stream = DefaultStream
	}
	if cfg.DuplicateWindow == 0 {
		cfg.DuplicateWindow = 2 * time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	b := &backend{cfg: cfg, replays: make(chan struct{}, maxReplays)}
	var err error
	if cfg.URL == "" {
		if cfg.DataDir == "" {
			return nil, domain.Errorf(op, domain.Invalid, "data", "give a data directory for the embedded store, or a NATS URL")
		}
		b.freeSpace = diskFree(cfg.DataDir)
		if b.emb, err = startEmbedded(cfg.DataDir, cfg.Listen); err != nil {
			return nil, domain.E(op, domain.Internal, "data", err)
		}
		opts := append(b.connLogging(), nats.InProcessServer(b.emb.srv), nats.Name("ledger"))
		if b.emb.password != "" {
			opts = append(opts, nats.UserInfo(ledgerUser, b.emb.password))
		}
		b.nc, err = nats.Connect("", opts...)
	} else {
		b.nc, err = nats.Connect(cfg.URL, append(b.connLogging(), nats.Name("ledger"), nats.MaxReconnects(-1), nats.RetryOnFailedConnect(false))...)
	}
	if err != nil {
		b.Close()
		return nil, domain.E(op, domain.Internal, "nats", fmt.Errorf("connect: %w", err))
	}
	if b.cfg.Replicas == 0 {
		// In a cluster, one copy on each of three servers: an acknowledged
		// event is then on two disks, and survives the loss of any server.
		b.cfg.Replicas = 1
		if b.nc.ConnectedClusterName() != "" {
			b.cfg.Replicas = 3
		}
	}
	if b.js, err = jetstream.New(b.nc); err != nil {
		b.Close()
		return nil, domain.E(op, domain.Internal, "nats", err)
	}
	if err := b.ensureStream(ctx); err != nil {
		b.Close()
		return nil, err
	}
	log, err := events.NewLog(ctx, b, cfg.Registry, cfg.Clock)
	if err != nil {
		b.Close()
		return nil, err
	}
	return &Store{Log: log, b: b}, nil
}

// Conn is the store's NATS connection.
func (s *Store) Conn() *nats.Conn { return s.b.nc }

// JetStream is the store's JetStream context.
func (s *Store) JetStream() jetstream.JetStream { return s.b.js }

// Replicas is how many replicas the log's stream has (the fewest the
// store was opened with if the server cannot be asked): what buckets kept
// beside the log are created with.
func (s *Store) Replicas(ctx context.Context) int {
	if st, err := s.b.js.Stream(ctx, s.b.cfg.Stream); err == nil {
		return max(st.CachedInfo().Config.Replicas, 1)
	}
	return max(s.b.cfg.Replicas, 1)
}

// StreamName is the stream holding the log.
func (s *Store) StreamName() string { return s.b.cfg.Stream }

// ClientURL is where other NATS clients reach the embedded server ("" if it
// listens on nothing, or the store is external). A client connecting there
// may follow the log and the notifications, and publish nothing.
func (s *Store) ClientURL() string {
	if s.b.emb == nil {
		return ""
	}
	return s.b.emb.clientURL()
}

// WriterURL is ClientURL with the ledger's own credentials in it: a second
// ledger store opened on it may append (a writer in the same process whose
// clock differs, in tests). It is a secret; "" where ClientURL is.
func (s *Store) WriterURL() string {
	u := s.ClientURL()
	if u == "" {
		return ""
	}
	return strings.Replace(u, "://", "://"+ledgerUser+":"+s.b.emb.password+"@", 1)
}

// StreamConfig is the configuration the ledger creates its stream with.
func StreamConfig(name string, replicas int, dupWindow time.Duration) jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:               name,
		Description:        "Shanxi water-pollution assessment ledger: immutable event log",
		Subjects:           []string{SubjectPrefix + ".>"},
		Retention:          jetstream.LimitsPolicy,
		MaxConsumers:       -1,
		MaxMsgs:            -1,
		MaxBytes:           -1,
		MaxAge:             0,
		MaxMsgsPerSubject:  -1,
		MaxMsgSize:         -1,
		Discard:            jetstream.DiscardNew, // when full, refuse new events; never drop old ones
		Storage:            jetstream.FileStorage,
		Replicas:           replicas,
		Duplicates:         dupWindow,
		DenyDelete:         true,
		DenyPurge:          true,
		AllowRollup:        false,
		AllowDirect:        true,
		AllowAtomicPublish: true,
	}
}

// UnsafeSettings lists the settings of an existing stream that could lose or
// delete events, or that the ledger cannot work without.
func UnsafeSettings(c jetstream.StreamConfig, replicas int) []string {
	var p []string
	if c.Storage != jetstream.FileStorage {
		p = append(p, "storage is memory: every event is lost when the server stops")
	}
	if c.Retention != jetstream.LimitsPolicy {
		p = append(p, fmt.Sprintf("retention is %v: consumed events are deleted", c.Retention))
	}
	limit := func(name string, set bool) {
		if set && c.Discard == jetstream.DiscardOld {
			p = append(p, name+" is set with discard old: the oldest events are deleted when it is reached")
		}
	}
	limit("max_age", c.MaxAge > 0)
	limit("max_msgs", c.MaxMsgs > 0)
	limit("max_bytes", c.MaxBytes > 0)
	limit("max_msgs_per_subject", c.MaxMsgsPerSubject > 0)
	if !c.DenyDelete {
		p = append(p, "deny_delete is off: events can be deleted")
	}
	if !c.DenyPurge {
		p = append(p, "deny_purge is off: the stream can be purged")
	}
	if c.AllowRollup {
		p = append(p, "allow_rollup_hdrs is on: a rollup message purges earlier events")
	}
	if c.AllowMsgTTL {
		p = append(p, "allow_msg_ttl is on: events can expire")
	}
	if c.Replicas < replicas {
		p = append(p, fmt.Sprintf("replicas is %d, fewer than the %d asked for", c.Replicas, replicas))
	}
	return p
}

func (b *backend) ensureStream(ctx context.Context) error {
	const op = "jetstream.Open"
	want := StreamConfig(b.cfg.Stream, b.cfg.Replicas, b.cfg.DuplicateWindow)
	var s jetstream.Stream
	err := b.askAgain(ctx, "stream info", func(ctx context.Context) (err error) {
		s, err = b.js.Stream(ctx, b.cfg.Stream)
		return err
	})
	if errors.Is(err, jetstream.ErrStreamNotFound) && b.cfg.MustExist {
		return domain.Errorf(op, domain.NotFound, "stream", "no stream %s there: no ledger to read (ledger serve creates it)", b.cfg.Stream)
	}
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		if s, err = b.js.CreateStream(ctx, want); err != nil {
			return domain.E(op, domain.Internal, "stream", fmt.Errorf("create stream %s: %w", b.cfg.Stream, err))
		}
		b.stream = s
		return nil
	}
	if err != nil {
		return domain.E(op, domain.KindOrInternal(err), "stream", fmt.Errorf("stream %s: %w", b.cfg.Stream, err))
	}
	have := s.CachedInfo().Config
	if !containsSubject(have.Subjects, SubjectPrefix+".>") {
		return domain.Errorf(op, domain.Invalid, "stream", "stream %s does not hold subjects %s.> (it holds %v)", b.cfg.Stream, SubjectPrefix, have.Subjects)
	}
	if problems := UnsafeSettings(have, b.cfg.Replicas); len(problems) > 0 {
		msg := fmt.Sprintf("stream %s could lose or delete events: %s", b.cfg.Stream, strings.Join(problems, "; "))
		if !b.cfg.AllowUnsafeStream {
			return domain.Errorf(op, domain.Invalid, "stream", "%s (fix the stream, or pass --allow-unsafe-stream to open it anyway)", msg)
		}
		b.cfg.Logger.Warn("opening an unsafe stream because it was allowed", "stream", b.cfg.Stream, "problems", problems)
		// Events may leave such a stream without its last position moving:
		// every aggregate is checked on its own.
		b.unchained = true
	}
	if !have.AllowAtomicPublish || !have.AllowDirect {
		// Both only add abilities; turning them on loses nothing.
		have.AllowAtomicPublish, have.AllowDirect = true, true
		if s, err = b.js.UpdateStream(ctx, have); err != nil {
			return domain.E(op, domain.Internal, "stream", fmt.Errorf("enable atomic publish and direct get on %s: %w", b.cfg.Stream, err))
		}
	}
	b.stream = s
	return nil
}

func containsSubject(subjects []string, s string) bool {
	for _, v := range subjects {
		if v == s || v == ">" {
			return true
		}
	}
	return false
}

// backend implements events.Backend on JetStream.
type backend struct {
	// loseAck, if set, is asked after each successful publish whether to
	// pretend its acknowledgement was lost (tests of retries).
	loseAck func() bool
	// freeSpace, on the embedded store, is the space free on its disk
	// (roomFor); replaced in tests.
	freeSpace func() (uint64, bool)
	// replays holds a place for each read of the whole log under way: at
	// most maxReplays at once.
	replays chan struct{}

	chain     chain // what the backend knows of the stream's end (chain.go)
	unchained bool  // the stream is unsafe: chain is not relied on

	cfg    Config
	emb    *embedded
	nc     *nats.Conn
	js     jetstream.JetStream
	stream jetstream.Stream
}

var _ events.Backend = (*backend)(nil)

// MaxBatchSize is the largest atomic batch the server accepts by default.
const MaxBatchSize = 1000

func (b *backend) MaxBatch() int        { return MaxBatchSize }
func (b *backend) DensePositions() bool { return true }

func (b *backend) Close() error {
	if b.nc != nil {
		b.nc.Close()
	}
	if b.emb != nil {
		b.emb.shutdown()
	}
	return nil
}

func (b *backend) LastPosition(ctx context.Context) (uint64, error) {
	var info *jetstream.StreamInfo
	err := b.askAgain(ctx, "stream info", func(ctx context.Context) (err error) {
		info, err = b.stream.Info(ctx)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("stream info: %w", err)
	}
	return info.State.LastSeq, nil
}

// askAgainAttempts bounds how often a question to JetStream that went
// unanswered is asked again: a minute of attempts.
const askAgainAttempts = 12

// askAgain runs a question to JetStream (one that changes nothing) with
// attemptTimeout, and asks it again while it goes unanswered and ctx allows.
// After a stream's leader is lost, the first question about the stream can
// go unanswered for good although a new leader answers the next within
// milliseconds (seen in TestCopyEmbeddedOntoCluster: a store opened then
// waited for its caller's whole deadline).
func (b *backend) askAgain(ctx context.Context, what string, ask func(context.Context) error) error {
	for attempt := 1; ; attempt++ {
		// The connection keeps its last error for good: only one that
		// arrives during this attempt is this question's.
		before := b.nc.LastError()
		actx, cancel := withAttemptTimeout(ctx)
		err := ask(actx)
		cancel()
		if err == nil || ctx.Err() != nil || attempt == askAgainAttempts || !errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		// A user without the right to ask goes unanswered too, and the
		// server says why on the side: asking again would not help.
		// (nats.go makes a new error value of each violation.)
		if le := b.nc.LastError(); errors.Is(le, nats.ErrPermissionViolation) && le != before && strings.Contains(le.Error(), "$JS.API") {
			return domain.E("jetstream", domain.Forbidden, "nats", fmt.Errorf("%s: the server does not let this user use JetStream (%v): sign in as the ledger's user (deploy/README.md)", what, le))
		}
		b.cfg.Logger.Warn("JetStream left a question unanswered; asking again", "question", what, "stream", b.cfg.Stream, "attempt", attempt)
	}
}

var _ events.LeaderHeads = (*backend)(nil)

// noMessageFound is the JetStream API's error code for "no message found"
// (another 404, 10059, is "stream not found": an error, not an empty
// aggregate).
const noMessageFound = 10037

// LeaderHead reads an aggregate's last event with the stream's message-get
// API, which only the stream's leader answers; Head uses a direct get,
// which any replica answers, one behind the leader included.
func (b *backend) LeaderHead(ctx context.Context, agg events.Aggregate) (events.Head, error) {
	req, err := json.Marshal(struct {
		LastBySubject string `json:"last_by_subj"`
	}{aggregateSubject(agg) + ".>"})
	if err != nil {
		return events.Head{}, err
	}
	actx, cancel := withAttemptTimeout(ctx)
	defer cancel()
	msg, err := b.nc.RequestWithContext(actx, jetstream.DefaultAPIPrefix+"STREAM.MSG.GET."+b.cfg.Stream, req)
	if err != nil {
		return events.Head{}, fmt.Errorf("last event of %s from the leader: %w", agg, err)
	}
	var resp struct {
		Error *struct {
			Code        int    `json:"code"`
			ErrCode     int    `json:"err_code"`
			Description string `json:"description"`
		} `json:"error"`
		Message *struct {
			Subject  string `json:"subject"`
			Sequence uint64 `json:"seq"`
			Header   []byte `json:"hdrs"` // base64 in the JSON
			Data     []byte `json:"data"`
		} `json:"message"`
	}
	if err := json.Unmarshal(msg.Data, &resp); err != nil {
		return events.Head{}, fmt.Errorf("last event of %s from the leader: %w", agg, err)
	}
	switch {
	case resp.Error != nil && resp.Error.ErrCode == noMessageFound:
		return events.Head{}, nil // no event yet
	case resp.Error != nil:
		return events.Head{}, fmt.Errorf("last event of %s from the leader: %s (%d)", agg, resp.Error.Description, resp.Error.Code)
	case resp.Message == nil:
		return events.Head{}, fmt.Errorf("last event of %s from the leader: no message in the answer", agg)
	}
	m := resp.Message
	h, err := nats.DecodeHeadersMsg(m.Header)
	if err != nil {
		return events.Head{}, fmt.Errorf("last event of %s at position %d: headers: %w", agg, m.Sequence, err)
	}
	e, err := decode(m.Subject, h, m.Data, m.Sequence)
	if err != nil {
		return events.Head{}, fmt.Errorf("last event of %s at position %d: %w", agg, m.Sequence, err)
	}
	return events.Head{Version: e.Version, Position: e.Position, Hash: e.Hash, RecordedAt: e.RecordedAt}, nil
}

func (b *backend) Head(ctx context.Context, agg events.Aggregate) (events.Head, error) {
	m, err := b.stream.GetLastMsgForSubject(ctx, aggregateSubject(agg)+".>")
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return events.Head{}, nil
	}
	if err != nil {
		return events.Head{}, fmt.Errorf("last event of %s: %w", agg, err)
	}
	e, err := decode(m.Subject, m.Header, m.Data, m.Sequence)
	if err != nil {
		return events.Head{}, fmt.Errorf("last event of %s at position %d: %w", agg, m.Sequence, err)
	}
	return events.Head{Version: e.Version, Position: e.Position, Hash: e.Hash, RecordedAt: e.RecordedAt}, nil
}

// attemptTimeout bounds one request to the servers within a caller's longer
// deadline. In a failover a request can go unanswered for good: its reply
// was lost with the server the client was connected to, or a read's
// consumer was placed on a server that crashed and is not yet known to be
// gone (the cluster takes minutes to notice). Such a request is sent again
// (with the same event ids) instead of being waited on until the caller
// gives up.
const attemptTimeout = 5 * time.Second

func withAttemptTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, attemptTimeout)
}

// commitRetries is how often a commit whose outcome is unknown (a timeout, a
// lost connection) is sent again with the same event ids.
const commitRetries = 4

func (b *backend) Commit(ctx context.Context, evs []*events.Event, expect map[events.Aggregate]events.Head) error {
	if err := b.roomFor(evs); err != nil {
		return err
	}
	var err error
	for attempt := 0; attempt <= commitRetries; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(attempt*attempt) * 100 * time.Millisecond):
			}
		}
		actx, cancel := withAttemptTimeout(ctx)
		err = b.commitOnce(actx, evs, expect, attempt == 0 && !b.unchained)
		cancel()
		if err == nil || !unknownOutcome(err) {
			return err
		}
	}
	// Internal, not unavailable: the events may be stored.
	return domain.E("events.Append", domain.Internal, "", fmt.Errorf("commit of %d events: outcome unknown after %d tries (they may be stored: read the log before sending them again): %w", len(evs), commitRetries+1, err))
}

var _ events.CommitsAfter = (*backend)(nil)

// CommitAfter is Commit that stores evs only if the stream still ends at
// position last, which the server checks (Nats-Expected-Last-Sequence):
// Commit, when its own run of commits turns out stale, lets the server
// check each aggregate instead, which would store a copy's events after
// another writer's. It sends the commit once, and never without that
// check: if no answer comes (stored or not), it says so, wrapping
// events.ErrUnknownOutcome, and the caller reads where the stream ends
// before it sends the commit again. (Sent again as Commit sends it, the
// commit landed after another writer's event stored in between.)
func (b *backend) CommitAfter(ctx context.Context, evs []*events.Event, expect map[events.Aggregate]events.Head, last uint64) error {
	if err := b.roomFor(evs); err != nil {
		return err
	}
	b.chain.plan(expect) // its place in the run is last, whatever the run knows
	actx, cancel := withAttemptTimeout(ctx)
	err := b.publish(actx, evs, expect, chainPlan{end: last, at: true})
	cancel()
	b.chain.done(evs, err == nil)
	if err != nil && unknownOutcome(err) {
		return fmt.Errorf("commit of %s after position %d: %w (%w)", domain.Count(len(evs), "event"), last, events.ErrUnknownOutcome, err)
	}
	return err
}

// commitOnce sends the commit once; relying on b.chain if chained (not when
// it is sent again after an unknown outcome).
func (b *backend) commitOnce(ctx context.Context, evs []*events.Event, expect map[events.Aggregate]events.Head, chained bool) error {
	if !chained {
		return b.publish(ctx, evs, expect, chainPlan{})
	}
	plan := b.chain.plan(expect)
	err := b.publish(ctx, evs, expect, plan)
	if plan.end != 0 && errors.Is(err, events.ErrConflict) {
		// The stream has moved since the run the commit relied on: let the
		// server check each aggregate instead.
		b.chain.failed(plan)
		err = b.publish(ctx, evs, expect, chainPlan{})
	}
	b.chain.done(evs, err == nil)
	return err
}

// publish sends the events as one message or one atomic batch, with the
// checks of plan, and sets their positions.
func (b *backend) publish(ctx context.Context, evs []*events.Event, expect map[events.Aggregate]events.Head, plan chainPlan) error {
	msgs := encodeAll(evs, expect, plan)
	var last uint64
	if len(evs) == 1 {
		ack, err := b.js.PublishMsg(ctx, msgs[0])
		if err != nil {
			return classify(err)
		}
		if ack.Duplicate {
			return fmt.Errorf("event %s: %w", evs[0].ID, events.ErrDuplicate)
		}
		last = ack.Sequence
	} else {
		ack, err := jetstreamext.PublishMsgBatch(ctx, b.js, msgs)
		if err != nil {
			if err = classify(err); !errors.Is(err, events.ErrConflict) && !errors.Is(err, events.ErrDuplicate) && !unknownOutcome(err) {
				return b.partial(ctx, evs, err)
			}
			return err
		}
		last = ack.Sequence
	}
	if b.loseAck != nil && b.loseAck() {
		return nats.ErrTimeout
	}
	for i, e := range evs {
		e.Position = last - uint64(len(evs)-1-i)
	}
	return nil
}

// encodeAll encodes the events of one commit with the checks of plan: the
// stream's last position on the first message if plan has one, and the
// expected version on each aggregate's first message unless plan vouches
// for the aggregate (an append's events are grouped by aggregate).
func encodeAll(evs []*events.Event, expect map[events.Aggregate]events.Head, plan chainPlan) []*nats.Msg {
	recorded := events.FormatTime(evs[0].RecordedAt) // one append, one recorded-at
	// The messages and their header values are allocated in two blocks.
	block := make([]nats.Msg, len(evs))
	vals := make([]string, len(evs)*envelopeHeaders)
	msgs := make([]*nats.Msg, len(evs))
	encodeRange := func(from, to int) {
		var hash string // the previous event's hash in hex: the next one's previous hash
		for i := from; i < to; i++ {
			e, m := evs[i], &block[i]
			first := i == 0 || evs[i-1].Aggregate != e.Aggregate
			prevHex := ""
			if i > from && !first && evs[i-1].Hash == e.PrevHash {
				prevHex = hash
			}
			hash = encodeTo(m, vals[i*envelopeHeaders:i*envelopeHeaders:(i+1)*envelopeHeaders], e, recorded, prevHex)
			if i == 0 && (plan.end != 0 || plan.at) {
				m.Header[jetstream.ExpectedLastSeqHeader] = []string{strconv.FormatUint(plan.end, 10)}
			}
			if mark := events.CommitMark(i, len(evs)); mark != "" {
				m.Header[HeaderCommit] = []string{mark}
			}
			if first && !plan.vouch[e.Aggregate] {
				m.Header[jetstream.ExpectedLastSubjSeqHeader] = []string{strconv.FormatUint(expect[e.Aggregate].Position, 10)}
				m.Header[jetstream.ExpectedLastSubjSeqSubjHeader] = []string{aggregateSubject(e.Aggregate) + ".>"}
			}
			msgs[i] = m
		}
	}
	if n := len(evs); n >= 64 {
		// Encoding is the commit's own work: do it on two cores.
		done := make(chan struct{})
		go func() { encodeRange(n/2, n); close(done) }()
		encodeRange(0, n/2)
		<-done
	} else {
		encodeRange(0, n)
	}
	return msgs
}

// diskReserve is the space an embedded store keeps free on its disk: a
// write that would leave less is refused whole. A server whose disk fills
// in the middle of an atomic batch stores part of it (seen with a full
// disk: 13 of an upload's 436 events stored, the rest not).
const diskReserve = 64 << 20

// roomFor refuses, on the embedded store, a commit its disk has no room
// for: the events' bytes twice over (the server's files and indexes) and
// diskReserve. An external server is asked nothing: its operator sizes
// max_file_store below its volume.
func (b *backend) roomFor(evs []*events.Event) error {
	if b.freeSpace == nil {
		return nil
	}
	free, ok := b.freeSpace()
	if !ok {
		return nil // not known: the server's own limits apply
	}
	need := uint64(diskReserve)
	for _, e := range evs {
		need += 2 * uint64(len(e.Payload)+1024) // payload, envelope headers, subject
	}
	if free < need {
		return domain.Errorf("events.Append", domain.Unavailable, "", "the disk of %s has %d MB free, and this write of %d events needs about %d MB: nothing stored; free some space, or move the data directory",
			b.cfg.DataDir, free>>20, len(evs), need>>20)
	}
	return nil
}

// connLogging logs the connection's losses, returns and asynchronous
// errors (a slow consumer) in the ledger's log, where nats.go would print
// them as plain text, or say nothing.
func (b *backend) connLogging() []nats.Option {
	log := b.cfg.Logger
	return []nats.Option{
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				log.Warn("NATS connection lost; reconnecting", "error", err)
			}
		}),
		nats.ReconnectHandler(func(c *nats.Conn) {
			log.Info("NATS connection back", "server", c.ConnectedUrlRedacted())
		}),
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			subject := ""
			if sub != nil {
				subject = sub.Subject
			}
			log.Warn("NATS", "error", err, "subject", subject)
		}),
	}
}

// diskFree is the space free to the embedded server in dir.
func diskFree(dir string) func() (uint64, bool) {
	return func() (uint64, bool) {
		var st syscall.Statfs_t
		if err := syscall.Statfs(dir, &st); err != nil {
			return 0, false
		}
		return st.Bavail * uint64(st.Bsize), true
	}
}

// partial is the error of an atomic batch the server failed for another
// reason than a conflict: it says how many of the batch's events the log
// holds after all, found by their ids among the last positions, so that a
// batch cut short is never reported as nothing stored.
func (b *backend) partial(ctx context.Context, evs []*events.Event, cause error) error {
	ctx, cancel := withAttemptTimeout(context.WithoutCancel(ctx))
	defer cancel()
	last, err := b.LastPosition(ctx)
	if err != nil || last == 0 {
		return cause
	}
	ids := make(map[uuid.UUID]bool, len(evs))
	for _, e := range evs {
		ids[e.ID] = true
	}
	var stored []uint64
	from := uint64(1)
	if n := uint64(2 * len(evs)); last > n {
		from = last - n + 1
	}
	err = b.Scan(ctx, events.Query{From: from, To: last}, false, func(r events.Record) error {
		if e, err := r.Decode(); err == nil && ids[e.ID] {
			stored = append(stored, r.Position)
		}
		return nil
	})
	if err != nil || len(stored) == 0 {
		return cause
	}
	return domain.Errorf("events.Append", domain.Internal, "", "the store failed part-way through an atomic write (%v): %d of its %d events are stored, at %s; the rest are not. Sent again, an upload stores only what is missing; run ledger verify",
		cause, len(stored), len(evs), events.Positions(stored[0], stored[len(stored)-1]))
}

// JetStream error codes the ledger reacts to.
const (
	codeWrongLastSeq         = 10071 // one replica
	codeWrongLastSeqConstant = 10164 // replicated streams
	codeBatchDuplicate       = 10201
)

func classify(err error) error {
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) {
		switch apiErr.ErrorCode {
		case codeWrongLastSeq, codeWrongLastSeqConstant:
			return fmt.Errorf("%w (%v)", events.ErrConflict, err)
		case codeBatchDuplicate:
			return fmt.Errorf("%w (%v)", events.ErrDuplicate, err)
		}
	}
	return err
}

// unknownOutcome reports whether a commit may or may not have been stored.
func unknownOutcome(err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrTimeout) ||
		errors.Is(err, nats.ErrNoResponders) || errors.Is(err, nats.ErrConnectionClosed) ||
		errors.Is(err, nats.ErrDisconnected) || errors.Is(err, jetstream.ErrNoStreamResponse) ||
		errors.Is(err, nats.ErrConnectionReconnecting)
}

func (b *backend) Scan(ctx context.Context, q events.Query, follow bool, fn func(events.Record) error) error {
	subjects, err := filterSubjects(q)
	if err != nil {
		return err
	}
	start := max(q.From, 1)
	end := q.To
	if !follow && subjects != nil && end == 0 {
		// A filtered read (an aggregate's Load before a command, most
		// often) ends where its consumer has no more matching messages: it
		// needs no round trip for the stream's last position.
		end = math.MaxUint64
	}
	if !follow && subjects == nil {
		last, err := b.LastPosition(ctx)
		if err != nil {
			return err
		}
		if end == 0 || end > last {
			end = last
		}
		if end < start {
			return nil
		}
	}
	if !follow && subjects == nil && end-start < maxDirectRead {
		if done, err := b.readDirect(ctx, start, end, fn); done || err != nil {
			return err
		}
	}
	if !follow && subjects == nil {
		// A read of the whole log (a replay) waits for its turn: many at
		// once on one connection starved each other until their reads
		// timed out (twenty audits at once: nineteen failed).
		// It waits replayWait at most, then reads anyway: a replay started
		// from within another's callback must not wait for it forever.
		t := time.NewTimer(replayWait)
		select {
		case b.replays <- struct{}{}:
			defer func() { <-b.replays }()
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		t.Stop()
	}
	cfg := jetstream.OrderedConsumerConfig{
		FilterSubjects: subjects,
		DeliverPolicy:  jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:    start,
	}
	var (
		cons   jetstream.Consumer
		it     jetstream.MessagesContext
		stopIt func() bool
	)
	release := func() {
		if it != nil {
			stopIt()
			it.Stop()
			it = nil
		}
		if cons != nil {
			b.dropConsumer(cons)
			cons = nil
		}
	}
	defer release()
	consume := func() error {
		// A scan that ends before the stream does asks for no more than
		// it reads: asked for scanPullMessages, the server sent on past
		// the end (reading ten events from the middle of the demo's log
		// took 7 ms, the rest of the log arriving to be dropped).
		// StopAfter too: the iterator asks for more once half the batch is
		// read, up to the batch again (a read of 50 received 80).
		opts := []jetstream.PullMessagesOpt{jetstream.PullMaxMessagesWithBytesLimit(scanPullMessages, scanPullBytes)}
		if !follow && end != math.MaxUint64 && end >= cfg.OptStartSeq && end-cfg.OptStartSeq+1 < scanPullMessages {
			n := int(end - cfg.OptStartSeq + 1)
			opts = []jetstream.PullMessagesOpt{jetstream.PullMaxMessagesWithBytesLimit(n, scanPullBytes), jetstream.StopAfter(n)}
		}
		var err error
		if it, err = cons.Messages(opts...); err != nil {
			return fmt.Errorf("consumer: %w", err)
		}
		stopIt = context.AfterFunc(ctx, it.Stop)
		return nil
	}
	// restart reads on from position from with a new consumer.
	restart := func(from uint64) error {
		release()
		cfg.OptStartSeq = from
		var err error
		if cons, err = b.orderedConsumer(ctx, cfg); err != nil {
			return fmt.Errorf("consumer: %w", err)
		}
		return consume()
	}
	if cons, err = b.orderedConsumer(ctx, cfg); err != nil {
		return fmt.Errorf("consumer: %w", err)
	}
	if !follow && cons.CachedInfo().NumPending == 0 {
		return nil // as the consumer's creation reported
	}
	if err := consume(); err != nil {
		return err
	}
	// In a scan of the whole log every position must arrive: one that does
	// not was refused or lost by the server, and is reported as a record
	// with an error rather than skipped in silence.
	whole := subjects == nil
	prev := start - 1
	missing := func(upTo uint64) error {
		for ; whole && prev+1 < upTo; prev++ {
			if err := fn(b.unreadable(prev + 1)); err != nil {
				return err
			}
		}
		return nil
	}
	var nextOpts []jetstream.NextOpt
	if !follow {
		nextOpts = append(nextOpts, jetstream.NextMaxWait(scanIdle))
	}
	stalled := 0
	for {
		m, err := it.Next(nextOpts...)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if !follow && errors.Is(err, nats.ErrTimeout) {
				// Quiet: either the consumer is slow, or the messages up to
				// end are ones the server cannot read. Ask for each directly.
				slow, err := b.skipUnreadable(ctx, &prev, end, subjects, fn)
				if err != nil || !slow {
					return err
				}
				// The next message is there, but the consumer does not
				// deliver it. Its pull request may have been lost (in a
				// cluster changing leaders); the client notices that only
				// by missed heartbeats, which it does not watch across
				// short waits. Read on with a new consumer.
				if stalled++; time.Duration(stalled)*scanIdle >= scanStall {
					stalled = 0
					if err := restart(prev + 1); err != nil {
						return err
					}
				}
				continue
			}
			return fmt.Errorf("reading the log: %w", err)
		}
		stalled = 0
		md, err := m.Metadata()
		if err != nil {
			return fmt.Errorf("reading the log: %w", err)
		}
		seq := md.Sequence.Stream
		if end != 0 && seq > end {
			return missing(end + 1)
		}
		if err := missing(seq); err != nil {
			return err
		}
		prev = seq
		rec := events.Record{Position: seq, Decode: func() (*events.Event, error) {
			return decode(m.Subject(), m.Headers(), m.Data(), seq)
		}}
		if err := fn(rec); err != nil {
			return err
		}
		if !follow && (seq >= end || md.NumPending == 0) {
			return missing(end + 1)
		}
	}
}

// scanPullBytes is how much a scan asks the server for at a time (and may
// hold in its buffer). A limit in bytes rather than messages: a log of large
// events (station uploads of a few thousand samples each) asked for 2,000
// messages at a time stalled the consumer, which then sat idle until the
// scan's timeout (BenchmarkReplayMemory: 8.9 s to replay a 177 MB log, 0.5 s
// with this). 8 MB made the demo's rebuild about 8% slower; 32 MB did not.
const scanPullBytes = 32 << 20

// scanPullMessages caps the messages a scan asks for at a time. With a
// limit in bytes alone nats.go asks for up to a million messages, and
// allocates a channel for a million (8 MB, zeroed and scanned by the
// collector) for every scan: every Load of an aggregate before a command
// paid for it, and `ledger demo` took 43 s instead of 25.
const scanPullMessages = 4096

// maxReplays is how many reads of the whole log run at once; others wait.
// Each keeps a core busy decoding, and all share the store's connection.
const maxReplays = 2

// replayWait is the longest a replay waits for its turn.
const replayWait = 30 * time.Second

// maxDirectRead is the most positions a scan reads one by one instead of
// with a consumer: a few requests cost less than creating, draining and
// deleting a consumer (a projection snapshot's check of the event it
// applied last reads one position).
const maxDirectRead = 8

// readDirect reads positions start to end one by one. If the server does
// not have one (a replica behind, in a cluster), it reads nothing and
// reports not done, for the scan to use a consumer.
func (b *backend) readDirect(ctx context.Context, start, end uint64, fn func(events.Record) error) (done bool, err error) {
	msgs := make([]*jetstream.RawStreamMsg, 0, end-start+1)
	for seq := start; seq <= end; seq++ {
		m, err := b.stream.GetMsg(ctx, seq)
		if err != nil {
			return false, nil
		}
		msgs = append(msgs, m)
	}
	for _, m := range msgs {
		rec := events.Record{Position: m.Sequence, Decode: func() (*events.Event, error) {
			return decode(m.Subject, m.Header, m.Data, m.Sequence)
		}}
		if err := fn(rec); err != nil {
			return true, err
		}
	}
	return true, nil
}

// consumerTries is how often a scan asks for its consumer when the request
// goes unanswered.
const consumerTries = 4

// orderedConsumer creates a scan's consumer. A request that is not answered
// in time is sent again: in a cluster that lost a server, the new consumer
// may have been placed on it, and the next one is placed on a live server.
func (b *backend) orderedConsumer(ctx context.Context, cfg jetstream.OrderedConsumerConfig) (jetstream.Consumer, error) {
	for try := 1; ; try++ {
		actx, cancel := withAttemptTimeout(ctx)
		cons, err := b.js.OrderedConsumer(actx, b.cfg.Stream, cfg)
		cancel()
		if err == nil || ctx.Err() != nil || try == consumerTries || !unknownOutcome(err) {
			return cons, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Duration(try) * 100 * time.Millisecond):
		}
	}
}

// dropConsumer deletes a scan's consumer without waiting for the answer.
// Ordered consumers are ephemeral, and the server would delete it after
// its inactivity threshold; until then every message appended is matched
// against its filter. Waiting for the answer cost each Load a round trip
// (0.6 ms of about 2); if the request is lost, the threshold still applies.
func (b *backend) dropConsumer(cons jetstream.Consumer) {
	info := cons.CachedInfo()
	if info == nil {
		return
	}
	// b.js is made by jetstream.New: its API is under the default prefix.
	_ = b.nc.Publish(jetstream.DefaultAPIPrefix+"CONSUMER.DELETE."+b.cfg.Stream+"."+info.Name, nil)
}

// scanIdle is how long a scan waits for a message before asking the stream
// directly whether the next one can be read; scanStall how long it waits for
// a message that can be read before it reads on with a new consumer.
const (
	scanIdle  = 500 * time.Millisecond
	scanStall = 5 * time.Second
)

// skipUnreadable reports unreadable messages after *prev up to end, and
// reports slow if one of them is readable after all (the consumer is only
// slow, and the scan should wait on).
func (b *backend) skipUnreadable(ctx context.Context, prev *uint64, end uint64, subjects []string, fn func(events.Record) error) (slow bool, err error) {
	if subjects != nil {
		// A filtered scan: is a matching message still to come?
		for _, f := range subjects {
			m, err := b.stream.GetMsg(ctx, *prev+1, jetstream.WithGetMsgSubject(f))
			if err == nil && m.Sequence <= end {
				return true, nil
			}
		}
		return false, nil
	}
	for *prev < end {
		_, err := b.stream.GetMsg(ctx, *prev+1)
		if err == nil {
			return true, nil
		}
		if ctx.Err() == nil && unknownOutcome(err) {
			return true, nil // the server is slow to answer: wait on
		}
		if !errors.Is(err, jetstream.ErrMsgNotFound) {
			return false, fmt.Errorf("reading position %d: %w", *prev+1, err)
		}
		*prev++
		if err := fn(b.unreadable(*prev)); err != nil {
			return false, err
		}
	}
	return false, nil
}

// unreadable is the record for a position the server did not deliver. For
// the embedded server it reads the block files directly to say which event
// was there.
func (b *backend) unreadable(seq uint64) events.Record {
	rec := events.Record{Position: seq, Err: fmt.Errorf("the store did not return the message at position %d: it failed the store's own checksum, or was removed", seq)}
	if b.emb == nil {
		return rec
	}
	raw, err := readRaw(b.cfg.DataDir, b.cfg.Stream, seq)
	if err != nil {
		return rec
	}
	if e, err := decode(raw.subject, raw.header, raw.data, seq); err == nil {
		rec.Event = e
		rec.Err = fmt.Errorf("the store refused the message at position %d: its bytes on disk fail the store's checksum", seq)
	}
	return rec
}
