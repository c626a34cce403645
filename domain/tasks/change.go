package tasks

import (
	"regexp"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/plan"
)

// Evidence is what a status change rests on: the number of the document
// that records it (e.g. 晋环函〔2017〕123号), a reference (an archive
// reference or URL), or the SHA-256 of an attached file (and the file's
// name). Completions and verifications need at least one.
type Evidence struct {
	DocumentNo string `json:"document_no,omitempty"`
	Reference  string `json:"reference,omitempty"`
	SHA256     string `json:"sha256,omitempty"` // lower-case hex
	File       string `json:"file,omitempty"`   // the attached file's name; only with SHA256
}

// IsZero reports whether no evidence is given.
func (e Evidence) IsZero() bool {
	return e.DocumentNo == "" && e.Reference == "" && e.SHA256 == "" && e.File == ""
}

var sha256RE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// Validate checks the form of each part given. The error's Field is
// relative, e.g. "sha256".
func (e Evidence) Validate() error {
	const op = "task.status_changed"
	for _, f := range []struct{ name, v string }{{"document_no", e.DocumentNo}, {"reference", e.Reference}, {"file", e.File}} {
		if err := text(f.v, 500); err != nil {
			return domain.E(op, domain.Invalid, f.name, err)
		}
	}
	if e.SHA256 != "" && !sha256RE.MatchString(e.SHA256) {
		return domain.Errorf(op, domain.Invalid, "sha256", "%q: want the file's SHA-256 as 64 lower-case hex digits", e.SHA256)
	}
	if e.File != "" && e.SHA256 == "" {
		return domain.Errorf(op, domain.Invalid, "sha256", "missing: an attached file is identified by its SHA-256")
	}
	return nil
}

// text checks an optional free-text field: no surrounding space, no control
// characters, at most max bytes.
func text(s string, max int) error { return domain.CheckText(s, max) }

// StatusChanged records one change of a unit's status. Event:
// task.status_changed, on the unit's aggregate. Who made it and the date it
// took effect are the event's actor and occurred-at.
type StatusChanged struct {
	Task     plan.TaskID   `json:"task"`
	City     domain.CityID `json:"city,omitempty"` // the city whose progress it is; empty for the province's own task
	From     Status        `json:"from"`
	To       Status        `json:"to"`
	Evidence *Evidence     `json:"evidence,omitempty"`
	Reason   string        `json:"reason,omitempty"`
	// CompletionUntrue is set on a reopening that finds the unit's last
	// completion untrue (a false completion report): the completion then
	// counts as never having happened, in every view after the reopening
	// was recorded, its year's figure included. A reopening without it
	// ends a true completion, which keeps its credit.
	CompletionUntrue bool `json:"completion_untrue,omitempty"`
}

// Validate checks the payload on its own: the task id, the city, an allowed
// transition, and the evidence and reason its rule requires.
func (c StatusChanged) Validate() error {
	const op = "task.status_changed"
	if err := c.Task.Validate(); err != nil {
		return domain.E(op, domain.Invalid, "task", err)
	}
	if c.City != "" {
		if _, ok := domain.LookupCity(c.City); !ok {
			return domain.Errorf(op, domain.Invalid, "city", "%q is not one of Shanxi's 11 city codes", string(c.City))
		}
	}
	if err := c.From.Validate(); err != nil {
		return domain.E(op, domain.Invalid, "from", err)
	}
	if err := c.To.Validate(); err != nil {
		return domain.E(op, domain.Invalid, "to", err)
	}
	rule, err := Transition(c.From, c.To)
	if err != nil {
		return domain.E(op, domain.Invalid, "to", unwrap(err))
	}
	var ev Evidence
	if c.Evidence != nil {
		ev = *c.Evidence
		if ev.IsZero() {
			return domain.Errorf(op, domain.Invalid, "evidence", "empty: give a document number, a reference or a file's SHA-256, or leave it out")
		}
		if err := ev.Validate(); err != nil {
			return domain.E(op, domain.Invalid, "evidence."+domain.FieldOf(err), unwrap(err))
		}
	}
	if err := text(c.Reason, 2000); err != nil {
		return domain.E(op, domain.Invalid, "reason", err)
	}
	if rule.Evidence && ev.IsZero() {
		return domain.Errorf(op, domain.Invalid, "evidence", "missing: %s → %s needs a document number, a reference or the SHA-256 of an attached file", c.From, c.To)
	}
	if rule.Reason && c.Reason == "" {
		return domain.Errorf(op, domain.Invalid, "reason", "missing: %s → %s needs a reason", c.From, c.To)
	}
	return nil
}
