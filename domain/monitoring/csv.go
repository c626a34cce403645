package monitoring

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/water"
)

// The CSV upload format (see docs/import.md and testdata/upload-example.csv):
//
//	section,sampled_at,source,status,pH,DO,CODMn,NH3N,TP,TN
//	FH-HJDQ,2019-03-01 08:00,manual,,7.9,6.2,5.1,0.82,0.19,3.1
//	FH-HJDQ,2019-03-01 12:00,auto,,7.8,5.9,<0.5,0.79,0.18,3.0
//	SGH-FWS,2019-01-15 08:00,manual,ice,,,,,,
//
// The first line names the columns: section, sampled_at and source are
// required, status is optional, every other column is a GB 3838 item (code,
// or a Chinese or usual name such as 氨氮 or NH3-N), with its unit in
// brackets if the station's export adds one (氨氮(mg/L)). The Chinese names
// stations' exports use are taken too (断面编码, 监测时间, 来源, 状态; 自动
// and 手工; 断流, 冰封, 故障), as is a section's name in place of its code.
// Parameters a station measures that GB 3838 does not assess (水温,
// 电导率, 浊度, …) are ignored and reported. A value "<x" or "xL" is below
// the detection limit x. Times are RFC 3339, or "2006-01-02 15:04" (also
// 2006/1/2 15:04) in Shanxi time. Rows may come in any order. The file is
// UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order mark,
// or GB18030 (GBK), as spreadsheet programs on Chinese systems save it.
const (
	colSection = "section"
	colName    = "section_name" // a section's name (断面名称), in place of its code or beside it
	colAt      = "sampled_at"
	colSource  = "source"
	colStatus  = "status"
)

// Row is one valid line of an upload. Its sample's values are kept apart
// from Sample, whose Values is nil: a map for every line took a third of a
// large upload's memory. Full gives the sample with them.
type Row struct {
	Line    int
	Section SectionID
	Sample  Sample // without its values
	values  *valueColumns
	vals    []float64 // one per item column of the upload, NaN where empty
}

// Full returns the row's sample with its values.
func (r Row) Full() Sample {
	s := r.Sample
	for i, v := range r.vals {
		if v == v { // not NaN
			if s.Values == nil {
				s.Values = make(water.Values, len(r.vals))
			}
			s.Values[r.values.items[i]] = v
		}
	}
	return s
}

// valueColumns are an upload's item columns, in column order, shared by
// its rows; the rows' values are cut from blocks of its arena.
type valueColumns struct {
	cols  []int
	items []water.Item
	arena []float64
}

// take returns the values of a new row, NaN each.
func (vc *valueColumns) take() []float64 {
	n := len(vc.cols)
	if len(vc.arena)+n > cap(vc.arena) {
		vc.arena = make([]float64, 0, max(n, 1<<16))
	}
	out := vc.arena[len(vc.arena) : len(vc.arena)+n : len(vc.arena)+n]
	vc.arena = vc.arena[:len(vc.arena)+n]
	for i := range out {
		out[i] = math.NaN()
	}
	return out
}

// RowError is what is wrong with one cell or line of an upload.
type RowError struct {
	Line     int    `json:"line"`
	Column   string `json:"column,omitempty"` // "" when it concerns the whole line
	Reason   string `json:"reason"`
	ReasonZh string `json:"reason_zh,omitempty"` // the same in Chinese, for the station's staff
}

func (e RowError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return fmt.Sprintf("line %d, column %s: %s", e.Line, e.Column, e.Reason)
}

// SectionLookup finds the registered sections a cell names: by its code
// (byName false: one at most), or by its name (every section bearing it).
type SectionLookup func(cell string, byName bool) []SectionID

// Parsed is an upload read and checked line by line.
type Parsed struct {
	Rows   []Row
	Errors []RowError // the first MaxRowErrors errors, by line
	// Omitted counts the errors past MaxRowErrors, not listed.
	Omitted int
	Header  []string
	// Encoding is the file's text encoding: UTF-8, UTF-16 or GB18030.
	Encoding string
	// Ignored are the columns read and not stored: parameters GB 3838 does
	// not assess, and a reject file's line and error columns.
	Ignored []string

	// Where each data line is in the text, for a reject file: its cells
	// are read again from there (Cells) rather than kept, which for a large
	// upload took more memory than everything else.
	text  []byte
	comma rune
	spans []lineSpan

	// sectionCol is the header's name of the column that names a row's
	// section (its code's, or else its name's), and failed the section
	// each line at fault names, where it names a registered one: for
	// Refuse.
	sectionCol string
	failed     []lineSection
	// TimeColumn is the header's name of the column of a sample's time
	// (sampled_at, 监测时间…), for errors found after parsing.
	TimeColumn string
}

