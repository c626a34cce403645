package api

// Lang is a dashboard language.
type Lang string

// The dashboard's languages: Simplified Chinese by default.
const (
	Zh Lang = "zh"
	En Lang = "en"
)

// messages holds every dashboard text in both languages.
var messages = map[string][2]string{
	"title":          {"山西省水污染防治考核台账", "Shanxi Water-Pollution Assessment Ledger"},
	"overview":       {"全省概况", "Province"},
	"cities":         {"城市排名", "Cities"},
	"audit":          {"审计", "Audit"},
	"basin_shares":   {"各流域断面水质比例与《方案》目标(表1、表2)", "Basin shares against the plan's targets (Table 1, Table 2)"},
	"year":           {"年份", "Year"},
	"basin":          {"流域", "Basin"},
	"yellow":         {"黄河流域", "Yellow River"},
	"hai":            {"海河流域", "Hai River"},
	"sections":       {"断面数", "Sections"},
	"at_least_iii":   {"Ⅰ～Ⅲ类", "Class I–III"},
	"worse_than_v":   {"劣Ⅴ类", "Worse than V"},
	"share":          {"比例", "Share"},
	"target":         {"目标", "Target"},
	"met":            {"达标", "met"},
	"missed":         {"未达标", "missed"},
	"insufficient":   {"数据不足", "Too few samples"},
	"city":           {"城市", "City"},
	"sections_met":   {"断面达标", "Sections meeting target"},
	"rank":           {"排名", "Rank"},
	"section":        {"断面", "Section"},
	"name":           {"名称", "Name"},
	"river":          {"河流", "River"},
	"class":          {"年均类别", "Annual class"},
	"samples":        {"样本数", "Samples"},
	"pollutants":     {"主要污染物", "Main pollutants"},
	"monthly":        {"各断面逐月水质类别", "Monthly class of each section"},
	"timeline":       {"事件时间线", "Event timeline"},
	"as_of":          {"截至(记录时间)", "As of (recorded)"},
	"chain_ok":       {"哈希链完整:所有事件均可验证", "Hash chains intact: every event verifies"},
	"chain_broken":   {"哈希链断裂", "Hash chain broken"},
	"position":       {"位置", "Position"},
	"recorded":       {"记录时间", "Recorded"},
	"occurred":       {"发生时间", "Occurred"},
	"event":          {"事件", "Event"},
	"aggregate":      {"对象", "Aggregate"},
	"actor":          {"操作人", "Actor"},
	"show":           {"查看", "Show"},
	"login":          {"登录", "Sign in"},
	"token":          {"访问令牌", "Access token"},
	"login_needed":   {"请使用访问令牌登录。", "Sign in with your access token."},
	"events_checked": {"已检查事件", "Events checked"},
	"no_data":        {"无数据", "no data"},
}

// T returns a text in the language.
func (l Lang) T(key string) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	if l == En {
		return m[1]
	}
	return m[0]
}
