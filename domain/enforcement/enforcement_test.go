package enforcement_test

import (
	"cmp"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/enforcement"
	"github.com/shanxi-water/ledger/domain/monitoring"
	"github.com/shanxi-water/ledger/domain/plan"
)

var (
	officer = domain.Actor{ID: "zhao.lei", Role: domain.Enforcement}
	bureau  = "太原市环境保护局"
)

func on(y, m, d int) time.Time   { return time.Date(y, time.Month(m), d, 9, 0, 0, 0, domain.CST) }
func date(y, m, d int) plan.Date { return plan.NewDate(y, time.Month(m), d) }

// uscc completes a 17-character code with its check character.
func uscc(t *testing.T, first17 string) enforcement.USCC {
	t.Helper()
	c, err := enforcement.USCCCheck(first17)
	require.NoError(t, err)
	return enforcement.USCC(first17 + string(c))
}

func TestUSCC(t *testing.T) {
	// Published codes of well-known companies.
	for _, c := range []enforcement.USCC{"914403001922038216", "91110000710926094P", "91330100799655058B", "9144030071526726XG"} {
		require.NoError(t, c.Validate(), c)
	}
	table := []struct {
		code enforcement.USCC
		want string
	}{
		{"", "missing"},
		{"91110000710926094", "18 characters, not 17"},
		{"91110000710926094Q", "check character is Q, but the first 17 characters give P"},
		{"91110000710926O94P", "is not one of 0–9, A–Z without I, O, S, V, Z"},
		{"911100007109260941", "check character is 1, but the first 17 characters give P"},
		{"91110000710926094p", "write the code in capitals"},
		{"91A10000710926094P", "administrative division code"},
	}
	for _, tc := range table {
		err := tc.code.Validate()
		require.Error(t, err, tc.code)
		require.Contains(t, err.Error(), tc.want, tc.code)
	}
}

// world is one enterprise's aggregate in a test: each step is decided and,
// if allowed, folded in, as the application does.
type world struct {
	t *testing.T
	e enforcement.Enterprise
}

func act(at time.Time) enforcement.Action { return enforcement.Action{At: at, By: officer} }

func (w *world) must(err error) {
	w.t.Helper()
	require.NoError(w.t, err)
}

var (
	over      = []enforcement.Measurement{{Item: "COD", Measured: 180, Limit: 100, Unit: "mg/L", Basis: enforcement.Standard}}
	overQuota = []enforcement.Measurement{{Item: "COD", Measured: 412, Limit: 350, Unit: "t/a", Basis: enforcement.Quota}}
	fine      = []enforcement.Measurement{{Item: "COD", Measured: 62, Limit: 100, Unit: "mg/L", Basis: enforcement.Standard}}
)

func inspection(doc, card string, exceeded bool) enforcement.Inspected {
	if exceeded {
		return enforcement.Inspected{DocumentNo: doc, Authority: bureau, Card: card, Findings: []enforcement.Finding{enforcement.OverStandard}, Measurements: over}
	}
	return enforcement.Inspected{DocumentNo: doc, Authority: bureau, Card: card, Findings: []enforcement.Finding{enforcement.Compliant}, Measurements: fine}
}

func (w *world) inspect(at time.Time, doc, card string, exceeded bool) error {
	in, err := enforcement.DecideInspection(w.e, act(at), inspection(doc, card, exceeded))
	if err == nil {
		w.e.Apply(at, in)
	}
	return err
}

func yellowCard(doc, inspection string, deadline plan.Date) enforcement.YellowCardIssued {
	return enforcement.YellowCardIssued{DocumentNo: doc, Authority: bureau, Inspection: inspection, Measure: enforcement.LimitProduction, Deadline: deadline}
}

func (w *world) yellow(at time.Time, y enforcement.YellowCardIssued) error {
	y, err := enforcement.DecideYellowCard(w.e, act(at), y)
	if err == nil {
		w.e.Apply(at, y)
	}
	return err
}

func redCard(doc, yellow, reinspection string, m enforcement.Measure) enforcement.RedCardIssued {
	return enforcement.RedCardIssued{DocumentNo: doc, Authority: "太原市人民政府", YellowCard: yellow, Reinspection: reinspection, Measure: m,
		Grounds: "COD 1.8 times the standard after the rectification deadline; discharges into the Fen upstream of a drinking-water intake"}
}

func (w *world) red(at time.Time, r enforcement.RedCardIssued) error {
	r, err := enforcement.DecideRedCard(w.e, act(at), r)
	if err == nil {
		w.e.Apply(at, r)
	}
	return err
}

func (w *world) lift(at time.Time, card, doc, reinspection string) error {
	l, err := enforcement.DecideLift(w.e, act(at), enforcement.CardLifted{Card: card, DocumentNo: doc, Authority: bureau, Reinspection: reinspection})
	if err == nil {
		w.e.Apply(at, l)
	}
	return err
}

func (w *world) revoke(at time.Time, card string) error {
	r, err := enforcement.DecideRevoke(w.e, act(at), enforcement.CardRevoked{Card: card, DocumentNo: "晋政复决〔2019〕7号-" + card, Authority: "山西省人民政府", Reason: "procedure: no hearing was offered"})
	if err == nil {
		w.e.Apply(at, r)
	}
	return err
}

// newWorld registers the enterprise on 2019-01-01 and records inspection I1
// (over the standard, 2019-03-05) and I0 (compliant, 2019-02-01).
func newWorld(t *testing.T) *world {
	w := &world{t: t}
	r, err := enforcement.DecideRegister(w.e, act(on(2019, 1, 1)), enforcement.EnterpriseRegistered{
		Name: "太原市某造纸有限公司", USCC: uscc(t, "91140100MA0K9XRB3"), City: "140100", Industry: "造纸", KeyDischarger: true})
	require.NoError(t, err)
	w.e.Apply(on(2019, 1, 1), r)
	w.must(w.inspect(on(2019, 2, 1), "I0", "", false))
	w.must(w.inspect(on(2019, 3, 5), "I1", "", true))
	return w
}

