// Package officials is the register of the officials the plan holds
// answerable (记录在案 … 已经离任的也要终身追究责任): people, the posts they
// hold and when, and the accountability cases that name them.
//
// # People and posts
//
// An official is entered once (official.registered) under an ASCII code of
// the register's choosing (e.g. "wang-jun-1962") with their Chinese name.
// Their tenures are appointments (official.appointed: post, city, river for a
// river chief, first day in office, appointing document) and departures
// (official.departed: the day they left, the reason). All of one person's
// events form one aggregate (scope "province", type "official"), so a record
// follows its official from city to city and stays whole after they leave
// office.
//
// The posts are the city's mayor (市长), the vice mayor in charge of the
// environment (分管副市长), the head of the city's environmental protection
// bureau (环保局长), the city-level river chief of a named river (河长), and,
// at the province, the governor, the vice governor in charge and the head of
// the provincial environmental protection department. A Position is a post
// where it is held: the post, the city (none for provincial posts) and the
// river (river chiefs only).
//
// A tenure covers the days from its appointment date up to, not including,
// its departure date: an official who leaves on 2018-03-01 and a successor
// appointed on 2018-03-01 never overlap. The rules (kind Conflict unless
// noted):
//
//   - an official holds one tenure of a position at a time, and one mayoralty,
//     vice-mayoralty, bureau headship (of any city) at a time; one person may
//     chair several rivers;
//   - mayor, environmental bureau head, governor and provincial department
//     head are single-holder posts: no two people hold one at the same time
//     in the same place (several vice mayors may share the portfolio; a river
//     may have several chiefs);
//   - a departure ends the official's open tenure of that position, on a day
//     after its appointment; a departure from a position not held is refused;
//   - unknown officials are NotFound; malformed input is Invalid; only the
//     assessment team, administrators and the ledger itself record officials
//     (others: Forbidden).
//
// Tenures are recorded in the order they happened: an open tenure runs to
// infinity until its departure is recorded, so the predecessor's departure is
// recorded before the successor's appointment.
//
// # Accountability
//
// A case (accountability.triggered; scope the city, type
// "accountability_case") is opened by a failed city-year (failed_assessment),
// a finding of falsified monitoring data (data_falsification), a serious
// pollution incident (serious_incident) or a reckless decision that made
// the water worse (reckless_decision), for a period (a whole year for a
// failed assessment; a day or a span otherwise), with a reference to what
// triggered it (the log position or event id of the published result or the
// finding, and/or its document number). The case names who held the
// relevant positions during the period, computed from the tenures as known:
//
//	failed_assessment   mayor, vice mayor in charge, environmental bureau head of the city
//	data_falsification  environmental bureau head and vice mayor in charge of the city
//	serious_incident    river chief(s) of the river in the city and the environmental bureau head
//	                    (no river: the bureau head and the vice mayor in charge)
//	reckless_decision   mayor and vice mayor in charge of the city on the decision's dates
//
// Names are never stored in the case: a case found in 2019 about 2017 names
// the 2017 holders even if they left in 2018, and a tenure entered later
// names its holder too. Decisions on an official (accountability.decided:
// warning, demerit, demotion, dismissal, referral, …; document number, date,
// authority) are events on the case; a decision on someone the case does not
// name needs a stated basis.
//
// The package performs no I/O and depends only on domain and domain/plan.
package officials
