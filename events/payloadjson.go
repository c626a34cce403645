package events

import (
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
	"unsafe"

	fastjson "github.com/segmentio/encoding/json"
)

// A payload's JSON is written by an encoder compiled for its type when it is
// registered: the same bytes as fastjson.Marshal (segmentio/encoding, which
// the ledger has always stored payloads with), without reflecting on every
// value. Reflection over maps is most of what encoding a payload costs
// segmentio: it copies every key and value out of the map to sort them.
//
// The compiled encoder covers structs of booleans, numbers, strings,
// time.Time, pointers, slices and maps keyed by strings with such values.
// A type holding anything else — a MarshalJSON or MarshalText method (but
// time.Time's), an interface, an embedded struct, an array, a byte slice, a
// map with other keys or values, the ",string" option, two fields of one name,
// a type that contains itself — is not compiled, and fastjson encodes it as
// before. So does a value the compiled encoder cannot write (NaN, an
// infinity), which also makes fastjson report the error it always reported.
// A string that needs escaping is escaped by fastjson.
//
// Equality with fastjson.Marshal is tested on many shapes and random values
// (payloadjson_test.go), and on random values of every payload type the
// product registers (payloadjson_app_test.go).

// encFn appends the JSON of the value at p, or reports false if it cannot.
type encFn func(b []byte, p unsafe.Pointer) ([]byte, bool)

// marshalFlags are the flags fastjson.Marshal uses.
const marshalFlags = fastjson.EscapeHTML | fastjson.SortMapKeys

// appendJSON appends data's JSON to b, as fastjson.Marshal writes it. enc is
// data's compiled encoder, or nil.
func appendJSON(b []byte, data any, enc encFn) ([]byte, error) {
	if enc != nil {
		start := len(b)
		out, ok := enc(b, (*iface)(unsafe.Pointer(&data)).ptr)
		if ok {
			return out, nil
		}
		b = out[:start]
	}
	out, err := fastjson.Append(b, data, marshalFlags)
	if err != nil {
		return b, err
	}
	return out, nil
}

// iface is the layout of an interface value.
type iface struct {
	typ unsafe.Pointer
	ptr unsafe.Pointer
}

// compilePayload returns an encoder for values of t held in an interface, or
// nil. Only a struct whose interface word points to it is compiled (a struct
// whose only field is a pointer or a map is held in the word itself).
func compilePayload(t reflect.Type) encFn {
	if t.Kind() != reflect.Struct || inlined(t) {
		return nil
	}
	c := compiler{busy: map[reflect.Type]bool{}}
	return c.compile(t)
}

func inlined(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return true
	case reflect.Struct:
		return t.NumField() == 1 && inlined(t.Field(0).Type)
	case reflect.Array:
		return t.Len() == 1 && inlined(t.Elem())
	}
	return false
}

var (
	timeType          = reflect.TypeFor[time.Time]()
	jsonMarshalerType = reflect.TypeFor[fastjson.Marshaler]()
	textMarshalerType = reflect.TypeFor[interface{ MarshalText() ([]byte, error) }]()
	durationType      = reflect.TypeFor[time.Duration]()
	// jsonPackages' types (Number, RawMessage) are special to fastjson.
	jsonPackages = map[string]bool{"encoding/json": true, "github.com/segmentio/encoding/json": true}
)

type compiler struct {
	busy map[reflect.Type]bool // types being compiled: a type within itself is not
}

// hasMethods reports whether fastjson would call a method of t (or *t) to
// encode it, or treats t specially.
func hasMethods(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	if t.Implements(jsonMarshalerType) || t.Implements(textMarshalerType) ||
		p.Implements(jsonMarshalerType) || p.Implements(textMarshalerType) {
		return true
	}
	return t == durationType || jsonPackages[t.PkgPath()]
}