// The stages of the card life used by the table, each built on the one
// before it.
func yellowInForce(w *world) { // Y1 on I1, 2019-03-10, to rectify by 2019-06-30
	w.must(w.yellow(on(2019, 3, 10), yellowCard("Y1", "I1", date(2019, 6, 30))))
}
func rectified(w *world) { // Y1 re-inspected compliant
	yellowInForce(w)
	w.must(w.inspect(on(2019, 5, 20), "R-ok", "Y1", false))
}
func failed(w *world) { // Y1 re-inspected after the deadline: still over
	yellowInForce(w)
	w.must(w.inspect(on(2019, 7, 5), "R-fail", "Y1", true))
}
func yellowLifted(w *world) {
	rectified(w)
	w.must(w.lift(on(2019, 5, 25), "Y1", "L1", "R-ok"))
}
func yellowRevoked(w *world) {
	yellowInForce(w)
	w.must(w.revoke(on(2019, 4, 1), "Y1"))
}
func redInForce(w *world) { // RED1 suspends business on Y1's failed rectification
	failed(w)
	w.must(w.red(on(2019, 7, 10), redCard("RED1", "Y1", "R-fail", enforcement.SuspendBusiness)))
}
func closed(w *world) {
	failed(w)
	w.must(w.red(on(2019, 7, 10), redCard("RED1", "Y1", "R-fail", enforcement.Close)))
}
func redRectified(w *world) {
	redInForce(w)
	w.must(w.inspect(on(2019, 9, 1), "R2-ok", "RED1", false))
}
func redLifted(w *world) {
	redRectified(w)
	w.must(w.lift(on(2019, 9, 5), "RED1", "L2", "R2-ok"))
}
func redRevoked(w *world) {
	redInForce(w)
	w.must(w.revoke(on(2019, 8, 1), "RED1"))
}
func nothing(*world) {}

// Every allowed card action, and what it leaves.
func TestCardsAllowed(t *testing.T) {
	table := []struct {
		name  string
		setup func(*world)
		act   func(*world) error
		check func(*testing.T, *enforcement.Enterprise)
	}{
		{"yellow card limiting production on an exceedance", nothing,
			func(w *world) error { return w.yellow(on(2019, 3, 10), yellowCard("Y1", "I1", date(2019, 6, 30))) },
			func(t *testing.T, e *enforcement.Enterprise) {
				c, ok := e.InForce()
				require.True(t, ok)
				require.Equal(t, enforcement.Yellow, c.Color)
				require.Equal(t, []enforcement.Finding{enforcement.OverStandard}, c.Findings)
			}},
		{"yellow card suspending for rectification on an over-quota finding", func(w *world) {
			in := enforcement.Inspected{DocumentNo: "IQ", Authority: bureau, Findings: []enforcement.Finding{enforcement.OverQuota}, Measurements: overQuota}
			got, err := enforcement.DecideInspection(w.e, act(on(2019, 3, 6)), in)
			w.must(err)
			w.e.Apply(on(2019, 3, 6), got)
		}, func(w *world) error {
			y := yellowCard("YQ", "IQ", date(2019, 9, 30))
			y.Measure = enforcement.SuspendForRectification
			return w.yellow(on(2019, 3, 8), y)
		}, func(t *testing.T, e *enforcement.Enterprise) {
			c, _ := e.InForce()
			require.Equal(t, enforcement.SuspendForRectification, c.Measure)
			require.Equal(t, []enforcement.Finding{enforcement.OverQuota}, c.Findings)
		}},
		{"re-inspection of a yellow card in force", yellowInForce,
			func(w *world) error { return w.inspect(on(2019, 4, 1), "R", "Y1", true) }, nil},
		{"re-inspection of a red card in force", redInForce,
			func(w *world) error { return w.inspect(on(2019, 8, 1), "R", "RED1", true) }, nil},
		{"lift a yellow card on a compliant re-inspection", rectified,
			func(w *world) error { return w.lift(on(2019, 5, 25), "Y1", "L1", "R-ok") },
			func(t *testing.T, e *enforcement.Enterprise) {
				c, _ := e.Card("Y1")
				require.Equal(t, enforcement.Lifted, c.Status)
				require.Equal(t, on(2019, 5, 25), c.Ended)
				_, inForce := e.InForce()
				require.False(t, inForce)
			}},
		{"red card suspending business: re-inspected on the deadline day", func(w *world) {
			yellowInForce(w)
			w.must(w.inspect(on(2019, 6, 30), "R-fail", "Y1", true))
		}, func(w *world) error {
			return w.red(on(2019, 7, 1), redCard("RED1", "Y1", "R-fail", enforcement.SuspendBusiness))
		}, func(t *testing.T, e *enforcement.Enterprise) {
			y, _ := e.Card("Y1")
			require.Equal(t, enforcement.Escalated, y.Status)
			require.Equal(t, "RED1", y.EndedBy)
			c, _ := e.InForce()
			require.Equal(t, "RED1", c.DocumentNo)
		}},
		{"red card closing: re-inspected after the deadline", failed,
			func(w *world) error {
				return w.red(on(2019, 7, 10), redCard("RED1", "Y1", "R-fail", enforcement.Close))
			}, nil},
		{"lift a red card suspending business", redRectified,
			func(w *world) error { return w.lift(on(2019, 9, 5), "RED1", "L2", "R2-ok") },
			func(t *testing.T, e *enforcement.Enterprise) {
				r, _ := e.Card("RED1")
				require.Equal(t, enforcement.Lifted, r.Status)
				y, _ := e.Card("Y1")
				require.Equal(t, enforcement.Escalated, y.Status, "the yellow card stays escalated")
			}},
		{"revoke a yellow card in force", yellowInForce,
			func(w *world) error { return w.revoke(on(2019, 4, 1), "Y1") },
			func(t *testing.T, e *enforcement.Enterprise) {
				_, inForce := e.InForce()
				require.False(t, inForce)
			}},
		{"revoke a lifted yellow card", yellowLifted,
			func(w *world) error { return w.revoke(on(2019, 6, 1), "Y1") }, nil},
		{"revoke a red card in force: its yellow card stands again", redInForce,
			func(w *world) error { return w.revoke(on(2019, 8, 1), "RED1") },
			func(t *testing.T, e *enforcement.Enterprise) {
				c, ok := e.InForce()
				require.True(t, ok)
				require.Equal(t, "Y1", c.DocumentNo)
				require.True(t, c.Ended.IsZero())
			}},
		{"revoke a lifted red card: its yellow card stands lifted", redLifted,
			func(w *world) error { return w.revoke(on(2019, 10, 1), "RED1") },
			func(t *testing.T, e *enforcement.Enterprise) {
				y, _ := e.Card("Y1")
				require.Equal(t, enforcement.Lifted, y.Status)
				require.Equal(t, "L2", y.EndedBy)
			}},
		{"revoke a closure", closed,
			func(w *world) error { return w.revoke(on(2019, 8, 1), "RED1") }, nil},
		{"revoke the escalated yellow card after its red card", redRevoked,
			func(w *world) error { return w.revoke(on(2019, 8, 2), "Y1") }, nil},
		{"after a red card's revocation, its yellow card is lifted on rectification", func(w *world) {
			redRevoked(w)
			w.must(w.inspect(on(2019, 8, 10), "R3-ok", "Y1", false))
		}, func(w *world) error { return w.lift(on(2019, 8, 12), "Y1", "L3", "R3-ok") }, nil},
		{"after a red card's revocation, a new red card on the failed rectification", redRevoked,
			func(w *world) error {
				return w.red(on(2019, 8, 5), redCard("RED2", "Y1", "R-fail", enforcement.SuspendBusiness))
			}, nil},
		{"a new yellow card on a new finding after a lifted one", func(w *world) {
			yellowLifted(w)
			w.must(w.inspect(on(2019, 11, 1), "I2", "", true))
		}, func(w *world) error { return w.yellow(on(2019, 11, 5), yellowCard("Y2", "I2", date(2020, 1, 31))) }, nil},
		{"a new yellow card on the same finding after a revoked one", yellowRevoked,
			func(w *world) error { return w.yellow(on(2019, 4, 10), yellowCard("Y1-bis", "I1", date(2019, 7, 31))) }, nil},
		{"a new yellow card after a red card is lifted", func(w *world) {
			redLifted(w)
			w.must(w.inspect(on(2019, 12, 1), "I3", "", true))
		}, func(w *world) error { return w.yellow(on(2019, 12, 5), yellowCard("Y3", "I3", date(2020, 3, 31))) }, nil},
	}
	for _, tc := range table {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			tc.setup(w)
			require.NoError(t, tc.act(w))
			if tc.check != nil {
				tc.check(t, &w.e)
			}
		})
	}
}

