package domain

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestZhTableSay(t *testing.T) {
	table := ZhTable{
		{EN: regexp.MustCompile(`^(\d+) rows rejected$`), ZH: "$1 行被拒"},
		{EN: regexp.MustCompile(`^status (\w+)$`), F: func(m []string) string { return "状态：" + strings.ToUpper(m[1]) }},
		{EN: regexp.MustCompile(`^.*rejected.*$`), ZH: "被拒"}, // after the first: the first entry that matches says it
	}
	for _, tc := range []struct{ en, zh string }{
		{"12 rows rejected", "12 行被拒"},
		{"status dry", "状态：DRY"},
		{"all rejected", "被拒"},
		{"12 rows rejected, and more", "被拒"}, // matched whole: not the first
		{"nothing like it", ""},
	} {
		require.Equal(t, tc.zh, table.Say(tc.en), tc.en)
	}
}
