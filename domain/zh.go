package domain

import "regexp"

// Zh is an entry of a table that says the ledger's English reasons in
// Chinese for its users: a pattern the whole reason matches, and the
// Chinese, with the match's particulars ($1…); or, where a particular is
// itself English (a status, a finding), F to say it from the match.
type Zh struct {
	EN *regexp.Regexp
	ZH string
	F  func(m []string) string
}

// ZhTable is a table of them, in the order they are tried.
type ZhTable []Zh

// Say is reason in Chinese by the first entry that matches it, or "" if
// none does.
func (t ZhTable) Say(reason string) string {
	for _, e := range t {
		m := e.EN.FindStringSubmatch(reason)
		switch {
		case m == nil:
		case e.F != nil:
			return e.F(m)
		default:
			return e.EN.ReplaceAllString(reason, e.ZH)
		}
	}
	return ""
}

// FieldZh says a field's fault in Chinese with the field's name, as the
// field table names names it: a text's fault (TextZh: 姓名（name）：缺失),
// or a required field's absence with why, by the table whys of the
// "missing: …" reasons (文号（document_no）：缺失，每项问责决定都载明文号).
// It is "" for a field names lacks or a reason neither says.
func FieldZh(names map[string]string, whys ZhTable, field, reason string) string {
	name, ok := names[field]
	if !ok {
		return ""
	}
	if zh := TextZh(reason); zh != "" {
		return name + "（" + field + "）：" + zh
	}
	if why := whys.Say(reason); why != "" {
		return name + "（" + field + "）：缺失，" + why
	}
	return ""
}
