package water

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/shanxi-water/ledger/domain"
)

// Class is a surface-water quality class of GB 3838-2002. The zero value
// means not classified (no data, or too few samples); it is never a guess.
type Class int

// The classes, best to worst.
const (
	ClassI     Class = 1 // Ⅰ类
	ClassII    Class = 2 // Ⅱ类
	ClassIII   Class = 3 // Ⅲ类
	ClassIV    Class = 4 // Ⅳ类
	ClassV     Class = 5 // Ⅴ类
	WorseThanV Class = 6 // 劣Ⅴ类: beyond the class-V limit, or pH outside 6–9
)

var classNames = [...]string{"", "I", "II", "III", "IV", "V", "劣V"}

// String returns "I" … "V" or "劣V", and "" for the zero Class.
func (c Class) String() string {
	if c < 0 || int(c) >= len(classNames) {
		return "Class(" + strconv.Itoa(int(c)) + ")"
	}
	return classNames[c]
}

// English is the class's name in English text: "I" … "V", and "worse
// than V" for 劣V (String's "劣V" is the name files and uploads use).
func (c Class) English() string {
	if c == WorseThanV {
		return "worse than V"
	}
	return c.String()
}

// Phrase is the class as an English sentence says a water's class:
// "class III", and "worse than V" (not "class 劣V").
func (c Class) Phrase() string {
	if c == WorseThanV {
		return c.English()
	}
	return "class " + c.English()
}

// Valid reports whether c is one of ClassI … WorseThanV (not the zero Class).
func (c Class) Valid() bool { return c >= ClassI && c <= WorseThanV }

// Label returns the official description of the class in Chinese and English:
// I–II 优 excellent, III 良好 good, IV 轻度污染 lightly polluted,
// V 中度污染 moderately polluted, 劣V 重度污染 heavily polluted.
// The zero Class has empty labels.
func (c Class) Label() (zh, en string) {
	switch c {
	case ClassI, ClassII:
		return "优", "excellent"
	case ClassIII:
		return "良好", "good"
	case ClassIV:
		return "轻度污染", "lightly polluted"
	case ClassV:
		return "中度污染", "moderately polluted"
	case WorseThanV:
		return "重度污染", "heavily polluted"
	}
	return "", ""
}

// Meets reports whether c is classified and at target or better, e.g.
// c.Meets(ClassIII) for the plan's "class III or better" share.
func (c Class) Meets(target Class) bool { return c.Valid() && c <= target }

// ParseClass reads a class as written in reports and files: "I" … "V",
// "劣V", "worse-than-V" (also "worse than V"), or the Arabic numbers "1" … "6"
// (6 = 劣V). Case, surrounding space, a trailing "类" and the Unicode Roman
// numerals (Ⅰ … Ⅴ, as in "劣Ⅴ类") are accepted. The empty string is an error:
// "not classified" is the zero Class, not a parse result.
func ParseClass(s string) (Class, error) {
	const op = "water.ParseClass"
	t := strings.TrimSpace(s)
	t = strings.TrimSuffix(t, "类")
	t = strings.TrimSpace(t)
	t = romanNumerals.Replace(t)
	t = strings.ToUpper(t)
	switch t {
	case "I", "1":
		return ClassI, nil
	case "II", "2":
		return ClassII, nil
	case "III", "3":
		return ClassIII, nil
	case "IV", "4":
		return ClassIV, nil
	case "V", "5":
		return ClassV, nil
	case "劣V", "WORSE-THAN-V", "WORSE THAN V", "WORSETHANV", "6":
		return WorseThanV, nil
	case "":
		return 0, domain.Errorf(op, domain.Invalid, "", "missing class")
	}
	return 0, domain.Errorf(op, domain.Invalid, "", "unknown class %q: want I, II, III, IV, V, 劣V (or 1–6)", s)
}

var romanNumerals = strings.NewReplacer("Ⅰ", "I", "Ⅱ", "II", "Ⅲ", "III", "Ⅳ", "IV", "Ⅴ", "V")

// BodyKind is the kind of water body a section is on. It matters for total
// phosphorus (stricter limits in lakes) and total nitrogen (counted only in
// lakes and reservoirs).
type BodyKind string

// The kinds of water body.
const (
	River BodyKind = "river"
	Lake  BodyKind = "lake" // a lake or a reservoir (湖、库)
)

// Validate reports whether k is a known kind of water body.
func (k BodyKind) Validate() error {
	switch k {
	case River, Lake:
		return nil
	case "":
		return fmt.Errorf("missing: want %q or %q", River, Lake)
	}
	return fmt.Errorf("unknown body kind %q: want %q or %q (a reservoir is %q)", string(k), River, Lake, Lake)
}
