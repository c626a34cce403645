package domain

import "fmt"

// Count is n with an English noun, singular for one: "1 event", "2 events".
// Reports and messages say counts with it.
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
