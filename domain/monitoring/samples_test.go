package monitoring

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	fastjson "github.com/segmentio/encoding/json"
	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/water"
)

func cst(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, domain.CST)
}

// mixedRows has every shape a batch can hold: automatic and manual
// samples, not-monitored ones, items missing from some samples, results
// below the detection limit, times out of order and to the nanosecond.
func mixedRows() []Sample {
	return []Sample{
		{At: cst(2019, 3, 1, 0, 0), Source: Auto, Values: water.Values{water.PH: 7.41, water.DO: 7.39, water.NH3N: 0.322}},
		{At: cst(2019, 3, 1, 4, 0), Source: Auto, Status: Ice},
		{At: cst(2019, 3, 1, 8, 0), Source: Auto, Values: water.Values{water.CODMn: 0.5, water.TP: 0.01}, BelowDL: []water.Item{water.TP, water.CODMn}},
		{At: cst(2019, 2, 28, 20, 0), Source: Auto, Values: water.Values{water.NH3N: 1.478, water.FecalColiform: 12000}},
		{At: cst(2019, 3, 1, 8, 0), Source: Manual, Values: water.Values{water.COD: 15, water.Hg: 0.00004, water.BOD5: 3.0000000001}},
		{At: cst(2019, 3, 2, 9, 30).Add(1500 * time.Millisecond), Source: Manual, Status: Dry},
		{At: cst(2019, 3, 2, 10, 0).Add(7 * time.Nanosecond), Source: Auto, Status: Fault},
	}
}

// normal is a row as Samples gives it back: in UTC, BelowDL in table order.
func normal(r Sample) Sample {
	r.At = r.At.UTC()
	if len(r.BelowDL) > 0 {
		var in []water.Item
		for _, info := range water.Items() {
			for _, it := range r.BelowDL {
				if it == info.Item {
					in = append(in, it)
				}
			}
		}
		r.BelowDL = in
	}
	return r
}

func TestSamplesRoundTrip(t *testing.T) {
	rows := mixedRows()
	s, err := NewSamples(rows)
	require.NoError(t, err)
	require.NoError(t, s.Validate("test"))
	require.Equal(t, len(rows), s.Len())
	for i, r := range rows {
		require.Equal(t, normal(r), s.Row(i), "row %d", i)
		require.Equal(t, r.Key(), s.Key(i))
	}
	raw, err := json.Marshal(s)
	require.NoError(t, err)
	require.True(t, json.Valid(raw), "%s", raw)

	for name, unmarshal := range map[string]func([]byte, any) error{
		"encoding/json": json.Unmarshal, "segmentio": fastjson.Unmarshal,
	} {
		t.Run(name, func(t *testing.T) {
			var back SamplesRecorded
			require.NoError(t, unmarshal([]byte(`{"samples":`+string(raw)+`,"import":{"file":"f.csv","sha256":"x","lines":[1,2,3,4,5,6,7]}}`), &back))
			require.Equal(t, s.Rows(), back.Samples.Rows())
			again, err := json.Marshal(back.Samples)
			require.NoError(t, err)
			require.Equal(t, string(raw), string(again), "equal batches encode to equal bytes")
		})
	}
}

