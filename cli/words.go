package cli

import (
	"strings"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/events"
)

// count is domain.Count.
var count = domain.Count

// positions names a run of log positions: "position 6722" for one,
// "positions 6722–6725" for more.
var positions = events.Positions

// joinZh joins Chinese items, such as the differences of an audit, with a
// full-width semicolon, as the dashboard does: the items have commas and
// semicolons of their own, full width.
func joinZh(items []string) string {
	return strings.Join(items, "；")
}
