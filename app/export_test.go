package app

// ImportChecked sets the hook called when an upload's rows have been
// checked against the index, before they are stored; it returns a func
// that unsets it.
func ImportChecked(f func()) (reset func()) {
	importChecked = f
	return func() { importChecked = nil }
}
