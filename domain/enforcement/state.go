package enforcement

import (
	"slices"
	"time"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/plan"
)

// Action is who acts and the date the action takes effect (the event's
// occurred-at).
type Action struct {
	At time.Time
	By domain.Actor
}

func (a Action) check(op string) error {
	if err := a.By.Validate(op, "actor"); err != nil {
		return err
	}
	switch a.By.Role {
	case domain.Enforcement, domain.Admin, domain.System:
	default:
		return domain.Errorf(op, domain.Forbidden, "actor.role", "role %s may not record inspections or cards (enforcement or admin)", a.By.Role)
	}
	if a.At.IsZero() {
		return domain.Errorf(op, domain.Invalid, "occurred_at", "missing: the date of the action")
	}
	return nil
}

// Inspection is a recorded inspection with its date.
type Inspection struct {
	Inspected
	At time.Time `json:"at"`
}

// CardStatus is where a card stands.
type CardStatus string

// The card statuses.
const (
	InForce   CardStatus = "in_force"  // issued, not yet lifted, escalated or revoked
	Lifted    CardStatus = "lifted"    // lifted after a re-inspection found the enterprise rectified
	Escalated CardStatus = "escalated" // a yellow card followed by a red card
	Revoked   CardStatus = "revoked"   // annulled on appeal
	Closed    CardStatus = "closed"    // ended by the enterprise's closure
)

// Revocation is a card's annulment on appeal.
type Revocation struct {
	At         time.Time `json:"at"`
	DocumentNo string    `json:"document_no"`
	Authority  string    `json:"authority"`
	Reason     string    `json:"reason"`
}

// Card is a yellow or red card with its history folded in.
type Card struct {
	Color      Color     `json:"color"`
	DocumentNo string    `json:"document_no"`
	Authority  string    `json:"authority"`
	Issued     time.Time `json:"issued"`
	Measure    Measure   `json:"measure"`

	// Yellow cards: the rectification deadline, and the inspection the card
	// rests on with its findings.
	Deadline   plan.Date `json:"rectification_deadline,omitzero"`
	Inspection string    `json:"inspection,omitempty"`
	Findings   []Finding `json:"findings,omitempty"`

	// Red cards: the yellow card escalated, the failed re-inspection and the
	// grounds.
	YellowCard   string `json:"yellow_card,omitempty"`
	Reinspection string `json:"reinspection,omitempty"`
	Grounds      string `json:"grounds,omitempty"`

	Status     CardStatus  `json:"status"`
	Ended      time.Time   `json:"ended,omitzero"`     // when it stopped being in force (lifted or escalated); zero while in force
	EndedBy    string      `json:"ended_by,omitempty"` // the document that ended it: the lifting decision, or the red card
	Revocation *Revocation `json:"revocation,omitempty"`
}

// InForceAt reports whether the card was in force at t (a revoked card
// never was).
func (c Card) InForceAt(t time.Time) bool {
	return c.Status != Revoked && !t.Before(c.Issued) && (c.Ended.IsZero() || t.Before(c.Ended))
}

// InForceDuring reports whether the card was in force at some time in
// [from, to).
func (c Card) InForceDuring(from, to time.Time) bool {
	return c.Status != Revoked && c.Issued.Before(to) && (c.Ended.IsZero() || c.Ended.After(from))
}

// StatusAt returns the card's status at t, ignoring events dated later;
// Revoked for a revoked card, "" before it was issued.
func (c Card) StatusAt(t time.Time) CardStatus {
	switch {
	case c.Status == Revoked:
		return Revoked
	case t.Before(c.Issued):
		return ""
	case c.Ended.IsZero() || t.Before(c.Ended):
		return InForce
	}
	return c.Status
}

// Enterprise is an enterprise folded from its events. The zero Enterprise
// is one not registered.
type Enterprise struct {
	ID          EnterpriseID         `json:"id"`
	Info        EnterpriseRegistered `json:"info"`
	Registered  time.Time            `json:"registered"` // the date it came under supervision
	Inspections []Inspection         `json:"inspections"`
	Cards       []Card               `json:"cards"`
	Closed      time.Time            `json:"closed,omitzero"`     // when it was shut down for good; zero while it operates
	ClosedBy    string               `json:"closed_by,omitempty"` // the document establishing it
	lastAction  time.Time            // the latest issue or lift
}

