package domain

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// A city in a JSON body may be named as in a query: code, Chinese or
// English name; anything else is kept for Validate to refuse.
func TestCityIDUnmarshalJSON(t *testing.T) {
	for in, want := range map[string]CityID{`"140800"`: "140800", `"运城"`: "140800", `"yuncheng"`: "140800", `"Beijing"`: "Beijing", `""`: "", `null`: ""} {
		var c CityID
		require.NoError(t, json.Unmarshal([]byte(in), &c), in)
		require.Equal(t, want, c, in)
	}
	var c CityID
	require.Error(t, json.Unmarshal([]byte(`140800`), &c), "a number is not a city")
}