// Every refused card action: its kind, the field at fault and the reason.
func TestCardsRejected(t *testing.T) {
	table := []struct {
		name  string
		setup func(*world)
		act   func(*world) error
		kind  domain.Kind
		field string
		want  string
	}{
		// Yellow cards.
		{"yellow card without an inspection", nothing,
			func(w *world) error { return w.yellow(on(2019, 3, 10), yellowCard("Y1", "I9", date(2019, 6, 30))) },
			domain.Conflict, "inspection", "no inspection I9 of this enterprise (an inspection is named by its document number, its document_no): a yellow card rests on an inspection that found it over"},
		{"yellow card on a compliant inspection", nothing,
			func(w *world) error { return w.yellow(on(2019, 3, 10), yellowCard("Y1", "I0", date(2019, 6, 30))) },
			domain.Conflict, "inspection", "found the enterprise [compliant]: a yellow card needs a finding over"},
		{"yellow card while a yellow card is in force", func(w *world) {
			yellowInForce(w)
			w.must(w.inspect(on(2019, 3, 20), "I2", "", true))
		}, func(w *world) error { return w.yellow(on(2019, 3, 25), yellowCard("Y2", "I2", date(2019, 6, 30))) },
			domain.Conflict, "", "already under yellow card Y1"},
		{"yellow card while a red card is in force", func(w *world) {
			redInForce(w)
			w.must(w.inspect(on(2019, 7, 20), "I2", "", true))
		}, func(w *world) error { return w.yellow(on(2019, 7, 25), yellowCard("Y2", "I2", date(2019, 9, 30))) },
			domain.Conflict, "", "already under red card RED1"},
		{"yellow card on a finding already carded", yellowLifted,
			func(w *world) error { return w.yellow(on(2019, 6, 1), yellowCard("Y2", "I1", date(2019, 9, 30))) },
			domain.Conflict, "inspection", "already the basis of yellow card Y1"},
		{"yellow card dated before its inspection", nothing,
			func(w *world) error { return w.yellow(on(2019, 3, 1), yellowCard("Y1", "I1", date(2019, 6, 30))) },
			domain.Conflict, "occurred_at", "dated before inspection I1"},
		{"yellow card dated before the last card decision", func(w *world) {
			yellowLifted(w)
			w.must(w.inspect(on(2019, 3, 12), "I2", "", true))
		}, func(w *world) error { return w.yellow(on(2019, 3, 15), yellowCard("Y2", "I2", date(2019, 6, 30))) },
			domain.Conflict, "occurred_at", "before the enterprise's last card decision (2019-05-25)"},
		{"yellow card with a deadline on its own date", nothing,
			func(w *world) error { return w.yellow(on(2019, 3, 10), yellowCard("Y1", "I1", date(2019, 3, 10))) },
			domain.Invalid, "rectification_deadline", "not after the card's date"},
		{"yellow card without a deadline", nothing,
			func(w *world) error { return w.yellow(on(2019, 3, 10), yellowCard("Y1", "I1", plan.Date{})) },
			domain.Invalid, "rectification_deadline", "missing"},
		{"yellow card ordering a red card's measure", nothing,
			func(w *world) error {
				y := yellowCard("Y1", "I1", date(2019, 6, 30))
				y.Measure = enforcement.Close
				return w.yellow(on(2019, 3, 10), y)
			}, domain.Invalid, "measure", `"close" is not a yellow card's measure`},
		{"yellow card without a document number", nothing,
			func(w *world) error { return w.yellow(on(2019, 3, 10), yellowCard("", "I1", date(2019, 6, 30))) },
			domain.Invalid, "document_no", "missing"},
		{"yellow card without an authority", nothing,
			func(w *world) error {
				y := yellowCard("Y1", "I1", date(2019, 6, 30))
				y.Authority = ""
				return w.yellow(on(2019, 3, 10), y)
			}, domain.Invalid, "authority", "missing"},
		{"yellow card reusing a decision's number", func(w *world) {
			yellowLifted(w)
			w.must(w.inspect(on(2019, 6, 1), "I2", "", true))
		}, func(w *world) error { return w.yellow(on(2019, 6, 2), yellowCard("L1", "I2", date(2019, 9, 30))) },
			domain.Conflict, "document_no", "already the number of a decision"},
		{"yellow card by an auditor", nothing,
			func(w *world) error {
				_, err := enforcement.DecideYellowCard(w.e, enforcement.Action{At: on(2019, 3, 10), By: domain.Actor{ID: "a", Role: domain.Auditor}}, yellowCard("Y1", "I1", date(2019, 6, 30)))
				return err
			}, domain.Forbidden, "actor.role", "role auditor may not"},
		{"yellow card on an enterprise not registered", nothing,
			func(w *world) error {
				_, err := enforcement.DecideYellowCard(enforcement.Enterprise{}, act(on(2019, 3, 10)), yellowCard("Y1", "I1", date(2019, 6, 30)))
				return err
			}, domain.NotFound, "enterprise", "not registered"},

		// Red cards.
		{"red card without any yellow card", func(w *world) {
			w.must(w.inspect(on(2019, 7, 5), "R-fail", "", true))
		}, func(w *world) error {
			return w.red(on(2019, 7, 10), redCard("RED1", "Y1", "R-fail", enforcement.Close))
		},
			domain.Conflict, "yellow_card", "a red card presupposes a yellow card whose rectification failed: the enterprise has no card Y1"},
		{"red card naming a red card", redInForce,
			func(w *world) error {
				return w.red(on(2019, 7, 12), redCard("RED2", "RED1", "R-fail", enforcement.Close))
			},
			domain.Conflict, "yellow_card", "RED1 is a red card"},
		{"red card after the yellow card was lifted", yellowLifted,
			func(w *world) error { return w.red(on(2019, 7, 10), redCard("RED1", "Y1", "R-ok", enforcement.Close)) },
			domain.Conflict, "yellow_card", "yellow card Y1 was lifted on 2019-05-25, the enterprise rectified"},
		{"a second red card on an escalated yellow card", redInForce,
			func(w *world) error {
				return w.red(on(2019, 7, 12), redCard("RED2", "Y1", "R-fail", enforcement.Close))
			},
			domain.Conflict, "yellow_card", "already escalated to red card RED1"},
		{"red card on a revoked yellow card", yellowRevoked,
			func(w *world) error { return w.red(on(2019, 7, 10), redCard("RED1", "Y1", "I1", enforcement.Close)) },
			domain.Conflict, "yellow_card", "was revoked on appeal"},
		{"red card without a re-inspection", yellowInForce,
			func(w *world) error {
				return w.red(on(2019, 7, 10), redCard("RED1", "Y1", "R-none", enforcement.Close))
			},
			domain.Conflict, "reinspection", "no re-inspection R-none"},
		{"red card on the original finding, not a re-inspection", yellowInForce,
			func(w *world) error { return w.red(on(2019, 7, 10), redCard("RED1", "Y1", "I1", enforcement.Close)) },
			domain.Conflict, "reinspection", "inspection I1 is not a re-inspection of yellow card Y1"},
		{"red card although the re-inspection found it rectified", rectified,
			func(w *world) error { return w.red(on(2019, 7, 10), redCard("RED1", "Y1", "R-ok", enforcement.Close)) },
			domain.Conflict, "reinspection", "found the enterprise compliant, rectified: lift the yellow card instead"},
		{"red card on a re-inspection before the deadline", func(w *world) {
			yellowInForce(w)
			w.must(w.inspect(on(2019, 5, 1), "R-early", "Y1", true))
		}, func(w *world) error {
			return w.red(on(2019, 5, 5), redCard("RED1", "Y1", "R-early", enforcement.Close))
		},
			domain.Conflict, "reinspection", "before the rectification deadline 2019-06-30, when the enterprise still had time"},
		{"red card dated before its re-inspection", failed,
			func(w *world) error { return w.red(on(2019, 7, 1), redCard("RED1", "Y1", "R-fail", enforcement.Close)) },
			domain.Conflict, "occurred_at", "dated before re-inspection R-fail"},
		{"red card without grounds", failed,
			func(w *world) error {
				r := redCard("RED1", "Y1", "R-fail", enforcement.Close)
				r.Grounds = ""
				return w.red(on(2019, 7, 10), r)
			}, domain.Invalid, "grounds", "a red card is for a serious case"},
		{"red card ordering a yellow card's measure", failed,
			func(w *world) error {
				return w.red(on(2019, 7, 10), redCard("RED1", "Y1", "R-fail", enforcement.LimitProduction))
			}, domain.Invalid, "measure", "is not a red card's measure"},
		{"red card by a station", failed,
			func(w *world) error {
				_, err := enforcement.DecideRedCard(w.e, enforcement.Action{At: on(2019, 7, 10), By: domain.Actor{ID: "s", Role: domain.Station}}, redCard("RED1", "Y1", "R-fail", enforcement.Close))
				return err
			}, domain.Forbidden, "actor.role", "role station may not"},

		// Lifting.
		{"lift an unknown card", nothing,
			func(w *world) error { return w.lift(on(2019, 5, 25), "Y9", "L1", "I0") },
			domain.NotFound, "card", "no card Y9"},
		{"lift an escalated yellow card", redRectified,
			func(w *world) error { return w.lift(on(2019, 9, 5), "Y1", "L2", "R2-ok") },
			domain.Conflict, "card", "escalated to red card RED1: lift the red card"},
		{"lift a lifted card", yellowLifted,
			func(w *world) error { return w.lift(on(2019, 6, 1), "Y1", "L9", "R-ok") },
			domain.Conflict, "card", "yellow card Y1 is already lifted"},
		{"lift a revoked card", yellowRevoked,
			func(w *world) error { return w.lift(on(2019, 6, 1), "Y1", "L1", "I0") },
			domain.Conflict, "card", "yellow card Y1 is already revoked"},
		{"lift a closure", func(w *world) {
			closed(w)
			w.must(w.inspect(on(2019, 9, 1), "R2-ok", "RED1", false))
		}, func(w *world) error { return w.lift(on(2019, 9, 5), "RED1", "L2", "R2-ok") },
			domain.Conflict, "card", "a closure is not lifted, only revoked on appeal"},
		{"lift without a re-inspection", yellowInForce,
			func(w *world) error { return w.lift(on(2019, 5, 25), "Y1", "L1", "R-none") },
			domain.Conflict, "reinspection", "no re-inspection R-none"},
		{"lift on an inspection that is not a re-inspection of the card", yellowInForce,
			func(w *world) error { return w.lift(on(2019, 5, 25), "Y1", "L1", "I0") },
			domain.Conflict, "reinspection", "inspection I0 is not a re-inspection of card Y1"},
		{"lift on a re-inspection that found it still over", failed,
			func(w *world) error { return w.lift(on(2019, 7, 10), "Y1", "L1", "R-fail") },
			domain.Conflict, "reinspection", "not rectified, the card stays"},
		{"lift dated before its re-inspection", rectified,
			func(w *world) error { return w.lift(on(2019, 5, 19), "Y1", "L1", "R-ok") },
			domain.Conflict, "occurred_at", "dated before re-inspection R-ok"},
		{"lift reusing the card's number", rectified,
			func(w *world) error { return w.lift(on(2019, 5, 25), "Y1", "Y1", "R-ok") },
			domain.Conflict, "document_no", "already the number of a decision"},

		// Revocation.
		{"revoke an unknown card", nothing,
			func(w *world) error { return w.revoke(on(2019, 5, 1), "Y9") },
			domain.NotFound, "card", "no card Y9"},
		{"revoke a revoked card", yellowRevoked,
			func(w *world) error { return w.revoke(on(2019, 5, 1), "Y1") },
			domain.Conflict, "card", "already revoked on 2019-04-01"},
		{"revoke a yellow card escalated to a red card in force", redInForce,
			func(w *world) error { return w.revoke(on(2019, 8, 1), "Y1") },
			domain.Conflict, "card", "escalated to red card RED1: revoke the red card first"},
		{"revoke a yellow card escalated to a lifted red card", redLifted,
			func(w *world) error { return w.revoke(on(2019, 10, 1), "Y1") },
			domain.Conflict, "card", "revoke the red card first"},
		{"revoke a lifted card on a day before its lift", yellowLifted,
			func(w *world) error { return w.revoke(on(2019, 5, 20), "Y1") },
			domain.Conflict, "occurred_at", "dated before the card was ended (2019-05-25, L1)"},
		{"revocation dated before the card", yellowInForce,
			func(w *world) error { return w.revoke(on(2019, 3, 9), "Y1") },
			domain.Conflict, "occurred_at", "before the card was issued"},
		{"revocation without a reason", yellowInForce,
			func(w *world) error {
				_, err := enforcement.DecideRevoke(w.e, act(on(2019, 4, 1)), enforcement.CardRevoked{Card: "Y1", DocumentNo: "复议决定 7", Authority: "山西省人民政府"})
				return err
			}, domain.Invalid, "reason", "missing"},

		// Inspections.
		{"re-inspection of an unknown card", nothing,
			func(w *world) error { return w.inspect(on(2019, 4, 1), "R", "Y9", false) },
			domain.NotFound, "card", "no card Y9 on this enterprise to re-inspect"},
		{"re-inspection of a lifted card", yellowLifted,
			func(w *world) error { return w.inspect(on(2019, 6, 1), "R", "Y1", false) },
			domain.Conflict, "card", "yellow card Y1 is lifted: a re-inspection checks a card in force"},
		{"re-inspection of an escalated yellow card", redInForce,
			func(w *world) error { return w.inspect(on(2019, 8, 1), "R", "Y1", false) },
			domain.Conflict, "card", "yellow card Y1 is escalated"},
		{"re-inspection dated before the card", yellowInForce,
			func(w *world) error { return w.inspect(on(2019, 3, 9), "R", "Y1", false) },
			domain.Conflict, "occurred_at", "before card Y1 was issued"},
		{"inspection before registration", nothing,
			func(w *world) error { return w.inspect(on(2018, 12, 1), "I-old", "", false) },
			domain.Conflict, "occurred_at", "before the enterprise came under supervision"},
		{"inspection number recorded twice", nothing,
			func(w *world) error { return w.inspect(on(2019, 4, 1), "I1", "", false) },
			domain.Conflict, "document_no", "inspection I1 is already recorded (dated 2019-03-05)"},
		{"inspection of an enterprise not registered", nothing,
			func(w *world) error {
				_, err := enforcement.DecideInspection(enforcement.Enterprise{}, act(on(2019, 4, 1)), inspection("I5", "", false))
				return err
			}, domain.NotFound, "enterprise", "not registered"},

		// Registration.
		{"registering twice", nothing,
			func(w *world) error {
				_, err := enforcement.DecideRegister(w.e, act(on(2019, 4, 1)), w.e.Info)
				return err
			}, domain.Conflict, "uscc", "already registered"},
	}
	for _, tc := range table {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			tc.setup(w)
			before := len(w.e.Cards)
			err := tc.act(w)
			require.Error(t, err)
			require.Equal(t, tc.kind, domain.KindOf(err), "%v", err)
			require.Equal(t, tc.field, domain.FieldOf(err), "%v", err)
			require.Contains(t, err.Error(), tc.want)
			require.Len(t, w.e.Cards, before)
			requireZh(t, err)
		})
	}
}

