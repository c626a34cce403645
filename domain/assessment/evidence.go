package assessment

import "slices"

// Events are the log positions behind the evidence, each once, in log
// order. Positions names an event once for each sample it holds (an upload
// of three samples of a section is named three times); this is what a
// reader wants to see.
func (e Evidence) Events() []uint64 {
	return Distinct(e.Positions)
}

// PartLabel is the Chinese name of the part the evidence is for (断面达标
// for "sections"), as Part.Label gives it.
func (e Evidence) PartLabel() string {
	return Part{Name: e.Part}.Label()
}

// Distinct returns the positions sorted, each once (a new slice; nil for
// none).
func Distinct(ps []uint64) []uint64 {
	if len(ps) == 0 {
		return nil
	}
	out := slices.Clone(ps)
	slices.Sort(out)
	return slices.Compact(out)
}
