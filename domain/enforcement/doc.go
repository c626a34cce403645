// Package enforcement is the enterprise side of the plan (§三(一)2): the
// register of discharging enterprises, their inspections and findings, and
// the yellow and red cards (黄牌 / 红牌) issued on them, with the rules that
// decide which action is allowed; and, derived from an enterprise's history,
// the quarterly public list of carded enterprises and the 12-quarter
// compliance strip.
//
// # Aggregates
//
// An enterprise is one aggregate of type "enterprise" in its city's scope,
// identified by its unified social credit code (GB 32100-2015, checked with
// its check character) or, lacking one, its discharge permit number. Its
// events: enterprise.registered, enterprise.inspected,
// enterprise.yellow_card_issued, enterprise.red_card_issued,
// enterprise.card_lifted, enterprise.card_revoked. A published quarterly list
// is an aggregate of type "card_list" in the list's scope (a city, or the
// province), identified by its quarter (e.g. 2019Q2), with one event:
// card_list.published.
//
// Inspections and cards are referred to by their document numbers (the
// inspection record's number, the decision's number), which are unique
// within an enterprise. Every action carries its date (the event's
// occurred-at), its issuing authority and its document number.
//
// # Cards
//
// A card's life (every other step is rejected, kind Conflict, with the
// reason):
//
//	action              requires                                              then
//	yellow card         no card in force; an inspection of this enterprise    yellow in force
//	                    that found it over its discharge standard or total
//	                    quota, dated on or before the card and not the basis
//	                    of another (unrevoked) card; a rectification deadline
//	                    after the card's date; measure limit_production or
//	                    suspend_for_rectification
//	red card            a yellow card in force whose rectification failed: a  yellow escalated,
//	                    re-inspection of that yellow card dated on or after   red in force
//	                    its rectification deadline that found an exceedance;
//	                    the grounds that make the case serious; measure
//	                    suspend_business or close
//	lift                a card in force (not a closure) and a re-inspection   lifted
//	                    of it, dated on or after the card, that found the
//	                    enterprise compliant
//	revoke (on appeal)  a card not revoked; a yellow card escalated to a red  revoked; revoking a red card
//	                    one only once that red card is revoked                restores its yellow card
//
// Issues and lifts are recorded in date order: one dated before the
// enterprise's last issue or lift is rejected. A re-inspection names the card
// it checks, which must be in force. Inspections and cards are recorded by
// the enforcement staff, administrators or the ledger itself; other roles
// are refused with kind Forbidden.
//
// A revoked card is annulled: lists, strips and figures computed after the
// revocation leave it out. A list already published keeps it, with the hash
// it was published with.
//
// The package performs no I/O and depends only on domain and domain/plan.
package enforcement
