// Package standin is an in-memory stand-in for a KurrentDB node, for tests:
// the gRPC Streams service (appends, stream and $all reads, filtered
// catch-up subscriptions to $all) and ServerFeatures, built on the protobuf
// server interfaces shipped with EventStore-Client-Go v4, on a loopback
// port without TLS. The real client talks to it over its ordinary wire
// path.
//
// It keeps the server's rules that the ledger relies on: optimistic
// concurrency on expected revisions (NoStream, a revision, StreamExists,
// Any) with the server's idempotency check (an append whose event ids are
// already at the expected place is a success that stores nothing; a partial
// match is a wrong expected version), positions in $all that are byte
// offsets in a log (so not dense) with commit = prepare position for every
// event, reads inclusive of their start position forwards and exclusive
// backwards, subscriptions exclusive of their start, with checkpoints and a
// caught-up message, and the maximum append size. It keeps nothing on disk,
// has no cluster, no ACLs, no stream metadata, deletes or projections.
//
// Faults for tests: FailAppends refuses appends before they are stored,
// LoseAcks stores them and then fails the call as a lost answer would, and
// Alter changes an event's stored bytes.
package standin

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/serverfeatures"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	api "github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/status"
)

// DefaultMaxAppendSize is KurrentDB's default largest append (1 MiB).
const DefaultMaxAppendSize = 1 << 20

// Record is one stored event.
type Record struct {
	Stream      string
	Revision    uint64
	ID          uuid.UUID
	Type        string
	ContentType string
	Data        []byte
	Metadata    []byte
	Created     time.Time
	Position    uint64 // log position: commit = prepare position
}

// Server is a running stand-in.
type Server struct {
	lis net.Listener
	gs  *grpc.Server

	mu            sync.Mutex
	all           []*Record
	streams       map[string][]*Record
	next          uint64        // next log position
	changed       chan struct{} // closed (and replaced) when records are added
	maxAppendSize int
	failAppend    func(stream string) error
	loseAck       func(stream string) error
	appends       int
}

// Start runs a stand-in on a free loopback port.
func Start() (*Server, error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{
		lis:           lis,
		streams:       map[string][]*Record{},
		changed:       make(chan struct{}),
		maxAppendSize: DefaultMaxAppendSize,
	}
	// A real log starts with the server's own records.
	s.AppendRaw("$epoch-information", "$epoch-information", []byte(`{"epochNumber":0}`), nil)
	s.gs = grpc.NewServer(grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: time.Second, PermitWithoutStream: true}))
	api.RegisterStreamsServer(s.gs, &streams{s: s})
	serverfeatures.RegisterServerFeaturesServer(s.gs, &features{})
	go func() { _ = s.gs.Serve(lis) }()
	return s, nil
}

// URL is the connection string of the stand-in.
func (s *Server) URL() string { return "esdb://" + s.lis.Addr().String() + "?tls=false" }

// Close stops the server and drops every connection.
func (s *Server) Close() {
	s.gs.Stop()
}

// FailAppends sets a function asked before each append whether to refuse it
// (nothing is stored); nil stops. It may block to hold the append back.
func (s *Server) FailAppends(f func(stream string) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failAppend = f
}

// LoseAcks sets a function asked after each append is stored whether to
// answer with an error instead (the append stays stored); nil stops.
func (s *Server) LoseAcks(f func(stream string) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.loseAck = f
}

// Appends is how many appends the server stored.
func (s *Server) Appends() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.appends
}

// Records returns the stored records of $all, in order.
func (s *Server) Records() []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Record, len(s.all))
	for i, r := range s.all {
		out[i] = *r
		out[i].Data = bytes.Clone(r.Data)
		out[i].Metadata = bytes.Clone(r.Metadata)
	}
	return out
}

// AppendRaw stores an event at the end of a stream without any check (the
// server's own records, or another program's), and returns its position.
func (s *Server) AppendRaw(stream, typ string, data, md []byte) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.add(stream, []proposed{{id: uuid.New(), typ: typ, contentType: "application/json", data: data, md: md}})
	return r[0].Position
}

// Alter replaces old by new in the stored data of the event at pos, as an
// edit of the server's files behind its back would.
func (s *Server) Alter(pos uint64, old, new string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, r := range s.all {
		if r.Position == pos {
			if n := bytes.Count(r.Data, []byte(old)); n != 1 {
				return fmt.Errorf("the event at %d holds %q %d times", pos, old, n)
			}
			// Records are never changed in place: readers may hold them.
			alt := *r
			alt.Data = bytes.Replace(r.Data, []byte(old), []byte(new), 1)
			s.all[i] = &alt
			s.streams[r.Stream][r.Revision] = &alt
			return nil
		}
	}
	return fmt.Errorf("no event at position %d", pos)
}

