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
	"title":                {"山西省水污染防治考核台账", "Shanxi Water-Pollution Assessment Ledger"},
	"overview":             {"全省概况", "Province"},
	"cities":               {"城市排名", "Cities"},
	"audit":                {"审计", "Audit"},
	"basin_shares":         {"各流域断面水质比例与《方案》目标(表1、表2)", "Basin shares against the plan's targets (Table 1, Table 2)"},
	"year":                 {"年份", "Year"},
	"basin":                {"流域", "Basin"},
	"yellow":               {"黄河流域", "Yellow River"},
	"hai":                  {"海河流域", "Hai River"},
	"sections":             {"断面数", "Sections"},
	"at_least_iii":         {"Ⅰ～Ⅲ类", "Class I–III"},
	"worse_than_v":         {"劣Ⅴ类", "Worse than V"},
	"share":                {"比例", "Share"},
	"target":               {"目标", "Target"},
	"met":                  {"达标", "met"},
	"missed":               {"未达标", "missed"},
	"insufficient":         {"数据不足", "Too few samples"},
	"city":                 {"城市", "City"},
	"sections_met":         {"断面达标", "Sections meeting target"},
	"rank":                 {"排名", "Rank"},
	"section":              {"断面", "Section"},
	"name":                 {"名称", "Name"},
	"river":                {"河流", "River"},
	"class":                {"年均类别", "Annual class"},
	"samples":              {"样本数", "Samples"},
	"pollutants":           {"主要污染物", "Main pollutants"},
	"monthly":              {"各断面逐月水质类别", "Monthly class of each section"},
	"timeline":             {"事件时间线", "Event timeline"},
	"as_of":                {"截至(记录时间)", "As of (recorded)"},
	"chain_ok":             {"哈希链完整:所有事件均可验证", "Hash chains intact: every event verifies"},
	"chain_broken":         {"哈希链断裂", "Hash chain broken"},
	"position":             {"位置", "Position"},
	"recorded":             {"记录时间", "Recorded"},
	"occurred":             {"发生时间", "Occurred"},
	"event":                {"事件", "Event"},
	"aggregate":            {"对象", "Aggregate"},
	"actor":                {"操作人", "Actor"},
	"show":                 {"查看", "Show"},
	"login":                {"登录", "Sign in"},
	"token":                {"访问令牌", "Access token"},
	"login_needed":         {"请使用访问令牌登录。", "Sign in with your access token."},
	"events_checked":       {"已检查事件", "Events checked"},
	"no_data":              {"无数据", "no data"},
	"quality_score":        {"水质得分", "Quality score"},
	"task_score":           {"任务得分", "Task score"},
	"grade":                {"等级", "Grade"},
	"hard_fails":           {"一票否决", "Hard fails"},
	"published":            {"已公布", "Published"},
	"computed":             {"未公布(按当前数据计算)", "Not published (computed from today's data)"},
	"today_differs":        {"按今日所知", "As known today"},
	"tasks":                {"重点任务", "Key tasks"},
	"tasks_due":            {"当年到期", "Due this year"},
	"on_time":              {"按时完成", "Done on time"},
	"overdue_now":          {"当前逾期", "Overdue now"},
	"cards_in_force":       {"在册黄牌红牌企业", "Enterprises under a card"},
	"enterprises":          {"重点监管企业", "Supervised enterprises"},
	"enterprise":           {"企业", "Enterprise"},
	"industry":             {"行业", "Industry"},
	"card":                 {"牌", "Card"},
	"document":             {"文号", "Document"},
	"issued":               {"日期", "Issued"},
	"measure":              {"措施", "Measure"},
	"strip":                {"近12个季度合规情况", "Compliance, last 12 quarters"},
	"inspections":          {"检查记录", "Inspections"},
	"findings":             {"结果", "Findings"},
	"two_modes":            {"两种方式重放:当时所知 / 实际情况(含今日已知的更正)", "Replayed both ways: as known then / as it happened (with every correction known today)"},
	"known_then":           {"当时所知", "As known then"},
	"as_happened":          {"实际情况", "As it happened"},
	"differences":          {"差异", "Differences"},
	"late_events":          {"事后记录的相关事件", "Events recorded later about that time"},
	"accountability":       {"终身追责", "Lifetime accountability"},
	"accountability_note":  {"案件所涉职务在当时的任职人员,离任后仍记录在案。", "Each case names who held the posts at the time; they stay on record after leaving office."},
	"post":                 {"职务", "Post"},
	"served":               {"所涉期间在任", "In office during the case"},
	"left_office":          {"离任日期", "Left office"},
	"strip_compliant":      {"合规", "compliant"},
	"strip_violation":      {"违规", "violation"},
	"strip_yellow":         {"黄牌", "yellow card"},
	"strip_red":            {"红牌", "red card"},
	"strip_not_registered": {"未登记", "not registered"},
}

// pick is the language's of texts given in Chinese and English.
func (l Lang) pick(zh, en []string) []string {
	if l == En {
		return en
	}
	return zh
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
