package water

import (
	"fmt"
	"github.com/shanxi-water/ledger/domain"
)

// DefaultMinSamples is the norm for a section's year: 12 monthly samples.
// Ice-bound sections are commonly assessed on 8; that number is configuration,
// passed as AnnualInput.MinSamples.
const DefaultMinSamples = 12

// AnnualInput is a section's samples for one year.
type AnnualInput struct {
	Kind BodyKind `json:"kind"`
	// Samples are the samples taken. A month that was not monitored (dry
	// river, ice, equipment fault) is left out, not entered as zeros; an
	// empty Values is not counted as a sample.
	Samples []Values `json:"samples"`
	// MinSamples is how many samples make a year assessable: 12 normally,
	// 8 for ice-bound sections (configurable). 0 means DefaultMinSamples.
	MinSamples int `json:"min_samples,omitempty"`
	// Months, if given, is the month (1–12) of each sample. The norm is
	// then of months sampled, not of samples: twelve samples in March do
	// not make a year, nor do a month's extra samples stand for the
	// months without one. The means are still over the samples.
	Months []int `json:"months,omitempty"`
}

// AnnualResult is a section's class for one year.
type AnnualResult struct {
	Samples int  `json:"samples"` // samples with at least one value
	Months  int  `json:"months"`  // months with such a sample, if the input gave months; else Samples
	Enough  bool `json:"enough"`  // Months >= MinSamples
	// Means is the arithmetic mean of each item over the samples that
	// measured it; reported even when there are too few samples.
	Means Values `json:"means"`
	// Counts is how many samples measured each item.
	Counts map[Item]int `json:"counts"`
	// Class is the single-factor class of Means; 0 when !Enough (reported as
	// not assessable, never guessed) or when no counted item was measured.
	Class Class `json:"class"`
	// Partial is the class of Means when there were too few samples (0
	// otherwise): not the section's class, but what its samples show, so
	// that missing data is never counted in a city's favour (a section
	// whose samples are worse than V counts as such, enough or not).
	Partial Class `json:"partial,omitempty"`
	// Worst and MainPollutants are as in SampleResult and MainPollutants,
	// on Means; empty when Class is 0.
	Worst          []Item       `json:"worst,omitempty"`
	MainPollutants []Exceedance `json:"main_pollutants,omitempty"`
	// Uncounted is the class of the means of the items evaluated apart from
	// the class (TN of a lake or reservoir, fecal coliform), as in
	// SampleResult; empty when !Enough.
	Uncounted map[Item]Class `json:"uncounted,omitempty"`
}

// Annual assesses a section's year as the official evaluation does: the
// arithmetic mean of each item over the samples that measured it (pH
// included), then the single-factor rule on those means. With fewer samples
// than MinSamples (in as many months, if Months are given) the year is not assessable: Enough is false and Class is 0.
// Errors (kind Invalid) name the field at fault, e.g. "samples[3].TP".
func Annual(in AnnualInput) (AnnualResult, error) {
	const op = "water.Annual"
	if err := in.Kind.Validate(); err != nil {
		return AnnualResult{}, domain.E(op, domain.Invalid, "kind", err)
	}
	minSamples := in.MinSamples
	switch {
	case minSamples < 0:
		return AnnualResult{}, domain.Errorf(op, domain.Invalid, "min_samples", "negative: %d", minSamples)
	case minSamples == 0:
		minSamples = DefaultMinSamples
	}

	if in.Months != nil && len(in.Months) != len(in.Samples) {
		return AnnualResult{}, domain.Errorf(op, domain.Invalid, "months", "%d months for %d samples", len(in.Months), len(in.Samples))
	}
	sums := map[Item]float64{}
	counts := map[Item]int{}
	n := 0
	var months [13]bool
	for i, s := range in.Samples {
		// Check every value the way a single sample is checked.
		if err := eachValue(op, field{"samples", i}, s, nil); err != nil {
			return AnnualResult{}, err
		}
		if len(s) == 0 {
			continue
		}
		n++
		if in.Months != nil {
			m := in.Months[i]
			if m < 1 || m > 12 {
				return AnnualResult{}, domain.Errorf(op, domain.Invalid, fmt.Sprintf("months[%d]", i), "%d is not a month", m)
			}
			months[m] = true
		}
		for item, v := range s {
			sums[item] += v
			counts[item]++
		}
	}

	sampled := n
	if in.Months != nil {
		sampled = 0
		for _, ok := range months {
			if ok {
				sampled++
			}
		}
	}
	res := AnnualResult{Samples: n, Months: sampled, Enough: sampled >= minSamples, Means: Values{}, Counts: counts}
	for item, sum := range sums {
		res.Means[item] = sum / float64(counts[item])
	}
	sr, err := classifySample(op, field{"means.", -1}, in.Kind, res.Means)
	if err != nil {
		return AnnualResult{}, err
	}
	if !res.Enough {
		if n > 0 {
			res.Partial = sr.Class
		}
		return res, nil
	}
	res.Class, res.Worst = sr.Class, sr.Worst
	if len(sr.Uncounted) > 0 {
		res.Uncounted = sr.Uncounted
	}
	res.MainPollutants = mainPollutants(in.Kind, res.Means, sr)
	return res, nil
}
