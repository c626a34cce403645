package enforcement

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/plan"
)

// ListEntry is one card on a quarterly public list.
type ListEntry struct {
	Enterprise    EnterpriseID  `json:"enterprise"`
	Name          string        `json:"name"`
	City          domain.CityID `json:"city"`
	Industry      string        `json:"industry"`
	KeyDischarger bool          `json:"key_discharger"`
	Color         Color         `json:"color"`
	Card          string        `json:"card"` // the card's document number
	Authority     string        `json:"authority"`
	Issued        plan.Date     `json:"issued"`
	Measure       Measure       `json:"measure"`
	Deadline      *plan.Date    `json:"rectification_deadline,omitempty"` // yellow cards
	Findings      []Finding     `json:"findings,omitempty"`               // yellow cards: what the inspection found
	Status        CardStatus    `json:"status"`                           // at the quarter's end: in_force, lifted or escalated
	Ended         *plan.Date    `json:"ended,omitempty"`                  // when lifted or escalated, if by the quarter's end
}

// CardList is the public list of a quarter's yellow- and red-card
// enterprises in a city or the province: every card in force at some time
// in the quarter, as the quarter ended. Revoked cards are not on it.
type CardList struct {
	Scope   domain.Scope `json:"scope"`
	Quarter Quarter      `json:"quarter"`
	Entries []ListEntry  `json:"entries"`
}

// BuildCardList computes the list of quarter q for scope (a city, or the
// province for every city) from the enterprises' states, considering events
// dated up to the quarter's end. Entries are in city, enterprise, issue-date
// and card order.
func BuildCardList(scope domain.Scope, q Quarter, enterprises []*Enterprise) CardList {
	l := CardList{Scope: scope, Quarter: q, Entries: []ListEntry{}}
	from, to := q.Start(), q.End()
	for _, e := range enterprises {
		if !e.IsRegistered() || (scope != domain.Province && domain.CityScope(e.Info.City) != scope) {
			continue
		}
		for _, c := range e.Cards {
			if !c.InForceDuring(from, to) {
				continue
			}
			entry := ListEntry{
				Enterprise: e.ID, Name: e.Info.Name, City: e.Info.City, Industry: e.Info.Industry, KeyDischarger: e.Info.KeyDischarger,
				Color: c.Color, Card: c.DocumentNo, Authority: c.Authority, Issued: DayOf(c.Issued), Measure: c.Measure,
				Findings: slices.Clone(c.Findings), Status: c.StatusAt(to.Add(-1)),
			}
			if c.Color == Yellow {
				d := c.Deadline
				entry.Deadline = &d
			}
			if entry.Status != InForce {
				d := DayOf(c.Ended)
				entry.Ended = &d
			}
			l.Entries = append(l.Entries, entry)
		}
	}
	slices.SortFunc(l.Entries, func(a, b ListEntry) int {
		return cmp.Or(cmp.Compare(a.City, b.City), cmp.Compare(a.Enterprise, b.Enterprise), a.Issued.Compare(b.Issued), cmp.Compare(a.Card, b.Card))
	})
	return l
}

// Count returns the number of entries of each colour.
func (l CardList) Count() (yellow, red int) {
	for _, e := range l.Entries {
		if e.Color == Red {
			red++
		} else {
			yellow++
		}
	}
	return yellow, red
}

// Canonical returns the list's canonical bytes, the input of its hash: a
// version line, then the list as JSON with fields in declaration order,
// entries in list order, no insignificant space.
func (l CardList) Canonical() []byte {
	if l.Entries == nil {
		l.Entries = []ListEntry{}
	}
	b, err := json.Marshal(l)
	if err != nil {
		// Every field is a string, number, bool, Date or Quarter; a list
		// that fails here was never validated.
		panic(fmt.Sprintf("enforcement: canonical card list: %v", err))
	}
	return append([]byte("ledger-card-list/1\n"), b...)
}

// Hash returns the hex SHA-256 of the canonical list.
func (l CardList) Hash() string {
	h := sha256.Sum256(l.Canonical())
	return hex.EncodeToString(h[:])
}