func TestSamplesJSONForm(t *testing.T) {
	s := MustSamples(
		Sample{At: time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC), Source: Auto, Status: Ice},
		Sample{At: time.Date(2016, 1, 1, 4, 0, 0, 0, time.UTC), Source: Auto, Values: water.Values{water.DO: 7.4, water.TP: 0.02}, BelowDL: []water.Item{water.TP}},
		Sample{At: time.Date(2015, 12, 31, 23, 59, 59, 500000000, time.UTC), Source: Manual, Values: water.Values{water.DO: 7.1, water.Hg: 5e-7}},
	)
	raw, err := json.Marshal(s)
	require.NoError(t, err)
	require.Equal(t, `{"start":"2016-01-01T00:00:00Z","at":[0,14400,-0.5],"manual":[2],"status":{"ice":[0]},`+
		`"values":{"DO":[null,7.4,7.1],"TP":[null,0.02,null],"Hg":[null,null,5e-7]},"below_dl":{"TP":[1]}}`, string(raw))

	// Times and lines a constant step apart are written as runs.
	var rows []Sample
	for i := range 5 {
		rows = append(rows, Sample{At: time.Date(2016, 1, 1, 4*i, 0, 0, 0, time.UTC), Source: Auto, Status: Ice})
	}
	rows = append(rows, Sample{At: time.Date(2016, 1, 2, 1, 0, 0, 0, time.UTC), Source: Auto, Values: water.Values{water.DO: 7}})
	rec := SamplesRecorded{Samples: MustSamples(rows...), Import: &ImportRef{File: `一季度 "Q1".csv`, SHA256: "ab", Lines: []int{2, 111, 220, 329, 438, 440}}}
	raw, err = json.Marshal(rec)
	require.NoError(t, err)
	require.Equal(t, `{"samples":{"start":"2016-01-01T00:00:00Z","at":[[0,14400,5],90000],"status":{"ice":[[0,1,5]]},"values":{"DO":[null,null,null,null,null,7]}},`+
		`"import":{"file":"一季度 \"Q1\".csv","sha256":"ab","lines":[[2,109,5],440]}}`, string(raw))
	var back SamplesRecorded
	require.NoError(t, fastjson.Unmarshal(raw, &back))
	require.Equal(t, rec.Samples.Rows(), back.Samples.Rows())
	require.Equal(t, rec.Import, back.Import)
	require.NoError(t, back.UnmarshalJSON([]byte(`{"samples":{"at":[],"values":{}},"import":null}`)))
	require.Nil(t, back.Import)
	require.ErrorContains(t, back.UnmarshalJSON([]byte(`{"import":null}`)), "samples: missing")
	require.ErrorContains(t, back.UnmarshalJSON([]byte(`{"samples":{"at":[],"values":{}},"extra":1}`)), `unknown field "extra"`)

	var empty Samples
	raw, err = json.Marshal(empty)
	require.NoError(t, err)
	require.Equal(t, `{"at":[],"values":{}}`, string(raw))
}

func TestNewSamplesRefuses(t *testing.T) {
	at := cst(2019, 3, 1, 0, 0)
	for _, tc := range []struct {
		name  string
		row   Sample
		field string
	}{
		{"no time", Sample{Source: Auto, Values: water.Values{water.DO: 7}}, "samples[0].at"},
		{"time out of range", Sample{At: time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC), Source: Auto}, "samples[0].at"},
		{"bad source", Sample{At: at, Source: "robot", Values: water.Values{water.DO: 7}}, "samples[0].source"},
		{"unknown status", Sample{At: at, Source: Auto, Status: "flood"}, "samples[0].status"},
		{"unknown item", Sample{At: at, Source: Auto, Values: water.Values{"Au": 7}}, "samples[0].values.Au"},
		{"NaN", Sample{At: at, Source: Auto, Values: water.Values{water.DO: math.NaN()}}, "samples[0].values.DO"},
		{"below without value", Sample{At: at, Source: Auto, Values: water.Values{water.DO: 7}, BelowDL: []water.Item{water.TP}}, "samples[0].below_dl[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewSamples([]Sample{tc.row})
			require.Error(t, err)
			var de *domain.Error
			require.ErrorAs(t, err, &de)
			require.Equal(t, tc.field, de.Field, "%v", err)
		})
	}
}

