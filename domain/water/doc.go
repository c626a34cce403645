// Package water classifies surface water the way China's official evaluation
// does: the GB 3838-2002 Table 1 limits, the single-factor rule for a sample,
// the annual class of a section from the means of its samples, the main
// pollutants of a section worse than class III with their exceedance
// multiples, and the two levels of urban black-odorous water.
//
// It is the arithmetic behind the ledger's assessment of Shanxi's 2015
// water-pollution control plan (the share of sections at class III or better,
// the share worse than class V, black-odorous water bodies). It performs no
// I/O and must not depend on anything but the standard library and
// github.com/shanxi-water/ledger/domain (for its error type): projections,
// interfaces and tools call it, never the other way round.
//
// Values are plain float64 in the item's unit (mg/L, none for pH, 个/L for
// fecal coliform). A reading below the detection limit is entered as half
// that limit (see BelowDetection). A sample that was not taken (dry river,
// ice, equipment fault) is not a value: leave it out, never enter it as zero.
package water
