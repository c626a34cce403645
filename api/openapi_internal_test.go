package api

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Every field a description is written for is a property of its schema: a
// field renamed in its Go type does not leave its description unseen.
func TestDescriptionsNameProperties(t *testing.T) {
	comps := OpenAPI()["components"].(map[string]any)["schemas"].(map[string]any)
	for name, fields := range descriptions {
		s, ok := comps[name].(map[string]any)
		require.True(t, ok, "no schema %s", name)
		for field, d := range fields {
			prop, ok := s["properties"].(map[string]any)[field].(map[string]any)
			require.True(t, ok, "%s has no property %s", name, field)
			require.Equal(t, d, prop["description"], "%s.%s", name, field)
		}
	}
}