func TestSamplesValidate(t *testing.T) {
	at := cst(2019, 3, 1, 0, 0)
	ok := Sample{At: at, Source: Auto, Values: water.Values{water.DO: 7}}
	for _, tc := range []struct {
		name  string
		rows  []Sample
		field string
	}{
		{"not monitored with values", []Sample{ok, {At: at.Add(time.Hour), Source: Auto, Status: Dry, Values: water.Values{water.DO: 7}}}, "samples[1].values"},
		{"measured without values", []Sample{{At: at, Source: Manual}}, "samples[0].values"},
		{"negative", []Sample{{At: at, Source: Auto, Values: water.Values{water.COD: -1}}}, "samples[0].values.COD"},
		{"pH off the scale", []Sample{{At: at, Source: Auto, Values: water.Values{water.PH: 15}}}, "samples[0].values.pH"},
		{"repeated", []Sample{ok, {At: at.Add(time.Hour), Source: Manual, Values: water.Values{water.DO: 7}}, ok}, "samples[2]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := MustSamples(tc.rows...).Validate("test")
			var de *domain.Error
			require.ErrorAs(t, err, &de)
			require.Equal(t, tc.field, de.Field, "%v", err)
		})
	}
	// The same time from both sources is two samples.
	require.NoError(t, MustSamples(ok, Sample{At: at, Source: Manual, Values: water.Values{water.DO: 7}}).Validate("test"))
}

func TestSamplesDecodeRefuses(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`[]`, "want an object"},
		{`{"values":{}}`, "at: missing"},
		{`{"at":[0],"values":{}}`, "start: missing"},
		{`{"start":"2016-01-01","at":[0],"values":{}}`, "start:"},
		{`{"start":"1800-01-01T00:00:00Z","at":[0],"values":{}}`, "outside the years"},
		{`{"start":"2016-01-01T00:00:00Z","at":[0,99999999999],"values":{}}`, "seconds"},
		{`{"start":"2016-01-01T00:00:00Z","at":[0,9000000000],"values":{}}`, "at[1]: out of range"},
		{`{"start":"2016-01-01T00:00:00Z","at":[0.1234567891],"values":{}}`, "nine digits"},
		{`{"start":"2016-01-01T00:00:00Z","at":[0],"values":{"Au":[1]}}`, `unknown item "Au"`},
		{`{"start":"2016-01-01T00:00:00Z","at":[0],"values":{"DO":[1,2]}}`, "values.DO: 2 values for 1 samples"},
		{`{"start":"2016-01-01T00:00:00Z","at":[0],"values":{"DO":[1],"DO":[2]}}`, "DO twice"},
		{`{"start":"2016-01-01T00:00:00Z","at":[0],"values":{"DO":[01]}}`, "want a number"},
		{`{"start":"2016-01-01T00:00:00Z","at":[0],"values":{"DO":[1.]}}`, "want a digit"},
		{`{"start":"2016-01-01T00:00:00Z","at":[0],"values":{"DO":["1"]}}`, "want a number"},
		{`{"start":"2016-01-01T00:00:00Z","at":[0],"values":{"DO":[1 2]}}`, "want a comma or ]"},
		{`{"start":"2016-01-01T00:00:00Z","at":[0],"manual":[1],"values":{}}`, "manual[0]: 1 is not a sample"},
		{`{"start":"2016-01-01T00:00:00Z","at":[0],"manual":[0,0],"values":{}}`, "sample 0 twice"},
		{`{"start":"2016-01-01T00:00:00Z","at":[0],"manual":[-1],"values":{}}`, "not negative"},
		{`{"start":"2016-01-01T00:00:00Z","at":[[0,3600,0]],"values":{}}`, "a count of at most"},
		{`{"start":"2016-01-01T00:00:00Z","at":[[0,3600,99999999]],"values":{}}`, "a count of at most"},
		{`{"start":"2016-01-01T00:00:00Z","at":[[0,3600]],"values":{}}`, "a run is [first, step, count]"},
		{`{"start":"2016-01-01T00:00:00Z","at":[[0,3600,2,1]],"values":{}}`, "the ] of a run"},
		{`{"start":"2016-01-01T00:00:00Z","at":[[9000000000,9000000000,2]],"values":{}}`, "within range"},
		{`{"start":"2016-01-01T00:00:00Z","at":[0,1],"manual":[[0,1,3]],"values":{}}`, "2 is not a sample"},
		{`{"start":"2016-01-01T00:00:00Z","at":[0],"status":{"flood":[0]},"values":{}}`, "not dry, ice or fault"},
		{`{"start":"2016-01-01T00:00:00Z","at":[0],"status":{"":[0]},"values":{}}`, "not dry, ice or fault"},
		{`{"start":"2016-01-01T00:00:00Z","at":[0],"status":{"dry":[0],"ice":[0]},"values":{}}`, "also dry"},
		{`{"start":"2016-01-01T00:00:00Z","at":[0],"values":{"DO":[null]},"below_dl":{"DO":[0]}}`, "has no value"},
		{`{"start":"2016-01-01T00:00:00Z","at":[0],"values":{"DO":[1]},"below_dl":{"TP":[0]}}`, "below_dl.TP: no values"},
		{`{"start":"2016-01-01T00:00:00Z","at":[0],"values":{},"extra":1}`, `unknown field "extra"`},
		{`{"start":"2016-01-01T00:00:00Z","at":[0],"values":{}} x`, "want the end"},
		{`{"start":"2016-01-01T00:00:00Z","at":[0],"values":{"D\u004f":[1]}}`, "no escapes"},
		{`{"start":"2016-01-01T00:00:00Z","at":[0],"values":{"DO":[1]`, "unexpected end"},
	} {
		var s Samples
		err := s.UnmarshalJSON([]byte(tc.in))
		require.Error(t, err, tc.in)
		require.Contains(t, err.Error(), tc.want, tc.in)
	}
}

