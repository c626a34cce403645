package api

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/plan"
	"github.com/shanxi-water/ledger/domain/water"
)

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
	"basin_shares":         {"各流域断面水质比例与《方案》目标（表1、表2）", "Basin shares against the plan's targets (Table 1, Table 2)"},
	"year":                 {"年份", "Year"},
	"basin":                {"流域", "Basin"},
	"yellow":               {"黄河流域", "Yellow River"},
	"hai":                  {"海河流域", "Hai River"},
	"sections":             {"断面数", "Sections"},
	"at_least_iii":         {"达到或优于Ⅲ类", "Class III or better"},
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
	"samples":              {"监测次数", "Samples"},
	"pollutants":           {"主要污染物", "Main pollutants"},
	"monthly":              {"各断面逐月水质类别", "Monthly class of each section"},
	"timeline":             {"事件时间线", "Event timeline"},
	"as_of":                {"数据截至（按入账时间）", "As of (recorded)"},
	"chain_ok":             {"哈希链完整：所有事件均可验证", "Hash chains intact: every event verifies"},
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
	"token_refused":        {"访问令牌无效或已过期。", "The access token is not valid or has expired."},
	"error":                {"出错了", "Error"},
	"error_detail":         {"详情（英文）", "Details"},
	"error_reason":         {"原因", "Reason"},
	"kind_invalid":         {"请求有误", "Invalid request"},
	"kind_not_found":       {"未找到", "Not found"},
	"kind_conflict":        {"与已记录的事实冲突", "Conflicts with what is recorded"},
	"kind_forbidden":       {"无权进行此操作", "Not allowed"},
	"kind_unauthenticated": {"请先登录", "Sign in first"},
	"kind_internal":        {"服务器内部错误", "Internal error"},
	"about":                {"所涉样本时间", "about (sample time)"},
	"day_basis_as_of":      {"按该日结束时的情况，以下列日期时台账所知为准（此后补录的不计）：", "As things stood at the end of that day, as the ledger knew them on (nothing recorded later):"},
	"day_basis":            {"按该日结束时实际发生的情况，含此后补录和更正的记录（非当日所知）", "As it had happened by the end of that day, with everything recorded since (late entries and corrections), not as known that day"},
	"kind_unavailable":     {"暂时无法处理，未作任何记录，请稍后再试", "Unavailable for now: nothing was recorded; try again later"},
	"field_city":           {"城市", "city"},
	"field_year":           {"年份", "year"},
	"field_at":             {"日期", "date"},
	"field_day":            {"日期", "day"},
	"field_id":             {"编号", "id"},
	"field_quarter":        {"季度", "quarter"},
	"field_as_of":          {"截至日期", "as of"},
	"field_path":           {"页面", "page"},
	"no_page":              {"没有这个页面", "There is no such page"},
	"events_checked":       {"已检查事件", "Events checked"},
	"no_data":              {"无数据", "no data"},
	"all_years_today":      {"各年度，截至今日", "all years, as of today"},
	"sections_year":        {"各断面年均类别", "Each section's annual class,"},
	"published_above":      {"上方得分为公布结果", "the score above is as published"},
	"multiple_of_iii":      {"超标倍数按Ⅲ类标准计", "times over the class III limit"},
	"card_history":         {"黄牌红牌记录", "Yellow and red cards"},
	"ended":                {"终止", "Ended"},
	"inspected_on":         {"检查日期", "Inspected"},
	"no_cards_ever":        {"无", "none"},
	"found_on":             {"立案", "found on"},
	"pending":              {"待处理：尚无追责决定", "pending: no decision yet"},
	"no_cases":             {"无追责案件", "No accountability cases"},
	"plan_target":          {"规划目标", "the plan's target"},
	"target_min":           {"目标（不低于）", "Target (at least)"},
	"target_max":           {"目标（不高于）", "Target (at most)"},
	"met_target":           {"是否达标", "Met"},
	"province_own":         {"省级任务", "The province's own"},
	"timeline_shown":       {"显示事件 / 已校验事件", "events shown / checked"},
	"newest":               {"最新", "newest"},
	"older":                {"更早的事件", "older events"},
	"since":                {"自", "since"},
	"history":              {"变更记录", "history"},
	"key_discharger":       {"重点排污单位", "Key discharger"},
	"cards_at_year_end":    {"黄红牌（%d年末在册）", "Card (in force at the end of %d)"},
	"cards_as_of_day":      {"黄红牌（截至 %s 在册）", "Card (in force on %s)"},
	"yes":                  {"是", "yes"},
	"logout":               {"退出登录", "Sign out"},
	"task_list":            {"重点任务", "Tasks"},
	"task":                 {"任务", "Task"},
	"lead_depts":           {"牵头部门", "Lead"},
	"dept_sep":             {"、", ", "},
	"status":               {"状态", "Status"},
	"deadline":             {"期限", "Deadline"},
	"days_overdue":         {"逾期天数", "Days overdue"},
	"overdue_only":         {"只看逾期", "Overdue only"},
	"all_cities":           {"全部", "All"},
	"day":                  {"日期", "Day"},
	"rect_deadline":        {"整改期限", "Rectification deadline"},
	"deadline_passed":      {"已过整改期限，应复查", "deadline passed: re-inspection due"},
	"reinspections":        {"复查次数", "Re-inspections"},
	"no_cards":             {"该日无在册黄牌红牌企业", "No enterprise was under a card that day"},
	"not_started":          {"未启动", "not started"},
	"in_progress":          {"推进中", "in progress"},
	"completed":            {"已完成", "completed"},
	"verified":             {"已验收", "verified"},
	"suspended":            {"暂停", "suspended"},
	"overdue":              {"逾期", "overdue"},
	"late":                 {"逾期完成", "done late"},
	"recorded_late":        {"按期完成，逾期录入", "done on time, recorded late"},
	"download":             {"下载", "Download"},
	"today":                {"按今日所知", "as known today"},
	"card_register":        {"黄牌红牌名录", "Card register"},
	"no_events_then":       {"截至该时间尚无记录的事件", "No events had been recorded by then"},
	"nothing_to_assess":    {"无可评价数据", "nothing to assess"},
	"nothing_yet":          {"该年度尚无可评价的数据：没有断面既有考核目标、又有足以评价类别的监测数据。不给出得分、等级和排名。", "Nothing to assess for this year yet: no section has both a target and data enough for a class. No scores, grades or ranks are given."},
	"not_monitored":        {"未监测（冰封、断流或故障）", "not monitored (ice, dry or fault)"},
	"quality_score":        {"水质得分", "Quality score"},
	"task_score":           {"任务得分", "Task score"},
	"grade":                {"等级", "Grade"},
	"hard_fails":           {"一票否决", "Hard fails"},
	"notes":                {"说明", "Notes"},
	"quarterly":            {"各季度城市地表水质量排名", "Cities ranked by surface-water quality, by quarter"},
	"quarterly_note":       {"排名（城市水质指数 CWQI，越小越好）：各考核断面当季手工监测均值，按Ⅲ类标准计算；按目前所知，含此后的更正，而非公布时所知", "Rank (city water-quality index, lower is cleaner): each assessed section's means of the quarter's manual samples against the class-III limits; as known today, with later corrections, not as known when the year was published"},
	"published":            {"已公布", "Published"},
	"published_at_open":    {"（公布于 ", " (published "},
	"published_at_close":   {"）", ")"},
	"audit_needs_date":     {"未选日期：下方只有事件时间线。输入一个日期，查看各年度的得分——按台账当时所知（及当时已公布的结果）与按实际发生，两相对照。", "No date given: below is only the event timeline. Enter a date to see each year's scores as the ledger knew them then (and as published by then) beside as they happened."},
	"recorded_on":          {"入账于", "recorded"},
	"as_published":         {"按公布时台账所知", "as the ledger knew it when published"},
	"computed":             {"未公布（按当前数据计算）", "Not published (computed from today's data)"},
	"provisional_status":   {"临时（年度未结束）", "provisional (year not ended)"},
	"year_not_ended":       {"（年度未结束）", "(year not ended)"},
	"provisional":          {"年度尚未结束：结果为临时计算，仍会变化", "The year has not ended: the figures are provisional and will change"},
	"today_differs":        {"按今日所知", "As known today"},
	"consequences":         {"考核结果运用", "Consequences of failing"},
	"export_not_published": {"未公布", "not published"},
	"undetermined":         {"无法判定", "cannot be judged"},
	"computed_incomplete":  {"以下城市数据不全，其结果部分由缺失数据构成：", "These cities lack data, and their results are partly made of missing data: "},
	"published_incomplete": {"本年度结果系在数据不全的情况下公布：", "Published knowingly without complete data: "},
	"not_published":        {"尚未公布：按今日所知计算", "Not published: as the ledger stands today"},
	"computed_as_of":       {"当时尚未公布：按台账当时所知计算", "Not published then: computed as the ledger knew it then"},
	"as_of_view":           {"本页按台账在以下日期所知显示，此后记录的补录、更正和公布均不计：", "Shown as the ledger knew it on this date; nothing recorded after it counts (late entries, corrections, publications):"},
	"quarterly_note_as_of": {"排名（城市水质指数 CWQI，越小越好）：各考核断面当季手工监测均值，按Ⅲ类标准计算；按台账截至上述日期所知", "Rank (city water-quality index, lower is cleaner): each assessed section's means of the quarter's manual samples against the class-III limits; as the ledger knew them on the date above"},
	"overdue_then":         {"当时逾期", "Overdue then"},
	"all_years_as_of":      {"各年度，截至该日", "all years, as of that date"},
	"tasks":                {"重点任务", "Key tasks"},
	"tasks_due":            {"当年到期", "Due this year"},
	"carried_overdue":      {"往年逾期结转", "carried over overdue from earlier years"},
	"list_sep":             {"，", ", "},
	"on_time":              {"按时完成", "Done on time"},
	"overdue_now":          {"当前逾期", "Overdue now"},
	"cards_in_force":       {"在册黄牌红牌企业", "Enterprises under a card"},
	"enterprises":          {"辖区监管企业", "Enterprises under supervision"},
	"enterprise":           {"企业", "Enterprise"},
	"industry":             {"行业", "Industry"},
	"card":                 {"牌", "Card"},
	"document":             {"文号", "Document"},
	"issued":               {"日期", "Issued"},
	"measure":              {"措施", "Measure"},
	"strip":                {"近12个季度合规情况", "Compliance, last 12 quarters"},
	"strip_until":          {"截至日期", "Up to"},
	"inspections":          {"检查记录", "Inspections"},
	"findings":             {"结果", "Findings"},
	"two_modes":            {"两种方式重放：当时所知 / 实际情况（含今日已知的更正）", "Replayed both ways: as known then / as it happened (with every correction known today)"},
	"known_then":           {"当时所知", "As known then"},
	"as_happened":          {"实际情况", "As it happened"},
	"differences":          {"差异", "Differences"},
	"late_events":          {"事后记录的相关事件", "Events recorded later about that time"},
	"accountability":       {"终身追责", "Lifetime accountability"},
	"accountability_note":  {"案件所涉职务在当时的任职人员，离任后仍记录在案。", "Each case names who held the posts at the time; they stay on record after leaving office."},
	"post":                 {"职务", "Post"},
	"person_name":          {"姓名", "Name"},
	"case":                 {"案件", "Case"},
	"nobody_named":         {"登记中无人在案件所涉期间担任相关职务：请补录任职记录", "No one in the register held these posts during the period: record the appointments"},
	"took_office":          {"任职日期", "Took office"},
	"served":               {"所涉期间在任", "In office during the case"},
	"left_office":          {"离任日期", "Left office"},
	"strip_compliant":      {"未发现违规", "no violation identified"},
	"strip_not_inspected":  {"本季度未检查", "not inspected this quarter"},
	"strip_violation":      {"违规", "violation"},
	"strip_yellow":         {"黄牌", "yellow card"},
	"strip_red":            {"红牌", "red card"},
	"strip_not_registered": {"未登记", "not registered"},
	"strip_closed":         {"已关闭", "closed"},
	"enterprise_closed":    {"企业已关闭", "Closed"},
	"inspected_by":         {"检查机关", "Inspected by"},
	"measurements":         {"监测数据", "Measurements"},
	"reinspection_of":      {"复查", "re-inspection of"},
	"measured_item":        {"项目", "Item"},
	"measured_value":       {"实测值", "Measured"},
	"limit":                {"限值", "Limit"},
	"basis":                {"依据", "Against"},
	"exceedance_multiple":  {"超标倍数", "Times over"},
	"none_measured":        {"未记录监测数据", "none recorded"},
	"no_inspections":       {"无检查记录", "No inspections"},
	// The quarterly public lists (黄牌红牌名单).
	"card_lists":               {"黄牌红牌名单", "Public card lists"},
	"card_lists_note":          {"各设区市和全省每季度公布的黄牌、红牌企业名单（季度结束后一个月内公布），按公布时原样保存，并以 SHA-256 哈希校验；名单按现有记录重新计算，与公布时不同的（此后撤销、补录或更正），予以注明。", "The lists of yellow- and red-card enterprises each city and the province publish every quarter (within a month of its end), kept as published and checked by their SHA-256 hash; where the list recomputed from the records differs from the one published (revocations, late entries or corrections since), it is said."},
	"scope":                    {"范围", "Scope"},
	"quarter":                  {"季度", "Quarter"},
	"whole_province":           {"全省", "Province"},
	"publishing_authority":     {"公布机关", "Published by"},
	"published_on":             {"公布日期", "Published"},
	"published_late":           {"逾期公布", "published late"},
	"due":                      {"期限", "due"},
	"yellow_cards":             {"黄牌", "Yellow cards"},
	"red_cards":                {"红牌", "Red cards"},
	"hash_check":               {"哈希校验", "Hash"},
	"hash_ok_short":            {"一致", "verifies"},
	"hash_broken_short":        {"不符", "does not verify"},
	"list_hash_ok":             {"哈希校验一致：所存名单即公布时的名单", "The hash verifies: the list stored is the list published"},
	"list_hash_broken":         {"哈希校验不符：所存名单已不是公布时的名单", "The hash does not verify: the list stored is not the list published"},
	"recomputed":               {"按今日所知重新计算", "Recomputed today"},
	"recomputed_as_of":         {"按台账当时所知重新计算", "Recomputed as known then"},
	"same_as_published":        {"与公布时一致", "as published"},
	"differs_from_published":   {"与公布时不同", "differs"},
	"list_same":                {"按今日所知重新计算，名单与公布时一致", "Recomputed from what is known today, the list is the one published"},
	"list_same_as_of":          {"按台账当时所知重新计算，名单与公布时一致", "Recomputed as the ledger knew it then, the list is the one published"},
	"list_differs":             {"按今日所知重新计算，名单与公布时不同（此后撤销、补录或更正的记录）：", "Recomputed from what is known today, the list differs from the one published (revocations, late entries or corrections since):"},
	"list_differs_as_of":       {"按台账当时所知重新计算，名单与公布时不同：", "Recomputed as the ledger knew it then, the list differs from the one published:"},
	"list_left_out":            {"公布的名单上有，重新计算的名单上没有", "on the list published, not on the list recomputed"},
	"list_added":               {"重新计算的名单上有，公布的名单上没有", "on the list recomputed, not on the list published"},
	"list_changed":             {"两份名单上都有，内容不同", "on both, not alike"},
	"difference":               {"差异", "Difference"},
	"list_not_published":       {"尚未公布：以下为按今日所知计算的名单，不是公布的名单。", "Not published: below is the list as computed from what is known today, not a published list."},
	"list_not_published_as_of": {"当时尚未公布：以下为按台账当时所知计算的名单。", "Not published then: below is the list as computed from what the ledger knew then."},
	"quarter_not_ended":        {"该季度尚未结束，名单仍会变化。", "The quarter has not ended: the list will change."},
	"list_empty":               {"名单为空：该季度没有黄牌、红牌企业", "The list is empty: no enterprise was under a card in the quarter"},
	"no_lists":                 {"尚无公布的名单", "No list has been published"},
	"all_lists":                {"全部名单", "All lists"},
	"status_at_quarter_end":    {"季度末状态", "Status at the quarter's end"},
	"authority":                {"决定机关", "Authority"},
	"credit_code":              {"统一社会信用代码", "Unified social credit code"},
	"permit_no":                {"（排污许可证编号）", "(discharge permit number)"},
	"permit_number":            {"排污许可证编号", "Discharge permit number"},
}

