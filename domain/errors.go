package domain

import (
	"errors"
	"fmt"
	"strings"
)

// Kind classifies an error so that every interface (HTTP, CLI) can react to it
// the same way. The HTTP layer maps kinds to status codes in one table.
type Kind uint8

// The kinds of error. Other is the zero value: an error of unknown kind.
const (
	Other           Kind = iota // unclassified
	Invalid                     // bad input: a field is missing, malformed or out of range
	NotFound                    // the thing asked for does not exist
	Conflict                    // the state moved on: stale version, duplicate
	Forbidden                   // the actor's role does not allow it
	Internal                    // a fault of the ledger or its store
	Corrupt                     // stored data failed an integrity check
	Unauthenticated             // no valid credentials
	Unavailable                 // the store cannot take it now (its disk nearly full, too busy): nothing was done; try again later
)

func (k Kind) String() string {
	switch k {
	case Invalid:
		return "invalid"
	case NotFound:
		return "not found"
	case Conflict:
		return "conflict"
	case Forbidden:
		return "forbidden"
	case Internal:
		return "internal"
	case Corrupt:
		return "corrupt"
	case Unauthenticated:
		return "unauthenticated"
	case Unavailable:
		return "unavailable"
	}
	return "other"
}

// Error is the ledger's error: the operation that failed, its kind, the input
// field at fault (if any) and the underlying cause or reason.
type Error struct {
	Op    string // operation, e.g. "events.Append"
	Kind  Kind
	Field string // offending input field, e.g. "events[2].aggregate.id"
	Err   error
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	} else {
		b.WriteString(e.Kind.String())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// E builds an *Error. Field may be empty.
func E(op string, kind Kind, field string, err error) *Error {
	return &Error{Op: op, Kind: kind, Field: field, Err: err}
}

// Errorf builds an *Error with a formatted reason.
func Errorf(op string, kind Kind, field, format string, args ...any) *Error {
	return &Error{Op: op, Kind: kind, Field: field, Err: fmt.Errorf(format, args...)}
}

// KindOf reports the kind of the outermost *Error in err's chain whose kind is
// set, or Other.
func KindOf(err error) Kind {
	for err != nil {
		var e *Error
		if !errors.As(err, &e) {
			return Other
		}
		if e.Kind != Other {
			return e.Kind
		}
		err = e.Err
	}
	return Other
}

// FieldOf reports the first field named along err's chain, or "".
func FieldOf(err error) string {
	for err != nil {
		var e *Error
		if !errors.As(err, &e) {
			return ""
		}
		if e.Field != "" {
			return e.Field
		}
		err = e.Err
	}
	return ""
}

// ReasonOf is why err failed, without the operation and field its *Error
// chain puts in front ("import: file: empty: …" is "empty: …"): the
// message a translation is looked up by.
func ReasonOf(err error) string {
	for {
		e, ok := err.(*Error)
		if !ok {
			break
		}
		if e.Err == nil {
			return e.Kind.String()
		}
		err = e.Err
	}
	if err == nil {
		return ""
	}
	return err.Error()
}

// KindOrInternal is KindOf(err), with Internal for an unclassified error.
func KindOrInternal(err error) Kind {
	if k := KindOf(err); k != Other {
		return k
	}
	return Internal
}