type proposed struct {
	id          uuid.UUID
	typ         string
	contentType string
	data, md    []byte
}

// add stores events at the end of a stream; s.mu is held.
func (s *Server) add(stream string, ps []proposed) []*Record {
	now := time.Now().UTC()
	out := make([]*Record, len(ps))
	for i, p := range ps {
		r := &Record{
			Stream: stream, Revision: uint64(len(s.streams[stream])), ID: p.id, Type: p.typ, ContentType: p.contentType,
			Data: bytes.Clone(p.data), Metadata: bytes.Clone(p.md), Created: now, Position: s.next,
		}
		// Like a log record: a header, the names, the bytes.
		s.next += uint64(80 + len(stream) + len(p.typ) + len(p.data) + len(p.md))
		s.streams[stream] = append(s.streams[stream], r)
		s.all = append(s.all, r)
		out[i] = r
	}
	close(s.changed)
	s.changed = make(chan struct{})
	return out
}

// Expected revisions as the server numbers them.
const (
	expectNoStream     = -1
	expectAny          = -2
	expectStreamExists = -4
)

type decision int

const (
	decideOK decision = iota
	decideIdempotent
	decideWrong
)

// check is the server's commit check (IndexWriter.CheckCommit): s.mu is held.
func (s *Server) check(stream string, expected int64, ids []uuid.UUID) (decision, int64) {
	recs := s.streams[stream]
	cur := int64(len(recs)) - 1
	switch {
	case expected == expectAny:
		// Idempotent if the events are already in the stream, in order.
		start := -1
		for i, r := range recs {
			if r.ID == ids[0] {
				start = i
				break
			}
		}
		if start < 0 {
			return decideOK, cur
		}
		for k, id := range ids {
			if start+k >= len(recs) || recs[start+k].ID != id {
				return decideWrong, cur // corrupted idempotency
			}
		}
		return decideIdempotent, int64(start + len(ids) - 1)
	case expected == expectStreamExists:
		if cur < 0 {
			return decideWrong, cur
		}
		return decideOK, cur
	case expected < cur:
		for k, id := range ids {
			n := expected + 1 + int64(k)
			if n > cur || recs[n].ID != id {
				return decideWrong, cur // first mismatch: wrong version; later: corrupted idempotency
			}
		}
		return decideIdempotent, expected + int64(len(ids))
	case expected > cur:
		return decideWrong, cur
	}
	return decideOK, cur
}

func toUUID(u *shared.UUID) (uuid.UUID, error) {
	if st := u.GetStructured(); st != nil {
		var b [16]byte
		binary.BigEndian.PutUint64(b[:8], uint64(st.MostSignificantBits))
		binary.BigEndian.PutUint64(b[8:], uint64(st.LeastSignificantBits))
		return uuid.UUID(b), nil
	}
	return uuid.Parse(u.GetString_())
}

func fromUUID(id uuid.UUID, asString bool) *shared.UUID {
	if asString {
		return &shared.UUID{Value: &shared.UUID_String_{String_: id.String()}}
	}
	return &shared.UUID{Value: &shared.UUID_Structured_{Structured: &shared.UUID_Structured{
		MostSignificantBits:  int64(binary.BigEndian.Uint64(id[:8])),
		LeastSignificantBits: int64(binary.BigEndian.Uint64(id[8:])),
	}}}
}

type features struct {
	serverfeatures.UnimplementedServerFeaturesServer
}

func (*features) GetSupportedMethods(context.Context, *shared.Empty) (*serverfeatures.SupportedMethods, error) {
	const svc = "event_store.client.streams.streams"
	return &serverfeatures.SupportedMethods{
		EventStoreServerVersion: "25.1.0",
		Methods:                 []*serverfeatures.SupportedMethod{{MethodName: "read", ServiceName: svc}, {MethodName: "append", ServiceName: svc}},
	}, nil
}

type streams struct {
	api.UnimplementedStreamsServer
	s *Server
}

