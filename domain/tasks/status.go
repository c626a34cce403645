package tasks

import (
	"fmt"
	"slices"

	"github.com/shanxi-water/ledger/domain"
)

// Status is where a unit of progress stands.
type Status string

// The statuses.
const (
	NotStarted Status = "not_started" // 未启动: the initial status, never set by a change
	InProgress Status = "in_progress" // 推进中
	Completed  Status = "completed"   // 已完成: reported done, with evidence
	Verified   Status = "verified"    // 已验收: the completion checked and accepted, with evidence
	Suspended  Status = "suspended"   // 暂停: stopped by a decision, with a reason
)

// Statuses lists the statuses in lifecycle order.
var Statuses = []Status{NotStarted, InProgress, Completed, Verified, Suspended}

// Validate reports whether s is a known status.
func (s Status) Validate() error {
	if slices.Contains(Statuses, s) {
		return nil
	}
	if s == "" {
		return fmt.Errorf("missing")
	}
	return fmt.Errorf("unknown status %q: want one of %v", string(s), Statuses)
}

// Done reports whether s counts as done: completed or verified.
func (s Status) Done() bool { return s == Completed || s == Verified }

// Rule is one allowed transition and what it requires.
type Rule struct {
	From, To Status
	Reason   bool // a reason is required
	Evidence bool // evidence is required
}

// rules is the transition table (see the package documentation).
var rules = []Rule{
	{From: NotStarted, To: InProgress},
	{From: NotStarted, To: Completed, Evidence: true},
	{From: NotStarted, To: Suspended, Reason: true},
	{From: InProgress, To: Completed, Evidence: true},
	{From: InProgress, To: Suspended, Reason: true},
	{From: Completed, To: InProgress, Reason: true},
	{From: Completed, To: Verified, Evidence: true},
	{From: Verified, To: InProgress, Reason: true, Evidence: true},
	{From: Suspended, To: InProgress},
}

// Rules returns the allowed transitions.
func Rules() []Rule { return slices.Clone(rules) }

// Transition returns the rule for from → to, or a *domain.Error of kind
// Conflict saying why the change is not allowed.
func Transition(from, to Status) (Rule, error) {
	const op = "task.status_changed"
	for _, r := range rules {
		if r.From == from && r.To == to {
			return r, nil
		}
	}
	var why string
	switch {
	case to == NotStarted:
		why = fmt.Sprintf("cannot return a task to %s: its history stands (it is %s)", NotStarted, from)
	case from == to:
		why = fmt.Sprintf("the task is already %s", from)
	case to == Verified:
		why = fmt.Sprintf("cannot verify a task that is not completed (it is %s)", from)
	case from == Suspended && to == Completed:
		why = "cannot complete a suspended task: resume it (in_progress) first"
	case from == Verified && to == Completed:
		why = "the task is verified, which includes completed: to withdraw the verification, reopen it (in_progress) with a reason and evidence"
	case to == Suspended:
		why = fmt.Sprintf("cannot suspend a %s task: reopen it (in_progress) first", from)
	default:
		why = fmt.Sprintf("cannot change a task from %s to %s", from, to)
	}
	return Rule{}, domain.Errorf(op, domain.Conflict, "to", "%s", why)
}