// The decoder's numbers are strconv.ParseFloat's, bit for bit.
func TestSamplesNumbers(t *testing.T) {
	for _, n := range []string{"0", "-0", "7.41", "0.322", "1e3", "1E-7", "5e-7", "12000", "0.1", "0.3",
		"9007199254740993", "3.0000000001", "123456789012345678", "1234567890123456789", "0.000000000000000000000001",
		"1.7976931348623157e308", "4.9e-324", "99999999999999999999.5", "2.2250738585072011e-308", "0.00004"} {
		checkNumber(t, n)
	}
}

func checkNumber(t *testing.T, n string) {
	t.Helper()
	want, err := strconv.ParseFloat(n, 64)
	if err != nil {
		return
	}
	// Alone, and followed by others.
	for _, in := range []string{"[" + n + "]", "[" + n + "," + n + ",12345678,0]"} {
		c := cursor{b: []byte(in)}
		got, err := c.floats(nil)
		require.NoError(t, err, in)
		require.NotEmpty(t, got)
		require.Equal(t, math.Float64bits(want), math.Float64bits(got[0]), "%s: got %v, want %v", in, got[0], want)
	}
	// In a long column, where short numbers are read by their commas, at
	// each place in the 64 bytes read at a time.
	for _, lc := range longColumns(n) {
		c := cursor{b: []byte(lc.in)}
		got, err := c.floats(nil)
		require.NoError(t, err, lc.in)
		require.Len(t, got, lc.count, lc.in)
		require.Equal(t, math.Float64bits(want), math.Float64bits(got[lc.at]), "%s: got %v, want %v", lc.in, got[lc.at], want)
		for i, f := range got {
			if i != lc.at {
				require.Equal(t, 0.25, f, "%s: [%d]", lc.in, i)
			}
		}
	}
}

type longColumn struct {
	in        string
	at, count int // n's index, and how many numbers in all
}

// longColumns are columns with n among short numbers (0.25), at each
// offset from 0 to 64 bytes from the first, and at the end.
func longColumns(n string) []longColumn {
	var out []longColumn
	for k := range 65 {
		pre := strings.Repeat("0.25,", k/5) + []string{"", "0.25,0.25,0.25,0.25,0.25,0.25,", "0.25,0.25,", "0.25,0.25,0.25,0.25,0.25,0.25,0.25,0.25,0.25,0.25,0.25,0.25,0.25,0.25,0.25,0.25,", "0.25,0.25,0.25,0.25,"}[k%5]
		// pre's length is k/5*5 + 0, 31, 10, 80 or 20 bytes: every
		// offset modulo 64 is met.
		before := strings.Count(pre, ",")
		out = append(out, longColumn{"[" + pre + n + "," + strings.Repeat("0.25,", 16) + "0.25]", before, before + 18})
	}
	pre := strings.Repeat("0.25,", 20)
	return append(out, longColumn{"[" + pre + n + "]", 20, 21})
}

