package api_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/domain"
)

// The token request lists the roles a token may have, each of which the
// server grants, and not system, which it refuses; an event's actor may
// still be system.
func TestOpenAPITokenRoles(t *testing.T) {
	f := setup(t)
	code, b := f.do("GET", "/api/openapi.json", "", "", "")
	require.Equal(t, 200, code)
	var doc struct {
		Comps struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					Enum       []string `json:"enum"`
					Properties map[string]struct {
						Enum []string `json:"enum"`
					} `json:"properties"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	require.NoError(t, json.Unmarshal(b, &doc))
	roles := doc.Comps.Schemas["TokenRequest"].Properties["role"].Enum
	require.Equal(t, []string{"auditor", "assessment", "enforcement", "station", "admin"}, roles)
	require.Equal(t, roles, doc.Comps.Schemas["TokenCreated"].Properties["role"].Enum)
	for _, r := range roles {
		body := `{"person":"someone","role":"` + r + `"}`
		if r == string(domain.Station) {
			body = `{"person":"someone","role":"station","sections":["FH-HJDQ"]}`
		}
		code, b := f.do("POST", "/api/tokens", domain.Admin, body, "application/json")
		require.Equal(t, 201, code, "%s: %s", r, b)
	}
	code, b = f.do("POST", "/api/tokens", domain.Admin, `{"person":"someone","role":"system"}`, "application/json")
	require.Equal(t, 400, code, "system is refused: %s", b)
	require.Contains(t, doc.Comps.Schemas["Event"].Properties["actor"].Properties["role"].Enum, "system", "the ledger's own events")
}

// A card's and a re-inspection's fields say they take the document number
// of the card or inspection they name, as the error for one not found does.
func TestOpenAPIFieldsNamingByDocumentNumber(t *testing.T) {
	f := setup(t)
	code, b := f.do("GET", "/api/openapi.json", "", "", "")
	require.Equal(t, 200, code)
	var doc struct {
		Comps struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					Description string `json:"description"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	require.NoError(t, json.Unmarshal(b, &doc))
	for schema, fields := range map[string][]string{
		"YellowCardIssued": {"inspection", "document_no"},
		"RedCardIssued":    {"yellow_card", "reinspection", "document_no"},
		"CardLifted":       {"card", "reinspection"},
		"CardRevoked":      {"card"},
		"Inspected":        {"card", "document_no"},
	} {
		for _, field := range fields {
			d := doc.Comps.Schemas[schema].Properties[field].Description
			require.Contains(t, d, "document number", "%s.%s", schema, field)
			require.Contains(t, d, "文号", "%s.%s", schema, field)
		}
	}
}
