package events

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"

	fastjson "github.com/segmentio/encoding/json"
	"github.com/stretchr/testify/require"
)

// Payload shapes the compiled encoder covers.
type (
	level   float64
	code    string
	counts  map[code]int
	reading struct {
		Section   string             `json:"section"`
		SampledAt time.Time          `json:"sampled_at"`
		Source    string             `json:"source"`
		Values    map[string]float64 `json:"values"`
	}
	allKinds struct {
		B       bool               `json:"b"`
		I       int                `json:"i"`
		I8      int8               `json:"i8"`
		I16     int16              `json:"i16,omitempty"`
		I32     int32              `json:"i32"`
		I64     int64              `json:"i64,omitempty"`
		U       uint               `json:"u"`
		U8      uint8              `json:"u8,omitempty"`
		U16     uint16             `json:"u16"`
		U32     uint32             `json:"u32,omitempty"`
		U64     uint64             `json:"u64"`
		F32     float32            `json:"f32"`
		F64     float64            `json:"f64,omitempty"`
		Level   level              `json:"level"`
		S       string             `json:"s,omitempty"`
		Code    code               `json:"code"`
		T       time.Time          `json:"t"`
		TO      time.Time          `json:"to,omitempty"`
		PT      *time.Time         `json:"pt"`
		PF      *float64           `json:"pf,omitempty"`
		PS      *reading           `json:"ps"`
		Strs    []string           `json:"strs"`
		Codes   []code             `json:"codes,omitempty"`
		Rs      []reading          `json:"rs"`
		PRs     []*reading         `json:"prs,omitempty"`
		Nested  [][]float64        `json:"nested"`
		ByCode  map[code]level     `json:"by_code"`
		Counts  counts             `json:"counts,omitempty"`
		Flags   map[string]bool    `json:"flags"`
		Names   map[string]string  `json:"names"`
		Big     map[string]uint64  `json:"big"`
		Small   map[string]int32   `json:"small"`
		NoTag   string             //
		Dash    string             `json:"-,"`
		Skipped string             `json:"-"`
		Odd     string             `json:"odd name!"`
		Bad     string             `json:"bad\"name"`
		Opts    string             `json:",omitempty,unknown"`
		Unicode map[string]float64 `json:"值"`
		hidden  string
	}
	single struct {
		Values map[string]float64 `json:"values"` // held in the interface word itself
	}
)

// Shapes left to fastjson.
type (
	withMarshaler struct {
		D   time.Duration `json:"d"`
		Raw json.RawMessage
	}
	embedded struct {
		reading
		Extra string `json:"extra"`
	}
	withAny struct {
		Any any `json:"any"`
	}
	withArray struct {
		Pair [2]int `json:"pair"`
	}
	withBytes struct {
		Bytes []byte `json:"bytes"`
	}
	withIntKeys struct {
		M map[int]string `json:"m"`
	}
	withStringOpt struct {
		N int `json:"n,string"`
	}
	withDuplicate struct {
		A string `json:"B"`
		B string
	}
	recursive struct {
		Next *recursive `json:"next"`
	}
	withTextKey struct {
		M map[textKey]int `json:"m"`
	}
	textKey               string
	withFloatMapOfStructs struct {
		M map[string]reading `json:"m"`
	}
)

func (k textKey) MarshalText() ([]byte, error) { return []byte("k:" + string(k)), nil }

func TestCompiledPayloads(t *testing.T) {
	for _, v := range []any{reading{}, allKinds{}} {
		require.NotNil(t, compilePayload(reflect.TypeOf(v)), "%T is compiled", v)
	}
	for _, v := range []any{single{}, withMarshaler{}, embedded{}, withAny{}, withArray{}, withBytes{},
		withIntKeys{}, withStringOpt{}, withDuplicate{}, recursive{}, withTextKey{}, withFloatMapOfStructs{}, 3, "s", &reading{}} {
		require.Nil(t, compilePayload(reflect.TypeOf(v)), "%T is left to fastjson", v)
	}
}