// codes labels the codes the ledger stores and the pages show: card
// colours and measures, inspection findings, posts, accountability case
// kinds and decisions.
var codes = map[string][2]string{
	"yellow":                    {"黄牌", "yellow card"},
	"in_force":                  {"在册", "in force"},
	"lifted":                    {"已摘牌", "lifted"},
	"escalated":                 {"已升级为红牌", "escalated to a red card"},
	"revoked":                   {"已撤销", "revoked"},
	"closed":                    {"因企业关闭终止", "ended by the enterprise's closure"},
	"ended":                     {"已终止", "ended"},
	"red":                       {"红牌", "red card"},
	"limit_production":          {"限制生产", "production limited"},
	"suspend_for_rectification": {"停产整治", "suspended for rectification"},
	"suspend_business":          {"停业", "business suspended"},
	"interview":                 {"约谈", "interview"},
	"restriction":               {"区域限批", "regional approval restriction"},
	"rectification":             {"限期整改", "rectification order"},
	"close":                     {"关闭", "closed"},
	"compliant":                 {"达标", "compliant"},
	"standard":                  {"排放标准", "discharge standard"},
	"quota":                     {"总量指标", "total quota"},
	"over_standard":             {"超标排放", "over the discharge standard"},
	"over_quota":                {"超总量", "over the quota"},
	"mayor":                     {"市长", "mayor"},
	"vice_mayor_in_charge":      {"分管副市长", "vice mayor in charge"},
	"env_bureau_head":           {"环境保护局局长", "environmental protection bureau head"},
	"river_chief":               {"河长", "river chief"},
	"governor":                  {"省长", "governor"},
	"vice_governor_in_charge":   {"分管副省长", "vice governor in charge"},
	"env_department_head":       {"环境保护厅厅长", "environmental protection department head"},
	"failed_assessment":         {"考核不合格", "failed assessment"},
	"data_falsification":        {"干预、伪造监测数据", "monitoring data falsified"},
	"serious_incident":          {"重大污染事件", "serious pollution incident"},
	"reckless_decision":         {"盲目决策致水环境恶化", "reckless decision that made the water worse"},
	"admonishment":              {"诫勉", "admonishment"},
	"criticism":                 {"通报批评", "public criticism"},
	"warning":                   {"警告", "warning"},
	"serious_warning":           {"严重警告", "serious warning"},
	"demerit":                   {"记过", "demerit"},
	"major_demerit":             {"记大过", "major demerit"},
	"demotion":                  {"降级", "demotion"},
	"removal_from_post":         {"撤职", "removal from post"},
	"ordered_resignation":       {"责令辞职", "ordered to resign"},
	"dismissal":                 {"免职", "dismissal"},
	"referral":                  {"移送纪检监察或司法机关", "referred to discipline or judicial authorities"},
	"no_action":                 {"不予追究", "no action"},
	"transferred":               {"调任", "transferred"},
	"promoted":                  {"提拔", "promoted"},
	"retired":                   {"退休", "retired"},
	"resigned":                  {"辞职", "resigned"},
	"dismissed":                 {"免职", "dismissed"},
	"term_ended":                {"任期届满", "term ended"},
	"deceased":                  {"去世", "deceased"},
	"other":                     {"其他", "other"},
	// Roles.
	"auditor":     {"审计人员", "auditor"},
	"assessment":  {"考核组", "assessment team"},
	"enforcement": {"执法", "enforcement"},
	"station":     {"监测站", "monitoring station"},
	"admin":       {"管理员", "administrator"},
	"system":      {"系统", "system"},
	// Event names, as the audit page lists them.
	"city.registered":                  {"城市登记", "city registered"},
	"section.registered":               {"断面登记", "section registered"},
	"section.target_set":               {"断面目标设定", "section target set"},
	"section.samples_recorded":         {"断面监测数据上传", "section samples uploaded"},
	"section.sample_corrected":         {"监测数据更正", "sample corrected"},
	"section.sample_invalidated":       {"监测数据作废", "sample withdrawn"},
	"drinking_source.registered":       {"饮用水水源地登记", "drinking source registered"},
	"drinking_source.samples_recorded": {"水源地监测数据上传", "drinking source samples uploaded"},
	"groundwater_point.registered":     {"地下水点位登记", "groundwater point registered"},
	"groundwater_point.graded":         {"地下水点位评级", "groundwater point graded"},
	"black_odorous.registered":         {"黑臭水体登记", "black-odorous body registered"},
	"black_odorous.inspected":          {"黑臭水体监测", "black-odorous body inspected"},
	"control_unit.registered":          {"控制单元登记", "control unit registered"},
	"assessment_rules.adopted":         {"考核规则发布", "assessment rules adopted"},
	"assessment.results_published":     {"考核结果公布", "assessment results published"},
	"assessment.consequence_imposed":   {"考核结果运用", "consequence imposed"},
	"task.listed":                      {"任务列入", "task listed"},
	"task.status_changed":              {"任务进度变更", "task status changed"},
	"enterprise.registered":            {"企业登记", "enterprise registered"},
	"enterprise_code.claimed":          {"统一社会信用代码登记", "enterprise code claimed"},
	"enterprise.inspected":             {"企业检查", "enterprise inspected"},
	"enterprise.yellow_card_issued":    {"黄牌", "yellow card issued"},
	"enterprise.red_card_issued":       {"红牌", "red card issued"},
	"enterprise.card_lifted":           {"摘牌", "card lifted"},
	"enterprise.card_revoked":          {"撤销挂牌", "card revoked"},
	"enterprise.closed":                {"企业关闭", "enterprise closed"},
	"card_list.published":              {"黄牌红牌名单公布", "card list published"},
	"official.registered":              {"领导干部登记", "official registered"},
	"official.appointed":               {"任职", "official appointed"},
	"official.departed":                {"离任", "official departed"},
	"accountability.triggered":         {"追责立案", "accountability case opened"},
	"accountability.decided":           {"追责决定", "accountability decided"},
	"post.filled":                      {"职务在任登记", "post filled"},
}

