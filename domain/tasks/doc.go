// Package tasks is the lifecycle of the plan's tasks: the catalogue entry
// listed in the ledger (task.listed), the status changes of each unit of
// progress (task.status_changed), the rules that decide which change is
// allowed, and what is derived from a unit's history and its deadline on any
// day: overdue, done on time, done late, recorded late.
//
// # Units of progress
//
// A task of the province's own (its governments' reach is "province") has
// one unit of progress: the province's. A task the cities answer for (every
// city, or named cities) has one unit per responsible city, and none of its
// own: the lead department's part is to verify the cities' completion. In the
// log each unit is an aggregate of type "task" with the task's id: scope
// "province" for the province's unit (which also holds the task.listed
// event), the city's code for a city's unit. One city's progress is thus a
// server-side filter (ledger.140100.task.>), and two cities never contend for
// one aggregate's version.
//
// # Statuses and transitions
//
// A unit starts not_started. Allowed changes (every other pair is rejected
// with kind Conflict and the reason):
//
//	from \ to      in_progress        completed     verified      suspended
//	not_started    yes                yes (E)       no            yes (R)
//	in_progress    no (already)       yes (E)       no            yes (R)
//	completed      yes: reopen (R)    no (already)  yes (E, S)    no
//	verified       yes: reopen (R,E)  no            no (already)  no
//	suspended      yes: resume        no            no            no (already)
//
// and nothing ever goes back to not_started. (E): evidence is required — a
// document number, a reference or the SHA-256 of an attached file, at least
// one. (R): a reason is required. (S): separation of duties — the actor who
// recorded the completion may not verify it.
//
// A completion may be recorded without a recorded start (work is often
// reported only when done). Reopening a completed task records that its
// verification found it not done; reopening a verified one, that the
// verification was withdrawn (for example when the completion is found
// falsified), with the document that withdrew it. A suspended task is resumed
// to in_progress before it can be completed.
//
// Changes are recorded in the order they happened: a change dated before the
// unit's last change is rejected. Task changes are made by the assessment
// team, administrators or the ledger itself (seed imports); other roles are
// refused with kind Forbidden.
//
// # Timing
//
// Overdue is never recorded: it is derived from the deadline (a Shanxi
// calendar day; the task is due by the end of it) and the day asked about. A
// unit is overdue on a day after its deadline if it is neither completed nor
// verified on that day and not suspended. A completion dated on or before the
// deadline is on time, after it late. A completion dated on or before the
// deadline but recorded in the ledger after it is on time by its date and
// flagged recorded late, so that auditors see back-dated reports.
//
// The package performs no I/O and depends only on domain and domain/plan.
package tasks
