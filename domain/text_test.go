package domain

import "testing"

func TestCheckText(t *testing.T) {
	for _, tc := range []struct {
		s   string
		max int
		ok  bool
	}{
		{"", 10, true}, {"晋环函〔2019〕30号", 64, true}, {" x", 10, false}, {"x\n", 10, false}, {"a\tb", 10, false},
		{"\xff", 10, false}, {"0123456789", 10, true}, {"01234567890", 10, false},
	} {
		if err := CheckText(tc.s, tc.max); (err == nil) != tc.ok {
			t.Errorf("CheckText(%q, %d) = %v, want ok %v", tc.s, tc.max, err, tc.ok)
		}
	}
}
