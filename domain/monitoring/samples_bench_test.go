package monitoring

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/shanxi-water/ledger/domain/water"
)

// quarter is a station's quarter at one section: 549 samples 4 hours apart
// with six items, as the demo uploads them.
func quarter() SamplesRecorded {
	var rows []Sample
	lines := make([]int, 0, 549)
	t0 := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 549 {
		x := float64(i)
		rows = append(rows, Sample{At: t0.Add(time.Duration(i) * 4 * time.Hour), Source: Auto, Values: water.Values{
			water.PH: math.Round((7+math.Sin(x)/2)*100) / 100, water.DO: math.Round((7+math.Cos(x))*100) / 100,
			water.CODMn: math.Round((3+math.Sin(x/7))*10) / 10, water.NH3N: math.Round((0.5+math.Sin(x/3)/3)*1000) / 1000,
			water.TP: math.Round((0.05+math.Cos(x/5)/50)*1000) / 1000, water.TN: math.Round((1.2+math.Sin(x/11)/4)*100) / 100}})
		lines = append(lines, 2+109*i)
	}
	return SamplesRecorded{Samples: MustSamples(rows...), Import: &ImportRef{File: "2019-q1.csv", SHA256: "ab", Lines: lines}}
}

func BenchmarkSamplesDecode(b *testing.B) {
	raw, err := json.Marshal(quarter())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		var r SamplesRecorded
		if err := r.UnmarshalJSON(raw); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/549, "ns/sample")
}

func BenchmarkSamplesEncode(b *testing.B) {
	q := quarter()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(q); err != nil {
			b.Fatal(err)
		}
	}
}
