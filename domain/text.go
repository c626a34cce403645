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

// TextFaults matches why CheckText refuses a text, for the tables that say
// reasons in Chinese (its one group is the reason).
const TextFaults = `(not valid UTF-8|has surrounding whitespace|longer than \d+ bytes|contains a control character)`

// TextZh says in Chinese why CheckText refuses a text, or that a required
// one is "missing"; "" for any other reason.
func TextZh(reason string) string {
	switch reason {
	case "missing":
		return "缺失"
	case "not valid UTF-8":
		return "不是有效的 UTF-8 文本"
	case "has surrounding whitespace":
		return "首尾有空白"
	case "contains a control character":
		return "含有控制字符"
	}
	var n int
	if _, err := fmt.Sscanf(reason, "longer than %d bytes", &n); err == nil && reason == fmt.Sprintf("longer than %d bytes", n) {
		return fmt.Sprintf("超过 %d 字节", n)
	}
	return ""
}