// checkNotNumber checks that what is not a JSON number is refused, at the
// end of a column or followed by others.
func checkNotNumber(t *testing.T, n string) {
	t.Helper()
	for _, in := range []string{"[" + n + "]", "[" + n + ",12345678,0]", "[" + n + "]         "} {
		c := cursor{b: []byte(in)}
		_, err := c.floats(nil)
		require.Error(t, err, in)
	}
	for _, lc := range longColumns(n) {
		c := cursor{b: []byte(lc.in)}
		_, err := c.floats(nil)
		require.Error(t, err, lc.in)
	}
}

func TestSamplesNotNumbers(t *testing.T) {
	for _, n := range []string{"01", "01.5", "1.", "-", "-01", "1.e5", ".5", "1..2", "1.2.3", "+1", "0x10", "1_000", "00", "1.5x", "7e", "7.1e+"} {
		checkNotNumber(t, n)
	}
	for _, n := range []string{"0", "-0", "7", "12", "1234567", "12345678", "0.5", "7.41", "0.267", "1234.56", "123456.7", "1.234567", "7e2", "7.5E-1", "-3.25", "9.9999999"} {
		checkNumber(t, n)
	}
}

func FuzzSamplesNumber(f *testing.F) {
	for _, n := range []string{"7.41", "0.000050", "-12.5e3", "9007199254740993", "123456789.123456789", "01.5", "1.e3", "0.267"} {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, n string) {
		if n == "" || strings.ContainsAny(n, " \t\r\n\"[]{},ntf") {
			return // not a bare JSON number, nor what one could be taken for
		}
		if _, err := strconv.ParseFloat(n, 64); err != nil || !json.Valid([]byte(n)) {
			checkNotNumber(t, n)
			return
		}
		checkNumber(t, n)
	})
}

// FuzzSamplesJSON feeds the decoder anything: it never panics, and what it
// accepts encodes and decodes back to the same samples.
func FuzzSamplesJSON(f *testing.F) {
	raw, _ := json.Marshal(MustSamples(mixedRows()...))
	f.Add(string(raw))
	f.Add(`{"start":"2016-01-01T00:00:00Z","at":[0,14400,-0.5],"manual":[2],"status":{"ice":[0]},"values":{"DO":[null,7.4,7.1]},"below_dl":{"DO":[1]}}`)
	f.Add(`{"at":[],"values":{}}`)
	f.Fuzz(func(t *testing.T, in string) {
		var s Samples
		if s.UnmarshalJSON([]byte(in)) != nil {
			return
		}
		out, err := json.Marshal(s)
		require.NoError(t, err)
		var back Samples
		require.NoError(t, back.UnmarshalJSON(out), "%s", out)
		require.Equal(t, s.Rows(), back.Rows())
	})
}

func TestUpcastSamplesRecordedV1(t *testing.T) {
	rows := mixedRows()
	v1, err := json.Marshal(struct {
		Samples []Sample   `json:"samples"`
		Import  *ImportRef `json:"import"`
	}{rows, &ImportRef{File: "q1.csv", SHA256: "ab", Lines: []int{2, 3, 4, 5, 6, 7, 8}}})
	require.NoError(t, err)
	v2, err := UpcastSamplesRecordedV1(v1)
	require.NoError(t, err)
	var got SamplesRecorded
	require.NoError(t, fastjson.Unmarshal(v2, &got))
	want := make([]Sample, len(rows))
	for i, r := range rows {
		want[i] = normal(r)
	}
	require.Equal(t, want, got.Samples.Rows())
	require.Equal(t, []int{2, 3, 4, 5, 6, 7, 8}, got.Import.Lines)
	require.Less(t, len(v2), len(v1))

	_, err = UpcastSamplesRecordedV1([]byte(`{"samples":[{"at":"2019-03-01T00:00:00Z","source":"robot"}]}`))
	require.ErrorContains(t, err, "samples[0].source")
}

