package monitoring

import (
	"bytes"
	"errors"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/domain"
)

// FuzzParseCSV feeds arbitrary bytes to the upload parser. It never panics;
// a file it cannot read at all is a domain error of kind invalid; otherwise
// every row it returns is a valid sample of a known section, not in the
// future, at most once per section, time and source, and every error names
// a line (1 is the header), in order.
//
// Seeds: testdata/fuzz/FuzzParseCSV, and the documented example.
func FuzzParseCSV(f *testing.F) {
	example, err := os.ReadFile("testdata/upload-example.csv")
	require.NoError(f, err)
	f.Add(example)
	now := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	known := testSections
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseCSV(bytes.NewReader(data), known, now)
		if err != nil {
			var de *domain.Error
			require.True(t, errors.As(err, &de), "%T: %v", err, err)
			require.Equal(t, domain.Invalid, de.Kind, "%v", err)
			require.Nil(t, p)
			return
		}
		require.NotNil(t, p)
		for _, e := range p.Errors {
			require.GreaterOrEqual(t, e.Line, 1, "error without a line: %v", e)
			require.NotEmpty(t, e.Reason, "%v", e)
		}
		require.True(t, sort.SliceIsSorted(p.Errors, func(i, j int) bool { return p.Errors[i].Line < p.Errors[j].Line }), "errors in line order")
		seen := map[SectionID]map[Key]bool{}
		for _, r := range p.Rows {
			require.NoError(t, r.Full().Validate("fuzz", "row"), "line %d", r.Line)
			require.GreaterOrEqual(t, r.Line, 2, "a row below the header")
			require.Len(t, p.Cells(r.Line), len(p.Header), "line %d: its cells, read again for a reject file", r.Line)
			ids := known(string(r.Section), false)
			require.True(t, len(ids) == 1 && ids[0] == r.Section, "line %d: section %q, a registered code", r.Line, r.Section)
			require.False(t, r.Full().At.After(now), "line %d: in the future", r.Line)
			if seen[r.Section] == nil {
				seen[r.Section] = map[Key]bool{}
			}
			require.False(t, seen[r.Section][r.Sample.Key()], "line %d repeats a row", r.Line)
			seen[r.Section][r.Sample.Key()] = true
		}
		if p.OK() {
			require.Len(t, p.Rows, p.LineCount(), "without errors, every line is a row")
		}
	})
}
