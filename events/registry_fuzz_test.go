package events

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/domain"
)

// memoV3 is a payload at schema 3, read from schemas 1 and 2 by upcasters.
type memoV3 struct {
	Text  string `json:"text"`
	Words int    `json:"words"`
	Lang  string `json:"lang"`
}

// pinned is at schema 2 with no upcaster from 1: old payloads cannot be read.
type pinned struct {
	By string `json:"by"`
}

// kitchen has a field of most kinds a payload decoder has to handle.
type kitchen struct {
	At      time.Time          `json:"at"`
	Opt     *time.Time         `json:"opt"`
	Small   int8               `json:"small"`
	Count   uint32             `json:"count"`
	Ratio   float32            `json:"ratio"`
	Raw     json.RawMessage    `json:"raw"`
	Num     json.Number        `json:"num"`
	Bytes   []byte             `json:"bytes"`
	Pair    [2]int             `json:"pair"`
	ByCode  map[int]string     `json:"by_code"`
	Nested  map[string][]*bool `json:"nested"`
	Any     any                `json:"any"`
	Inner   *kitchen           `json:"inner,omitempty"`
	Skipped string             `json:"-"`
}

func fuzzRegistry() *Registry {
	r := NewRegistry()
	Register[sample](r, "section.sampled", 1)
	Register[memoV3](r, "memo.written", 3)
	r.RegisterUpcaster("memo.written", 1, func(old json.RawMessage) (json.RawMessage, error) {
		var v1 struct {
			Message string `json:"message"`
		}
		if err := json.Unmarshal(old, &v1); err != nil {
			return nil, err
		}
		return json.Marshal(map[string]any{"text": v1.Message, "words": len(strings.Fields(v1.Message))})
	})
	r.RegisterUpcaster("memo.written", 2, func(old json.RawMessage) (json.RawMessage, error) {
		var m map[string]any
		if err := json.Unmarshal(old, &m); err != nil {
			return nil, err
		}
		if m == nil {
			return nil, fmt.Errorf("not an object")
		}
		m["lang"] = "zh"
		return json.Marshal(m)
	})
	Register[pinned](r, "memo.pinned", 2)
	Register[kitchen](r, "test.kitchen", 1)
	return r
}

// FuzzRegistryDecode feeds arbitrary names, schema versions and payloads to
// Registry.Decode. It never panics. An error is the registry's invalid-input
// error and names the event; a payload it reads is of the registered type at
// the current schema, and reading it again, or encoding it and reading that,
// gives the same value.
//
// Seeds: testdata/fuzz/FuzzRegistryDecode.
func FuzzRegistryDecode(f *testing.F) {
	r := fuzzRegistry()
	type kind struct {
		schema int
		typ    reflect.Type
	}
	current := map[Name]kind{
		"section.sampled": {1, reflect.TypeFor[sample]()},
		"memo.written":    {3, reflect.TypeFor[memoV3]()},
		"memo.pinned":     {2, reflect.TypeFor[pinned]()},
		"test.kitchen":    {1, reflect.TypeFor[kitchen]()},
	}
	f.Fuzz(func(t *testing.T, name string, schema int, payload []byte) {
		data, gotSchema, raw, err := r.Decode(Name(name), schema, payload)
		if err != nil {
			var de *domain.Error
			require.True(t, errors.As(err, &de), "%T: %v", err, err)
			require.Equal(t, domain.Invalid, de.Kind)
			require.Equal(t, "events.Decode", de.Op)
			require.Contains(t, err.Error(), "event "+name, "the error names the event")
			require.Nil(t, data)
			return
		}
		k, ok := current[Name(name)]
		require.True(t, ok, "only registered names read")
		require.Equal(t, k.schema, gotSchema, "read at the current schema")
		require.Equal(t, k.typ, reflect.TypeOf(data), "read as the registered type")

		// Reading the (upcast) payload again gives the same value.
		again, s2, raw2, err := r.Decode(Name(name), gotSchema, raw)
		require.NoError(t, err, "the upcast payload %q reads again", raw)
		require.Equal(t, gotSchema, s2)
		require.Equal(t, string(raw), string(raw2))
		require.Equal(t, jsonOf(t, data), jsonOf(t, again))

		// Encoding the value and reading that back gives the same value.
		n, s3, enc, err := r.Encode(data)
		if err != nil {
			return // a payload that reads but does not validate: not for a new event
		}
		require.Equal(t, Name(name), n)
		require.Equal(t, gotSchema, s3)
		back, _, _, err := r.Decode(n, s3, enc)
		require.NoError(t, err, "an encoded payload %q reads back", enc)
		_, _, enc2, err := r.Encode(back)
		require.NoError(t, err)
		require.Equal(t, string(enc), string(enc2), "encode, decode, encode is stable")
	})
}

func jsonOf(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}
