package api_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/domain"
)

// A request's error names the request's own fields, in its field and in
// its message: not the log's place for them (changes[0].events[0].data.…).
func TestErrorsNameTheRequestsFields(t *testing.T) {
	f := setup(t)
	code, b := f.do("POST", "/api/registers/groundwater_point?date=2099-01-01", domain.Admin, `{"id":"GW-F","name":"未来","city":"140800"}`, "application/json")
	require.Equal(t, 400, code, string(b))
	require.Contains(t, string(b), `"field":"date"`, "a date the query gave is named as the query named it")
	require.Contains(t, string(b), `"message":"date: `, "in the message too: %s", b)
	require.NotContains(t, string(b), "changes[0]")

	code, b = f.do("POST", "/api/registers/groundwater_point?date=2016-01-01", domain.Admin, `{"id":"GW-G","name":"晋祠","city":"140800"}`, "application/json")
	require.Equal(t, 201, code, string(b))
	code, b = f.do("POST", "/api/groundwater/140800/GW-G/grades", domain.Admin, `{"year":2019,"grade":6}`, "application/json")
	require.Equal(t, 400, code, string(b))
	require.Contains(t, string(b), `"field":"grade"`)
	require.Contains(t, string(b), `"message":"grade: `, "%s", b)
}