// Code is a stored code's label in the language, or the code itself if it
// has none.
func (l Lang) Code(code any) string {
	return l.from(codes, fmt.Sprint(code))
}

// Item is a water-quality item's name in the language.
func (l Lang) Item(item water.Item) string {
	info, ok := water.LookupItem(string(item))
	if !ok {
		return string(item)
	}
	return l.one(info.NameZh, info.NameEn)
}

// MeasuredItem is an item measured at an inspection, as recorded (COD,
// NH3-N, 总磷 …), in the language: by its name in GB 3838-2002's table
// where the table has it, the item as recorded beside it where that is
// not the name ("化学需氧量（COD）"); as recorded where the table has none
// (a discharge standard's own items, e.g. 悬浮物).
func (l Lang) MeasuredItem(item string) string {
	info, ok := water.LookupItem(item)
	if !ok {
		return item
	}
	name := l.one(info.NameZh, info.NameEn)
	if name == item {
		return name
	}
	return name + l.one("（", " (") + item + l.one("）", ")")
}

// Dept is a department of the plan in the language: as the plan writes it
// in Chinese, by its English name in English (one the plan does not name,
// as written).
func (l Lang) Dept(d plan.Department) string {
	return l.one(string(d), d.English())
}

// Class is a water class as the language writes it: in Chinese with the
// Roman numerals the rest of the Chinese text uses (Ⅲ, 劣Ⅴ, as in 劣Ⅴ类),
// in English I … V and "worse than V". The zero Class is "".
func (l Lang) Class(c water.Class) string {
	if !c.Valid() {
		return c.String()
	}
	if l == En {
		if c == water.WorseThanV {
			return "worse than V"
		}
		return c.String()
	}
	return [...]string{"", "Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ", "Ⅴ", "劣Ⅴ"}[c]
}