// notClosed refuses an action on an enterprise closed by then.
func (e *Enterprise) notClosed(op string) error {
	if !e.Closed.IsZero() {
		return domain.Errorf(op, domain.Conflict, "enterprise", "%s was closed on %s (%s): nothing more is recorded on it but a late inspection report or a card's revocation on appeal", e.Info.Name, day(e.Closed), e.ClosedBy)
	}
	return nil
}

// IsRegistered reports whether the enterprise is in the register.
func (e *Enterprise) IsRegistered() bool { return e.Info.Name != "" }

// Inspection returns the inspection with the given document number.
func (e *Enterprise) Inspection(documentNo string) (*Inspection, bool) {
	for i := range e.Inspections {
		if e.Inspections[i].DocumentNo == documentNo {
			return &e.Inspections[i], true
		}
	}
	return nil, false
}

// Card returns the card with the given document number.
func (e *Enterprise) Card(documentNo string) (*Card, bool) {
	for i := range e.Cards {
		if e.Cards[i].DocumentNo == documentNo {
			return &e.Cards[i], true
		}
	}
	return nil, false
}

// InForce returns the card in force now (as far as the events folded say):
// at most one is.
func (e *Enterprise) InForce() (*Card, bool) {
	for i := range e.Cards {
		if e.Cards[i].Status == InForce {
			return &e.Cards[i], true
		}
	}
	return nil, false
}

// Apply folds one event of the enterprise, dated at, into the state. It
// never fails: a payload is checked before it is stored.
func (e *Enterprise) Apply(at time.Time, data any) {
	switch d := data.(type) {
	case EnterpriseRegistered:
		e.ID, e.Info, e.Registered = d.ID(), d, at
	case Inspected:
		// In date order, one entered late in its place.
		i, _ := slices.BinarySearchFunc(e.Inspections, at, func(in Inspection, t time.Time) int {
			if in.At.After(t) {
				return 1
			}
			return -1
		})
		e.Inspections = slices.Insert(e.Inspections, i, Inspection{Inspected: d, At: at})
	case YellowCardIssued:
		c := Card{Color: Yellow, DocumentNo: d.DocumentNo, Authority: d.Authority, Issued: at, Measure: d.Measure,
			Deadline: d.Deadline, Inspection: d.Inspection, Status: InForce}
		if in, ok := e.Inspection(d.Inspection); ok {
			c.Findings = slices.Clone(in.Findings)
		}
		e.Cards = append(e.Cards, c)
		e.acted(at)
	case RedCardIssued:
		if y, ok := e.Card(d.YellowCard); ok {
			y.Status, y.Ended, y.EndedBy = Escalated, at, d.DocumentNo
		}
		e.Cards = append(e.Cards, Card{Color: Red, DocumentNo: d.DocumentNo, Authority: d.Authority, Issued: at, Measure: d.Measure,
			YellowCard: d.YellowCard, Reinspection: d.Reinspection, Grounds: d.Grounds, Status: InForce})
		e.acted(at)
	case CardLifted:
		if c, ok := e.Card(d.Card); ok {
			c.Status, c.Ended, c.EndedBy = Lifted, at, d.DocumentNo
		}
		e.acted(at)
	case EnterpriseClosed:
		e.Closed, e.ClosedBy = at, d.DocumentNo
		for i := range e.Cards {
			if c := &e.Cards[i]; c.Status == InForce {
				c.Status, c.Ended, c.EndedBy = Closed, at, d.DocumentNo
			}
		}
		e.acted(at)
	case CardRevoked:
		c, ok := e.Card(d.Card)
		if !ok {
			return
		}
		prev := *c
		c.Status = Revoked
		c.Revocation = &Revocation{At: at, DocumentNo: d.DocumentNo, Authority: d.Authority, Reason: d.Reason}
		if prev.Color != Red {
			return
		}
		// The red card is annulled; the yellow card it escalated stands, as
		// the red card stood: in force, or lifted by the same decision.
		if y, ok := e.Card(prev.YellowCard); ok && y.Status == Escalated {
			switch prev.Status {
			case Lifted, Closed:
				// Lifted by the same decision, or ended by the closure.
				y.Status, y.Ended, y.EndedBy = prev.Status, prev.Ended, prev.EndedBy
			default:
				y.Status, y.Ended, y.EndedBy = InForce, time.Time{}, ""
			}
		}
	}
}

