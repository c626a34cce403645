package domain

import (
	"fmt"
	"unicode"
)

// Role is what an actor may do in the ledger.
type Role string

// The roles of the ledger's users.
const (
	Auditor     Role = "auditor"     // reads everything, changes nothing
	Assessment  Role = "assessment"  // the assessment team: rules, scores, publication
	Enforcement Role = "enforcement" // inspections and cards
	Station     Role = "station"     // a monitoring station: uploads readings for its own sections
	Admin       Role = "admin"       // registers, tokens, everything
	System      Role = "system"      // the ledger itself (imports of seed data, demo generation)
)

var roles = []Role{Auditor, Assessment, Enforcement, Station, Admin, System}

// Validate reports whether r is a known role.
func (r Role) Validate() error {
	for _, k := range roles {
		if r == k {
			return nil
		}
	}
	if r == "" {
		return fmt.Errorf("missing")
	}
	return fmt.Errorf("unknown role %q: want one of %v", string(r), roles)
}

// Actor is who did something and in which role. Every event records one.
type Actor struct {
	ID   string `json:"id"`   // a person's or station's identifier, e.g. "zhang.wei" or "station-140100-01"
	Role Role   `json:"role"` // the role they acted in
}

// Validate checks the actor, naming the field at fault.
func (a Actor) Validate(op, field string) error {
	switch {
	case a.ID == "":
		return Errorf(op, Invalid, field+".id", "missing: every event records who did it")
	case len(a.ID) > 128:
		return Errorf(op, Invalid, field+".id", "longer than 128 bytes")
	}
	for _, r := range a.ID {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			return Errorf(op, Invalid, field+".id", "contains a space or control character")
		}
	}
	if err := a.Role.Validate(); err != nil {
		return E(op, Invalid, field+".role", err)
	}
	return nil
}
