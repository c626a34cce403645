package water_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/water"
)

func TestClassStringAndLabel(t *testing.T) {
	for _, tc := range []struct {
		c          water.Class
		s, zh, en  string
		valid      bool
		meetsIII   bool
		arabic     string
		unicodeFmt string
	}{
		{0, "", "", "", false, false, "", ""},
		{water.ClassI, "I", "优", "excellent", true, true, "1", "Ⅰ类"},
		{water.ClassII, "II", "优", "excellent", true, true, "2", "Ⅱ类"},
		{water.ClassIII, "III", "良好", "good", true, true, "3", "Ⅲ类"},
		{water.ClassIV, "IV", "轻度污染", "lightly polluted", true, false, "4", "Ⅳ类"},
		{water.ClassV, "V", "中度污染", "moderately polluted", true, false, "5", "Ⅴ类"},
		{water.WorseThanV, "劣V", "重度污染", "heavily polluted", true, false, "6", "劣Ⅴ类"},
	} {
		t.Run(tc.s, func(t *testing.T) {
			require.Equal(t, tc.s, tc.c.String())
			zh, en := tc.c.Label()
			require.Equal(t, tc.zh, zh)
			require.Equal(t, tc.en, en)
			require.Equal(t, tc.valid, tc.c.Valid())
			require.Equal(t, tc.meetsIII, tc.c.Meets(water.ClassIII))
			if !tc.valid {
				return
			}
			for _, s := range []string{tc.s, tc.arabic, tc.unicodeFmt, " " + tc.s + "类 "} {
				got, err := water.ParseClass(s)
				require.NoError(t, err, s)
				require.Equal(t, tc.c, got, s)
			}
		})
	}
	require.Equal(t, "Class(9)", water.Class(9).String())
}

func TestParseClass(t *testing.T) {
	for _, s := range []string{"worse-than-V", "Worse than V", "劣v", "6"} {
		c, err := water.ParseClass(s)
		require.NoError(t, err, s)
		require.Equal(t, water.WorseThanV, c, s)
	}
	c, err := water.ParseClass("iv")
	require.NoError(t, err)
	require.Equal(t, water.ClassIV, c)

	for _, s := range []string{"", "  ", "0", "7", "VI", "劣IV", "III+", "good"} {
		_, err := water.ParseClass(s)
		require.Error(t, err, s)
		require.Equal(t, domain.Invalid, domain.KindOf(err), s)
	}
}

func TestBodyKindValidate(t *testing.T) {
	require.NoError(t, water.River.Validate())
	require.NoError(t, water.Lake.Validate())
	require.Error(t, water.BodyKind("").Validate())
	require.Error(t, water.BodyKind("reservoir").Validate())
}

// English text says 劣V as "worse than V", never "class 劣V".
func TestClassInEnglish(t *testing.T) {
	require.Equal(t, "III", water.ClassIII.English())
	require.Equal(t, "worse than V", water.WorseThanV.English())
	require.Equal(t, "class V", water.ClassV.Phrase())
	require.Equal(t, "worse than V", water.WorseThanV.Phrase())
	require.Equal(t, "劣V", water.WorseThanV.String(), "the name files use is unchanged")
}
