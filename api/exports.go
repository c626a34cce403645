package api

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/assessment"
	"github.com/shanxi-water/ledger/domain/enforcement"
	"github.com/shanxi-water/ledger/projections/cards"
)

var exportRoutes = []route{
	{Method: "GET", Path: "/api/exports/assessment/{year}", Action: Read, Tag: "exports", Summary: "A year's results as CSV or XLSX: as published, or as known today",
		Params: []param{pYearPath, pFormat, {"view", "query", "string", "published (default when published) or today", false}, pLang}, Response: "File", Handle: (*Server).exportAssessment},
	{Method: "GET", Path: "/api/exports/cards", Action: Read, Tag: "exports", Summary: "The card register on a day as CSV or XLSX",
		Params: []param{pFormat, pDay, pAsOf, pLang}, Response: "File", Handle: (*Server).exportCards},
}

var (
	pFormat = param{"format", "query", "string", "csv (default) or xlsx", false}
	pLang   = param{"lang", "query", "string", "zh (default) or en: the column names", false}
)

func init() {
	routes = append(routes, exportRoutes...)
	schemas["File"] = ""
}

// table is what an export writes.
type table struct {
	name    string // sheet and file name
	header  []string
	numeric map[int]bool // columns written as numbers in XLSX
	rows    [][]string
}

// csvCells is a row as CSV cells: a text cell that a spreadsheet would
// take for a formula (=, +, -, @, a tab or a return first: an enterprise
// named =HYPERLINK(…)) is written with a leading apostrophe, which shows
// it as text; number columns are written as they are.
func (t table) csvCells(row []string) []string {
	out := row
	for i, c := range row {
		if t.numeric[i] || c == "" || !strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			continue
		}
		if &out[0] == &row[0] {
			out = append([]string(nil), row...)
		}
		out[i] = "'" + c
	}
	return out
}

func exportLang(r *http.Request) (Lang, error) {
	switch v := r.URL.Query().Get("lang"); v {
	case "", "zh":
		return Zh, nil
	case "en":
		return En, nil
	default:
		return Zh, domain.Errorf(r.URL.Path, domain.Invalid, "lang", "%q is not zh or en", v)
	}
}