// Semicolon separates the items of a list in the language: full width in
// Chinese.
func (l Lang) Semicolon() string {
	return l.one("；", "; ")
}

// Multiple is an exceedance multiple as the pages and the command line
// write it: two decimals, three under 0.01 (a value just over its limit is
// not 0.00 times over).
func Multiple(x float64) string {
	if x < 0.01 {
		return strconv.FormatFloat(x, 'f', 3, 64)
	}
	return strconv.FormatFloat(x, 'f', 2, 64)
}

// Pollutants are a section's main pollutants as the pages and the command
// line write them, each with its exceedance multiple (C − C_III) / C_III,
// how many times over the class-III limit it is, said as such:
// 氨氮（超标0.07倍）, "ammonia nitrogen (0.07 times over the limit)".
// "氨氮 (0.07×)" read as 0.07 times the limit, a value far under it.
func (l Lang) Pollutants(ps []water.Exceedance) string {
	texts := make([]string, len(ps))
	for i, p := range ps {
		texts[i] = l.Item(p.Item) + l.one("（超标", " (") + Multiple(p.Multiple) + l.one("倍）", " times over the limit)")
	}
	return strings.Join(texts, l.one("、", "; "))
}

// one is the language's of a text given in Chinese and English.
func (l Lang) one(zh, en string) string {
	if l == En {
		return en
	}
	return zh
}

