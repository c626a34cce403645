package tasks

import (
	"regexp"
	"strings"

	"github.com/shanxi-water/ledger/domain"
)

// fieldsZh names in Chinese the fields of a status change whose fault is
// a bare one (domain.TextZh: missing, too long, surrounding whitespace…):
// the fault is given without its field, and said in Chinese with it.
var fieldsZh = map[string]string{
	"task":                 "任务编号",
	"to":                   "目标状态",
	"from":                 "原状态",
	"reason":               "原因",
	"evidence":             "证据",
	"evidence.document_no": "证据文号",
	"evidence.reference":   "证据出处",
	"evidence.file":        "附件文件名",
	"evidence.sha256":      "附件 SHA-256",
}

// missingZh says in Chinese why a status change needs a field it lacks,
// after 缺失: each English reason "missing: …" of the evidence or the
// reason, matched whole, with its particulars (the statuses in Chinese,
// their codes in brackets).
var missingZh = domain.ZhTable{
	{EN: regexp.MustCompile(`^missing: (\w+) → (\w+) needs a document number, a reference or the SHA-256 of an attached file$`), F: func(m []string) string {
		return "由" + statusZh(m[1]) + "改为" + statusZh(m[2]) + "须有文号、出处或附件的 SHA-256"
	}},
	{EN: regexp.MustCompile(`^missing: (\w+) → (\w+) needs a reason$`), F: func(m []string) string {
		return "由" + statusZh(m[1]) + "改为" + statusZh(m[2]) + "须说明原因"
	}},
	{EN: regexp.MustCompile(`^missing: an attached file is identified by its SHA-256$`), ZH: "附件以其 SHA-256 标识"},
}

// statusZh is a status in Chinese, its code in brackets.
func statusZh(s string) string {
	zh := map[Status]string{NotStarted: "未启动", InProgress: "推进中", Completed: "已完成", Verified: "已验收", Suspended: "暂停"}[Status(s)]
	if zh == "" {
		return s
	}
	return zh + "（" + s + "）"
}

// ErrorZh is the reason of an error of this package's operations (task.*)
// in Chinese, where it is a field's bare fault or a required field's
// absence: said with the field's name (原因（reason）：缺失，…). It is ""
// for any other reason, and for another package's operation.
func ErrorZh(op, field, reason string) string {
	if !strings.HasPrefix(op, "task.") {
		return ""
	}
	return domain.FieldZh(fieldsZh, missingZh, field, reason)
}