func (st *streams) Append(srv api.Streams_AppendServer) error {
	s := st.s
	first, err := srv.Recv()
	if err != nil {
		return err
	}
	opts := first.GetOptions()
	if opts == nil {
		return status.Error(codes.InvalidArgument, "the first message of an append must be its options")
	}
	stream := string(opts.GetStreamIdentifier().GetStreamName())
	var expected int64
	switch r := opts.ExpectedStreamRevision.(type) {
	case *api.AppendReq_Options_Revision:
		expected = int64(r.Revision)
	case *api.AppendReq_Options_NoStream:
		expected = expectNoStream
	case *api.AppendReq_Options_Any:
		expected = expectAny
	case *api.AppendReq_Options_StreamExists:
		expected = expectStreamExists
	default:
		return status.Error(codes.InvalidArgument, "expected stream revision missing")
	}
	var ps []proposed
	size := 0
	for {
		m, err := srv.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		pm := m.GetProposedMessage()
		if pm == nil {
			return status.Error(codes.InvalidArgument, "expected a proposed message")
		}
		typ, ok := pm.Metadata["type"]
		if !ok {
			return status.Error(codes.InvalidArgument, "required metadata property 'type' missing")
		}
		ct, ok := pm.Metadata["content-type"]
		if !ok {
			return status.Error(codes.InvalidArgument, "required metadata property 'content-type' missing")
		}
		id, err := toUUID(pm.GetId())
		if err != nil {
			return status.Errorf(codes.InvalidArgument, "event id: %v", err)
		}
		size += len(pm.Data) + len(pm.CustomMetadata) + 2*len(typ) + 80
		ps = append(ps, proposed{id: id, typ: typ, contentType: ct, data: pm.Data, md: pm.CustomMetadata})
	}
	s.mu.Lock()
	fail := s.failAppend
	s.mu.Unlock()
	if fail != nil {
		// Called without the lock: a test may hold an append here.
		if err := fail(stream); err != nil {
			return err
		}
	}
	s.mu.Lock()
	if size > s.maxAppendSize {
		s.mu.Unlock()
		return status.Errorf(codes.InvalidArgument, "Maximum Append Size of %d Exceeded.", s.maxAppendSize)
	}
	if len(ps) == 0 {
		s.mu.Unlock()
		return status.Error(codes.InvalidArgument, "an append needs events")
	}
	ids := make([]uuid.UUID, len(ps))
	for i, p := range ps {
		ids[i] = p.id
	}
	dec, rev := s.check(stream, expected, ids)
	resp := &api.AppendResp{}
	switch dec {
	case decideWrong:
		w := &api.AppendResp_WrongExpectedVersion{}
		if rev < 0 {
			w.CurrentRevisionOption = &api.AppendResp_WrongExpectedVersion_CurrentNoStream{CurrentNoStream: &shared.Empty{}}
		} else {
			w.CurrentRevisionOption = &api.AppendResp_WrongExpectedVersion_CurrentRevision{CurrentRevision: uint64(rev)}
		}
		switch expected {
		case expectNoStream:
			w.ExpectedRevisionOption = &api.AppendResp_WrongExpectedVersion_ExpectedNoStream{ExpectedNoStream: &shared.Empty{}}
		case expectAny:
			w.ExpectedRevisionOption = &api.AppendResp_WrongExpectedVersion_ExpectedAny{ExpectedAny: &shared.Empty{}}
		case expectStreamExists:
			w.ExpectedRevisionOption = &api.AppendResp_WrongExpectedVersion_ExpectedStreamExists{ExpectedStreamExists: &shared.Empty{}}
		default:
			w.ExpectedRevisionOption = &api.AppendResp_WrongExpectedVersion_ExpectedRevision{ExpectedRevision: uint64(expected)}
		}
		resp.Result = &api.AppendResp_WrongExpectedVersion_{WrongExpectedVersion: w}
	case decideIdempotent:
		// Already stored: a success without a position, as the server answers.
		resp.Result = &api.AppendResp_Success_{Success: &api.AppendResp_Success{
			CurrentRevisionOption: &api.AppendResp_Success_CurrentRevision{CurrentRevision: uint64(rev)},
			PositionOption:        &api.AppendResp_Success_NoPosition{NoPosition: &shared.Empty{}},
		}}
	case decideOK:
		recs := s.add(stream, ps)
		s.appends++
		last := recs[len(recs)-1]
		// Commit position of the write's last event, prepare position of its first.
		resp.Result = &api.AppendResp_Success_{Success: &api.AppendResp_Success{
			CurrentRevisionOption: &api.AppendResp_Success_CurrentRevision{CurrentRevision: last.Revision},
			PositionOption: &api.AppendResp_Success_Position{Position: &api.AppendResp_Position{
				CommitPosition: last.Position, PreparePosition: recs[0].Position,
			}},
		}}
		if f := s.loseAck; f != nil {
			if err := f(stream); err != nil {
				s.mu.Unlock()
				return err
			}
		}
	}
	s.mu.Unlock()
	return srv.SendAndClose(resp)
}

