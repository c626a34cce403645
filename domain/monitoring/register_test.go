package monitoring

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/water"
)

// A target may be I–V or 劣V (allowed worse than V); an error names the
// field at fault.
func TestSectionTargets(t *testing.T) {
	for _, tc := range []struct {
		set   SectionTargetSet
		field string // "" when valid
	}{
		{SectionTargetSet{Year: 2018, Class: water.ClassIII, Reason: "晋政发〔2016〕1号"}, ""},
		{SectionTargetSet{Year: 2018, Class: water.WorseThanV, Reason: "晋政发〔2016〕1号"}, ""},
		{SectionTargetSet{Year: 2018, Class: 7, Reason: "x"}, "class"},
		{SectionTargetSet{Year: 2018, Class: 0, Reason: "x"}, "class"},
		{SectionTargetSet{Year: 2014, Class: water.ClassIII, Reason: "x"}, "year"},
		{SectionTargetSet{Year: 2018, Class: water.ClassIII}, "reason"},
	} {
		err := tc.set.Validate()
		if tc.field == "" {
			require.NoError(t, err, "%+v", tc.set)
			continue
		}
		require.Error(t, err, "%+v", tc.set)
		require.Equal(t, domain.Invalid, domain.KindOf(err))
		require.Equal(t, tc.field, domain.FieldOf(err), "%+v: %v", tc.set, err)
	}
	reg := SectionRegistered{Targets: Targets{2016: water.WorseThanV, 2017: 9}}
	err := validateTargets("section.registered", "targets", reg.Targets)
	require.Equal(t, "targets.2017", domain.FieldOf(err), "%v", err)
}
