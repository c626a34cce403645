package enforcement_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/domain/enforcement"
	"github.com/shanxi-water/ledger/domain/plan"
)

// A published list's hash is checked again, on every replay, over the list
// as decoded and encoded again (CardList.Canonical): a change to how a list
// encodes — a field added without omitempty, renamed, reordered, a value
// written differently — would make every list published before it fail its
// check, shown as altered. This list, with every field set, must keep its
// canonical bytes and hash; a change that needs another form needs another
// canonical version ("ledger-card-list/2") and the old lists read with the
// old one.
func TestCardListCanonicalFormIsStable(t *testing.T) {
	d := func(y int, m time.Month, day int) *plan.Date { x := plan.NewDate(y, m, day); return &x }
	l := enforcement.CardList{Scope: "140800", Quarter: enforcement.Quarter{Year: 2019, Q: 1}, Entries: []enforcement.ListEntry{
		{Enterprise: "91140800MA0K9XRJ1", Name: "运城市某焦化有限公司", City: "140800", Industry: "焦化", KeyDischarger: true,
			Color: enforcement.Yellow, Card: "运环罚〔2019〕5号", Authority: "运城市环境保护局", Issued: *d(2019, 2, 10),
			Measure: enforcement.LimitProduction, Deadline: d(2019, 5, 31), Findings: []enforcement.Finding{enforcement.OverStandard},
			Status: enforcement.Lifted, Ended: d(2019, 3, 25)},
	}}
	require.Equal(t, `ledger-card-list/1
{"scope":"140800","quarter":"2019Q1","entries":[{"enterprise":"91140800MA0K9XRJ1","name":"运城市某焦化有限公司","city":"140800","industry":"焦化","key_discharger":true,"color":"yellow","card":"运环罚〔2019〕5号","authority":"运城市环境保护局","issued":"2019-02-10","measure":"limit_production","rectification_deadline":"2019-05-31","findings":["over_standard"],"status":"lifted","ended":"2019-03-25"}]}`,
		string(l.Canonical()))
	require.Equal(t, "ae1b691d32937642434ef462008c9b96d4fdc1c1ade2577882cbbabfcbe3dd4f", l.Hash())
}
