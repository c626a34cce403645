package officials

import (
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/plan"
)

// checkActor validates the actor and refuses roles that may not keep the
// register: the assessment team, administrators and the ledger itself may.
func checkActor(op string, by domain.Actor) error {
	if err := by.Validate(op, "actor"); err != nil {
		return err
	}
	switch by.Role {
	case domain.Admin, domain.Assessment, domain.System:
		return nil
	}
	return domain.Errorf(op, domain.Forbidden, "actor.role", "role %s may not record officials or accountability (assessment or admin)", by.Role)
}

// DecideRegistration decides whether p may enter the register, given the
// official's record r (the zero Record if the code is new). It fails with
// kind Forbidden for a role that may not, Invalid for a bad code or name and
// Conflict for a code already registered.
func DecideRegistration(r Record, by domain.Actor, p Registered) (Registered, error) {
	const op = "official.registered"
	if err := checkActor(op, by); err != nil {
		return Registered{}, err
	}
	if err := p.Validate(); err != nil {
		return Registered{}, err
	}
	if r.Registered() || r.Version > 0 {
		return Registered{}, domain.Errorf(op, domain.Conflict, "id", "%s is already registered as %s", p.ID, r.Name)
	}
	return p, nil
}

// DecideAppointment decides whether p may be recorded, given the roster as
// read from the log (the appointee's record and every other holder of the
// position). It fails with kind Forbidden for a role that may not, Invalid
// for bad input, NotFound for an official not registered, and Conflict for a
// tenure that would overlap one of the official's own (the same position, or
// the same post in another city) or another holder's of a single-holder post.
// A tenure given with its end (Until: one of the years before the ledger)
// is checked as that span, so it may come before tenures already recorded.
func DecideAppointment(ro *Roster, by domain.Actor, p Appointed) (Appointed, error) {
	const op = "official.appointed"
	if err := checkActor(op, by); err != nil {
		return Appointed{}, err
	}
	if err := p.Validate(); err != nil {
		return Appointed{}, err
	}
	r, ok := ro.Record(p.Official)
	if !ok || !r.Registered() {
		return Appointed{}, domain.Errorf(op, domain.NotFound, "official", "%s is not registered", p.Official)
	}
	for _, t := range r.Tenures {
		same := t.Position == p.Position || (t.Post == p.Post && p.Post != RiverChief)
		if !same || !t.overlapsOpen(p.From, p.Until) {
			continue
		}
		if t.Position == p.Position && t.InOffice() && p.Until == nil {
			return Appointed{}, domain.Errorf(op, domain.Conflict, "from", "%s (%s) already holds %s %s: record the departure from it first",
				r.Name, r.ID, p.Position, tenureSpan(t))
		}
		if t.Position == p.Position {
			return Appointed{}, domain.Errorf(op, domain.Conflict, "from", "%s (%s) held %s %s: tenures of one post do not overlap, and are recorded in the order they happened",
				r.Name, r.ID, p.Position, tenureSpan(t))
		}
		return Appointed{}, domain.Errorf(op, domain.Conflict, "city", "%s (%s) holds %s %s: one %s at a time; record the departure first",
			r.Name, r.ID, t.Position, tenureSpan(t), p.Post)
	}
	if p.Post.SingleHolder() {
		for _, t := range ro.tenuresOf(p.Position) {
			if t.Official != p.Official && t.overlapsOpen(p.From, p.Until) {
				next := "record the predecessor's departure first"
				if p.Until != nil {
					next = "the tenure given overlaps it"
				}
				return Appointed{}, domain.Errorf(op, domain.Conflict, "post", "%s is held by %s (%s) %s: one %s at a time; %s",
					p.Position, ro.Name(t.Official), t.Official, tenureSpan(t), p.Post, next)
			}
		}
	}
	return p, nil
}

// DecideDeparture decides whether p may be recorded against the official's
// record r, and returns it with Since set to the appointment date of the
// tenure it ends. It fails with kind Forbidden for a role that may not,
// Invalid for bad input, NotFound for an official not registered, and
// Conflict for a position the official does not hold or a departure on or
// before the appointment.
func DecideDeparture(r Record, by domain.Actor, p Departed) (Departed, error) {
	const op = "official.departed"
	if err := checkActor(op, by); err != nil {
		return Departed{}, err
	}
	p.Since = plan.Date{} // set below from the tenure it ends
	if err := p.Validate(); err != nil {
		return Departed{}, err
	}
	if !r.Registered() {
		return Departed{}, domain.Errorf(op, domain.NotFound, "official", "%s is not registered", p.Official)
	}
	i := r.open(p.Position)
	if i < 0 {
		for j := len(r.Tenures) - 1; j >= 0; j-- {
			if t := r.Tenures[j]; t.Position == p.Position {
				return Departed{}, domain.Errorf(op, domain.Conflict, "post", "%s (%s) no longer holds %s: left on %s", r.Name, r.ID, p.Position, t.To)
			}
		}
		return Departed{}, domain.Errorf(op, domain.Conflict, "post", "%s (%s) does not hold %s", r.Name, r.ID, p.Position)
	}
	t := r.Tenures[i]
	if p.To.Compare(t.From) <= 0 {
		return Departed{}, domain.Errorf(op, domain.Conflict, "to", "%s is not after the appointment to %s on %s", p.To, p.Position, t.From)
	}
	p.Since = t.From
	return p, nil
}

// tenureSpan returns "since 2016-03-01" or "from 2016-03-01 to 2018-02-28".
func tenureSpan(t Tenure) string {
	if t.To == nil {
		return "since " + t.From.String()
	}
	return "from " + t.From.String() + " to " + t.LastDay().String()
}