// lineSection is a line at fault and the registered section it names.
type lineSection struct {
	line    int
	section SectionID
}

// MaxRowErrors is the most errors an upload lists; past them it counts
// them (Parsed.Omitted) and is refused whole, partial or not. A file with
// more has a fault of its own (a wrong column, a wrong unit), and listing
// a million errors took gigabytes (a 26 MB file of bad rows made a 445 MB
// answer).
const MaxRowErrors = 10_000

// fail records errors of a line, up to MaxRowErrors; the rest are counted.
func (p *Parsed) fail(errs ...RowError) {
	for _, e := range errs {
		if len(p.Errors) < MaxRowErrors {
			p.Errors = append(p.Errors, e)
		} else {
			p.Omitted++
		}
	}
}

// Refuse takes out of the upload the rows of the sections why refuses (a
// station's upload naming another station's section): each becomes an
// error of its line, in the section's column, with the reason why gives
// ("" for a section not refused). A line at fault already is told too, so
// that the file is mended at once. It returns how many lines it refused.
func (p *Parsed) Refuse(why func(SectionID) string) int {
	n := 0
	refused := func(line int, id SectionID) bool {
		reason := why(id)
		if reason == "" {
			return false
		}
		p.fail(RowError{Line: line, Column: p.sectionCol, Reason: reason, ReasonZh: ReasonZh(reason)})
		n++
		return true
	}
	for _, f := range p.failed {
		refused(f.line, f.section)
	}
	p.Rows = slices.DeleteFunc(p.Rows, func(r Row) bool { return refused(r.Line, r.Section) })
	if n > 0 {
		sort.SliceStable(p.Errors, func(i, j int) bool { return p.Errors[i].Line < p.Errors[j].Line })
	}
	return n
}

// failedLine keeps the registered section a line at fault names, if any,
// for Refuse (for as many lines as errors are listed).
func (p *Parsed) failedLine(row Row) {
	if row.Section != "" && len(p.failed) < MaxRowErrors {
		p.failed = append(p.failed, lineSection{row.Line, SectionID(strings.Clone(string(row.Section)))})
	}
}

// lineSpan is a data line's number and its bytes in the decoded text.
type lineSpan struct{ line, from, to int }

// LineCount is the number of data lines read (blank lines aside).
func (p *Parsed) LineCount() int { return len(p.spans) }

// Cells returns the cells of a data line as read (nil for a line the
// upload does not have, or one that is not valid CSV).
func (p *Parsed) Cells(line int) []string {
	i, ok := slices.BinarySearchFunc(p.spans, line, func(s lineSpan, l int) int { return cmp.Compare(s.line, l) })
	if !ok {
		return nil
	}
	cr := p.reader(p.text[p.spans[i].from:p.spans[i].to])
	rec, err := cr.Read()
	if err != nil {
		return nil
	}
	return p.trim(rec)
}

// reader is a CSV reader of the upload's dialect.
func (p *Parsed) reader(text []byte) *csv.Reader {
	cr := csv.NewReader(bytes.NewReader(text))
	cr.Comma = p.comma
	cr.FieldsPerRecord = -1
	return cr
}

// trim drops a spreadsheet's trailing separators: empty cells past the
// header's.
func (p *Parsed) trim(rec []string) []string {
	if len(rec) > len(p.Header) && blank(rec[len(p.Header):]) {
		return rec[:len(p.Header)]
	}
	return rec
}

// OK reports whether every line is valid.
func (p *Parsed) OK() bool { return len(p.Errors) == 0 }

// MaxUploadRows and MaxUploadBytes bound one upload.
const (
	MaxUploadRows  = 2_000_000
	MaxUploadBytes = 256 << 20
)