func TestInspectionFindingsAgreeWithMeasurements(t *testing.T) {
	m := func(item string, measured, limit float64, basis enforcement.Basis) enforcement.Measurement {
		return enforcement.Measurement{Item: item, Measured: measured, Limit: limit, Unit: "mg/L", Basis: basis}
	}
	f := func(fs ...enforcement.Finding) []enforcement.Finding { return fs }
	table := []struct {
		name  string
		in    enforcement.Inspected
		field string
		want  string
	}{
		{"no findings", enforcement.Inspected{DocumentNo: "I", Authority: bureau}, "findings", "missing"},
		{"unknown finding", enforcement.Inspected{DocumentNo: "I", Authority: bureau, Findings: f("dirty")}, "findings[0]", "unknown finding"},
		{"compliant and over", enforcement.Inspected{DocumentNo: "I", Authority: bureau, Findings: f(enforcement.OverStandard, enforcement.Compliant),
			Measurements: []enforcement.Measurement{m("COD", 180, 100, enforcement.Standard)}}, "findings[1]", "compliant together with an exceedance"},
		{"finding twice", enforcement.Inspected{DocumentNo: "I", Authority: bureau, Findings: f(enforcement.OverStandard, enforcement.OverStandard),
			Measurements: []enforcement.Measurement{m("COD", 180, 100, enforcement.Standard)}}, "findings[1]", "listed twice"},
		{"compliant twice", enforcement.Inspected{DocumentNo: "I", Authority: bureau, Findings: f(enforcement.Compliant, enforcement.Compliant)}, "findings[1]", "listed twice"},
		{"over the standard without a value", enforcement.Inspected{DocumentNo: "I", Authority: bureau, Findings: f(enforcement.OverStandard)}, "findings[0]", "record the measurement"},
		{"over the quota on a standard value", enforcement.Inspected{DocumentNo: "I", Authority: bureau, Findings: f(enforcement.OverStandard, enforcement.OverQuota),
			Measurements: []enforcement.Measurement{m("COD", 180, 100, enforcement.Standard)}}, "findings[1]", "over_quota without a measured value over its quota limit"},
		{"compliant with a value over", enforcement.Inspected{DocumentNo: "I", Authority: bureau, Findings: f(enforcement.Compliant),
			Measurements: []enforcement.Measurement{m("NH3-N", 25, 15, enforcement.Standard)}}, "measurements[0]", "the findings do not say over_standard"},
		{"negative value", enforcement.Inspected{DocumentNo: "I", Authority: bureau, Findings: f(enforcement.Compliant),
			Measurements: []enforcement.Measurement{m("COD", -1, 100, enforcement.Standard)}}, "measurements[0].measured", "not negative"},
		{"zero limit", enforcement.Inspected{DocumentNo: "I", Authority: bureau, Findings: f(enforcement.Compliant),
			Measurements: []enforcement.Measurement{m("COD", 1, 0, enforcement.Standard)}}, "measurements[0].limit", "positive"},
		{"unknown basis", enforcement.Inspected{DocumentNo: "I", Authority: bureau, Findings: f(enforcement.Compliant),
			Measurements: []enforcement.Measurement{m("COD", 1, 10, "permit")}}, "measurements[0].basis", "want"},
		{"no unit", enforcement.Inspected{DocumentNo: "I", Authority: bureau, Findings: f(enforcement.Compliant),
			Measurements: []enforcement.Measurement{{Item: "COD", Measured: 1, Limit: 10, Basis: enforcement.Standard}}}, "measurements[0].unit", "missing"},
		{"no document number", enforcement.Inspected{Authority: bureau, Findings: f(enforcement.Compliant)}, "document_no", "missing"},
		{"no authority", enforcement.Inspected{DocumentNo: "I", Findings: f(enforcement.Compliant)}, "authority", "missing"},
	}
	for _, tc := range table {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.in.Validate()
			require.Error(t, err)
			require.Equal(t, domain.Invalid, domain.KindOf(err))
			require.Equal(t, tc.field, domain.FieldOf(err), "%v", err)
			require.Contains(t, err.Error(), tc.want)
			requireZh(t, err)
		})
	}
	both := enforcement.Inspected{DocumentNo: "I", Authority: bureau, Findings: f(enforcement.OverStandard, enforcement.OverQuota),
		Measurements: []enforcement.Measurement{m("COD", 180, 100, enforcement.Standard), {Item: "COD", Measured: 412, Limit: 350, Unit: "t/a", Basis: enforcement.Quota}}}
	require.NoError(t, both.Validate())
	require.True(t, both.Exceedance())
	require.InDelta(t, 0.8, both.Measurements[0].Multiple(), 1e-12)
	require.NoError(t, enforcement.Inspected{DocumentNo: "I", Authority: bureau, Findings: f(enforcement.Compliant)}.Validate(), "a visual inspection without values")
}

