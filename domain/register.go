package domain

// CityRegistered enters a prefecture-level city in the ledger's register.
// Event name: city.registered.
type CityRegistered struct {
	Code   CityID `json:"code"`
	Name   string `json:"name"`
	NameEn string `json:"name_en"`
}

// Validate checks that the city is one of Shanxi's 11 and named as the
// standard names it.
func (c CityRegistered) Validate() error {
	city, ok := LookupCity(c.Code)
	if !ok {
		return Errorf("", Invalid, "code", "%q is not one of Shanxi's 11 city codes", string(c.Code))
	}
	if c.Name != city.Name {
		return Errorf("", Invalid, "name", "%q is not the name of %s (%s)", c.Name, c.Code, city.Name)
	}
	return nil
}
