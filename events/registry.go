package events

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"sync"

	fastjson "github.com/segmentio/encoding/json"

	"github.com/shanxi-water/ledger/domain"
)

// Upcaster turns a payload written with schema version v into version v+1.
type Upcaster func(old json.RawMessage) (json.RawMessage, error)

// Validator is implemented by payloads that check themselves before they are
// stored. The error should be a *domain.Error naming the field at fault.
type Validator interface {
	Validate() error
}

type kind struct {
	name      Name
	schema    int
	typ       reflect.Type
	enc       encFn            // the payload's compiled JSON encoder, or nil (see payloadjson.go)
	upcasters map[int]Upcaster // from version -> to version+1
}

// Registry maps stable event names to payload types and schema versions.
// Register every payload type once, at start-up; a Registry is then safe for
// concurrent use.
type Registry struct {
	mu     sync.RWMutex
	byName map[Name]*kind
	byType map[reflect.Type]*kind
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{byName: map[Name]*kind{}, byType: map[reflect.Type]*kind{}}
}

// Register records that payloads of type T are stored under name at the given
// (current) schema version. It panics on a malformed name, a schema below 1,
// or a name or type registered twice: these are programming errors.
func Register[T any](r *Registry, name Name, schema int) {
	if err := name.Validate(); err != nil {
		panic(fmt.Sprintf("events.Register: name: %v", err))
	}
	if schema < 1 {
		panic(fmt.Sprintf("events.Register %s: schema version %d < 1", name, schema))
	}
	t := reflect.TypeFor[T]()
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.byName[name]; dup {
		panic(fmt.Sprintf("events.Register: name %s registered twice", name))
	}
	if k, dup := r.byType[t]; dup {
		panic(fmt.Sprintf("events.Register %s: type %v already registered as %s", name, t, k.name))
	}
	k := &kind{name: name, schema: schema, typ: t, enc: compilePayload(t), upcasters: map[int]Upcaster{}}
	r.byName[name] = k
	r.byType[t] = k
}

// RegisterUpcaster records how to turn the named event's payload from schema
// version from into from+1. It panics if the name is unknown or from is not
// below the current version.
func (r *Registry) RegisterUpcaster(name Name, from int, up Upcaster) {
	r.mu.Lock()
	defer r.mu.Unlock()
	k, ok := r.byName[name]
	if !ok {
		panic(fmt.Sprintf("events.RegisterUpcaster: unknown event %s", name))
	}
	if from < 1 || from >= k.schema {
		panic(fmt.Sprintf("events.RegisterUpcaster %s: from %d must be in 1..%d", name, from, k.schema-1))
	}
	k.upcasters[from] = up
}

// Names lists the registered names in order.
func (r *Registry) Names() []Name {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]Name, 0, len(r.byName))
	for n := range r.byName {
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Fingerprint is a SHA-256, in hex, over every registered name with its
// current schema version and the versions it can upcast from. Read models
// built with one registry may differ from those built with another (a new
// upcaster changes what old payloads decode to), so a projection snapshot
// records it and is used only by code with the same fingerprint.
func (r *Registry) Fingerprint() string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	names := make([]Name, 0, len(r.byName))
	for n := range r.byName {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return names[i] < names[j] })
	h := sha256.New()
	for _, n := range names {
		k := r.byName[n]
		ups := make([]int, 0, len(k.upcasters))
		for v := range k.upcasters {
			ups = append(ups, v)
		}
		sort.Ints(ups)
		fmt.Fprintf(h, "%s %d %s %v\n", n, k.schema, k.typ, ups)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Known reports whether name is registered.
func (r *Registry) Known(name Name) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	_, ok := r.byName[name]
	return ok
}

// Encode returns the registered name, schema version and JSON of a payload.
func (r *Registry) Encode(data any) (Name, int, json.RawMessage, error) {
	name, schema, raw, err := r.appendEncoded(nil, data)
	return name, schema, raw, err
}

// appendEncoded is Encode appending the JSON to b, and returning b.
func (r *Registry) appendEncoded(b []byte, data any) (Name, int, []byte, error) {
	const op = "events.Encode"
	if data == nil {
		return "", 0, nil, domain.Errorf(op, domain.Invalid, "data", "missing payload")
	}
	r.mu.RLock()
	k, ok := r.byType[reflect.TypeOf(data)]
	r.mu.RUnlock()
	if !ok {
		return "", 0, nil, domain.Errorf(op, domain.Invalid, "data", "payload type %T is not a registered event", data)
	}
	if v, ok := data.(Validator); ok {
		if err := v.Validate(); err != nil {
			field, reason := "data", err
			var de *domain.Error
			if errors.As(err, &de) && de.Field != "" {
				field, reason = "data."+de.Field, de.Err
			}
			return k.name, 0, nil, domain.E(op, domain.Invalid, field, fmt.Errorf("%s: %w", k.name, reason))
		}
	}
	b, err := appendJSON(b, data, k.enc)
	if err != nil {
		return k.name, 0, nil, domain.E(op, domain.Invalid, "data", fmt.Errorf("%s: %w", k.name, err))
	}
	return k.name, k.schema, b, nil
}

// Decode turns a stored payload into its registered type, upcasting it from
// an older schema version first. It fails, naming the event and the reason, on
// an unknown name, a schema version newer than the code, a missing upcaster
// or a malformed payload. It returns the payload and schema as upcast.
func (r *Registry) Decode(name Name, schema int, raw json.RawMessage) (any, int, json.RawMessage, error) {
	const op = "events.Decode"
	r.mu.RLock()
	k, ok := r.byName[name]
	r.mu.RUnlock()
	if !ok {
		return nil, 0, nil, domain.Errorf(op, domain.Invalid, "name", "event %s: unknown event name (not in the registry)", name)
	}
	if schema > k.schema {
		return nil, 0, nil, domain.Errorf(op, domain.Invalid, "schema", "event %s: schema version %d is newer than this code understands (%d): upgrade the ledger", name, schema, k.schema)
	}
	if schema < 1 {
		return nil, 0, nil, domain.Errorf(op, domain.Invalid, "schema", "event %s: schema version %d < 1", name, schema)
	}
	for v := schema; v < k.schema; v++ {
		up, ok := k.upcasters[v]
		if !ok {
			return nil, 0, nil, domain.Errorf(op, domain.Invalid, "schema", "event %s: no upcaster from schema version %d to %d", name, v, v+1)
		}
		next, err := up(raw)
		if err != nil {
			return nil, 0, nil, domain.Errorf(op, domain.Invalid, "payload", "event %s: upcasting from schema version %d: %v", name, v, err)
		}
		raw = next
	}
	p := reflect.New(k.typ)
	var err error
	if u, ok := p.Interface().(json.Unmarshaler); ok {
		// A payload with its own decoder (the samples' columns) reads the
		// payload once; through a JSON library it would be scanned first
		// to find where it ends, which costs as much as decoding it.
		err = u.UnmarshalJSON(raw)
	} else {
		err = fastjson.Unmarshal(raw, p.Interface())
	}
	if err != nil {
		return nil, 0, nil, domain.Errorf(op, domain.Invalid, "payload", "event %s: malformed payload: %v", name, err)
	}
	return p.Elem().Interface(), k.schema, raw, nil
}
