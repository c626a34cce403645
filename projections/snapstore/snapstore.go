// Package snapstore keeps projection snapshots (projections.SnapshotStore)
// in a JetStream object store beside the log: bucket LEDGER_SNAPSHOTS for
// the stream LEDGER (<stream>_SNAPSHOTS for another), file storage, not
// compressed (the server would decompress whole message blocks on every
// read: 49 ms of a 100 ms restore, measured), created on first use with as
// many replicas as the log's stream. Each model's snapshot at each position is one object, named
// "<model>@<position>", so a history is kept, not only the latest; what a
// snapshot is (model, versions, registry, position, last event, recorded-at)
// is in the object's metadata, and the object store checks each object's
// SHA-256 digest when it is read.
//
// Snapshots are derived data: deleting the bucket loses nothing but the
// time to replay the log again.
//
// It depends on projections and nats.go.
package snapstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/shanxi-water/ledger/projections"
)

// Suffix is appended to the log's stream name to name the bucket.
const Suffix = "_SNAPSHOTS"

// Store is a snapshot store in a JetStream object store.
type Store struct {
	js       jetstream.JetStream
	bucket   string
	replicas int

	mu  sync.Mutex
	obs jetstream.ObjectStore // nil until first used

	// The last listing, and the state of the bucket's stream it was taken
	// at: listing the bucket reads every object's metadata, asking the
	// stream's state is one request.
	listMu     sync.Mutex
	listed     []projections.SnapshotInfo
	listedAt   [2]uint64 // last sequence and message count
	listCached bool
}

var _ projections.SnapshotStore = (*Store)(nil)

// New returns the snapshot store of the log in stream (bucket
// <stream>_SNAPSHOTS). The bucket is created when first written, with the
// stream's replicas (1 if the stream cannot be asked).
func New(ctx context.Context, js jetstream.JetStream, stream string) *Store {
	replicas := 1
	if s, err := js.Stream(ctx, stream); err == nil {
		replicas = max(s.CachedInfo().Config.Replicas, 1)
	}
	return &Store{js: js, bucket: stream + Suffix, replicas: replicas}
}

// Bucket is the object store's name.
func (s *Store) Bucket() string { return s.bucket }

// open returns the bucket, creating it if create is set; nil (and no
// error) if it does not exist and create is not set.
func (s *Store) open(ctx context.Context, create bool) (jetstream.ObjectStore, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.obs != nil {
		return s.obs, nil
	}
	obs, err := s.js.ObjectStore(ctx, s.bucket)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		if !create {
			return nil, nil
		}
		obs, err = s.js.CreateObjectStore(ctx, jetstream.ObjectStoreConfig{
			Bucket:      s.bucket,
			Description: "projection snapshots of the ledger's read models (derived data; safe to delete)",
			Storage:     jetstream.FileStorage,
			Replicas:    s.replicas,
		})
		if errors.Is(err, jetstream.ErrBucketExists) {
			obs, err = s.js.ObjectStore(ctx, s.bucket)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("snapshot bucket %s: %w", s.bucket, err)
	}
	s.obs = obs
	return obs, nil
}

// Name is the object name of a model's snapshot at a position.
func Name(model string, position uint64) string {
	return fmt.Sprintf("%s@%020d", model, position)
}

// Metadata keys.
const (
	metaModel      = "model"
	metaVersion    = "model-version"
	metaFormat     = "format"
	metaRegistry   = "registry"
	metaPosition   = "position"
	metaEventID    = "event-id"
	metaRecorded   = "recorded-at"
	metaMaxRecord  = "max-recorded-at"
	metaSince      = "span-since"
	metaMinRecord  = "span-min-recorded-at"
	metaTaken      = "taken-at"
	metaSize       = "size"
	timeFormatMeta = time.RFC3339Nano
)

// Put stores a model's snapshot.
func (s *Store) Put(ctx context.Context, in projections.SnapshotInfo, data []byte) error {
	obs, err := s.open(ctx, true)
	if err != nil {
		return err
	}
	meta := jetstream.ObjectMeta{
		Name:        Name(in.Model, in.Position),
		Description: fmt.Sprintf("%s v%d at log position %d", in.Model, in.Version, in.Position),
		Metadata: map[string]string{
			metaModel:     in.Model,
			metaVersion:   strconv.Itoa(in.Version),
			metaFormat:    strconv.Itoa(in.Format),
			metaRegistry:  in.Registry,
			metaPosition:  strconv.FormatUint(in.Position, 10),
			metaEventID:   in.EventID,
			metaRecorded:  in.RecordedAt.UTC().Format(timeFormatMeta),
			metaMaxRecord: in.MaxRecordedAt.UTC().Format(timeFormatMeta),
			metaSince:     strconv.FormatUint(in.Since, 10),
			metaMinRecord: in.MinRecordedAt.UTC().Format(timeFormatMeta),
			metaTaken:     in.TakenAt.UTC().Format(timeFormatMeta),
			metaSize:      strconv.Itoa(len(data)),
		},
	}
	if _, err := obs.Put(ctx, meta, bytes.NewReader(data)); err != nil {
		return fmt.Errorf("snapshot %s: %w", meta.Name, err)
	}
	return nil
}

