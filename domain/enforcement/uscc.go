package enforcement

import (
	"fmt"
	"strings"
)

// USCC is a unified social credit code (统一社会信用代码, GB 32100-2015):
// 18 characters from 0–9 and the capital letters but I, O, S, V and Z —
// registration authority (1), organisation category (1), administrative
// division (6), organisation code (9) and a check character.
type USCC string

// usccChars are the code's characters in the order of their values 0–30.
const usccChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// usccWeights are 3^(i) mod 31 for positions 1–17.
var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// USCCCheck returns the check character of the first 17 characters of a
// code: C18 = 31 − (Σ value(Ci)·Wi mod 31), 31 giving 0.
func USCCCheck(first17 string) (byte, error) {
	if len(first17) != 17 {
		return 0, fmt.Errorf("want 17 characters before the check character, got %d bytes", len(first17))
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(usccChars, first17[i])
		if v < 0 {
			return 0, fmt.Errorf("character %d %q is not one of 0–9, A–Z without I, O, S, V, Z", i+1, first17[i])
		}
		sum += v * usccWeights[i]
	}
	return usccChars[(31-sum%31)%31], nil
}

// Validate checks the length, the characters, the division code's digits
// and the check character.
func (c USCC) Validate() error {
	s := string(c)
	if s == "" {
		return fmt.Errorf("missing")
	}
	if len(s) != 18 {
		return fmt.Errorf("%q: a unified social credit code has 18 characters, not %d", s, len([]rune(s)))
	}
	if strings.ToUpper(s) != s {
		return fmt.Errorf("%q: write the code in capitals", s)
	}
	want, err := USCCCheck(s[:17])
	if err != nil {
		return fmt.Errorf("%q: %v", s, err)
	}
	for i := 2; i < 8; i++ {
		if s[i] < '0' || s[i] > '9' {
			return fmt.Errorf("%q: characters 3–8 are the administrative division code, all digits", s)
		}
	}
	if s[17] != want {
		if strings.IndexByte(usccChars, s[17]) < 0 {
			return fmt.Errorf("%q: the check character %q is not one of 0–9, A–Z without I, O, S, V, Z", s, s[17])
		}
		return fmt.Errorf("%q: check character is %c, but the first 17 characters give %c (GB 32100-2015): a typing error?", s, s[17], want)
	}
	return nil
}