func (e *Enterprise) acted(at time.Time) {
	if at.After(e.lastAction) {
		e.lastAction = at
	}
}

func (e *Enterprise) registered(op string) error {
	if !e.IsRegistered() {
		return domain.Errorf(op, domain.NotFound, "enterprise", "the enterprise is not registered")
	}
	return nil
}

// inOrder refuses an issue or lift dated before the enterprise's last one.
func (e *Enterprise) inOrder(op string, at time.Time) error {
	if at.Before(e.lastAction) {
		return domain.Errorf(op, domain.Conflict, "occurred_at", "%s is before the enterprise's last card decision (%s): record card decisions in the order they were made",
			day(at), day(e.lastAction))
	}
	return nil
}

// decisionNumberFree refuses a card or lift decision number already used in
// the enterprise's cards.
func (e *Enterprise) decisionNumberFree(op, documentNo string) error {
	for _, c := range e.Cards {
		if c.DocumentNo == documentNo || c.EndedBy == documentNo {
			return domain.Errorf(op, domain.Conflict, "document_no", "%s is already the number of a decision on this enterprise (card %s)", documentNo, c.DocumentNo)
		}
	}
	return nil
}

func day(t time.Time) string { return DayOf(t).String() }

// DecideRegister decides the registration of an enterprise whose aggregate
// holds e.
func DecideRegister(e Enterprise, a Action, r EnterpriseRegistered) (EnterpriseRegistered, error) {
	const op = "enterprise.registered"
	if err := a.check(op); err != nil {
		return EnterpriseRegistered{}, err
	}
	if err := r.Validate(); err != nil {
		return EnterpriseRegistered{}, err
	}
	if e.IsRegistered() {
		return EnterpriseRegistered{}, domain.Errorf(op, domain.Conflict, "uscc", "%s is already registered (%s, since %s)", e.ID, e.Info.Name, day(e.Registered))
	}
	return r, nil
}

// DecideInspection decides the recording of an inspection of e. A
// re-inspection (Card set) must name a card in force and be dated on or
// after it.
func DecideInspection(e Enterprise, a Action, in Inspected) (Inspected, error) {
	const op = "enterprise.inspected"
	if err := a.check(op); err != nil {
		return Inspected{}, err
	}
	if err := in.Validate(); err != nil {
		return Inspected{}, err
	}
	if err := e.registered(op); err != nil {
		return Inspected{}, err
	}
	// An inspection made while it operated may be entered after it closed
	// (the report comes in late); one dated after its closure may not. By
	// day, as a closure is checked against its inspections.
	if !e.Closed.IsZero() && DayOf(a.At).Compare(DayOf(e.Closed)) > 0 {
		return Inspected{}, domain.Errorf(op, domain.Conflict, "occurred_at", "%s is after %s was closed on %s (%s): only what happened by then is recorded on it", day(a.At), e.Info.Name, day(e.Closed), e.ClosedBy)
	}
	if a.At.Before(e.Registered) {
		return Inspected{}, domain.Errorf(op, domain.Conflict, "occurred_at", "%s is before the enterprise came under supervision (%s)", day(a.At), day(e.Registered))
	}
	if prev, ok := e.Inspection(in.DocumentNo); ok {
		return Inspected{}, domain.Errorf(op, domain.Conflict, "document_no", "inspection %s is already recorded (dated %s)", in.DocumentNo, day(prev.At))
	}
	if in.Card != "" {
		c, ok := e.Card(in.Card)
		if !ok {
			return Inspected{}, domain.Errorf(op, domain.NotFound, "card", "no card %s on this enterprise to re-inspect (a card is named by its document number, its document_no)", in.Card)
		}
		if c.Status != InForce {
			return Inspected{}, domain.Errorf(op, domain.Conflict, "card", "%s card %s is %s: a re-inspection checks a card in force", c.Color, c.DocumentNo, c.Status)
		}
		if a.At.Before(c.Issued) {
			return Inspected{}, domain.Errorf(op, domain.Conflict, "occurred_at", "%s is before card %s was issued (%s)", day(a.At), c.DocumentNo, day(c.Issued))
		}
	}
	return in, nil
}