// ParseCSV reads an upload and checks every line: known section, known item,
// a number in range, a time not in the future, no line repeating another's
// section, time and source. It never stops at the first error: every bad
// cell is listed. A malformed header is a single error at line 1.
func ParseCSV(r io.Reader, known SectionLookup, now time.Time) (*Parsed, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, domain.Errorf("import", domain.Invalid, "file", "cannot be read: %v", err)
	}
	text, encoding, err := decodeText(raw)
	if err != nil {
		return nil, domain.Errorf("import", domain.Invalid, "file", "%v", err)
	}
	if t := bytes.TrimRight(text, " \t\x00"); len(t) > 0 && t[len(t)-1] != '\n' && bytes.IndexByte(t, '\n') >= 0 {
		// A file of several lines whose last has no line break may have
		// been cut short on its way (a value 1.75 arriving as 1): every
		// program that saves a CSV ends its lines.
		return nil, domain.Errorf("import", domain.Invalid, "file", "its last line has no line break: the file may have been cut short on its way; nothing stored (send it again, or end the last line)")
	}
	p := &Parsed{Encoding: encoding, text: text, comma: ','}
	if first, _, _ := bytes.Cut(text, []byte("\n")); bytes.ContainsRune(first, '\t') && !bytes.ContainsRune(first, ',') {
		p.comma = '\t' // a spreadsheet's "Unicode text": tab-separated
	}
	cr := p.reader(text)
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, domain.Errorf("import", domain.Invalid, "file", "empty: the first line must name the columns")
	}
	if err != nil {
		return nil, domain.Errorf("import", domain.Invalid, "file", "line 1: %v", err)
	}
	p.Header = header
	cols, items, herrs := parseHeader(header)
	if len(herrs) > 0 {
		p.Errors = WithZh(herrs)
		return p, nil
	}
	p.TimeColumn = strings.TrimSpace(header[cols.at])
	p.sectionCol = strings.TrimSpace(header[max(cols.section, 0)])
	if cols.section < 0 {
		p.sectionCol = strings.TrimSpace(header[cols.name])
	}
	values := &valueColumns{}
	for col := range items {
		values.cols = append(values.cols, col)
	}
	sort.Ints(values.cols)
	for _, col := range values.cols {
		values.items = append(values.items, items[col])
	}
	for i, name := range header {
		if cols.ignored[i] && strings.TrimSpace(name) != "" {
			p.Ignored = append(p.Ignored, strings.TrimSpace(name))
		}
	}
	seen := map[SectionID]*seenSection{}
	line := 1
	for {
		from := int(cr.InputOffset())
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// A record that could not be read has no field positions (asking
			// for them panics): the error says where it went wrong.
			line++
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			p.fail(RowError{Line: line, Reason: "not valid CSV: " + err.Error()})
			if pe == nil {
				break
			}
			continue
		}
		line, _ = cr.FieldPos(0)
		if blank(rec) {
			continue // a spreadsheet's empty row (,,,,), as a blank line
		}
		rec = p.trim(rec)
		if len(p.spans) >= MaxUploadRows {
			return nil, domain.Errorf("import", domain.Invalid, "file", "more than %d rows: split the upload", MaxUploadRows)
		}
		p.spans = append(p.spans, lineSpan{line, from, int(cr.InputOffset())})
		if len(rec) != len(header) {
			p.fail(RowError{Line: line, Reason: fmt.Sprintf("%d cells, the header names %d", len(rec), len(header))})
			continue
		}
		row, errs := parseRow(line, rec, header, cols, values, known, now)
		if len(errs) > 0 {
			p.fail(errs...)
			p.failedLine(row)
			continue
		}
		sec := seen[row.Section]
		if sec == nil {
			// The section's code as a string of its own: the cell's would
			// keep the whole line's text alive with every row.
			sec = &seenSection{id: SectionID(strings.Clone(string(row.Section))), keys: map[Key]int{}}
			seen[sec.id] = sec
		}
		row.Section = sec.id
		if first, dup := sec.keys[row.Sample.Key()]; dup {
			p.fail(RowError{Line: line, Reason: fmt.Sprintf("repeats line %d (same section, time and source)", first)})
			p.failedLine(row)
			continue
		}
		sec.keys[row.Sample.Key()] = line
		if p.Rows == nil {
			p.Rows = make([]Row, 0, bytes.Count(text[from:], []byte{'\n'})+1) // at most a row a line
		}
		p.Rows = append(p.Rows, row)
	}
	sort.SliceStable(p.Errors, func(i, j int) bool { return p.Errors[i].Line < p.Errors[j].Line })
	p.Errors = WithZh(p.Errors)
	return p, nil
}

// seenSection is a section's rows so far in an upload: its code, and the
// line of each time and source.
type seenSection struct {
	id   SectionID
	keys map[Key]int
}

type columns struct {
	section, name, at, source, status int
	ignored                           map[int]bool // read and not stored (Parsed.Ignored), or with no name
}

