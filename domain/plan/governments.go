package plan

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/shanxi-water/ledger/domain"
)

// Reach says which governments answer for a task.
type Reach string

// The reaches. In JSON, Province and AllCities are written as strings and
// NamedCities as the list of city codes itself.
const (
	// Province: the task is the province's own act (a provincial department's
	// plan, regulation, platform or network); no city answers for it.
	Province Reach = "province"
	// AllCities: every prefecture-level city answers for the task in its own
	// area (各市, 各级人民政府). The plan says this of every task after its
	// first: 以下均需各级人民政府落实.
	AllCities Reach = "all_cities"
	// NamedCities: the plan names the cities (太原市…, or "the others").
	NamedCities Reach = "cities"
)

// Governments are the governments responsible for a task, besides its lead
// and participating provincial departments.
type Governments struct {
	Reach  Reach
	Cities []domain.CityID // the named cities, in code order; only when Reach is NamedCities
}

// Includes reports whether city c's government answers for the task.
func (g Governments) Includes(c domain.CityID) bool {
	switch g.Reach {
	case AllCities:
		_, ok := domain.LookupCity(c)
		return ok
	case NamedCities:
		return slices.Contains(g.Cities, c)
	}
	return false
}

// Responsible lists the cities whose governments answer for the task, in code
// order: all 11, the named ones, or none for a provincial task.
func (g Governments) Responsible() []domain.CityID {
	switch g.Reach {
	case AllCities:
		out := make([]domain.CityID, len(domain.Cities))
		for i, c := range domain.Cities {
			out[i] = c.ID
		}
		return out
	case NamedCities:
		return slices.Clone(g.Cities)
	}
	return nil
}

// Validate checks the reach and the city codes: known, without duplicates, in
// code order, and present exactly when the reach is NamedCities. The error's
// Field is relative, e.g. "cities[2]".
func (g Governments) Validate() error {
	switch g.Reach {
	case Province, AllCities:
		if len(g.Cities) > 0 {
			return domain.Errorf(validateOp, domain.Invalid, "cities", "listed although the reach is %q", g.Reach)
		}
		return nil
	case NamedCities:
		if len(g.Cities) == 0 {
			return domain.Errorf(validateOp, domain.Invalid, "cities", "missing: name at least one city, or use %q", AllCities)
		}
		if len(g.Cities) == len(domain.Cities) {
			return domain.Errorf(validateOp, domain.Invalid, "cities", "names all 11 cities: use %q", AllCities)
		}
		for i, c := range g.Cities {
			field := fmt.Sprintf("cities[%d]", i)
			if _, ok := domain.LookupCity(c); !ok {
				return domain.Errorf(validateOp, domain.Invalid, field, "%q is not one of Shanxi's 11 city codes", string(c))
			}
			if i > 0 && g.Cities[i-1] >= c {
				return domain.Errorf(validateOp, domain.Invalid, field, "%s after %s: list each city once, in code order", c, g.Cities[i-1])
			}
		}
		return nil
	case "":
		return domain.Errorf(validateOp, domain.Invalid, "", "missing: want %q, %q or a list of city codes", Province, AllCities)
	}
	return domain.Errorf(validateOp, domain.Invalid, "", "unknown reach %q: want %q, %q or a list of city codes", string(g.Reach), Province, AllCities)
}

// MarshalJSON writes "province", "all_cities" or the list of city codes.
func (g Governments) MarshalJSON() ([]byte, error) {
	if g.Reach == NamedCities {
		return json.Marshal(g.Cities)
	}
	return json.Marshal(string(g.Reach))
}

// UnmarshalJSON reads "province", "all_cities" or a list of city codes. It
// does not validate: Validate does.
func (g *Governments) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		if Reach(s) == NamedCities {
			return fmt.Errorf("governments: write the named cities as a list of codes, not %q", s)
		}
		*g = Governments{Reach: Reach(s)}
		return nil
	}
	var cities []domain.CityID
	if err := json.Unmarshal(b, &cities); err != nil {
		return fmt.Errorf("governments: want %q, %q or a list of city codes", Province, AllCities)
	}
	*g = Governments{Reach: NamedCities, Cities: cities}
	return nil
}
