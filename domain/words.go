package domain

import (
	"fmt"
	"strings"
)

// Count is n with an English noun, singular for one: "1 event", "2 events",
// "2 bodies" (a consonant and y make ies). Reports and messages say counts
// with it.
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if stem, ok := strings.CutSuffix(noun, "y"); ok && stem != "" && !strings.ContainsAny(stem[len(stem)-1:], "aeiou") {
		return fmt.Sprintf("%d %sies", n, stem)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
