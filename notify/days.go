package notify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/shanxi-water/ledger/domain/plan"
)

// DayStore keeps the last day the notifier checked for overdue units, as
// soon as it has checked: a restart then notifies what became overdue
// since, and only that. (A snapshot is taken only when the log moves on,
// so a check on a quiet day would not reach it.)
type DayStore interface {
	LoadDay(ctx context.Context) (plan.Date, bool, error)
	SaveDay(ctx context.Context, d plan.Date) error
}

// KVDays is a DayStore in a JetStream key-value bucket, created if need
// be; kept on disk beside the log, with as many replicas as the log (a
// bucket on one server of a cluster stopped the ledger from starting while
// that server was down).
func KVDays(ctx context.Context, js jetstream.JetStream, bucket string, replicas int) (DayStore, error) {
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: bucket, History: 1, Storage: jetstream.FileStorage,
		Replicas: max(replicas, 1), Description: "the ledger's notifier: the last day checked for overdue tasks"})
	if err != nil {
		return nil, fmt.Errorf("key-value bucket %s: %w", bucket, err)
	}
	return kvDays{kv}, nil
}

type kvDays struct{ kv jetstream.KeyValue }

const overdueKey = "overdue_checked"

func (k kvDays) LoadDay(ctx context.Context) (plan.Date, bool, error) {
	e, err := k.kv.Get(ctx, overdueKey)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return plan.Date{}, false, nil
	}
	if err != nil {
		return plan.Date{}, false, err
	}
	d, err := plan.ParseDate(string(e.Value()))
	return d, err == nil, err
}

func (k kvDays) SaveDay(ctx context.Context, d plan.Date) error {
	_, err := k.kv.PutString(ctx, overdueKey, d.String())
	return err
}

// storeTimeout bounds a DayStore call made while the notifier is locked.
const storeTimeout = 5 * time.Second

// KVClaims is a Claimer in a JetStream key-value bucket, created if need
// be with the log's replicas: a claim is a key created once (an existing
// key is another process's claim), kept for a month.
func KVClaims(ctx context.Context, js jetstream.JetStream, bucket string, replicas int) (Claimer, error) {
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: bucket, History: 1, Storage: jetstream.FileStorage,
		Replicas: max(replicas, 1), TTL: 30 * 24 * time.Hour, Description: "the ledger's notifications sent, so that several servers send each once"})
	if err != nil {
		return nil, fmt.Errorf("key-value bucket %s: %w", bucket, err)
	}
	return kvClaims{kv}, nil
}

type kvClaims struct{ kv jetstream.KeyValue }

func (k kvClaims) Claim(ctx context.Context, key string) (bool, error) {
	sum := sha256.Sum256([]byte(key)) // a key of the characters a bucket takes
	_, err := k.kv.Create(ctx, "sent."+hex.EncodeToString(sum[:16]), nil)
	if errors.Is(err, jetstream.ErrKeyExists) {
		return false, nil
	}
	return err == nil, err
}
