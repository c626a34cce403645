package enforcement

import (
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/plan"
)

// Color is a card's colour.
type Color string

// The colours.
const (
	Yellow Color = "yellow" // 黄牌
	Red    Color = "red"    // 红牌
)

// Measure is what a card orders.
type Measure string

// The measures: two for a yellow card, two for a red one.
const (
	LimitProduction         Measure = "limit_production"          // 限制生产 (yellow)
	SuspendForRectification Measure = "suspend_for_rectification" // 停产整治 (yellow)
	SuspendBusiness         Measure = "suspend_business"          // 停业 (red)
	Close                   Measure = "close"                     // 关闭 (red)
)

// Measures lists the measures a card of each colour may order.
var Measures = map[Color][]Measure{
	Yellow: {LimitProduction, SuspendForRectification},
	Red:    {SuspendBusiness, Close},
}

func checkMeasure(op string, c Color, m Measure) error {
	for _, ok := range Measures[c] {
		if m == ok {
			return nil
		}
	}
	if m == "" {
		return domain.Errorf(op, domain.Invalid, "measure", "missing: a %s card orders one of %v", c, Measures[c])
	}
	return domain.Errorf(op, domain.Invalid, "measure", "%q is not a %s card's measure: want one of %v", string(m), c, Measures[c])
}

// decision checks what every card action carries: its document number and
// issuing authority.
func decision(op, documentNo, authority string) error {
	if err := required(documentNo, 200); err != nil {
		return domain.E(op, domain.Invalid, "document_no", err)
	}
	if err := required(authority, 200); err != nil {
		return domain.E(op, domain.Invalid, "authority", err)
	}
	return nil
}

// YellowCardIssued records a yellow card: production limited or suspended
// for rectification by a deadline, on an inspection's exceedance finding.
// Event: enterprise.yellow_card_issued; its occurred-at is the decision's
// date.
type YellowCardIssued struct {
	DocumentNo string    `json:"document_no"` // the decision's number; it identifies the card
	Authority  string    `json:"authority"`
	Inspection string    `json:"inspection"` // document number of the inspection that found the exceedance
	Measure    Measure   `json:"measure"`
	Deadline   plan.Date `json:"rectification_deadline"`
}

// Validate checks the payload on its own.
func (y YellowCardIssued) Validate() error {
	const op = "enterprise.yellow_card_issued"
	if err := decision(op, y.DocumentNo, y.Authority); err != nil {
		return err
	}
	if err := requiredWhy(y.Inspection, 200, "a yellow card rests on an inspection that found an exceedance"); err != nil {
		return domain.E(op, domain.Invalid, "inspection", err)
	}
	if err := checkMeasure(op, Yellow, y.Measure); err != nil {
		return err
	}
	if y.Deadline.IsZero() {
		return domain.Errorf(op, domain.Invalid, "rectification_deadline", "missing: a yellow card sets the day by which to rectify")
	}
	return nil
}

// RedCardIssued records a red card: business suspended or the enterprise
// closed, after a yellow card's rectification failed, in a serious case.
// Event: enterprise.red_card_issued.
type RedCardIssued struct {
	DocumentNo   string  `json:"document_no"`
	Authority    string  `json:"authority"`
	YellowCard   string  `json:"yellow_card"`  // the yellow card whose rectification failed
	Reinspection string  `json:"reinspection"` // the re-inspection that found it not rectified by the deadline
	Measure      Measure `json:"measure"`
	Grounds      string  `json:"grounds"` // what makes the case serious (情节严重)
}

// Validate checks the payload on its own.
func (r RedCardIssued) Validate() error {
	const op = "enterprise.red_card_issued"
	if err := decision(op, r.DocumentNo, r.Authority); err != nil {
		return err
	}
	if err := requiredWhy(r.YellowCard, 200, "a red card presupposes a yellow card whose rectification failed"); err != nil {
		return domain.E(op, domain.Invalid, "yellow_card", err)
	}
	if err := requiredWhy(r.Reinspection, 200, "name the re-inspection that found the yellow card's rectification failed"); err != nil {
		return domain.E(op, domain.Invalid, "reinspection", err)
	}
	if err := checkMeasure(op, Red, r.Measure); err != nil {
		return err
	}
	if err := requiredWhy(r.Grounds, 2000, "a red card is for a serious case: say what makes it serious"); err != nil {
		return domain.E(op, domain.Invalid, "grounds", err)
	}
	return nil
}

// CardLifted records that a card is lifted after a re-inspection found the
// enterprise rectified. Event: enterprise.card_lifted.
type CardLifted struct {
	Card         string `json:"card"` // the card's document number
	DocumentNo   string `json:"document_no"`
	Authority    string `json:"authority"`
	Reinspection string `json:"reinspection"` // the re-inspection that found it compliant
}

// Validate checks the payload on its own.
func (l CardLifted) Validate() error {
	const op = "enterprise.card_lifted"
	if err := required(l.Card, 200); err != nil {
		return domain.E(op, domain.Invalid, "card", err)
	}
	if err := decision(op, l.DocumentNo, l.Authority); err != nil {
		return err
	}
	if err := requiredWhy(l.Reinspection, 200, "a card is lifted on a re-inspection that found the enterprise rectified"); err != nil {
		return domain.E(op, domain.Invalid, "reinspection", err)
	}
	return nil
}

// CardRevoked records that a card was annulled on appeal (administrative
// review or a court). Event: enterprise.card_revoked.
type CardRevoked struct {
	Card       string `json:"card"`
	DocumentNo string `json:"document_no"` // the review decision's or judgment's number
	Authority  string `json:"authority"`   // the reviewing body or court
	Reason     string `json:"reason"`
}

// Validate checks the payload on its own.
func (r CardRevoked) Validate() error {
	const op = "enterprise.card_revoked"
	if err := required(r.Card, 200); err != nil {
		return domain.E(op, domain.Invalid, "card", err)
	}
	if err := decision(op, r.DocumentNo, r.Authority); err != nil {
		return err
	}
	if err := required(r.Reason, 2000); err != nil {
		return domain.E(op, domain.Invalid, "reason", err)
	}
	return nil
}

// EnterpriseClosed records that an enterprise was shut down for good (its
// business ended, its licence withdrawn, or by a red card's closure once
// carried out): its cards in force end, it leaves the public lists from
// the next quarter, and nothing more is recorded on it but the report of
// an inspection made by the day it closed, entered late, and the
// revocation of a card on appeal (an appeal outlives the plant). Event:
// enterprise.closed, dated the day it closed.
type EnterpriseClosed struct {
	DocumentNo string `json:"document_no"` // the decision or notice establishing it
	Authority  string `json:"authority"`
	Reason     string `json:"reason"`
}

// Validate checks the payload on its own.
func (c EnterpriseClosed) Validate() error {
	const op = "enterprise.closed"
	if err := decision(op, c.DocumentNo, c.Authority); err != nil {
		return err
	}
	if err := required(c.Reason, 2000); err != nil {
		return domain.E(op, domain.Invalid, "reason", err)
	}
	return nil
}
