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