// The compiled encoder writes exactly what fastjson.Marshal writes, and
// fails (leaving the value to fastjson) only where it must.
func TestPayloadJSONMatchesFastjson(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, v := range []any{reading{}, allKinds{}, single{}, withMarshaler{}, embedded{}, withAny{}, withArray{},
		withBytes{}, withIntKeys{}, withStringOpt{}, withDuplicate{}, recursive{}, withTextKey{}, withFloatMapOfStructs{}} {
		typ := reflect.TypeOf(v)
		enc := compilePayload(typ)
		fast := 0
		const n = 3000
		for range n {
			val := RandomValue(rng, typ).Interface()
			if enc != nil {
				if b, ok := enc(nil, (*iface)(unsafe.Pointer(&val)).ptr); ok {
					fast++
					want, err := fastjson.Marshal(val)
					require.NoError(t, err)
					require.Equal(t, string(want), string(b), "%T", val)
				}
			}
			requireSameJSON(t, val, enc)
		}
		if enc != nil {
			require.Greater(t, fast, n/2, "%T: most values take the compiled path", v)
		}
	}
}

// requireSameJSON checks appendJSON against fastjson.Marshal: the same bytes,
// or the same error.
func requireSameJSON(t *testing.T, val any, enc encFn) {
	t.Helper()
	want, werr := fastjson.Marshal(val)
	prefix := []byte("prefix:")
	got, err := appendJSON(prefix, val, enc)
	if werr != nil {
		require.EqualError(t, err, werr.Error(), "%T", val)
		return
	}
	require.NoError(t, err)
	require.Equal(t, "prefix:"+string(want), string(got), "%T", val)
}

func TestPayloadJSONEdgeValues(t *testing.T) {
	enc := compilePayload(reflect.TypeFor[allKinds]())
	f := math.Float64frombits
	for _, x := range []float64{0, math.Copysign(0, -1), 1e-6, 9.99999e-7, 1e21, 9.99999e20, 1e-7, 1.5e-9, 123456789,
		math.MaxFloat64, math.SmallestNonzeroFloat64, -1e-300, f(1), 0.1, 1.0 / 3, math.NaN(), math.Inf(1), math.Inf(-1)} {
		for _, s := range []string{"", "plain", "<b>&amp;</b>", "quote\"back\\slash", "ctl\x00\x01\x1f\x7f",
			"\b\f\n\r\t", "汾河 劣V类", "line\u2028para\u2029", "bad\xffutf8", "trunc\xe6\xb1", "emoji 🌊"} {
			v := allKinds{F32: float32(x), F64: x, Level: level(x), S: s, Code: code(s),
				ByCode: map[code]level{code(s): level(x), "a": 1}, Names: map[string]string{s: s},
				Flags: map[string]bool{s: true}, T: time.Date(2019, 3, 1, 8, 0, 0, 123456000, time.FixedZone("", 8*3600+1800))}
			requireSameJSON(t, v, enc)
		}
	}
	for _, at := range []time.Time{{}, time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 1, time.UTC),
		time.Date(2020, 2, 29, 23, 59, 59, 999999999, time.FixedZone("", -(12*3600+45*60+30)))} {
		requireSameJSON(t, allKinds{T: at, PT: &at}, enc)
	}
}

// RandomValue returns a random value of t: strings with characters that
// need escaping, floats at the edges of their formats, nil and empty
// pointers, slices and maps.
func RandomValue(rng *rand.Rand, t reflect.Type) reflect.Value {
	v := reflect.New(t).Elem()
	fillRandom(rng, v, 0)
	return v
}

var randomRunes = []string{"a", "Z", "0", " ", "_", "-", ".", "<", ">", "&", "\"", "\\", "/", "\n", "\t", "\b", "\f", "\r",
	"\x00", "\x1f", "\x7f", "é", "汾", "河", "劣", "\u2028", "\u2029", "🌊", "\xff", "\xe6\xb1", "\ufffd"}

func randomString(rng *rand.Rand) string {
	var b strings.Builder
	plain := rng.IntN(2) == 0 // half of them need no escaping at all
	for range rng.IntN(12) {
		if plain {
			b.WriteByte("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-. "[rng.IntN(66)])
			if rng.IntN(8) == 0 {
				b.WriteString("汾河")
			}
		} else {
			b.WriteString(randomRunes[rng.IntN(len(randomRunes))])
		}
	}
	return b.String()
}