// DecideYellowCard decides a yellow card on e: no card in force, and an
// inspection of e that found an exceedance, dated on or before the card and
// not already the basis of another card.
func DecideYellowCard(e Enterprise, a Action, y YellowCardIssued) (YellowCardIssued, error) {
	const op = "enterprise.yellow_card_issued"
	if err := a.check(op); err != nil {
		return YellowCardIssued{}, err
	}
	if err := y.Validate(); err != nil {
		return YellowCardIssued{}, err
	}
	if y.Deadline.Compare(DayOf(a.At)) <= 0 {
		return YellowCardIssued{}, domain.Errorf(op, domain.Invalid, "rectification_deadline", "%s is not after the card's date %s", y.Deadline, day(a.At))
	}
	if err := e.registered(op); err != nil {
		return YellowCardIssued{}, err
	}
	if err := e.notClosed(op); err != nil {
		return YellowCardIssued{}, err
	}
	if err := e.decisionNumberFree(op, y.DocumentNo); err != nil {
		return YellowCardIssued{}, err
	}
	if c, ok := e.InForce(); ok {
		return YellowCardIssued{}, domain.Errorf(op, domain.Conflict, "", "the enterprise is already under %s card %s (in force since %s): lift it, or escalate a failed rectification to a red card",
			c.Color, c.DocumentNo, day(c.Issued))
	}
	in, ok := e.Inspection(y.Inspection)
	if !ok {
		return YellowCardIssued{}, domain.Errorf(op, domain.Conflict, "inspection", "no inspection %s of this enterprise (an inspection is named by its document number, its document_no): a yellow card rests on an inspection that found it over its discharge standard or total quota", y.Inspection)
	}
	if !in.Exceedance() {
		return YellowCardIssued{}, domain.Errorf(op, domain.Conflict, "inspection", "inspection %s found the enterprise %v: a yellow card needs a finding over the discharge standard or the total quota", in.DocumentNo, in.Findings)
	}
	if a.At.Before(in.At) {
		return YellowCardIssued{}, domain.Errorf(op, domain.Conflict, "occurred_at", "the card (%s) is dated before inspection %s (%s) it rests on", day(a.At), in.DocumentNo, day(in.At))
	}
	for _, c := range e.Cards {
		if c.Inspection == in.DocumentNo && c.Status != Revoked {
			return YellowCardIssued{}, domain.Errorf(op, domain.Conflict, "inspection", "inspection %s is already the basis of yellow card %s", in.DocumentNo, c.DocumentNo)
		}
	}
	if err := e.inOrder(op, a.At); err != nil {
		return YellowCardIssued{}, err
	}
	return y, nil
}

