package enforcement

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/shanxi-water/ledger/domain"
)

// EnterpriseID identifies an enterprise: its unified social credit code or,
// lacking one, its discharge permit number. It is the id of the
// enterprise's aggregate.
type EnterpriseID string

var permitRE = regexp.MustCompile(`^[A-Za-z0-9-]{4,64}$`)

// ValidatePermitNo checks a discharge permit number (排污许可证编号): ASCII
// letters, digits and '-', 4 to 64 (the national form is the holder's code,
// three digits and a letter, e.g. 91140100MA0K9XRB3N001P).
func ValidatePermitNo(s string) error {
	if s == "" {
		return fmt.Errorf("missing")
	}
	if !permitRE.MatchString(s) {
		return fmt.Errorf("%q: a permit number is 4 to 64 ASCII letters, digits and '-'", s)
	}
	if s != strings.ToUpper(s) {
		// One permit, one spelling: it is claimed, and matched against a
		// credit code, as written.
		return fmt.Errorf("%q: write its letters in capitals (%s)", s, strings.ToUpper(s))
	}
	return nil
}

// EnterpriseRegistered enters a discharging enterprise in the register.
// Event: enterprise.registered, on the enterprise's aggregate in its city's
// scope; its occurred-at is the day it came under supervision.
type EnterpriseRegistered struct {
	Name          string        `json:"name"`
	USCC          USCC          `json:"uscc,omitempty"`      // 统一社会信用代码
	PermitNo      string        `json:"permit_no,omitempty"` // 排污许可证编号
	City          domain.CityID `json:"city"`
	Industry      string        `json:"industry"`       // e.g. 造纸, 焦化, or a GB/T 4754 class
	KeyDischarger bool          `json:"key_discharger"` // 重点排污单位
}

// ID returns the enterprise's id: its code, else its permit number.
func (r EnterpriseRegistered) ID() EnterpriseID {
	if r.USCC != "" {
		return EnterpriseID(r.USCC)
	}
	return EnterpriseID(r.PermitNo)
}

// Validate checks every field: a name, a valid code or permit number (at
// least one), a Shanxi city and an industry.
func (r EnterpriseRegistered) Validate() error {
	const op = "enterprise.registered"
	if err := required(r.Name, 200); err != nil {
		return domain.E(op, domain.Invalid, "name", err)
	}
	if r.USCC == "" && r.PermitNo == "" {
		return domain.Errorf(op, domain.Invalid, "uscc", "missing: give the unified social credit code or, lacking one, the discharge permit number")
	}
	if r.USCC != "" {
		if err := r.USCC.Validate(); err != nil {
			return domain.E(op, domain.Invalid, "uscc", err)
		}
	}
	if r.PermitNo != "" {
		if err := ValidatePermitNo(r.PermitNo); err != nil {
			return domain.E(op, domain.Invalid, "permit_no", err)
		}
	}
	if _, ok := domain.LookupCity(r.City); !ok {
		return domain.Errorf(op, domain.Invalid, "city", "%q is not one of Shanxi's 11 city codes", string(r.City))
	}
	if err := required(r.Industry, 200); err != nil {
		return domain.E(op, domain.Invalid, "industry", err)
	}
	return nil
}

// CodeClaimed claims an enterprise's id (its code, else its permit number)
// for the city it is registered in, so that it is registered in one city
// only; and the permit number of an enterprise registered by its code, so
// that the same permit is not registered again as another enterprise.
// Event: enterprise_code.claimed, on the claimed code's own aggregate in the
// province's scope, appended atomically with the enterprise.registered it
// guards.
type CodeClaimed struct {
	City domain.CityID `json:"city"`
	// Enterprise is the enterprise claiming a permit number, when that is
	// not its id; empty when the code claimed is the enterprise's id.
	Enterprise EnterpriseID `json:"enterprise,omitempty"`
}

// Validate checks the city.
func (c CodeClaimed) Validate() error {
	if _, ok := domain.LookupCity(c.City); !ok {
		return domain.Errorf("enterprise_code.claimed", domain.Invalid, "city", "%q is not one of Shanxi's 11 city codes", string(c.City))
	}
	return nil
}

// required checks a required free-text field: present, no surrounding
// space, no control characters, at most max bytes.
func required(s string, max int) error {
	if s == "" {
		return fmt.Errorf("missing")
	}
	return optional(s, max)
}

// requiredWhy is required with why the field is needed after "missing"
// (a text present with a fault is that fault alone, as for any field).
func requiredWhy(s string, max int, why string) error {
	if s == "" {
		return fmt.Errorf("missing: %s", why)
	}
	return optional(s, max)
}

// optional checks an optional free-text field.
func optional(s string, max int) error { return domain.CheckText(s, max) }
