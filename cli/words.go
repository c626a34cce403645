package cli

import (
	"fmt"
	"strings"
)

// count is n with a noun, singular for one: "1 event", "2 events".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// positions names a run of log positions: "position 6722" for one,
// "positions 6722–6725" for more.
func positions(first, last uint64) string {
	if first == last {
		return fmt.Sprintf("position %d", first)
	}
	return fmt.Sprintf("positions %d–%d", first, last)
}

// joinZh joins Chinese items, such as the differences of an audit, with a
// full-width semicolon, as the dashboard does: the items have commas and
// semicolons of their own, full width.
func joinZh(items []string) string {
	return strings.Join(items, "；")
}
