package events

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

type sample struct {
	Section string             `json:"section"`
	At      time.Time          `json:"at"`
	Values  map[string]float64 `json:"values"`
	Note    string             `json:"note,omitempty"`
	Flags   []string           `json:"flags"`
	Depth   *float64           `json:"depth"`
}

// Payloads are encoded with a faster library on the hot path; the bytes are
// exactly what encoding/json writes, so the stored form is the standard one.
func TestEncodeMatchesEncodingJSON(t *testing.T) {
	r := NewRegistry()
	Register[sample](r, "section.sampled", 1)
	d := 0.25
	for _, p := range []sample{
		{Section: "汾河水库出口", At: time.Date(2019, 1, 2, 3, 4, 5, 600, time.FixedZone("CST", 8*3600)),
			Values: map[string]float64{"pH": 7.81, "NH3N": 0.5, "TP": 1e-5, "fecal": 24000, "Hg": 0.00005, "CODMn": 4.2},
			Note:   `<b>"quoted"</b> & 劣V`, Flags: []string{"below_detection"}, Depth: &d},
		{},
	} {
		_, _, got, err := r.Encode(p)
		require.NoError(t, err)
		want, err := json.Marshal(p)
		require.NoError(t, err)
		require.Equal(t, string(want), string(got))
		back, _, _, err := r.Decode("section.sampled", 1, got)
		require.NoError(t, err)
		require.True(t, p.At.Equal(back.(sample).At))
	}
}
