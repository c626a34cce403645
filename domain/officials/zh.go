package officials

import (
	"regexp"
	"strings"

	"github.com/shanxi-water/ledger/domain"
)

// fieldsZh names in Chinese the fields of this package's payloads whose
// fault is a bare one (domain.TextZh: missing, too long, surrounding
// whitespace…): the fault is given without its field, and said in
// Chinese with it. A field of a case's reference is named as the error
// names it (reference.document_no).
var fieldsZh = map[string]string{
	"id":                    "人员编码",
	"official":              "人员编码",
	"name":                  "姓名",
	"post":                  "职务",
	"river":                 "河流",
	"document_no":           "文号",
	"authority":             "机关",
	"reason":                "离任原因",
	"note":                  "备注",
	"case":                  "案件编号",
	"kind":                  "案件类型",
	"summary":               "案情摘要",
	"reference":             "依据",
	"reference.document_no": "认定文件文号",
	"decision":              "问责决定",
	"basis":                 "追责依据",
}

// missingZh says in Chinese why a field this package requires is needed,
// after 缺失: each English reason "missing: …" of a free-text field (or a
// case's reference), matched whole, with its particulars.
var missingZh = domain.ZhTable{
	{EN: regexp.MustCompile(`^missing: every appointment has its document$`), ZH: "每项任职都有任职文件"},
	{EN: regexp.MustCompile(`^missing: a river chief is the chief of a named river$`), ZH: "河长是某条河流的河长"},
	{EN: regexp.MustCompile(`^missing: a dismissal names its document$`), ZH: "免职须载明其文件"},
	{EN: regexp.MustCompile(`^missing: say why the official left$`), ZH: "请说明离任原因"},
	{EN: regexp.MustCompile(`^missing: give the triggering event's position or id, or the finding's document number$`), ZH: "请填写触发事件的日志位置或事件编号，或认定文件的文号"},
	{EN: regexp.MustCompile(`^missing: every decision carries its document number$`), ZH: "每项问责决定都载明文号"},
	{EN: regexp.MustCompile(`^missing: who decided\?$`), ZH: "请填写作出决定的机关"},
	{EN: regexp.MustCompile(`^missing: a decision not to hold the official answerable gives its reasons$`), ZH: "不予追究的决定须说明理由"},
	{EN: regexp.MustCompile(`^missing: case (\S+) does not name (.+) \((\S+)\) \(they held none of its posts from (\S+) to (\S+)\); say why they are answerable$`),
		ZH: "案件 $1 未列出 $2（$3）（$4 至 $5 期间未担任该案所涉职务）：请说明其应被追责的理由"},
}

// ErrorZh is the reason of an error of this package's operations
// (official.*, post.filled, accountability.*) in Chinese, where it is a
// field's bare fault or a required text's absence: said with the field's
// name (文号（document_no）：缺失，每项问责决定都载明文号). It is "" for any
// other reason, and for another package's operation.
func ErrorZh(op, field, reason string) string {
	if !strings.HasPrefix(op, "official.") && !strings.HasPrefix(op, "post.") && !strings.HasPrefix(op, "accountability.") {
		return ""
	}
	return domain.FieldZh(fieldsZh, missingZh, field, reason)
}