func TestRegistration(t *testing.T) {
	good := enforcement.EnterpriseRegistered{Name: "晋中某焦化有限公司", USCC: uscc(t, "91140700MA0GUX3Q2"), City: "140700", Industry: "焦化"}
	require.NoError(t, good.Validate())
	require.Equal(t, enforcement.EnterpriseID(good.USCC), good.ID())
	permit := enforcement.EnterpriseRegistered{Name: "某洗煤厂", PermitNo: "PWX-140700-0042", City: "140700", Industry: "洗煤"}
	require.NoError(t, permit.Validate())
	require.Equal(t, enforcement.EnterpriseID("PWX-140700-0042"), permit.ID())

	table := []struct {
		name  string
		edit  func(*enforcement.EnterpriseRegistered)
		field string
		want  string
	}{
		{"no name", func(r *enforcement.EnterpriseRegistered) { r.Name = "" }, "name", "missing"},
		{"neither code nor permit", func(r *enforcement.EnterpriseRegistered) { r.USCC = "" }, "uscc", "give the unified social credit code or"},
		{"bad check character", func(r *enforcement.EnterpriseRegistered) { r.USCC = r.USCC[:17] + "0" }, "uscc", "check character"},
		{"bad permit number", func(r *enforcement.EnterpriseRegistered) { r.PermitNo = "晋环许字第12号" }, "permit_no", "ASCII letters"},
		{"unknown city", func(r *enforcement.EnterpriseRegistered) { r.City = "110000" }, "city", "not one of Shanxi's 11"},
		{"no industry", func(r *enforcement.EnterpriseRegistered) { r.Industry = "" }, "industry", "missing"},
		{"name with a line break", func(r *enforcement.EnterpriseRegistered) { r.Name = "a\nb" }, "name", "control character"},
	}
	for _, tc := range table {
		r := good
		tc.edit(&r)
		err := r.Validate()
		require.Error(t, err, tc.name)
		require.Equal(t, tc.field, domain.FieldOf(err), tc.name)
		require.Contains(t, err.Error(), tc.want, tc.name)
		requireZh(t, err)
	}
}