func (c *compiler) compile(t reflect.Type) encFn {
	switch {
	case t == timeType:
		return encTime
	case t == reflect.PointerTo(timeType):
		return c.pointer(t) // fastjson writes a *time.Time as its time.Time
	case hasMethods(t) || c.busy[t]:
		return nil
	}
	c.busy[t] = true
	defer delete(c.busy, t)
	switch t.Kind() {
	case reflect.Bool:
		return encBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return encInt(t.Size())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return encUint(t.Size())
	case reflect.Float32:
		return func(b []byte, p unsafe.Pointer) ([]byte, bool) { return appendFloat(b, float64(*(*float32)(p)), 32) }
	case reflect.Float64:
		return func(b []byte, p unsafe.Pointer) ([]byte, bool) { return appendFloat(b, *(*float64)(p), 64) }
	case reflect.String:
		return func(b []byte, p unsafe.Pointer) ([]byte, bool) { return appendString(b, *(*string)(p)), true }
	case reflect.Pointer:
		return c.pointer(t)
	case reflect.Slice:
		return c.slice(t)
	case reflect.Map:
		return c.mapOf(t)
	case reflect.Struct:
		return c.structOf(t)
	}
	return nil
}

func encBool(b []byte, p unsafe.Pointer) ([]byte, bool) {
	if *(*bool)(p) {
		return append(b, "true"...), true
	}
	return append(b, "false"...), true
}

func encInt(size uintptr) encFn {
	switch size {
	case 1:
		return func(b []byte, p unsafe.Pointer) ([]byte, bool) {
			return strconv.AppendInt(b, int64(*(*int8)(p)), 10), true
		}
	case 2:
		return func(b []byte, p unsafe.Pointer) ([]byte, bool) {
			return strconv.AppendInt(b, int64(*(*int16)(p)), 10), true
		}
	case 4:
		return func(b []byte, p unsafe.Pointer) ([]byte, bool) {
			return strconv.AppendInt(b, int64(*(*int32)(p)), 10), true
		}
	case 8:
		return func(b []byte, p unsafe.Pointer) ([]byte, bool) { return strconv.AppendInt(b, *(*int64)(p), 10), true }
	}
	return nil
}

func encUint(size uintptr) encFn {
	switch size {
	case 1:
		return func(b []byte, p unsafe.Pointer) ([]byte, bool) {
			return strconv.AppendUint(b, uint64(*(*uint8)(p)), 10), true
		}
	case 2:
		return func(b []byte, p unsafe.Pointer) ([]byte, bool) {
			return strconv.AppendUint(b, uint64(*(*uint16)(p)), 10), true
		}
	case 4:
		return func(b []byte, p unsafe.Pointer) ([]byte, bool) {
			return strconv.AppendUint(b, uint64(*(*uint32)(p)), 10), true
		}
	case 8:
		return func(b []byte, p unsafe.Pointer) ([]byte, bool) { return strconv.AppendUint(b, *(*uint64)(p), 10), true }
	}
	return nil
}

// appendFloat writes f as fastjson (and encoding/json) does: like %g, but
// with exponents only under 1e-6 and from 1e21, not padded to two digits.
// NaN and infinities cannot be written.
func appendFloat(b []byte, f float64, bits int) ([]byte, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b, false
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	b = strconv.AppendFloat(b, f, format, -1, bits)
	if format == 'e' {
		// e-09 becomes e-9
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, true
}

// appendString writes s quoted. A string that needs escaping is left to
// fastjson, which escapes it as it always has.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				return escapeString(b, s)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			return escapeString(b, s)
		}
		i += size
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func escapeString(b []byte, s string) []byte {
	out, _ := fastjson.Append(b, s, marshalFlags) // a string always encodes
	return out
}

func encTime(b []byte, p unsafe.Pointer) ([]byte, bool) {
	b = append(b, '"')
	b = (*time.Time)(p).AppendFormat(b, time.RFC3339Nano)
	return append(b, '"'), true
}

