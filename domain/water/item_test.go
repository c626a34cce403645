package water_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/domain/water"
)

func TestItems(t *testing.T) {
	want := []water.Item{"pH", "DO", "CODMn", "COD", "BOD5", "NH3N", "TP", "TN", "Cu", "Zn", "F", "Se", "As",
		"Hg", "Cd", "Cr6", "Pb", "CN", "phenol", "petroleum", "LAS", "sulfide", "fecal_coliform"}
	items := water.Items()
	got := make([]water.Item, len(items))
	inClass := 0
	for i, info := range items {
		got[i] = info.Item
		require.NotEmpty(t, info.NameZh, info.Item)
		require.NotEmpty(t, info.NameEn, info.Item)
		require.Equal(t, info.Item == water.DO, info.LowerBound, info.Item)
		switch info.Item {
		case water.PH:
			require.Equal(t, "", info.Unit)
		case water.FecalColiform:
			require.Equal(t, "个/L", info.Unit)
		default:
			require.Equal(t, "mg/L", info.Unit, info.Item)
		}
		if info.InClass {
			inClass++
		}
		notCounted := info.Item == water.TN || info.Item == water.FecalColiform
		require.Equal(t, !notCounted, info.InClass, info.Item)

		// Every item finds itself by code.
		back, ok := water.LookupItem(string(info.Item))
		require.True(t, ok, info.Item)
		require.Equal(t, info, back)
		back, ok = water.LookupItem(info.NameZh)
		require.True(t, ok, info.NameZh)
		require.Equal(t, info.Item, back.Item)
	}
	require.Equal(t, want, got)
	require.Equal(t, 21, inClass, "the 21 items of the official evaluation")

	// The slice is a copy.
	items[0].Item = "changed"
	require.Equal(t, water.PH, water.Items()[0].Item)
}

func TestLookupItemAliases(t *testing.T) {
	for alias, want := range map[string]water.Item{
		"NH3-N": water.NH3N, "nh3_n": water.NH3N, "氨氮": water.NH3N, "ammonia nitrogen": water.NH3N,
		"CODMn": water.CODMn, "codmn": water.CODMn, "高锰酸盐指数": water.CODMn,
		"CODCr": water.COD, "化学需氧量": water.COD,
		"溶解氧": water.DO, "do": water.DO,
		"总磷": water.TP, "总氮": water.TN, "BOD₅": water.BOD5,
		"Cr(VI)": water.Cr6, "六价铬": water.Cr6,
		"fecal coliform": water.FecalColiform, "粪大肠菌群": water.FecalColiform,
		"挥发酚": water.Phenol, "石油类": water.Petroleum, "阴离子表面活性剂": water.LAS, "硫化物": water.Sulfide,
		" PH ": water.PH, "pH值": water.PH,
	} {
		info, ok := water.LookupItem(alias)
		require.True(t, ok, alias)
		require.Equal(t, want, info.Item, alias)
	}
	for _, s := range []string{"", "temperature", "水温", "conductivity", "NO3N"} {
		_, ok := water.LookupItem(s)
		require.False(t, ok, s)
	}
}
