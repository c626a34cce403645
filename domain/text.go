package domain

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CheckText checks an optional free-text field (a name, a document number,
// a reason): valid UTF-8, no surrounding space, no control characters, at
// most max bytes. The empty string passes; say "missing" where it must not.
func CheckText(s string, max int) error {
	switch {
	case s == "":
		return nil
	case !utf8.ValidString(s):
		return fmt.Errorf("not valid UTF-8")
	case strings.TrimSpace(s) != s:
		return fmt.Errorf("has surrounding whitespace")
	case len(s) > max:
		return fmt.Errorf("longer than %d bytes", max)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return fmt.Errorf("contains a control character")
		}
	}
	return nil
}