// Validate checks the scope, the quarter and every entry's dates, colour and
// status, so that the list has a canonical form.
func (l CardList) Validate() error {
	const op = "card_list.published"
	if err := l.Scope.Validate(); err != nil {
		return domain.E(op, domain.Invalid, "list.scope", err)
	}
	if err := l.Quarter.Validate(); err != nil {
		return domain.E(op, domain.Invalid, "list.quarter", err)
	}
	for i, e := range l.Entries {
		f := fmt.Sprintf("list.entries[%d]", i)
		switch {
		case e.Enterprise == "" || e.Card == "":
			return domain.Errorf(op, domain.Invalid, f, "missing enterprise or card")
		case e.Color != Yellow && e.Color != Red:
			return domain.Errorf(op, domain.Invalid, f+".color", "%q is not yellow or red", string(e.Color))
		case e.Issued.IsZero():
			return domain.Errorf(op, domain.Invalid, f+".issued", "missing")
		case e.Deadline != nil && e.Deadline.IsZero():
			return domain.Errorf(op, domain.Invalid, f+".rectification_deadline", "empty")
		case e.Ended != nil && e.Ended.IsZero():
			return domain.Errorf(op, domain.Invalid, f+".ended", "empty")
		case e.Status != InForce && e.Status != Lifted && e.Status != Escalated && e.Status != Closed:
			return domain.Errorf(op, domain.Invalid, f+".status", "%q: a listed card is in force, lifted, escalated or ended by the enterprise's closure", string(e.Status))
		case (e.Status == InForce) != (e.Ended == nil):
			return domain.Errorf(op, domain.Invalid, f+".ended", "given exactly when the card is no longer in force")
		case l.Scope != domain.Province && domain.CityScope(e.City) != l.Scope:
			return domain.Errorf(op, domain.Invalid, f+".city", "%s is not the list's scope %s", e.City, l.Scope)
		}
	}
	return nil
}

// CardListPublished records the publication of a quarter's list. Event:
// card_list.published, on the card_list aggregate of the list's scope and
// quarter; its occurred-at is the publication date. It carries the list as
// published and the SHA-256 of its canonical form, so that what was
// published stays provable whatever is recorded later.
type CardListPublished struct {
	List       CardList `json:"list"`
	SHA256     string   `json:"sha256"`
	Authority  string   `json:"authority"`   // who publishes, e.g. 太原市环境保护局
	DocumentNo string   `json:"document_no"` // the notice's number
}

// Validate checks the list and that the hash is the list's.
func (p CardListPublished) Validate() error {
	const op = "card_list.published"
	if err := decision(op, p.DocumentNo, p.Authority); err != nil {
		return err
	}
	if err := p.List.Validate(); err != nil {
		return err
	}
	if h := p.List.Hash(); p.SHA256 != h {
		return domain.Errorf(op, domain.Invalid, "sha256", "%q is not the list's hash %s", p.SHA256, h)
	}
	return nil
}

// PublishBy is when a quarter's list is due: within a month of the
// quarter's end (DOMAIN.md §6, city practice). A list published later is
// still accepted, and flagged late where publications are shown.
func PublishBy(q Quarter) time.Time { return q.End().AddDate(0, 1, 0) }

// FirstListYear is the first year whose quarters have public card lists
// (the plan: "from 2016").
const FirstListYear = 2016

// DecidePublish decides the publication of list, given the publication
// already recorded for its scope and quarter (nil if none). A quarter's list
// is published once, after the quarter has ended, from FirstListYear on.
func DecidePublish(existing *CardListPublished, a Action, list CardList, authority, documentNo string) (CardListPublished, error) {
	const op = "card_list.published"
	if err := a.check(op); err != nil {
		return CardListPublished{}, err
	}
	if list.Entries == nil {
		list.Entries = []ListEntry{}
	}
	if err := list.Validate(); err != nil {
		return CardListPublished{}, err
	}
	p := CardListPublished{List: list, SHA256: list.Hash(), Authority: authority, DocumentNo: documentNo}
	if err := p.Validate(); err != nil {
		return CardListPublished{}, err
	}
	if existing != nil {
		return CardListPublished{}, domain.Errorf(op, domain.Conflict, "quarter", "the %s list of %s was already published (%s, sha256 %s)", list.Quarter, list.Scope, existing.DocumentNo, existing.SHA256)
	}
	if a.At.Before(list.Quarter.End()) {
		return CardListPublished{}, domain.Errorf(op, domain.Conflict, "occurred_at", "%s ends on %s: its list is published after it", list.Quarter, list.Quarter.LastDay())
	}
	if list.Quarter.Year < FirstListYear {
		return CardListPublished{}, domain.Errorf(op, domain.Invalid, "quarter", "%s: the plan's public lists begin in %d", list.Quarter, FirstListYear)
	}
	return p, nil
}
