package events_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	fastjson "github.com/segmentio/encoding/json"
	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/events"
)

// Every payload type of the product is written exactly as fastjson.Marshal
// writes it, on random values: by the compiled encoder where its type has one.
func TestProductPayloadJSON(t *testing.T) {
	r := app.Registry()
	rng := rand.New(rand.NewPCG(3, 4))
	for _, name := range r.Names() {
		// A decoded empty object is a value of the registered type.
		zero, _, _, err := r.Decode(name, 1, []byte("{}"))
		if err != nil {
			continue // schema 1 is upcast from a shape that needs fields
		}
		typ := reflect.TypeOf(zero)
		compiled := false
		for range 1000 {
			v := events.RandomValue(rng, typ).Interface()
			want, werr := marshal(v)
			got, c, err := events.PayloadJSON(r, v)
			compiled = c
			if werr != nil {
				require.EqualError(t, err, werr.Error(), "%s", name)
				continue
			}
			require.NoError(t, err, "%s", name)
			require.Equal(t, string(want), string(got), "%s", name)
		}
		t.Logf("%-40s %-45v compiled: %v", name, typ, compiled)
	}
}

// marshal is fastjson.Marshal, with a panic (a MarshalJSON method given a
// random value it does not expect) as an error.
func marshal(v any) (b []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			b, err = nil, fmt.Errorf("panic: %v", p)
		}
	}()
	return fastjson.Marshal(v)
}