// match is a read's or subscription's filter.
type match func(r *Record) bool

func newMatch(fo *api.ReadReq_Options_FilterOptions) (match, error) {
	if fo == nil {
		return func(*Record) bool { return true }, nil
	}
	var expr *api.ReadReq_Options_FilterOptions_Expression
	onType := false
	switch f := fo.Filter.(type) {
	case *api.ReadReq_Options_FilterOptions_StreamIdentifier:
		expr = f.StreamIdentifier
	case *api.ReadReq_Options_FilterOptions_EventType:
		expr, onType = f.EventType, true
	default:
		return nil, status.Error(codes.InvalidArgument, "filter without stream or event type expression")
	}
	field := func(r *Record) string {
		if onType {
			return r.Type
		}
		return r.Stream
	}
	if expr.Regex != "" {
		re, err := regexp.Compile(expr.Regex)
		if err != nil {
			return nil, status.Errorf(codes.InvalidArgument, "filter regex: %v", err)
		}
		return func(r *Record) bool { return re.MatchString(field(r)) }, nil
	}
	prefixes := expr.Prefix
	return func(r *Record) bool {
		for _, p := range prefixes {
			if strings.HasPrefix(field(r), p) {
				return true
			}
		}
		return false
	}, nil
}

func readEvent(r *Record, asString bool) *api.ReadResp {
	return &api.ReadResp{Content: &api.ReadResp_Event{Event: &api.ReadResp_ReadEvent{
		Event: &api.ReadResp_ReadEvent_RecordedEvent{
			Id:               fromUUID(r.ID, asString),
			StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(r.Stream)},
			StreamRevision:   r.Revision,
			PreparePosition:  r.Position,
			CommitPosition:   r.Position,
			Metadata: map[string]string{
				"type":         r.Type,
				"content-type": r.ContentType,
				"created":      strconv.FormatInt(r.Created.UnixNano()/100, 10), // .NET ticks since the epoch
			},
			CustomMetadata: bytes.Clone(r.Metadata),
			Data:           bytes.Clone(r.Data),
		},
		Position: &api.ReadResp_ReadEvent_CommitPosition{CommitPosition: r.Position},
	}}}
}

func (st *streams) Read(req *api.ReadReq, srv api.Streams_ReadServer) error {
	o := req.GetOptions()
	if o == nil {
		return status.Error(codes.InvalidArgument, "read options missing")
	}
	asString := o.GetUuidOption().GetString_() != nil
	m, err := newMatch(o.GetFilter())
	if err != nil {
		return err
	}
	switch c := o.CountOption.(type) {
	case *api.ReadReq_Options_Count:
		var recs []*Record
		switch so := o.StreamOption.(type) {
		case *api.ReadReq_Options_Stream:
			stream := string(so.Stream.GetStreamIdentifier().GetStreamName())
			var found bool
			if recs, found = st.s.readStream(stream, so.Stream, o.ReadDirection, c.Count); !found {
				return srv.Send(&api.ReadResp{Content: &api.ReadResp_StreamNotFound_{StreamNotFound: &api.ReadResp_StreamNotFound{
					StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(stream)},
				}}})
			}
		case *api.ReadReq_Options_All:
			recs = st.s.readAll(so.All, o.ReadDirection, c.Count, m)
		default:
			return status.Error(codes.InvalidArgument, "read of neither a stream nor $all")
		}
		for _, r := range recs {
			if err := srv.Send(readEvent(r, asString)); err != nil {
				return err
			}
		}
		return nil
	case *api.ReadReq_Options_Subscription:
		all := o.GetAll()
		if all == nil {
			return status.Error(codes.Unimplemented, "the stand-in subscribes to $all only")
		}
		interval := uint64(0)
		if fo := o.GetFilter(); fo != nil {
			window := uint64(fo.GetMax())
			if window == 0 {
				window = 32
			}
			interval = window * uint64(max(fo.CheckpointIntervalMultiplier, 1))
		}
		return st.s.subscribe(srv, all, m, interval, asString)
	}
	return status.Error(codes.InvalidArgument, "count option missing")
}