func (c *compiler) pointer(t reflect.Type) encFn {
	elem := c.compile(t.Elem())
	if elem == nil {
		return nil
	}
	return func(b []byte, p unsafe.Pointer) ([]byte, bool) {
		q := *(*unsafe.Pointer)(p)
		if q == nil {
			return append(b, "null"...), true
		}
		return elem(b, q)
	}
}

// sliceHeader is the layout of a slice.
type sliceHeader struct {
	data unsafe.Pointer
	len  int
	cap  int
}

func (c *compiler) slice(t reflect.Type) encFn {
	if t.Elem().Kind() == reflect.Uint8 {
		return nil // bytes are base64
	}
	elem := c.compile(t.Elem())
	if elem == nil {
		return nil
	}
	size := t.Elem().Size()
	return func(b []byte, p unsafe.Pointer) ([]byte, bool) {
		s := (*sliceHeader)(p)
		if s.data == nil && s.len == 0 && s.cap == 0 {
			return append(b, "null"...), true
		}
		b = append(b, '[')
		for i := range s.len {
			if i > 0 {
				b = append(b, ',')
			}
			var ok bool
			if b, ok = elem(b, unsafe.Add(s.data, uintptr(i)*size)); !ok {
				return b, false
			}
		}
		return append(b, ']'), true
	}
}

// mapOf compiles a map keyed by a string type (without methods) whose values
// are booleans, numbers or strings: its keys are written sorted.
func (c *compiler) mapOf(t reflect.Type) encFn {
	k, v := t.Key(), t.Elem()
	if k.Kind() != reflect.String || hasMethods(k) || c.compile(v) == nil {
		return nil
	}
	switch kind, size := v.Kind(), v.Size(); {
	case kind == reflect.Bool:
		return encMap(func(b []byte, v bool) ([]byte, bool) { return strconv.AppendBool(b, v), true })
	case (kind == reflect.Int || kind == reflect.Int64) && size == 8:
		return encMap(func(b []byte, v int64) ([]byte, bool) { return strconv.AppendInt(b, v, 10), true })
	case (kind == reflect.Int || kind == reflect.Int32) && size == 4:
		return encMap(func(b []byte, v int32) ([]byte, bool) { return strconv.AppendInt(b, int64(v), 10), true })
	case (kind == reflect.Uint || kind == reflect.Uint64) && size == 8:
		return encMap(func(b []byte, v uint64) ([]byte, bool) { return strconv.AppendUint(b, v, 10), true })
	case kind == reflect.Float64:
		return encMap(func(b []byte, v float64) ([]byte, bool) { return appendFloat(b, v, 64) })
	case kind == reflect.String:
		return encMap(func(b []byte, v string) ([]byte, bool) { return appendString(b, v), true })
	}
	return nil
}

// encMap writes a map[K]V, K of kind string and V of V's kind and size
// (the same memory layout), with its keys sorted.
func encMap[V any](value func([]byte, V) ([]byte, bool)) encFn {
	type entry struct {
		k string
		v V
	}
	const few = 16
	return func(b []byte, p unsafe.Pointer) ([]byte, bool) {
		m := *(*map[string]V)(p)
		if m == nil {
			return append(b, "null"...), true
		}
		var (
			keys  [few]string
			vals  [few]V
			order [few]uint8
			es    []entry // more than a few
		)
		n := 0
		if len(m) <= few {
			// As most payloads' maps: keys and values in arrays on the
			// stack, their order sorted by insertion.
			for k, v := range m {
				keys[n], vals[n], order[n] = k, v, uint8(n)
				n++
			}
			for i := 1; i < n; i++ {
				for j := i; j > 0 && keys[order[j]] < keys[order[j-1]]; j-- {
					order[j], order[j-1] = order[j-1], order[j]
				}
			}
		} else {
			es = make([]entry, 0, len(m))
			for k, v := range m {
				es = append(es, entry{k, v})
			}
			slices.SortFunc(es, func(a, b entry) int { return strings.Compare(a.k, b.k) })
			n = len(es)
		}
		b = append(b, '{')
		for i := range n {
			var k string
			var v V
			if es != nil {
				k, v = es[i].k, es[i].v
			} else {
				k, v = keys[order[i]], vals[order[i]]
			}
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			var ok bool
			if b, ok = value(b, v); !ok {
				return b, false
			}
		}
		return append(b, '}'), true
	}
}

