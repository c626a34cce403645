package api

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/enforcement"
	"github.com/shanxi-water/ledger/projections/cards"
)

// An action's ?date=: a time as given, today as now, another day as its end.
func TestTimeParam(t *testing.T) {
	now := time.Date(2026, 11, 29, 9, 30, 0, 0, domain.CST)
	s := &Server{now: func() time.Time { return now }}
	for _, tc := range []struct {
		q    string
		want time.Time
	}{
		{"", now},
		{"?date=2026-11-29", now},
		{"?date=2026-11-28", time.Date(2026, 11, 28, 23, 59, 59, 0, domain.CST)},
		{"?date=2019-05-01T14:30:00%2B08:00", time.Date(2019, 5, 1, 14, 30, 0, 0, domain.CST)},
	} {
		got, err := s.timeParam(httptest.NewRequest("POST", "/api/enterprises"+tc.q, nil))
		require.NoError(t, err, tc.q)
		require.True(t, tc.want.Equal(got), "%s: %v, want %v", tc.q, got, tc.want)
	}
	for _, q := range []string{"2019-13-01", "2019/6/1", "20190601", "2019-6-1"} { // one way of writing a date
		_, err := s.timeParam(httptest.NewRequest("POST", "/api/enterprises?date="+q, nil))
		require.Equal(t, "date", domain.FieldOf(err), q)
	}
}

// A request body's errors name their field.
func TestDecodeJSONNamesTheField(t *testing.T) {
	type body struct {
		Sample struct {
			At     time.Time `json:"at"`
			Values []float64 `json:"values"`
		} `json:"sample"`
		From []time.Time `json:"from"`
		Key  bool        `json:"key_discharger"`
	}
	for _, tc := range []struct{ in, field, reason string }{
		{`{"sample":{"at":"2021-03-01 08:00"}}`, "sample.at", "not an RFC 3339 time"},
		{`{"from":["2021-03-01T08:00:00Z","2021-05-01"]}`, "from[1]", "not an RFC 3339 time"},
		{`{"sample":{"values":[1,"x"]}}`, "sample.values", "a JSON string where a number is expected"},
		{`{"key_discharger":"yes"}`, "key_discharger", "where true or false is expected"},
		{`{"zz":1}`, "zz", "unknown field"},
		{`{"key_discharger":true} {"a":1}`, "body", "more than one JSON value"},
		{`{"key_discharger":tru`, "body", "not valid JSON"},
	} {
		var v body
		err := decodeJSON(httptest.NewRequest("POST", "/api/x", strings.NewReader(tc.in)), &v)
		require.Equal(t, tc.field, domain.FieldOf(err), "%s: %v", tc.in, err)
		require.Contains(t, err.Error(), tc.reason, tc.in)
	}
	var v body
	require.NoError(t, decodeJSON(httptest.NewRequest("POST", "/api/x", strings.NewReader(`{"key_discharger":true}`+"\n")), &v))
}

// Every event name the product registers has a label in both languages:
// the audit page lists events by them.
func TestEveryEventNameHasALabel(t *testing.T) {
	for _, n := range app.Registry().Names() {
		l, ok := codes[string(n)]
		require.True(t, ok, "%s has no label", n)
		require.NotEmpty(t, l[0], n)
		require.NotEmpty(t, l[1], n)
	}
}

// The card register lists red cards first, then yellow ones past their
// rectification deadline, then by city.
func TestRegisterOrder(t *testing.T) {
	es := []cards.Entry{
		{City: "140100", Color: enforcement.Yellow},
		{City: "140800", Color: enforcement.Red},
		{City: "140200", Color: enforcement.Yellow, DeadlinePassed: true},
		{City: "140300", Color: enforcement.Red},
	}
	slices.SortStableFunc(es, registerOrder)
	var got []string
	for _, e := range es {
		got = append(got, string(e.Color)+" "+string(e.City))
	}
	require.Equal(t, []string{"red 140300", "red 140800", "yellow 140200", "yellow 140100"}, got)
}

// An action entered by its date shows as the date; other times to the
// minute, in Shanxi time.
func TestCSTText(t *testing.T) {
	require.Equal(t, "2020-06-10", cstText(time.Date(2020, 6, 10, 23, 59, 59, 0, domain.CST)))
	require.Equal(t, "2020-06-10", cstText(time.Date(2020, 6, 10, 15, 59, 59, 0, time.UTC)), "the same instant in UTC")
	require.Equal(t, "2020-06-10 14:30", cstText(time.Date(2020, 6, 10, 14, 30, 0, 0, domain.CST)))
}