// List describes every stored snapshot. Objects whose metadata cannot be
// read are left out.
func (s *Store) List(ctx context.Context) ([]projections.SnapshotInfo, error) {
	obs, err := s.open(ctx, false)
	if err != nil || obs == nil {
		return nil, err
	}
	s.listMu.Lock()
	defer s.listMu.Unlock()
	var state [2]uint64
	stateKnown := false
	if st, err := obs.Status(ctx); err == nil {
		if bs, ok := st.(*jetstream.ObjectBucketStatus); ok && bs.StreamInfo() != nil {
			state = [2]uint64{bs.StreamInfo().State.LastSeq, bs.StreamInfo().State.Msgs}
			stateKnown = true
		}
	}
	if stateKnown && s.listCached && state == s.listedAt {
		return slices.Clone(s.listed), nil
	}
	objs, err := obs.List(ctx)
	if err != nil && !errors.Is(err, jetstream.ErrNoObjectsFound) {
		return nil, fmt.Errorf("listing snapshots: %w", err)
	}
	out := make([]projections.SnapshotInfo, 0, len(objs))
	for _, o := range objs {
		if in, ok := parse(o); ok {
			out = append(out, in)
		}
	}
	s.listed, s.listedAt, s.listCached = out, state, stateKnown
	return slices.Clone(out), nil
}

func parse(o *jetstream.ObjectInfo) (projections.SnapshotInfo, bool) {
	m := o.Metadata
	if m == nil || o.Deleted {
		return projections.SnapshotInfo{}, false
	}
	in := projections.SnapshotInfo{Model: m[metaModel], Registry: m[metaRegistry], EventID: m[metaEventID], Size: int64(o.Size)}
	var err error
	num := func(key string) int {
		v, e := strconv.Atoi(m[key])
		err = errors.Join(err, e)
		return v
	}
	tm := func(key string) time.Time {
		v, e := time.Parse(timeFormatMeta, m[key])
		err = errors.Join(err, e)
		return v
	}
	in.Version, in.Format = num(metaVersion), num(metaFormat)
	pos, e := strconv.ParseUint(m[metaPosition], 10, 64)
	err = errors.Join(err, e)
	in.Position = pos
	in.RecordedAt, in.MaxRecordedAt, in.TakenAt = tm(metaRecorded), tm(metaMaxRecord), tm(metaTaken)
	// The span is optional (older snapshots have none): without it, or with
	// one that does not parse, nothing is skipped.
	if since, e := strconv.ParseUint(m[metaSince], 10, 64); e == nil {
		if lo, e := time.Parse(timeFormatMeta, m[metaMinRecord]); e == nil && since < in.Position {
			in.Since, in.MinRecordedAt = since, lo
		}
	}
	if err != nil || in.Model == "" || o.Name != Name(in.Model, in.Position) {
		return projections.SnapshotInfo{}, false
	}
	return in, true
}

// Get returns a snapshot's bytes; the object store checks their digest.
func (s *Store) Get(ctx context.Context, in projections.SnapshotInfo) ([]byte, error) {
	obs, err := s.open(ctx, false)
	if err != nil {
		return nil, err
	}
	if obs == nil {
		return nil, fmt.Errorf("snapshot bucket %s: %w", s.bucket, jetstream.ErrBucketNotFound)
	}
	data, err := obs.GetBytes(ctx, Name(in.Model, in.Position))
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", Name(in.Model, in.Position), err)
	}
	if in.Size != 0 && int64(len(data)) != in.Size {
		return nil, fmt.Errorf("snapshot %s: %d bytes, %d expected", Name(in.Model, in.Position), len(data), in.Size)
	}
	return data, nil
}

// Delete removes a snapshot.
func (s *Store) Delete(ctx context.Context, in projections.SnapshotInfo) error {
	obs, err := s.open(ctx, false)
	if err != nil || obs == nil {
		return err
	}
	if err := obs.Delete(ctx, Name(in.Model, in.Position)); err != nil && !errors.Is(err, jetstream.ErrObjectNotFound) {
		return fmt.Errorf("deleting snapshot %s: %w", Name(in.Model, in.Position), err)
	}
	return nil
}