func q(y, n int) enforcement.Quarter { return enforcement.Quarter{Year: y, Q: n} }

func TestQuarters(t *testing.T) {
	require.Equal(t, q(2019, 1), enforcement.QuarterOf(time.Date(2018, 12, 31, 16, 0, 0, 0, time.UTC)), "midnight in Shanxi is 16:00 UTC")
	require.Equal(t, q(2018, 4), enforcement.QuarterOf(time.Date(2018, 12, 31, 15, 59, 0, 0, time.UTC)))
	require.Equal(t, q(2020, 1), q(2019, 4).Next())
	require.Equal(t, q(2018, 4), q(2019, 1).Prev())
	require.Equal(t, "2019-06-30", q(2019, 2).LastDay().String())
	p, err := enforcement.ParseQuarter("2019Q3")
	require.NoError(t, err)
	require.Equal(t, q(2019, 3), p)
	for _, bad := range []string{"2019Q5", "2019-Q1", "19Q1", "2019Q1x", ""} {
		_, err := enforcement.ParseQuarter(bad)
		require.Error(t, err, bad)
	}
}

// The strip marks each quarter with the worst that applied in it; the list
// of a quarter holds every card in force at some time in it.
func TestStripListAndFigures(t *testing.T) {
	w := newWorld(t)
	redLifted(w) // I1 2019-03-05, Y1 2019-03-10 → RED1 2019-07-10 → lifted 2019-09-05
	strip := w.e.Strip(q(2019, 4))
	require.Len(t, strip, enforcement.StripQuarters)
	require.Equal(t, q(2017, 1), strip[0].Quarter)
	got := map[enforcement.Quarter]enforcement.Compliance{}
	for _, s := range strip {
		got[s.Quarter] = s.Status
	}
	require.Equal(t, enforcement.NotRegistered, got[q(2018, 4)])
	require.Equal(t, enforcement.UnderYellow, got[q(2019, 1)], "Y1 from 10 March")
	require.Equal(t, enforcement.UnderYellow, got[q(2019, 2)])
	require.Equal(t, enforcement.UnderRed, got[q(2019, 3)], "RED1 from 10 July")
	require.Equal(t, enforcement.NoViolation, got[q(2019, 4)])
	require.Equal(t, 2, strip[8].Inspections, "2019Q1: I0 and I1")
	require.Equal(t, 1, strip[8].Violations)

	l := enforcement.BuildCardList("140100", q(2019, 3), []*enforcement.Enterprise{&w.e})
	require.Len(t, l.Entries, 2)
	require.Equal(t, "Y1", l.Entries[0].Card)
	require.Equal(t, enforcement.Escalated, l.Entries[0].Status)
	require.Equal(t, "2019-07-10", l.Entries[0].Ended.String())
	require.Equal(t, "RED1", l.Entries[1].Card)
	require.Equal(t, enforcement.Lifted, l.Entries[1].Status)
	require.Nil(t, l.Entries[1].Deadline)
	q2 := enforcement.BuildCardList("140100", q(2019, 2), []*enforcement.Enterprise{&w.e})
	require.Len(t, q2.Entries, 1)
	require.Equal(t, enforcement.InForce, q2.Entries[0].Status, "Y1 was still in force at the end of June")
	require.Nil(t, q2.Entries[0].Ended)
	require.Empty(t, enforcement.BuildCardList("140100", q(2019, 4), []*enforcement.Enterprise{&w.e}).Entries)
	require.Empty(t, enforcement.BuildCardList("140200", q(2019, 3), []*enforcement.Enterprise{&w.e}).Entries, "another city")
	require.Len(t, enforcement.BuildCardList(domain.Province, q(2019, 3), []*enforcement.Enterprise{&w.e}).Entries, 2)

	f := w.e.Year(2019)
	require.Equal(t, enforcement.Figures{Inspections: 4, Violations: 2, Yellow: 1, Red: 1, Lifted: 1}, f)

	// Revoking the red card annuls it everywhere computed after.
	w.must(w.revoke(on(2020, 2, 1), "RED1"))
	require.Equal(t, enforcement.UnderYellow, w.e.Strip(q(2019, 3))[11].Status)
	l = enforcement.BuildCardList("140100", q(2019, 3), []*enforcement.Enterprise{&w.e})
	require.Len(t, l.Entries, 1)
	require.Equal(t, enforcement.Lifted, l.Entries[0].Status, "the yellow card stands, lifted with the red card's lifting")
	require.Equal(t, enforcement.Figures{Inspections: 4, Violations: 2, Yellow: 1, Lifted: 1}, w.e.Year(2019))
	require.Equal(t, enforcement.Figures{Revoked: 1}, w.e.Year(2020))
}

