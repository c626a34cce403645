package plan_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/domain/plan"
)

// Every department the plan names, leading or taking part, has an English
// name of its own; one it does not name is given as written.
func TestDepartmentsInEnglish(t *testing.T) {
	byName := map[string]plan.Department{}
	for _, task := range plan.Tasks() {
		for _, d := range append(append([]plan.Department{}, task.Lead...), task.Participants...) {
			en := d.English()
			require.NotEqual(t, string(d), en, "%s (%s) has an English name", d, task.ID)
			require.Regexp(t, `^[A-Z][A-Za-z' -]+[a-z]$`, en, "%s: English words", d)
			if other, ok := byName[en]; ok {
				require.Equal(t, other, d, "%q names two departments", en)
			}
			byName[en] = d
		}
	}
	require.Len(t, byName, 21, "the plan names 21 departments")
	require.Equal(t, "Provincial Department of Housing and Urban-Rural Development", plan.Department("省住房城乡建设厅").English())
	require.Equal(t, "省生态环境厅", plan.Department("省生态环境厅").English(), "not in the plan: as written")
}