// TestRunFits checks runFits against stepping through the run, on runs
// near both ends of int64.
func TestRunFits(t *testing.T) {
	stepped := func(first, step, count int64) bool {
		v := first
		for range count - 1 {
			next := v + step
			if (step > 0 && next < v) || (step < 0 && next > v) {
				return false
			}
			v = next
		}
		return true
	}
	edges := []int64{math.MinInt64, math.MinInt64 + 1, math.MinInt64 + 5, -1 << 40, -7, -1, 0, 1, 7, 1 << 40, math.MaxInt64 - 5, math.MaxInt64 - 1, math.MaxInt64}
	steps := []int64{math.MinInt64, -1 << 62, -3, -1, 0, 1, 3, 1 << 62, math.MaxInt64}
	for _, first := range edges {
		for _, step := range steps {
			for _, count := range []int64{1, 2, 3, 4, 7} {
				require.Equal(t, stepped(first, step, count), runFits(first, step, count), "first %d step %d count %d", first, step, count)
			}
		}
	}
}

// TestCursorText checks that a string read as it is reads as encoding/json
// reads it, and that any other is left to encoding/json.
func TestCursorText(t *testing.T) {
	for _, in := range []string{
		`""`, `"q1.csv"`, `"一季度 监测.csv"`, `"a\"b"`, `"a\\b"`, `"\u4e00"`, `"tab\there"`,
		"\"raw\ttab\"", "\"bad \xff utf8\"", "\"cut \xe4\xb8\"", `"unterminated`, `x`,
	} {
		var want string
		wantErr := json.Unmarshal([]byte(in), &want)
		c := cursor{b: []byte(in)}
		var got string
		err := c.text(&got)
		if wantErr != nil {
			require.Error(t, err, "%q", in)
			continue
		}
		require.NoError(t, err, "%q", in)
		require.Equal(t, want, got, "%q", in)
	}
}

// A clerk's correction changes what it gives and keeps the rest.
func TestSampleAmend(t *testing.T) {
	at := cst(2021, 2, 2, 12, 0)
	stored := Sample{At: at, Source: Auto, Values: water.Values{water.PH: 7.6, water.DO: 6.1, water.NH3N: 0.5, water.TP: 0.12}, BelowDL: []water.Item{water.NH3N}}
	for _, tc := range []struct {
		name   string
		with   Sample
		remove []water.Item
		want   Sample
		field  string
	}{
		{"one value", Sample{Values: water.Values{water.TP: 0.3}}, nil,
			Sample{At: at, Source: Auto, Values: water.Values{water.PH: 7.6, water.DO: 6.1, water.NH3N: 0.5, water.TP: 0.3}, BelowDL: []water.Item{water.NH3N}}, ""},
		{"a value below the limit given again as measured", Sample{Values: water.Values{water.NH3N: 0.8}}, nil,
			Sample{At: at, Source: Auto, Values: water.Values{water.PH: 7.6, water.DO: 6.1, water.NH3N: 0.8, water.TP: 0.12}}, ""},
		{"a new value below the limit", Sample{Values: water.Values{water.TP: 0.01}, BelowDL: []water.Item{water.TP}}, nil,
			Sample{At: at, Source: Auto, Values: water.Values{water.PH: 7.6, water.DO: 6.1, water.NH3N: 0.5, water.TP: 0.01}, BelowDL: []water.Item{water.NH3N, water.TP}}, ""},
		{"removed", Sample{}, []water.Item{water.NH3N, water.PH},
			Sample{At: at, Source: Auto, Values: water.Values{water.DO: 6.1, water.TP: 0.12}}, ""},
		{"not monitored", Sample{Status: Fault}, nil, Sample{At: at, Source: Auto, Status: Fault}, ""},
		{"not monitored, with values", Sample{Status: Fault, Values: water.Values{water.TP: 0.3}}, nil, Sample{}, "sample.values"},
		{"given and removed", Sample{Values: water.Values{water.TP: 0.3}}, []water.Item{water.TP}, Sample{}, "remove[0]"},
		{"removing what is not there", Sample{}, []water.Item{water.DO, water.CODMn}, Sample{}, "remove[1]"},
		{"a flag without its value", Sample{BelowDL: []water.Item{water.TP}}, nil, Sample{}, "sample.below_dl[0]"},
	} {
		got, err := stored.Amend(tc.with, tc.remove)
		if tc.field != "" {
			require.Equal(t, tc.field, domain.FieldOf(err), "%s: %v", tc.name, err)
			continue
		}
		require.NoError(t, err, tc.name)
		require.Equal(t, tc.want, got, tc.name)
	}
	// A sample not monitored, given values, is measured with those alone.
	fault := Sample{At: at, Source: Auto, Status: Fault}
	got, err := fault.Amend(Sample{Values: water.Values{water.DO: 5}}, nil)
	require.NoError(t, err)
	require.Equal(t, Sample{At: at, Source: Auto, Values: water.Values{water.DO: 5}}, got)
}