// DecideRedCard decides a red card on e: it presupposes a yellow card in
// force whose rectification failed — a re-inspection of that yellow card,
// dated on or after its rectification deadline, that found an exceedance —
// and grounds that make the case serious.
func DecideRedCard(e Enterprise, a Action, r RedCardIssued) (RedCardIssued, error) {
	const op = "enterprise.red_card_issued"
	const pre = redCardPre
	if err := a.check(op); err != nil {
		return RedCardIssued{}, err
	}
	if err := r.Validate(); err != nil {
		return RedCardIssued{}, err
	}
	if err := e.registered(op); err != nil {
		return RedCardIssued{}, err
	}
	if err := e.notClosed(op); err != nil {
		return RedCardIssued{}, err
	}
	if err := e.decisionNumberFree(op, r.DocumentNo); err != nil {
		return RedCardIssued{}, err
	}
	y, ok := e.Card(r.YellowCard)
	switch {
	case !ok:
		return RedCardIssued{}, domain.Errorf(op, domain.Conflict, "yellow_card", "%s: the enterprise has no card %s (a card is named by its document number, its document_no)", pre, r.YellowCard)
	case y.Color != Yellow:
		return RedCardIssued{}, domain.Errorf(op, domain.Conflict, "yellow_card", "%s: %s is a %s card", pre, y.DocumentNo, y.Color)
	case y.Status == Lifted:
		return RedCardIssued{}, domain.Errorf(op, domain.Conflict, "yellow_card", "%s: yellow card %s was lifted on %s, the enterprise rectified", pre, y.DocumentNo, day(y.Ended))
	case y.Status == Escalated:
		return RedCardIssued{}, domain.Errorf(op, domain.Conflict, "yellow_card", "yellow card %s was already escalated to red card %s", y.DocumentNo, y.EndedBy)
	case y.Status == Revoked:
		return RedCardIssued{}, domain.Errorf(op, domain.Conflict, "yellow_card", "%s: yellow card %s was revoked on appeal (%s)", pre, y.DocumentNo, y.Revocation.DocumentNo)
	}
	in, ok := e.Inspection(r.Reinspection)
	switch {
	case !ok:
		return RedCardIssued{}, domain.Errorf(op, domain.Conflict, "reinspection", "%s: no re-inspection %s of this enterprise (an inspection is named by its document number, its document_no)", pre, r.Reinspection)
	case in.Card != y.DocumentNo:
		return RedCardIssued{}, domain.Errorf(op, domain.Conflict, "reinspection", "%s: inspection %s is not a re-inspection of yellow card %s", pre, in.DocumentNo, y.DocumentNo)
	case !in.Exceedance():
		return RedCardIssued{}, domain.Errorf(op, domain.Conflict, "reinspection", "%s: re-inspection %s found the enterprise compliant, rectified: lift the yellow card instead", pre, in.DocumentNo)
	case DayOf(in.At).Compare(y.Deadline) < 0:
		return RedCardIssued{}, domain.Errorf(op, domain.Conflict, "reinspection", "%s: re-inspection %s (%s) is before the rectification deadline %s, when the enterprise still had time to rectify",
			pre, in.DocumentNo, day(in.At), y.Deadline)
	case a.At.Before(in.At):
		return RedCardIssued{}, domain.Errorf(op, domain.Conflict, "occurred_at", "the red card (%s) is dated before re-inspection %s (%s)", day(a.At), in.DocumentNo, day(in.At))
	}
	if err := e.inOrder(op, a.At); err != nil {
		return RedCardIssued{}, err
	}
	return r, nil
}

// DecideLift decides the lifting of a card in force on e, on a
// re-inspection of that card that found the enterprise compliant. A closure
// is not lifted.
func DecideLift(e Enterprise, a Action, l CardLifted) (CardLifted, error) {
	const op = "enterprise.card_lifted"
	if err := a.check(op); err != nil {
		return CardLifted{}, err
	}
	if err := l.Validate(); err != nil {
		return CardLifted{}, err
	}
	if err := e.registered(op); err != nil {
		return CardLifted{}, err
	}
	if err := e.notClosed(op); err != nil {
		return CardLifted{}, err
	}
	c, ok := e.Card(l.Card)
	if !ok {
		return CardLifted{}, domain.Errorf(op, domain.NotFound, "card", "no card %s on this enterprise (a card is named by its document number, its document_no)", l.Card)
	}
	switch {
	case c.Status == Escalated:
		return CardLifted{}, domain.Errorf(op, domain.Conflict, "card", "yellow card %s was escalated to red card %s: lift the red card", c.DocumentNo, c.EndedBy)
	case c.Status != InForce:
		return CardLifted{}, domain.Errorf(op, domain.Conflict, "card", "%s card %s is already %s", c.Color, c.DocumentNo, c.Status)
	case c.Measure == Close:
		return CardLifted{}, domain.Errorf(op, domain.Conflict, "card", "red card %s closed the enterprise: a closure is not lifted, only revoked on appeal", c.DocumentNo)
	}
	if err := e.decisionNumberFree(op, l.DocumentNo); err != nil {
		return CardLifted{}, err
	}
	in, ok := e.Inspection(l.Reinspection)
	switch {
	case !ok:
		return CardLifted{}, domain.Errorf(op, domain.Conflict, "reinspection", "no re-inspection %s of this enterprise (an inspection is named by its document number, its document_no): a card is lifted on a re-inspection that found it rectified", l.Reinspection)
	case in.Card != c.DocumentNo:
		return CardLifted{}, domain.Errorf(op, domain.Conflict, "reinspection", "inspection %s is not a re-inspection of card %s", in.DocumentNo, c.DocumentNo)
	case in.Exceedance():
		return CardLifted{}, domain.Errorf(op, domain.Conflict, "reinspection", "re-inspection %s found the enterprise %v: not rectified, the card stays", in.DocumentNo, in.Findings)
	case a.At.Before(in.At):
		return CardLifted{}, domain.Errorf(op, domain.Conflict, "occurred_at", "the lifting (%s) is dated before re-inspection %s (%s)", day(a.At), in.DocumentNo, day(in.At))
	}
	if err := e.inOrder(op, a.At); err != nil {
		return CardLifted{}, err
	}
	return l, nil
}