func randomFloat(rng *rand.Rand) float64 {
	switch rng.IntN(12) {
	case 0:
		return 0
	case 1:
		return math.Copysign(0, -1)
	case 2:
		return math.Ldexp(rng.Float64(), rng.IntN(2000)-1000) // anywhere
	case 3:
		return []float64{1e-6, 1e-7, 1e21, 1e20, 9.999999e20, math.MaxFloat64, math.SmallestNonzeroFloat64, 5e-324}[rng.IntN(8)]
	case 4:
		if rng.IntN(20) == 0 {
			return []float64{math.NaN(), math.Inf(1), math.Inf(-1)}[rng.IntN(3)]
		}
	}
	return math.Round((rng.Float64()*200-100)*1000) / 1000
}

func randomTime(rng *rand.Rand) time.Time {
	zones := []*time.Location{time.UTC, time.FixedZone("CST", 8*3600), time.FixedZone("", -(3*3600 + 30*60)), time.FixedZone("", 45)}
	sec := rng.Int64N(4e9) - 1e9
	if rng.IntN(20) == 0 {
		sec = rng.Int64N(1e12) - 5e11 // outside years 0 to 9999
	}
	ns := rng.Int64N(1e9)
	if rng.IntN(2) == 0 {
		ns = ns / 1000 * 1000
	}
	return time.Unix(sec, ns).In(zones[rng.IntN(len(zones))])
}

func fillRandom(rng *rand.Rand, v reflect.Value, depth int) {
	t := v.Type()
	if t == timeType {
		v.Set(reflect.ValueOf(randomTime(rng)))
		return
	}
	if t == reflect.TypeFor[json.RawMessage]() || t == reflect.TypeFor[json.Number]() {
		switch {
		case rng.IntN(2) == 0:
		case t.Kind() == reflect.Slice:
			v.SetBytes([]byte(`{"a":[1,2]}`))
		default:
			v.SetString("12")
		}
		return
	}
	empty := rng.IntN(5) == 0 // zero values, for omitempty
	switch t.Kind() {
	case reflect.Bool:
		v.SetBool(rng.IntN(2) == 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if !empty {
			bits := t.Bits()
			v.SetInt(int64(rng.Uint64()) >> (64 - bits) >> rng.IntN(bits))
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if !empty {
			bits := t.Bits()
			v.SetUint(rng.Uint64() >> (64 - bits) >> rng.IntN(bits))
		}
	case reflect.Float32, reflect.Float64:
		if !empty {
			v.SetFloat(randomFloat(rng))
		}
	case reflect.String:
		if !empty {
			v.SetString(randomString(rng))
		}
	case reflect.Pointer:
		if !empty && depth < 4 {
			p := reflect.New(t.Elem())
			fillRandom(rng, p.Elem(), depth+1)
			v.Set(p)
		}
	case reflect.Slice:
		if empty || depth >= 4 {
			if rng.IntN(2) == 0 {
				v.Set(reflect.MakeSlice(t, 0, rng.IntN(2)))
			}
			return
		}
		n := rng.IntN(5)
		s := reflect.MakeSlice(t, n, n)
		for i := range n {
			fillRandom(rng, s.Index(i), depth+1)
		}
		v.Set(s)
	case reflect.Array:
		for i := range v.Len() {
			fillRandom(rng, v.Index(i), depth+1)
		}
	case reflect.Map:
		if empty || depth >= 4 {
			if rng.IntN(2) == 0 {
				v.Set(reflect.MakeMap(t))
			}
			return
		}
		m := reflect.MakeMap(t)
		for range rng.IntN(20) {
			k := reflect.New(t.Key()).Elem()
			fillRandom(rng, k, depth+1)
			e := reflect.New(t.Elem()).Elem()
			fillRandom(rng, e, depth+1)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Field(i); f.CanSet() {
				fillRandom(rng, f, depth+1)
			}
		}
	case reflect.Interface:
		if !empty && t.NumMethod() == 0 {
			v.Set(reflect.ValueOf([]any{"s", 1.5, true, map[string]any{"k": []any{1.0, "x"}}}[rng.IntN(4)]))
		}
	}
}