type field struct {
	offset uintptr
	key    string // "name":
	enc    encFn
	empty  func(p unsafe.Pointer) bool // set if omitempty
}

func (c *compiler) structOf(t reflect.Type) encFn {
	var fields []field
	names := map[string]bool{}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			return nil
		}
		if !f.IsExported() {
			continue
		}
		parts := strings.Split(f.Tag.Get("json"), ",")
		name := f.Name
		if parts[0] != "" {
			name = parts[0]
		}
		if name == "-" && len(parts) == 1 {
			continue
		}
		if !isValidTag(name) {
			name = f.Name
		}
		omitempty := false
		for _, opt := range parts[1:] {
			switch opt {
			case "omitempty":
				omitempty = true
			case "string", "omitzero":
				return nil
			}
		}
		if names[name] {
			return nil
		}
		names[name] = true
		enc := c.compile(f.Type)
		if enc == nil {
			return nil
		}
		fl := field{offset: f.Offset, key: string(appendString(nil, name)) + ":", enc: enc}
		if omitempty {
			if fl.empty = emptyFunc(f.Type); fl.empty == nil {
				return nil
			}
		}
		fields = append(fields, fl)
	}
	return func(b []byte, p unsafe.Pointer) ([]byte, bool) {
		b = append(b, '{')
		n := 0
		for i := range fields {
			f := &fields[i]
			v := unsafe.Add(p, f.offset)
			if f.empty != nil && f.empty(v) {
				continue
			}
			if n > 0 {
				b = append(b, ',')
			}
			b = append(b, f.key...)
			var ok bool
			if b, ok = f.enc(b, v); !ok {
				return b, false
			}
			n++
		}
		return append(b, '}'), true
	}
}

// emptyFunc is what omitempty leaves out, as fastjson decides it: false, 0,
// "", a nil pointer, an empty slice or map. A struct is never empty.
func emptyFunc(t reflect.Type) func(unsafe.Pointer) bool {
	switch t.Kind() {
	case reflect.Map:
		return func(p unsafe.Pointer) bool { return reflect.NewAt(t, p).Elem().Len() == 0 }
	case reflect.Slice:
		return func(p unsafe.Pointer) bool { return (*sliceHeader)(p).len == 0 }
	case reflect.String:
		return func(p unsafe.Pointer) bool { return len(*(*string)(p)) == 0 }
	case reflect.Bool:
		return func(p unsafe.Pointer) bool { return !*(*bool)(p) }
	case reflect.Int, reflect.Uint, reflect.Int8, reflect.Uint8, reflect.Int16, reflect.Uint16,
		reflect.Int32, reflect.Uint32, reflect.Int64, reflect.Uint64:
		size := t.Size()
		return func(p unsafe.Pointer) bool {
			switch size {
			case 1:
				return *(*uint8)(p) == 0
			case 2:
				return *(*uint16)(p) == 0
			case 4:
				return *(*uint32)(p) == 0
			}
			return *(*uint64)(p) == 0
		}
	case reflect.Float32:
		return func(p unsafe.Pointer) bool { return *(*float32)(p) == 0 }
	case reflect.Float64:
		return func(p unsafe.Pointer) bool { return *(*float64)(p) == 0 }
	case reflect.Pointer:
		return func(p unsafe.Pointer) bool { return *(*unsafe.Pointer)(p) == nil }
	case reflect.Struct:
		return func(unsafe.Pointer) bool { return false }
	}
	return nil
}

// isValidTag is fastjson's (and encoding/json's) test of a field name in a tag.
func isValidTag(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		default:
			if !unicode.IsLetter(c) && !unicode.IsDigit(c) {
				return false
			}
		}
	}
	return true
}