// DecideRevoke decides the annulment of a card of e on appeal. A yellow
// card escalated to a red card is revoked only after that red card.
func DecideRevoke(e Enterprise, a Action, r CardRevoked) (CardRevoked, error) {
	const op = "enterprise.card_revoked"
	if err := a.check(op); err != nil {
		return CardRevoked{}, err
	}
	if err := r.Validate(); err != nil {
		return CardRevoked{}, err
	}
	if err := e.registered(op); err != nil {
		return CardRevoked{}, err
	}
	c, ok := e.Card(r.Card)
	if !ok {
		return CardRevoked{}, domain.Errorf(op, domain.NotFound, "card", "no card %s on this enterprise (a card is named by its document number, its document_no)", r.Card)
	}
	switch {
	case c.Status == Revoked:
		return CardRevoked{}, domain.Errorf(op, domain.Conflict, "card", "%s card %s was already revoked on %s (%s)", c.Color, c.DocumentNo, day(c.Revocation.At), c.Revocation.DocumentNo)
	case c.Status == Escalated:
		return CardRevoked{}, domain.Errorf(op, domain.Conflict, "card", "yellow card %s was escalated to red card %s: revoke the red card first", c.DocumentNo, c.EndedBy)
	case a.At.Before(c.Issued):
		return CardRevoked{}, domain.Errorf(op, domain.Conflict, "occurred_at", "the revocation (%s) is dated before the card was issued (%s)", day(a.At), day(c.Issued))
	case !c.Ended.IsZero() && a.At.Before(c.Ended):
		// A card lifted on 10 April cannot be annulled on 20 March: the
		// record would say it was revoked, then lifted.
		return CardRevoked{}, domain.Errorf(op, domain.Conflict, "occurred_at", "the revocation (%s) is dated before the card was ended (%s, %s)", day(a.At), day(c.Ended), c.EndedBy)
	}
	return r, nil
}

// DecideClose decides the closure of e, dated a.At: registered, open, and
// not before its last card decision or its registration.
func DecideClose(e Enterprise, a Action, c EnterpriseClosed) (EnterpriseClosed, error) {
	const op = "enterprise.closed"
	if err := a.check(op); err != nil {
		return EnterpriseClosed{}, err
	}
	if err := c.Validate(); err != nil {
		return EnterpriseClosed{}, err
	}
	if err := e.registered(op); err != nil {
		return EnterpriseClosed{}, err
	}
	if err := e.notClosed(op); err != nil {
		return EnterpriseClosed{}, err
	}
	if a.At.Before(e.Registered) {
		return EnterpriseClosed{}, domain.Errorf(op, domain.Conflict, "occurred_at", "%s is before the enterprise came under supervision (%s)", day(a.At), day(e.Registered))
	}
	// By day: an action entered by its date is stored at the day's end,
	// and a closure the same day, given its hour, is not before it.
	for _, in := range e.Inspections {
		if DayOf(a.At).Compare(DayOf(in.At)) < 0 {
			return EnterpriseClosed{}, domain.Errorf(op, domain.Conflict, "occurred_at", "%s is before inspection %s (%s): an enterprise inspected then was not closed", day(a.At), in.DocumentNo, day(in.At))
		}
	}
	for _, c := range e.Cards {
		if c.Revocation != nil && DayOf(a.At).Compare(DayOf(c.Revocation.At)) < 0 {
			return EnterpriseClosed{}, domain.Errorf(op, domain.Conflict, "occurred_at", "%s is before the revocation of card %s (%s)", day(a.At), c.DocumentNo, day(c.Revocation.At))
		}
	}
	if err := e.inOrder(op, a.At); err != nil {
		return EnterpriseClosed{}, err
	}
	return c, nil
}