// pick is the language's of texts given in Chinese and English.
func (l Lang) pick(zh, en []string) []string {
	if l == En {
		return en
	}
	return zh
}

// ErrorLead says in the language what kind of error err is and, where it
// names a field, which: the line an error page opens with, above the
// error's own (English) text.
func (l Lang) ErrorLead(err error) string {
	key := map[domain.Kind]string{domain.Invalid: "kind_invalid", domain.NotFound: "kind_not_found", domain.Conflict: "kind_conflict",
		domain.Forbidden: "kind_forbidden", domain.Unauthenticated: "kind_unauthenticated", domain.Unavailable: "kind_unavailable"}[domain.KindOf(err)]
	lead := l.T(cmp.Or(key, "kind_internal"))
	if f := domain.FieldOf(err); f != "" {
		name := l.T("field_" + f)
		if name == "field_"+f {
			name = f
		}
		lead += l.one("：", ": ") + name
	}
	return lead
}

// T returns a text in the language.
func (l Lang) T(key string) string {
	return l.from(messages, key)
}

// from is the language's text of key in a table of texts, or key itself if
// the table has none.
func (l Lang) from(table map[string][2]string, key string) string {
	m, ok := table[key]
	if !ok {
		return key
	}
	return l.one(m[0], m[1])
}