// A text cell a spreadsheet would run as a formula is written as text in
// CSV exports; number columns are left as they are.
func TestCSVCellsAreNotFormulas(t *testing.T) {
	tb := table{numeric: map[int]bool{1: true}}
	in := []string{`=HYPERLINK("http://evil.example/","点击")`, "-3.50", "+SUM(A1:A2)", "@x", "运城市某厂", "-x", "\tx", ""}
	require.Equal(t, []string{`'=HYPERLINK("http://evil.example/","点击")`, "-3.50", "'+SUM(A1:A2)", "'@x", "运城市某厂", "'-x", "'\tx", ""}, tb.csvCells(in))
	require.Equal(t, `=HYPERLINK("http://evil.example/","点击")`, in[0], "the row itself is left as it was")
}

// After signing in, only a path of this server is followed.
func TestLocalPath(t *testing.T) {
	for next, want := range map[string]string{
		"/audit/140800?at=2019-03-20": "/audit/140800?at=2019-03-20",
		"/\\evil.example/":            "/", "/\t/evil.example/": "/", "//evil.example/": "/",
		"http://evil.example/": "/", "evil.example": "/", "": "/",
	} {
		require.Equal(t, want, localPath(next), "%q", next)
	}
}

// A read the store was too slow to answer is unavailable for now (503, to
// be tried again), not a fault; a write whose outcome is unknown stays one.
func TestSlowStoreIsUnavailable(t *testing.T) {
	status, d := errorDetail(fmt.Errorf("reading position 1: %w", context.DeadlineExceeded))
	require.Equal(t, http.StatusServiceUnavailable, status)
	require.Equal(t, "unavailable", d.Kind)
	status, _ = errorDetail(domain.E("events.Append", domain.Internal, "", fmt.Errorf("outcome unknown: %w", context.DeadlineExceeded)))
	require.Equal(t, http.StatusInternalServerError, status)
	rec := httptest.NewRecorder()
	writeError(rec, fmt.Errorf("x: %w", context.DeadlineExceeded))
	require.Equal(t, "5", rec.Header().Get("Retry-After"))
}

// Two ledger processes sharing a token file: each adds to the file as it
// stands, and finds the tokens the other added (a token added by one was
// refused by the other, and lost from the file when the other added one).
func TestTokenFileShared(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tokens.json")
	a, admin, err := OpenTokens(path)
	require.NoError(t, err)
	require.NotEmpty(t, admin)
	b, again, err := OpenTokens(path)
	require.NoError(t, err)
	require.Empty(t, again, "the file exists: no second administrator")

	x, err := a.Add(Token{Person: "auditor-x", Role: domain.Auditor})
	require.NoError(t, err)
	y, err := b.Add(Token{Person: "auditor-y", Role: domain.Auditor})
	require.NoError(t, err)
	for _, tok := range []string{admin, x, y} {
		_, ok := a.Lookup(tok)
		require.True(t, ok)
		_, ok = b.Lookup(tok)
		require.True(t, ok)
	}
	c, _, err := OpenTokens(path) // as after a restart
	require.NoError(t, err)
	for _, tok := range []string{admin, x, y} {
		_, ok := c.Lookup(tok)
		require.True(t, ok, "kept in the file")
	}
	_, ok := c.Lookup("lgr_nothing")
	require.False(t, ok)
}

// A person's tokens are revoked in the file: the process sharing it stops
// taking them too (within a second); the last administrator's stay.
func TestTokenRevoked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tokens.json")
	a, admin, err := OpenTokens(path)
	require.NoError(t, err)
	b, _, err := OpenTokens(path)
	require.NoError(t, err)
	x, err := a.Add(Token{Person: "auditor-x", Role: domain.Auditor})
	require.NoError(t, err)
	_, ok := b.Lookup(x)
	require.True(t, ok)

	n, err := a.Revoke("auditor-x")
	require.NoError(t, err)
	require.Equal(t, 1, n)
	_, ok = a.Lookup(x)
	require.False(t, ok)
	require.Eventually(t, func() bool { _, ok := b.Lookup(x); return !ok }, 5*time.Second, 100*time.Millisecond, "the other process stops taking it")

	_, err = b.Revoke("admin")
	require.Equal(t, domain.Conflict, domain.KindOf(err), "%v", err)
	_, ok = a.Lookup(admin)
	require.True(t, ok)
	_, err = a.Revoke("nobody")
	require.Equal(t, domain.NotFound, domain.KindOf(err))
}