// A stored sample, row or column, may not flag pH or DO below a detection
// limit: the flag halves the value in assessment.
func TestBelowLimitOnlyForDetectableItems(t *testing.T) {
	s := Sample{At: cst(2019, 3, 1, 8, 0), Source: Manual, Values: water.Values{water.PH: 7.5, water.NH3N: 0.05}, BelowDL: []water.Item{water.PH}}
	require.Equal(t, "s.below_dl[0]", domain.FieldOf(s.Validate("test", "s")))
	s.BelowDL = []water.Item{water.NH3N}
	require.NoError(t, s.Validate("test", "s"))
	cols, err := NewSamples([]Sample{{At: cst(2019, 3, 1, 8, 0), Source: Manual, Values: water.Values{water.DO: 2}, BelowDL: []water.Item{water.DO}}})
	require.NoError(t, err)
	require.Equal(t, "samples[0].below_dl", domain.FieldOf(cols.Validate("test")))
}

// A stored sample names its items by code: read models and snapshots key
// them so.
func TestStoredItemsAreCodes(t *testing.T) {
	s := Sample{At: cst(2019, 3, 1, 8, 0), Source: Manual, Values: water.Values{"氨氮": 0.5}}
	err := s.Validate("test", "s")
	require.Equal(t, "s.values.氨氮", domain.FieldOf(err))
	require.ErrorContains(t, err, "write the item's code, NH3N")
	v, err := CanonicalValues(water.Values{"氨氮": 0.5, "tp": 0.1}, "values")
	require.NoError(t, err)
	require.Equal(t, water.Values{water.NH3N: 0.5, water.TP: 0.1}, v)
	_, err = CanonicalItems([]water.Item{"NH3N", "铁"}, "remove")
	require.Equal(t, "remove[1]", domain.FieldOf(err))
}

// Measured is Status(i) == Measured, for every sample of a mixed batch
// (some not monitored) and of one with no statuses at all.
func TestSamplesMeasured(t *testing.T) {
	for k, s := range []Samples{MustSamples(mixedRows()...), MustSamples(mixedRows()[:1]...)} {
		seen := map[bool]bool{}
		for i := range s.Len() {
			require.Equal(t, s.Status(i) == Measured, s.Measured(i), "sample %d: %s", i, s.Status(i))
			seen[s.Measured(i)] = true
		}
		require.Equal(t, map[bool]bool{true: true, false: k == 0}, map[bool]bool{true: seen[true], false: seen[false]})
	}
}

// The decoder reads the column form however it is laid out (indented, as
// a JSON tool prints it), not only as MarshalJSON writes it.
func TestSamplesJSONIndented(t *testing.T) {
	s := MustSamples(mixedRows()...)
	raw, err := json.Marshal(s)
	require.NoError(t, err)
	var indented bytes.Buffer
	require.NoError(t, json.Indent(&indented, raw, "", "  "))
	var back Samples
	require.NoError(t, back.UnmarshalJSON(indented.Bytes()), "%s", indented.String())
	require.Equal(t, s.Rows(), back.Rows())
	c := cursor{b: []byte("[1, 2 ,\n3\t,null , 4.5 ]")}
	got, err := c.floats(nil)
	require.NoError(t, err)
	require.Equal(t, "[1 2 3 NaN 4.5]", fmt.Sprint(got))
}