func parseHeader(h []string) (columns, map[int]water.Item, []RowError) {
	c := columns{-1, -1, -1, -1, -1, map[int]bool{}}
	items := map[int]water.Item{}
	var errs []RowError
	seenItem := map[water.Item]string{}
	seenCol := map[string]bool{}
	for i, name := range h {
		n := strings.TrimSpace(strings.TrimPrefix(name, "\ufeff"))
		if n == "" {
			c.ignored[i] = true // a spreadsheet's empty column: a value in it is an error
			continue
		}
		lower := strings.ToLower(n)
		if col, ok := columnNames[headerKey(n)]; ok {
			lower = col
		}
		if lower == colSection || lower == colName || lower == colAt || lower == colSource || lower == colStatus {
			if seenCol[lower] {
				errs = append(errs, RowError{Line: 1, Column: n, Reason: "named twice"})
				continue
			}
			seenCol[lower] = true
		}
		switch lower {
		case colSection:
			c.section = i
		case colName:
			c.name = i
		case colAt:
			c.at = i
		case colSource:
			c.source = i
		case colStatus:
			c.status = i
		case colLine, colError:
			c.ignored[i] = true // a reject file, mended and uploaded again
		default:
			if notAssessed[headerKey(stripUnit(n))] {
				c.ignored[i] = true
				continue
			}
			info, err := itemColumn(n)
			if err != "" {
				errs = append(errs, RowError{Line: 1, Column: n, Reason: err})
				continue
			}
			if prev, dup := seenItem[info.Item]; dup {
				errs = append(errs, RowError{Line: 1, Column: n, Reason: fmt.Sprintf("the same item as column %s", prev)})
				continue
			}
			seenItem[info.Item] = n
			items[i] = info.Item
		}
	}
	// A required column missing is named as the file would head it: in
	// Chinese in a file with Chinese headers, by its code otherwise; the
	// reason gives the other headers it is found by.
	chinese := slices.ContainsFunc(h, func(n string) bool {
		return strings.ContainsFunc(n, func(r rune) bool { return unicode.Is(unicode.Han, r) })
	})
	for _, req := range []struct {
		name string
		at   int
	}{{colSection, max(c.section, c.name)}, {colAt, c.at}, {colSource, c.source}} {
		if req.at < 0 {
			zh := requiredNames[req.name]
			col := req.name
			if chinese {
				col = zh[0]
			}
			reason := fmt.Sprintf("required column missing: %s (also headed %s or %s)", req.name, zh[0], zh[1])
			if req.name == colSection {
				reason = fmt.Sprintf("required column missing: %s (also headed %s or %s; or a column of the section's name, %s or 断面名称)", req.name, zh[0], zh[1], colName)
			}
			errs = append(errs, RowError{Line: 1, Column: col, Reason: reason})
		}
	}
	if len(items) == 0 && len(errs) == 0 {
		errs = append(errs, RowError{Line: 1, Reason: "no item columns (pH, DO, CODMn, NH3N, TP, …)"})
	}
	return c, items, errs
}

// ParseTime reads a sample time: RFC 3339, or "2006-01-02 15:04[:05]" in Shanxi time.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	t, err := time.Parse(time.RFC3339, s)
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02T15:04:05",
		"2006-1-2 15:04", "2006-1-2 15:04:05", "2006/1/2 15:04", "2006/1/2 15:04:05"} {
		if err == nil {
			break
		}
		t, err = time.ParseInLocation(layout, s, domain.CST)
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a time (2019-03-01 08:00 or 2019/3/1 8:00, Shanxi time, or RFC 3339)", s)
	}
	if t.Nanosecond() != 0 {
		// Samples are told apart by their time: 09:00:00.5 and 09:00:00.7
		// would be two samples of one reading. (Go reads a fraction after
		// the seconds of every layout, not only RFC 3339's.)
		return time.Time{}, fmt.Errorf("%q has a fraction of a second: a sample's time is given to the second", s)
	}
	return t, nil
}

func sectionIDs(ids []SectionID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = string(id)
	}
	return out
}

// halfWidth is s with full-width forms of ASCII characters (７.６,
// ＜０.０１, ２０２１／３／９) as ASCII: a Chinese input method types them
// where a clerk means digits.
func halfWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '！' && r <= '～' { // U+FF01–U+FF5E, ASCII's 0x21–0x7E
			return r - '！' + '!'
		}
		return r
	}, s)
}

