package enforcement

import (
	"fmt"
	"math"
	"slices"

	"github.com/shanxi-water/ledger/domain"
)

// Finding is what an inspection found.
type Finding string

// The findings. Compliant stands alone; the two exceedances may be found
// together.
const (
	Compliant    Finding = "compliant"     // 达标
	OverStandard Finding = "over_standard" // 超标排放: over the discharge standard
	OverQuota    Finding = "over_quota"    // 超总量: over the total-quantity quota
)

// Findings lists the findings.
var Findings = []Finding{Compliant, OverStandard, OverQuota}

// Exceedance reports whether f is over a standard or a quota.
func (f Finding) Exceedance() bool { return f == OverStandard || f == OverQuota }

// Basis is what a measured value is held against.
type Basis string

// The bases.
const (
	Standard Basis = "standard" // a discharge standard's concentration limit (e.g. GB 8978, a sector standard)
	Quota    Basis = "quota"    // the enterprise's total-quantity quota (e.g. tonnes of COD a year)
)

// Measurement is one value measured at an inspection against its limit, an
// upper bound.
type Measurement struct {
	Item     string  `json:"item"`     // e.g. COD, NH3-N, 总磷
	Measured float64 `json:"measured"` // the value found
	Limit    float64 `json:"limit"`    // the upper limit it is held against
	Unit     string  `json:"unit"`     // e.g. mg/L, t/a
	Basis    Basis   `json:"basis"`
}

// Over reports whether the value is above its limit.
func (m Measurement) Over() bool { return m.Measured > m.Limit }

// Multiple is the exceedance multiple (measured − limit) / limit.
func (m Measurement) Multiple() float64 { return (m.Measured - m.Limit) / m.Limit }

// Inspected records an inspection and what it found. Event:
// enterprise.inspected; its occurred-at is the inspection's date.
type Inspected struct {
	DocumentNo   string        `json:"document_no"`    // the inspection record's number (现场检查笔录 / 监测报告)
	Authority    string        `json:"authority"`      // who inspected, e.g. 太原市环境保护局
	Card         string        `json:"card,omitempty"` // for a re-inspection: the document number of the card whose rectification it checks
	Findings     []Finding     `json:"findings"`
	Measurements []Measurement `json:"measurements,omitempty"`
	Note         string        `json:"note,omitempty"`
}

// Exceedance reports whether the inspection found the enterprise over its
// standard or its quota.
func (in Inspected) Exceedance() bool {
	return slices.ContainsFunc(in.Findings, Finding.Exceedance)
}

// Validate checks the inspection on its own: its document number and
// authority, known findings (compliant alone), well-formed measurements, and
// findings that agree with the measurements — an exceedance found is backed
// by a value over its limit on that basis, and every value over its limit is
// found.
func (in Inspected) Validate() error {
	const op = "enterprise.inspected"
	if err := required(in.DocumentNo, 200); err != nil {
		return domain.E(op, domain.Invalid, "document_no", err)
	}
	if err := required(in.Authority, 200); err != nil {
		return domain.E(op, domain.Invalid, "authority", err)
	}
	if err := optional(in.Card, 200); err != nil {
		return domain.E(op, domain.Invalid, "card", err)
	}
	if err := optional(in.Note, 2000); err != nil {
		return domain.E(op, domain.Invalid, "note", err)
	}
	if len(in.Findings) == 0 {
		return domain.Errorf(op, domain.Invalid, "findings", "missing: want %v", Findings)
	}
	for i, f := range in.Findings {
		field := fmt.Sprintf("findings[%d]", i)
		if !slices.Contains(Findings, f) {
			return domain.Errorf(op, domain.Invalid, field, "unknown finding %q: want one of %v", string(f), Findings)
		}
		if slices.Index(in.Findings, f) < i {
			return domain.Errorf(op, domain.Invalid, field, "%s listed twice", f)
		}
		if f == Compliant && slices.ContainsFunc(in.Findings, func(x Finding) bool { return x != Compliant }) {
			return domain.Errorf(op, domain.Invalid, field, "compliant together with an exceedance")
		}
	}
	over := map[Basis]bool{}
	for i, m := range in.Measurements {
		field := fmt.Sprintf("measurements[%d]", i)
		if err := required(m.Item, 100); err != nil {
			return domain.E(op, domain.Invalid, field+".item", err)
		}
		if math.IsNaN(m.Measured) || math.IsInf(m.Measured, 0) || m.Measured < 0 {
			return domain.Errorf(op, domain.Invalid, field+".measured", "%v: want a number, not negative", m.Measured)
		}
		if math.IsNaN(m.Limit) || math.IsInf(m.Limit, 0) || m.Limit <= 0 {
			return domain.Errorf(op, domain.Invalid, field+".limit", "%v: want a positive number", m.Limit)
		}
		if err := required(m.Unit, 40); err != nil {
			return domain.E(op, domain.Invalid, field+".unit", err)
		}
		if m.Basis != Standard && m.Basis != Quota {
			return domain.Errorf(op, domain.Invalid, field+".basis", "%q: want %q or %q", string(m.Basis), Standard, Quota)
		}
		if m.Over() {
			over[m.Basis] = true
			want := OverStandard
			if m.Basis == Quota {
				want = OverQuota
			}
			if !slices.Contains(in.Findings, want) {
				return domain.Errorf(op, domain.Invalid, field, "%s %v %s is over its %s %v, but the findings do not say %s", m.Item, m.Measured, m.Unit, m.Basis, m.Limit, want)
			}
		}
	}
	for i, f := range in.Findings {
		basis := map[Finding]Basis{OverStandard: Standard, OverQuota: Quota}[f]
		if f.Exceedance() && !over[basis] {
			return domain.Errorf(op, domain.Invalid, fmt.Sprintf("findings[%d]", i), "%s without a measured value over its %s limit: record the measurement", f, basis)
		}
	}
	return nil
}