func TestPublication(t *testing.T) {
	w := newWorld(t)
	yellowInForce(w)
	l := enforcement.BuildCardList("140100", q(2019, 1), []*enforcement.Enterprise{&w.e})
	a := enforcement.Action{At: on(2019, 4, 20), By: officer}
	p, err := enforcement.DecidePublish(nil, a, l, bureau, "并环公告〔2019〕3号")
	require.NoError(t, err)
	require.NoError(t, p.Validate())
	require.Len(t, p.SHA256, 64)
	require.Equal(t, p.SHA256, l.Hash())
	require.True(t, strings.HasPrefix(string(l.Canonical()), "ledger-card-list/1\n{\"scope\":\"140100\",\"quarter\":\"2019Q1\",\"entries\":[{\"enterprise\":\"91140100MA0K9XRB3"))

	_, err = enforcement.DecidePublish(&p, a, l, bureau, "并环公告〔2019〕4号")
	require.Equal(t, domain.Conflict, domain.KindOf(err))
	require.Contains(t, err.Error(), "already published")
	_, err = enforcement.DecidePublish(nil, enforcement.Action{At: on(2019, 3, 31), By: officer}, l, bureau, "x")
	require.Equal(t, domain.Conflict, domain.KindOf(err))
	require.Contains(t, err.Error(), "2019Q1 ends on 2019-03-31")
	_, err = enforcement.DecidePublish(nil, a, l, bureau, "")
	require.Equal(t, "document_no", domain.FieldOf(err))
	early := enforcement.BuildCardList("140100", q(2015, 4), nil)
	_, err = enforcement.DecidePublish(nil, a, early, bureau, "并环公告〔2016〕1号")
	require.Equal(t, "quarter", domain.FieldOf(err), "the lists begin in 2016: %v", err)

	tampered := p
	tampered.List.Entries = append([]enforcement.ListEntry(nil), p.List.Entries...)
	tampered.List.Entries[0].Name = "另一家公司"
	err = tampered.Validate()
	require.Equal(t, "sha256", domain.FieldOf(err))
	empty := enforcement.CardList{Scope: "140200", Quarter: q(2019, 1)}
	require.Equal(t, empty.Hash(), enforcement.CardList{Scope: "140200", Quarter: q(2019, 1), Entries: []enforcement.ListEntry{}}.Hash())
}