// decimalRE is a plain decimal number: ParseFloat alone would also take
// hex floats, "Inf" and underscores.
var decimalRE = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$`)

// earliestSample is the first sample time the ledger accepts: samples before
// the plan are history, not assessment data.
var earliestSample = time.Date(2010, 1, 1, 0, 0, 0, 0, domain.CST)

func parseRow(line int, rec, header []string, c columns, values *valueColumns, known SectionLookup, now time.Time) (Row, []RowError) {
	var errs []RowError
	bad := func(col int, format string, args ...any) {
		errs = append(errs, RowError{Line: line, Column: strings.TrimSpace(header[col]), Reason: fmt.Sprintf(format, args...)})
	}
	row := Row{Line: line} // its Section only a registered one, also with errors (Refuse)
	// The section by its code, or by a name only one section bears; with
	// both, the name must be the code's section's (a name two sections
	// bear is then no obstacle).
	var named []SectionID
	nameCell := ""
	if c.name >= 0 {
		if nameCell = strings.TrimSpace(rec[c.name]); nameCell == "" {
			bad(c.name, "missing")
		} else {
			named = known(nameCell, true)
		}
	}
	var coded SectionID
	if c.section >= 0 {
		if cell := strings.TrimSpace(rec[c.section]); cell == "" {
			bad(c.section, "missing")
		} else if ids := known(cell, false); len(ids) != 1 {
			bad(c.section, "unknown section %q: not the code of a registered section", cell)
		} else {
			coded, row.Section = ids[0], ids[0]
		}
	}
	switch {
	case nameCell == "":
	case coded != "" && !slices.Contains(named, coded) && len(named) > 0:
		bad(c.name, "%q is the name of %s, not of %s", nameCell, strings.Join(sectionIDs(named), ", "), coded)
	case coded != "" && len(named) == 0:
		bad(c.name, "unknown section %q: not the name of a registered section", nameCell)
	case coded != "":
	case c.section >= 0: // the code is missing or unknown, said above
	case len(named) == 1:
		row.Section = named[0]
	case len(named) == 0:
		bad(c.name, "unknown section %q: not the name of a registered section", nameCell)
	default:
		bad(c.name, "%q is the name of %d sections (%s): give the section's code (断面编码)", nameCell, len(named), strings.Join(sectionIDs(named), ", "))
	}
	for col := range c.ignored {
		if strings.TrimSpace(header[col]) == "" && strings.TrimSpace(rec[col]) != "" {
			errs = append(errs, RowError{Line: line, Column: fmt.Sprintf("#%d", col+1), Reason: fmt.Sprintf("%q is in a column with no name", rec[col])})
		}
	}
	at, err := ParseTime(halfWidth(rec[c.at]))
	switch {
	case err != nil:
		bad(c.at, "%v", err)
	case at.After(now):
		bad(c.at, "%s is in the future", at.In(domain.CST).Format("2006-01-02 15:04"))
	case at.Before(earliestSample):
		bad(c.at, "%s is before 2010", at.In(domain.CST).Format("2006-01-02 15:04"))
	}
	s := &row.Sample
	s.At = at.UTC()
	s.Source = Source(strings.ToLower(strings.TrimSpace(rec[c.source])))
	if src, ok := sourceNames[string(s.Source)]; ok {
		s.Source = src
	}
	if err := s.Source.Validate(); err != nil {
		bad(c.source, "%v (or 自动, 手工)", err)
	}
	if c.status >= 0 {
		s.Status = Status(strings.ToLower(strings.TrimSpace(rec[c.status])))
		if st, ok := statusNames[string(s.Status)]; ok {
			s.Status = st
		}
		if err := s.Status.Validate(); err != nil {
			bad(c.status, "%v (or 断流, 冰封, 故障)", err)
		}
	}
	row.values, row.vals = values, values.take()
	present := 0
	for k, col := range values.cols {
		it := values.items[k]
		cell := halfWidth(strings.TrimSpace(rec[col]))
		if cell == "" {
			continue
		}
		if s.Status != Measured {
			bad(col, "has a value but the sample is marked %s (not monitored)", s.Status)
			continue
		}
		below, num := belowLimit(cell)
		v, err := strconv.ParseFloat(num, 64)
		if err != nil || !decimalRE.MatchString(num) {
			bad(col, "%q is not a number (a result below the detection limit x is written <x or xL)", cell)
			continue
		}
		if below {
			if err := CheckBelowLimit(it, v); err != nil {
				bad(col, "%q: %v", cell, err)
				continue
			}
		}
		if err := CheckValue(it, v); err != nil {
			bad(col, "%v", err)
			continue
		}
		row.vals[k] = v
		present++
		if below {
			s.BelowDL = append(s.BelowDL, it)
		}
	}
	if len(errs) == 0 && s.Status == Measured && present == 0 {
		errs = append(errs, RowError{Line: line, Reason: "no values: give at least one item, or a status (dry, ice, fault)"})
	}
	return row, errs
}
