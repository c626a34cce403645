package events

import "reflect"

// PayloadJSON is the JSON the registry writes for a payload of a registered
// type, without validating it, and whether its type's encoder is compiled.
func PayloadJSON(r *Registry, v any) ([]byte, bool, error) {
	r.mu.RLock()
	k := r.byType[reflect.TypeOf(v)]
	r.mu.RUnlock()
	b, err := appendJSON(nil, v, k.enc)
	return b, k.enc != nil, err
}
