package projections

import (
	"fmt"
	"reflect"
	"time"

	"github.com/google/uuid"
	json "github.com/segmentio/encoding/json"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/events"
)

// Inputs keeps the events a model used, so that the model can be
// snapshotted as those events and restored by applying them again. It suits
// models whose state is about as large as their inputs — the task board,
// the card register and the accountability register read a few thousand
// task, enterprise and official events, never the samples — and whose state
// holds what the domain's types do not expose. A restore is exact by
// construction: it is the same Apply on the same data.
//
// Only the envelope fields a model may read are kept: position, id,
// aggregate, version, occurred-at, recorded-at, actor, and the payload.
type Inputs struct {
	evs []input
}

type input struct {
	position   uint64
	id         uuid.UUID
	aggregate  events.Aggregate
	version    uint64
	occurredAt time.Time
	recordedAt time.Time
	actor      domain.Actor
	data       any
}

// Add keeps e.
func (in *Inputs) Add(e events.Event) {
	in.evs = append(in.evs, input{e.Position, e.ID, e.Aggregate, e.Version, e.OccurredAt, e.RecordedAt, e.Actor, e.Data})
}

// Len is the number of events kept.
func (in *Inputs) Len() int { return len(in.evs) }

// PayloadTypes are the payload types a model keeps in its Inputs, known by
// their Go type names.
type PayloadTypes struct {
	byName map[string]reflect.Type
}

// NewPayloadTypes lists the payload types by a value of each.
func NewPayloadTypes(samples ...any) *PayloadTypes {
	p := &PayloadTypes{byName: map[string]reflect.Type{}}
	for _, s := range samples {
		t := reflect.TypeOf(s)
		p.byName[t.String()] = t
	}
	return p
}

type inputJSON struct {
	Position   uint64           `json:"position"`
	ID         uuid.UUID        `json:"id"`
	Aggregate  events.Aggregate `json:"aggregate"`
	Version    uint64           `json:"version"`
	OccurredAt time.Time        `json:"occurred_at"`
	RecordedAt time.Time        `json:"recorded_at"`
	Actor      domain.Actor     `json:"actor"`
	Type       string           `json:"type"`
	Data       json.RawMessage  `json:"data"`
}

type inputsJSON struct {
	LastEvent uint64      `json:"last_event"`
	Count     int         `json:"count"`
	Events    []inputJSON `json:"events"`
}

// Encode encodes the events kept, with the model's last event position.
func (in *Inputs) Encode(types *PayloadTypes, lastEvent uint64) ([]byte, error) {
	out := inputsJSON{LastEvent: lastEvent, Count: len(in.evs), Events: make([]inputJSON, len(in.evs))}
	for i, e := range in.evs {
		t := reflect.TypeOf(e.data)
		if t == nil || types.byName[t.String()] != t {
			return nil, fmt.Errorf("position %d: payload type %v is not one the model keeps", e.position, t)
		}
		raw, err := json.Marshal(e.data)
		if err != nil {
			return nil, fmt.Errorf("position %d: %w", e.position, err)
		}
		out.Events[i] = inputJSON{Position: e.position, ID: e.id, Aggregate: e.aggregate, Version: e.version,
			OccurredAt: e.occurredAt, RecordedAt: e.recordedAt, Actor: e.actor, Type: t.String(), Data: raw}
	}
	return json.Marshal(out)
}

// DecodeInputs decodes what Encode wrote: the events to apply again, in
// order, and the model's last event position.
func DecodeInputs(data []byte, types *PayloadTypes) ([]events.Event, uint64, error) {
	var in inputsJSON
	if err := json.Unmarshal(data, &in); err != nil {
		return nil, 0, err
	}
	if in.Count != len(in.Events) {
		return nil, 0, fmt.Errorf("holds %d events, says it holds %d", len(in.Events), in.Count)
	}
	out := make([]events.Event, len(in.Events))
	var prev uint64
	for i, e := range in.Events {
		t, ok := types.byName[e.Type]
		if !ok {
			return nil, 0, fmt.Errorf("position %d: unknown payload type %q", e.Position, e.Type)
		}
		if e.Position <= prev || e.Position > in.LastEvent {
			return nil, 0, fmt.Errorf("position %d out of order", e.Position)
		}
		prev = e.Position
		p := reflect.New(t)
		if err := json.Unmarshal(e.Data, p.Interface()); err != nil {
			return nil, 0, fmt.Errorf("position %d: %w", e.Position, err)
		}
		out[i] = events.Event{Position: e.Position, ID: e.ID, Aggregate: e.Aggregate, Version: e.Version,
			OccurredAt: e.OccurredAt, RecordedAt: e.RecordedAt, Actor: e.Actor, Data: p.Elem().Interface()}
	}
	return out, in.LastEvent, nil
}