// writeTable answers with the table as CSV (UTF-8 with a byte-order mark,
// so spreadsheet programs read the Chinese) or XLSX.
func writeTable(w http.ResponseWriter, r *http.Request, t table) error {
	var buf bytes.Buffer
	switch f := r.URL.Query().Get("format"); f {
	case "", "csv":
		buf.WriteString("\ufeff")
		cw := csv.NewWriter(&buf)
		_ = cw.Write(t.header)
		for _, row := range t.rows {
			_ = cw.Write(t.csvCells(row))
		}
		cw.Flush()
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.csv"`, t.name))
	case "xlsx":
		x := excelize.NewFile()
		defer x.Close()
		sheet := "Sheet1"
		if err := x.SetSheetName(sheet, t.name); err != nil {
			return err
		}
		bold, _ := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
		for i, h := range t.header {
			cell, _ := excelize.CoordinatesToCellName(i+1, 1)
			_ = x.SetCellValue(t.name, cell, h)
			_ = x.SetCellStyle(t.name, cell, cell, bold)
		}
		// Scores keep two decimals (100 beside 91.43 read as 100.00);
		// each column is as wide as its widest cell, CJK counting double.
		twoDecimals, _ := x.NewStyle(&excelize.Style{NumFmt: 2}) // 0.00
		widths := make([]int, len(t.header))
		for i, h := range t.header {
			widths[i] = displayWidth(h)
		}
		for j, row := range t.rows {
			for i, v := range row {
				cell, _ := excelize.CoordinatesToCellName(i+1, j+2)
				if n, err := strconv.ParseFloat(v, 64); err == nil && t.numeric[i] {
					_ = x.SetCellValue(t.name, cell, n)
					if strings.Contains(v, ".") {
						_ = x.SetCellStyle(t.name, cell, cell, twoDecimals)
					}
				} else {
					_ = x.SetCellValue(t.name, cell, v)
				}
				if i < len(widths) {
					widths[i] = max(widths[i], displayWidth(v))
				}
			}
		}
		for i, wd := range widths {
			col, _ := excelize.ColumnNumberToName(i + 1)
			_ = x.SetColWidth(t.name, col, col, float64(min(max(wd, 6), 60)+2))
		}
		_ = x.SetPanes(t.name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
		if err := x.Write(&buf); err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.xlsx"`, t.name))
	default:
		return domain.Errorf(r.URL.Path, domain.Invalid, "format", "%q is not csv or xlsx", f)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// displayWidth is how many columns a spreadsheet needs for s: two for a
// CJK character, one for others.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x2E80 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

func gradeText(l Lang, g assessment.Grade) string {
	zh, en := g.Label()
	if l == En {
		return en
	}
	return zh
}

func (s *Server) exportAssessment(w http.ResponseWriter, r *http.Request) error {
	year, err := yearPath(r)
	if err != nil {
		return err
	}
	l, err := exportLang(r)
	if err != nil {
		return err
	}
	view := r.URL.Query().Get("view")
	var results []assessment.Result
	provisional := false
	// The year's publication, if any: the sheet names its notice and date,
	// as known today too, so that it can be traced to the notice.
	p, pe, err := app.Published(r.Context(), s.store, year)
	if err != nil {
		return err
	}
	switch view {
	case "", "published":
		if p != nil {
			results, view = p.Results, "published"
			break
		}
		if view == "published" {
			return domain.Errorf(r.URL.Path, domain.NotFound, "view", "%d is not published", year)
		}
		fallthrough
	case "today":
		c, err := s.today(year)
		if err != nil {
			return err
		}
		results, view, provisional = c.Results, "today", c.Provisional
	default:
		return domain.Errorf(r.URL.Path, domain.Invalid, "view", "%q is not published or today", view)
	}
	header := []string{"排名", "城市代码", "城市", "水质得分", "任务得分", "等级", "结果", "断面达标", "断面总数", "检查次数", "黄牌", "红牌", "一票否决", "说明", "公布文号", "公布日期", "考核结果运用"}
	if l == En {
		header = []string{"rank", "city code", "city", "quality score", "task score", "grade", "results", "sections met", "sections", "inspections", "yellow cards", "red cards", "hard fails", "notes", "notice", "published on", "consequences"}
	}
	// The notice and its date on every row, so that a row cut out of the
	// sheet still names them; a year not published says so in the
	// notice's column. The consequences imposed since, by city, one after
	// the other as the city page lists them.
	notice, date := l.T("export_not_published"), ""
	consequences := map[domain.CityID][]app.Consequence{}
	if p != nil {
		notice, date = p.Document, pe.OccurredAt.In(domain.CST).Format(time.DateOnly)
		if consequences, err = app.Consequences(r.Context(), s.store, year, time.Time{}); err != nil {
			return err
		}
	}
	status := l.T("published")
	switch {
	case provisional:
		status = l.T("provisional_status")
		view = "provisional" // a sheet name has 31 characters at most
	case view == "today":
		status = l.T("today_differs")
	}
	t := table{name: fmt.Sprintf("assessment-%d-%s", year, view), header: header,
		numeric: map[int]bool{0: true, 3: true, 4: true, 7: true, 8: true, 9: true, 10: true, 11: true}}
	for _, res := range results {
		c, _ := domain.LookupCity(res.City)
		hardList := l.pick(res.FailureTexts())
		hard := strings.Join(hardList, l.Semicolon())
		t.rows = append(t.rows, []string{strconv.Itoa(res.Rank), string(res.City), cityName(l, c),
			fmt.Sprintf("%.2f", res.QualityScore), fmt.Sprintf("%.2f", res.TaskScore), gradeText(l, res.Grade), status,
			strconv.Itoa(res.Inputs.SectionsMet), strconv.Itoa(res.Inputs.Sections), strconv.Itoa(res.Inputs.Enforcement.Inspections),
			strconv.Itoa(res.Inputs.Enforcement.Yellow), strconv.Itoa(res.Inputs.Enforcement.Red), hard,
			strings.Join(otherNotes(l.pick(res.Notes()), hardList), l.Semicolon()), notice, date, consequencesText(l, consequences[res.City])})
	}
	return writeTable(w, r, t)
}

// consequencesText is a city's consequences in one cell, each as the city
// page writes it.
func consequencesText(l Lang, cs []app.Consequence) string {
	texts := make([]string, len(cs))
	for i, c := range cs {
		texts[i] = consequenceText(l, c)
	}
	return strings.Join(texts, l.Semicolon())
}

// otherNotes are a result's notes but its hard fails, which have their own
// column: a grade lowered a step by the task score, sections without data
// enough for a class. Without them a sheet shows a quality score of 96.25
// graded 良好 and no reason, where the ranking page and the command line
// give it.
func otherNotes(notes, hard []string) []string {
	var out []string
	for _, n := range notes {
		if !slices.Contains(hard, n) {
			out = append(out, n)
		}
	}
	return out
}

func colorText(l Lang, c enforcement.Color) string {
	if l == En {
		return string(c)
	}
	if c == enforcement.Red {
		return "红牌"
	}
	return "黄牌"
}

func (s *Server) exportCards(w http.ResponseWriter, r *http.Request) error {
	day, err := s.dayParam(r, "day")
	if err != nil {
		return err
	}
	l, err := exportLang(r)
	if err != nil {
		return err
	}
	var entries []cards.Entry
	if err := s.withCards(r, func(m *cards.Model) { entries = m.Register(day) }); err != nil {
		return err
	}
	header := []string{"企业", "统一社会信用代码/许可证", "城市", "行业", "重点排污单位", "牌", "决定书文号", "发证机关", "日期", "措施", "整改期限"}
	if l == En {
		header = []string{"enterprise", "credit code / permit", "city", "industry", "key discharger", "card", "document", "authority", "issued", "measure", "rectification deadline"}
	}
	t := table{name: "cards-" + day.String(), header: header}
	for _, e := range entries {
		c, _ := domain.LookupCity(e.City)
		deadline := ""
		if e.Deadline != nil {
			deadline = e.Deadline.String()
		}
		key := map[bool]string{true: "是", false: "否"}[e.KeyDischarger]
		if l == En {
			key = strconv.FormatBool(e.KeyDischarger)
		}
		t.rows = append(t.rows, []string{e.Name, string(e.Enterprise), cityName(l, c), e.Industry, key, colorText(l, e.Color),
			e.Card, e.Authority, e.Issued.String(), l.Code(e.Measure), deadline})
	}
	return writeTable(w, r, t)
}