func (s *Server) readStream(stream string, so *api.ReadReq_Options_StreamOptions, dir api.ReadReq_Options_ReadDirection, count uint64) ([]*Record, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	recs, ok := s.streams[stream]
	if !ok {
		return nil, false
	}
	var out []*Record
	if dir == api.ReadReq_Options_Forwards {
		from := uint64(0)
		switch r := so.RevisionOption.(type) {
		case *api.ReadReq_Options_StreamOptions_Revision:
			from = r.Revision
		case *api.ReadReq_Options_StreamOptions_End:
			from = uint64(len(recs))
		}
		for i := from; i < uint64(len(recs)) && uint64(len(out)) < count; i++ {
			out = append(out, recs[i])
		}
		return out, true
	}
	from := int64(len(recs)) - 1
	switch r := so.RevisionOption.(type) {
	case *api.ReadReq_Options_StreamOptions_Revision:
		from = min(int64(r.Revision), from)
	case *api.ReadReq_Options_StreamOptions_Start:
		from = 0
	}
	for i := from; i >= 0 && uint64(len(out)) < count; i-- {
		out = append(out, recs[i])
	}
	return out, true
}

// readAll reads $all: forwards from a position inclusive, backwards from a
// position exclusive (the server reads backwards from a pre-position).
func (s *Server) readAll(ao *api.ReadReq_Options_AllOptions, dir api.ReadReq_Options_ReadDirection, count uint64, m match) []*Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*Record
	if dir == api.ReadReq_Options_Forwards {
		start := 0
		switch p := ao.AllOption.(type) {
		case *api.ReadReq_Options_AllOptions_Position:
			start = s.firstAtOrAfter(p.Position.CommitPosition)
		case *api.ReadReq_Options_AllOptions_End:
			start = len(s.all)
		}
		for i := start; i < len(s.all) && uint64(len(out)) < count; i++ {
			if m(s.all[i]) {
				out = append(out, s.all[i])
			}
		}
		return out
	}
	end := len(s.all) - 1
	switch p := ao.AllOption.(type) {
	case *api.ReadReq_Options_AllOptions_Position:
		end = s.firstAtOrAfter(p.Position.CommitPosition) - 1
	case *api.ReadReq_Options_AllOptions_Start:
		end = -1
	}
	for i := end; i >= 0 && uint64(len(out)) < count; i-- {
		if m(s.all[i]) {
			out = append(out, s.all[i])
		}
	}
	return out
}

// firstAtOrAfter is the index of the first record at or after pos; s.mu is held.
func (s *Server) firstAtOrAfter(pos uint64) int {
	lo, hi := 0, len(s.all)
	for lo < hi {
		mid := (lo + hi) / 2
		if s.all[mid].Position < pos {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// subscribe runs a catch-up subscription to $all: the records after its
// start that match, a checkpoint every interval records considered (when
// filtered) and when it has caught up, then a caught-up message, then live
// records as they come.
func (s *Server) subscribe(srv api.Streams_ReadServer, ao *api.ReadReq_Options_AllOptions, m match, interval uint64, asString bool) error {
	s.mu.Lock()
	next := 0 // index of the next record to consider
	switch p := ao.AllOption.(type) {
	case *api.ReadReq_Options_AllOptions_Position:
		next = s.firstAtOrAfter(p.Position.CommitPosition + 1) // after the position
	case *api.ReadReq_Options_AllOptions_End:
		next = len(s.all)
	}
	s.mu.Unlock()
	if err := srv.Send(&api.ReadResp{Content: &api.ReadResp_Confirmation{Confirmation: &api.ReadResp_SubscriptionConfirmation{
		SubscriptionId: uuid.NewString(),
	}}}); err != nil {
		return err
	}
	checkpoint := func(pos uint64) error {
		return srv.Send(&api.ReadResp{Content: &api.ReadResp_Checkpoint_{Checkpoint: &api.ReadResp_Checkpoint{CommitPosition: pos, PreparePosition: pos}}})
	}
	considered := uint64(0)
	caughtUp := false
	for {
		s.mu.Lock()
		batch := s.all[next:len(s.all):len(s.all)]
		changed := s.changed
		s.mu.Unlock()
		next += len(batch)
		for _, r := range batch {
			considered++
			if m(r) {
				if err := srv.Send(readEvent(r, asString)); err != nil {
					return err
				}
			}
			if interval > 0 && considered%interval == 0 {
				if err := checkpoint(r.Position); err != nil {
					return err
				}
			}
		}
		if !caughtUp {
			caughtUp = true
			if interval > 0 && len(batch) > 0 {
				if err := checkpoint(batch[len(batch)-1].Position); err != nil {
					return err
				}
			}
			if err := srv.Send(&api.ReadResp{Content: &api.ReadResp_CaughtUp_{CaughtUp: &api.ReadResp_CaughtUp{}}}); err != nil {
				return err
			}
		}
		select {
		case <-changed:
		case <-srv.Context().Done():
			return srv.Context().Err()
		}
	}
}
