package monitoring

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/shanxi-water/ledger/domain/water"
)

// The vocabulary of station exports: the names their columns and cells
// carry besides the upload format's own.

// A reject file's extra columns (the line's number, its errors): ignored on
// upload, so that a reject file can be mended and uploaded again.
const (
	colLine  = "line"
	colError = "error"
)

// columnNames maps the headers stations' exports use (headerKey) to the
// upload format's columns.
var columnNames = func() map[string]string {
	m := map[string]string{}
	for col, names := range map[string][]string{
		colSection: {"断面", "断面编码", "断面代码", "断面编号", "点位", "点位编码"},
		colName:    {"断面名称", "点位名称", "section name", "name"},
		colAt:      {"监测时间", "采样时间", "时间", "监测日期时间", "采样日期时间"},
		colSource:  {"来源", "数据来源", "监测方式", "采样方式"},
		colStatus:  {"状态", "监测状态"},
	} {
		for _, n := range names {
			m[headerKey(n)] = col
		}
	}
	return m
}()

// requiredNames are the headers stations' exports most use for the
// required columns, their Chinese name first: a missing one is named by
// them (parseHeader), each found by columnNames.
var requiredNames = map[string][2]string{
	colSection: {"断面编码", "断面"},
	colAt:      {"监测时间", "采样时间"},
	colSource:  {"来源", "监测方式"},
}

// notAssessed are parameters automatic stations report that GB 3838 does
// not assess (DOMAIN.md §3): their columns are read and not stored.
var notAssessed = func() map[string]bool {
	m := map[string]bool{}
	for _, n := range []string{"水温", "温度", "water temperature", "temperature", "电导率", "conductivity", "浊度", "turbidity",
		"叶绿素", "叶绿素a", "chlorophyll", "chlorophyll a", "藻密度", "algae density", "流量", "flow", "水位", "water level"} {
		m[headerKey(n)] = true
	}
	return m
}()

// sourceNames and statusNames are the words for sources and statuses in
// stations' exports, Chinese and English. The English ones map to
// themselves, so that a row holds the constant, not the cell's text (which
// would keep the whole line's text alive with the row).
var (
	sourceNames = map[string]Source{"自动": Auto, "自动监测": Auto, "手工": Manual, "人工": Manual, "手工监测": Manual,
		string(Auto): Auto, string(Manual): Manual}
	statusNames = map[string]Status{"正常": Measured, "断流": Dry, "干涸": Dry, "冰封": Ice, "结冰": Ice, "故障": Fault, "仪器故障": Fault, "设备故障": Fault,
		string(Dry): Dry, string(Ice): Ice, string(Fault): Fault}
)

// headerKey folds a header for lookup: no case, spaces or underscores.
func headerKey(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '_', '\t', '\u3000':
			return -1
		}
		return r
	}, strings.ToLower(strings.TrimSpace(s)))
}

// unitRE splits "氨氮(mg/L)" or "DO（mg/L）" into the name and the unit.
var unitRE = regexp.MustCompile(`^(.*?)\s*[(（]\s*([^()（）]*?)\s*[)）]\s*$`)

// stripUnit is a header without a bracketed unit at its end.
func stripUnit(h string) string {
	if m := unitRE.FindStringSubmatch(h); m != nil {
		return m[1]
	}
	return h
}

// itemColumn finds the item a header names, with the unit it may give in
// brackets; the unit must be the one the ledger stores the item in (a
// column in µg/L would be read a thousand times too high). It returns the
// reason when it cannot.
func itemColumn(h string) (water.ItemInfo, string) {
	if info, ok := water.LookupItem(h); ok { // a name with brackets of its own: Cr(VI)
		return info, ""
	}
	m := unitRE.FindStringSubmatch(h)
	if m == nil {
		return water.ItemInfo{}, "unknown column: not section, sampled_at, source, status or a GB 3838 item"
	}
	info, ok := water.LookupItem(m[1])
	if !ok {
		return water.ItemInfo{}, fmt.Sprintf("unknown column %q: not section, sampled_at, source, status or a GB 3838 item", m[1])
	}
	unit := strings.ToLower(strings.ReplaceAll(m[2], " ", ""))
	switch {
	case strings.EqualFold(unit, info.Unit),
		info.Unit == "" && (unit == "无量纲" || unit == "dimensionless"),
		info.Unit == "个/L" && (unit == "mpn/l" || unit == "cfu/l"):
		return info, ""
	}
	want := info.Unit
	if want == "" {
		want = "no unit"
	}
	return water.ItemInfo{}, fmt.Sprintf("unit %q: %s is stored in %s; convert the column", m[2], info.Item, want)
}

// belowLimit reads a result below the detection limit: "<0.5" or "0.5L"
// (the detection limit followed by L, as Chinese laboratory reports write
// it). It returns the number's text.
func belowLimit(cell string) (below bool, num string) {
	if rest, ok := strings.CutPrefix(cell, "<"); ok {
		return true, strings.TrimSpace(rest)
	}
	if rest, ok := strings.CutSuffix(cell, "L"); ok && rest != "" {
		return true, strings.TrimSpace(rest)
	}
	return false, cell
}

// blank reports whether every cell is empty.
func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// decodeText turns an upload into UTF-8 without a byte-order mark: UTF-8
// as it is, UTF-16 with a byte-order mark (a spreadsheet's "Unicode text"),
// or else GB18030, which GBK files are (a spreadsheet's "CSV" on a Chinese
// system). It names the encoding it read.
func decodeText(raw []byte) ([]byte, string, error) {
	switch {
	case bytes.HasPrefix(raw, []byte("\xef\xbb\xbf")):
		raw = raw[3:]
	case bytes.HasPrefix(raw, []byte("\xff\xfe")), bytes.HasPrefix(raw, []byte("\xfe\xff")):
		out, _, err := transform.Bytes(unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder(), raw)
		if err != nil {
			return nil, "", fmt.Errorf("not valid UTF-16: %v", err)
		}
		return out, "UTF-16", nil
	}
	if utf8.Valid(raw) {
		return raw, "UTF-8", nil
	}
	out, _, err := transform.Bytes(simplifiedchinese.GB18030.NewDecoder(), raw)
	if err != nil {
		return nil, "", fmt.Errorf("neither UTF-8, UTF-16 nor GB18030 (GBK): save it as CSV UTF-8")
	}
	return out, "GB18030", nil
}
