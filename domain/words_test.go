package domain

import "testing"

// A count says its noun in the plural as English does: "2 bodies", but
// "2 days" and "2 sections".
func TestCount(t *testing.T) {
	for want, got := range map[string]string{
		"1 black-odorous water body":   Count(1, "black-odorous water body"),
		"2 black-odorous water bodies": Count(2, "black-odorous water body"),
		"0 sections":                   Count(0, "section"),
		"3 days":                       Count(3, "day"),
		"2 drinking-water sources":     Count(2, "drinking-water source"),
		"1 groundwater point":          Count(1, "groundwater point"),
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}