func (w *world) close(at time.Time, doc string) error {
	c, err := enforcement.DecideClose(w.e, act(at), enforcement.EnterpriseClosed{DocumentNo: doc, Authority: "太原市人民政府", Reason: "依法关闭：红牌决定执行完毕"})
	if err == nil {
		w.e.Apply(at, c)
	}
	return err
}

// An enterprise closed for good: the card in force ends with it, it is on
// the public list of the quarter it closed in and not after, its strip says
// closed from the next quarter, and nothing more is recorded on it but an
// inspection made before it closed.
func TestEnterpriseClosure(t *testing.T) {
	w := newWorld(t)
	closed(w) // RED1 (closure) in force since 2019-07-10
	_, err := enforcement.DecideClose(w.e, act(on(2019, 7, 1)), enforcement.EnterpriseClosed{DocumentNo: "C0", Authority: "a", Reason: "r"})
	require.Equal(t, domain.Conflict, domain.KindOf(err), "before the last card decision: %v", err)
	w.must(w.close(on(2019, 8, 20), "并政关〔2019〕3号"))

	red, _ := w.e.Card("RED1")
	require.Equal(t, enforcement.Closed, red.Status)
	require.Equal(t, on(2019, 8, 20), red.Ended)
	_, inForce := w.e.InForce()
	require.False(t, inForce)

	q3 := enforcement.QuarterOf(on(2019, 8, 1))
	inList := func(q enforcement.Quarter) bool {
		return len(enforcement.BuildCardList("140100", q, []*enforcement.Enterprise{&w.e}).Entries) > 0
	}
	require.True(t, inList(q3), "in force during the quarter it closed in")
	require.False(t, inList(q3.Next()), "off the list after")
	strip := w.e.Strip(q3.Next().Next())
	require.Equal(t, enforcement.UnderRed, strip[9].Status, "2019Q3")
	require.Equal(t, enforcement.ClosedDown, strip[10].Status, "2019Q4")
	require.Equal(t, enforcement.ClosedDown, strip[11].Status, "2020Q1")

	for name, err := range map[string]error{
		"an inspection": w.inspect(on(2019, 9, 1), "I9", "", false),
		"a yellow card": w.yellow(on(2019, 9, 1), yellowCard("Y9", "I1", date(2019, 12, 31))),
		"closed again":  w.close(on(2019, 9, 1), "C2"),
	} {
		require.Equal(t, domain.Conflict, domain.KindOf(err), "%s: %v", name, err)
		require.Contains(t, err.Error(), "closed on 2019-08-20", name)
	}

	// An inspection made while it operated, its report entered after the
	// closure: recorded, and in its quarter's strip; the closure day too.
	w.must(w.inspect(time.Date(2019, 8, 20, 23, 59, 59, 0, domain.CST), "I-closing-day", "", false))
	w.must(w.inspect(on(2019, 8, 12), "I-late", "", false))
	require.True(t, slices.IsSortedFunc(w.e.Inspections, func(a, b enforcement.Inspection) int { return a.At.Compare(b.At) }),
		"in date order, the one entered late in its place")
	in, ok := w.e.Inspection("I-late")
	require.True(t, ok)
	require.Equal(t, on(2019, 8, 12), in.At)
	require.Equal(t, enforcement.ClosedDown, w.e.Strip(q3.Next())[11].Status, "still closed from the next quarter")
	err = w.inspect(on(2019, 8, 21), "I-after", "", false)
	require.Equal(t, domain.Conflict, domain.KindOf(err), "%v", err)
	require.Contains(t, err.Error(), "2019-08-21 is after")
	require.Equal(t, "occurred_at", domain.FieldOf(err))
}

// A closed enterprise's red card revoked on appeal: the yellow card it
// escalated does not come back into force, it ended with the closure; and
// the quarter's list, with the cards closure ended, validates. A closure
// is not dated before an inspection on record.
func TestClosureAfterRevocationAndList(t *testing.T) {
	w := newWorld(t)
	redInForce(w) // Y1 escalated to RED1 on 2019-07-10
	err := w.close(on(2019, 7, 1), "C-early")
	require.Equal(t, domain.Conflict, domain.KindOf(err), "before the re-inspection of 2019-07-05 and the red card: %v", err)
	w.must(w.inspect(time.Date(2019, 8, 20, 23, 59, 59, 0, domain.CST), "I-day", "", false)) // entered by its date
	closing := time.Date(2019, 8, 20, 10, 0, 0, 0, domain.CST)
	_, err = enforcement.DecideClose(w.e, act(closing), enforcement.EnterpriseClosed{DocumentNo: "C0", Authority: "a", Reason: "r"})
	require.NoError(t, err, "closed at ten the day of an inspection entered by its date")
	w.must(w.close(on(2019, 8, 20), "C1"))
	w.must(w.revoke(on(2019, 9, 1), "RED1"))
	y, _ := w.e.Card("Y1")
	require.Equal(t, enforcement.Closed, y.Status, "ended with the closure, not back in force")
	require.Equal(t, on(2019, 8, 20), y.Ended)
	_, inForce := w.e.InForce()
	require.False(t, inForce)

	l := enforcement.BuildCardList("140100", enforcement.QuarterOf(on(2019, 8, 1)), []*enforcement.Enterprise{&w.e})
	require.NotEmpty(t, l.Entries)
	require.NoError(t, l.Validate())
}

// requireZh fails unless err's reason is said in Chinese, as the API says
// it (message_zh): by this package's table, or, for a reason it shares
// with the uploads (missing, a text's faults), by monitoring's; and with
// no English word of the reason left but the codes and fields the request
// names.
func requireZh(t *testing.T, err error) {
	t.Helper()
	reason := domain.ReasonOf(err)
	zh := cmp.Or(enforcement.ReasonZh(reason), monitoring.ReasonZh(reason))
	require.NotEmpty(t, zh, "%v has no Chinese", err)
	rest := regexp.MustCompile(`"[^"]*"|（[a-z_]+）|[a-z_]+ 填写`).ReplaceAllString(zh, "")
	require.NotRegexp(t, `(?i)\b(the|is|not|a|an|of|on|by|in|no|and|or|card|yellow|red|inspection|re-inspection|enterprise|token|missing|want|found|issued|already|registered|published|list|quarter|compliant|standard|quota|measure|city|code|permit|credit|lifted|revoked|escalated)\b`, rest, "%v: %s", err, zh)
}
